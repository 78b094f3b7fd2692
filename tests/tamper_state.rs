//! The tamper suite of issue 14, through the CLI: an attacker with write access to the workspace
//! file edits the rows the controls read (cases, users, roles, keys, accounts, numbers, domains,
//! policy, our account), dropping the log's triggers where needed. Each edit must be refused
//! where the row is used (`state_unverified`, exit 1, naming the table and the row, the refusal
//! logged) and reported by `audit verify` (`state_mismatch`, exit 1, naming the table, the row
//! and the statement that should have produced it). One test per kind of statement.
//!
//! The workspace is built once through the binary and copied into each test's directory:
//! alice (admin), frank (auditor), clara (clerk), anna (approver); our account; Globex with its
//! contract account and number; case 1, a small payment to the contract account (accepted);
//! case 2, 48,200.00 EUR to a mule account (held, `bank_details_changed`).

mod util;

use std::sync::OnceLock;

use serde_json::Value;

use util::snapshot::Snapshot;
use util::{details, KeyFiles, Output, TestDir, Workspace};

const OK: i32 = 0;
const FAILED: i32 = 1;
const HOLD: i32 = 3;

const CONTRACT_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const CONTRACT_BIC: &str = "COBADEFFXXX";
const CONTRACT_KEY: &str = "iban:DE89370400440532013000";
const MULE_IBAN: &str = "DE02 1203 0000 0000 2020 51";
const MULE_BIC: &str = "BYLADEM1001";
const MULE_KEY: &str = "iban:DE02120300000000202051";
const ON_FILE: &str = "+49 30 1234567";
const ATTACKER_NUMBER: &str = "+442079460018";

struct Template {
    files: Snapshot,
    fingerprint: String,
    globex: KeyFiles,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = TestDir::new();
        let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
        // No cooling-off (issue 20): these tests release a change at once; tests/cli_cooling_off.rs has the wait.
        ws.admin(&["--json", "policy", "set", "cooling_off_hours", "0"]).assert_code(OK);
        for (name, role) in [("frank", "auditor"), ("clara", "clerk"), ("anna", "approver")] {
            ws.add_user(name, role);
        }
        ws.admin_applied(&["--json", "org", "account", "--iban", "DE75 5121 0800 1245 1261 99", "--bic", "SOGEDEFFXXX"]).assert_code(OK);
        let globex = dir.keygen("Globex Corporation", "globex");
        ws.add_partner(&globex, &["--phone", ON_FILE, "--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
        let small = ws.sign(&globex, &details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "120.00"), "small.csi");
        ws.receive("clara", &[&small.file]).assert_received(OK, "accepted", None);
        let big = ws.sign(&globex, &details("Globex Corporation", MULE_IBAN, MULE_BIC, "48200.00"), "incident.csi");
        ws.receive("clara", &[&big.file]).assert_received(HOLD, "hold", Some("bank_details_changed"));
        let fingerprint = ws.fingerprint.clone();
        Template { files: Snapshot::of(&dir), fingerprint, globex }
    })
}

/// A fresh test directory holding a copy of the template workspace.
fn office(dir: &TestDir) -> Workspace<'_> {
    let t = template();
    t.files.restore_workspace(dir, "Initech GmbH", "alice", &t.fingerprint)
}

/// Runs SQL on the workspace's database as an attacker with the file would.
fn tamper(dir: &TestDir, sql: &str) {
    let db = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    db.execute_batch("DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;").unwrap();
    db.execute_batch(sql).unwrap();
}

/// The command was refused as `state_unverified` (exit 1), naming `table` and `row`, and the
/// refusal is in the log.
#[track_caller]
fn assert_unverified(ws: &Workspace<'_>, out: Output, table: &str, row: &str) {
    let out = out.assert_code(FAILED);
    let error = &out.json()["error"];
    out.ensure(error["code"] == "state_unverified", "expected error code state_unverified");
    let message = error["message"].as_str().unwrap_or_default();
    out.ensure(message.contains(&format!("the {table} row {row} ")), &format!("expected the message to name the {table} row {row}"));
    let log = ws.run("frank", &["--json", "audit", "log", "--action", "state.unverified"]).assert_code(OK).json();
    assert!(log.as_array().is_some_and(|events| !events.is_empty()), "the refusal is logged: {log}");
}

