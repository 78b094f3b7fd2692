//! The tamper suite of issue 5, through the CLI: a workspace with real activity (two changed
//! accounts held, called back, approved and released, so the log holds approvals' countersigned
//! checkpoints and releases' checkpoints) is edited directly in its SQLite file, dropping the
//! append-only triggers as an attacker with the file would, and `audit verify` must exit 1 and
//! name the problem and the first bad event: a changed field, a deleted row, an inserted row, two
//! swapped rows, a cut tail, a chain recomputed after a change, an edited or forged checkpoint,
//! a missing countersignature. A cut tail whose checkpoints were deleted too, and a database
//! replaced by an older copy, are invisible from inside the database: they are caught only
//! against a checkpoint kept outside it (`audit checkpoint --out`, or an evidence bundle).
//!
//! The auditor's tools are tested on the same workspace: `audit export` (auditors only) and its
//! filters, `audit verify --bundle` offline with no workspace, `audit log` with filters and
//! `--csv`, `audit checkpoint`, and the approvers' countersignatures on approvals' checkpoints.
//!
//! The workspace is built once through the binary and copied into each test's directory.

mod util;

use std::fs;
use std::sync::OnceLock;

use serde_json::Value;

use util::snapshot::Snapshot;
use util::{details, KeyFiles, Output, TestDir, Workspace};

const FAILED: i32 = 1;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

/// The partner's account from the contract, and the changed one its instructions give.
const CONTRACT_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const CONTRACT_BIC: &str = "COBADEFFXXX";
/// The accounts the instructions change it to, one after the other (valid German IBANs).
const CHANGED: [(&str, &str); 3] = [
    ("DE02 1203 0000 0000 2020 51", "BYLADEM1001"),
    ("DE44 5001 0517 5407 3249 31", "INGDDEFFXXX"),
    ("DE75 5121 0800 1245 1261 99", "SOGEDEFFXXX"),
];

/// The workspace every test starts from.
struct Template {
    files: Snapshot,
    fingerprint: String,
    globex: KeyFiles,
}

/// alice (admin), frank (auditor), clara (clerk), anna (approver); partner Globex with its
/// contract account; two held cases, each called back by clara, approved and released by anna.
fn build_template(dir: &TestDir) -> (String, KeyFiles) {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    // No cooling-off (issue 20): anna releases each change at once (tests/cli_cooling_off.rs has
    // the wait).
    ws.admin(&["--json", "policy", "set", "cooling_off_hours", "0"]).assert_code(0);
    ws.add_user("frank", "auditor");
    ws.add_user("clara", "clerk");
    ws.add_user("anna", "approver");
    let globex = dir.keygen("Globex Corporation", "globex");
    ws.add_partner(&globex, &["--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
    approved_and_released(&ws, &globex, "first", CHANGED[0]);
    // The log keeps whole seconds: the period filters' test needs the two receipts apart.
    next_whole_second();
    approved_and_released(&ws, &globex, "second", CHANGED[1]);
    (ws.fingerprint.clone(), globex)
}

/// Globex changes its account to `(iban, bic)`: held, called back by clara, approved and
/// released by anna. Returns the case id.
fn approved_and_released(ws: &Workspace<'_>, globex: &KeyFiles, name: &str, (iban, bic): (&str, &str)) -> i64 {
    let signed = ws.sign(globex, &details("Globex Corporation", iban, bic, "48250.00"), &format!("{name}.csi"));
    let copy = signed.json["outbox"].as_str().map(String::from).unwrap_or_else(|| signed.file.clone());
    let result = ws.receive("clara", &[&signed.file]).assert_received(HOLD, "hold", Some("bank_details_changed"));
    let id = result["case_id"].as_i64().expect("a case id");
    ws.callback("clara", id, &copy, "+49 30 1234567", "confirmed").assert_code(0);
    ws.run("anna", &["--json", "case", "approve", &id.to_string()]).assert_code(0);
    ws.run("anna", &["--json", "case", "release", &id.to_string()]).assert_code(0);
    id
}

/// Waits until the clock is in a later whole second than when called.
fn next_whole_second() {
    let second = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let start = second();
    while second() == start {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = TestDir::new();
        let (fingerprint, globex) = build_template(&dir);
        Template { files: Snapshot::of(&dir), fingerprint, globex }
    })
}

/// A fresh test directory holding a copy of the template workspace.
fn office(dir: &TestDir) -> Workspace<'_> {
    let t = template();
    t.files.restore_workspace(dir, "Initech GmbH", "alice", &t.fingerprint)
}

fn db(dir: &TestDir) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap()
}

/// Runs SQL on the workspace's database as an attacker with the file would: the append-only
/// triggers dropped first.
fn tamper(dir: &TestDir, sql: &str) {
    let db = db(dir);
    db.execute_batch(
        "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;
         DROP TRIGGER IF EXISTS checkpoints_no_update; DROP TRIGGER IF EXISTS checkpoints_no_delete;",
    )
    .unwrap();
    db.execute_batch(sql).unwrap();
}

