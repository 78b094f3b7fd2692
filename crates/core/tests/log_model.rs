//! Model-based test of the log check (issue 21, item 4).
//!
//! A log grows by random appends: plain events, and approvals, releases and saved checkpoints,
//! each witnessed by its signed checkpoint (an approval's countersigned by its approver), as the
//! service writes them. After every append the log must check clean ([`check_log`], and
//! [`check_against`] the newest checkpoint an auditor kept): no false alarm. Then one tamper is
//! applied (a field changed, a change with the chain recomputed, an event deleted or inserted,
//! two events swapped, the tail cut, a row with a sequence number outside 1..n, a checkpoint
//! row edited, forged, deleted or stripped of its countersignature), and the check must report
//! what a small model of the log says it can see: the kind and the first bad position, or
//! nothing where the log alone cannot tell (a change with the chain recomputed that no
//! checkpoint covers; a cut tail that no checkpoint covers).

use countersign_core::audit::chain::{event_hash, EventFields, GENESIS};
use countersign_core::audit::check::{check_against, check_log, leaves, Problem, SigningKeys, Tampering};
use countersign_core::audit::checkpoint::Checkpoint;
use countersign_core::audit::log::{LoggedCheckpoint, LoggedEvent};
use countersign_core::audit::merkle::{root, MerkleTree};
use countersign_core::encoding::parse_utc;
use countersign_core::format::keys::KeyPair;
use proptest::prelude::*;

const APPROVER: &str = "anna";

fn audit_key() -> KeyPair {
    KeyPair::from_seed(&[1; 32])
}

fn approver_key() -> KeyPair {
    KeyPair::from_seed(&[2; 32])
}

fn keys() -> SigningKeys {
    SigningKeys { audit: vec![audit_key().public_key()], users: vec![(APPROVER.into(), approver_key().public_key())] }
}

/// What an append writes: an event, and for some a checkpoint witnessing it.
#[derive(Debug, Clone, Copy)]
enum Append {
    Plain,
    Approval,
    Release,
    Saved,
}

impl Append {
    /// The event's action and the checkpoint's reason, if it is witnessed.
    fn action(self) -> (&'static str, Option<&'static str>) {
        match self {
            Append::Plain => ("case.challenge", None),
            Append::Approval => ("case.approve", Some("approval")),
            Append::Release => ("case.release", Some("release")),
            Append::Saved => ("audit.checkpoint", Some("saved")),
        }
    }
}

/// One tamper, positions taken modulo the log's length.
#[derive(Debug, Clone, Copy)]
enum Tamper {
    /// A field of an event changed, its hash left as it was (field 0..7).
    Change { pos: usize, field: u8 },
    /// An event's details changed and every hash from it on recomputed.
    Rewrite { pos: usize },
    /// An event deleted; the later ones renumbered or not.
    Delete { pos: usize, renumber: bool },
    /// A forged event slipped in before an event, the rest renumbered; hashed to fit and
    /// linked to the event before it, or not.
    Insert { pos: usize, linked: bool },
    /// Two events' contents swapped (their rows keep their sequence numbers).
    Swap { a: usize, b: usize },
    /// The last events cut off; with the checkpoints that covered them, or not.
    Truncate { count: usize, with_checkpoints: bool },
    /// An event's sequence number set outside 1..n (0, past the end, or a repeat).
    Seq { pos: usize, to: u8 },
    /// A checkpoint row's size or root edited (what 0..2).
    EditCheckpoint { which: usize, what: u8 },
    /// A checkpoint row re-signed by another key.
    ForgeCheckpoint { which: usize },
    /// A checkpoint row deleted.
    DeleteCheckpoint { which: usize },
    /// An approval's checkpoint without its approver's countersignature.
    Uncosign { which: usize },
}

/// The log as the store keeps it, and the note an auditor kept outside it.
#[derive(Debug, Clone, Default)]
struct Log {
    events: Vec<LoggedEvent>,
    checkpoints: Vec<LoggedCheckpoint>,
    kept: Option<String>,
}

fn fields(e: &LoggedEvent) -> EventFields<'_> {
    EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details }
}

