//! A team on several desktops (issue 17), through the CLI: one workspace on the PostgreSQL server
//! `make test` starts, each desktop with its own `--data-dir`. The clerk's callback on one desktop
//! and the approver's approval and release on another act on one case queue and one log; a desktop
//! refuses a server whose log was rolled back; a password never goes on the command line.

mod util;

use serde_json::Value;
use util::{details, TestDir, DEFAULT_PHONE};

const OK: i32 = 0;
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const HOLD: i32 = 3;

const GLOBEX_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const GLOBEX_BIC: &str = "COBADEFFXXX";
const NEW_IBAN: &str = "GB82 WEST 1234 5698 7654 32";
const NEW_BIC: &str = "NWBKGB2LXXX";

/// A URL for a new team workspace on the test server (`None` when there is none and none is
/// required).
fn team_url() -> Option<String> {
    let url = countersign_store::testing::fresh_database()?;
    let base = std::env::var(countersign_store::testing::TEST_POSTGRES_ENV).expect("set when fresh_database gave a URL");
    Some(format!("{base}?schema={}", url.schema()))
}

fn case_status(ws: &util::Workspace<'_>, user: &str, id: i64) -> Value {
    ws.run(user, &["--json", "case", "show", &id.to_string()]).assert_code(OK).json()["status"].clone()
}

#[test]
fn a_clerk_on_one_desktop_and_an_approver_on_another_work_one_case() {
    let Some(url) = team_url() else { return };
    let dir = TestDir::new();
    let admin_desk = dir.init_team_workspace("alice-desk", &url, "Initech GmbH", "alice");
    // No cooling-off (issue 20): dave releases the change at once (tests/cli_cooling_off.rs).
    admin_desk.admin(&["--json", "policy", "set", "cooling_off_hours", "0"]).assert_code(OK);
    admin_desk.add_user("carol", "clerk");
    admin_desk.add_user("dave", "approver");
    admin_desk.add_user("erin", "approver");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE"]);
    admin_desk.add_partner(&globex, &["--iban", GLOBEX_IBAN, "--bic", GLOBEX_BIC]);
    admin_desk
        .admin_applied(&["--json", "org", "account", "--iban", "DE44 5001 0517 5407 3249 31", "--bic", "INGDDEFFXXX"])
        .assert_code(OK);
    let clerk_desk = admin_desk.on_desktop("carol-desk");
    let approver_desk = admin_desk.on_desktop("dave-desk");

    // New bank details: held, on the clerk's desktop.
    admin_desk.sign(&globex, &details("Globex Corporation", NEW_IBAN, NEW_BIC, "48200.00"), "changed.csi");
    let out = clerk_desk.receive("carol", &["changed.csi"]);
    let case = out.assert_received(HOLD, "hold", Some("bank_details_changed"))["case_id"].as_i64().unwrap();
    // The approver's desktop sees it at once, and cannot approve before the callback.
    assert_eq!(case_status(&approver_desk, "dave", case), "hold");
    approver_desk.run("dave", &["case", "approve", &case.to_string()]).assert_code(FAILED);
    // The clerk calls back the number on file and records the partner's response.
    clerk_desk.callback("carol", case, "changed.csi", DEFAULT_PHONE, "confirmed").assert_code(OK);
    assert_eq!(case_status(&approver_desk, "dave", case), "callback_confirmed");
    // The approver approves and releases on the other desktop.
    approver_desk.run("dave", &["--json", "case", "approve", &case.to_string()]).assert_code(OK);
    approver_desk
        .run("dave", &["--json", "case", "release", &case.to_string(), "--export", "pain001", "--out", "dave-desk-payment.xml"])
        .assert_code(OK);
    assert!(dir.exists("dave-desk-payment.xml"));
    // The clerk's desktop sees the release; a second release from anywhere is refused.
    assert_eq!(case_status(&clerk_desk, "carol", case), "released");
    admin_desk.run("erin", &["case", "release", &case.to_string()]).assert_code(FAILED);
    // A desktop that joined connects again without --database (its team.json, with no password).
    let again = util::Workspace { database: None, ..clerk_desk.clone() };
    assert_eq!(case_status(&again, "carol", case), "released");
    assert!(!dir.read_string("carol-desk/team.json").contains("password"));
    // One log, intact, seen the same from every desktop.
    let verify = admin_desk.run("alice", &["--json", "audit", "verify"]).assert_code(OK).json();
    assert_eq!(verify["intact"], true, "{verify:#}");
    let on_clerk = clerk_desk.run("alice", &["--json", "audit", "verify"]).assert_code(OK).json();
    // The same log: the first check is one more event in it (`audit.verify`).
    assert_eq!(on_clerk["intact"], true, "{on_clerk:#}");
    assert_eq!(on_clerk["events"].as_u64(), verify["events"].as_u64().map(|n| n + 1));
}

#[test]
fn a_desktop_refuses_a_server_whose_log_was_rolled_back() {
    let Some(url) = team_url() else { return };
    let dir = TestDir::new();
    let desk = dir.init_team_workspace("alice-desk", &url, "Initech GmbH", "alice");
    let size = desk.admin(&["--json", "audit", "verify"]).assert_code(OK).json()["events"].as_u64().unwrap();
    desk.add_user("carol", "clerk");
    desk.run("carol", &["--json", "case", "list"]).assert_code(OK);
    // The database administrator restores an older state of the log.
    let schema = url.rsplit("schema=").next().unwrap();
    let base = std::env::var(countersign_store::testing::TEST_POSTGRES_ENV).unwrap();
    let mut client = countersign_store::postgres::DatabaseUrl::parse(&base).unwrap().connect().unwrap();
    client
        .batch_execute(&format!(
            "SET search_path TO {schema}; ALTER TABLE audit_events DISABLE TRIGGER USER;
             DELETE FROM audit_events WHERE seq > {size}; ALTER TABLE audit_events ENABLE TRIGGER USER"
        ))
        .unwrap();
    let out = desk.run("carol", &["--json", "case", "list"]).assert_code(FAILED);
    let message = out.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("rolled back or rewritten"), "{message}");
    assert!(!message.contains("password"), "{message}");
}

