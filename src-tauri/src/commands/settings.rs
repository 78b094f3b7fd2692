//! The admin's settings: users and roles (add, disable, enable, reset a password), the policy,
//! our organisation's bank account, and the organisation key (backup, rotation). Every rule (who
//! may, what is valid) is the core's; these commands convert. Passwords and passphrases arrive in
//! the call, go to the core and are dropped: never stored, logged or returned, and the request
//! types print without them.

use countersign_service::{OrgKeyRotationRequest, Permission, Role, ServiceError, WorkspacePolicy};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use super::changes::Outcome;
use super::save::{check_allowed, save_target};
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// A user as the settings list shows them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UserEntry {
    /// Login name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// Disabled users can do nothing until enabled again.
    pub disabled: bool,
}

/// A new user.
#[derive(Deserialize, TS)]
pub struct NewUserRequest {
    /// Login name.
    pub name: String,
    /// `clerk`, `approver`, `admin` or `auditor`.
    pub role: String,
    /// Their first password, as typed.
    pub password: String,
}

impl std::fmt::Debug for NewUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserRequest").field("name", &self.name).field("role", &self.role).finish_non_exhaustive()
    }
}

/// A new first password for another user.
#[derive(Deserialize, TS)]
pub struct ResetPasswordRequest {
    /// Login name.
    pub name: String,
    /// The new first password, as typed.
    pub password: String,
}

impl std::fmt::Debug for ResetPasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetPasswordRequest").field("name", &self.name).finish_non_exhaustive()
    }
}

/// The workspace's policy, field by field (see the core's `Policy` for each one's meaning).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PolicyView {
    /// `frequent_changes`: more than one account change within this many days.
    pub change_window_days: u32,
    /// `recent_key_rotation`: raised for this many days after a key rotation.
    pub rotation_window_days: u32,
    /// `amount_unusual`: above this multiple of the largest earlier amount.
    pub amount_unusual_factor: u32,
    /// `amount_unusual` needs at least this many earlier amounts.
    pub amount_history_min: u32,
    /// A first instruction from a partner with no known account needs a callback.
    pub first_instruction_needs_callback: bool,
    /// An account shared with another partner needs a callback.
    pub shared_account_needs_callback: bool,
    /// A close (not exact) beneficiary-name match needs a callback.
    pub close_name_match_needs_callback: bool,
    /// Approvers and admins must use a second factor.
    pub require_totp_for_approvers: bool,
    /// Accepted cases above this amount (minor units) need approval too.
    pub approval_threshold_minor: u64,
    /// How long after a partner's account changed its first payments wait (`account_cooling_off`
    /// in the payment-file screening); 0: no wait.
    pub cooling_off_hours: u32,
}

impl From<WorkspacePolicy> for PolicyView {
    fn from(p: WorkspacePolicy) -> Self {
        PolicyView {
            change_window_days: p.change_window_days,
            rotation_window_days: p.rotation_window_days,
            amount_unusual_factor: p.amount_unusual_factor,
            amount_history_min: p.amount_history_min,
            first_instruction_needs_callback: p.first_instruction_needs_callback,
            shared_account_needs_callback: p.shared_account_needs_callback,
            close_name_match_needs_callback: p.close_name_match_needs_callback,
            require_totp_for_approvers: p.require_totp_for_approvers,
            approval_threshold_minor: p.approval_threshold_minor,
            cooling_off_hours: p.cooling_off_hours,
        }
    }
}

impl From<PolicyView> for WorkspacePolicy {
    fn from(p: PolicyView) -> Self {
        WorkspacePolicy {
            change_window_days: p.change_window_days,
            rotation_window_days: p.rotation_window_days,
            amount_unusual_factor: p.amount_unusual_factor,
            amount_history_min: p.amount_history_min,
            first_instruction_needs_callback: p.first_instruction_needs_callback,
            shared_account_needs_callback: p.shared_account_needs_callback,
            close_name_match_needs_callback: p.close_name_match_needs_callback,
            require_totp_for_approvers: p.require_totp_for_approvers,
            approval_threshold_minor: p.approval_threshold_minor,
            cooling_off_hours: p.cooling_off_hours,
        }
    }
}

/// Our organisation's bank account (the debtor in pain.001, the details we issue).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OrgAccountView {
    /// The account holder (empty when setting: the organisation's name).
    pub name: String,
    /// IBAN.
    pub iban: String,
    /// BIC.
    pub bic: String,
    /// ISO 4217 currency.
    pub currency: String,
}

/// A key a rotation retired.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RetiredKeyView {
    /// Its fingerprint.
    pub fingerprint: String,
    /// When it was retired (UTC).
    pub retired_at: String,
}

/// The organisation key: the fingerprint partners pin, and the keys it replaced.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OrgKeyView {
    /// The active key's fingerprint.
    pub fingerprint: String,
    /// Keys retired by rotation, oldest first.
    pub retired: Vec<RetiredKeyView>,
}

/// The organisation passphrase, for a backup.
#[derive(Deserialize, TS)]
pub struct KeyBackupRequest {
    /// The current passphrase, as typed.
    pub passphrase: String,
}

impl std::fmt::Debug for KeyBackupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyBackupRequest").finish_non_exhaustive()
    }
}

/// A saved backup.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KeyBackupView {
    /// The key backed up.
    pub fingerprint: String,
    /// Where the file is.
    pub saved_to: String,
}

/// The passphrases for a rotation.
#[derive(Deserialize, TS)]
pub struct KeyRotationRequest {
    /// The current passphrase, as typed.
    pub passphrase: String,
    /// The new key's passphrase (may be the current one).
    pub new_passphrase: String,
}

impl std::fmt::Debug for KeyRotationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRotationRequest").finish_non_exhaustive()
    }
}

