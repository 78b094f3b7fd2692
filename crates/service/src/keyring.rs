//! Each user's keyring: their own signing key, which countersigns the log's checkpoint when they
//! approve, their copy of the organisation's audit key, which signs every checkpoint, and, for
//! approvers and admins only, the organisation's **callback secret** (format §3.7), which checks a
//! partner's response to a v2 instruction. All are sealed together under the user's password
//! ([`countersign_core::auth::sealed`]), so the database alone reveals none, and no passphrase has
//! to be typed when a checkpoint is due. Login opens the keyring; an admin who adds a user or resets
//! a password seals a new one with the audit key (and, for an approver or admin, the callback
//! secret) from their own session.
//!
//! The callback key is made at `init`, or at an admin's first login in a workspace that has none.
//! Approvers and admins who exist already (or are promoted later) receive it through a **grant**:
//! at each login of a holder, the secret is sealed to the personal key of every approver and
//! admin who does not hold it yet (setting `callback_grant:USER`); their next login opens it and
//! seals it into their keyring. Clerks and auditors never hold it: a keyring of one that holds it
//! (a demoted user) loses it at their next login.

use rand_core::OsRng;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::statements::{append_signed, differs, Signer};
use super::{ErrorText, Role, ServiceError, ServiceResult, Workspace};
use countersign_core::encoding::{b64_decode_array, b64_encode};
use countersign_core::format::callback_key::{grant_callback_key, open_grant, seal_grant, CallbackPublicKey, CallbackSecret};
use countersign_core::format::keys::{KeyPair, PublicKey};
use countersign_store::prelude::*;
use countersign_store::{StoreError, Tx, UserRow};

/// The purpose of the audit key in the organisation's key table.
pub(super) const AUDIT_KEY: &str = "audit";

/// The setting holding our callback public key (base64), backed by an `org.callback_key` statement.
pub(super) const CALLBACK_KEY: &str = "callback_key";

/// The setting of `user`'s callback key: `held:KEY` (their keyring holds KEY, base64), a grant
/// waiting for their next login (JSON), or empty.
fn grant_setting(user: &str) -> String {
    format!("callback_grant:{user}")
}

/// The value of [`grant_setting`] for a keyring that holds `key`.
fn held(key: &CallbackPublicKey) -> String {
    format!("held:{}", key.to_base64())
}

/// Whether users of `role` hold the callback secret: approvers and admins; never clerks or auditors.
pub fn holds_callback_key(role: Role) -> bool {
    matches!(role, Role::Approver | Role::Admin)
}

/// A user's unsealed keys, held by their session.
pub struct UserKeys {
    /// The user's own key.
    pub personal: KeyPair,
    /// The organisation's audit key, if this user holds a copy.
    pub audit: Option<KeyPair>,
    /// The organisation's callback secret (approvers and admins only).
    pub callback: Option<CallbackSecret>,
}

impl std::fmt::Debug for UserKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserKeys")
            .field("personal", &self.personal.fingerprint().to_string())
            .field("audit", &self.audit.as_ref().map(|k| k.fingerprint().to_string()))
            .field("callback", &self.callback.as_ref().map(|k| k.public_key()))
            .finish()
    }
}

/// The sealed form (JSON inside the sealed secret).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringWire {
    personal: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    callback: Option<String>,
}

fn context(user: &str) -> String {
    format!("user:{user}/keyring")
}

impl UserKeys {
    /// A new keyring: a fresh personal key and a copy of `audit`, if given.
    pub fn new(audit: Option<&KeyPair>) -> Self {
        UserKeys { personal: KeyPair::generate(&mut OsRng), audit: audit.map(|k| KeyPair::from_seed(&k.secret_seed())), callback: None }
    }

    /// A new keyring for a user of `role`, sealed by an admin's session `from`: a fresh personal
    /// key, a copy of the audit key and, for an approver or admin, of the callback secret.
    pub fn for_role(from: &UserKeys, role: Role) -> Self {
        let callback = from.callback.as_ref().filter(|_| holds_callback_key(role)).map(|k| CallbackSecret::from_bytes(&k.to_bytes()));
        UserKeys { callback, ..Self::new(from.audit.as_ref()) }
    }

