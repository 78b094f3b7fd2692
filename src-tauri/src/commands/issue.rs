//! Outgoing instructions: our own bank details, signed with the organisation key for one
//! partner, saved to a file the user chose, with the confirmation code both sides read on the
//! phone. The organisation passphrase arrives in the call, goes to the core and is dropped: it
//! is never stored, logged or returned.

use std::path::{Path, PathBuf};

use countersign::files::{write_atomic, Sensitivity};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use super::cases::QrView;
use super::partners::qr_matrix;
use crate::dialog;
use crate::state::AppState;
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

/// `bank-details-for-partner-ID.json` in `dir`, or `…-2.json` and so on: never an existing file.
fn free_name(dir: &Path, partner_id: i64) -> CommandResult<PathBuf> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CommandError::new("export_failed", format!("The folder {} cannot be made: {e}", dir.display())))?;
    (1..1000)
        .map(|n| {
            dir.join(if n == 1 {
                format!("bank-details-for-partner-{partner_id}.json")
            } else {
                format!("bank-details-for-partner-{partner_id}-{n}.json")
            })
        })
        .find(|p| !p.exists())
        .ok_or_else(|| CommandError::new("export_failed", format!("No free file name in {}", dir.display())))
}

/// Where the file goes, asked before anything is signed (so cancelling issues nothing): with
/// `COUNTERSIGN_EXPORT_DIR` set (unattended runs, the e2e tests), a new file there; otherwise the
/// save dialog; where there is no dialog, the downloads folder or `exports/` in the workspace.
/// The flag says whether the user confirmed overwriting.
async fn target<R: Runtime>(window: &WebviewWindow<R>, state: &State<'_, AppState>, partner_id: i64) -> CommandResult<(PathBuf, bool)> {
    if let Some(dir) = std::env::var_os("COUNTERSIGN_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return Ok((free_name(&PathBuf::from(dir), partner_id)?, false));
    }
    let ask = dialog::Ask::SaveFile { title: "Save the signed instruction", name: format!("bank-details-for-partner-{partner_id}.json") };
    match dialog::ask(window, ask).await {
        Ok(chosen) => chosen
            .into_iter()
            .next()
            .map(|p| (p, true))
            .ok_or_else(|| CommandError::new("cancelled", "No file was chosen, so nothing was signed.")),
        Err(e) if e.code() == "unsupported" => {
            let dir = std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join("Downloads"))
                .filter(|d| d.is_dir())
                .unwrap_or_else(|| state.lock().dir.join("exports"));
            Ok((free_name(&dir, partner_id)?, false))
        }
        Err(e) => Err(e),
    }
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
    {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        ws.check_issue(session, request.partner_id)?;
    }
    let (path, overwrite) = target(&window, &state, request.partner_id).await?;
    let issued = {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        ws.issue(session, request.partner_id, &request.passphrase)?
    };
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
