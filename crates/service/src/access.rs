//! Who may do what: roles, logging in (password, lockout, TOTP second factor) and managing
//! users. Every failed login and every refused permission is logged.

use crate::ErrorText;
use rand_core::OsRng;
use std::sync::Arc;

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::changes::{text_field, Applier, ChangeRequest, Outcome};
use super::keyring::{grant_value, key_create_details, record_grant, UserKeys};
use super::statements::append_statement;
use super::{check_name, not_hashed, now, ServiceError, ServiceResult, Workspace};
use countersign_core::auth::lockout::LockoutPolicy;
use countersign_core::auth::{password, totp};
pub use countersign_core::auth::{Permission, Role};
use countersign_core::changes::{ChangeKind, ProposedEffect, CHECKERS_FOR_FOUR_EYES, CHECKER_ROLES};
use countersign_core::encoding::{format_utc, parse_utc};
use countersign_core::paging::{Page, Paged};
use countersign_store::prelude::*;
use countersign_store::{StoreError, Tx, UserRow};

/// A line of `user list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    /// Row id (the cursor of `user list --after`).
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Disabled users can do nothing.
    pub disabled: bool,
}

/// An authenticated user. Only [`Workspace::login`] makes one.
#[derive(Debug, Clone)]
pub struct Session {
    name: String,
    role: Role,
    /// The policy requires a second factor this user has not enrolled yet: they may only enrol.
    must_enrol_totp: bool,
    /// The user's unsealed keyring (their own key, the audit key).
    keys: Arc<UserKeys>,
}

impl Session {
    /// The user's name.
    pub fn user(&self) -> &str {
        &self.name
    }

    /// The user's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether the policy requires a second factor this user has not enrolled yet: the session
    /// may only enrol one (and change the password) until the user signs in again with a code.
    pub fn must_enrol_totp(&self) -> bool {
        self.must_enrol_totp
    }

    /// The user's keys (never shown; used to sign checkpoints).
    pub(super) fn keys(&self) -> &UserKeys {
        &self.keys
    }

    pub(super) fn require_any_role(&self) -> ServiceResult<()> {
        if self.must_enrol_totp {
            return Err(ServiceError::NotPermitted(
                ErrorText::detailed(
                    "totp_enrol_first",
                    format!("{} must enrol a second factor first (countersign user totp-enrol)", self.name),
                )
                .with("user", &self.name),
            ));
        }
        Ok(())
    }

    /// Fails unless the user has one of `roles`.
    pub(super) fn require(&self, roles: &[Role], what: &str) -> ServiceResult<()> {
        self.require_any_role()?;
        if roles.contains(&self.role) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let text = format!("{} is {}; only {} may {what}", self.name, article(self.role.as_str()), names.join(" or "));
        Err(ServiceError::NotPermitted(
            ErrorText::detailed("role", text).with("user", &self.name).with("role", self.role.as_str()).with("roles", names.join(",")),
        ))
    }
}

/// The subject a refusal asked about before any particular thing is logged under.
fn area(permission: Permission) -> &'static str {
    match permission.code().split_once('.').map_or("", |(area, _)| area) {
        "org" => "organisation",
        "user" => "users",
        "partner" => "partners",
        "instruction" => "instructions",
        "case" => "cases",
        "change" => "changes",
        "account" => "accounts",
        "payment_file" => "payment_files",
        area => area,
    }
}

fn article(word: &str) -> String {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

/// What a user offers to log in.
pub struct Credentials<'a> {
    /// Login name.
    pub user: &'a str,
    /// Password.
    pub password: &'a str,
    /// Current one-time code, if the user enrolled a second factor.
    pub totp: Option<&'a str>,
}

/// The one answer to every failed login, so that it reveals neither whether the account exists
/// nor whether it is locked (the lock and its end are in the audit log, for admins).
const BAD_LOGIN: &str =
    "authentication failed: unknown user or wrong password (after repeated failures an account is locked for a while: wait, or ask an admin)";

/// The signed-in user's row is gone (removed since signing in).
fn user_vanished(session: &Session) -> ServiceError {
    ServiceError::NotFound(ErrorText::detailed("user", "user vanished").with("user", session.user()))
}

