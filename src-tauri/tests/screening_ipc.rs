//! The payment-file commands through Tauri's real IPC path on the mock runtime, with the app's
//! real configuration and capabilities: a clerk screens an ERP file (one line to Globex's signed
//! account, one to a creditor who is no partner), the report's verdicts and reasons; the approved
//! copy saved for that screening only, with the bytes the screening logged; the check's answers
//! (approved copy, screened with holds, changed, never screened); an invalid file named with its
//! line; an auditor may check but not screen; signing out forgets the copy.

use std::path::Path;

use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

use countersign_service::core::assess::findings::Verdict;
use countersign_service::core::format::envelope::{Envelope, FileKind};
use countersign_service::core::format::keys::SecretKeyFile;

mod common;
use common::{app_on, fresh_dir, globex_office, invoke, logout, main_window, password_in, refusal, refusal_with_message, KEYS};

const GLOBEX_IBAN: &str = "DE89370400440532013000";

fn password(user: &str) -> String {
    password_in("screening", user)
}

/// A workspace with admin alice, clerk carol and auditor frank, partner Globex, and one accepted
/// instruction of Globex's to its account on file (so that account is signed).
fn workspace(dir: &Path) {
    let (mut ws, admin) = globex_office(dir, "screening");
    let us = ws.org_fingerprint().unwrap().to_string();
    let files = vec![("globex-7761.json".to_string(), instruction(&us))];
    let received = ws.receive(&admin, &files, None, &mut |_, _| {}).unwrap();
    assert_eq!(received[0].verdict(), Verdict::Accepted);
}

/// Globex's instruction (signed with its TEST-ONLY key) to pay its account on file.
fn instruction(us: &str) -> Vec<u8> {
    let key =
        SecretKeyFile::from_bytes(&std::fs::read(format!("{KEYS}/globex.key")).unwrap()).unwrap().unlock("TEST-ONLY globex demo").unwrap();
    let details = json!({"beneficiary_name": "Globex Corporation", "iban": GLOBEX_IBAN, "bic": "COBADEFFXXX", "currency": "EUR", "amount": "1200.00", "reference": "INV-7761"});
    let details = countersign_service::core::format::instruction::Details::from_json(details.to_string().as_bytes()).unwrap();
    let us = countersign_service::core::format::fingerprint::Fingerprint::parse_canonical(us).unwrap();
    let instruction = details.to_instruction("INV-7761".into(), key.fingerprint(), us, time::OffsetDateTime::now_utc()).unwrap();
    Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes()
}

