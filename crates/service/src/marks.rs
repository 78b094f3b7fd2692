//! Marks on accounts after a denied callback (issue 15). A denied callback marks the account
//! *suspected* at once, for every partner (`cases.rs`): payments to it are blocked. A second
//! person (an approver or admin who did not record the callback) confirms it as fraudulent, or
//! clearing it is proposed as a change that another person approves: one clerk cannot cut a
//! partner off for good, and one admin cannot reopen an account to fraud.

use crate::ErrorText;
use serde::Serialize;
use serde_json::{json, Value};

use super::changes::{text_field, Applier, ChangeRequest, Outcome};
use super::statements::{append_statement, differs, refresh, Difference};
use super::{now, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::audit::state::ImpliedState;
use countersign_core::auth::Permission;
use countersign_core::changes::{ChangeKind, ProposedEffect};
use countersign_core::encoding::format_utc;
use countersign_core::paging::{Page, Paged};
use countersign_store::prelude::*;
use countersign_store::{FraudMark, Tx};

/// A marked account as `account list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FraudMarkView {
    /// The mark's id: marks are numbered as they are made (the cursor of `account list`).
    pub id: i64,
    /// The account (`BankAccount::key`).
    pub account_key: String,
    /// `suspected` or `fraudulent`.
    pub status: &'static str,
    /// When it was marked (UTC).
    pub marked_at: String,
    /// Who recorded the denied callback.
    pub marked_by: String,
    /// The case of that callback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<i64>,
    /// Why.
    pub reason: String,
    /// Who confirmed it as fraudulent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
}

impl From<FraudMark> for FraudMarkView {
    fn from(m: FraudMark) -> Self {
        FraudMarkView {
            id: m.id,
            status: if m.confirmed.is_some() { "fraudulent" } else { "suspected" },
            confirmed_by: m.confirmed.map(|(by, _)| by),
            account_key: m.account_key,
            marked_at: m.marked_at,
            marked_by: m.marked_by,
            case_id: m.case_id,
            reason: m.reason,
        }
    }
}

/// A mark row against the statements: marked by the same person, confirmed or not as they say.
pub(super) fn check_mark(state: &ImpliedState, key: &str, row: Option<&FraudMark>) -> Result<(), Difference> {
    match (row, state.marks.get(key)) {
        (None, None) => Ok(()),
        (Some(_), None) => differs("fraudulent_accounts", key, "no signed statement marked this account"),
        (None, Some(_)) => differs("fraudulent_accounts", key, "the statements mark this account, the table does not"),
        (Some(row), Some(mark)) if row.marked_by != mark.marked_by || row.confirmed.is_some() != mark.confirmed => {
            differs("fraudulent_accounts", key, format!("the statements say {} by {}", mark_status(mark.confirmed), mark.marked_by))
        }
        _ => Ok(()),
    }
}

fn mark_status(confirmed: bool) -> &'static str {
    if confirmed {
        "fraudulent"
    } else {
        "suspected"
    }
}

/// Applies the clearing of a mark (an `account_clear` change): the mark goes, and the account is
/// only pending in every history, so the next payment to it needs a callback again.
pub(super) fn apply_clear(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let key = text_field(request, "account_key")?;
    if tx.fraud_mark(key)?.is_none() {
        return Err(ServiceError::CheckFailed(
            ErrorText::detailed("not_marked", format!("{key} is not marked (any more)")).with("account", key),
        ));
    }
    tx.clear_fraud_mark(key)?;
    applier.write(tx, 0, &format!("account:{key}"))?;
    Ok(json!({ "account_key": key, "cleared": true }))
}

impl Workspace {
    /// The marked accounts, the latest marked first, each checked against the statements.
    pub fn fraud_marks(&mut self, session: &Session) -> ServiceResult<Vec<FraudMarkView>> {
        Ok(self.fraud_marks_page(session, &Page::default())?.items)
    }