impl Workspace {
    /// Authenticates a user. Failures are counted, locked out with a growing delay, and logged.
    pub fn login(&mut self, credentials: &Credentials<'_>) -> ServiceResult<Session> {
        let at = now();
        let at_text = format_utc(at);
        let subject = format!("user:{}", credentials.user);
        let user = self.check_password(credentials, at, &subject)?;
        // The role and enabled state are the signed statements' (issue 14: rows edited by hand
        // gave roles); a workspace from before them is upgraded at its first login.
        let legacy = self.implied_state()?.is_legacy();
        let role = match legacy {
            true => Role::parse(&user.role)?,
            false => self.verified(&user.name, &subject, |_, state| Ok(super::statements::check_user(state, &user)?))?,
        };
        let must_enrol = self.check_second_factor(&user, credentials, at, &subject)?;
        if user.failed_logins > 0 {
            self.reset_login_failures(&user, &at_text, &subject)?;
        }
        let keys = self.unlock_keyring(&user, credentials.password, &at_text)?;
        let session = Session { name: user.name.clone(), role, must_enrol_totp: must_enrol, keys };
        if legacy {
            self.upgrade_to_signed_statements(&session, &at_text)?;
        }
        // The key unsealed must be the one an admin's statement gave.
        self.verified(&user.name, &subject, |_, state| match state.user(&user.name).and_then(|u| u.key) {
            Some(given) if given != session.keys.personal.public_key() => {
                Ok(super::statements::differs("users", &user.name, "its keyring holds another key than the one an admin's statement gave")?)
            }
            _ => Ok(()),
        })?;
        Ok(session)
    }

    /// The user whose password `credentials` gives, if the account exists, is not locked out and
    /// is enabled; unknown, locked and wrong-password attempts all get [`BAD_LOGIN`], logged.
    fn check_password(&mut self, credentials: &Credentials<'_>, at: OffsetDateTime, subject: &str) -> ServiceResult<UserRow> {
        let user = self.store.read(|tx| tx.user_by_name(credentials.user))?;
        let Some(user) = user else {
            return self.refuse(
                credentials.user,
                "login.failed",
                subject,
                json!({ "why": "unknown user" }),
                ServiceError::AuthenticationFailed(ErrorText::detailed("bad_login", BAD_LOGIN)),
            );
        };
        self.refuse_if_locked(credentials.user, &user, at, subject)?;
        let password_ok = password::verify_password(credentials.password, &user.password_hash)
            .map_err(|e| countersign_store::StoreError::Corrupt(e.to_string()))?;
        if !password_ok {
            return self.count_failure(&user, at, "wrong password", ErrorText::detailed("bad_login", BAD_LOGIN));
        }
        // Only someone who knows the password learns that the account is disabled.
        if user.disabled {
            return self.refuse(
                credentials.user,
                "login.failed",
                subject,
                json!({ "why": "disabled" }),
                ServiceError::AuthenticationFailed(
                    ErrorText::detailed("disabled", format!("{} is disabled; ask an admin", user.name)).with("user", &user.name),
                ),
            );
        }
        Ok(user)
    }

    /// Refuses (with [`BAD_LOGIN`], logged as `login.locked_out`) while the account is locked out.
    fn refuse_if_locked(&mut self, actor: &str, user: &UserRow, at: OffsetDateTime, subject: &str) -> ServiceResult<()> {
        let lockout = LockoutPolicy::default();
        let Some(last) = user.last_failed_at.as_deref().and_then(parse_utc) else { return Ok(()) };
        if !lockout.is_locked(user.failed_logins, last, at) {
            return Ok(());
        }
        let until = lockout.locked_until(user.failed_logins, last).map(format_utc).unwrap_or_default();
        self.refuse(
            actor,
            "login.locked_out",
            subject,
            json!({ "locked_until": until, "failures": user.failed_logins }),
            ServiceError::AuthenticationFailed(ErrorText::detailed("bad_login", BAD_LOGIN)),
        )
    }

    /// Checks the one-time code of a user who enrolled a second factor; for one who did not,
    /// returns whether the policy requires them to enrol one before anything else.
    fn check_second_factor(
        &mut self,
        user: &UserRow,
        credentials: &Credentials<'_>,
        at: OffsetDateTime,
        subject: &str,
    ) -> ServiceResult<bool> {
        // The signed policy decides, whatever its row says: a row edited by hand must neither
        // drop the second factor nor lock everyone (auditors included) out.
        let policy = match self.implied_state()? {
            state if state.is_legacy() => self.policy()?,
            state => state.policy.clone(),
        };
        match &user.totp_sealed {
            Some(sealed) => {
                self.check_totp(user, credentials, sealed, at, subject)?;
                Ok(false)
            }
            None => {
                let role = Role::parse(&user.role)?;
                Ok(policy.require_totp_for_approvers && matches!(role, Role::Approver | Role::Admin))
            }
        }
    }

