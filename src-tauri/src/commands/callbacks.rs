//! The callback wizard: a fresh challenge with the script to read, then what the clerk heard.
//! The core checks the number against the numbers on file and the response against the
//! instruction; this module only carries the words across.

use countersign_service::core::cases::flow::{CallbackOutcome, CaseStatus};
use countersign_service::CallbackReport;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::cases::PhoneEntry;
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// Step one of the wizard: whom to call, on which numbers, and what to read out and hear back.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CallbackScript {
    /// The fresh challenge to read to the partner.
    pub challenge: String,
    /// The partner.
    pub partner: Option<String>,
    /// The only numbers to call.
    pub on_file_numbers: Vec<PhoneEntry>,
    /// The payee the partner must confirm.
    pub payee: Option<String>,
    /// The last four characters of the account.
    pub account_last4: Option<String>,
    /// The amount.
    pub amount: Option<String>,
}

/// What the clerk heard.
#[derive(Debug, Deserialize, TS)]
pub struct CallbackRequest {
    /// The case.
    #[ts(type = "number")]
    pub case_id: i64,
    /// The number dialled.
    pub dialed: String,
    /// Who answered.
    pub reached: String,
    /// The response the partner read back (required to confirm).
    pub response: Option<String>,
    /// `confirmed`, `denied` or `unreachable`.
    pub outcome: String,
    /// A note.
    pub note: Option<String>,
}

/// Starts a callback attempt: a fresh challenge, and the script around it.
#[tauri::command]
pub async fn start_callback(state: State<'_, AppState>, id: i64) -> CommandResult<CallbackScript> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let challenge = ws.start_callback(session, id)?;
        let d = ws.case(session, id)?;
        let c = &d.case;
        Ok(CallbackScript {
            challenge: challenge.to_string(),
            partner: c.partner_name.clone(),
            on_file_numbers: d.on_file_numbers.iter().map(PhoneEntry::of).collect(),
            payee: c.beneficiary_name.clone(),
            account_last4: c.account_key.as_deref().map(|k| k.chars().skip(k.chars().count().saturating_sub(4)).collect()),
            amount: c.amount().map(|m| m.to_string()),
        })
    })
}

/// Records the call; returns the case's status afterwards. A wrong response is refused
/// (`check_failed`) and counted by the core.
#[tauri::command]
pub async fn record_callback(state: State<'_, AppState>, request: CallbackRequest) -> CommandResult<CaseStatus> {
    blocking(|| {
        let outcome = CallbackOutcome::parse(&request.outcome).ok_or_else(|| {
            CommandError::detailed("invalid_input", "outcome_unknown", "The outcome must be confirmed, denied or unreachable.", &[])
        })?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let report = CallbackReport {
            dialed: &request.dialed,
            reached: &request.reached,
            response: request.response.as_deref().map(str::trim).filter(|r| !r.is_empty()),
            outcome,
            note: request.note.as_deref().map(str::trim).filter(|n| !n.is_empty()),
        };
        Ok(ws.record_callback(session, request.case_id, &report)?)
    })
}
