//! Bank name checks as evidence on a case (issue 20): an approver attaches the answer of the
//! payee's bank to a Verification-of-Payee or Confirmation-of-Payee request. The core checks the
//! fields ([`NameCheck::parse`]) and decides what the answer does to the case
//! ([`CaseAction::AttachNameCheck`]); this module hashes the evidence file (which is not kept),
//! and writes the row, the case's status and the signed `case.name_check` statement in one
//! transaction. What the answers say (the `vop_*` findings) is computed whenever the case is
//! shown, from the rows checked against their statements.
//!
//! A pain.002 status report is not read: the official ISO 20022 schema of pain.002 is not
//! available to this project (only pain.001's are, `crates/core/src/screen/schemas/`), and a bank
//! file is never parsed without its schema. Its SHA-256 and the fields the approver typed are
//! recorded.

use serde_json::json;

use super::cases::{move_case, refusal};
use super::statements::{append_statement, checked_case, differs, refresh, Difference};
use super::{now, ServiceError, ServiceResult, Session, Workspace};
use crate::ErrorText;
use countersign_core::assess::findings::Finding;
use countersign_core::audit::state::ImpliedState;
use countersign_core::cases::flow::{decide, CaseAction};
use countersign_core::cases::name_check::{AttachedNameCheck, NameCheck, NameCheckError, NameCheckInput};
use countersign_core::cases::record::Case;
use countersign_core::encoding::{format_utc, sha256_hex};
use countersign_store::prelude::*;
use countersign_store::{NameCheckRow, Tx};

/// The largest evidence file hashed (a screenshot or a status report): 20 MiB.
pub const MAX_EVIDENCE_SIZE: usize = 20 << 20;

/// The statement of an attached name check.
const ACTION: &str = "case.name_check";

/// The error of a name check the core refused.
fn input_error(e: NameCheckError, case: i64) -> ServiceError {
    match &e {
        NameCheckError::Invalid { field, .. } => {
            ServiceError::InvalidInput(ErrorText::detailed("name_check_field", e.to_string()).with("field", field))
        }
        NameCheckError::OtherAccount { sent, .. } => ServiceError::CheckFailed(
            ErrorText::detailed("name_check_account", format!("case {case}: {e}")).with("case", case).with("account", sent),
        ),
    }
}

/// The row of a name check attached to case `case_id`.
fn row_of(case_id: i64, c: &AttachedNameCheck) -> NameCheckRow {
    let check = &c.check;
    NameCheckRow {
        case_id,
        scheme: check.scheme().as_str().into(),
        request_id: check.request_id().into(),
        requested_at: check.requested_at().into(),
        answered_at: check.answered_at().into(),
        name_sent: check.name_sent().into(),
        account_sent: check.account_sent().into(),
        answer: check.answer().into(),
        matched_name: check.matched_name().map(str::to_string),
        obtained: check.obtained().as_str().into(),
        evidence_sha256: check.evidence_sha256().map(str::to_string),
        attached_by: c.attached_by.clone(),
        attached_at: c.attached_at.clone(),
    }
}

/// The name-check rows of case `id` compared with the checks its signed statements attached, in
/// order: a row edited, added or removed by hand is a difference.
pub(super) fn check_name_checks(state: &ImpliedState, id: i64, rows: &[NameCheckRow]) -> Result<Vec<AttachedNameCheck>, Difference> {
    let signed = state.cases.get(&id).map(|c| c.name_checks.clone()).unwrap_or_default();
    if rows.len() != signed.len() {
        return differs("name_checks", id, format!("it has {} name check(s), the signed statements attach {}", rows.len(), signed.len()));
    }
    match rows.iter().zip(&signed).position(|(row, s)| *row != row_of(id, s)) {
        Some(n) => differs("name_checks", id, format!("name check {} differs from the signed statement that attached it", n + 1)),
        None => Ok(signed),
    }
}

/// The name checks of case `id`, checked against their statements.
pub(super) fn checked_name_checks(tx: &dyn Tx, state: &ImpliedState, id: i64) -> ServiceResult<Vec<AttachedNameCheck>> {
    Ok(check_name_checks(state, id, &tx.name_checks(id)?)?)
}

/// What the name checks say about the case: one finding each, oldest first.
pub(super) fn name_check_findings(case: &Case, checks: &[AttachedNameCheck]) -> Vec<Finding> {
    checks.iter().map(|c| c.check.finding(case.beneficiary_name.as_deref())).collect()
}