    /// Checks the one-time code against the second factor sealed under the password; a missing,
    /// wrong or reused code counts as a failed login. The step used is remembered.
    fn check_totp(
        &mut self,
        user: &UserRow,
        credentials: &Credentials<'_>,
        sealed: &str,
        at: OffsetDateTime,
        subject: &str,
    ) -> ServiceResult<()> {
        let Some(code) = credentials.totp else {
            return self.count_failure(
                user,
                at,
                "no one-time code",
                ErrorText::detailed(
                    "totp_needed",
                    format!("{} uses a second factor: give the current one-time code (COUNTERSIGN_TOTP)", user.name),
                )
                .with("user", &user.name),
            );
        };
        let secret = countersign_core::auth::sealed::open(credentials.password, sealed, subject)
            .map_err(|e| countersign_store::StoreError::Corrupt(e.to_string()))?;
        let secret: [u8; totp::TotpSecret::LEN] =
            secret.as_slice().try_into().map_err(|_| countersign_store::StoreError::Corrupt("TOTP secret".into()))?;
        let secret = totp::TotpSecret::from_bytes(secret);
        match totp::verify(&secret, code, at.unix_timestamp() as u64) {
            Some(step) if user.totp_last_step.is_none_or(|last| step > last) => {
                self.store.write(|tx| tx.set_totp_last_step(user.id, step))?;
                Ok(())
            }
            Some(_) => {
                let text = ErrorText::detailed("totp_reused", "that one-time code was already used; wait for the next one");
                self.count_failure(user, at, "one-time code reused", text)
            }
            None => self.count_failure(
                user,
                at,
                "wrong one-time code",
                ErrorText::detailed("totp_wrong", "authentication failed: wrong one-time code"),
            ),
        }
    }

    /// Clears the failed-login count after a successful login, with its `login.reset_failures` event.
    fn reset_login_failures(&mut self, user: &UserRow, at_text: &str, subject: &str) -> ServiceResult<()> {
        let failures = user.failed_logins;
        self.store.write(|tx| -> ServiceResult<()> {
            tx.set_login_failures(user.id, 0, None)?;
            tx.append_event(at_text, &user.name, "login.reset_failures", subject, &json!({ "after_failures": failures }))?;
            Ok(())
        })
    }

    /// Whether a user has enrolled a second factor (so a shell knows to ask for the code
    /// before logging in, rather than failing the attempt). Unknown users: false.
    pub fn totp_enrolled(&mut self, user: &str) -> ServiceResult<bool> {
        Ok(self.store.read(|tx| tx.user_by_name(user))?.is_some_and(|u| u.totp_sealed.is_some()))
    }

    fn count_failure<T>(&mut self, user: &UserRow, at: OffsetDateTime, why: &str, text: ErrorText) -> ServiceResult<T> {
        let at_text = format_utc(at);
        let subject = format!("user:{}", user.name);
        self.store.write(|tx| -> ServiceResult<()> {
            // The count is read in the write transaction that raises it: attempts made in
            // parallel queue here and each one counts (issue 16: 48 parallel guesses left 3).
            let counted = tx.user_by_name(&user.name)?.map_or(user.failed_logins, |u| u.failed_logins);
            let failures = counted.saturating_add(1);
            let locked_until = LockoutPolicy::default().locked_until(failures, at).map(format_utc);
            tx.set_login_failures(user.id, failures, Some(&at_text))?;
            tx.append_event(&at_text, &user.name, "login.failed", &subject, &json!({ "why": why, "failures": failures }))?;
            if let Some(until) = &locked_until {
                tx.append_event(&at_text, "system", "user.locked", &subject, &json!({ "failures": failures, "until": until }))?;
            }
            Ok(())
        })?;
        Err(ServiceError::AuthenticationFailed(text))
    }

    /// Logs that `session` was refused an action, and returns the error.
    pub(super) fn deny<T>(&mut self, session: &Session, action: &str, subject: &str, error: ServiceError) -> ServiceResult<T> {
        self.refuse(session.user(), "permission.denied", subject, json!({ "attempted": action }), error)
    }

