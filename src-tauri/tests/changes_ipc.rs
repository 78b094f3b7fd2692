//! Four eyes through Tauri's real IPC path on the mock runtime (issue 15): once two people can
//! check changes, an onboarding is a pending change; its maker is refused the approval (the
//! core's `not_permitted`), a clerk too, and a second approver's approval pins the key. A
//! rejection needs a reason and applies nothing. The workspace is made with the core; the card
//! comes from keys/ (TEST-ONLY).

use std::path::Path;

use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

use countersign_service::{Credentials, InitRequest, Role, Workspace};

mod common;
use common::{app_on, fresh_dir, invoke, logout, main_window, refusal, refusal_with_message};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../keys");
const GLOBEX_FPR: &str = "36653 67829 08626 49703 65424 09250";

fn password(user: &str) -> String {
    format!("TEST-ONLY {user} changes")
}

/// Admin alice, clerk carol and (with `approver`) approver dave: then two people can check.
fn workspace(dir: &Path, approver: bool) {
    let alice = password("alice");
    let mut ws = Workspace::init(
        dir,
        &InitRequest { org_name: "Initech GmbH", admin_name: "alice", org_passphrase: "TEST-ONLY org changes", admin_password: &alice },
    )
    .unwrap();
    let admin = ws.login(&Credentials { user: "alice", password: &alice, totp: None }).unwrap();
    ws.add_user(&admin, "carol", Role::Clerk, &password("carol")).unwrap();
    if approver {
        ws.add_user(&admin, "dave", Role::Approver, &password("dave")).unwrap();
    }
}

fn login(main: &WebviewWindow<MockRuntime>, user: &str) {
    invoke(main, "login", json!({"request": {"user": user, "password": password(user)}})).unwrap();
}

fn onboard_globex(main: &WebviewWindow<MockRuntime>) -> Value {
    let request = json!({"request": {
        "card_path": format!("{KEYS}/globex.card"),
        "confirm_fingerprint": GLOBEX_FPR,
        "phones": [{"number": "+49 30 1234567", "label": null}], "card_numbers": false,
        "domains": ["globex.example"],
        "country": "DE",
        "iban": "DE89 3704 0044 0532 0130 00",
        "bic": "COBADEFFXXX",
    }});
    invoke(main, "add_partner", request).unwrap()
}

#[test]
fn setup_mode_applies_at_once_and_says_so() {
    let dir = fresh_dir("changes-ipc", "setup");
    workspace(&dir.join("ws"), false);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    assert_eq!(refusal(invoke(&main, "workspace_mode", json!({}))), "not_signed_in");
    login(&main, "alice");
    assert_eq!(invoke(&main, "workspace_mode", json!({})).unwrap(), json!({"setup": true, "checkers": ["alice"]}));
    assert_eq!(onboard_globex(&main)["outcome"], json!("applied"));
    assert_eq!(invoke(&main, "list_changes", json!({"status": null})).unwrap(), json!([]));
    assert_eq!(invoke(&main, "list_fraud_marks", json!({})).unwrap(), json!([]));
}

#[test]
fn an_onboarding_waits_for_a_second_person_and_its_maker_cannot_approve_it() {
    let dir = fresh_dir("changes-ipc", "onboard");
    workspace(&dir.join("ws"), true);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    assert_eq!(invoke(&main, "workspace_mode", json!({})).unwrap(), json!({"setup": false, "checkers": ["alice", "dave"]}));

    let pending = onboard_globex(&main);
    assert_eq!(pending["outcome"], json!("pending"), "{pending}");
    assert_eq!(pending["change"]["kind"], json!("partner_add"));
    let id = pending["change"]["id"].clone();
    assert!(pending["change"]["summary"].as_str().unwrap().contains(GLOBEX_FPR));
    assert_eq!(invoke(&main, "list_partners", json!({})).unwrap(), json!([]), "nothing pinned yet");

    // The checker's view: the change, and what it makes, field by field.
    let list = invoke(&main, "list_changes", json!({"status": "pending"})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(refusal(invoke(&main, "list_changes", json!({"status": "done"}))), "invalid_input");
    let change = invoke(&main, "change_detail", json!({"id": id})).unwrap();
    assert_eq!(change, list[0]);
    assert_eq!((change["status"].clone(), change["proposed_by"].clone()), (json!("pending"), json!("alice")));
    let fingerprint = change["fields"].as_array().unwrap().iter().find(|f| f["name"] == json!("fingerprint")).expect("a fingerprint field");
    assert_eq!(fingerprint["before"], Value::Null);
    assert_eq!(fingerprint["after"], json!(GLOBEX_FPR));
    assert_eq!(fingerprint["changed"], json!(true));

    // Alice made it: her approval is refused with the core's words; a clerk may not check.
    let (code, message) = refusal_with_message(invoke(&main, "approve_change", json!({"id": id})));
    assert_eq!(code, "not_permitted");
    assert!(message.contains("another approver or admin"), "{message}");
    logout(&main);
    login(&main, "carol");
    assert_eq!(refusal(invoke(&main, "approve_change", json!({"id": id}))), "not_permitted");
    logout(&main);

    // Dave approves: the key is pinned.
    login(&main, "dave");
    let approved = invoke(&main, "approve_change", json!({"id": id})).unwrap();
    assert_eq!((approved["status"].clone(), approved["decided_by"].clone()), (json!("approved"), json!("dave")));
    let partners = invoke(&main, "list_partners", json!({})).unwrap();
    assert_eq!(partners[0]["active_keys"], json!([GLOBEX_FPR]));
    assert_eq!(refusal(invoke(&main, "approve_change", json!({"id": id}))), "check_failed", "approved once only");
    assert_eq!(invoke(&main, "list_changes", json!({"status": "pending"})).unwrap(), json!([]));
}

#[test]
fn a_rejected_change_needs_a_reason_and_applies_nothing() {
    let dir = fresh_dir("changes-ipc", "reject");
    workspace(&dir.join("ws"), true);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    let account = json!({"account": {"name": "", "iban": "DE02 1203 0000 0000 2020 51", "bic": "BYLADEM1001", "currency": "EUR"}});
    let pending = invoke(&main, "set_org_account", account).unwrap();
    assert_eq!(pending["change"]["kind"], json!("org_account"));
    let id = pending["change"]["id"].clone();
    assert_eq!(invoke(&main, "get_org_account", json!({})).unwrap(), Value::Null);
    logout(&main);

    login(&main, "dave");
    assert_eq!(refusal(invoke(&main, "reject_change", json!({"id": id, "reason": "  "}))), "invalid_input");
    let rejected = invoke(&main, "reject_change", json!({"id": id, "reason": "not the account in our contract"})).unwrap();
    assert_eq!(rejected["status"], json!("rejected"));
    assert_eq!(rejected["reason"], json!("not the account in our contract"));
    assert_eq!(invoke(&main, "get_org_account", json!({})).unwrap(), Value::Null, "nothing applied");
    assert_eq!(refusal(invoke(&main, "approve_change", json!({"id": id}))), "check_failed");
}
