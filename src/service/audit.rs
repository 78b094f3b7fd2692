//! The auditor's check of the verification log: every event's hash recomputed over its
//! canonical encoding, every link to the event before it, and the sequence without gaps. Reports
//! the first event that is wrong and what is wrong with it. (Checkpoints, proofs and bundles,
//! which also catch a cut tail or a whole database swapped for an older copy, come next.)

use serde_json::json;

use super::{now, Role, ServiceResult, Session, Workspace};
use crate::audit::{event_hash, EventFields, GENESIS};
use crate::encoding::format_utc;
use crate::store::StoredEvent;

/// What is wrong with the first bad event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// Its fields no longer hash to its stored hash: it was changed after it was written.
    Changed,
    /// Events are missing before it: deleted.
    Missing {
        /// The sequence number expected here.
        expected: u64,
    },
    /// It does not link to the event before it: inserted, removed or reordered.
    BrokenLink,
}

/// The result of checking the log.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// The hash of the last event (the log's head), when there is one.
    pub head: Option<[u8; 32]>,
    /// The first bad event and what is wrong, if any.
    pub first_problem: Option<(u64, ChainProblem)>,
}

/// Checks a sequence of events read from the log (pure).
pub fn check_chain(events: &[StoredEvent]) -> ChainReport {
    let mut prev_hash = GENESIS;
    let mut expected_seq = 1u64;
    for e in events {
        let fields = EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details };
        let problem = if e.seq != expected_seq {
            Some(ChainProblem::Missing { expected: expected_seq })
        } else if event_hash(&e.prev_hash, &fields) != e.hash {
            Some(ChainProblem::Changed)
        } else if e.prev_hash != prev_hash {
            Some(ChainProblem::BrokenLink)
        } else {
            None
        };
        if let Some(problem) = problem {
            return ChainReport { events: events.len() as u64, head: events.last().map(|e| e.hash), first_problem: Some((e.seq, problem)) };
        }
        prev_hash = e.hash;
        expected_seq += 1;
    }
    ChainReport { events: events.len() as u64, head: events.last().map(|e| e.hash), first_problem: None }
}

impl Workspace {
    /// Verifies the whole log (auditors and admins); the verification itself is logged after it.
    pub fn verify_audit_chain(&mut self, session: &Session) -> ServiceResult<ChainReport> {
        self.authorize(session, &[Role::Auditor, Role::Admin], "audit.verify", "audit", "verify the audit log")?;
        let events = self.store.read(|tx| tx.events_from(1))?;
        let report = check_chain(&events);
        let at = format_utc(now());
        let details = json!({
            "events": report.events,
            "intact": report.first_problem.is_none(),
            "first_bad_seq": report.first_problem.as_ref().map(|(seq, _)| *seq),
        });
        self.store.write(|tx| tx.append_event(&at, session.user(), "audit.verify", "audit", &details))?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<StoredEvent> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let details = format!("{{\"n\":{seq}}}");
                let fields = EventFields { seq, at: "2026-11-23T09:00:00Z", actor: "a", action: "x", subject: "s", details: &details };
                let hash = event_hash(&prev, &fields);
                let e = StoredEvent {
                    seq,
                    at: "2026-11-23T09:00:00Z".into(),
                    actor: "a".into(),
                    action: "x".into(),
                    subject: "s".into(),
                    details: details.clone(),
                    prev_hash: prev,
                    hash,
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn detects_changes_deletions_insertions_and_reordering() {
        assert_eq!(check_chain(&chain(5)).first_problem, None);
        let mut changed = chain(5);
        changed[2].actor = "mallory".into();
        assert_eq!(check_chain(&changed).first_problem, Some((3, ChainProblem::Changed)));
        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(check_chain(&deleted).first_problem, Some((3, ChainProblem::Missing { expected: 2 })));
        let mut swapped = chain(5);
        swapped.swap(1, 2);
        swapped[1].seq = 2;
        swapped[2].seq = 3;
        assert!(matches!(check_chain(&swapped).first_problem, Some((2, _))));
        // A forged event re-hashed to fit its own fields, but linked to nothing before it.
        let mut inserted = chain(5);
        let fields = EventFields { seq: 3, at: "2026-11-23T09:00:00Z", actor: "m", action: "x", subject: "s", details: "{}" };
        inserted[2] = StoredEvent { actor: "m".into(), details: "{}".into(), prev_hash: [9; 32], hash: event_hash(&[9; 32], &fields), ..inserted[2].clone() };
        assert_eq!(check_chain(&inserted).first_problem, Some((3, ChainProblem::BrokenLink)));
    }
}