fn event_count(dir: &TestDir) -> u64 {
    db(dir).query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

/// A stored checkpoint row.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    size: u64,
    reason: String,
    signer: String,
    note: String,
}

fn checkpoints(dir: &TestDir) -> Vec<Row> {
    let db = db(dir);
    let mut stmt = db.prepare("SELECT id, size, reason, signer, note FROM checkpoints ORDER BY id").unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok(Row { id: r.get(0)?, size: r.get::<_, i64>(1)? as u64, reason: r.get(2)?, signer: r.get(3)?, note: r.get(4)? })
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows
}

/// The seq of the first event with `action`.
fn seq_of(dir: &TestDir, action: &str, nth: usize) -> u64 {
    let db = db(dir);
    let mut stmt = db.prepare("SELECT seq FROM audit_events WHERE action = ?1 ORDER BY seq").unwrap();
    let seqs: Vec<i64> = stmt.query_map([action], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    seqs[nth] as u64
}

/// `audit verify --json [ARGS…]` as frank, the auditor.
fn verify(ws: &Workspace<'_>, args: &[&str]) -> Output {
    let mut full = vec!["--json", "audit", "verify"];
    full.extend_from_slice(args);
    ws.run("frank", &full)
}

/// Asserts exit 1, `intact: false`, the problem code and the first bad seq.
#[track_caller]
fn assert_tampered(out: Output, problem: &str, first_bad_seq: Option<u64>) -> Value {
    let out = out.assert_code(FAILED);
    let report = out.json();
    out.ensure(report["intact"] == false, "expected intact: false");
    out.ensure(report["problem"] == problem, &format!("expected problem {problem:?}"));
    let seq = report["first_bad_seq"].as_u64();
    out.ensure(seq == first_bad_seq, &format!("expected first_bad_seq {first_bad_seq:?}"));
    out.ensure(report["message"].as_str().is_some_and(|m| !m.is_empty()), "expected a message");
    report
}

/// Asserts exit 0 and `intact: true`.
#[track_caller]
fn assert_intact(out: Output) -> Value {
    let out = out.assert_code(0);
    let report = out.json();
    out.ensure(report["intact"] == true && report["problem"].is_null() && report["first_bad_seq"].is_null(), "expected an intact log");
    report
}

/// The size of the checkpoint written at the `nth` release: every event up to that release.
fn release_size(dir: &TestDir, nth: usize) -> u64 {
    checkpoints(dir).iter().filter(|c| c.reason == "release").nth(nth).expect("a release checkpoint").size
}

#[test]
fn an_untouched_log_with_activity_verifies() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let stored = checkpoints(&dir);
    let reasons: Vec<&str> = stored.iter().map(|c| c.reason.as_str()).collect();
    assert_eq!(reasons, ["approval", "release", "approval", "release"], "a checkpoint after every approval and release");
    let events = event_count(&dir);
    let report = assert_intact(verify(&ws, &[]));
    assert_eq!(report["events"].as_u64(), Some(events));
    assert_eq!(report["checkpoints"].as_u64(), Some(4));
    assert_eq!(report["witnessed"].as_u64(), Some(stored[3].size));
    assert_eq!(report["root"].as_str().map(str::len), Some(64));
    // The verification was logged: the next one sees one more event.
    assert_eq!(assert_intact(verify(&ws, &[]))["events"].as_u64(), Some(events + 1));
    ws.run("clara", &["audit", "verify"]).assert_code(NOT_PERMITTED);
}

#[test]
fn a_changed_field_is_caught_at_its_event() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let k = seq_of(&dir, "case.approve", 1);
    tamper(&dir, &format!("UPDATE audit_events SET actor = 'mallory' WHERE seq = {k};"));
    assert_tampered(verify(&ws, &[]), "changed", Some(k));
}

#[test]
fn a_changed_detail_is_caught_at_its_event() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let k = seq_of(&dir, "instruction.receive", 0);
    tamper(&dir, &format!("UPDATE audit_events SET details = replace(details, 'hold', 'accepted') WHERE seq = {k};"));
    let changed: String = db(&dir).query_row(&format!("SELECT details FROM audit_events WHERE seq = {k}"), [], |r| r.get(0)).unwrap();
    assert!(changed.contains("accepted"), "the edit took: {changed}");
    assert_tampered(verify(&ws, &[]), "changed", Some(k));
}

#[test]
fn a_deleted_row_is_caught_where_the_gap_starts() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let k = seq_of(&dir, "case.callback", 0);
    tamper(&dir, &format!("DELETE FROM audit_events WHERE seq = {k};"));
    assert_tampered(verify(&ws, &[]), "deleted", Some(k));
}