    /// Whether `session` may do `permission` (a shell asks before it opens a file dialog, so that
    /// a refusal comes before anything is chosen); a refusal is logged, as the operation itself
    /// would log it.
    pub fn check_allowed(&mut self, session: &Session, permission: Permission) -> ServiceResult<()> {
        self.authorize(session, permission, area(permission))
    }

    /// Fails unless `session`'s user still is what it was at sign-in: not disabled, not removed,
    /// the same role (issue 16: an open app session kept the role and enabled state of its
    /// login, so disabling or demoting a user changed nothing until they signed out). Every
    /// operation asks, through this or [`Workspace::authorize`].
    ///
    /// The signed statements decide (issue 14): a user they disabled or gave another role is
    /// refused even if the row says otherwise, and a row that differs from them is refused as
    /// `state_unverified`.
    pub(super) fn require_signed_in(&mut self, session: &Session) -> ServiceResult<()> {
        session.require_any_role()?;
        let changed = || {
            ServiceError::AuthenticationFailed(
                ErrorText::detailed(
                    "session_changed",
                    format!("{} was disabled or given another role since signing in: sign in again", session.user()),
                )
                .with("user", session.user()),
            )
        };
        let subject = format!("user:{}", session.user());
        self.verified(session.user(), &subject, |tx, state| {
            state.user(session.user()).filter(|u| u.enabled && u.role == session.role()).ok_or_else(changed)?;
            let row = tx.user_by_name(session.user())?.ok_or_else(changed)?;
            Ok(super::statements::check_user(state, &row).map(drop)?)
        })
    }

    /// Checks `session`'s role has `permission` (the core's table); a refusal is logged under
    /// the permission's code, about `subject`.
    pub(super) fn authorize(&mut self, session: &Session, permission: Permission, subject: &str) -> ServiceResult<()> {
        self.require_signed_in(session)?;
        match session.require(permission.roles(), permission.what()) {
            Ok(()) => Ok(()),
            Err(e) => self.deny(session, permission.code(), subject, e),
        }
    }

    /// Adds a user (admin only). A clerk or auditor is added at once; an approver or admin, who
    /// could check changes and approve payments, is a change another approver or admin approves
    /// once the workspace has two people who can check (issue 15). Their keyring is made now, by
    /// the admin's session, sealed under the first password.
    pub fn add_user(&mut self, session: &Session, name: &str, role: Role, initial_password: &str) -> ServiceResult<Outcome> {
        let subject = format!("user:{name}");
        self.authorize(session, Permission::AddUsers, &subject)?;
        check_name(name)?;
        password::check_password_policy(initial_password).map_err(|e| super::weak_password(("password", "the password"), e))?;
        if self.store.read(|tx| tx.user_by_name(name))?.is_some() {
            return Err(ServiceError::InvalidInput(
                ErrorText::detailed("user_exists", format!("a user named {name} already exists")).with("user", name),
            ));
        }
        let credentials = NewCredentials::make(session, name, initial_password, role)?;
        let effects = vec![
            ProposedEffect { action: "user.add".into(), subject: subject.clone(), details: json!({ "role": role.as_str() }) },
            credentials.key_effect(&subject, "new user"),
        ];
        let mut request = credentials.request(name);
        request["role"] = json!(role.as_str());
        let change = ChangeRequest {
            kind: ChangeKind::UserAdd,
            summary: format!("Add {name} as {}", article(role.as_str())),
            request,
            effects,
            flags: vec![],
            before: Value::Null,
            after: json!({ "name": name, "role": role.as_str() }),
        };
        if CHECKER_ROLES.contains(&role) {
            return self.submit(session, change);
        }
        let at = format_utc(now());
        let applier = Applier::at_once(session, &at, &change.effects);
        self.store.write(|tx| apply_user_add(tx, &change.request, &applier)).map(Outcome::Applied)
    }