/// Recomputes the hashes and links from event `from` (1-based) on.
fn rehash(events: &mut [LoggedEvent], from: usize) {
    for i in from - 1..events.len() {
        let prev = if i == 0 { GENESIS } else { events[i - 1].hash };
        events[i].prev_hash = prev;
        events[i].hash = event_hash(&prev, &fields(&events[i]));
    }
}

impl Log {
    /// A log whose first event creates the audit key: every witnessed event after it has its checkpoint.
    fn new() -> Self {
        let mut log = Log::default();
        log.push("audit.key_create", "system");
        log
    }

    fn push(&mut self, action: &str, actor: &str) {
        let seq = self.events.len() as u64 + 1;
        let at = format!("2026-12-03T09:{:02}:{:02}Z", seq / 60 % 60, seq % 60);
        let details = format!("{{\"n\":{seq}}}");
        let mut e = LoggedEvent {
            seq,
            at,
            actor: actor.into(),
            action: action.into(),
            subject: format!("case:{}", seq % 5),
            details,
            prev_hash: self.events.last().map_or(GENESIS, |e| e.hash),
            hash: [0; 32],
        };
        e.hash = event_hash(&e.prev_hash, &fields(&e));
        self.events.push(e);
    }

    fn append(&mut self, what: Append) {
        let (action, reason) = what.action();
        let actor = if matches!(what, Append::Plain) { "clara" } else { APPROVER };
        self.push(action, actor);
        if let Some(reason) = reason {
            let note = self.checkpoint_note(&audit_key());
            let note = if reason == "approval" { Checkpoint::cosign(&note, APPROVER, &approver_key()).unwrap() } else { note };
            let size = self.events.len() as u64;
            let (id, at) = (self.checkpoints.len() as i64 + 1, self.events[size as usize - 1].at.clone());
            let root = root(&leaves(&self.events));
            self.checkpoints.push(LoggedCheckpoint {
                id,
                size,
                root,
                at,
                reason: reason.into(),
                signer: APPROVER.into(),
                note: note.clone(),
            });
            self.kept = Some(note);
        }
    }

    /// A checkpoint of the whole log now, signed by `key`.
    fn checkpoint_note(&self, key: &KeyPair) -> String {
        let last = self.events.last().expect("never empty");
        let cp = Checkpoint {
            origin: "countersign/audit/1".into(),
            size: last.seq,
            root: root(&leaves(&self.events)),
            time: parse_utc(&last.at).unwrap(),
            setup_mode: false,
        };
        cp.sign(key)
    }

    /// What the checks report: the log check first, then the kept checkpoint.
    fn check(&self) -> Option<Problem> {
        let report = check_log(&self.events, &self.checkpoints, &keys());
        report.problem.or_else(|| {
            let kept = self.kept.as_ref()?;
            check_against(kept, &MerkleTree::new(leaves(&self.events)), &keys()).err()
        })
    }

    /// The largest checkpoint size below `seq` (0: none): the last position a checkpoint vouches for.
    fn vouched_below(&self, seq: u64) -> u64 {
        self.checkpoints.iter().map(|c| c.size).filter(|&s| s < seq).max().unwrap_or(0)
    }

    fn covered(&self, seq: u64) -> bool {
        self.checkpoints.iter().any(|c| c.size >= seq)
    }
}

/// What the model says the check reports after a tamper: the kinds it may name and the first
/// bad position (`None` as the outer value: the tamper cannot be seen in the log alone).
type Seen = Option<(Vec<Tampering>, Option<u64>)>;

fn seen(kinds: &[Tampering], seq: Option<u64>) -> Seen {
    Some((kinds.to_vec(), seq))
}

/// Applies `tamper` to `log`; returns what the model expects the check to report.
fn tamper(log: &mut Log, t: Tamper) -> Seen {
    match t {
        Tamper::EditCheckpoint { .. } | Tamper::ForgeCheckpoint { .. } | Tamper::DeleteCheckpoint { .. } | Tamper::Uncosign { .. } => {
            tamper_checkpoints(log, t)
        }
        _ => tamper_events(log, t),
    }
}

