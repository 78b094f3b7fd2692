//! The work queue: what waits for the signed-in user. Each open case is grouped by the steps the
//! core offers this user on it ([`offered_steps`]), computed from the signed statements' facts,
//! never from rows; the rows listed are checked against them. Pending changes that this user may
//! check are counted beside, and the cases that wait only for the end of their account's
//! cooling-off ([`release_waits_until`]) are listed apart: they wait for the clock, not the user.

use super::statements::{check_case, differs};
use super::{ServiceResult, Session, Workspace};
use countersign_core::audit::state::ImpliedState;
use countersign_core::auth::Permission;
use countersign_core::cases::record::Case;
use countersign_core::cases::steps::{offered_steps, release_waits_until, CaseStep};
use countersign_core::changes::ChangeStatus;
use countersign_store::prelude::*;
use time::OffsetDateTime;

/// The cases that wait for one step of the user, oldest first.
#[derive(Debug, Clone)]
pub struct QueueGroup {
    /// The step they wait for.
    pub step: CaseStep,
    /// How many cases wait for it.
    pub count: usize,
    /// The oldest of them, at most the limit asked for.
    pub cases: Vec<Case>,
}

/// A case the user could release but for its account's cooling-off, and when that ends.
#[derive(Debug, Clone)]
pub struct CoolingOffWait {
    /// The case, as listed.
    pub case: Case,
    /// When the cooling-off ends and the release is offered.
    pub until: OffsetDateTime,
}

/// What waits for the signed-in user.
#[derive(Debug, Clone)]
pub struct WorkQueue {
    /// One group per step that is work ([`CaseStep::is_work`]), in the order of [`CaseStep::ALL`],
    /// empty ones included, so a shell shows every count.
    pub groups: Vec<QueueGroup>,
    /// Pending changes proposed by someone else that this user may check (four eyes).
    pub changes_to_check: usize,
    /// How many cases this user could release once their cooling-off ends (not work yet).
    pub cooling_off_count: usize,
    /// The first of them to come out of their cooling-off, at most the limit asked for.
    pub cooling_off: Vec<CoolingOffWait>,
}

impl Workspace {
    /// What waits for `session`'s user: per step, the count and the `limit` oldest cases.
    pub fn work_queue(&mut self, session: &Session, limit: usize) -> ServiceResult<WorkQueue> {
        self.require_signed_in(session)?;
        let (who, role) = (session.user(), session.role());
        let (groups, cooling_off_count, cooling_off) = self.verified(who, "cases", |tx, state| -> ServiceResult<_> {
            let mut waiting: Vec<(CaseStep, Vec<i64>)> =
                CaseStep::ALL.into_iter().filter(|s| s.is_work()).map(|s| (s, Vec::new())).collect();
            let mut cooling: Vec<(OffsetDateTime, i64)> = Vec::new();
            // Only open cases offer work; `state.cases` is ordered by id, so oldest first.
            let at = super::now();
            for (id, _) in state.cases.iter().filter(|(_, c)| c.status.is_open()) {
                let facts = state.case_facts(*id, at).expect("a case of the state");
                for step in offered_steps(&facts, who, role, &state.policy) {
                    if let Some((_, ids)) = waiting.iter_mut().find(|(s, _)| *s == step) {
                        ids.push(*id);
                    }
                }
                if let Some(until) = release_waits_until(&facts, who, role, &state.policy) {
                    cooling.push((until, *id));
                }
            }
            let groups = waiting
                .into_iter()
                .map(|(step, ids)| {
                    let cases = ids.iter().take(limit).map(|&id| listed_case(tx, state, id)).collect::<ServiceResult<_>>()?;
                    Ok(QueueGroup { step, count: ids.len(), cases })
                })
                .collect::<ServiceResult<Vec<_>>>()?;
            // The first to be released first.
            cooling.sort();
            let waits = cooling
                .iter()
                .take(limit)
                .map(|&(until, id)| Ok(CoolingOffWait { case: listed_case(tx, state, id)?, until }))
                .collect::<ServiceResult<Vec<_>>>()?;
            Ok((groups, cooling.len(), waits))
        })?;
        let changes_to_check = match Permission::ApproveChanges.allows(role) {
            true => self.changes(session, Some(ChangeStatus::Pending))?.iter().filter(|c| c.proposed_by != who).count(),
            false => 0,
        };
        Ok(WorkQueue { groups, changes_to_check, cooling_off_count, cooling_off })
    }
}

/// A case's row as listed, checked against the signed statements.
fn listed_case(tx: &dyn Tx, state: &ImpliedState, id: i64) -> ServiceResult<Case> {
    let Some(case) = tx.case(id)? else {
        return Ok(differs("cases", id, "a signed receipt opened it but its row is missing")?);
    };
    check_case(state, &case)?;
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{admin_workspace, receive_from_a_new_partner};
    use crate::{Credentials, Outcome, Role};

    fn login(ws: &mut Workspace, user: &str) -> Session {
        ws.login(&Credentials { user, password: &format!("{user} password 1"), totp: None }).unwrap()
    }

    /// The counts of each group of `session`'s queue, in [`CaseStep::ALL`]'s order, with the ids
    /// listed; and the changes to check.
    fn queue_of(ws: &mut Workspace, session: &Session) -> (Vec<(CaseStep, usize, Vec<i64>)>, usize) {
        let queue = ws.work_queue(session, 10).unwrap();
        let groups = queue.groups.into_iter().map(|g| (g.step, g.count, g.cases.iter().map(|c| c.id).collect())).collect();
        (groups, queue.changes_to_check)
    }

    /// A case on hold waits in the callback group of whoever may call back, and in no other; a
    /// pending change waits for the checkers who did not propose it, never for its proposer.
    /// (Mutation testing of the service found no test of the queue's grouping or of the count.)
    #[test]
    fn each_case_waits_under_its_own_step_and_a_change_for_the_other_checkers() {
        let (_dir, mut ws, alice) = admin_workspace();
        ws.add_user(&alice, "carol", Role::Clerk, "carol password 1").unwrap();
        let carol = login(&mut ws, "carol");
        let (case, _) = receive_from_a_new_partner(&mut ws, &alice, &carol, false, "100.00");
        let waiting_for_a_callback = vec![
            (CaseStep::CallBack, 1, vec![case]),
            (CaseStep::Approve, 0, vec![]),
            (CaseStep::Release, 0, vec![]),
            (CaseStep::Reopen, 0, vec![]),
        ];
        assert_eq!(queue_of(&mut ws, &carol), (waiting_for_a_callback.clone(), 0), "a clerk checks no changes");

        ws.add_user(&alice, "dave", Role::Approver, "dave password 1").unwrap();
        let proposed = ws.add_user(&alice, "erin", Role::Approver, "erin password 1").unwrap();
        assert!(matches!(proposed, Outcome::Pending(_)), "two checkers: adding an approver waits for the other");
        let dave = login(&mut ws, "dave");
        assert_eq!(queue_of(&mut ws, &dave), (waiting_for_a_callback, 1), "alice's change waits for dave");
        assert_eq!(queue_of(&mut ws, &alice).1, 0, "not for alice, who proposed it");
    }
}