    /// Sets a new first password for another user (admin only), e.g. when they forgot theirs.
    /// Their keyring could only be opened with the old password, so they get a new one (a new
    /// signing key, and the audit key from the admin's session); a second factor sealed under
    /// the old password is cleared and must be enrolled again. Failed-login counters reset. Whoever
    /// sets a password can act as that user, so this is a change a second person approves once
    /// the workspace has two people who can check (issue 15).
    pub fn reset_password(&mut self, session: &Session, name: &str, new_password: &str) -> ServiceResult<Outcome> {
        let subject = format!("user:{name}");
        self.authorize(session, Permission::ResetPasswords, &subject)?;
        if name == session.user() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed(
                "reset_own_password",
                "change your own password with your current one (countersign user password)",
            )));
        }
        password::check_password_policy(new_password).map_err(|e| super::weak_password(("password", "the password"), e))?;
        let user = self
            .store
            .read(|tx| tx.user_by_name(name))?
            .ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("user", format!("no user named {name}")).with("user", name)))?;
        let role = self.implied_state()?.user(name).map_or(Role::Clerk, |u| u.role);
        let credentials = NewCredentials::make(session, name, new_password, role)?;
        let effects = vec![
            ProposedEffect {
                action: "user.reset_password".into(),
                subject: subject.clone(),
                details: json!({ "second_factor_cleared": user.totp_sealed.is_some() }),
            },
            credentials.key_effect(&subject, "password reset"),
        ];
        self.submit(
            session,
            ChangeRequest {
                kind: ChangeKind::UserResetPassword,
                summary: format!("Reset the password (and key) of {name}, {}", article(role.as_str())),
                request: credentials.request(name),
                effects,
                flags: vec![],
                before: Value::Null,
                after: json!({ "name": name }),
            },
        )
    }

    /// Changes the signed-in user's own password: the current one is checked, and the keyring
    /// and any second factor are sealed again under the new one.
    pub fn change_password(&mut self, session: &Session, current: &str, new_password: &str) -> ServiceResult<()> {
        let subject = format!("user:{}", session.user());
        let user = self.store.read(|tx| tx.user_by_name(session.user()))?.ok_or_else(|| user_vanished(session))?;
        if !password::verify_password(current, &user.password_hash).unwrap_or(false) {
            return self.refuse(
                session.user(),
                "user.password_refused",
                &subject,
                json!({}),
                ServiceError::AuthenticationFailed(ErrorText::detailed("wrong_current_password", "wrong current password")),
            );
        }
        password::check_password_policy(new_password).map_err(|e| super::weak_password(("new_password", "the new password"), e))?;
        let hash = password::hash_password(&mut OsRng, new_password).map_err(not_hashed)?;
        let totp = match &user.totp_sealed {
            Some(sealed) => {
                let secret = countersign_core::auth::sealed::open(current, sealed, &subject)
                    .map_err(|e| countersign_store::StoreError::Corrupt(e.to_string()))?;
                Some(countersign_core::auth::sealed::seal(&mut OsRng, new_password, &secret, &subject))
            }
            None => None,
        };
        let keyring = session.keys().seal(session.user(), new_password);
        let at = format_utc(now());
        self.store.write(|tx| -> ServiceResult<()> {
            tx.set_password(user.id, &hash, totp.as_deref())?;
            tx.set_keyring(user.id, &keyring, &session.keys().personal.public_key().to_bytes())?;
            tx.append_event(&at, session.user(), "user.password_change", &subject, &json!({}))?;
            Ok(())
        })
    }

    /// Disables (or re-enables) a user (admin only). Admins cannot disable themselves, and a
    /// workspace with two people who can check changes cannot fall back to one (issue 15).
    /// Enabling an approver or admin again is a change a second person approves.
    pub fn set_user_disabled(&mut self, session: &Session, name: &str, disabled: bool) -> ServiceResult<Outcome> {
        let subject = format!("user:{name}");
        self.authorize(session, Permission::DisableUsers, &subject)?;
        if name == session.user() && disabled {
            return Err(ServiceError::InvalidInput(ErrorText::detailed("disable_yourself", "you cannot disable yourself")));
        }
        self.store
            .read(|tx| tx.user_by_name(name))?
            .ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("user", format!("no user named {name}")).with("user", name)))?;
        let mode = self.workspace_mode()?;
        if disabled && !mode.setup && mode.checkers.iter().any(|c| c == name) && mode.checkers.len() <= CHECKERS_FOR_FOUR_EYES {
            let message = format!(
                "disabling {name} would leave fewer than two people who can check changes (now: {}); add another approver or admin first",
                mode.checkers.join(", ")
            );
            let text = ErrorText::detailed("last_checkers", message).with("user", name).with("checkers", mode.checkers.join(", "));
            return self.deny(session, "user.disable", &subject, ServiceError::NotPermitted(text));
        }
        // Whether enabling needs a second person is decided on the role the statements give,
        // never on the row's (an edited row must not turn an approver into a clerk here).
        let role = self.implied_state()?.user(name).map_or(Role::Clerk, |u| u.role);
        if !disabled && CHECKER_ROLES.contains(&role) {
            return self.submit(
                session,
                ChangeRequest {
                    kind: ChangeKind::UserEnable,
                    summary: format!("Enable {name} again, {}", article(role.as_str())),
                    request: json!({ "name": name }),
                    effects: vec![ProposedEffect { action: "user.enable".into(), subject: subject.clone(), details: json!({}) }],
                    flags: vec![],
                    before: json!({ "name": name, "enabled": false }),
                    after: json!({ "name": name, "enabled": true }),
                },
            );
        }
        let at = format_utc(now());
        // Disabling is urgent, as a revocation is: a payment run in another process yields to it.
        let _urgent = if disabled { Some(self.store.announce_urgent_write()?) } else { None };
        self.store.write(|tx| -> ServiceResult<()> {
            let user = tx
                .user_by_name(name)?
                .ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("user", format!("no user named {name}")).with("user", name)))?;
            tx.set_disabled(user.id, disabled)?;
            let action = if disabled { "user.disable" } else { "user.enable" };
            append_statement(tx, session, &at, action, &subject, json!({}))?;
            Ok(())
        })?;
        Ok(Outcome::Applied(json!({ "name": name, "enabled": !disabled })))
    }

    /// Enrols a TOTP second factor for the logged-in user, sealed under their password;
    /// returns the secret for their authenticator app.
    pub fn enrol_totp(&mut self, session: &Session, password: &str) -> ServiceResult<totp::TotpSecret> {
        let subject = format!("user:{}", session.user());
        let secret = totp::TotpSecret::generate(&mut OsRng);
        let sealed = countersign_core::auth::sealed::seal(&mut OsRng, password, secret.as_bytes(), &subject);
        let at = format_utc(now());
        self.store.write(|tx| -> ServiceResult<()> {
            let user = tx.user_by_name(session.user())?.ok_or_else(|| user_vanished(session))?;
            if !password::verify_password(password, &user.password_hash).unwrap_or(false) {
                return Err(ServiceError::AuthenticationFailed(ErrorText::detailed("wrong_password", "wrong password")));
            }
            tx.set_totp(user.id, Some(&sealed))?;
            tx.append_event(&at, session.user(), "user.totp_enrol", &subject, &json!({}))?;
            Ok(())
        })?;
        Ok(secret)
    }

    /// Users and their roles (admin and auditor).
    pub fn users(&mut self, session: &Session) -> ServiceResult<Vec<(String, Role, bool)>> {
        Ok(self.users_page(session, &Page::default())?.items.into_iter().map(|u| (u.name, u.role, u.disabled)).collect())
    }

    /// One page of the users, by name (`user list --limit --after`; admin and auditor): the
    /// cursor is the id of the last user of the page before, and one that names no user is
    /// refused.
    pub fn users_page(&mut self, session: &Session, page: &Page) -> ServiceResult<Paged<UserSummary>> {
        self.authorize(session, Permission::ListUsers, "users")?;
        let rows = self.store.read(|tx| -> ServiceResult<_> {
            if let Some(after) = page.after {
                if tx.user_by_id(after)?.is_none() {
                    return Err(ServiceError::InvalidInput(
                        ErrorText::detailed("after_no_user", format!("--after {after} names no user: give the id of the last user listed"))
                            .with("after", after),
                    ));
                }
            }
            Ok(tx.users(page)?)
        })?;
        let users = rows
            .into_iter()
            .map(|u| Ok(UserSummary { id: u.id, role: Role::parse(&u.role)?, name: u.name, disabled: u.disabled }))
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(Paged::of(users, page, |u| u.id))
    }
}