#[test]
fn an_inserted_row_is_caught_at_the_forged_event() {
    let dir = TestDir::new();
    let ws = office(&dir);
    // The attacker slips a well-formed approval in before the first release: the later events
    // move up by one, and the forged row is hashed correctly and linked to the event before it.
    let k = seq_of(&dir, "case.release", 0);
    let db = db(&dir);
    let (prev_hash, at): (Vec<u8>, String) =
        db.query_row(&format!("SELECT hash, at FROM audit_events WHERE seq = {}", k - 1), [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    drop(db);
    let prev: [u8; 32] = prev_hash.try_into().unwrap();
    let details = r#"{"note":"approved by phone"}"#;
    let fields =
        countersign_core::audit::chain::EventFields { seq: k, at: &at, actor: "anna", action: "case.approve", subject: "case:1", details };
    let hash = countersign_core::audit::chain::event_hash(&prev, &fields);
    tamper(
        &dir,
        &format!(
            "UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= {k};
             UPDATE audit_events SET seq = -seq WHERE seq < 0;
             INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash)
             VALUES ({k}, '{at}', 'anna', 'case.approve', 'case:1', '{details}', X'{}', X'{}');",
            countersign_core::audit::chain::hex(&prev),
            countersign_core::audit::chain::hex(&hash)
        ),
    );
    let report = assert_tampered(verify(&ws, &[]), "inserted", Some(k));
    assert!(report["message"].as_str().unwrap().contains("inserted"), "{report:#}");
}

/// Regression (issue 16): a row numbered 0 (or below) was invisible to `audit verify` (exit 0)
/// while `audit log` and `case show` showed it; every row is accounted for.
#[test]
fn a_row_numbered_below_1_is_caught_as_inserted() {
    let dir = TestDir::new();
    let ws = office(&dir);
    for seq in [0, -7] {
        tamper(
            &dir,
            &format!(
                "INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash)
                 VALUES ({seq}, '2026-11-23T09:00:00Z', 'anna', 'case.approve', 'case:1', '{{}}', X'{zero}', X'{zero}');",
                zero = "00".repeat(32)
            ),
        );
        let report = assert_tampered(verify(&ws, &[]), "inserted", None);
        assert!(report["message"].as_str().unwrap().contains("numbered"), "{report:#}");
    }
}

/// Regression (issue 16): a stored hash of the wrong length ended `audit verify` with
/// `storage_error` (exit 2) instead of a tamper verdict; it is the row it is in that changed.
#[test]
fn a_stored_hash_of_the_wrong_length_is_caught_as_changed_at_its_event() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let k = seq_of(&dir, "case.approve", 0);
    tamper(&dir, &format!("UPDATE audit_events SET hash = X'0102' WHERE seq = {k};"));
    assert_tampered(verify(&ws, &[]), "changed", Some(k));
}

#[test]
fn swapped_rows_are_caught_as_reordered() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let k = seq_of(&dir, "case.approve", 0);
    tamper(
        &dir,
        &format!(
            "UPDATE audit_events SET seq = -1 WHERE seq = {k};
             UPDATE audit_events SET seq = {k} WHERE seq = {next};
             UPDATE audit_events SET seq = {next} WHERE seq = -1;",
            next = k + 1
        ),
    );
    assert_tampered(verify(&ws, &[]), "reordered", Some(k));
}

#[test]
fn a_cut_tail_is_caught_by_the_checkpoints_that_cover_it() {
    let dir = TestDir::new();
    let ws = office(&dir);
    // Everything after the first release is cut: the second case's approval and release
    // checkpoints still say the log was longer.
    let keep = release_size(&dir, 0);
    assert!(event_count(&dir) > keep + 3);
    tamper(&dir, &format!("DELETE FROM audit_events WHERE seq > {keep};"));
    assert_tampered(verify(&ws, &[]), "truncated", Some(keep + 1));
}

