//! Scenario tests of `workspace backup` and `workspace restore` (issue 17, item 6, SQLite):
//! a backup taken while another process is receiving files is a consistent copy whose log
//! verifies; restored into an empty directory it holds the same cases and passes `audit verify`;
//! restore refuses a directory that holds a workspace, something that is not a regular file, a
//! file that is not a workspace, one of a newer schema and a copy whose log was edited by hand,
//! each with a clear message and nothing left behind; backup never writes over a file, and a
//! clerk may not make one.
//!
//! Secrets come from the environment only; every user's password is [`util::password_of`].

mod util;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use time::OffsetDateTime;

use util::{details, library_instruction, password_of, TestDir, Workspace};

/// Exit codes of CONTRACT.md.
const OK: i32 = 0;
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

/// Globex's account as known from the contract.
const CONTRACT_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const CONTRACT_BIC: &str = "COBADEFFXXX";

/// Our workspace `ws` (admin alice, clerk clara, auditor frank) with Globex onboarded, and
/// `files` instructions Globex signed for us in `inbox/`, not yet received.
fn office(dir: &TestDir, files: usize) -> (Workspace<'_>, Vec<String>) {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    ws.add_user("frank", "auditor");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE", "--domain", "globex.com"]);
    ws.add_partner(&globex, &["--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
    let key = dir.unlock(&globex);
    let now = OffsetDateTime::now_utc();
    let paths = (0..files)
        .map(|i| {
            let usual = details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "1250.00");
            let bytes = library_instruction(&key, &ws.fingerprint, &usual, &format!("inv-{i:04}"), now, |_| {});
            let path = format!("inbox/{i:04}.csi");
            dir.write(&path, bytes);
            path
        })
        .collect();
    (ws, paths)
}

/// `workspace backup --out OUT --json` as `user`.
fn backup(ws: &Workspace<'_>, user: &str, out: &str) -> util::Output {
    ws.run(user, &["--json", "workspace", "backup", "--out", out])
}

/// `workspace restore --from FROM --json` into `data_dir` (no user: nobody is signed in yet).
fn restore(dir: &TestDir, from: &str, data_dir: &str) -> util::Output {
    dir.countersign(&["--json", "--data-dir", data_dir, "workspace", "restore", "--from", from]).run()
}

/// The same users and passwords, in the workspace restored into `data_dir`.
fn restored<'a>(ws: &Workspace<'a>, data_dir: &str) -> Workspace<'a> {
    Workspace {
        dir: ws.dir,
        data_dir: data_dir.to_string(),
        org_name: ws.org_name.clone(),
        admin: ws.admin.clone(),
        card: ws.card.clone(),
        fingerprint: ws.fingerprint.clone(),
        database: None,
    }
}

/// Cases in the database file `path`, read directly.
fn cases_in(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0)).unwrap()
}

/// No temporary copy left anywhere in the test directory.
fn assert_no_leftovers(dir: &TestDir) {
    let listing = dir.listing();
    assert!(!listing.contains(".tmp"), "a temporary copy was left behind:\n{listing}");
}