/// A user's new password and keyring, made by the admin's session: what adding the user or
/// resetting their password keeps until it is applied.
struct NewCredentials {
    password_hash: String,
    keys: UserKeys,
    sealed: String,
}

impl NewCredentials {
    /// A new password and keyring for `name` of `role` (an approver's or admin's holds the
    /// callback secret, from the admin's session).
    fn make(session: &Session, name: &str, password: &str, role: Role) -> ServiceResult<Self> {
        let password_hash = password::hash_password(&mut OsRng, password).map_err(not_hashed)?;

        let keys = UserKeys::for_role(session.keys(), role);
        let sealed = keys.seal(name, password);
        Ok(NewCredentials { password_hash, keys, sealed })
    }

    /// The `user.key_create` statement that gives the user their new key.
    fn key_effect(&self, subject: &str, why: &str) -> ProposedEffect {
        ProposedEffect { action: "user.key_create".into(), subject: subject.into(), details: key_create_details(&self.keys, why) }
    }

    /// The request kept to apply it: the password's hash and the sealed keyring, never the
    /// password itself.
    fn request(&self, name: &str) -> Value {
        json!({
            "name": name,
            "password_hash": self.password_hash,
            "keyring": self.sealed,
            "public_key": self.keys.personal.public_key().to_base64(),
            "callback_grant": grant_value(&self.keys),
        })
    }
}

