//! CLI tests of `screen` (issue 18): the ERP's pain.001 payment file judged line by line against
//! the partners' signed history, the exit codes (0 all ok, 1 any hold or blocked, 2 unreadable
//! or not schema-valid), the one signed statement per screening, `--check` (byte-identical to a
//! file screened as all ok, or changed after screening), `--approved-out` (schema-valid, held
//! lines cut, sums recomputed), hostile XML refused, and a hand-edited accounts table that does
//! not turn a blocked line into an ok one.
//!
//! One template workspace, built once through the binary and copied for each test: alice
//! (admin), clara (clerk), anna (approver), frank (auditor); our account on file; Umbrella with a
//! contract account its own signed instruction confirmed; Globex, whose contract account was
//! replaced by a change called back and approved a moment ago (cooling off); Acme with only a
//! contract account.

mod util;

use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use countersign_core::screen::sample::{SampleFile, SampleLine};
use countersign_core::screen::Pain001Version;
use util::snapshot::Snapshot;
use util::{details, KeyFiles, TestDir, Workspace};

const OK: i32 = 0;
const HELD: i32 = 1;
const UNREADABLE: i32 = 2;
const NOT_PERMITTED: i32 = 4;

const OUR_IBAN: &str = "DE75512108001245126199";
const OUR_BIC: &str = "SOGEDEFFXXX";
const UMBRELLA_IBAN: &str = "DE44500105175407324931";
const UMBRELLA_BIC: &str = "INGDDEFFXXX";
const GLOBEX_CONTRACT_IBAN: &str = "DE89370400440532013000";
const GLOBEX_NEW_IBAN: &str = "DE02120300000000202051";
const ACME_IBAN: &str = "FR1420041010050500013M02606";

struct Template {
    files: Snapshot,
    fingerprint: String,
}

fn build_template(dir: &TestDir) -> String {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    ws.add_user("anna", "approver");
    ws.add_user("frank", "auditor");
    ws.admin_applied(&["--json", "org", "account", "--iban", OUR_IBAN, "--bic", OUR_BIC]).assert_code(OK);
    let umbrella = dir.keygen("Umbrella Logistics S.L.", "umbrella");
    ws.add_partner(&umbrella, &["--iban", UMBRELLA_IBAN, "--bic", UMBRELLA_BIC]);
    let signed = ws.sign(&umbrella, &details("Umbrella Logistics S.L.", UMBRELLA_IBAN, UMBRELLA_BIC, "1000.00"), "umbrella.csi");
    ws.receive("clara", &[&signed.file]).assert_received(OK, "accepted", None);
    let globex = dir.keygen("Globex Corporation", "globex");
    ws.add_partner(&globex, &["--iban", GLOBEX_CONTRACT_IBAN, "--bic", "COBADEFFXXX"]);
    changed_and_approved(&ws, &globex);
    let acme = dir.keygen("Acme SA", "acme");
    ws.add_partner(&acme, &["--iban", ACME_IBAN, "--bic", "BNPAFRPPXXX"]);
    ws.fingerprint.clone()
}

/// Globex changes its account: held, called back by clara, approved by anna.
fn changed_and_approved(ws: &Workspace<'_>, globex: &KeyFiles) {
    let signed = ws.sign(globex, &details("Globex Corporation", GLOBEX_NEW_IBAN, "BYLADEM1001", "2000.00"), "globex.csi");
    let copy = signed.json["outbox"].as_str().map(String::from).unwrap_or_else(|| signed.file.clone());
    let result = ws.receive("clara", &[&signed.file]).assert_received(3, "hold", Some("bank_details_changed"));
    let id = result["case_id"].as_i64().expect("a case id");
    ws.callback("clara", id, &copy, "+49 30 1234567", "confirmed").assert_code(OK);
    ws.run("anna", &["--json", "case", "approve", &id.to_string()]).assert_code(OK);
}

fn office(dir: &TestDir) -> Workspace<'_> {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    let t = TEMPLATE.get_or_init(|| {
        let dir = TestDir::new();
        let fingerprint = build_template(&dir);
        Template { files: Snapshot::of(&dir), fingerprint }
    });
    t.files.restore_workspace(dir, "Initech GmbH", "alice", &t.fingerprint)
}

fn sepa(e2e: &str, amount: &str, name: &str, iban: &str) -> SampleLine {
    SampleLine::sepa(e2e, amount, name, iban, "COBADEFFXXX")
}

fn payment_file(version: Pain001Version, lines: Vec<SampleLine>) -> SampleFile {
    SampleFile::one_block(version, "ERP-RUN-0042", OUR_IBAN, lines)
}