/// The attacker cuts the tail and deletes the checkpoints covering it: the database alone is
/// consistent again. A checkpoint file saved earlier, the export checkpoint of a bundle
/// exported earlier, and a bundle exported now checked against the saved checkpoint, all say
/// the log was cut.
#[test]
fn a_cut_tail_with_its_checkpoints_deleted_is_caught_only_from_outside() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("frank", &["--json", "audit", "checkpoint", "--out", "kept.checkpoint"]).assert_code(0);
    ws.run("frank", &["--json", "audit", "export", "--out", "early.bundle"]).assert_code(0);
    let early = dir.read_json("early.bundle");
    dir.write("early.checkpoint", early["checkpoint"].as_str().unwrap());
    // The bundle verifies on its own.
    assert_intact(ws.dir.countersign(&["--json", "audit", "verify", "--bundle", "early.bundle"]).run());

    let keep = release_size(&dir, 0);
    tamper(&dir, &format!("DELETE FROM audit_events WHERE seq > {keep}; DELETE FROM checkpoints WHERE size > {keep};"));
    assert_eq!(checkpoints(&dir).len(), 2, "only the first case's checkpoints are left");

    // From inside, the log alone shows nothing; the rows the cut events made are still there,
    // and no signed statement backs them (issue 14). An attacker who also removes those rows
    // makes the database consistent again: only a checkpoint kept outside says the log was cut.
    let inside = verify(&ws, &[]).assert_code(1).json();
    assert_eq!(inside["problem"], "state_mismatch", "{inside}");
    assert!(inside["state_mismatches"].as_array().unwrap().iter().any(|m| m["table"] == "cases" && m["row"] == "2"), "{inside}");
    // Against the saved checkpoint, and against the early bundle's checkpoint: cut.
    let count = event_count(&dir);
    assert_tampered(verify(&ws, &["--against", "kept.checkpoint"]), "truncated", Some(count + 1));
    let count = event_count(&dir);
    assert_tampered(verify(&ws, &["--against", "early.checkpoint"]), "truncated", Some(count + 1));

    // A bundle exported now, checked offline against the saved checkpoint: cut.
    ws.run("frank", &["--json", "audit", "export", "--out", "late.bundle"]).assert_code(0);
    let late_size = dir.read_json("late.bundle")["log_size"].as_u64().unwrap();
    let kept_size = countersign_core::audit::checkpoint::Checkpoint::parse_unverified(&dir.read_string("kept.checkpoint")).unwrap().size;
    assert!(late_size < kept_size, "the log is still shorter than the kept checkpoint");
    let out = dir.countersign(&["--json", "audit", "verify", "--bundle", "late.bundle", "--against", "kept.checkpoint"]).run();
    assert_tampered(out, "truncated", Some(late_size + 1));
    // The early bundle is consistent with the kept checkpoint: it was exported before the cut.
    assert_intact(dir.countersign(&["--json", "audit", "verify", "--bundle", "early.bundle", "--against", "kept.checkpoint"]).run());
}

#[test]
fn an_older_copy_of_the_database_is_caught_against_a_newer_kept_checkpoint() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("frank", &["--json", "audit", "checkpoint", "--out", "old.checkpoint"]).assert_code(0);
    let db_files = |d: &TestDir| d.entries("ws").into_iter().filter(|n| n.starts_with("countersign.db")).collect::<Vec<_>>();
    let old_files: Vec<(String, Vec<u8>)> = db_files(&dir).into_iter().map(|n| (n.clone(), dir.read(format!("ws/{n}")))).collect();
    let old_count = event_count(&dir);

    // More activity, and a newer checkpoint kept outside.
    ws.add_user("bob", "clerk");
    approved_and_released(&ws, &template().globex, "third", CHANGED[2]);
    ws.run("frank", &["--json", "audit", "checkpoint", "--out", "new.checkpoint"]).assert_code(0);

    // The older copy put back in place of the database.
    for name in db_files(&dir) {
        fs::remove_file(dir.join(format!("ws/{name}"))).unwrap();
    }
    for (name, bytes) in &old_files {
        dir.write(format!("ws/{name}"), bytes);
    }
    assert_eq!(event_count(&dir), old_count);

    // The old copy is consistent in itself and with the checkpoint kept from its time…
    assert_intact(verify(&ws, &[]));
    assert_intact(verify(&ws, &["--against", "old.checkpoint"]));
    // …but not with the newer one.
    let count = event_count(&dir);
    let report = assert_tampered(verify(&ws, &["--against", "new.checkpoint"]), "truncated", Some(count + 1));
    assert!(report["message"].as_str().unwrap().contains("older copy"), "{report:#}");
}

#[test]
fn a_recomputed_chain_is_caught_by_the_signed_checkpoints() {
    let dir = TestDir::new();
    let ws = office(&dir);
    // The attacker who knows the format: change the second case's receipt to name clara's
    // colleague, and recompute every later hash and link.
    let k = seq_of(&dir, "instruction.receive", 1);
    let db = db(&dir);
    db.execute_batch("DROP TRIGGER audit_events_no_update;").unwrap();
    let rows: Vec<(i64, String, String, String, String, String)> = {
        let mut stmt = db.prepare("SELECT seq, at, actor, action, subject, details FROM audit_events ORDER BY seq").unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        rows
    };
    let mut prev = countersign_core::audit::chain::GENESIS;
    for (seq, at, actor, action, subject, details) in rows {
        let actor = if seq as u64 == k { "carl".to_string() } else { actor };
        let fields = countersign_core::audit::chain::EventFields {
            seq: seq as u64,
            at: &at,
            actor: &actor,
            action: &action,
            subject: &subject,
            details: &details,
        };
        let hash = countersign_core::audit::chain::event_hash(&prev, &fields);
        db.execute(
            "UPDATE audit_events SET actor = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![actor, &prev[..], &hash[..], seq],
        )
        .unwrap();
        prev = hash;
    }
    drop(db);
    // The first checkpoint that covers event k fails; the ones before it still hold, so the
    // first bad event is right after the newest of those.
    let good = checkpoints(&dir).iter().map(|c| c.size).filter(|&s| s < k).max().unwrap();
    assert_eq!(good, release_size(&dir, 0));
    assert_tampered(verify(&ws, &[]), "rewritten", Some(good + 1));
}

