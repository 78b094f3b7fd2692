//! `audit verify` through the CLI: an intact log passes; a log edited directly in the SQLite
//! file, bypassing the append-only triggers, is caught and the first bad event named.

mod util;

use util::TestDir;

fn tamper(dir: &TestDir, sql: &str) {
    let db = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    db.execute_batch("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;").unwrap();
    db.execute_batch(sql).unwrap();
}

fn workspace(dir: &TestDir) -> util::Workspace<'_> {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("frank", "auditor");
    ws.add_user("clara", "clerk");
    ws
}

#[test]
fn an_intact_log_verifies_and_the_verification_is_logged() {
    let dir = TestDir::new();
    let ws = workspace(&dir);
    let first = ws.run("frank", &["--json", "audit", "verify"]).assert_code(0).json();
    assert_eq!(first["intact"], true);
    let second = ws.run("frank", &["--json", "audit", "verify"]).assert_code(0).json();
    assert_eq!(second["events"].as_u64(), first["events"].as_u64().map(|n| n + 1), "the first verification was logged");
    ws.run("clara", &["audit", "verify"]).assert_code(4);
}

#[test]
fn a_changed_event_is_caught() {
    let dir = TestDir::new();
    let ws = workspace(&dir);
    tamper(&dir, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;");
    let out = ws.run("frank", &["--json", "audit", "verify"]).assert_code(1);
    let report = out.json();
    out.ensure(report["first_bad_seq"] == 3 && report["problem"] == "changed", "expected event 3 changed");
}

#[test]
fn a_deleted_event_is_caught() {
    let dir = TestDir::new();
    let ws = workspace(&dir);
    tamper(&dir, "DELETE FROM audit_events WHERE seq = 2;");
    let out = ws.run("frank", &["--json", "audit", "verify"]).assert_code(1);
    out.ensure(out.json()["problem"] == "deleted", "expected a deletion");
}

#[test]
fn swapped_events_are_caught() {
    let dir = TestDir::new();
    let ws = workspace(&dir);
    tamper(
        &dir,
        "UPDATE audit_events SET seq = -2 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = -2;",
    );
    let out = ws.run("frank", &["--json", "audit", "verify"]).assert_code(1);
    out.ensure(out.json()["first_bad_seq"] == 2, "expected the swap caught at event 2");
}