/// One line of each kind, in this order: ok, cooling off, retired, not signed, stranger,
/// another partner's account under Umbrella's name, a duplicate of the first.
fn mixed_lines() -> Vec<SampleLine> {
    vec![
        sepa("E1", "950.00", "Umbrella Logistics S.L.", UMBRELLA_IBAN),
        sepa("E2", "1800.00", "Globex Corporation", GLOBEX_NEW_IBAN),
        sepa("E3", "1800.00", "Globex Corporation", GLOBEX_CONTRACT_IBAN),
        sepa("E4", "300.00", "Acme SA", ACME_IBAN),
        sepa("E5", "77.00", "Hooli Ltd", "GB29NWBK60161331926819"),
        sepa("E6", "120.00", "Umbrella Logistics S.L.", GLOBEX_NEW_IBAN),
        SampleLine { remittance: Some("Invoice E1".into()), ..sepa("E7", "950.00", "Umbrella Logistics S.L.", UMBRELLA_IBAN) },
    ]
}

/// Each line's verdict and reason codes from `screen --json`.
fn verdicts(report: &Value) -> Vec<(String, Vec<String>)> {
    report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            let codes = l["reasons"].as_array().expect("reasons").iter().map(|r| r["code"].as_str().unwrap().to_string()).collect();
            (l["verdict"].as_str().unwrap().to_string(), codes)
        })
        .collect()
}

fn screen_events(ws: &Workspace<'_>) -> Vec<Value> {
    let log = ws.run("frank", &["--json", "audit", "log", "--action", "payment_file.screen"]).assert_code(OK).json();
    log.as_array().cloned().unwrap_or_else(|| panic!("`audit log --json` prints an array: {log}"))
}