/// `audit verify` reports `state_mismatch` for row `row` of `table`; returns the mismatch.
#[track_caller]
fn assert_mismatch(ws: &Workspace<'_>, table: &str, row: &str) -> Value {
    let out = ws.run("frank", &["--json", "audit", "verify"]).assert_code(FAILED);
    let report = out.json();
    out.ensure(report["problem"] == "state_mismatch", "expected problem state_mismatch");
    let found = report["state_mismatches"].as_array().and_then(|all| all.iter().find(|m| m["table"] == table && m["row"] == row).cloned());
    found.unwrap_or_else(|| out.fail(&format!("expected a mismatch of the {table} row {row}")))
}

/// The sequence number of the newest event with `action` about `subject`.
fn event_seq(ws: &Workspace<'_>, action: &str, subject: &str) -> u64 {
    let log = ws.run("frank", &["--json", "audit", "log", "--action", action]).assert_code(OK).json();
    let events = log.as_array().unwrap();
    events.iter().filter(|e| e["subject"] == subject).filter_map(|e| e["seq"].as_u64()).max().expect("an event")
}

/// Clara calls Globex back on case 2 on the number on file and it confirms.
fn confirmed_callback(ws: &Workspace<'_>) {
    ws.callback("clara", 2, "incident.csi", ON_FILE, "confirmed").assert_code(OK);
}

/// Issue 14, "Why": the held incident case set to approved by hand, then released with a bank
/// file by an approver (instruction.receive and case.approve).
#[test]
fn an_approval_written_by_hand_releases_nothing() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(&dir, "UPDATE cases SET status = 'approved' WHERE id = 2");
    let out = ws.run("anna", &["--json", "case", "release", "2", "--export", "pain001", "--out", "pay.xml"]);
    assert_unverified(&ws, out, "cases", "2");
    assert!(!dir.exists("pay.xml"), "no bank file");
    let mismatch = assert_mismatch(&ws, "cases", "2");
    assert_eq!(mismatch["event"], event_seq(&ws, "instruction.receive", "case:2"), "{mismatch}");
}

/// Issue 14, "Why": a clerk made approver by hand (user.add).
#[test]
fn a_role_written_by_hand_gives_no_approval() {
    let dir = TestDir::new();
    let ws = office(&dir);
    confirmed_callback(&ws);
    tamper(&dir, "UPDATE users SET role = 'approver' WHERE name = 'clara'");
    assert_unverified(&ws, ws.run("clara", &["--json", "case", "approve", "2"]), "users", "clara");
    let mismatch = assert_mismatch(&ws, "users", "clara");
    assert_eq!(mismatch["event"], event_seq(&ws, "user.key_create", "user:clara"), "{mismatch}");
    let shown = ws.run("clara", &["--json", "case", "show", "2"]).assert_code(FAILED).json();
    assert_eq!(shown["error"]["code"], "state_unverified", "every command refuses her: {shown}");
}

/// Issue 14, "Why": the attacker's number inserted into the partner's numbers, then dialled
/// (partner.add).
#[test]
fn a_number_inserted_by_hand_cannot_be_dialled() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(
        &dir,
        &format!("INSERT INTO partner_phones (partner_id, e164, source, recorded_by, recorded_at) VALUES (1, '{ATTACKER_NUMBER}', 'contract', 'alice', '2026-12-01T09:00:00Z')"),
    );
    let out = ws.callback("clara", 2, "incident.csi", ATTACKER_NUMBER, "confirmed");
    assert_unverified(&ws, out, "partner_phones", &format!("1 {ATTACKER_NUMBER}"));
    let mismatch = assert_mismatch(&ws, "partner_phones", &format!("1 {ATTACKER_NUMBER}"));
    assert_eq!(mismatch["event"], Value::Null, "no event put it there: {mismatch}");
}

/// Issue 14, "Why": the mule account set to current by hand; the next instruction to it must not
/// come out accepted (instruction.receive: accounts become current only by a signed decision).
#[test]
fn a_mule_account_made_current_by_hand_is_not_trusted() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(&dir, &format!("UPDATE accounts SET status = 'retired' WHERE account_key = '{CONTRACT_KEY}'; UPDATE accounts SET status = 'current' WHERE account_key = '{MULE_KEY}'"));
    let again = ws.sign(&template().globex, &details("Globex Corporation", MULE_IBAN, MULE_BIC, "9990.00"), "again.csi");
    let out = ws.receive("clara", &[&again.file]);
    assert_unverified(&ws, out, "accounts", &format!("1:{CONTRACT_KEY}"));
    let mismatch = assert_mismatch(&ws, "accounts", &format!("1:{MULE_KEY}"));
    assert_eq!(mismatch["what"], "its status is current, the statements give pending", "{mismatch}");
    let cases = ws.run("clara", &["--json", "case", "list"]).assert_code(OK).json();
    assert_eq!(cases["cases"].as_array().map(Vec::len), Some(2), "no case opened: {cases}");
}