#[test]
fn a_backup_taken_while_another_process_receives_files_is_a_copy_that_verifies() {
    const FILES: usize = 240;
    let dir = TestDir::new();
    let (ws, files) = office(&dir, FILES);
    // A clerk's process receives the files, 30 at a time, one run after another.
    let (root, home) = (dir.path().to_path_buf(), dir.home());
    let receiving = std::thread::spawn(move || {
        for chunk in files.chunks(30) {
            let done = Command::new(env!("CARGO_BIN_EXE_countersign"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &home)
                .env("COUNTERSIGN_PASSWORD", password_of("clara"))
                .args(["--data-dir", "ws", "--as", "clara", "receive"])
                .args(chunk)
                .current_dir(&root)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
                .expect("run countersign receive");
            let status = done.status.code();
            assert!(matches!(status, Some(OK) | Some(HOLD)), "receive failed: {status:?}\n{}", String::from_utf8_lossy(&done.stderr));
        }
    });
    // Backups, one after another, for as long as the receipts go on.
    let mut backups = Vec::new();
    while !receiving.is_finished() {
        let out = format!("backup-{}.db", backups.len());
        let made = backup(&ws, "frank", &out).assert_code(OK);
        made.ensure(made.json()["sha256"].as_str().is_some_and(|h| h.len() == 64), "expected the copy's SHA-256");
        backups.push(out);
    }
    receiving.join().expect("every receive run succeeded");
    // At least one copy was taken halfway through the run: consistent, and its log verifies.
    let halfway = backups
        .iter()
        .find(|b| (1..FILES as i64).contains(&cases_in(&dir.join(b))))
        .unwrap_or_else(|| dir.fail(&format!("no backup was taken while the files were received: {backups:?}")));
    let cases = cases_in(&dir.join(halfway));
    let facts = restore(&dir, halfway, "restored").assert_code(OK).json();
    let copy = restored(&ws, "restored");
    let verify = copy.run("frank", &["--json", "audit", "verify"]).assert_code(OK);
    verify.ensure(verify.json()["intact"] == true, "expected the restored log intact");
    verify.ensure(verify.json()["events"] == facts["events"] && verify.json()["root"] == facts["root"], "expected the backup's log");
    let listed = copy.run("clara", &["--json", "case", "list"]).assert_code(OK).json()["cases"].as_array().map_or(0, Vec::len);
    assert_eq!(listed as i64, cases, "case list shows the cases the copy holds");
    assert_no_leftovers(&dir);
}

#[test]
fn a_restored_backup_holds_the_same_cases_and_its_log_verifies() {
    let dir = TestDir::new();
    let (ws, files) = office(&dir, 3);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let received = ws.receive("clara", &files);
    assert!(matches!(received.code(), OK | HOLD), "{received}");
    let made = backup(&ws, "alice", "initech.backup").assert_code(OK).json();
    assert_eq!(made["path"], "initech.backup");
    assert_eq!(made["size"].as_u64(), Some(std::fs::metadata(dir.join("initech.backup")).unwrap().len()));
    // The backup is logged in the workspace it was taken from, with the copy's hash.
    let log = ws.run("frank", &["--json", "audit", "log", "--action", "workspace.backup"]).assert_code(OK).json();
    let logged = log.as_array().and_then(|events| events.last()).cloned().unwrap_or(Value::Null);
    assert_eq!(logged["details"]["sha256"], made["sha256"], "{log:#}");
    assert_eq!(logged["details"]["events"], made["events"], "{log:#}");

    let facts = restore(&dir, "initech.backup", "restored").assert_code(OK).json();
    for field in ["size", "sha256", "events", "root"] {
        assert_eq!(facts[field], made[field], "{field}: the restored file is the backup");
    }
    assert_eq!(facts["path"], "restored/countersign.db");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("restored/countersign.db")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the workspace database is readable by its owner only");
    }
    let copy = restored(&ws, "restored");
    let verify = copy.run("frank", &["--json", "audit", "verify"]).assert_code(OK).json();
    assert_eq!((&verify["intact"], &verify["events"], &verify["root"]), (&Value::Bool(true), &made["events"], &made["root"]));
    let before = ws.run("clara", &["--json", "case", "list"]).assert_code(OK).json();
    let after = copy.run("clara", &["--json", "case", "list"]).assert_code(OK).json();
    assert_eq!(before, after, "the same cases");
    let text = dir.countersign(&["--data-dir", "again", "workspace", "restore", "--from", "initech.backup"]).run().assert_code(OK).stdout();
    assert!(text.contains("Restored initech.backup as the workspace in again"), "{text}");
    assert_no_leftovers(&dir);
}