fn xmllint_validates(dir: &TestDir, file: &str, version: Pain001Version) {
    let schema = format!("{}/crates/core/src/screen/schemas/{}.xsd", env!("CARGO_MANIFEST_DIR"), version.as_str());
    let out = Command::new("xmllint").args(["--noout", "--schema", &schema]).arg(dir.join(file)).output();
    let out = out.unwrap_or_else(|e| panic!("xmllint (Debian package libxml2-utils) is needed to check the approved copy: {e}"));
    assert!(out.status.success(), "the approved copy is not schema-valid:\n{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn each_line_gets_its_verdict_the_file_exits_1_and_one_signed_statement_records_it() {
    let dir = TestDir::new();
    let ws = office(&dir);
    dir.write("run.xml", payment_file(Pain001Version::V03, mixed_lines()).xml());
    let report = ws.run("clara", &["--json", "screen", "run.xml"]).assert_code(HELD).json();
    let expected: [(&str, &[&str]); 7] = [
        ("ok", &[]),
        ("hold", &["account_cooling_off"]),
        ("blocked", &["account_previously_retired"]),
        ("hold", &["account_not_signed"]),
        ("hold", &["creditor_not_partner"]),
        ("blocked", &["account_used_by_other_partner", "account_cooling_off", "beneficiary_name_mismatch"]),
        ("hold", &["duplicate_line"]),
    ];
    let got = verdicts(&report);
    for (i, (verdict, codes)) in expected.iter().enumerate() {
        assert_eq!((got[i].0.as_str(), &got[i].1), (*verdict, &codes.iter().map(|c| c.to_string()).collect::<Vec<_>>()), "line {}", i + 1);
    }
    assert_eq!(report["verdict"], "blocked");
    assert_eq!(
        (report["counts"]["ok"].as_u64(), report["counts"]["hold"].as_u64(), report["counts"]["blocked"].as_u64()),
        (Some(1), Some(4), Some(2))
    );
    assert_eq!(report["lines"][1]["partner"]["name"], "Globex Corporation");
    let events = screen_events(&ws);
    assert_eq!(events.len(), 1, "one event per screening");
    let details = &events[0]["details"];
    assert_eq!(details["file_sha256"], report["file_sha256"]);
    assert_eq!(details["lines_not_ok"].as_array().map(Vec::len), Some(6), "each held or blocked line is logged");
    ws.run("frank", &["audit", "verify"]).assert_code(OK);
    // The table a person reads: every line, the reasons in words, the counts.
    let text = ws.run("clara", &["screen", "run.xml"]).assert_code(HELD).stdout();
    assert!(text.contains("account_cooling_off") && text.contains("the first payments to it wait 24 hours"), "{text}");
    assert!(text.contains("BLOCKED: 1 ok, 4 hold, 2 blocked."), "{text}");
}

#[test]
fn an_all_ok_file_exits_0_and_check_names_who_screened_it_or_that_it_changed() {
    let dir = TestDir::new();
    let ws = office(&dir);
    for version in Pain001Version::ALL {
        let file = payment_file(version, vec![sepa("E1", "950.00", "Umbrella Logistics S.L.", UMBRELLA_IBAN)]);
        dir.write("ok.xml", file.xml());
        let report = ws.run("clara", &["--json", "screen", "ok.xml"]).assert_code(OK).json();
        assert_eq!((report["verdict"].as_str(), report["version"].as_str()), (Some("ok"), Some(version.as_str())));
        let check = ws.run("frank", &["--json", "screen", "--check", "ok.xml"]).assert_code(OK).json();
        assert_eq!((check["standing"].as_str(), check["screening"]["by"].as_str()), (Some("screened_ok"), Some("clara")));
        // Someone changes the amount after the screening: named as changed.
        dir.write("ok.xml", file.xml().replace("950.00", "9500.00"));
        let changed = ws.run("frank", &["--json", "screen", "--check", "ok.xml"]).assert_code(HELD).json();
        assert_eq!(changed["standing"], "changed");
        assert_eq!(changed["same_message"][0]["by"], "clara");
        let text = ws.run("frank", &["screen", "--check", "ok.xml"]).assert_code(HELD).stdout();
        assert!(text.starts_with("CHANGED AFTER SCREENING"), "{text}");
    }
    let other = payment_file(Pain001Version::V09, vec![sepa("X", "1.00", "Umbrella Logistics S.L.", UMBRELLA_IBAN)]);
    dir.write("never.xml", other.xml().replace("ERP-RUN-0042", "ERP-RUN-9999"));
    let never = ws.run("frank", &["--json", "screen", "--check", "never.xml"]).assert_code(HELD).json();
    assert_eq!(never["standing"], "not_screened");
}

#[test]
fn the_approved_copy_keeps_only_ok_lines_is_schema_valid_and_is_recognised() {
    let dir = TestDir::new();
    let ws = office(&dir);
    for version in Pain001Version::ALL {
        let name = format!("run-{}.xml", version.as_str());
        let out = format!("approved-{}.xml", version.as_str());
        dir.write(&name, payment_file(version, mixed_lines()).xml());
        let report = ws.run("anna", &["--json", "screen", &name, "--approved-out", &out]).assert_code(HELD).json();
        assert_eq!(report["approved_copy"]["lines"], 1);
        xmllint_validates(&dir, &out, version);
        let copy = dir.read_string(&out);
        assert!(copy.contains("<NbOfTxs>1</NbOfTxs>") && copy.contains("<CtrlSum>950.00</CtrlSum>"), "{copy}");
        assert!(!copy.contains("Hooli") && !copy.contains(GLOBEX_NEW_IBAN), "{copy}");
        let check = ws.run("frank", &["--json", "screen", "--check", &out]).assert_code(OK).json();
        assert_eq!((check["standing"].as_str(), check["approved_copy"].as_bool()), (Some("screened_ok"), Some(true)));
        let logged = screen_events(&ws).last().cloned().expect("logged");
        assert_eq!(logged["details"]["approved_copy"]["sha256"], report["approved_copy"]["sha256"]);
        // An existing file is never overwritten, nor the screened file itself.
        ws.run("anna", &["screen", &name, "--approved-out", &out]).assert_code(UNREADABLE).assert_stderr_contains("exists already");
        ws.run("anna", &["screen", &name, "--approved-out", &name]).assert_code(UNREADABLE);
    }
}

#[test]
fn unreadable_hostile_and_invalid_files_exit_2_and_log_nothing() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let valid = payment_file(Pain001Version::V03, vec![sepa("E1", "950.00", "Umbrella Logistics S.L.", UMBRELLA_IBAN)]).xml();
    let body = valid.split_once("?>\n").expect("a declaration").1;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "xxe.xml",
            format!("<!DOCTYPE Document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{}", body.replace("Invoice E1", "&x;")),
            "document type declaration",
        ),
        (
            "laughs.xml",
            format!("<!DOCTYPE Document [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n{body}"),
            "document type declaration",
        ),
        ("entity.xml", valid.replace("Invoice E1", "&x;"), "entity &x;"),
        ("namespace.xml", valid.replace("pain.001.001.03", "pain.001.001.02"), "only pain.001.001.03 and pain.001.001.09"),
        ("malformed.xml", valid.replace("</Cdtr>", "</Cdtor>"), "not well-formed"),
        ("cut.xml", valid[..valid.len() - 20].to_string(), "not well-formed"),
        ("schema.xml", valid.replace("<PmtMtd>TRF</PmtMtd>", ""), "PmtInf"),
        ("iban.xml", valid.replace(UMBRELLA_IBAN, "de44500105175407324931"), "IBAN"),
        ("latin1.xml", valid.replace("UTF-8", "ISO-8859-1"), "UTF-8"),
    ];
    let before = screen_events(&ws).len();
    for (name, xml, needle) in cases {
        dir.write(name, xml);
        let out = ws.run("clara", &["--json", "screen", name]).assert_code(UNREADABLE);
        let error = &out.json()["error"];
        assert_eq!(error["code"], "payment_file_invalid", "{name}: {out}");
        assert!(error["message"].as_str().unwrap().contains(needle), "{name}: {error}");
    }
    ws.run("clara", &["screen", "missing.xml"]).assert_code(UNREADABLE);
    assert_eq!(screen_events(&ws).len(), before, "a file that cannot be screened is not logged as screened");
}

