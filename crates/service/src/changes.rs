//! Four eyes (issue 15; the rules in `countersign_core::changes`): the commands that could send
//! money somewhere new or weaken a control build a [`ChangeRequest`] and [`Workspace::submit`] it.
//! In setup mode it applies at once; otherwise it becomes a pending change, proposed in a signed
//! statement, that another approver or admin approves ([`Workspace::approve_change`]: the approval
//! and the change's effects, signed by the checker, commit together) or rejects. The maker can
//! never approve their own change, whatever their role; the refusal is logged.
//!
//! Each kind's effects are computed when it is proposed and written as proposed when it is
//! applied: the functions that apply a kind (`apply_*` beside the command they belong to) write
//! the rows from the kept request and each statement through an [`Applier`].

use crate::ErrorText;
use serde::Serialize;
use serde_json::{json, Value};

use super::statements::{append_statement, differs, refresh, Difference};
use super::{now, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::audit::state::ImpliedState;
use countersign_core::auth::Permission;
use countersign_core::changes::{ChangeFlag, ChangeKind, ChangeStatus, Proposal, ProposedEffect, CHANGE_MEMBER};
use countersign_core::encoding::format_utc;
use countersign_core::encoding::sha256_hex;
use countersign_core::paging::{Page, Paged};
use countersign_store::prelude::*;
use countersign_store::{ChangeRow, StoreError, Tx};

/// A change a command asks for, checked and ready to propose or apply.
pub(super) struct ChangeRequest {
    /// What it does.
    pub kind: ChangeKind,
    /// One line for people.
    pub summary: String,
    /// What applying it needs (kept with the change; its SHA-256 is signed in the proposal).
    pub request: Value,
    /// The statements applying it writes.
    pub effects: Vec<ProposedEffect>,
    /// What the checker should look at twice.
    pub flags: Vec<ChangeFlag>,
    /// What it changes from, for the checker.
    pub before: Value,
    /// What it changes to.
    pub after: Value,
}

/// What a command that needs four eyes did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Applied at once (the workspace is in setup mode): what the command made.
    Applied(Value),
    /// Waiting for a second person.
    Pending(PendingChange),
}

impl Outcome {
    /// What was made, if the change was applied at once.
    pub fn applied(&self) -> Option<&Value> {
        match self {
            Outcome::Applied(value) => Some(value),
            Outcome::Pending(_) => None,
        }
    }

    /// The change, if it waits for a second person.
    pub fn pending(&self) -> Option<&PendingChange> {
        match self {
            Outcome::Pending(change) => Some(change),
            Outcome::Applied(_) => None,
        }
    }
}

/// A change waiting for a second person, as the command that proposed it reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingChange {
    /// Its id: `change approve ID`.
    pub id: i64,
    /// What it does.
    pub kind: ChangeKind,
    /// One line for people.
    pub summary: String,
    /// What the checker will be asked to look at twice.
    pub flags: Vec<ChangeFlag>,
}

/// A change as `change list` and `change show` print it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeView {
    /// Its id.
    pub id: i64,
    /// What it does.
    pub kind: ChangeKind,
    /// Where it stands.
    pub status: ChangeStatus,
    /// One line for people.
    pub summary: String,
    /// The maker.
    pub proposed_by: String,
    /// When (UTC).
    pub proposed_at: String,
    /// Who approved or rejected it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What to look at twice.
    pub flags: Vec<ChangeFlag>,
    /// Before.
    pub before: Value,
    /// After.
    pub after: Value,
    /// The statements it writes when applied.
    pub effects: Vec<ProposedEffect>,
}

/// Whether the workspace checks changes with four eyes yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkspaceMode {
    /// Still in setup mode: fewer than two people could ever check, so changes apply at once.
    pub setup: bool,
    /// The people who can check changes now.
    pub checkers: Vec<String>,
}

impl WorkspaceMode {
    /// The mode the statements imply.
    pub(super) fn of(state: &ImpliedState) -> Self {
        WorkspaceMode { setup: state.in_setup_mode(), checkers: state.checkers().into_iter().map(str::to_string).collect() }
    }
}