/// A pain.001.001.03 file with message id `id`: one block, one transfer per (name, IBAN, amount).
fn pain001(id: &str, lines: &[(&str, &str, &str)]) -> String {
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1)).date();
    let transfers: String = lines
        .iter()
        .enumerate()
        .map(|(i, (name, iban, amount))| {
            format!(
                "<CdtTrfTxInf><PmtId><EndToEndId>{id}-{n}</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"EUR\">{amount}</InstdAmt></Amt>\
                 <Cdtr><Nm>{name}</Nm></Cdtr><CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct><RmtInf><Ustrd>Invoice {n}</Ustrd></RmtInf></CdtTrfTxInf>\n",
                n = i + 1
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\"><CstmrCdtTrfInitn>\n\
         <GrpHdr><MsgId>{id}</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm><NbOfTxs>{count}</NbOfTxs><InitgPty><Nm>Initech GmbH</Nm></InitgPty></GrpHdr>\n\
         <PmtInf><PmtInfId>{id}-B1</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>{count}</NbOfTxs><ReqdExctnDt>{tomorrow}</ReqdExctnDt>\
         <Dbtr><Nm>Initech GmbH</Nm></Dbtr><DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>\
         <DbtrAgt><FinInstnId><BIC>BYLADEM1001</BIC></FinInstnId></DbtrAgt>\n{transfers}</PmtInf>\n</CstmrCdtTrfInitn></Document>\n",
        count = lines.len()
    )
}

fn login(main: &WebviewWindow<MockRuntime>, user: &str) {
    invoke(main, "login", json!({"request": {"user": user, "password": password(user)}})).unwrap();
}

fn standing(main: &WebviewWindow<MockRuntime>, path: &Path) -> Value {
    let check = invoke(main, "check_payment_file", json!({"path": path})).unwrap();
    check["standing"].clone()
}

#[test]
// Long: one clerk's screening from the file to the approved copy and its checks, in order.
fn a_clerk_screens_a_payment_file_and_writes_its_approved_copy() {
    let dir = fresh_dir("screening-ipc", "clerk");
    workspace(&dir.join("ws"));
    let file = dir.join("run-42.xml");
    let lines = [("Globex Corporation", GLOBEX_IBAN, "980.00"), ("Northwind Traders GmbH", "GB33BUKB20201555555555", "250.00")];
    std::fs::write(&file, pain001("ERP-RUN-42", &lines)).unwrap();
    // No dialog on the mock runtime: unattended runs save to COUNTERSIGN_EXPORT_DIR. Only this
    // test of this binary sets it.
    let exports = dir.join("exports");
    std::env::set_var("COUNTERSIGN_EXPORT_DIR", &exports);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    assert_eq!(refusal(invoke(&main, "screen_payment_file", json!({"path": &file}))), "not_signed_in");

    login(&main, "carol");
    let report = invoke(&main, "screen_payment_file", json!({"path": &file})).unwrap();
    assert_eq!(report["file_name"], json!("run-42.xml"));
    assert_eq!(report["version"], json!("pain.001.001.03"));
    assert_eq!(report["message_id"], json!("ERP-RUN-42"));
    assert_eq!(report["verdict"], json!("hold"), "{report}");
    assert_eq!(report["counts"], json!({"lines": 2, "ok": 1, "hold": 1, "blocked": 0}));
    assert_eq!(report["copy_lines"], json!(1));
    assert_eq!(report["screened_by"], json!("carol"));
    let globex = &report["lines"][0];
    assert_eq!((&globex["verdict"], &globex["partner"]["name"]), (&json!("ok"), &json!("Globex Corporation")), "{globex}");
    assert_eq!(globex["account"], json!("DE89 3704 0044 0532 0130 00"));
    let stranger = &report["lines"][1];
    assert_eq!(stranger["verdict"], json!("hold"));
    assert_eq!(stranger["reasons"][0]["code"], json!("creditor_not_partner"));
    assert!(stranger["reasons"][0]["message"].as_str().unwrap().contains("Northwind Traders GmbH"));
    let event = report["event"].as_u64().unwrap();

    // The copy of this screening only, with the bytes it logged; never over another file.
    assert_eq!(refusal(invoke(&main, "save_approved_copy", json!({"event": event + 1}))), "not_found");
    let saved = invoke(&main, "save_approved_copy", json!({"event": event})).unwrap();
    let copy = Path::new(saved["saved_to"].as_str().unwrap()).to_path_buf();
    assert_eq!(copy, exports.join("run-42-approved.xml"));
    assert_eq!((saved["lines"].as_u64(), saved["of"].as_u64()), (Some(1), Some(2)));
    let written = std::fs::read_to_string(&copy).unwrap();
    assert!(written.contains("ERP-RUN-42-1") && !written.contains("Northwind"), "{written}");

    // What the log says about each file.
    let check = invoke(&main, "check_payment_file", json!({"path": &copy})).unwrap();
    assert_eq!(check["standing"], json!("approved_copy"));
    assert_eq!(check["screening"]["event"], json!(event));
    assert_eq!(check["same_message"], json!([]), "the screening that wrote the copy is named once");
    assert_eq!(standing(&main, &file), json!("screened_not_ok"));
    let changed = dir.join("run-42-edited.xml");
    std::fs::write(&changed, pain001("ERP-RUN-42", &[("Globex Corporation", GLOBEX_IBAN, "9800.00")])).unwrap();
    let check = invoke(&main, "check_payment_file", json!({"path": &changed})).unwrap();
    assert_eq!(check["standing"], json!("changed"));
    assert_eq!(check["same_message"][0]["event"], json!(event));
    let other = dir.join("run-43.xml");
    std::fs::write(&other, pain001("ERP-RUN-43", &lines)).unwrap();
    assert_eq!(standing(&main, &other), json!("not_screened"));

    // Signing out forgets the copy.
    logout(&main);
    login(&main, "carol");
    assert_eq!(refusal(invoke(&main, "save_approved_copy", json!({"event": event}))), "not_found");
}

#[test]
fn an_invalid_file_is_named_with_its_line_and_problem() {
    let dir = fresh_dir("screening-ipc", "invalid");
    workspace(&dir.join("ws"));
    let file = dir.join("bad.xml");
    let xml = pain001("ERP-RUN-66", &[("Globex Corporation", GLOBEX_IBAN, "980.00")]).replacen(
        "\n",
        "\n<!DOCTYPE Document [<!ENTITY x \"y\">]>\n",
        1,
    );
    std::fs::write(&file, xml).unwrap();
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "carol");
    let (code, message) = refusal_with_message(invoke(&main, "screen_payment_file", json!({"path": &file})));
    assert_eq!(code, "payment_file_invalid");
    assert!(message.starts_with("bad.xml: line 2:") && message.contains("DTD"), "{message}");
    // Well-formed, but not what the schema allows: the group header without its message id.
    let invalid = dir.join("no-msgid.xml");
    std::fs::write(
        &invalid,
        pain001("ERP-RUN-67", &[("Globex Corporation", GLOBEX_IBAN, "980.00")]).replace("<MsgId>ERP-RUN-67</MsgId>", ""),
    )
    .unwrap();
    let (code, message) = refusal_with_message(invoke(&main, "screen_payment_file", json!({"path": &invalid})));
    assert_eq!(code, "payment_file_invalid");
    assert!(message.starts_with("no-msgid.xml: line 3:"), "{message}");
    assert_eq!(refusal(invoke(&main, "screen_payment_file", json!({"path": dir.join("missing.xml")}))), "file_unreadable");
    assert_eq!(refusal(invoke(&main, "screen_payment_file", json!({"path": "  "}))), "invalid_input");
}