/// The user's keyring from a request: the sealed text and its public key.
fn requested_keyring(request: &Value) -> ServiceResult<(&str, [u8; 32])> {
    let public = countersign_core::encoding::b64_decode_array(text_field(request, "public_key")?)
        .ok_or_else(|| StoreError::Corrupt("the change's public key".into()))?;
    Ok((text_field(request, "keyring")?, public))
}

/// Applies a user's addition from its request: the row, the keyring and both statements.
pub(super) fn apply_user_add(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let (name, role) = (text_field(request, "name")?, text_field(request, "role")?);
    if tx.user_by_name(name)?.is_some() {
        return Err(ServiceError::InvalidInput(
            ErrorText::detailed("user_exists", format!("a user named {name} already exists")).with("user", name),
        ));
    }
    let id = tx.insert_user(name, role, text_field(request, "password_hash")?, applier.at(), applier.by())?;
    let (sealed, public) = requested_keyring(request)?;
    tx.set_keyring(id, sealed, &public)?;
    record_grant(tx, name, text_field(request, "callback_grant")?)?;
    let subject = format!("user:{name}");
    applier.write(tx, 0, &subject)?;
    applier.write(tx, 1, &subject)?;
    Ok(json!({ "name": name, "role": role }))
}

/// Applies a password reset from its request: the new password (any second factor cleared), the
/// new keyring and both statements.
pub(super) fn apply_password_reset(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let name = text_field(request, "name")?;
    let user = tx
        .user_by_name(name)?
        .ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("user", format!("no user named {name}")).with("user", name)))?;
    tx.set_password(user.id, text_field(request, "password_hash")?, None)?;
    let (sealed, public) = requested_keyring(request)?;
    tx.set_keyring(user.id, sealed, &public)?;
    record_grant(tx, name, text_field(request, "callback_grant")?)?;
    let subject = format!("user:{name}");
    applier.write(tx, 0, &subject)?;
    applier.write(tx, 1, &subject)?;
    Ok(json!({ "name": name }))
}

/// Applies the enabling of an approver or admin again.
pub(super) fn apply_user_enable(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let name = text_field(request, "name")?;
    let user = tx
        .user_by_name(name)?
        .ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("user", format!("no user named {name}")).with("user", name)))?;
    tx.set_disabled(user.id, false)?;
    applier.write(tx, 0, &format!("user:{name}"))?;
    Ok(json!({ "name": name, "enabled": true }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::admin_workspace;

    /// Regression (issue 16): a session opened before its user was disabled kept working (the app
    /// keeps sessions open); it is refused at its next operation, and the refusal says why.
    #[test]
    fn a_session_of_a_user_disabled_since_it_signed_in_is_refused() {
        let (_dir, mut ws, admin) = admin_workspace();
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        let clara = ws.login(&Credentials { user: "clara", password: "clara password 1", totp: None }).unwrap();
        assert!(ws.cases(&clara, None).is_ok());
        ws.set_user_disabled(&admin, "clara", true).unwrap();
        match ws.cases(&clara, None) {
            Err(ServiceError::AuthenticationFailed(message)) => assert!(message.contains("sign in again"), "{message}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(matches!(ws.partners(&clara), Err(ServiceError::AuthenticationFailed(_))));
        ws.set_user_disabled(&admin, "clara", false).unwrap();
        assert!(ws.cases(&clara, None).is_ok(), "enabled again, the session works again");
    }
}
