//! My account: the signed-in user changes their own password and enrols a second factor (TOTP).
//! The core checks the current password and seals the secret; these commands convert. Passwords
//! arrive in the call, go to the core and are dropped; the TOTP secret is returned once for the
//! user to scan or type, and is never stored, logged or printed by the shell (the request and
//! result types print without them).

use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::cases::QrView;
use super::partners::qr_matrix;
use crate::state::{blocking, AppState};
use crate::CommandResult;

/// A change of one's own password.
#[derive(Deserialize, TS)]
pub struct PasswordChangeRequest {
    /// The current password, as typed.
    pub current: String,
    /// The new password, as typed.
    pub new: String,
}

impl std::fmt::Debug for PasswordChangeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChangeRequest").finish_non_exhaustive()
    }
}

/// Enrolling a second factor: the password seals its secret.
#[derive(Deserialize, TS)]
pub struct TotpEnrolRequest {
    /// The user's password, as typed.
    pub password: String,
}

impl std::fmt::Debug for TotpEnrolRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolRequest").finish_non_exhaustive()
    }
}

/// A newly enrolled second factor, shown once for the user's authenticator app.
#[derive(Serialize, TS)]
pub struct TotpEnrolment {
    /// The secret in base32, to type into the app.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub otpauth_uri: String,
    /// The URI as a QR code.
    pub qr: QrView,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment").finish_non_exhaustive()
    }
}

/// Changes the signed-in user's own password (the current one is checked by the core).
#[tauri::command]
pub async fn change_password(state: State<'_, AppState>, request: PasswordChangeRequest) -> CommandResult<()> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.change_password(session, &request.current, &request.new)?)
    })
}

/// Enrols a second factor for the signed-in user; from then on signing in needs its code.
#[tauri::command]
pub async fn enrol_totp(state: State<'_, AppState>, request: TotpEnrolRequest) -> CommandResult<TotpEnrolment> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let secret = ws.enrol_totp(session, &request.password)?;
        let uri = secret.otpauth_uri(session.user());
        Ok(TotpEnrolment { secret: secret.to_base32().to_string(), otpauth_uri: uri.to_string(), qr: qr_matrix(uri.to_string())? })
    })
}
