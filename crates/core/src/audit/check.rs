//! Checking the verification log (pure): every event's hash and link recomputed, the Merkle
//! tree over the event hashes rebuilt, every stored checkpoint's signature and root checked
//! against it, and optionally a checkpoint kept outside the database, which also catches a cut
//! tail or a whole database replaced by an older copy. Reports the first thing wrong, where,
//! and what kind of tampering it looks like.

use crate::audit::chain::{event_hash, EventFields, GENESIS};
use crate::audit::checkpoint::Checkpoint;
use crate::audit::log::{LoggedCheckpoint, LoggedEvent};
use crate::audit::merkle::{leaf_hash, verify_consistency, Hash, MerkleTree};
use crate::format::keys::PublicKey;

/// What kind of tampering was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tampering {
    /// An event's fields no longer hash to its stored hash.
    Changed,
    /// Events are missing.
    Deleted,
    /// An event was slipped in that the chain did not have.
    Inserted,
    /// Events were swapped.
    Reordered,
    /// The log is shorter than a checkpoint says it was.
    Truncated,
    /// The chain was recomputed after a change: it is self-consistent but no longer matches a
    /// signed checkpoint.
    Rewritten,
    /// A stored checkpoint is not signed by the organisation's audit key, or its row was edited.
    BadCheckpoint,
    /// An approval's checkpoint lacks the approver's valid countersignature.
    BadCountersignature,
    /// A checkpoint given to compare with is not signed by this log's audit key.
    ForeignCheckpoint,
    /// An approval, release or export has no checkpoint of its own: the row was deleted.
    MissingCheckpoint,
    /// A signed statement does not verify, or its signer's role did not allow it (see
    /// [`crate::audit::state`]).
    StatementInvalid,
    /// A row differs from the state the signed statements imply.
    StateMismatch,
}

impl Tampering {
    /// The stable code in JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Self::Changed => "changed",
            Self::Deleted => "deleted",
            Self::Inserted => "inserted",
            Self::Reordered => "reordered",
            Self::Truncated => "truncated",
            Self::Rewritten => "rewritten",
            Self::BadCheckpoint => "bad_checkpoint",
            Self::BadCountersignature => "bad_countersignature",
            Self::ForeignCheckpoint => "foreign_checkpoint",
            Self::MissingCheckpoint => "missing_checkpoint",
            Self::StatementInvalid => "statement_invalid",
            Self::StateMismatch => "state_mismatch",
        }
    }
}

/// The first problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind.
    pub kind: Tampering,
    /// The first bad sequence number, when one can be named.
    pub seq: Option<u64>,
    /// A sentence for people.
    pub message: String,
}

/// The keys that may sign: the organisation's audit keys (current and retired) and users' own
/// keys (for approvers' countersignatures).
#[derive(Debug, Clone, Default)]
pub struct SigningKeys {
    /// Audit keys.
    pub audit: Vec<PublicKey>,
    /// Users' keys by name.
    pub users: Vec<(String, PublicKey)>,
}

/// What checking the log found.
#[derive(Debug)]
pub struct LogReport {
    /// Events in the log.
    pub events: u64,
    /// The last event's hash.
    pub head: Option<Hash>,
    /// The Merkle root over all events.
    pub root: Hash,
    /// Stored checkpoints checked.
    pub checkpoints: usize,
    /// Events covered by the newest valid checkpoint (later ones are not yet witnessed).
    pub witnessed: u64,
    /// The first problem, if any.
    pub problem: Option<Problem>,
    /// The tree, for proofs.
    pub tree: MerkleTree,
}

/// How far apart two swapped or shifted events may be for the check to say which it was
/// (beyond it, the event is reported as changed: still tampering, only less precisely named).
const MOVE_WINDOW: u64 = 64;

fn fields(e: &LoggedEvent, seq: u64) -> EventFields<'_> {
    EventFields { seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details }
}

fn hashes_as(e: &LoggedEvent, seq: u64) -> bool {
    event_hash(&e.prev_hash, &fields(e, seq)) == e.hash
}