#[test]
fn a_database_password_is_never_taken_from_the_command_line() {
    let dir = TestDir::new();
    let out = dir
        .countersign(&[
            "--json",
            "--data-dir",
            "desk",
            "--database",
            "postgres://clerk:hunter22@db.example.com/payments",
            "--as",
            "carol",
            "case",
            "list",
        ])
        .run()
        .assert_code(USAGE);
    assert_eq!(out.json()["error"]["code"], "password_on_command_line");
    assert!(!out.stdout().contains("hunter22") && !out.stderr().contains("hunter22"));
    assert!(!dir.exists("desk"), "nothing was created");
    // A URL that is not one, and a remote server without TLS, are refused before connecting.
    let out = dir.countersign(&["--json", "--data-dir", "desk", "--database", "mysql://x@y/z", "--as", "carol", "case", "list"]).run();
    assert_eq!(out.assert_code(USAGE).json()["error"]["code"], "invalid_database_url");
    let out = dir
        .countersign(&[
            "--json",
            "--data-dir",
            "desk",
            "--database",
            "postgres://x@192.0.2.1/z?sslmode=disable",
            "--as",
            "carol",
            "case",
            "list",
        ])
        .run()
        .assert_code(USAGE);
    assert!(out.json()["error"]["message"].as_str().unwrap().contains("must use TLS"), "{out}");
}

#[test]
fn a_desktop_workspace_moves_to_a_team_server_with_its_log() {
    let Some(url) = team_url() else { return };
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("carol", "clerk");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE"]);
    ws.add_partner(&globex, &["--iban", GLOBEX_IBAN, "--bic", GLOBEX_BIC]);
    ws.sign(&globex, &details("Globex Corporation", GLOBEX_IBAN, GLOBEX_BIC, "1250.00"), "invoice.csi");
    ws.receive("carol", &["invoice.csi"]).assert_code(OK);
    let before = ws.admin(&["--json", "audit", "verify"]).assert_code(OK).json();
    ws.run("carol", &["workspace", "migrate", "--to", &url]).assert_code(4);
    let moved = ws.admin(&["--json", "workspace", "migrate", "--to", &url]).assert_code(OK).json();
    assert!(moved["events"].as_u64() > before["events"].as_u64(), "{moved:#}");
    assert_eq!(moved["rows"]["cases"], 1);
    // The directory now works on the server; the file stays behind, with its note.
    assert!(dir.read_string("ws/MOVED.txt").contains("moved to the team workspace"));
    let cases = ws.run("carol", &["--json", "case", "list"]).assert_code(OK).json();
    assert_eq!(cases["cases"].as_array().map(Vec::len), Some(1), "{cases:#}");
    // The same log on the server: the same events and root as the file had at the move.
    let after = ws.admin(&["--json", "audit", "verify"]).assert_code(OK).json();
    assert_eq!(after["intact"], true);
    assert_eq!((&after["events"], &after["root"]), (&moved["events"], &moved["root"]), "{after:#}");
    // Moving again is refused: it is a team workspace now.
    ws.admin(&["workspace", "migrate", "--to", &url]).assert_code(USAGE);
}

#[test]
fn desktops_connect_with_a_role_that_cannot_rewrite_the_log() {
    let Some(url) = team_url() else { return };
    let base = std::env::var(countersign_store::testing::TEST_POSTGRES_ENV).unwrap();
    let schema = url.rsplit("schema=").next().unwrap().to_string();
    let role = format!("desk_{schema}");
    let mut admin = countersign_store::postgres::DatabaseUrl::parse(&base).unwrap().connect().unwrap();
    admin.batch_execute(&format!("CREATE ROLE {role} LOGIN")).unwrap();
    let dir = TestDir::new();
    let owner_desk = dir.init_team_workspace("owner-desk", &url, "Initech GmbH", "alice");
    // init granted nothing yet (no --app-role); the owner grants the desktops' role with migrate.
    let migrated =
        dir.countersign(&["--json", "--database", &url, "database", "migrate", "--app-role", &role]).run().assert_code(OK).json();
    let latest = countersign_store::postgres::migrations::latest();
    assert_eq!((migrated["from"].as_i64(), migrated["to"].as_i64()), (Some(latest), Some(latest)), "{migrated:#}");
    owner_desk.add_user("carol", "clerk");
    let as_desktop = format!("{}?schema={schema}", base.replacen("cs@", &format!("{role}@"), 1));
    let desk = util::Workspace { data_dir: "carol-desk".into(), database: Some(as_desktop.clone()), ..owner_desk.clone() };
    let cases = desk.run("carol", &["--json", "case", "list"]).assert_code(OK).json();
    assert_eq!(cases["cases"], serde_json::json!([]));
    // The desktops' role cannot create a workspace or change the schema.
    let other = format!("{}_other", as_desktop);
    dir.init_cmd("x", "Initech GmbH", "alice").args(&["--database", &other]).run().assert_code(USAGE);
    dir.countersign(&["--database", &as_desktop, "database", "migrate", "--app-role", &role]).run().assert_code(USAGE);
    drop(desk);
    admin.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}")).unwrap();
}