/// Writes the statements of a change being applied: each effect as it was proposed, signed by the
/// applying session, with `change` when a checker applies a pending change.
pub(super) struct Applier<'a> {
    session: &'a Session,
    at: &'a str,
    change: Option<i64>,
    effects: &'a [ProposedEffect],
}

impl<'a> Applier<'a> {
    /// Applies a change that needs no second person, or in setup mode, as `session`.
    pub(super) fn at_once(session: &'a Session, at: &'a str, effects: &'a [ProposedEffect]) -> Self {
        Applier { session, at, change: None, effects }
    }

    /// Appends effect `index` with `subject` (the proposal's, or the row made for `…:new`).
    pub(super) fn write(&self, tx: &dyn Tx, index: usize, subject: &str) -> ServiceResult<u64> {
        let effect = self.effects.get(index).ok_or_else(|| StoreError::Corrupt(format!("the change has no effect {index}")))?;
        let mut details = effect.details.clone();
        if let Some(id) = self.change {
            details[CHANGE_MEMBER] = json!(id);
        }
        append_statement(tx, self.session, self.at, &effect.action, subject, details)
    }

    /// The time of the application (UTC text).
    pub(super) fn at(&self) -> &str {
        self.at
    }

    /// Who applies it (the checker, or in setup mode the maker).
    pub(super) fn by(&self) -> &str {
        self.session.user()
    }
}

/// Applies a change of `kind` from its request; `state` is the statements' as the transaction
/// reads them (refreshed).
fn apply(tx: &dyn Tx, state: &ImpliedState, kind: ChangeKind, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    match kind {
        ChangeKind::PartnerAdd => super::partners::apply_partner_add(tx, request, applier),
        ChangeKind::PartnerRotateKey => super::partners::apply_rotation(tx, request, applier),
        ChangeKind::PartnerAddPhone => super::partners::apply_partner_add_phone(tx, request, applier),
        ChangeKind::UserAdd => super::access::apply_user_add(tx, request, applier),
        ChangeKind::UserResetPassword => super::access::apply_password_reset(tx, request, applier),
        ChangeKind::UserEnable => super::access::apply_user_enable(tx, request, applier),
        ChangeKind::PolicySet => super::apply_policy(tx, request, applier),
        ChangeKind::OrgAccount => super::organisation::apply_org_account(tx, request, applier),
        ChangeKind::AccountClear => super::marks::apply_clear(tx, request, applier),
        ChangeKind::PartnerUnfreeze => super::freezes::apply_partner_unfreeze(tx, state, request, applier),
    }
}

/// A request field that applying needs.
pub(super) fn field<'v>(request: &'v Value, name: &str) -> ServiceResult<&'v Value> {
    request.get(name).filter(|v| !v.is_null()).ok_or_else(|| StoreError::Corrupt(format!("the change's request has no {name}")).into())
}

/// A text field of a request.
pub(super) fn text_field<'v>(request: &'v Value, name: &str) -> ServiceResult<&'v str> {
    field(request, name)?.as_str().ok_or_else(|| StoreError::Corrupt(format!("the change's request: {name} is not text")).into())
}

/// The row of a change against the statements: the same maker, status and checker, the same
/// proposal, and the request whose SHA-256 the maker signed.
pub(super) fn check_change(state: &ImpliedState, row: &ChangeRow) -> Result<Proposal, Difference> {
    let id = row.id;
    let Some(known) = state.changes.get(&id) else {
        return differs("pending_changes", id, "no signed statement proposed this change");
    };
    let proposal: Option<Proposal> = serde_json::from_str(&row.proposal).ok();
    if proposal.as_ref() != Some(&known.proposal) || sha256_hex(row.request.as_bytes()) != known.proposal.request_sha256 {
        return differs("pending_changes", id, "the change differs from what its maker signed");
    }
    if (row.status, row.proposed_by.as_str(), row.decided_by.as_deref())
        != (known.status, known.proposed_by.as_str(), known.decided_by.as_deref())
    {
        return differs("pending_changes", id, format!("the statements say {} by {}", known.status.as_str(), known.proposed_by));
    }
    Ok(known.proposal.clone())
}