/// A rotation done.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KeyRotationView {
    /// The retired key.
    pub old_fingerprint: String,
    /// The key now active.
    pub new_fingerprint: String,
    /// Where the rotation statement for partners is.
    pub saved_to: String,
}

/// Users and their roles (admins and auditors).
#[tauri::command]
pub async fn list_users(state: State<'_, AppState>) -> CommandResult<Vec<UserEntry>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.users(session)?.into_iter().map(|(name, role, disabled)| UserEntry { name, role, disabled }).collect())
    })
}

/// Adds a user (admins). An approver or admin is a pending change once the workspace has two
/// people who can check.
#[tauri::command]
pub async fn add_user(state: State<'_, AppState>, request: NewUserRequest) -> CommandResult<Outcome<UserEntry>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let role = Role::parse(&request.role).map_err(ServiceError::from)?;
        let name = request.name.trim();
        let outcome = ws.add_user(session, name, role, &request.password)?;
        Outcome::from_service(outcome, |_| Ok(UserEntry { name: name.into(), role, disabled: false }))
    })
}

/// Disables or enables a user (admins; never oneself, and never the last but one who can check).
/// Enabling an approver or admin again is a pending change once the workspace has two who can.
#[tauri::command]
pub async fn set_user_disabled(state: State<'_, AppState>, name: String, disabled: bool) -> CommandResult<Outcome<()>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Outcome::from_service(ws.set_user_disabled(session, &name, disabled)?, |_| Ok(()))
    })
}

/// Sets a new first password for another user (admins): a pending change once the workspace has
/// two people who can check.
#[tauri::command]
pub async fn reset_user_password(state: State<'_, AppState>, request: ResetPasswordRequest) -> CommandResult<Outcome<()>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Outcome::from_service(ws.reset_password(session, &request.name, &request.password)?, |_| Ok(()))
    })
}

/// The workspace's policy.
#[tauri::command]
pub async fn get_policy(state: State<'_, AppState>) -> CommandResult<PolicyView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, _) = inner.signed_in()?;
        Ok(ws.policy()?.into())
    })
}

/// Changes the policy (admins; the core validates it). Tightening applies at once (the policy as
/// stored); loosening is a pending change once the workspace has two people who can check.
#[tauri::command]
pub async fn set_policy(state: State<'_, AppState>, policy: PolicyView) -> CommandResult<Outcome<PolicyView>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let outcome = ws.set_policy(session, &policy.into())?;
        Outcome::from_service(outcome, |_| Ok(ws.policy()?.into()))
    })
}

/// Our organisation's account, if set.
#[tauri::command]
pub async fn get_org_account(state: State<'_, AppState>) -> CommandResult<Option<OrgAccountView>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, _) = inner.signed_in()?;
        Ok(ws.org_account()?.map(|a| OrgAccountView { name: a.name, iban: a.iban, bic: a.bic, currency: a.currency }))
    })
}

/// Sets our organisation's account (admins). An empty name means the organisation's name. A
/// pending change once the workspace has two people who can check.
#[tauri::command]
pub async fn set_org_account(state: State<'_, AppState>, account: OrgAccountView) -> CommandResult<Outcome<OrgAccountView>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let name = Some(account.name.trim()).filter(|n| !n.is_empty());
        let outcome = ws.set_org_account(session, name, &account.iban, &account.bic, &account.currency)?;
        Outcome::from_service(outcome, |made| {
            serde_json::from_value(made).map_err(|e| CommandError::new("unexpected", format!("the account made: {e}")))
        })
    })
}

/// The organisation key's fingerprint and the keys it replaced.
#[tauri::command]
pub async fn org_key_info(state: State<'_, AppState>) -> CommandResult<OrgKeyView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        ws.org_card(session)?;
        let retired =
            ws.retired_org_keys()?.into_iter().map(|k| RetiredKeyView { fingerprint: k.fingerprint, retired_at: k.retired_at }).collect();
        Ok(OrgKeyView { fingerprint: ws.org_fingerprint()?.to_string(), retired })
    })
}

/// Writes a backup of the organisation key (admins; the passphrase must open it) to a file the
/// admin chooses: the sealed key file, still encrypted under the passphrase.
#[tauri::command]
pub async fn backup_org_key<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    request: KeyBackupRequest,
) -> CommandResult<KeyBackupView> {
    check_allowed(&state, Permission::BackUpOrgKey)?;
    let path = save_target(
        &window,
        &state,
        "Save the organisation key backup",
        "organisation-key-backup",
        "key",
        "No file was chosen, so nothing was done.",
    )
    .await?
    .path;
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let fingerprint = ws.backup_org_key(session, &request.passphrase, &path)?;
        Ok(KeyBackupView { fingerprint: fingerprint.to_string(), saved_to: path.display().to_string() })
    })
}

/// Rotates the organisation key (admins) and saves the rotation statement, signed by the old
/// key, for every partner.
#[tauri::command]
pub async fn rotate_org_key<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    request: KeyRotationRequest,
) -> CommandResult<KeyRotationView> {
    check_allowed(&state, Permission::RotateOrgKey)?;
    let path = save_target(
        &window,
        &state,
        "Save the key-rotation statement",
        "organisation-key-rotation",
        "json",
        "No file was chosen, so nothing was done.",
    )
    .await?
    .path;
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let rotation = ws.rotate_org_key(
            session,
            &OrgKeyRotationRequest {
                passphrase: &request.passphrase,
                new_passphrase: &request.new_passphrase,
                statement_out: &path,
                card_out: None,
            },
        )?;
        Ok(KeyRotationView {
            old_fingerprint: rotation.old_fingerprint.to_string(),
            new_fingerprint: rotation.new_fingerprint.to_string(),
            saved_to: path.display().to_string(),
        })
    })
}
