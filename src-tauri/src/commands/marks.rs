//! Marked accounts (issue 15): a denied callback marks an account *suspected* at once; a second
//! approver or admin (not the one who recorded the callback) confirms it as fraudulent, or
//! clearing the mark is proposed as a change another person approves. The core decides who may;
//! this module converts.

use countersign_service::core::bank::Iban;
use countersign_service::core::paging::Page;
use countersign_service::FraudMarkView;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::changes::Outcome;
use crate::error::page_error;
use crate::state::{blocking, AppState};
use crate::CommandResult;

/// A marked account.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FraudMarkEntry {
    /// The mark's id: marks are numbered as they are made (the cursor of a page of them).
    #[ts(type = "number")]
    pub id: i64,
    /// The account's stable key (`iban:DE89…`, `local:US:…`), what the commands take.
    pub account_key: String,
    /// The account as people read it (an IBAN in groups of four).
    pub display: String,
    /// `suspected` (a denied callback) or `fraudulent` (confirmed by a second person).
    #[ts(type = "\"suspected\" | \"fraudulent\"")]
    pub status: String,
    /// When it was marked (UTC).
    pub marked_at: String,
    /// Who recorded the denied callback.
    pub marked_by: String,
    /// The case of that callback.
    #[ts(type = "number | null")]
    pub case_id: Option<i64>,
    /// Why.
    pub reason: String,
    /// Who confirmed it as fraudulent.
    pub confirmed_by: Option<String>,
}

/// An account key as people read it: an IBAN in groups, anything else as it is.
fn display(key: &str) -> String {
    key.strip_prefix("iban:")
        .and_then(|iban| Iban::parse_electronic(iban).ok())
        .map(|iban| iban.grouped())
        .unwrap_or_else(|| key.to_string())
}

impl From<FraudMarkView> for FraudMarkEntry {
    fn from(m: FraudMarkView) -> Self {
        FraudMarkEntry {
            id: m.id,
            display: display(&m.account_key),
            account_key: m.account_key,
            status: m.status.to_string(),
            marked_at: m.marked_at,
            marked_by: m.marked_by,
            case_id: m.case_id,
            reason: m.reason,
            confirmed_by: m.confirmed_by,
        }
    }
}

/// The marked accounts, newest first: all of them, or a page of `limit` after mark `after`.
#[tauri::command]
pub async fn list_fraud_marks(state: State<'_, AppState>, limit: Option<u32>, after: Option<i64>) -> CommandResult<Vec<FraudMarkEntry>> {
    blocking(|| {
        let page = Page::new(limit, after).map_err(page_error)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.fraud_marks_page(session, &page)?.items.into_iter().map(FraudMarkEntry::from).collect())
    })
}

/// Confirms a suspected account as fraudulent (an approver or admin who did not record the
/// denied callback).
#[tauri::command]
pub async fn confirm_fraud(state: State<'_, AppState>, account_key: String, reason: String) -> CommandResult<FraudMarkEntry> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.confirm_fraud(session, &account_key, &reason)?.into())
    })
}

/// Clears an account's mark: a change another approver or admin approves (at once in setup
/// mode); applied, it gives the account's key.
#[tauri::command]
pub async fn clear_fraud_mark(state: State<'_, AppState>, account_key: String, reason: String) -> CommandResult<Outcome<String>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let outcome = ws.clear_fraud_mark(session, &account_key, &reason)?;
        Outcome::from_service(outcome, |_| Ok(account_key))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_key_reads_in_groups_and_other_keys_as_they_are() {
        assert_eq!(display("iban:DE89370400440532013000"), "DE89 3704 0044 0532 0130 00");
        assert_eq!(display("local:US:021000021:123456789"), "local:US:021000021:123456789");
    }
}