    /// Sealed under `password` for `user`.
    pub fn seal(&self, user: &str, password: &str) -> String {
        let wire = KeyringWire {
            personal: b64_encode(self.personal.secret_seed().as_ref()),
            audit: self.audit.as_ref().map(|k| b64_encode(k.secret_seed().as_ref())),
            callback: self.callback.as_ref().map(|k| b64_encode(k.to_bytes().as_ref())),
        };
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(&wire).expect("serialises"));
        countersign_core::auth::sealed::seal(&mut OsRng, password, &plain, &context(user))
    }

    /// Opens `user`'s sealed keyring with their password.
    pub fn open(sealed: &str, user: &str, password: &str) -> ServiceResult<Self> {
        let corrupt = |what: &str| ServiceError::Store(StoreError::Corrupt(format!("{user}'s keyring: {what}")));
        let plain = countersign_core::auth::sealed::open(password, sealed, &context(user)).map_err(|e| corrupt(&e.to_string()))?;
        let wire: KeyringWire = serde_json::from_slice(&plain).map_err(|_| corrupt("not a keyring"))?;
        let seed =
            |text: &str| b64_decode_array::<32>(text).map(|s| KeyPair::from_seed(&s)).ok_or_else(|| corrupt("a key is not 32 bytes"));
        let callback = wire
            .callback
            .as_deref()
            .map(|text| {
                b64_decode_array::<32>(text).map(|s| CallbackSecret::from_bytes(&s)).ok_or_else(|| corrupt("a key is not 32 bytes"))
            })
            .transpose()?;
        Ok(UserKeys { personal: seed(&wire.personal)?, audit: wire.audit.as_deref().map(seed).transpose()?, callback })
    }
}

/// Records a new audit key in the organisation's key table (the secret lives only in keyrings,
/// and, for workspaces made by `init`, sealed under the organisation passphrase).
pub(super) fn record_audit_key(tx: &dyn Tx, key: &KeyPair, escrow: &str, at: &str, by: &Signer<'_>) -> ServiceResult<()> {
    let fingerprint = key.fingerprint().to_string();
    tx.insert_org_key(AUDIT_KEY, &fingerprint, &key.public_key().to_bytes(), escrow, None, at)?;
    by.append(tx, at, "audit.key_create", "audit", json!({ "fingerprint": fingerprint, "public_key": key.public_key().to_base64() }))?;
    Ok(())
}

/// Stores `user`'s sealed keyring and logs its public key in a `user.key_create` statement signed
/// by `by` (the admin who created or reset the user, or the organisation key at `init`): the
/// statement every later one of the user rests on, and what countersignatures are checked with.
pub(super) fn store_keyring(
    tx: &dyn Tx,
    user: &UserRow,
    keys: &UserKeys,
    sealed: &str,
    at: &str,
    by: &Signer<'_>,
    why: &str,
) -> ServiceResult<()> {
    let public = keys.personal.public_key();
    tx.set_keyring(user.id, sealed, &public.to_bytes())?;
    record_grant(tx, &user.name, &grant_value(keys))?;
    by.append(tx, at, "user.key_create", &format!("user:{}", user.name), key_create_details(keys, why))?;
    Ok(())
}

/// What [`grant_setting`] says of a new keyring: that it holds the callback secret, or nothing.
pub(super) fn grant_value(keys: &UserKeys) -> String {
    keys.callback.as_ref().map(|k| held(&k.public_key())).unwrap_or_default()
}

/// Records what `user`'s new keyring holds of the callback secret ([`grant_value`]).
pub(super) fn record_grant(tx: &dyn Tx, user: &str, value: &str) -> ServiceResult<()> {
    Ok(tx.set_setting(&grant_setting(user), value)?)
}

/// The details of the `user.key_create` statement that gives a user `keys`.
pub(super) fn key_create_details(keys: &UserKeys, why: &str) -> serde_json::Value {
    let public = keys.personal.public_key();
    json!({ "fingerprint": public.fingerprint().to_string(), "public_key": public.to_base64(), "holds_audit_key": keys.audit.is_some(), "why": why })
}