/// A revoked key set back to active by hand (partner.revoke_key).
#[test]
fn a_revoked_key_restored_by_hand_verifies_nothing() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.admin(&["--json", "partner", "revoke-key", "1", "--reason", "stolen laptop"]).assert_code(OK);
    tamper(&dir, "UPDATE partner_keys SET status = 'active', status_reason = NULL WHERE partner_id = 1");
    let signed = ws.sign(&template().globex, &details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "100.00"), "after.csi");
    let fingerprint = template().globex.fingerprint.clone();
    assert_unverified(&ws, ws.receive("clara", &[&signed.file]), "partner_keys", &fingerprint);
    let mismatch = assert_mismatch(&ws, "partner_keys", &fingerprint);
    assert_eq!(mismatch["event"], event_seq(&ws, "partner.revoke_key", "partner:1"), "{mismatch}");
}

/// The approval threshold raised by hand so that large payments need no approval (policy.set).
#[test]
fn a_policy_loosened_by_hand_is_refused() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(&dir, "UPDATE settings SET value = json_set(value, '$.approval_threshold_minor', 999999999999) WHERE key = 'policy'");
    let signed = ws.sign(&template().globex, &details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "130.00"), "next.csi");
    assert_unverified(&ws, ws.receive("clara", &[&signed.file]), "settings", "policy");
    assert_mismatch(&ws, "settings", "policy");
    // Changed the proper way, by an admin's signed statement, it holds again.
    ws.admin(&["--json", "policy", "set", "approval_threshold_minor", "500000"]).assert_code(OK);
    ws.receive("clara", &[&signed.file]).assert_received(OK, "accepted", None);
}

/// Our own account changed by hand: the debtor of the bank file (org.account).
#[test]
fn our_account_changed_by_hand_exports_nothing() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(&dir, "UPDATE settings SET value = json_set(value, '$.iban', 'DE02120300000000202051') WHERE key = 'org_account'");
    let out = ws.run("clara", &["--json", "case", "release", "1", "--export", "pain001", "--out", "pay.xml"]);
    assert_unverified(&ws, out, "settings", "org_account");
    assert!(!dir.exists("pay.xml"));
    let mismatch = assert_mismatch(&ws, "settings", "org_account");
    assert_eq!(mismatch["event"], event_seq(&ws, "org.account", "organisation"), "{mismatch}");
}

/// Our callback key replaced by hand, to answer callbacks with a secret one knows
/// (org.callback_key): `audit verify` names it.
#[test]
fn our_callback_key_replaced_by_hand_is_reported() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(&dir, "UPDATE settings SET value = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' WHERE key = 'callback_key'");
    let mismatch = assert_mismatch(&ws, "settings", "callback_key");
    assert_eq!(mismatch["event"], event_seq(&ws, "org.callback_key", "callback_key"), "{mismatch}");
}

/// A user row inserted by hand, with a known password's hash, cannot sign in (user.add).
#[test]
fn a_user_added_by_hand_cannot_sign_in() {
    let dir = TestDir::new();
    let ws = office(&dir);
    // Mallory copies clara's row (so knows its password) under a new name, as an approver.
    tamper(
        &dir,
        "INSERT INTO users (name, role, password_hash, created_at, created_by, disabled, failed_logins)
         SELECT 'mallory', 'approver', password_hash, created_at, 'alice', 0, 0 FROM users WHERE name = 'clara'",
    );
    let out = ws.cmd("mallory", &["--json", "case", "list"]).env("COUNTERSIGN_PASSWORD", util::password_of("clara")).run();
    assert_unverified(&ws, out, "users", "mallory");
    assert_mismatch(&ws, "users", "mallory");
}

/// A disabled user enabled again by hand (user.disable).
#[test]
fn a_user_enabled_by_hand_stays_disabled() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.admin(&["--json", "user", "disable", "--name", "clara"]).assert_code(OK);
    tamper(&dir, "UPDATE users SET disabled = 0 WHERE name = 'clara'");
    assert_unverified(&ws, ws.run("clara", &["--json", "case", "list"]), "users", "clara");
    let mismatch = assert_mismatch(&ws, "users", "clara");
    assert_eq!(mismatch["event"], event_seq(&ws, "user.disable", "user:clara"), "{mismatch}");
}