#[test]
fn a_deleted_checkpoint_of_an_approval_is_caught_at_the_approval() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let approval = seq_of(&dir, "case.approve", 0);
    let row = checkpoints(&dir).into_iter().find(|c| c.reason == "approval" && c.size == approval).expect("the approval's checkpoint");
    tamper(&dir, &format!("DELETE FROM checkpoints WHERE id = {};", row.id));
    assert_tampered(verify(&ws, &[]), "missing_checkpoint", Some(approval));
}

#[test]
fn an_edited_checkpoint_row_is_caught() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let first = &checkpoints(&dir)[0];
    tamper(&dir, &format!("UPDATE checkpoints SET size = size - 1 WHERE id = {};", first.id));
    assert_tampered(verify(&ws, &[]), "bad_checkpoint", None);
}

#[test]
fn an_edited_checkpoint_note_is_caught() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let release = checkpoints(&dir).into_iter().find(|c| c.reason == "release").unwrap();
    // Another time in the signed body: the audit key's signature no longer verifies.
    let edited = release.note.replacen("\ntime 20", "\ntime 19", 1);
    assert_ne!(edited, release.note);
    let db = db(&dir);
    db.execute_batch("DROP TRIGGER checkpoints_no_update;").unwrap();
    db.execute("UPDATE checkpoints SET note = ?1 WHERE id = ?2", rusqlite::params![edited, release.id]).unwrap();
    drop(db);
    assert_tampered(verify(&ws, &[]), "bad_checkpoint", None);
}

#[test]
fn an_approval_checkpoint_without_the_approvers_countersignature_is_caught() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let approval = checkpoints(&dir).into_iter().find(|c| c.reason == "approval").unwrap();
    assert_eq!(approval.signer, "anna");
    let lines: Vec<&str> = approval.note.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("\u{2014} countersign-user:anna ")), "{}", approval.note);
    let stripped: String =
        approval.note.lines().filter(|l| !l.starts_with("\u{2014} countersign-user:")).map(|l| format!("{l}\n")).collect();
    assert_ne!(stripped, approval.note);
    let db = db(&dir);
    db.execute_batch("DROP TRIGGER checkpoints_no_update;").unwrap();
    db.execute("UPDATE checkpoints SET note = ?1 WHERE id = ?2", rusqlite::params![stripped, approval.id]).unwrap();
    drop(db);
    assert_tampered(verify(&ws, &[]), "bad_countersignature", Some(approval.size));
}

/// Regression (issue 16): countersignatures were also checked against the key in the `users`
/// table, so replacing an approver's key there and re-signing his countersignature passed. Only
/// keys the log itself records (`user.key_create`) count.
#[test]
fn an_approvers_key_replaced_in_the_users_table_and_re_signed_is_caught() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let approval = checkpoints(&dir).into_iter().find(|c| c.reason == "approval").unwrap();
    let stripped: String =
        approval.note.lines().filter(|l| !l.starts_with("\u{2014} countersign-user:")).map(|l| format!("{l}\n")).collect();
    let forger = countersign_core::format::keys::KeyPair::from_seed(&[66; 32]);
    let forged = countersign_core::audit::checkpoint::Checkpoint::cosign(&stripped, "anna", &forger).unwrap();
    let db = db(&dir);
    db.execute_batch("DROP TRIGGER checkpoints_no_update;").unwrap();
    db.execute("UPDATE checkpoints SET note = ?1 WHERE id = ?2", rusqlite::params![forged, approval.id]).unwrap();
    db.execute("UPDATE users SET public_key = ?1 WHERE name = 'anna'", rusqlite::params![forger.public_key().to_bytes().to_vec()]).unwrap();
    drop(db);
    assert_tampered(verify(&ws, &[]), "bad_countersignature", Some(approval.size));
}

#[test]
fn a_checkpoint_of_another_workspace_is_refused_as_foreign() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let other = dir.init_workspace("other", "Umbrella Logistics S.L.", "olga");
    other.admin(&["--json", "audit", "checkpoint", "--out", "foreign.checkpoint"]).assert_code(0);
    assert_tampered(verify(&ws, &["--against", "foreign.checkpoint"]), "foreign_checkpoint", None);
    // And the workspace's own checkpoint is accepted.
    ws.run("frank", &["--json", "audit", "checkpoint", "--out", "own.checkpoint"]).assert_code(0);
    let report = assert_intact(verify(&ws, &["--against", "own.checkpoint"]));
    assert!(report["against"]["consistency_proof"].is_array(), "{report:#}");
}

// ---------------------------------------------------------------------------------------------
// The auditor's tools on the same workspace: evidence bundles, the listing, saved checkpoints
// and the approvers' countersignatures.