/// The first break in the hash chain, named as precisely as the evidence allows.
pub fn check_chain(events: &[LoggedEvent]) -> Option<Problem> {
    let mut prev = GENESIS;
    for (i, e) in events.iter().enumerate() {
        let expected = i as u64 + 1;
        if e.seq < expected {
            // A number already used, or 0: the row's number was edited (or a row repeated).
            return Some(Problem {
                kind: Tampering::Changed,
                seq: Some(expected),
                message: format!("event {expected} carries the sequence number {}: a row's number was changed", e.seq),
            });
        }
        if e.seq != expected {
            return Some(Problem {
                kind: Tampering::Deleted,
                seq: Some(expected),
                message: format!("events {expected} to {} are missing (deleted)", e.seq - 1),
            });
        }
        if !hashes_as(e, e.seq) {
            // A row that hashes right under another position was moved there.
            let lo = e.seq.saturating_sub(MOVE_WINDOW).max(1);
            let moved_from = (lo..=e.seq + MOVE_WINDOW).filter(|&k| k != e.seq).find(|&k| hashes_as(e, k));
            let (kind, message) = match moved_from {
                Some(k) if events.get(k as usize - 1).is_some_and(|other| hashes_as(other, e.seq)) => {
                    (Tampering::Reordered, format!("events {} and {k} were swapped", e.seq.min(k)))
                }
                Some(k) if k < e.seq => (
                    Tampering::Inserted,
                    format!(
                        "event {} holds what was event {k}: events {k} to {} were inserted before it and the rest renumbered",
                        e.seq,
                        e.seq - 1
                    ),
                ),
                Some(k) => (
                    Tampering::Deleted,
                    format!("event {} holds what was event {k}: events were deleted before it and the rest renumbered", e.seq),
                ),
                None => (Tampering::Changed, format!("event {} was changed after it was written", e.seq)),
            };
            // A swap starts at the lower of the two; an insertion at the first inserted event
            // (the rows from `k` on passed, but they are the ones slipped in).
            let seq = match (kind, moved_from) {
                (Tampering::Reordered, Some(k)) => e.seq.min(k),
                (Tampering::Inserted, Some(k)) => k,
                _ => e.seq,
            };
            return Some(Problem { kind, seq: Some(seq), message });
        }
        if e.prev_hash != prev {
            return Some(Problem {
                kind: Tampering::Inserted,
                seq: Some(e.seq),
                message: format!(
                    "event {} is well formed but does not follow event {}: it was inserted (or events before it removed and re-hashed)",
                    e.seq,
                    e.seq - 1
                ),
            });
        }
        prev = e.hash;
    }
    None
}

/// The leaves of the log's tree: the leaf hash of each event's hash.
pub fn leaves(events: &[LoggedEvent]) -> Vec<Hash> {
    events.iter().map(|e| leaf_hash(&e.hash)).collect()
}

fn verify_note(note: &str, keys: &SigningKeys) -> Option<Checkpoint> {
    keys.audit.iter().find_map(|k| Checkpoint::verify(note, k).ok())
}

/// Checks the events and the stored checkpoints.
pub fn check_log(events: &[LoggedEvent], checkpoints: &[LoggedCheckpoint], keys: &SigningKeys) -> LogReport {
    let tree = MerkleTree::new(leaves(events));
    let count = events.len() as u64;
    let root = tree.root(events.len()).expect("whole tree");
    let mut problem = check_chain(events);
    let mut witnessed = 0u64;
    if problem.is_none() {
        problem = check_checkpoints(checkpoints, &tree, count, keys, &mut witnessed);
    }
    if problem.is_none() {
        problem = check_witnesses(events, checkpoints);
    }
    LogReport { events: count, head: events.last().map(|e| e.hash), root, checkpoints: checkpoints.len(), witnessed, problem, tree }
}

/// The checkpoint each kind of event is witnessed by, written in the same transaction right
/// after it (so its size is the event's sequence number), and the reason it records.
pub const WITNESSED_ACTIONS: &[(&str, &str)] = &[
    ("case.approve", "approval"),
    ("case.release", "release"),
    ("case.export", "export"),
    ("audit.export", "audit.export"),
    ("audit.checkpoint", "saved"),
];