impl Workspace {
    /// Attaches a bank's name check to case `id` (approvers): `evidence` is the file it came in
    /// (a screenshot, a pain.002 report or the API's response), hashed and not kept. A no match
    /// puts an open case back on hold. Bad input changes nothing; a role that may not attach is
    /// refused and logged. Returns the check as attached.
    pub fn attach_name_check(
        &mut self,
        session: &Session,
        id: i64,
        input: &NameCheckInput<'_>,
        evidence: Option<&[u8]>,
    ) -> ServiceResult<AttachedNameCheck> {
        // Role first (a refusal is logged), whatever the answer.
        self.decide_or_refuse(session, id, CaseAction::AttachNameCheck { no_match: true }, ACTION)?;
        if evidence.is_some_and(|b| b.len() > MAX_EVIDENCE_SIZE) {
            let limit = MAX_EVIDENCE_SIZE >> 20;
            let text = format!("the evidence file is larger than {limit} MiB; give the bank's answer as a smaller file");
            return Err(ServiceError::TooLarge(ErrorText::detailed("evidence", text).with("limit", limit)));
        }
        let sha = evidence.map(sha256_hex);
        let input = NameCheckInput { evidence_sha256: sha.as_deref(), ..input.clone() };
        let at = now();
        let at_text = format_utc(at);
        let state = &mut self.implied;
        let result = self.store.write(|tx| -> ServiceResult<AttachedNameCheck> {
            refresh(tx, state)?;
            let (case, f) = checked_case(tx, state, id)?;
            checked_name_checks(tx, state, id)?;
            let display = case.account_display.clone().unwrap_or_else(|| "none".into());
            let check = NameCheck::parse(&input, case.account_key.as_deref(), &display, at).map_err(|e| input_error(e, id))?;
            let action = CaseAction::AttachNameCheck { no_match: check.outcome().holds() };
            let t = decide(&f, session.user(), session.role(), action, &state.policy).map_err(refusal(id))?;
            move_case(tx, id, f.status, t.status)?;
            let attached = AttachedNameCheck { check, attached_by: session.user().to_string(), attached_at: at_text.clone() };
            tx.insert_name_check(&row_of(id, &attached))?;
            let mut details = attached.check.statement_fields();
            details["from"] = json!(f.status.as_str());
            details["to"] = json!(t.status.as_str());
            append_statement(tx, session, &at_text, ACTION, &format!("case:{id}"), details)?;
            Ok(attached)
        });
        self.log_unverified(session.user(), &format!("case:{id}"), result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{admin_workspace, receive_from_a_new_partner, PARTNER_IBAN};
    use crate::Credentials;
    use countersign_core::auth::Role;
    use countersign_core::cases::flow::CaseStatus;

    fn input<'a>(answer: &'a str, account: &'a str) -> NameCheckInput<'a> {
        NameCheckInput {
            scheme: "vop",
            request_id: "VOP-1",
            requested_at: "2025-11-03T09:30:00Z",
            answered_at: "2025-11-03T09:30:02Z",
            name_sent: "Globex Corporation",
            account_sent: account,
            answer,
            matched_name: None,
            obtained: "screenshot",
            evidence_sha256: None,
        }
    }

    /// Issue 20, on the backend the suite runs on: an approver's no match holds an accepted case,
    /// its row and signed statement agree for `audit verify`, the evidence is hashed; a clerk, an
    /// account other than the case's or a missing file is refused and changes nothing.
    #[test]
    fn an_approvers_no_match_holds_the_case_and_a_refusal_changes_nothing() {
        let (_dir, mut ws, alice) = admin_workspace();
        let login = |ws: &mut Workspace, user: &str| ws.login(&Credentials { user, password: &format!("{user} password 1"), totp: None });
        ws.add_user(&alice, "clara", Role::Clerk, "clara password 1").unwrap();
        let clara = login(&mut ws, "clara").unwrap();
        // The partner first: in setup mode, before a second person can check, it is onboarded at once.
        let (id, _) = receive_from_a_new_partner(&mut ws, &alice, &clara, true, "500.00");
        ws.add_user(&alice, "anna", Role::Approver, "anna password 1").unwrap();
        let anna = login(&mut ws, "anna").unwrap();
        assert_eq!(ws.case(&anna, id).unwrap().case.status, CaseStatus::Accepted);
        let screenshot = b"a screenshot".as_slice();

        let clerk = ws.attach_name_check(&clara, id, &input("NMTC", PARTNER_IBAN.0), Some(screenshot)).unwrap_err();
        assert_eq!(clerk.code(), "not_permitted");
        let other = ws.attach_name_check(&anna, id, &input("NMTC", "DE02120300000000202051"), Some(screenshot)).unwrap_err();
        assert_eq!(other.code(), "check_failed", "{other}");
        let no_file = ws.attach_name_check(&anna, id, &input("NMTC", PARTNER_IBAN.0), None).unwrap_err();
        assert_eq!(no_file.code(), "invalid_input", "{no_file}");
        let detail = ws.case(&anna, id).unwrap();
        assert!(detail.name_checks.is_empty() && detail.case.status == CaseStatus::Accepted);
        assert!(detail.may_attach_name_check && !ws.case(&clara, id).unwrap().may_attach_name_check);

        let attached = ws.attach_name_check(&anna, id, &input("NMTC", PARTNER_IBAN.0), Some(screenshot)).unwrap();
        assert_eq!(attached.check.evidence_sha256(), Some(sha256_hex(screenshot).as_str()));
        let detail = ws.case(&anna, id).unwrap();
        assert_eq!(detail.case.status, CaseStatus::Hold);
        assert_eq!(detail.name_checks, vec![attached]);
        assert_eq!(detail.name_check_findings[0].code.as_str(), "vop_no_match");
        assert!(detail.findings().iter().any(|f| f.code.as_str() == "vop_no_match"));
        let report = ws.verify_audit(&alice, None).unwrap();
        assert!(report.statements.is_empty() && report.state.is_empty(), "{:?} {:?}", report.statements, report.state);
    }
}