/// The seqs of the events a SQL condition chooses, oldest first (what a filter should select).
fn seqs_where(dir: &TestDir, condition: &str) -> Vec<u64> {
    let db = db(dir);
    let mut stmt = db.prepare(&format!("SELECT seq FROM audit_events WHERE {condition} ORDER BY seq")).unwrap();
    let seqs = stmt.query_map([], |r| r.get::<_, i64>(0)).unwrap().map(|s| s.unwrap() as u64).collect();
    seqs
}

/// `audit export --out FILE ARGS…` as frank; returns the bundle.
#[track_caller]
fn export(ws: &Workspace<'_>, out: &str, args: &[&str]) -> Value {
    let mut full = vec!["--json", "audit", "export", "--out", out];
    full.extend_from_slice(args);
    let run = ws.run("frank", &full).assert_code(0);
    let bundle = ws.dir.read_json(out);
    run.ensure(run.json()["events"] == bundle["events"].as_array().unwrap().len(), "the report counts the bundle's events");
    bundle
}

fn bundle_seqs(bundle: &Value) -> Vec<u64> {
    bundle["events"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect()
}

/// The statements every bundle carries whatever its filter (issue 14): what signers' keys and
/// roles and the policy rest on, so that its signed decisions can be checked offline.
const AUTHORITY: &str = "action IN ('workspace.init', 'workspace.upgrade', 'user.add', 'user.key_create', 'user.disable', \
     'user.enable', 'policy.set', 'change.propose', 'change.approve', 'change.reject')";

/// The sequence numbers a bundle with the filter `condition` holds: the chosen events and the
/// authority statements, in order.
fn chosen_and_authority(dir: &TestDir, condition: &str) -> Vec<u64> {
    seqs_where(dir, &format!("({condition}) OR {AUTHORITY}"))
}

#[test]
fn audit_export_is_for_auditors_and_its_filters_choose_the_events() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("clara", &["audit", "export", "--out", "clara.bundle"]).assert_code(NOT_PERMITTED);
    ws.run("alice", &["audit", "export", "--out", "alice.bundle"]).assert_code(NOT_PERMITTED);
    assert!(!dir.exists("clara.bundle") && !dir.exists("alice.bundle"));

    // One case: its receipt, challenge, callback, approval and release, nothing else.
    let case1 = export(&ws, "case1.bundle", &["--case", "1"]);
    let about_case: Vec<&Value> = case1["events"].as_array().unwrap().iter().filter(|e| e["subject"] == "case:1").collect();
    let actions: Vec<&str> = about_case.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["instruction.receive", "case.challenge", "case.callback", "case.approve", "case.release"], "{case1:#}");
    assert_eq!(case1["filter"], serde_json::json!({ "case": 1 }));
    assert_eq!(bundle_seqs(&case1), chosen_and_authority(&dir, "subject = 'case:1'"));
    assert_eq!(case1["events"][0]["action"], "workspace.init", "the root of the statements comes first");

    // The partner: its onboarding and both of its cases.
    let partner = export(&ws, "partner.bundle", &["--partner", "1"]);
    assert_eq!(bundle_seqs(&partner), chosen_and_authority(&dir, "subject IN ('partner:1', 'case:1', 'case:2')"));
    assert!(partner["events"].as_array().unwrap().iter().any(|e| e["action"] == "partner.add"));

    // An actor; an action and an action prefix.
    let anna = export(&ws, "anna.bundle", &["--actor", "anna"]);
    assert!(!bundle_seqs(&anna).is_empty());
    assert_eq!(bundle_seqs(&anna), chosen_and_authority(&dir, "actor = 'anna'"));
    let approvals = export(&ws, "approvals.bundle", &["--action", "case.approve"]);
    assert_eq!(bundle_seqs(&approvals), chosen_and_authority(&dir, "action = 'case.approve'"));
    assert_eq!(seqs_where(&dir, "action = 'case.approve'").len(), 2);
    let cases = export(&ws, "cases.bundle", &["--action", "case"]);
    assert_eq!(bundle_seqs(&cases), chosen_and_authority(&dir, "action LIKE 'case.%'"));

    // A period: from the second case's receipt on, until a date long past, from a date long past.
    let second = seq_of(&dir, "instruction.receive", 1);
    let at: String = db(&dir).query_row(&format!("SELECT at FROM audit_events WHERE seq = {second}"), [], |r| r.get(0)).unwrap();
    let later = export(&ws, "later.bundle", &["--from", &at, "--action", "instruction"]);
    assert_eq!(bundle_seqs(&later), chosen_and_authority(&dir, &format!("action LIKE 'instruction.%' AND at >= '{at}'")));
    assert!(bundle_seqs(&later).contains(&second) && !bundle_seqs(&later).contains(&seq_of(&dir, "instruction.receive", 0)));
    assert_eq!(bundle_seqs(&export(&ws, "none.bundle", &["--until", "2000-01-01"])), seqs_where(&dir, AUTHORITY));
    let all = export(&ws, "all.bundle", &["--from", "2000-01-01"]);
    assert_eq!(bundle_seqs(&all), seqs_where(&dir, "1"), "every event up to the export");
    assert_eq!(all["log_size"].as_u64(), Some(event_count(&dir)), "the export's own event is in the signed log");
    ws.run("frank", &["audit", "export", "--out", "bad.bundle", "--from", "yesterday"]).assert_code(2);
}