/// Every approval, release and export logged since the organisation had an audit key has its
/// checkpoint: a deleted checkpoint row is caught here (events from before the audit key, in a
/// workspace upgraded from before checkpoints, had none).
fn check_witnesses(events: &[LoggedEvent], checkpoints: &[LoggedCheckpoint]) -> Option<Problem> {
    let start = events.iter().find(|e| e.action == "audit.key_create")?.seq;
    let written: std::collections::HashSet<(u64, &str)> = checkpoints.iter().map(|c| (c.size, c.reason.as_str())).collect();
    for e in events.iter().filter(|e| e.seq > start) {
        let Some((_, reason)) = WITNESSED_ACTIONS.iter().find(|(action, _)| *action == e.action) else { continue };
        if !written.contains(&(e.seq, *reason)) {
            return Some(Problem {
                kind: Tampering::MissingCheckpoint,
                seq: Some(e.seq),
                message: format!("event {} ({} by {}) has no checkpoint: its signed checkpoint was deleted", e.seq, e.action, e.actor),
            });
        }
    }
    None
}

fn check_checkpoints(
    checkpoints: &[LoggedCheckpoint],
    tree: &MerkleTree,
    count: u64,
    keys: &SigningKeys,
    witnessed: &mut u64,
) -> Option<Problem> {
    let mut good_size = 0u64;
    for c in checkpoints {
        let Some(note) = verify_note(&c.note, keys) else {
            return Some(Problem {
                kind: Tampering::BadCheckpoint,
                seq: None,
                message: format!("checkpoint {} (of {} events, {}) is not signed by the organisation's audit key", c.id, c.size, c.at),
            });
        };
        if note.size != c.size || note.root != c.root {
            return Some(Problem {
                kind: Tampering::BadCheckpoint,
                seq: None,
                message: format!("checkpoint {}'s stored size or root differs from what its signed note says: the row was edited", c.id),
            });
        }
        if note.size > count {
            return Some(Problem {
                kind: Tampering::Truncated,
                seq: Some(count + 1),
                message: format!(
                    "checkpoint {} signed at {} covers {} events but the log has only {count}: events {} to {} were cut off",
                    c.id,
                    c.at,
                    note.size,
                    count + 1,
                    note.size
                ),
            });
        }
        if tree.root(note.size as usize) != Some(note.root) {
            return Some(Problem {
                kind: Tampering::Rewritten,
                seq: Some(good_size + 1),
                message: format!(
                    "the first {} events no longer match checkpoint {} signed at {}: an event after {} was changed and the chain recomputed",
                    note.size, c.id, c.at, good_size
                ),
            });
        }
        if c.reason == "approval" {
            let signer = keys.users.iter().filter(|(name, _)| name == &c.signer).cloned().collect::<Vec<_>>();
            if Checkpoint::cosigners(&c.note, &signer).is_empty() {
                return Some(Problem {
                    kind: Tampering::BadCountersignature,
                    seq: Some(note.size),
                    message: format!("checkpoint {} records an approval by {} without their valid countersignature", c.id, c.signer),
                });
            }
        }
        good_size = good_size.max(note.size);
    }
    *witnessed = good_size;
    None
}

/// A kept checkpoint the log was compared with.
#[derive(Debug, Clone)]
pub struct Consistency {
    /// The checkpoint's size.
    pub old_size: u64,
    /// Its root.
    pub old_root: Hash,
    /// The log's size now.
    pub new_size: u64,
    /// The log's root now.
    pub new_root: Hash,
    /// The RFC 6962 consistency proof between them (verified).
    pub proof: Vec<Hash>,
}

