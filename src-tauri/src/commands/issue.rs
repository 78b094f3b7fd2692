//! Outgoing instructions: our own bank details, signed with the organisation key for one
//! partner, saved to a file the user chose, with the confirmation code both sides read on the
//! phone. The organisation passphrase arrives in the call, goes to the core and is dropped: it
//! is never stored, logged or returned.

use countersign_service::files::{write_atomic, Sensitivity};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use super::cases::QrView;
use super::partners::qr_matrix;
use super::save::save_target;
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// What the admin asks for.
#[derive(Deserialize, TS)]
pub struct IssueRequest {
    /// The partner the instruction is for.
    #[ts(type = "number")]
    pub partner_id: i64,
    /// The organisation key's passphrase, as typed.
    pub passphrase: String,
}

impl std::fmt::Debug for IssueRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssueRequest").field("partner_id", &self.partner_id).finish_non_exhaustive()
    }
}

/// A signed outgoing instruction.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IssuedView {
    /// The instruction's id.
    pub id: String,
    /// The partner it is for.
    pub partner_name: String,
    /// The code both sides read on the phone.
    pub confirmation_code: String,
    /// The confirmation code as a QR code.
    pub qr: QrView,
    /// Where the file was saved.
    pub saved_to: String,
}

/// Signs our bank details for a partner (admins; the core checks the role, our account, the
/// partner's one active key and the passphrase) and saves the file.
#[tauri::command]
pub async fn issue_instruction<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    request: IssueRequest,
) -> CommandResult<IssuedView> {
    // Everything the core would refuse short of the passphrase (role, our account, the
    // partner's one active key) is refused before a dialog opens.
    blocking(|| -> CommandResult<()> {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.check_issue(session, request.partner_id)?)
    })?;
    let target = save_target(
        &window,
        &state,
        "Save the signed instruction",
        &format!("bank-details-for-partner-{}", request.partner_id),
        "json",
        "No file was chosen, so nothing was signed.",
    )
    .await?;
    let (path, overwrite) = (target.path, target.chosen);
    let issued = blocking(|| -> CommandResult<_> {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.issue(session, request.partner_id, &request.passphrase)?)
    })?;
    write_atomic(&path, &issued.bytes, Sensitivity::Public, overwrite).map_err(|e| {
        CommandError::new(
            "export_failed",
            format!("The instruction {} was signed, but it could not be saved: {e}. Issue it again.", issued.id),
        )
    })?;
    Ok(IssuedView {
        qr: qr_matrix(issued.confirmation_code.clone())?,
        id: issued.id,
        partner_name: issued.partner_name,
        confirmation_code: issued.confirmation_code,
        saved_to: path.display().to_string(),
    })
}
