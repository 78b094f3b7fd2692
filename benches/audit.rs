//! Benchmark of issue 5, item 7: verifying an audit log of 1,000,000 events (the hash chain, the
//! Merkle tree over it and signed checkpoints, as `audit verify` does) against hashing the same
//! bytes with sha2 alone, in the same run.
//!
//! Run with `cargo bench --bench audit` (a release build). No criterion: plain `Instant` timings,
//! printed with the ratio. Optional: `COUNTERSIGN_BENCH_RUNS=N` (default 7),
//! `COUNTERSIGN_BENCH_EVENTS=N` (default 1,000,000).
//!
//! Set-up (not timed), in memory: 1,000,000 events as a busy workspace writes them, chained with
//! `audit::event_hash` from the genesis hash. The mix, by position: 60 % `instruction.receive`
//! (details as the receiving service logs them: codes, confirmation code, file name and SHA-256,
//! instruction id, partner, signer fingerprint, verdict: about 300 bytes), 10 % each of
//! `case.callback`, `case.approve` and `case.release` (shorter details), and the rest logins and
//! partner edits: about 200 bytes of details and 340 bytes of encoding per event on average.
//! Checkpoints as a log of this size holds them: after every 1,000th event an approval's,
//! countersigned by the approver, and after every 100,000th a release's: 1,000 signed
//! checkpoints (990 countersigned), each with its root over the events up to it.
//!
//! Each run measures:
//! - (a) raw: one SHA-256 (sha2 crate) over the concatenation of every event's encoding, the
//!   exact bytes `event_hash` hashes (context, previous hash, sequence number, length-prefixed
//!   fields): a lower bound for any verifier that reads every event once;
//! - (b) full: `audit_check::check_log` over the events and checkpoints: every event hash
//!   recomputed and its link checked, the Merkle tree built (leaf and node hashes), every
//!   checkpoint's audit signature and root checked, approvals' countersignatures checked;
//! - (c) from disk, unless `COUNTERSIGN_BENCH_SQLITE=0`: the same events and checkpoints written
//!   (untimed) into a real workspace database (`SqliteStore::create` in a temporary directory,
//!   `append_event` and `insert_checkpoint` in one transaction), then, timed, what
//!   `audit verify` does: open the store, read every event and checkpoint, and `check_log`.
//!
//! Prints every run, then min and median of each, events per second, the median ratio (b)/(a)
//! and the targets of the issue: (b) under 2 s on the 2-core machine, ratio <= 3x. As in the
//! receive benchmark, each run shows the measuring thread's time on a core and how long it waited
//! for one while other processes ran (Linux only): a run that waited long measured the
//! neighbours, and the median time on a core, also printed, is what they cannot inflate.

use std::time::{Duration, Instant};

use countersign_core::audit::chain::{event_hash, EventFields, EVENT_CONTEXT, GENESIS};
use countersign_core::audit::check::{check_log, leaves, SigningKeys};
use countersign_core::audit::checkpoint::Checkpoint;
use countersign_core::audit::log::{LoggedCheckpoint, LoggedEvent};
use countersign_core::audit::merkle::{Hash, MerkleTree};
use countersign_core::encoding::parse_utc;
use countersign_core::format::keys::KeyPair;
use countersign_store::sqlite::SqliteStore;
use countersign_store::{StoreError, StoreExt};
use sha2::{Digest, Sha256};

const EVENTS: usize = 1_000_000;
const APPROVAL_EVERY: usize = 1_000;
const RELEASE_EVERY: usize = 100_000;
const ORIGIN: &str = "countersign/audit/51628744450299465581130767416";

/// A time `seq` seconds after a fixed start, in the log's format.
fn at(seq: usize) -> String {
    let t = parse_utc("2026-01-05T07:00:00Z").expect("fixed") + time::Duration::seconds(seq as i64 * 20);
    countersign_core::encoding::format_utc(t)
}