/// Another user's public key put in a row by hand (user.key_create).
#[test]
fn a_personal_key_replaced_by_hand_is_refused() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(&dir, "UPDATE users SET public_key = (SELECT public_key FROM users WHERE name = 'anna') WHERE name = 'clara'");
    assert_unverified(&ws, ws.run("clara", &["--json", "case", "list"]), "users", "clara");
    assert_mismatch(&ws, "users", "clara");
}

/// The caller of a callback attempt renamed by hand, to get round dual control (case.challenge).
#[test]
fn a_callback_attempt_renamed_by_hand_is_refused() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("clara", &["--json", "case", "challenge", "2"]).assert_code(OK);
    tamper(&dir, "UPDATE callbacks SET started_by = 'nobody' WHERE case_id = 2");
    assert_unverified(&ws, ws.run("clara", &["--json", "case", "challenge", "2"]), "callbacks", "2");
    assert_mismatch(&ws, "callbacks", "2");
}

/// A fraud mark removed by hand after a denied callback (case.callback).
#[test]
fn a_fraud_mark_removed_by_hand_is_refused() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.callback("clara", 2, "incident.csi", ON_FILE, "denied").assert_code(OK);
    tamper(&dir, &format!("DELETE FROM fraudulent_accounts; UPDATE accounts SET status = 'pending' WHERE account_key = '{MULE_KEY}'"));
    let again = ws.sign(&template().globex, &details("Globex Corporation", MULE_IBAN, MULE_BIC, "48200.00"), "again.csi");
    assert_unverified(&ws, ws.receive("clara", &[&again.file]), "accounts", &format!("1:{MULE_KEY}"));
    let mismatch = assert_mismatch(&ws, "accounts", &format!("1:{MULE_KEY}"));
    assert_eq!(mismatch["event"], event_seq(&ws, "case.callback", "case:2"), "{mismatch}");
}

/// A released case set back to approved by hand, to pay it twice (case.release).
#[test]
fn a_release_undone_by_hand_does_not_pay_twice() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("clara", &["--json", "case", "release", "1"]).assert_code(OK);
    tamper(&dir, "UPDATE cases SET status = 'accepted' WHERE id = 1");
    assert_unverified(&ws, ws.run("clara", &["--json", "case", "release", "1"]), "cases", "1");
    let mismatch = assert_mismatch(&ws, "cases", "1");
    assert_eq!(mismatch["event"], event_seq(&ws, "case.release", "case:1"), "{mismatch}");
}

/// The amount of a held case raised by hand after its approval (instruction.receive).
#[test]
fn an_amount_raised_by_hand_is_not_paid() {
    let dir = TestDir::new();
    let ws = office(&dir);
    confirmed_callback(&ws);
    ws.run("anna", &["--json", "case", "approve", "2"]).assert_code(OK);
    tamper(&dir, "UPDATE cases SET amount_minor = 99999900 WHERE id = 2");
    let out = ws.run("anna", &["--json", "case", "release", "2", "--export", "pain001", "--out", "pay.xml"]);
    assert_unverified(&ws, out, "cases", "2");
    assert_eq!(assert_mismatch(&ws, "cases", "2")["what"], "its amount differs from the signed statements");
}

/// A domain registered by hand for the partner (partner.add): reported by `audit verify`.
#[test]
fn a_domain_registered_by_hand_is_reported() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(&dir, "INSERT INTO partner_domains (partner_id, domain) VALUES (1, 'globex-payments.example')");
    assert_mismatch(&ws, "partner_domains", "1 globex-payments.example");
}

/// A statement whose signed details were edited in the log (and the chain recomputed) no longer
/// counts: the grant it carried is gone, and the row it backed is refused.
#[test]
fn a_statement_edited_in_the_log_does_not_count() {
    let dir = TestDir::new();
    let ws = office(&dir);
    tamper(
        &dir,
        "UPDATE audit_events SET details = replace(details, '\"role\":\"clerk\"', '\"role\":\"approver\"') WHERE action = 'user.add' AND subject = 'user:clara';
         UPDATE users SET role = 'approver' WHERE name = 'clara'",
    );
    let out = ws.run("clara", &["--json", "case", "list"]);
    assert_unverified(&ws, out, "users", "clara");
    let report = ws.run("frank", &["--json", "audit", "verify"]).assert_code(FAILED).json();
    assert_eq!(report["problem"], "changed", "the chain check comes first: {report}");
    let problems = report["statement_problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["subject"] == "user:clara" && p["why"].as_str().unwrap().contains("does not verify")), "{report}");
}

/// An attacker's key pinned for the partner by hand, as a rotation would have (partner.rotate_key):
/// a file signed with it is refused before it is assessed.
#[test]
fn a_key_pinned_by_hand_verifies_nothing() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let attacker = dir.keygen("Globex Corporation", "attacker");
    let card = std::fs::read(dir.join(&attacker.card)).unwrap();
    let public_key = countersign_core::format::card::PartnerCard::parse(&card).unwrap().public_key().to_bytes();
    let db = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    db.execute(
        "INSERT INTO partner_keys (partner_id, fingerprint, public_key, verified_how, status, verified_by, verified_at)
         VALUES (1, ?1, ?2, 'rotation statement', 'active', 'alice', '2026-12-01T09:00:00Z')",
        rusqlite::params![attacker.fingerprint, &public_key[..]],
    )
    .unwrap();
    let forged = ws.sign(&attacker, &details("Globex Corporation", MULE_IBAN, MULE_BIC, "9990.00"), "forged.csi");
    assert_unverified(&ws, ws.receive("clara", &[&forged.file]), "partner_keys", &attacker.fingerprint);
    assert_eq!(assert_mismatch(&ws, "partner_keys", &attacker.fingerprint)["event"], Value::Null);
}