/// Checks that the log in `tree` is a consistent extension of the checkpoint note `kept`.
pub fn check_against(kept: &str, tree: &MerkleTree, keys: &SigningKeys) -> Result<Consistency, Problem> {
    let Some(note) = verify_note(kept, keys) else {
        let why = match Checkpoint::parse_unverified(kept) {
            Ok(_) => "it is not signed by this log's audit key (a checkpoint of another workspace, or altered)",
            Err(_) => "it is not a checkpoint note",
        };
        return Err(Problem {
            kind: Tampering::ForeignCheckpoint,
            seq: None,
            message: format!("the kept checkpoint cannot be used: {why}"),
        });
    };
    let count = tree.size() as u64;
    if note.size > count {
        return Err(Problem {
            kind: Tampering::Truncated,
            seq: Some(count + 1),
            message: format!(
                "the kept checkpoint (signed {}) covers {} events but the log has only {count}: events were cut off, or the database was replaced by an older copy",
                crate::encoding::format_utc(note.time),
                note.size
            ),
        });
    }
    let new_root = tree.root(tree.size()).expect("whole tree");
    let proof = match note.size {
        0 => vec![],
        n => tree.consistency_proof(n as usize, tree.size()).expect("within the tree"),
    };
    let consistent = note.size == 0 || verify_consistency(note.size, count, &note.root, &new_root, &proof);
    if !consistent {
        return Err(Problem {
            kind: Tampering::Rewritten,
            seq: None,
            message: format!(
                "the log is not an extension of the kept checkpoint (signed {}, {} events): events it covered were changed, removed or reordered",
                crate::encoding::format_utc(note.time),
                note.size
            ),
        });
    }
    Ok(Consistency { old_size: note.size, old_root: note.root, new_size: count, new_root, proof })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn chain(n: u64) -> Vec<LoggedEvent> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let details = format!("{{\"n\":{seq}}}");
                let mut e = LoggedEvent {
                    seq,
                    at: "2026-11-23T09:00:00Z".into(),
                    actor: "a".into(),
                    action: "x".into(),
                    subject: "s".into(),
                    details,
                    prev_hash: prev,
                    hash: [0; 32],
                };
                e.hash = event_hash(&prev, &fields(&e, seq));
                prev = e.hash;
                e
            })
            .collect()
    }

    fn kinds(events: &[LoggedEvent]) -> Option<(Tampering, Option<u64>)> {
        check_chain(events).map(|p| (p.kind, p.seq))
    }

    /// Rows swapped from further apart than the window are still tampering, named less precisely.
    #[test]
    fn a_swap_beyond_the_window_is_reported_as_changed() {
        let swapped = |a: usize, b: usize| {
            let mut events = chain(140);
            let (ea, eb) = (events[a - 1].clone(), events[b - 1].clone());
            events[a - 1] = LoggedEvent { seq: a as u64, ..eb };
            events[b - 1] = LoggedEvent { seq: b as u64, ..ea };
            kinds(&events)
        };
        assert_eq!(swapped(2, 2 + MOVE_WINDOW as usize), Some((Tampering::Reordered, Some(2))));
        assert_eq!(swapped(2, 3 + MOVE_WINDOW as usize), Some((Tampering::Changed, Some(2))));
        assert_eq!(swapped(2, 100), Some((Tampering::Changed, Some(2))));
    }

    /// The codes are the JSON's and the CLI's contract (docs/cli.md, `audit verify --json`).
    #[test]
    fn each_kind_of_tampering_has_its_stable_code() {
        let codes: Vec<&str> = [
            Tampering::Changed,
            Tampering::Deleted,
            Tampering::Inserted,
            Tampering::Reordered,
            Tampering::Truncated,
            Tampering::Rewritten,
            Tampering::BadCheckpoint,
            Tampering::BadCountersignature,
            Tampering::ForeignCheckpoint,
            Tampering::MissingCheckpoint,
            Tampering::StatementInvalid,
            Tampering::StateMismatch,
        ]
        .map(Tampering::code)
        .to_vec();
        assert_eq!(
            codes,
            [
                "changed",
                "deleted",
                "inserted",
                "reordered",
                "truncated",
                "rewritten",
                "bad_checkpoint",
                "bad_countersignature",
                "foreign_checkpoint",
                "missing_checkpoint",
                "statement_invalid",
                "state_mismatch"
            ]
        );
    }

    #[test]
    fn names_each_kind_of_tampering() {
        assert_eq!(kinds(&chain(8)), None);
        let mut changed = chain(8);
        changed[2].actor = "mallory".into();
        assert_eq!(kinds(&changed), Some((Tampering::Changed, Some(3))));

        let mut gap = chain(8);
        gap.remove(4);
        assert_eq!(kinds(&gap), Some((Tampering::Deleted, Some(5))));

        // Deleted and renumbered: event 5 now holds what was 6.
        let mut renumbered = chain(8);
        renumbered.remove(4);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
        }
        assert_eq!(kinds(&renumbered), Some((Tampering::Deleted, Some(5))));

        // Inserted and renumbered: a forged event 4, the old 4.. moved to 5..
        let mut inserted = chain(8);
        let forged = LoggedEvent { actor: "mallory".into(), ..inserted[3].clone() };
        inserted.insert(3, forged);
        for (i, e) in inserted.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
        }
        assert!(matches!(kinds(&inserted), Some((Tampering::Changed | Tampering::Inserted, Some(4)))));
        // The same with the forged event hashed to fit and linked to event 3: the chain breaks
        // only at event 5 (what was 4), but the first bad event is the forged one.
        let mut well_formed = chain(8);
        let mut forged = LoggedEvent { actor: "mallory".into(), ..well_formed[3].clone() };
        forged.hash = event_hash(&forged.prev_hash, &fields(&forged, 4));
        well_formed.insert(3, forged);
        for (i, e) in well_formed.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
        }
        assert_eq!(kinds(&well_formed), Some((Tampering::Inserted, Some(4))));
        // A forged event hashed to fit its own fields, linked to nothing before it.
        let mut slipped = chain(8);
        let mut forged = LoggedEvent { actor: "m".into(), prev_hash: [9; 32], ..slipped[3].clone() };
        forged.hash = event_hash(&forged.prev_hash, &fields(&forged, 4));
        slipped[3] = forged;
        assert_eq!(kinds(&slipped), Some((Tampering::Inserted, Some(4))));

        // Two rows' contents swapped.
        let mut swapped = chain(8);
        let (a, b) = (swapped[5].clone(), swapped[6].clone());
        swapped[5] = LoggedEvent { seq: 6, ..b };
        swapped[6] = LoggedEvent { seq: 7, ..a };
        assert_eq!(kinds(&swapped), Some((Tampering::Reordered, Some(6))));
    }

    /// Regression (issue 21, found by the model test of the log): a row numbered 0 made the check
    /// overflow (a panic in a debug build, a nonsense range in a release build), and a repeated
    /// number was reported as a range of deleted events running backwards.
    #[test]
    fn a_row_numbered_0_or_repeated_is_reported_where_it_is() {
        let mut zero = chain(5);
        zero[0].seq = 0;
        assert_eq!(kinds(&zero), Some((Tampering::Changed, Some(1))));
        let mut repeated = chain(5);
        repeated[3].seq = 3;
        let p = check_chain(&repeated).unwrap();
        assert_eq!((p.kind, p.seq), (Tampering::Changed, Some(4)));
        assert!(p.message.contains("carries the sequence number 3"), "{}", p.message);
        let mut past = chain(5);
        past[4].seq = 9;
        assert_eq!(kinds(&past), Some((Tampering::Deleted, Some(5))));
    }

    fn signed(events: &[LoggedEvent], audit: &crate::format::keys::KeyPair, size: u64) -> LoggedCheckpoint {
        let root = crate::audit::merkle::root(&leaves(&events[..size as usize]));
        let cp = Checkpoint {
            origin: "countersign/audit/1".into(),
            size,
            root,
            time: crate::encoding::parse_utc("2026-11-23T09:00:00Z").unwrap(),
            setup_mode: false,
        };
        LoggedCheckpoint {
            id: 1,
            size,
            root,
            at: "2026-11-23T09:00:00Z".into(),
            reason: "release".into(),
            signer: "a".into(),
            note: cp.sign(audit),
        }
    }

    #[test]
    fn checkpoints_catch_a_cut_tail_and_a_recomputed_chain() {
        let audit = crate::format::keys::KeyPair::from_seed(&[1; 32]);
        let keys = SigningKeys { audit: vec![audit.public_key()], users: vec![] };
        let events = chain(10);
        let cp = signed(&events, &audit, 8);
        let report = check_log(&events, std::slice::from_ref(&cp), &keys);
        assert_eq!(report.problem, None);
        assert_eq!(report.witnessed, 8);

        let cut = &events[..6];
        let p = check_log(cut, std::slice::from_ref(&cp), &keys).problem.unwrap();
        assert_eq!((p.kind, p.seq), (Tampering::Truncated, Some(7)));

        // Change event 3 and recompute the whole chain: only the checkpoint notices.
        let mut rewritten = events.clone();
        rewritten[2].details = "{\"n\":333}".into();
        let mut prev = GENESIS;
        for e in rewritten.iter_mut() {
            e.prev_hash = prev;
            e.hash = event_hash(&prev, &fields(e, e.seq));
            prev = e.hash;
        }
        assert_eq!(check_chain(&rewritten), None);
        let p = check_log(&rewritten, std::slice::from_ref(&cp), &keys).problem.unwrap();
        assert_eq!(p.kind, Tampering::Rewritten);

        let other = crate::format::keys::KeyPair::from_seed(&[2; 32]);
        let forged = signed(&events, &other, 8);
        assert_eq!(check_log(&events, &[forged], &keys).problem.unwrap().kind, Tampering::BadCheckpoint);
    }

    #[test]
    fn a_deleted_checkpoint_of_an_approval_is_caught() {
        let audit = crate::format::keys::KeyPair::from_seed(&[1; 32]);
        let keys = SigningKeys { audit: vec![audit.public_key()], ..Default::default() };
        let mut events = chain(6);
        events[0].action = "audit.key_create".into();
        events[4].action = "case.release".into();
        let mut prev = GENESIS;
        for e in events.iter_mut() {
            e.prev_hash = prev;
            e.hash = event_hash(&prev, &fields(e, e.seq));
            prev = e.hash;
        }
        let release = signed(&events, &audit, 5);
        assert_eq!(check_log(&events, std::slice::from_ref(&release), &keys).problem, None);
        let p = check_log(&events, &[], &keys).problem.unwrap();
        assert_eq!((p.kind, p.seq), (Tampering::MissingCheckpoint, Some(5)));
        // In a log from before the audit key existed, a release had no checkpoint to lose.
        let mut old = chain(6);
        old[4].action = "case.release".into();
        let mut prev = GENESIS;
        for e in old.iter_mut() {
            e.prev_hash = prev;
            e.hash = event_hash(&prev, &fields(e, e.seq));
            prev = e.hash;
        }
        assert_eq!(check_log(&old, &[], &keys).problem, None);
    }

    #[test]
    fn a_kept_checkpoint_catches_an_older_copy() {
        let audit = crate::format::keys::KeyPair::from_seed(&[1; 32]);
        let keys = SigningKeys { audit: vec![audit.public_key()], users: vec![] };
        let events = chain(10);
        let kept = signed(&events, &audit, 9).note;
        let now = MerkleTree::new(leaves(&events));
        let ok = check_against(&kept, &now, &keys).unwrap();
        assert_eq!((ok.old_size, ok.new_size), (9, 10));
        let older = MerkleTree::new(leaves(&events[..7]));
        assert_eq!(check_against(&kept, &older, &keys).unwrap_err().kind, Tampering::Truncated);
        let mut changed = events.clone();
        changed[0].hash = [5; 32];
        assert_eq!(check_against(&kept, &MerkleTree::new(leaves(&changed)), &keys).unwrap_err().kind, Tampering::Rewritten);
        let stranger = crate::format::keys::KeyPair::from_seed(&[3; 32]);
        assert_eq!(check_against(&signed(&events, &stranger, 9).note, &now, &keys).unwrap_err().kind, Tampering::ForeignCheckpoint);
    }
}