#[test]
fn auditors_check_but_do_not_screen_and_the_same_file_gives_the_same_report() {
    let dir = TestDir::new();
    let ws = office(&dir);
    dir.write("run.xml", payment_file(Pain001Version::V09, mixed_lines()).xml());
    ws.run("frank", &["screen", "run.xml"]).assert_code(NOT_PERMITTED).assert_stderr_contains("may screen payment files");
    let first = ws.run("clara", &["--json", "screen", "run.xml"]).assert_code(HELD).json();
    let second = ws.run("anna", &["--json", "screen", "run.xml"]).assert_code(HELD).json();
    assert_eq!(first["lines"], second["lines"]);
    assert_eq!(first["file_findings"], second["file_findings"]);
    assert_ne!(first["event"], second["event"], "each screening is its own event");
    let check = ws.run("frank", &["--json", "screen", "--check", "run.xml"]).assert_code(HELD).json();
    assert_eq!((check["standing"].as_str(), check["screening"]["by"].as_str()), (Some("screened_not_ok"), Some("anna")));
}

#[test]
fn an_accounts_table_edited_by_hand_does_not_make_a_line_ok() {
    let dir = TestDir::new();
    let ws = office(&dir);
    // The insider makes Globex's old account current again and Acme's look signed-for.
    let db = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    db.execute_batch(&format!(
        "UPDATE accounts SET status = 'current' WHERE account_key = 'iban:{GLOBEX_CONTRACT_IBAN}';
         UPDATE accounts SET status = 'retired' WHERE account_key = 'iban:{GLOBEX_NEW_IBAN}';
         UPDATE accounts SET source = 'instruction' WHERE account_key = 'iban:{ACME_IBAN}';"
    ))
    .unwrap();
    drop(db);
    dir.write("run.xml", payment_file(Pain001Version::V03, mixed_lines()).xml());
    let report = ws.run("clara", &["--json", "screen", "run.xml"]).assert_code(HELD).json();
    let got = verdicts(&report);
    assert_eq!(got[2], ("blocked".to_string(), vec!["account_previously_retired".to_string()]), "the statements say retired");
    assert_eq!(got[3].1, ["account_not_signed"]);
}

#[test]
fn a_50000_line_payment_run_is_screened_whole() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let lines: Vec<SampleLine> = (0..50_000)
        .map(|i| {
            let mut line = sepa(&format!("E{i}"), &format!("{}.{:02}", 100 + i % 900, i % 100), "Umbrella Logistics S.L.", UMBRELLA_IBAN);
            line.remittance = Some(format!("Invoice {i}"));
            line
        })
        .collect();
    let mut file = payment_file(Pain001Version::V09, lines);
    file.blocks[0].lines[31_337].creditor_name = "Hooli Ltd".into();
    file.blocks[0].lines[31_337].account = "GB29NWBK60161331926819".into();
    dir.write("big.xml", file.xml());
    let report = ws.run("clara", &["--json", "screen", "big.xml"]).assert_code(HELD).json();
    assert_eq!((report["counts"]["lines"].as_u64(), report["counts"]["ok"].as_u64()), (Some(50_000), Some(49_999)));
    let held: Vec<&Value> = report["lines"].as_array().unwrap().iter().filter(|l| l["verdict"] != "ok").collect();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0]["number"].as_u64(), held[0]["reasons"][0]["code"].as_str()), (Some(31_338), Some("creditor_not_partner")));
}