/// Fake but well-formed hex of a SHA-256.
fn hex64(n: usize) -> String {
    let h: [u8; 32] = Sha256::digest((n as u64).to_be_bytes()).into();
    countersign_core::audit::chain::hex(&h)
}

/// (actor, action, subject, details) of event `seq`, in the mix described above.
fn content(seq: usize) -> (String, &'static str, String, String) {
    let case = seq / 3 + 1;
    let partner = seq % 997 + 1;
    let clerk = ["clara", "colin", "chen"][seq % 3];
    match seq % 10 {
        0..=5 => (
            clerk.into(),
            "instruction.receive",
            format!("case:{case}"),
            format!(
                r#"{{"codes":[],"confirmation_code":"{:04}-{:04}","email_sha256":null,"file_name":"INV-2026-{seq:07}.countersign","file_sha256":"{}","instruction_id":"pay-{partner}-{seq}","partner":{partner},"signer":"{:05} {:05} {:05} {:05} {:05} {:05}","verdict":"accepted"}}"#,
                seq % 10_000,
                (seq * 7) % 10_000,
                hex64(seq),
                partner * 11 % 100_000,
                partner * 13 % 100_000,
                partner * 17 % 100_000,
                partner * 19 % 100_000,
                partner * 23 % 100_000,
                partner * 29 % 100_000,
            ),
        ),
        6 => (
            clerk.into(),
            "case.callback",
            format!("case:{case}"),
            format!(r#"{{"number":"+49 30 {:07}","outcome":"confirmed","phone_id":{partner}}}"#, partner * 7),
        ),
        7 => ("alice".into(), "case.approve", format!("case:{case}"), r#"{"from":"pending_approval","to":"approved"}"#.into()),
        8 => ("bob".into(), "case.release", format!("case:{case}"), r#"{"from":"approved","to":"released"}"#.into()),
        _ if seq % 20 == 9 => (clerk.into(), "login", format!("user:{clerk}"), r#"{"totp":true}"#.into()),
        _ => (
            "admin".into(),
            "partner.phone_add",
            format!("partner:{partner}"),
            format!(r#"{{"number":"+44 20 {:07}","source":"contract"}}"#, partner * 3),
        ),
    }
}

struct Log {
    events: Vec<LoggedEvent>,
    checkpoints: Vec<LoggedCheckpoint>,
    keys: SigningKeys,
    /// The concatenated encodings, what (a) hashes.
    encoded: Vec<u8>,
}

fn encode_into(out: &mut Vec<u8>, prev: &Hash, e: &EventFields<'_>) {
    out.extend_from_slice(EVENT_CONTEXT);
    out.extend_from_slice(prev);
    out.extend_from_slice(&e.seq.to_be_bytes());
    for part in [e.at, e.actor, e.action, e.subject, e.details] {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
}

fn setup(n: usize) -> Log {
    let audit = KeyPair::from_seed(&[1; 32]);
    let alice = KeyPair::from_seed(&[2; 32]);
    let mut events = Vec::with_capacity(n);
    let mut encoded = Vec::with_capacity(n * 480);
    let mut prev = GENESIS;
    for seq in 1..=n {
        let (actor, action, subject, details) = content(seq);
        let when = at(seq);
        let fields = EventFields { seq: seq as u64, at: &when, actor: &actor, action, subject: &subject, details: &details };
        let hash = event_hash(&prev, &fields);
        encode_into(&mut encoded, &prev, &fields);
        events.push(LoggedEvent { seq: seq as u64, at: when, actor, action: action.into(), subject, details, prev_hash: prev, hash });
        prev = hash;
    }
    let tree = MerkleTree::new(leaves(&events));
    let mut checkpoints = Vec::new();
    for seq in 1..=n {
        let (reason, signer) = match (seq % RELEASE_EVERY, seq % APPROVAL_EVERY) {
            (0, _) => ("release", "bob"),
            (_, 0) => ("approval", "alice"),
            _ => continue,
        };
        let when = events[seq - 1].at.clone();
        let cp = Checkpoint {
            origin: ORIGIN.into(),
            size: seq as u64,
            root: tree.root(seq).expect("within"),
            time: parse_utc(&when).expect("ours"),
            setup_mode: false,
        };
        let mut note = cp.sign(&audit);
        if reason == "approval" {
            note = Checkpoint::cosign(&note, "alice", &alice).expect("well formed");
        }
        checkpoints.push(LoggedCheckpoint {
            id: checkpoints.len() as i64 + 1,
            size: cp.size,
            root: cp.root,
            at: when,
            reason: reason.into(),
            signer: signer.into(),
            note,
        });
    }
    let keys = SigningKeys {
        audit: vec![audit.public_key()],
        users: vec![("alice".into(), alice.public_key()), ("bob".into(), KeyPair::from_seed(&[3; 32]).public_key())],
    };
    Log { events, checkpoints, keys, encoded }
}

/// This thread's (time on a core, time waiting for one while runnable) so far, from Linux
/// `/proc/thread-self/schedstat`; zero where unavailable.
fn sched() -> (Duration, Duration) {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut fields = text.split_whitespace().map(|n| n.parse::<u64>().map(Duration::from_nanos).unwrap_or_default());
    (fields.next().unwrap_or_default(), fields.next().unwrap_or_default())
}

/// Runs `f`, returning (wall time, time on a core, time waiting for a core) and its result.
fn timed<T>(f: impl FnOnce() -> T) -> (Duration, Duration, Duration, T) {
    let (on0, wait0) = sched();
    let t = Instant::now();
    let out = f();
    let wall = t.elapsed();
    let (on1, wait1) = sched();
    (wall, on1.saturating_sub(on0), wait1.saturating_sub(wait0), out)
}

/// Writes the log into a new workspace database in `dir` (untimed set-up of (c)).
fn write_store(dir: &std::path::Path, log: &Log) {
    let mut store = SqliteStore::create(dir).expect("a new store");
    store
        .write(|tx| -> Result<(), StoreError> {
            for e in &log.events {
                let details: serde_json::Value = serde_json::from_str(&e.details).expect("JSON");
                let seq = tx.append_event(&e.at, &e.actor, &e.action, &e.subject, &details)?;
                assert_eq!(seq, e.seq);
            }
            for c in &log.checkpoints {
                tx.insert_checkpoint(c.size, &c.root, &c.at, &c.reason, &c.signer, &c.note)?;
            }
            Ok(())
        })
        .expect("written");
}

/// (c): open, read, check, as `audit verify` does.
fn verify_from_disk(dir: &std::path::Path, keys: &SigningKeys) -> countersign_core::audit::check::LogReport {
    let mut store = SqliteStore::open(dir).expect("the store");
    let (events, checkpoints) = store.read(|tx| -> Result<_, StoreError> { Ok((tx.events_from(1)?, tx.checkpoints()?)) }).expect("read");
    check_log(&events, &checkpoints, keys)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// Long: runs each measurement and prints its figures in the order docs/performance.md reports them.
fn main() {
    let runs: usize = std::env::var("COUNTERSIGN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(7).max(1);
    let n: usize = std::env::var("COUNTERSIGN_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(EVENTS).max(1);
    let started = Instant::now();
    let log = setup(n);
    let mean_details = log.events.iter().map(|e| e.details.len()).sum::<usize>() / n;
    println!(
        "audit benchmark: {n} events ({:.1} MB of encodings, details {mean_details} bytes on average), {} checkpoints ({} countersigned); set-up {:.1} s",
        log.encoded.len() as f64 / 1e6,
        log.checkpoints.len(),
        log.checkpoints.iter().filter(|c| c.reason == "approval").count(),
        started.elapsed().as_secs_f64()
    );
    let expected_root = countersign_core::audit::merkle::root(&leaves(&log.events));
    let sqlite = std::env::var("COUNTERSIGN_BENCH_SQLITE").map_or(true, |v| v != "0");
    let dir = tempfile::tempdir().expect("a temporary directory");
    if sqlite {
        let t = Instant::now();
        write_store(dir.path(), &log);
        let bytes: u64 = std::fs::read_dir(dir.path()).expect("dir").filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
        println!("(c) workspace database written: {:.0} MB in {:.1} s", bytes as f64 / 1e6, t.elapsed().as_secs_f64());
    }

    let (mut raw, mut full, mut raw_cpu, mut full_cpu, mut disk) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        let (a, a_cpu, a_wait, digest) = timed(|| Sha256::digest(&log.encoded));
        std::hint::black_box(digest);
        let (b, b_cpu, b_wait, report) = timed(|| check_log(&log.events, &log.checkpoints, &log.keys));
        assert!(report.problem.is_none(), "{:?}", report.problem);
        assert_eq!((report.events, report.root, report.witnessed), (n as u64, expected_root, log.checkpoints.last().map_or(0, |c| c.size)));
        drop(report);
        println!(
            "run {run}: (a) raw sha2 {:7.1} ms (on core {:7.1}, waited {:6.1})   (b) check_log {:7.1} ms (on core {:7.1}, waited {:6.1})   ratio {:.2}x",
            ms(a),
            ms(a_cpu),
            ms(a_wait),
            ms(b),
            ms(b_cpu),
            ms(b_wait),
            b.as_secs_f64() / a.as_secs_f64()
        );
        if sqlite {
            let (c, c_cpu, c_wait, report) = timed(|| verify_from_disk(dir.path(), &log.keys));
            assert!(report.problem.is_none() && report.root == expected_root, "{:?}", report.problem);
            println!("       (c) from the database {:7.1} ms (on core {:7.1}, waited {:6.1})", ms(c), ms(c_cpu), ms(c_wait));
            disk.push(c);
        }
        raw.push(a);
        full.push(b);
        raw_cpu.push(a_cpu);
        full_cpu.push(b_cpu);
    }
    let ratios: Vec<f64> = raw.iter().zip(&full).map(|(a, b)| b.as_secs_f64() / a.as_secs_f64()).collect();
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let median_ratio =
        if sorted.len() % 2 == 1 { sorted[sorted.len() / 2] } else { (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0 };
    let (a, b) = (median(raw.clone()), median(full.clone()));
    println!(
        "(a) raw sha2:  min {:8.1} ms, median {:8.1} ms ({:.0} MB/s)",
        ms(*raw.iter().min().unwrap()),
        ms(a),
        log.encoded.len() as f64 / 1e6 / a.as_secs_f64()
    );
    println!(
        "(b) check_log: min {:8.1} ms, median {:8.1} ms ({:.0} events/s)",
        ms(*full.iter().min().unwrap()),
        ms(b),
        n as f64 / b.as_secs_f64()
    );
    if !disk.is_empty() {
        println!("(c) from disk: min {:8.1} ms, median {:8.1} ms", ms(*disk.iter().min().unwrap()), ms(median(disk.clone())));
    }
    if raw_cpu.iter().all(|d| !d.is_zero()) {
        let (ac, bc) = (median(raw_cpu), median(full_cpu));
        println!(
            "time on a core (what neighbours cannot inflate): (a) median {:8.1} ms, (b) median {:8.1} ms, ratio {:.2}x",
            ms(ac),
            ms(bc),
            bc.as_secs_f64() / ac.as_secs_f64()
        );
    }
    println!(
        "median ratio (b)/(a): {median_ratio:.2}x (target <= 3x); (b) median {:.2} s (target < 2 s for 1,000,000 events)",
        b.as_secs_f64()
    );
}
