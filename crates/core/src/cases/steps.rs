//! The next steps a user may take on a case, as the state machine decides them: what a shell
//! offers as controls and what the work queue lists. Each step is offered only when
//! [`decide`](super::flow::decide) would permit its action for this user now, so a control that
//! would be refused is never shown, and the rules stay written once.

use crate::auth::{Permission, Role};
use crate::cases::flow::{decide, CaseAction, CaseFacts, CaseStatus, Refusal};
use crate::cases::policy::Policy;
use time::OffsetDateTime;

/// Something a user can do next on a case; the work queue groups cases by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CaseStep {
    /// Call the partner back on a number on file (a case on hold, callback not locked).
    CallBack,
    /// Give the second approval (a confirmed callback, or an accepted case over the threshold).
    Approve,
    /// Release the payment.
    Release,
    /// Unlock a callback locked after wrong responses.
    Reopen,
    /// Refuse the payment (any open case; approvers).
    Reject,
    /// Write the bank file of a released payment again (clerks and approvers).
    ExportBankFile,
    /// Ask, with a reason, to release a payment inside its account's cooling-off (approvers who
    /// took no part in the change or the case; two are needed).
    ReleaseEarly,
}

impl CaseStep {
    /// Every step, in the order a case usually meets them (the work queue's order).
    pub const ALL: [CaseStep; 7] = [
        CaseStep::CallBack,
        CaseStep::Approve,
        CaseStep::Release,
        CaseStep::ReleaseEarly,
        CaseStep::Reopen,
        CaseStep::Reject,
        CaseStep::ExportBankFile,
    ];

    /// The step's code, as the shells receive it.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStep::CallBack => "call_back",
            CaseStep::Approve => "approve",
            CaseStep::Release => "release",
            CaseStep::Reopen => "reopen",
            CaseStep::Reject => "reject",
            CaseStep::ExportBankFile => "export_bank_file",
            CaseStep::ReleaseEarly => "release_early",
        }
    }

    /// Whether a case offering this step waits for the user: the work queue lists those.
    /// Rejecting is always possible on an open case, exporting again is a repair and an early
    /// release an exception to a wait, so none is work waiting.
    pub fn is_work(self) -> bool {
        !matches!(self, CaseStep::Reject | CaseStep::ExportBankFile | CaseStep::ReleaseEarly)
    }
}

/// The steps `who` (with `role`) may take on the case now, in [`CaseStep::ALL`]'s order.
pub fn offered_steps(facts: &CaseFacts, who: &str, role: Role, policy: &Policy) -> Vec<CaseStep> {
    let permits = |action| decide(facts, who, role, action, policy).is_ok();
    CaseStep::ALL
        .into_iter()
        .filter(|step| match step {
            CaseStep::CallBack => permits(CaseAction::StartCallback),
            // A response recorded unchecked is approved by checking it; either way, an approval.
            CaseStep::Approve => permits(CaseAction::Approve) || permits(CaseAction::ApproveCheckingResponse { response_correct: true }),
            CaseStep::Release => permits(CaseAction::Release),
            CaseStep::Reopen => permits(CaseAction::Reopen),
            CaseStep::Reject => permits(CaseAction::Reject),
            CaseStep::ExportBankFile => facts.status == CaseStatus::Released && Permission::ExportPayments.allows(role),
            CaseStep::ReleaseEarly => permits(CaseAction::ReleaseEarly),
        })
        .collect()
}

/// When `who` could release the case now but for its account's cooling-off: the time the
/// cooling-off ends, so the work queue can show the case as waiting for the clock rather than
/// for anyone. `None` when the release is already possible (the period is over, or enough
/// approvers asked to release early) or would be refused for another reason.
pub fn release_waits_until(facts: &CaseFacts, who: &str, role: Role, policy: &Policy) -> Option<OffsetDateTime> {
    // A release refuses `CoolingOff` only once every other rule of it allows it.
    let cooling_off = facts.cooling_off.as_ref()?;
    matches!(decide(facts, who, role, CaseAction::Release, policy), Err(Refusal::CoolingOff(_))).then(|| cooling_off.until(policy))
}