#[test]
fn a_bundle_verifies_offline_and_an_edit_or_another_audit_key_is_caught() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let audit_key = assert_intact(verify(&ws, &[]))["audit_keys"][0].as_str().unwrap().to_string();
    export(&ws, "case2.bundle", &["--case", "2"]);
    // Elsewhere, with no workspace at all: only the bundle.
    dir.write("elsewhere/case2.bundle", dir.read("case2.bundle"));
    let offline = |bundle: &str, extra: &[&str]| {
        let mut args = vec!["--json", "audit", "verify", "--bundle", bundle];
        args.extend_from_slice(extra);
        let mut cmd = dir.countersign(&args);
        cmd.current_dir("elsewhere");
        cmd.run()
    };
    let report = assert_intact(offline("case2.bundle", &[]));
    assert_eq!(report["audit_key"], audit_key.as_str());
    assert_eq!(report["organisation"], "Initech GmbH");
    assert_eq!(report["org_fingerprint"], ws.fingerprint.as_str());
    let authority = seqs_where(&dir, AUTHORITY).len() as u64;
    assert_eq!(report["events"].as_u64(), Some(5 + authority), "the case's five events and the authority statements");
    assert_eq!(report["statements_checked"], true, "{report}");
    assert_intact(offline("case2.bundle", &["--audit-key", &audit_key]));
    assert_eq!(dir.entries("elsewhere"), ["case2.bundle"], "nothing written, no workspace made");

    // Another key expected: the organisation's own key is not the audit key.
    assert_tampered(offline("case2.bundle", &["--audit-key", &ws.fingerprint]), "foreign_checkpoint", None);

    // An event's details edited in the file.
    let mut bundle = dir.read_json("case2.bundle");
    let event = &mut bundle["events"][3];
    let seq = event["seq"].as_u64().unwrap();
    let details = event["details"].as_str().unwrap().to_string();
    let mut parsed: Value = serde_json::from_str(&details).unwrap();
    parsed["forged"] = Value::Bool(true);
    event["details"] = Value::String(countersign_core::audit::chain::canonical_json(&parsed));
    dir.write("elsewhere/edited.bundle", serde_json::to_vec_pretty(&bundle).unwrap());
    assert_tampered(offline("edited.bundle", &[]), "changed", Some(seq));
}

#[test]
fn audit_log_lists_with_filters_and_as_csv() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("clara", &["--json", "audit", "log"]).assert_code(NOT_PERMITTED);
    ws.run("clara", &["audit", "log", "--csv"]).assert_code(NOT_PERMITTED);

    let listed = |user: &str, args: &[&str]| -> Vec<Value> {
        let mut full = vec!["--json", "audit", "log"];
        full.extend_from_slice(args);
        let out = ws.run(user, &full).assert_code(0);
        out.json().as_array().unwrap_or_else(|| out.fail("expected a JSON array")).clone()
    };
    let seqs = |events: &[Value]| events.iter().map(|e| e["seq"].as_u64().unwrap()).collect::<Vec<_>>();
    // The admin may read the log too; everything, oldest first, details as JSON.
    let all = listed("alice", &[]);
    assert_eq!(seqs(&all), seqs_where(&dir, "1"));
    assert!(all.iter().all(|e| e["details"].is_object() && e["hash"].as_str().map(str::len) == Some(64)));
    assert_eq!(seqs(&listed("frank", &["--case", "2"])), seqs_where(&dir, "subject = 'case:2'"));
    assert_eq!(seqs(&listed("frank", &["--partner", "1"])), seqs_where(&dir, "subject IN ('partner:1', 'case:1', 'case:2')"));
    assert_eq!(seqs(&listed("frank", &["--actor", "clara"])), seqs_where(&dir, "actor = 'clara'"));
    assert_eq!(seqs(&listed("frank", &["--action", "case.release"])), seqs_where(&dir, "action = 'case.release'"));
    assert_eq!(
        seqs(&listed("frank", &["--actor", "anna", "--action", "case"])),
        seqs_where(&dir, "actor = 'anna' AND action LIKE 'case.%'")
    );
    assert!(listed("frank", &["--until", "2000-01-01"]).is_empty());
    assert_eq!(listed("frank", &["--from", "2000-01-01"]).len(), all.len());

    // CSV is not JSON: asking for both is a usage error, wherever --json is given.
    ws.run("frank", &["--json", "audit", "log", "--csv"]).assert_code(2);
    ws.run("frank", &["audit", "log", "--csv", "--json"]).assert_code(2);

    // CSV: a header row, then one row per event, quoted where a field needs it.
    let out = ws.run("frank", &["audit", "log", "--csv", "--actor", "clara"]).assert_code(0);
    let text = out.stdout();
    assert!(text.starts_with("seq,at,actor,action,subject,details,hash\n"), "{text}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let expected = seqs_where(&dir, "actor = 'clara'");
    assert_eq!(rows.iter().map(|r| r[0].parse::<u64>().unwrap()).collect::<Vec<_>>(), expected);
    assert_eq!(text.lines().count(), expected.len() + 1, "one line per event: no field breaks a line");
    let receive = rows.iter().find(|r| &r[3] == "instruction.receive").unwrap();
    assert_eq!(&receive[2], "clara");
    let details: Value = serde_json::from_str(&receive[5]).unwrap();
    assert!(details.is_object());
    // The details hold quotes and commas, so the raw line quotes the field and doubles quotes.
    let raw = text.lines().find(|l| l.contains("instruction.receive")).unwrap();
    assert!(raw.contains(",\"{\"\""), "{raw}");
    // The same events as the JSON listing, with the same hashes.
    let json = listed("frank", &["--actor", "clara"]);
    assert!(rows.iter().zip(&json).all(|(r, j)| &r[6] == j["hash"].as_str().unwrap()));
}