impl Workspace {
    /// Opens `user`'s keyring at login. In a workspace that predates signed statements, a user
    /// without one (their account predates keyrings) gets one now, with a new audit key if the
    /// organisation has none yet; in any other, a personal key is only ever given by an admin.
    pub(super) fn unlock_keyring(&mut self, user: &UserRow, password: &str, at: &str) -> ServiceResult<Arc<UserKeys>> {
        if let Some(sealed) = &user.keyring {
            let keys = UserKeys::open(sealed, &user.name, password)?;
            if self.implied_state()?.is_legacy() {
                return Ok(Arc::new(keys));
            }
            return Ok(Arc::new(self.settle_callback_key(user, keys, password, at)?));
        }
        if !self.implied_state()?.is_legacy() {
            let text = format!(
                "{} has no personal key, which only an admin can give: ask an admin to reset the password (countersign user reset-password --name {})",
                user.name, user.name
            );
            return Err(ServiceError::AuthenticationFailed(ErrorText::detailed("no_personal_key", text).with("user", &user.name)));
        }
        let keys = self.store.write(|tx| -> ServiceResult<UserKeys> {
            let audit = match tx.active_org_key(AUDIT_KEY)? {
                Some(_) => None,
                None => {
                    let key = KeyPair::generate(&mut OsRng);
                    record_audit_key(tx, &key, "", at, &Signer::Legacy(&user.name))?;
                    Some(key)
                }
            };
            let keys = UserKeys { personal: KeyPair::generate(&mut OsRng), audit, callback: None };
            let sealed = keys.seal(&user.name, password);
            store_keyring(tx, user, &keys, &sealed, at, &Signer::Legacy(&user.name), "first login with a keyring")?;
            Ok(keys)
        })?;
        Ok(Arc::new(keys))
    }
}

/// Records a new callback key: the setting, and an `org.callback_key` statement by `actor` signed
/// with `key` (the organisation key at `init`, an admin's personal key otherwise).
pub(super) fn record_callback_key(tx: &dyn Tx, secret: &CallbackSecret, at: &str, actor: &str, key: &KeyPair) -> ServiceResult<()> {
    let public = secret.public_key().to_base64();
    tx.set_setting(CALLBACK_KEY, &public)?;
    append_signed(tx, key, at, actor, "org.callback_key", "callback_key", json!({ "public_key": public }))?;
    Ok(())
}

impl Workspace {
    /// Our callback public key, from its setting checked against the signed statements (`None`:
    /// the workspace has none yet, until an admin signs in).
    pub fn callback_public_key(&mut self, actor: &str) -> ServiceResult<Option<CallbackPublicKey>> {
        let row = self.store.read(|tx| tx.setting(CALLBACK_KEY))?.filter(|v| !v.is_empty());
        self.verified(actor, "callback_key", |_, state| {
            if row != state.callback_key {
                return Ok(differs("settings", CALLBACK_KEY, "our callback key differs from the one a signed statement set")?);
            }
            Ok(row.as_deref().and_then(CallbackPublicKey::from_base64))
        })
    }

