//! The auditor's commands through Tauri's real IPC path on the mock runtime, with the app's real
//! configuration and capabilities: the log with filters (newest first, with the total), the
//! activity per day, the full check (intact; against a checkpoint saved earlier; against another
//! workspace's checkpoint, named as foreign), an evidence bundle that verifies offline, the log
//! as CSV, and the refusals (a clerk may not audit, an admin may not export bundles, a bad time
//! is named). The workspace is made with the core and instructions signed with keys/.

use std::path::Path;

use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

use countersign_service::core::audit::bundle::verify_bundle;
use countersign_service::core::format::envelope::{Envelope, FileKind};
use countersign_service::core::format::keys::SecretKeyFile;
use countersign_service::{Credentials, Workspace};

mod common;
use common::{app_on, fresh_dir, globex_office, invoke, logout, main_window, password_in, refusal, KEYS};

fn password(user: &str) -> String {
    password_in("audit", user)
}

/// A workspace with admin alice, clerk carol and auditor frank, and partner Globex; returns our
/// fingerprint.
fn workspace(dir: &Path) -> String {
    let (mut ws, _) = globex_office(dir, "audit");
    ws.org_fingerprint().unwrap().to_string()
}

/// An instruction from Globex (signed with its TEST-ONLY key) to pay `iban`.
fn instruction(us: &str, iban: &str, bic: &str, id: &str) -> Vec<u8> {
    let key =
        SecretKeyFile::from_bytes(&std::fs::read(format!("{KEYS}/globex.key")).unwrap()).unwrap().unlock("TEST-ONLY globex demo").unwrap();
    let details = json!({"beneficiary_name": "Globex Corporation", "iban": iban, "bic": bic, "currency": "EUR", "amount": "12950.00", "reference": id});
    let details = countersign_service::core::format::instruction::Details::from_json(details.to_string().as_bytes()).unwrap();
    let us = countersign_service::core::format::fingerprint::Fingerprint::parse_canonical(us).unwrap();
    let instruction = details.to_instruction(id.to_string(), key.fingerprint(), us, time::OffsetDateTime::now_utc()).unwrap();
    Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes()
}

fn login(main: &WebviewWindow<MockRuntime>, user: &str) {
    invoke(main, "login", json!({"request": {"user": user, "password": password(user)}})).unwrap();
}

fn no_filter() -> Value {
    json!({"filter": {"case": null, "partner": null, "actor": null, "action": null, "from": null, "until": null}})
}