#[test]
fn a_saved_checkpoint_is_signed_by_the_audit_key_and_verifies_against_the_log() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let out = ws.run("frank", &["--json", "audit", "checkpoint", "--out", "saved.checkpoint"]).assert_code(0);
    let note = out.json_str("checkpoint");
    assert_eq!(dir.read_string("saved.checkpoint"), note, "the file holds the note printed");
    // Text output is the note itself, ready to keep.
    let text = ws.run("frank", &["audit", "checkpoint"]).assert_code(0).stdout();
    assert!(text.starts_with("countersign/audit/"), "{text}");

    let bundle = export(&ws, "all.bundle", &[]);
    let audit_key = countersign_core::format::keys::PublicKey::from_base64(bundle["audit_keys"][0].as_str().unwrap()).unwrap();
    let checkpoint = countersign_core::audit::checkpoint::Checkpoint::verify(&note, &audit_key).unwrap();
    let digits = countersign_core::format::fingerprint::Fingerprint::parse_canonical(&ws.fingerprint).unwrap().digits().to_string();
    assert_eq!(checkpoint.origin, format!("countersign/audit/{digits}"));
    assert_eq!(checkpoint.size, seq_of(&dir, "audit.checkpoint", 0), "it covers the log up to its own event");
    let stored = checkpoints(&dir).into_iter().find(|c| c.reason == "saved").unwrap();
    assert_eq!((stored.note.as_str(), stored.signer.as_str()), (note.as_str(), "frank"), "and it is stored");

    let report = assert_intact(verify(&ws, &["--against", "saved.checkpoint"]));
    assert_eq!(report["against"]["old_size"].as_u64(), Some(checkpoint.size));
    assert_eq!(report["against"]["new_size"], report["events"]);
    assert_intact(dir.countersign(&["--json", "audit", "verify", "--bundle", "all.bundle", "--against", "saved.checkpoint"]).run());
    // A clerk may not save one.
    ws.run("clara", &["audit", "checkpoint"]).assert_code(NOT_PERMITTED);
}

#[test]
fn each_approval_writes_a_checkpoint_countersigned_by_the_approver() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let bundle = export(&ws, "all.bundle", &[]);
    let users: Vec<(String, countersign_core::format::keys::PublicKey)> = bundle["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_string(),
                countersign_core::format::keys::PublicKey::from_base64(u["public_key"].as_str().unwrap()).unwrap(),
            )
        })
        .collect();
    let stored = checkpoints(&dir);
    let approvals: Vec<&Row> = stored.iter().filter(|c| c.reason == "approval").collect();
    assert_eq!(approvals.len(), 2);
    for (nth, approval) in approvals.iter().enumerate() {
        assert_eq!(approval.signer, "anna");
        assert_eq!(approval.size, seq_of(&dir, "case.approve", nth), "it covers the log up to the approval");
        assert!(approval.note.lines().any(|l| l.starts_with("\u{2014} countersign-user:anna ")), "{}", approval.note);
        assert_eq!(countersign_core::audit::checkpoint::Checkpoint::cosigners(&approval.note, &users), ["anna"]);
    }
    for release in stored.iter().filter(|c| c.reason == "release") {
        assert!(!release.note.contains("countersign-user:"), "releases are signed by the audit key only: {}", release.note);
        assert!(countersign_core::audit::checkpoint::Checkpoint::cosigners(&release.note, &users).is_empty());
    }
}