    /// At login: makes the callback key if an admin finds none, opens a grant waiting for an
    /// approver or admin, takes the key away from a clerk or auditor, and seals grants for the
    /// approvers and admins who do not hold it yet. Returns the user's keys as they now are.
    fn settle_callback_key(&mut self, user: &UserRow, mut keys: UserKeys, password: &str, at: &str) -> ServiceResult<UserKeys> {
        let role = Role::parse(&user.role)?;
        let holding = keys.callback.as_ref().map(CallbackSecret::public_key);
        // A clerk or auditor never needs our callback key: they sign in (an auditor to find what
        // was tampered with) whatever its setting says, and only lose a secret they should not hold.
        if !holds_callback_key(role) && holding.is_none() {
            return Ok(keys);
        }
        let current = match holds_callback_key(role) {
            true => self.callback_public_key(&user.name)?,
            false => None,
        };
        let grant = self.store.read(|tx| tx.setting(&grant_setting(&user.name)))?.unwrap_or_default();
        let mut change: Option<&str> = None;
        if !holds_callback_key(role) {
            keys.callback = None;
            change = Some("user.callback_key_removed");
        } else if current.is_none() && role == Role::Admin {
            keys.callback = Some(CallbackSecret::generate(&mut OsRng));
            change = Some("org.callback_key");
        } else if let (Some(current), false) = (current, holding == current) {
            if grant_callback_key(&grant) == Some(current) {
                keys.callback = Some(open_grant(&grant, &user.name, &keys.personal).map_err(|e| StoreError::Corrupt(e.to_string()))?);
                change = Some("user.callback_key_received");
            }
        }
        let sealed = change.map(|_| keys.seal(&user.name, password));
        // Only the current key is granted (one just made counts as current).
        let created = change == Some("org.callback_key");
        let users = match keys.callback.as_ref().filter(|s| current.map_or(created, |c| c == s.public_key())) {
            Some(secret) => self.users_without(secret, &user.name)?,
            None => vec![],
        };
        // Most logins change nothing and take no write lock (a payment run may hold it).
        if change.is_none() && users.is_empty() {
            return Ok(keys);
        }
        self.store.write(|tx| -> ServiceResult<()> {
            if let (Some(action), Some(sealed)) = (change, &sealed) {
                tx.set_keyring(user.id, sealed, &keys.personal.public_key().to_bytes())?;
                tx.set_setting(&grant_setting(&user.name), &keys.callback.as_ref().map(|k| held(&k.public_key())).unwrap_or_default())?;
                match (action, &keys.callback) {
                    ("org.callback_key", Some(secret)) => record_callback_key(tx, secret, at, &user.name, &keys.personal)?,
                    _ => {
                        let details = json!({ "callback_key": current.map(|k| k.to_base64()) });
                        tx.append_event(at, &user.name, action, &format!("user:{}", user.name), &details)?;
                    }
                }
            }
            if let (Some(secret), false) = (&keys.callback, users.is_empty()) {
                grant_to(tx, secret, &users, at, &user.name)?;
            }
            Ok(())
        })?;
        Ok(keys)
    }
}

impl Workspace {
    /// The enabled approvers and admins other than `holder` (name, personal key) who neither hold
    /// `secret` nor have a grant of it waiting.
    fn users_without(&mut self, secret: &CallbackSecret, holder: &str) -> ServiceResult<Vec<(String, PublicKey)>> {
        let public = secret.public_key();
        let candidates: Vec<(String, PublicKey)> = self
            .implied_state()?
            .users
            .iter()
            .filter(|(name, u)| name.as_str() != holder && u.enabled && holds_callback_key(u.role))
            .filter_map(|(name, u)| u.key.map(|k| (name.clone(), k)))
            .collect();
        self.store.read(|tx| -> ServiceResult<_> {
            let mut without = vec![];
            for (name, key) in candidates {
                let setting = tx.setting(&grant_setting(&name))?.unwrap_or_default();
                if setting != held(&public) && grant_callback_key(&setting) != Some(public) {
                    without.push((name, key));
                }
            }
            Ok(without)
        })
    }
}