/// Whether `who` (with `role`) may attach a bank's name check to the case now (issue 20): the
/// form a shell offers, under the rule [`decide`] applies. Not a [`CaseStep`]: it is evidence
/// that can come at any time, never work waiting in the queue.
pub fn may_attach_name_check(facts: &CaseFacts, who: &str, role: Role, policy: &Policy) -> bool {
    decide(facts, who, role, CaseAction::AttachNameCheck { no_match: true }, policy).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::findings::Verdict;
    use crate::cases::flow::tests::facts;

    fn steps(f: &CaseFacts, who: &str, role: Role) -> Vec<CaseStep> {
        offered_steps(f, who, role, &Policy::default())
    }

    #[test]
    fn a_case_on_hold_offers_the_callback_to_clerks_and_approvers_and_the_rejection_to_approvers() {
        let f = facts(CaseStatus::Hold, Verdict::Hold);
        assert_eq!(steps(&f, "clara", Role::Clerk), vec![CaseStep::CallBack]);
        assert_eq!(steps(&f, "anna", Role::Approver), vec![CaseStep::CallBack, CaseStep::Reject]);
        assert_eq!(steps(&f, "alice", Role::Admin), vec![]);
        assert_eq!(steps(&f, "frank", Role::Auditor), vec![]);
    }

    #[test]
    fn a_locked_callback_offers_the_reopening_and_no_callback() {
        let f = CaseFacts { wrong_responses: 3, ..facts(CaseStatus::Hold, Verdict::Hold) };
        assert_eq!(steps(&f, "clara", Role::Clerk), vec![]);
        assert_eq!(steps(&f, "anna", Role::Approver), vec![CaseStep::Reopen, CaseStep::Reject]);
    }

    #[test]
    fn the_approval_is_offered_to_no_one_who_received_or_called_back() {
        let f = CaseFacts { called_by: vec!["bert".into()], ..facts(CaseStatus::CallbackConfirmed, Verdict::Hold) };
        assert_eq!(steps(&f, "anna", Role::Approver), vec![CaseStep::Approve, CaseStep::Reject]);
        assert_eq!(steps(&f, "bert", Role::Approver), vec![CaseStep::Reject], "bert called back");
        let received = CaseFacts { received_by: "anna".into(), ..f.clone() };
        assert_eq!(steps(&received, "anna", Role::Approver), vec![CaseStep::Reject], "anna received it");
        assert_eq!(steps(&f, "clara", Role::Clerk), vec![]);
    }

    #[test]
    fn an_unchecked_response_is_offered_for_approval_by_checking_it() {
        let f = CaseFacts {
            response_needs_callback_key: true,
            response_unchecked: true,
            called_by: vec!["clara".into()],
            ..facts(CaseStatus::CallbackConfirmed, Verdict::Hold)
        };
        assert_eq!(steps(&f, "anna", Role::Approver), vec![CaseStep::Approve, CaseStep::Reject]);
    }

    #[test]
    fn an_accepted_case_is_released_by_a_clerk_up_to_the_threshold_and_approved_first_above_it() {
        let small = facts(CaseStatus::Accepted, Verdict::Accepted);
        assert_eq!(steps(&small, "clara", Role::Clerk), vec![CaseStep::Release]);
        assert_eq!(steps(&small, "anna", Role::Approver), vec![CaseStep::Release, CaseStep::Reject]);
        let over = Policy::default().approval_threshold_minor + 1;
        let large = CaseFacts { amount_minor: Some(over), ..small.clone() };
        assert_eq!(steps(&large, "clara", Role::Clerk), vec![]);
        assert_eq!(steps(&large, "anna", Role::Approver), vec![CaseStep::Approve, CaseStep::Reject]);
    }

    #[test]
    fn closed_cases_offer_nothing_but_a_released_payments_bank_file() {
        for status in [CaseStatus::Rejected, CaseStatus::Quarantined] {
            for role in [Role::Clerk, Role::Approver, Role::Admin, Role::Auditor] {
                assert_eq!(steps(&facts(status, Verdict::Hold), "x", role), vec![], "{status:?} {role:?}");
            }
        }
        let released = facts(CaseStatus::Released, Verdict::Accepted);
        assert_eq!(steps(&released, "clara", Role::Clerk), vec![CaseStep::ExportBankFile]);
        assert_eq!(steps(&released, "anna", Role::Approver), vec![CaseStep::ExportBankFile]);
        assert_eq!(steps(&released, "alice", Role::Admin), vec![]);
        assert_eq!(steps(&released, "frank", Role::Auditor), vec![]);
    }

    /// Issue 20: inside the cooling-off, the release is offered to no one, the early release only
    /// to approvers who took no part in the change.
    #[test]
    fn a_case_in_its_cooling_off_offers_the_early_release_instead_of_the_release() {
        let at = crate::encoding::parse_utc("2026-12-04T10:00:00Z").unwrap();
        let cooling_off =
            Some(crate::cases::flow::CoolingOff { since: at, at, change_made_by: vec!["clara".into(), "bert".into(), "anna".into()] });
        let f = CaseFacts { approved_by: Some("anna".into()), cooling_off, ..facts(CaseStatus::Approved, Verdict::Hold) };
        assert_eq!(steps(&f, "arne", Role::Approver), vec![CaseStep::ReleaseEarly, CaseStep::Reject]);
        assert_eq!(steps(&f, "anna", Role::Approver), vec![CaseStep::Reject]);
        assert_eq!(steps(&f, "clara", Role::Clerk), vec![]);
        let none = Policy { cooling_off_hours: 0, ..Policy::default() };
        assert_eq!(offered_steps(&f, "arne", Role::Approver, &none), vec![CaseStep::Release, CaseStep::Reject]);
    }

    /// Issue 20: a case inside its cooling-off waits for the clock for those who could release it
    /// once it is over; for no one who could not, and no longer once two approvers asked to
    /// release it early or the period is over.
    #[test]
    fn a_release_waits_for_the_end_of_the_cooling_off_only_for_those_who_could_release() {
        let at = crate::encoding::parse_utc("2026-12-04T10:00:00Z").unwrap();
        let cooling_off = Some(crate::cases::flow::CoolingOff { since: at, at, change_made_by: vec!["bert".into(), "anna".into()] });
        let f = CaseFacts { approved_by: Some("anna".into()), cooling_off, ..facts(CaseStatus::Approved, Verdict::Hold) };
        let p = Policy::default();
        let until = at + time::Duration::hours(i64::from(p.cooling_off_hours));
        assert_eq!(release_waits_until(&f, "anna", Role::Approver, &p), Some(until));
        assert_eq!(release_waits_until(&f, "clara", Role::Clerk, &p), None, "a clerk does not release an approved case");
        assert_eq!(release_waits_until(&f, "alice", Role::Admin, &p), None);
        let none = Policy { cooling_off_hours: 0, ..p.clone() };
        assert_eq!(release_waits_until(&f, "anna", Role::Approver, &none), None, "no cooling-off: released at once");
        let asked = CaseFacts { early_release_by: vec!["arne".into(), "ava".into()], ..f.clone() };
        assert_eq!(release_waits_until(&asked, "anna", Role::Approver, &p), None, "two approvers asked: released now");
        let hold = CaseFacts { status: CaseStatus::Hold, ..f.clone() };
        assert_eq!(release_waits_until(&hold, "anna", Role::Approver, &p), None, "on hold it waits for a callback, not the clock");
    }

    #[test]
    fn only_approvers_are_offered_to_attach_a_name_check() {
        let f = facts(CaseStatus::Hold, Verdict::Hold);
        let p = Policy::default();
        assert!(may_attach_name_check(&f, "anna", Role::Approver, &p));
        for (who, role) in [("clara", Role::Clerk), ("alice", Role::Admin), ("frank", Role::Auditor)] {
            assert!(!may_attach_name_check(&f, who, role, &p), "{role:?}");
        }
    }

    #[test]
    fn only_waiting_work_goes_to_the_queue() {
        let work: Vec<_> = CaseStep::ALL.into_iter().filter(|s| s.is_work()).collect();
        assert_eq!(work, vec![CaseStep::CallBack, CaseStep::Approve, CaseStep::Release, CaseStep::Reopen]);
        assert!(!CaseStep::ReleaseEarly.is_work(), "an exception to a wait is not work waiting");
        let codes: Vec<_> = CaseStep::ALL.iter().map(|s| serde_json::to_value(s).unwrap()).collect();
        let names: Vec<_> = CaseStep::ALL.iter().map(|s| serde_json::Value::from(s.as_str())).collect();
        assert_eq!(codes, names, "as_str is the serialised code");
    }
}