/// A tamper with the events.
fn tamper_events(log: &mut Log, t: Tamper) -> Seen {
    use Tampering::*;
    let n = log.events.len();
    let pick = |p: usize| p % n + 1;
    match t {
        Tamper::Change { pos, field } => {
            let e = &mut log.events[pick(pos) - 1];
            match field % 7 {
                0 => e.actor = "mallory".into(),
                1 => e.action = "case.reject".into(),
                2 => e.subject = "case:999".into(),
                3 => e.details = "{\"n\":0}".into(),
                4 => e.at = "2026-12-04T00:00:00Z".into(),
                5 => e.prev_hash[0] ^= 1,
                _ => e.hash[31] ^= 1,
            }
            seen(&[Changed], Some(pick(pos) as u64))
        }
        Tamper::Rewrite { pos } => {
            let seq = pick(pos);
            log.events[seq - 1].details = "{\"n\":\"rewritten\"}".into();
            rehash(&mut log.events, seq);
            let covered = log.covered(seq as u64);
            covered.then(|| (vec![Rewritten], Some(log.vouched_below(seq as u64) + 1)))
        }
        Tamper::Delete { pos, .. } if pick(pos) == n => truncate(log, 1, false),
        Tamper::Delete { pos, renumber } => {
            let seq = pick(pos);
            log.events.remove(seq - 1);
            if renumber {
                log.events.iter_mut().skip(seq - 1).for_each(|e| e.seq -= 1);
            }
            seen(&[Deleted], Some(seq as u64))
        }
        Tamper::Insert { pos, linked } => {
            let seq = pick(pos);
            let mut forged = LoggedEvent { actor: "mallory".into(), ..log.events[seq - 1].clone() };
            if linked {
                forged.hash = event_hash(&forged.prev_hash, &fields(&forged));
            }
            log.events.insert(seq - 1, forged);
            log.events.iter_mut().skip(seq).for_each(|e| e.seq += 1);
            let kinds: &[Tampering] = if linked { &[Inserted] } else { &[Changed, Inserted] };
            seen(kinds, Some(seq as u64))
        }
        Tamper::Swap { a, b } => {
            let (a, b) = (pick(a), pick(b));
            if a == b {
                return None;
            }
            let (ea, eb) = (log.events[a - 1].clone(), log.events[b - 1].clone());
            log.events[a - 1] = LoggedEvent { seq: a as u64, ..eb };
            log.events[b - 1] = LoggedEvent { seq: b as u64, ..ea };
            seen(&[Reordered], Some(a.min(b) as u64))
        }
        Tamper::Truncate { count, with_checkpoints } => truncate(log, count % n + 1, with_checkpoints),
        Tamper::Seq { pos, to } => {
            let seq = pick(pos);
            log.events[seq - 1].seq = match to % 4 {
                0 => 0,
                1 => n as u64 + 1,
                2 => u64::MAX,
                _ => seq as u64 - 1,
            };
            // The store reads rows back in the order of their numbers: a row numbered 0 comes first.
            log.events.sort_by_key(|e| e.seq);
            let first_bad = if to % 4 == 0 { 1 } else { seq as u64 };
            let kinds: &[Tampering] = if to % 4 == 1 || to % 4 == 2 { &[Deleted] } else { &[Changed] };
            seen(kinds, Some(first_bad))
        }
        _ => unreachable!("checkpoint tampers are tamper_checkpoints'"),
    }
}

/// A tamper with the stored checkpoints (none to tamper with: nothing to see).
fn tamper_checkpoints(log: &mut Log, t: Tamper) -> Seen {
    use Tampering::*;
    match t {
        Tamper::EditCheckpoint { which, what } if !log.checkpoints.is_empty() => {
            let c = which % log.checkpoints.len();
            match what % 2 {
                0 => log.checkpoints[c].size += 1,
                _ => log.checkpoints[c].root[0] ^= 1,
            }
            seen(&[BadCheckpoint], None)
        }
        Tamper::ForgeCheckpoint { which } if !log.checkpoints.is_empty() => {
            let c = which % log.checkpoints.len();
            let size = log.checkpoints[c].size as usize;
            let prefix = Log { events: log.events[..size].to_vec(), ..Log::default() };
            log.checkpoints[c].note = prefix.checkpoint_note(&KeyPair::from_seed(&[3; 32]));
            seen(&[BadCheckpoint], None)
        }
        Tamper::DeleteCheckpoint { which } if !log.checkpoints.is_empty() => {
            let c = log.checkpoints.remove(which % log.checkpoints.len());
            // The kept note still vouches for the log as it is: only the missing witness shows.
            seen(&[MissingCheckpoint], Some(c.size))
        }
        Tamper::Uncosign { which } => {
            let approvals: Vec<usize> = (0..log.checkpoints.len()).filter(|&i| log.checkpoints[i].reason == "approval").collect();
            let &c = approvals.get(which % approvals.len().max(1))?;
            let size = log.checkpoints[c].size as usize;
            let prefix = Log { events: log.events[..size].to_vec(), ..Log::default() };
            log.checkpoints[c].note = prefix.checkpoint_note(&audit_key());
            seen(&[BadCountersignature], Some(size as u64))
        }
        _ => None,
    }
}