/// A rejected case set back to hold by hand, to call it back and pay it (case.reject).
#[test]
fn a_rejection_undone_by_hand_is_refused() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("anna", &["--json", "case", "reject", "2", "--reason", "not ours"]).assert_code(OK);
    tamper(&dir, "UPDATE cases SET status = 'hold' WHERE id = 2");
    assert_unverified(&ws, ws.run("clara", &["--json", "case", "challenge", "2"]), "cases", "2");
    let mismatch = assert_mismatch(&ws, "cases", "2");
    assert_eq!(mismatch["event"], event_seq(&ws, "case.reject", "case:2"), "{mismatch}");
}

/// The count of wrong responses reset by hand, to try more responses than the lock allows
/// (case.callback_wrong_response).
#[test]
fn wrong_responses_forgotten_by_hand_are_refused() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let challenge = ws.run("clara", &["--json", "case", "challenge", "2"]).assert_code(OK).json_str("challenge");
    assert!(!challenge.is_empty());
    let wrong =
        ["--json", "case", "callback", "2", "--dialed", ON_FILE, "--reached", "someone", "--code", "00000000", "--outcome", "confirmed"];
    // A v2 file: the clerk's response is recorded unchecked; the approver's check counts it wrong.
    ws.run("clara", &wrong).assert_code(OK);
    ws.run("anna", &["--json", "case", "approve", "2"]).assert_code(FAILED);
    tamper(&dir, "UPDATE cases SET wrong_responses = 0 WHERE id = 2");
    assert_unverified(&ws, ws.run("clara", &["--json", "case", "challenge", "2"]), "cases", "2");
    assert_eq!(assert_mismatch(&ws, "cases", "2")["what"], "its count of wrong responses differs from the signed statements");
}

/// Our domains changed by hand (org.domains): reported by `audit verify`.
#[test]
fn our_domains_changed_by_hand_are_reported() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.admin(&["--json", "org", "domains", "--domain", "initech.example"]).assert_code(OK);
    tamper(&dir, "UPDATE settings SET value = '[\"initech.example\",\"initech-pay.example\"]' WHERE key = 'org_domains'");
    let mismatch = assert_mismatch(&ws, "settings", "org_domains");
    assert_eq!(mismatch["event"], event_seq(&ws, "org.domains", "organisation"), "{mismatch}");
}

/// A released payment's kept bank file edited by hand, the creditor's IBAN swapped and its hash
/// recomputed (case.release, case.export): exporting it again is refused, and `audit verify` says
/// so.
#[test]
fn a_kept_bank_file_edited_by_hand_is_not_handed_out() {
    let dir = TestDir::new();
    let ws = office(&dir);
    ws.run("clara", &["--json", "case", "release", "1", "--export", "pain001", "--out", "pay.xml"]).assert_code(OK);
    let genuine = dir.read_string("pay.xml");
    let contract = CONTRACT_IBAN.replace(' ', "");
    assert!(genuine.contains(&contract), "{genuine}");
    let forged = genuine.replace(&contract, &MULE_IBAN.replace(' ', ""));
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(forged.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    let db = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    db.execute("UPDATE bank_files SET bytes = ?1, sha256 = ?2 WHERE case_id = 1", rusqlite::params![forged.as_bytes(), sha]).unwrap();
    let out = ws.run("clara", &["--json", "case", "export", "1", "--export", "pain001", "--out", "again.xml"]);
    assert_unverified(&ws, out, "bank_files", "1");
    assert!(!dir.exists("again.xml"));
    assert_mismatch(&ws, "bank_files", "1");
}