#[test]
// Long: the auditor's session from sign-in to export, each step asserted where it happens.
fn the_auditor_filters_verifies_and_exports() {
    let dir = fresh_dir("audit-ipc", "auditor");
    let us = workspace(&dir.join("ws"));
    let changed = dir.join("globex-7760.json");
    std::fs::write(&changed, instruction(&us, "GB82 WEST 1234 5698 7654 32", "WESTGB2L", "INV-7760")).unwrap();
    let same = dir.join("globex-7761.json");
    std::fs::write(&same, instruction(&us, "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "INV-7761")).unwrap();
    // No dialog on the mock runtime: unattended runs save to COUNTERSIGN_EXPORT_DIR. Only this
    // test of this binary sets it.
    let exports = dir.join("exports");
    std::env::set_var("COUNTERSIGN_EXPORT_DIR", &exports);

    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    assert_eq!(refusal(invoke(&main, "verify_audit", json!({"against": null}))), "not_signed_in");

    // Carol receives two instructions (held, accepted) and may not audit.
    login(&main, "carol");
    let received = invoke(&main, "receive_files", json!({"paths": [&changed, &same], "progress": "__CHANNEL__:7"})).unwrap();
    assert_eq!((received[0]["verdict"].as_str(), received[1]["verdict"].as_str()), (Some("hold"), Some("accepted")));
    let held = received[0]["case_id"].as_i64().unwrap();
    assert_eq!(refusal(invoke(&main, "verify_audit", json!({"against": null}))), "not_permitted");
    assert_eq!(refusal(invoke(&main, "audit_log", no_filter())), "not_permitted");
    assert_eq!(refusal(invoke(&main, "export_audit_csv", no_filter())), "not_permitted");
    logout(&main);

    login(&main, "frank");
    let status = invoke(&main, "verify_audit", json!({"against": null})).unwrap();
    assert_eq!(status["intact"], json!(true), "{status}");
    assert_eq!(status["problem"], Value::Null);
    assert!(status["events"].as_u64().unwrap() > 5);
    assert!(status["audit_key"].as_str().is_some_and(|f| f.len() == 35), "{status}");
    assert_eq!(status["root"].as_str().unwrap().len(), 64);

    // The log: newest first, with the total; filters by actor, action prefix and case.
    let all = invoke(&main, "audit_log", no_filter()).unwrap();
    let events = all["events"].as_array().unwrap();
    assert_eq!(all["total"].as_u64().unwrap() as usize, events.len());
    assert_eq!(events[0]["action"], json!("audit.verify"), "the check itself is logged, newest first");
    assert!(events[0]["seq"].as_u64() > events[1]["seq"].as_u64());
    assert_eq!(all["next"], Value::Null, "one page holds them all");
    // Pages of two, newest first, each below the one before; the total is every match's.
    let first = invoke(&main, "audit_log", json!({"filter": {}, "limit": 2})).unwrap();
    assert_eq!(first["events"].as_array().unwrap().len(), 2);
    assert_eq!((first["events"][0]["seq"].clone(), first["total"].clone()), (events[0]["seq"].clone(), all["total"].clone()));
    assert_eq!(first["next"], first["events"][1]["seq"], "the cursor is the page's last (oldest) event");
    let second = invoke(&main, "audit_log", json!({"filter": {}, "limit": 2, "after": first["next"]})).unwrap();
    assert_eq!(second["events"][0]["seq"], events[2]["seq"]);
    assert_eq!(second["total"], Value::Null, "counted on the first page only");
    assert_eq!(refusal(invoke(&main, "audit_log", json!({"filter": {}, "limit": 0}))), "invalid_input");
    let carols = invoke(&main, "audit_log", json!({"filter": {"actor": "carol", "action": "instruction"}})).unwrap();
    assert_eq!(carols["total"], json!(2));
    assert!(carols["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["action"] == json!("instruction.receive") && e["actor"] == json!("carol")));
    let case = invoke(&main, "audit_log", json!({"filter": {"case": held, "actor": "  "}})).unwrap();
    assert_eq!(case["total"], json!(1), "blank text is no filter: {case}");
    assert!(case["events"][0]["details"].as_str().unwrap().contains("bank_details_changed"));
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1)).date();
    let future = invoke(&main, "audit_log", json!({"filter": {"from": tomorrow.to_string()}})).unwrap();
    assert_eq!(future["total"], json!(0), "a date is midnight UTC at its start");
    assert_eq!(refusal(invoke(&main, "audit_log", json!({"filter": {"from": "last week"}}))), "invalid_input");

    // The chart's numbers: one held, one accepted today; carol's two refusals.
    let days = invoke(&main, "audit_activity", no_filter()).unwrap();
    let today = days.as_array().unwrap().last().unwrap().clone();
    assert_eq!(today["day"], json!(time::OffsetDateTime::now_utc().date().to_string()));
    assert_eq!((today["accepted"].as_u64(), today["hold"].as_u64(), today["rejected"].as_u64()), (Some(1), Some(1), Some(0)));
    assert_eq!(today["refused"], json!(3), "carol's verify, log and CSV attempts");

    // A checkpoint to keep; the log verifies against it later.
    let kept = invoke(&main, "save_audit_checkpoint", json!({})).unwrap();
    let kept_path = kept["saved_to"].as_str().unwrap().to_string();
    assert!(kept_path.starts_with(exports.to_str().unwrap()), "{kept}");
    assert!(std::fs::read_to_string(&kept_path).unwrap().contains(&format!("\n{}\n", kept["events"])), "the note names its size");
    let against = invoke(&main, "verify_audit", json!({"against": kept_path})).unwrap();
    assert_eq!((against["intact"].clone(), against["against"].clone()), (json!(true), kept["events"].clone()), "{against}");
    assert_eq!(refusal(invoke(&main, "verify_audit", json!({"against": dir.join("nope.txt")}))), "file_unreadable");

    // The evidence bundle verifies offline; the CSV has a header and a row per event.
    let bundle = invoke(&main, "export_audit_bundle", json!({"filter": {"actor": "carol"}})).unwrap();
    let bytes = std::fs::read(bundle["saved_to"].as_str().unwrap()).unwrap();
    let report = verify_bundle(&bytes, None, Some(&std::fs::read_to_string(&kept_path).unwrap())).unwrap();
    assert_eq!(report.problem, None);
    assert_eq!(bundle["events"].as_u64().unwrap() as usize, report.events);
    assert!(report.events >= 2, "carol's receipts and refusals");
    let csv = invoke(&main, "export_audit_csv", json!({"filter": {"action": "instruction.receive"}})).unwrap();
    let text = std::fs::read_to_string(csv["saved_to"].as_str().unwrap()).unwrap();
    assert_eq!(csv["events"], json!(2));
    assert_eq!(text.lines().next(), Some("seq,at,actor,action,subject,details,hash"));
    assert_eq!(text.lines().count(), 3);
    assert_ne!(csv["saved_to"], bundle["saved_to"]);

    // Another workspace's checkpoint is named as foreign: not intact, with the code and message.
    let other = dir.join("other");
    workspace(&other);
    let mut ws = Workspace::open(&other).unwrap();
    let admin = ws.login(&Credentials { user: "alice", password: &password("alice"), totp: None }).unwrap();
    let foreign = dir.join("foreign-checkpoint.txt");
    std::fs::write(&foreign, ws.save_checkpoint(&admin).unwrap()).unwrap();
    let status = invoke(&main, "verify_audit", json!({"against": foreign})).unwrap();
    assert_eq!(status["intact"], json!(false));
    assert_eq!(status["problem"]["code"], json!("foreign_checkpoint"), "{status}");
    assert!(!status["problem"]["message"].as_str().unwrap().is_empty());
    logout(&main);

    // An admin reads and verifies the log but may not export bundles.
    login(&main, "alice");
    assert!(invoke(&main, "verify_audit", json!({"against": null})).is_ok());
    assert_eq!(refusal(invoke(&main, "export_audit_bundle", no_filter())), "not_permitted");
}