#[test]
fn restore_refuses_what_it_cannot_trust_and_leaves_nothing_behind() {
    let dir = TestDir::new();
    let (ws, _) = office(&dir, 0);
    backup(&ws, "alice", "initech.backup").assert_code(OK);
    let refused = |from: &str, exit: i32, code: &str, says: &str| {
        let out = restore(&dir, from, "restored").assert_code(exit);
        out.ensure(out.json()["error"]["code"] == code, &format!("expected {code}"));
        out.ensure(out.json()["error"]["message"].as_str().is_some_and(|m| m.contains(says)), &format!("expected {says:?}"));
        out.ensure(!dir.exists("restored"), "nothing may be left behind");
    };
    // A place that holds a workspace already: it is left as it was.
    let ws_before = dir.entries("ws");
    let out = restore(&dir, "initech.backup", "ws").assert_code(USAGE);
    out.ensure(out.json()["error"]["code"] == "workspace_exists", "expected workspace_exists");
    assert_eq!(dir.entries("ws"), ws_before);
    // Not a regular file: a directory, and a FIFO (which would block a read forever).
    dir.mkdir("a-directory");
    refused("a-directory", USAGE, "invalid_input", "not a regular file");
    #[cfg(unix)]
    {
        let made = Command::new("mkfifo").arg(dir.join("pipe")).status().expect("mkfifo (coreutils) runs");
        assert!(made.success());
        refused("pipe", USAGE, "invalid_input", "not a regular file");
    }
    refused("missing.backup", USAGE, "invalid_input", "cannot read");
    // Not a workspace: text, and another program's SQLite database.
    dir.write("notes.txt", "the minutes of Tuesday's meeting, not a workspace");
    refused("notes.txt", USAGE, "invalid_input", "not a Countersign workspace");
    rusqlite::Connection::open(dir.join("other.db")).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    refused("other.db", USAGE, "invalid_input", "not a Countersign workspace");
    // Written by a newer Countersign.
    let newer = edited_copy(&dir, "newer.backup", "PRAGMA user_version = 99;");
    refused(&newer, USAGE, "newer_workspace", "newer version of Countersign");
    // A copy whose log was edited by hand: the append-only trigger dropped and an event changed.
    let edited =
        edited_copy(&dir, "edited.backup", "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;");
    refused(&edited, FAILED, "check_failed", "the trigger audit_events_no_update is missing");
    // The same edit with the trigger put back: the log check finds the changed event.
    let trigger = "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events\nBEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";
    rusqlite::Connection::open(dir.join(&edited)).unwrap().execute_batch(trigger).unwrap();
    refused(&edited, FAILED, "check_failed", "does not verify (changed)");
    assert_no_leftovers(&dir);
}

/// A copy of `initech.backup` named `name`, with `sql` run on it.
fn edited_copy(dir: &TestDir, name: &str, sql: &str) -> String {
    std::fs::copy(dir.join("initech.backup"), dir.join(name)).unwrap();
    rusqlite::Connection::open(dir.join(name)).unwrap().execute_batch(sql).unwrap();
    name.to_string()
}

#[test]
fn backup_never_writes_over_a_file_and_a_clerk_may_not_make_one() {
    let dir = TestDir::new();
    let (ws, _) = office(&dir, 0);
    dir.write("taken.db", "someone else's file");
    let out = backup(&ws, "alice", "taken.db").assert_code(USAGE);
    out.ensure(out.json()["error"]["code"] == "file_exists", "expected file_exists");
    assert_eq!(dir.read_string("taken.db"), "someone else's file");
    let out = backup(&ws, "clara", "clerk.db").assert_code(NOT_PERMITTED);
    out.ensure(out.json()["error"]["code"] == "not_permitted", "expected not_permitted");
    out.ensure(!dir.exists("clerk.db"), "no backup written");
    // The refusal is logged; an auditor's backup is not refused.
    let log = ws.run("frank", &["--json", "audit", "log", "--actor", "clara"]).assert_code(OK).json();
    assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "permission.denied"), "{log:#}");
    backup(&ws, "frank", "frank.db").assert_code(OK);
    assert_no_leftovers(&dir);
}