    /// One page of the marked accounts, the latest marked first (`account list --limit
    /// --after`), each checked against the statements.
    pub fn fraud_marks_page(&mut self, session: &Session, page: &Page) -> ServiceResult<Paged<FraudMarkView>> {
        self.require_signed_in(session)?;
        let rows = self.verified(session.user(), "fraudulent_accounts", |tx, state| {
            let rows = tx.fraud_marks(page)?;
            for row in &rows {
                check_mark(state, &row.account_key, Some(row))?;
            }
            Ok(rows.into_iter().map(FraudMarkView::from).collect::<Vec<_>>())
        })?;
        Ok(Paged::of(rows, page, |m| m.id))
    }

    fn checked_mark(&mut self, session: &Session, key: &str) -> ServiceResult<FraudMark> {
        self.verified(session.user(), &format!("account:{key}"), |tx, state| {
            let row = tx.fraud_mark(key)?;
            check_mark(state, key, row.as_ref())?;
            row.ok_or_else(|| {
                ServiceError::NotFound(ErrorText::detailed("mark", format!("the account {key} is not marked")).with("account", key))
            })
        })
    }

    /// Confirms a suspected account as fraudulent: an approver or admin who did not record the
    /// denied callback (refused as `not_permitted` and logged otherwise).
    pub fn confirm_fraud(&mut self, session: &Session, account_key: &str, reason: &str) -> ServiceResult<FraudMarkView> {
        let subject = format!("account:{account_key}");
        self.authorize(session, Permission::ConfirmFraudMarks, &subject)?;
        let reason = checked_reason(reason)?;
        let mark = self.checked_mark(session, account_key)?;
        if mark.confirmed.is_some() {
            return Err(ServiceError::CheckFailed(
                ErrorText::detailed("confirmed_already", format!("{account_key} is confirmed fraudulent already"))
                    .with("account", account_key),
            ));
        }
        if mark.marked_by == session.user() {
            let message = format!("you recorded the denied callback that marked {account_key}: a second person confirms it");
            let text = ErrorText::detailed("own_mark", message).with("account", account_key);
            return self.deny(session, "account.confirm_fraud", &subject, ServiceError::NotPermitted(text));
        }
        let at = format_utc(now());
        let state = &mut self.implied;
        self.store.write(|tx| -> ServiceResult<()> {
            refresh(tx, state)?;
            check_mark(state, account_key, tx.fraud_mark(account_key)?.as_ref())?;
            tx.confirm_fraud(account_key, &at, session.user())?;
            append_statement(tx, session, &at, "account.confirm_fraud", &subject, json!({ "reason": reason }))?;
            Ok(())
        })?;
        Ok(self.checked_mark(session, account_key)?.into())
    }

    /// Clears an account's mark: a change another approver or admin approves (at once in setup
    /// mode). The reason is signed with it.
    pub fn clear_fraud_mark(&mut self, session: &Session, account_key: &str, reason: &str) -> ServiceResult<Outcome> {
        let subject = format!("account:{account_key}");
        self.authorize(session, Permission::ClearFraudMarks, &subject)?;
        let reason = checked_reason(reason)?;
        let mark = FraudMarkView::from(self.checked_mark(session, account_key)?);
        self.submit(
            session,
            ChangeRequest {
                kind: ChangeKind::AccountClear,
                summary: format!("Clear the mark on {account_key} ({}): {reason}", mark.status),
                request: json!({ "account_key": account_key, "reason": reason }),
                effects: vec![ProposedEffect { action: "account.clear".into(), subject, details: json!({ "reason": reason }) }],
                flags: vec![],
                before: serde_json::to_value(&mark).expect("serialises"),
                after: Value::Null,
            },
        )
    }
}

fn checked_reason(reason: &str) -> ServiceResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::InvalidInput(ErrorText::detailed("reason_needed", "give a reason (--reason)")));
    }
    super::check_free_text(("reason", "the reason"), reason, super::MAX_NOTE_CHARS)?;
    Ok(reason.to_string())
}
