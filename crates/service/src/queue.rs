//! The work queue: what waits for the signed-in user. Each open case is grouped by the steps the
//! core offers this user on it ([`offered_steps`]), computed from the signed statements' facts,
//! never from rows; the rows listed are checked against them. Pending changes that this user may
//! check are counted beside.

use super::statements::{check_case, differs};
use super::{ServiceResult, Session, Workspace};
use countersign_core::audit::state::ImpliedState;
use countersign_core::auth::Permission;
use countersign_core::cases::record::Case;
use countersign_core::cases::steps::{offered_steps, CaseStep};
use countersign_core::changes::ChangeStatus;
use countersign_store::prelude::*;

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

/// What waits for the signed-in user.
#[derive(Debug, Clone)]
pub struct WorkQueue {
    /// One group per step that is work ([`CaseStep::is_work`]), in the order of [`CaseStep::ALL`],
    /// empty ones included, so a shell shows every count.
    pub groups: Vec<QueueGroup>,
    /// Pending changes proposed by someone else that this user may check (four eyes).
    pub changes_to_check: usize,
}

impl Workspace {
    /// What waits for `session`'s user: per step, the count and the `limit` oldest cases.
    pub fn work_queue(&mut self, session: &Session, limit: usize) -> ServiceResult<WorkQueue> {
        self.require_signed_in(session)?;
        let (who, role) = (session.user(), session.role());
        let groups = self.verified(who, "cases", |tx, state| -> ServiceResult<Vec<QueueGroup>> {
            let mut waiting: Vec<(CaseStep, Vec<i64>)> =
                CaseStep::ALL.into_iter().filter(|s| s.is_work()).map(|s| (s, Vec::new())).collect();
            // Only open cases offer work; `state.cases` is ordered by id, so oldest first.
            for (id, signed) in state.cases.iter().filter(|(_, c)| c.status.is_open()) {
                for step in offered_steps(&signed.facts(), who, role, &state.policy) {
                    if let Some((_, ids)) = waiting.iter_mut().find(|(s, _)| *s == step) {
                        ids.push(*id);
                    }
                }
            }
            waiting
                .into_iter()
                .map(|(step, ids)| {
                    let cases = ids.iter().take(limit).map(|&id| listed_case(tx, state, id)).collect::<ServiceResult<_>>()?;
                    Ok(QueueGroup { step, count: ids.len(), cases })
                })
                .collect()
        })?;
        let changes_to_check = match Permission::ApproveChanges.allows(role) {
            true => self.changes(session, Some(ChangeStatus::Pending))?.iter().filter(|c| c.proposed_by != who).count(),
            false => 0,
        };
        Ok(WorkQueue { groups, changes_to_check })
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