#[test]
fn an_auditor_may_check_a_file_but_not_screen_it() {
    let dir = fresh_dir("screening-ipc", "auditor");
    workspace(&dir.join("ws"));
    let file = dir.join("run-7.xml");
    std::fs::write(&file, pain001("ERP-RUN-7", &[("Globex Corporation", GLOBEX_IBAN, "980.00")])).unwrap();
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "frank");
    assert_eq!(refusal(invoke(&main, "screen_payment_file", json!({"path": &file}))), "not_permitted");
    assert_eq!(standing(&main, &file), json!("not_screened"));
    logout(&main);
    login(&main, "carol");
    let report = invoke(&main, "screen_payment_file", json!({"path": &file})).unwrap();
    assert_eq!(report["verdict"], json!("ok"), "{report}");
    assert_eq!(report["copy_lines"], Value::Null, "every line ok: no copy to write");
    logout(&main);
    login(&main, "frank");
    let check = invoke(&main, "check_payment_file", json!({"path": &file})).unwrap();
    assert_eq!(check["standing"], json!("screened_ok"));
    assert_eq!(check["screening"]["by"], json!("carol"));
}

/// The admin's first-run checklist reads the workspace: Globex pinned, our account not set, alice
/// alone to check changes, the organisation key never backed up.
#[test]
fn the_setup_checklist_says_what_the_workspace_still_lacks() {
    let dir = fresh_dir("screening-ipc", "checklist");
    globex_office(&dir.join("ws"), "screening");
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    assert_eq!(refusal(invoke(&main, "setup_checklist", json!({}))), "not_signed_in");
    login(&main, "alice");
    let list = invoke(&main, "setup_checklist", json!({})).unwrap();
    assert_eq!(list, json!({"our_account": false, "first_partner": true, "second_checker": false, "key_backed_up": false}));
}