fn view(row: &ChangeRow, proposal: Proposal) -> ChangeView {
    ChangeView {
        id: row.id,
        kind: proposal.kind,
        status: row.status,
        summary: proposal.summary,
        proposed_by: row.proposed_by.clone(),
        proposed_at: row.proposed_at.clone(),
        decided_by: row.decided_by.clone(),
        decided_at: row.decided_at.clone(),
        reason: row.reason.clone(),
        flags: proposal.flags,
        before: proposal.before,
        after: proposal.after,
        effects: proposal.effects,
    }
}

impl Workspace {
    /// Proposes a change, or applies it at once in setup mode (decided inside the transaction,
    /// against the statements as they stand then).
    pub(super) fn submit(&mut self, session: &Session, change: ChangeRequest) -> ServiceResult<Outcome> {
        let at = format_utc(now());
        let request_text = change.request.to_string();
        let proposal = Proposal {
            kind: change.kind,
            summary: change.summary,
            effects: change.effects,
            request_sha256: sha256_hex(request_text.as_bytes()),
            flags: change.flags,
            before: change.before,
            after: change.after,
        };
        let state = &mut self.implied;
        self.store.write(|tx| -> ServiceResult<Outcome> {
            refresh(tx, state)?;
            if state.in_setup_mode() {
                let applier = Applier::at_once(session, &at, &proposal.effects);
                return apply(tx, state, proposal.kind, &change.request, &applier).map(Outcome::Applied);
            }
            let signed = serde_json::to_value(&proposal).expect("serialises");
            let id = tx.insert_change(proposal.kind, &signed.to_string(), &request_text, session.user(), &at)?;
            append_statement(tx, session, &at, "change.propose", &format!("change:{id}"), signed)?;
            Ok(Outcome::Pending(PendingChange {
                id,
                kind: proposal.kind,
                summary: proposal.summary.clone(),
                flags: proposal.flags.clone(),
            }))
        })
    }

    /// Whether the workspace is in setup mode, and who can check changes.
    pub fn workspace_mode(&mut self) -> ServiceResult<WorkspaceMode> {
        Ok(WorkspaceMode::of(self.implied_state()?))
    }

    /// Changes, newest first (optionally only those with `status`), each checked against the
    /// statements.
    pub fn changes(&mut self, session: &Session, status: Option<ChangeStatus>) -> ServiceResult<Vec<ChangeView>> {
        Ok(self.changes_page(session, status, &Page::default())?.items)
    }

    /// One page of the changes, newest first (`change list --limit --after`), each checked
    /// against the statements.
    pub fn changes_page(&mut self, session: &Session, status: Option<ChangeStatus>, page: &Page) -> ServiceResult<Paged<ChangeView>> {
        self.require_signed_in(session)?;
        let rows = self.verified(session.user(), "changes", |tx, state| {
            tx.changes(status, page)?.iter().map(|row| Ok(view(row, check_change(state, row)?))).collect::<ServiceResult<Vec<_>>>()
        })?;
        Ok(Paged::of(rows, page, |c| c.id))
    }

    /// One change, checked against the statements.
    pub fn change(&mut self, session: &Session, id: i64) -> ServiceResult<ChangeView> {
        self.require_signed_in(session)?;
        let (row, proposal) = self.checked_change(session, id)?;
        Ok(view(&row, proposal))
    }

    /// A change's row and its proposal, as the statements have it.
    fn checked_change(&mut self, session: &Session, id: i64) -> ServiceResult<(ChangeRow, Proposal)> {
        self.verified(session.user(), &format!("change:{id}"), |tx, state| {
            let row = tx.change(id)?.ok_or_else(|| {
                ServiceError::NotFound(ErrorText::detailed("change", format!("no change with id {id}")).with("change", id))
            })?;
            let proposal = check_change(state, &row)?;
            Ok((row, proposal))
        })
    }