/// Cuts the last `count` events (and the checkpoints over them, when the tamperer deletes those
/// too): seen if a stored or kept checkpoint covers a cut event.
fn truncate(log: &mut Log, count: usize, with_checkpoints: bool) -> Seen {
    let left = (log.events.len() - count) as u64;
    log.events.truncate(left as usize);
    let stored = log.covered(left + 1);
    if with_checkpoints {
        log.checkpoints.retain(|c| c.size <= left);
    }
    let kept = log.kept.as_ref().is_some_and(|note| Checkpoint::parse_unverified(note).unwrap().size > left);
    (stored || kept).then(|| (vec![Tampering::Truncated], Some(left + 1)))
}

fn append() -> impl Strategy<Value = Append> {
    prop_oneof![6 => Just(Append::Plain), 1 => Just(Append::Approval), 1 => Just(Append::Release), 1 => Just(Append::Saved)]
}

fn a_tamper() -> impl Strategy<Value = Tamper> {
    let pos = 0..1000usize;
    prop_oneof![
        (pos.clone(), any::<u8>()).prop_map(|(pos, field)| Tamper::Change { pos, field }),
        pos.clone().prop_map(|pos| Tamper::Rewrite { pos }),
        (pos.clone(), any::<bool>()).prop_map(|(pos, renumber)| Tamper::Delete { pos, renumber }),
        (pos.clone(), any::<bool>()).prop_map(|(pos, linked)| Tamper::Insert { pos, linked }),
        (pos.clone(), pos.clone()).prop_map(|(a, b)| Tamper::Swap { a, b }),
        (pos.clone(), any::<bool>()).prop_map(|(count, with_checkpoints)| Tamper::Truncate { count, with_checkpoints }),
        (pos.clone(), any::<u8>()).prop_map(|(pos, to)| Tamper::Seq { pos, to }),
        (pos.clone(), any::<u8>()).prop_map(|(which, what)| Tamper::EditCheckpoint { which, what }),
        pos.clone().prop_map(|which| Tamper::ForgeCheckpoint { which }),
        pos.clone().prop_map(|which| Tamper::DeleteCheckpoint { which }),
        pos.prop_map(|which| Tamper::Uncosign { which }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// No false alarm while the log grows; then every tamper is reported as the model says, at
    /// the first bad position.
    #[test]
    fn every_tamper_is_reported_and_no_untampered_log_is(appends in proptest::collection::vec(append(), 1..40), t in a_tamper()) {
        let mut log = Log::new();
        for a in appends {
            log.append(a);
            prop_assert_eq!(log.check(), None, "a false alarm on an untampered log of {} events", log.events.len());
        }
        let report = check_log(&log.events, &log.checkpoints, &keys());
        prop_assert_eq!(report.witnessed, log.checkpoints.last().map_or(0, |c| c.size));
        prop_assert_eq!(report.root, root(&leaves(&log.events)));
        let expected = tamper(&mut log, t);
        let got = log.check();
        match (&expected, &got) {
            (None, None) => {}
            (Some((kinds, seq)), Some(p)) => {
                prop_assert!(kinds.contains(&p.kind), "{t:?}: expected one of {kinds:?}, got {p:?}");
                prop_assert_eq!(*seq, p.seq, "{:?}: the first bad position ({:?})", t, p);
            }
            _ => prop_assert!(false, "{t:?}: the model expects {expected:?}, the check reports {got:?}"),
        }
    }
}