/// Seals a grant of `secret` for each of `users` (name, personal key) who neither holds it nor has
/// a grant of it waiting; each grant is logged.
fn grant_to(tx: &dyn Tx, secret: &CallbackSecret, users: &[(String, PublicKey)], at: &str, by: &str) -> ServiceResult<()> {
    let public = secret.public_key();
    for (name, key) in users {
        let setting = tx.setting(&grant_setting(name))?.unwrap_or_default();
        if setting == held(&public) || grant_callback_key(&setting) == Some(public) {
            continue;
        }
        tx.set_setting(&grant_setting(name), &seal_grant(&mut OsRng, secret, name, key))?;
        let details = json!({ "callback_key": public.to_base64(), "to_key": key.fingerprint().to_string() });
        tx.append_event(at, by, "user.callback_key_grant", &format!("user:{name}"), &details)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::admin_workspace;
    use crate::Credentials;

    /// Reseals `name`'s keyring by hand with (or without) `callback`, as a keyring from before the
    /// callback key (or a demoted user's) would be.
    fn reseal(ws: &mut Workspace, name: &str, password: &str, callback: Option<CallbackSecret>) {
        ws.store
            .write(|tx| -> ServiceResult<()> {
                let user = tx.user_by_name(name)?.unwrap();
                let mut keys = UserKeys::open(user.keyring.as_deref().unwrap(), name, password)?;
                keys.callback = callback;
                tx.set_keyring(user.id, &keys.seal(name, password), &keys.personal.public_key().to_bytes())?;
                tx.set_setting(&grant_setting(name), "")?;
                Ok(())
            })
            .unwrap();
    }

    /// Issue 15: approvers and admins hold the callback secret, clerks never. An approver without
    /// it receives it through a grant sealed at a holder's login and opened at theirs; a clerk
    /// whose keyring holds it loses it at their next login.
    #[test]
    fn the_callback_key_reaches_approvers_through_grants_and_never_stays_with_a_clerk() {
        let (_dir, mut ws, alice) = admin_workspace();
        let ours = alice.keys().callback.as_ref().expect("made at init").public_key();
        assert_eq!(ws.callback_public_key("alice").unwrap(), Some(ours));
        ws.add_user(&alice, "anna", Role::Approver, "anna password 1").unwrap();
        ws.add_user(&alice, "clara", Role::Clerk, "clara password 1").unwrap();
        let login =
            |ws: &mut Workspace, user: &str| ws.login(&Credentials { user, password: &format!("{user} password 1"), totp: None }).unwrap();
        assert_eq!(login(&mut ws, "anna").keys().callback.as_ref().map(CallbackSecret::public_key), Some(ours), "sealed at user add");
        assert!(login(&mut ws, "clara").keys().callback.is_none());

        reseal(&mut ws, "anna", "anna password 1", None);
        assert!(login(&mut ws, "anna").keys().callback.is_none(), "no grant yet");
        login(&mut ws, "alice");
        let grant = ws.store.read(|tx| tx.setting(&grant_setting("anna"))).unwrap().unwrap();
        assert_eq!(grant_callback_key(&grant), Some(ours), "a holder's login seals a grant");
        assert_eq!(login(&mut ws, "anna").keys().callback.as_ref().map(CallbackSecret::public_key), Some(ours));
        assert_eq!(ws.store.read(|tx| tx.setting(&grant_setting("anna"))).unwrap().unwrap(), held(&ours));

        let copy = CallbackSecret::from_bytes(&alice.keys().callback.as_ref().unwrap().to_bytes());
        reseal(&mut ws, "clara", "clara password 1", Some(copy));
        assert!(login(&mut ws, "clara").keys().callback.is_none(), "taken away at login");
        let sealed = ws.store.read(|tx| tx.user_by_name("clara")).unwrap().unwrap().keyring.unwrap();
        assert!(UserKeys::open(&sealed, "clara", "clara password 1").unwrap().callback.is_none(), "and from the keyring");
    }

    #[test]
    fn seal_and_open_round_trip() {
        let audit = KeyPair::from_seed(&[3; 32]);
        let keys = UserKeys::new(Some(&audit));
        let sealed = keys.seal("alice", "a long password here");
        let opened = UserKeys::open(&sealed, "alice", "a long password here").unwrap();
        assert_eq!(opened.personal.public_key(), keys.personal.public_key());
        assert_eq!(opened.audit.unwrap().public_key(), audit.public_key());
        assert!(UserKeys::open(&sealed, "alice", "another password").is_err());
        assert!(UserKeys::open(&sealed, "bob", "a long password here").is_err(), "bound to the user name");
        assert!(!sealed.contains(&b64_encode(audit.secret_seed().as_ref())));
        let without = UserKeys::new(None);
        assert!(UserKeys::open(&without.seal("bob", "pw pw pw pw pw"), "bob", "pw pw pw pw pw").unwrap().audit.is_none());
    }
}