    /// Approves another person's pending change and applies it, in one transaction: the
    /// approval, the rows and the effects (signed by the checker) commit together. The maker is
    /// refused (`not_permitted`, logged), whatever their role.
    pub fn approve_change(&mut self, session: &Session, id: i64) -> ServiceResult<Value> {
        let subject = format!("change:{id}");
        self.authorize(session, Permission::ApproveChanges, &subject)?;
        let (row, proposal) = self.checked_change(session, id)?;
        if row.proposed_by == session.user() {
            let message = format!("you proposed change {id}: another approver or admin must check it (four eyes)");
            let text = ErrorText::detailed("own_change", message).with("change", id);
            return self.deny(session, "change.approve", &subject, ServiceError::NotPermitted(text));
        }
        if proposal.is_about(session.user()) {
            let message = format!("change {id} is about you: another approver or admin must check it (four eyes)");
            let text = ErrorText::detailed("change_about_you", message).with("change", id);
            return self.deny(session, "change.approve", &subject, ServiceError::NotPermitted(text));
        }
        let at = format_utc(now());
        let state = &mut self.implied;
        let result = self.store.write(|tx| -> ServiceResult<Value> {
            refresh(tx, state)?;
            let row = tx.change(id)?.ok_or_else(|| {
                ServiceError::NotFound(ErrorText::detailed("change", format!("no change with id {id}")).with("change", id))
            })?;
            let proposal = check_change(state, &row)?;
            if row.status != ChangeStatus::Pending || !tx.decide_change(id, ChangeStatus::Approved, session.user(), &at, None)? {
                return Err(ServiceError::CheckFailed(
                    ErrorText::detailed("change_decided", format!("change {id} is {} already", row.status.as_str()))
                        .with("change", id)
                        .with("status", row.status.as_str()),
                ));
            }
            let request: Value = serde_json::from_str(&row.request).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            append_statement(tx, session, &at, "change.approve", &subject, json!({ "request_sha256": proposal.request_sha256 }))?;
            let applier = Applier { session, at: &at, change: Some(id), effects: &proposal.effects };
            apply(tx, state, proposal.kind, &request, &applier)
        });
        self.log_unverified(session.user(), &subject, result)
    }

    /// Rejects a pending change (another approver or admin), or withdraws it (its maker); the
    /// reason is logged and nothing is applied.
    pub fn reject_change(&mut self, session: &Session, id: i64, reason: &str) -> ServiceResult<ChangeView> {
        let subject = format!("change:{id}");
        self.require_signed_in(session)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed(
                "reason_needed",
                "give a reason for rejecting the change (--reason)",
            )));
        }
        super::check_free_text(("reason", "the reason"), reason, super::MAX_NOTE_CHARS)?;
        let (row, _) = self.checked_change(session, id)?;
        if row.proposed_by != session.user() {
            self.authorize(session, Permission::RejectChanges, &subject)?;
        }
        let at = format_utc(now());
        let state = &mut self.implied;
        let result = self.store.write(|tx| -> ServiceResult<()> {
            refresh(tx, state)?;
            let row = tx.change(id)?.ok_or_else(|| {
                ServiceError::NotFound(ErrorText::detailed("change", format!("no change with id {id}")).with("change", id))
            })?;
            check_change(state, &row)?;
            if row.status != ChangeStatus::Pending || !tx.decide_change(id, ChangeStatus::Rejected, session.user(), &at, Some(reason))? {
                return Err(ServiceError::CheckFailed(
                    ErrorText::detailed("change_decided", format!("change {id} is {} already", row.status.as_str()))
                        .with("change", id)
                        .with("status", row.status.as_str()),
                ));
            }
            append_statement(tx, session, &at, "change.reject", &subject, json!({ "reason": reason }))?;
            Ok(())
        });
        self.log_unverified(session.user(), &subject, result)?;
        self.change(session, id)
    }
}
