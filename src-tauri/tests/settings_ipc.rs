//! The admin's settings through Tauri's real IPC path on the mock runtime, with the app's real
//! configuration and capabilities: users (add, a refused weak password, disable and enable, a
//! new first password), the policy (an invalid value refused, a change stored), our account, and
//! the organisation key (a backup that opens with the passphrase, a rotation whose statement the
//! old key signed). A clerk is refused each admin action. The workspace is made with the core.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

use countersign_service::core::format::card::PartnerCard;
use countersign_service::core::format::keys::SecretKeyFile;
use countersign_service::core::format::rotation::RotationStatement;
use countersign_service::{Credentials, Role, Workspace};

mod common;
use common::{app_on, fresh_dir, invoke, logout, main_window, refusal};

const ORG_PASSPHRASE: &str = "TEST-ONLY org settings";

fn password(user: &str) -> String {
    format!("TEST-ONLY {user} settings")
}

/// A workspace with admin alice and clerk carol; returns our card.
fn workspace(dir: &Path) -> Vec<u8> {
    let alice = password("alice");
    let mut ws = Workspace::init(
        dir,
        &countersign_service::InitRequest {
            org_name: "Initech GmbH",
            admin_name: "alice",
            org_passphrase: ORG_PASSPHRASE,
            admin_password: &alice,
        },
    )
    .unwrap();
    let admin = ws.login(&Credentials { user: "alice", password: &alice, totp: None }).unwrap();
    ws.add_user(&admin, "carol", Role::Clerk, &password("carol")).unwrap();
    ws.org_card(&admin).unwrap()
}

fn login(main: &WebviewWindow<MockRuntime>, user: &str) {
    invoke(main, "login", json!({"request": {"user": user, "password": password(user)}})).unwrap();
}

#[test]
fn users_are_added_disabled_enabled_and_given_a_new_password() {
    let dir = fresh_dir("settings-ipc", "users");
    workspace(&dir.join("ws"));
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    assert_eq!(refusal(invoke(&main, "list_users", json!({}))), "not_signed_in");
    login(&main, "alice");
    assert_eq!(
        invoke(&main, "list_users", json!({})).unwrap(),
        json!([{"name": "alice", "role": "admin", "disabled": false}, {"name": "carol", "role": "clerk", "disabled": false}])
    );

    let weak = json!({"request": {"name": "dave", "role": "approver", "password": "short"}});
    assert_eq!(refusal(invoke(&main, "add_user", weak)), "invalid_input");
    let bad_role = json!({"request": {"name": "dave", "role": "boss", "password": password("dave")}});
    assert_eq!(refusal(invoke(&main, "add_user", bad_role)), "invalid_input");
    // Alice alone can check changes (setup mode): dave is added at once, and then two can.
    let added = invoke(&main, "add_user", json!({"request": {"name": "dave", "role": "approver", "password": password("dave")}})).unwrap();
    assert_eq!(added, json!({"outcome": "applied", "value": {"name": "dave", "role": "approver", "disabled": false}}));
    assert_eq!(invoke(&main, "workspace_mode", json!({})).unwrap(), json!({"setup": false, "checkers": ["alice", "dave"]}));

    // Disabling dave would leave one person who can check: refused. A clerk is disabled at once.
    assert_eq!(refusal(invoke(&main, "set_user_disabled", json!({"name": "dave", "disabled": true}))), "not_permitted");
    let disabled = invoke(&main, "set_user_disabled", json!({"name": "carol", "disabled": true})).unwrap();
    assert_eq!(disabled, json!({"outcome": "applied", "value": null}));
    assert_eq!(invoke(&main, "list_users", json!({})).unwrap()[1]["disabled"], json!(true));
    assert_eq!(refusal(invoke(&main, "set_user_disabled", json!({"name": "alice", "disabled": true}))), "invalid_input");
    assert_eq!(refusal(invoke(&main, "set_user_disabled", json!({"name": "nobody", "disabled": true}))), "not_found");
    logout(&main);
    assert_eq!(
        refusal(invoke(&main, "login", json!({"request": {"user": "carol", "password": password("carol")}}))),
        "authentication_failed"
    );

    // Enabling a clerk applies at once; a new first password waits for a second person.
    login(&main, "alice");
    invoke(&main, "set_user_disabled", json!({"name": "carol", "disabled": false})).unwrap();
    let reset = json!({"request": {"name": "carol", "password": "TEST-ONLY a new first password"}});
    let pending = invoke(&main, "reset_user_password", reset).unwrap();
    assert_eq!(pending["outcome"], json!("pending"));
    assert_eq!(pending["change"]["kind"], json!("user_reset_password"));
    let change = pending["change"]["id"].clone();
    logout(&main);
    invoke(&main, "login", json!({"request": {"user": "carol", "password": password("carol")}})).unwrap();
    logout(&main);
    login(&main, "dave");
    assert_eq!(invoke(&main, "approve_change", json!({"id": change})).unwrap()["status"], json!("approved"));
    logout(&main);
    assert_eq!(
        refusal(invoke(&main, "login", json!({"request": {"user": "carol", "password": password("carol")}}))),
        "authentication_failed"
    );
    invoke(&main, "login", json!({"request": {"user": "carol", "password": "TEST-ONLY a new first password"}})).unwrap();
}

#[test]
fn a_clerk_is_refused_every_admin_setting() {
    let dir = fresh_dir("settings-ipc", "clerk");
    workspace(&dir.join("ws"));
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "carol");
    assert_eq!(refusal(invoke(&main, "list_users", json!({}))), "not_permitted");
    let add = json!({"request": {"name": "eve", "role": "admin", "password": password("eve")}});
    assert_eq!(refusal(invoke(&main, "add_user", add)), "not_permitted");
    assert_eq!(refusal(invoke(&main, "set_user_disabled", json!({"name": "alice", "disabled": true}))), "not_permitted");
    let reset = json!({"request": {"name": "alice", "password": password("eve")}});
    assert_eq!(refusal(invoke(&main, "reset_user_password", reset)), "not_permitted");
    let policy = invoke(&main, "get_policy", json!({})).unwrap();
    assert_eq!(refusal(invoke(&main, "set_policy", json!({"policy": policy}))), "not_permitted");
    let account = json!({"account": {"name": "", "iban": "DE02120300000000202051", "bic": "BYLADEM1001", "currency": "EUR"}});
    assert_eq!(refusal(invoke(&main, "set_org_account", account)), "not_permitted");
    // The key's fingerprint is public; backing it up or rotating it is not for a clerk. The
    // refusal comes before any file is chosen.
    assert!(invoke(&main, "org_key_info", json!({})).unwrap()["fingerprint"].is_string());
    assert_eq!(refusal(invoke(&main, "backup_org_key", json!({"request": {"passphrase": ORG_PASSPHRASE}}))), "not_permitted");
    let rotate = json!({"request": {"passphrase": ORG_PASSPHRASE, "new_passphrase": ORG_PASSPHRASE}});
    assert_eq!(refusal(invoke(&main, "rotate_org_key", rotate)), "not_permitted");
}

#[test]
fn the_policy_and_our_account_are_read_and_changed() {
    let dir = fresh_dir("settings-ipc", "policy");
    workspace(&dir.join("ws"));
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    let mut policy = invoke(&main, "get_policy", json!({})).unwrap();
    assert_eq!(policy["change_window_days"], json!(90));
    assert_eq!(policy["require_totp_for_approvers"], json!(false));
    policy["amount_unusual_factor"] = json!(1);
    assert_eq!(refusal(invoke(&main, "set_policy", json!({"policy": policy.clone()}))), "invalid_input");
    policy["amount_unusual_factor"] = json!(5);
    policy["close_name_match_needs_callback"] = json!(true);
    // Alice alone can check changes (setup mode): even a looser policy applies at once.
    assert_eq!(invoke(&main, "set_policy", json!({"policy": policy.clone()})).unwrap(), json!({"outcome": "applied", "value": policy}));
    assert_eq!(invoke(&main, "get_policy", json!({})).unwrap(), policy);

    assert_eq!(invoke(&main, "get_org_account", json!({})).unwrap(), Value::Null);
    let bad = json!({"account": {"name": "", "iban": "DE02120300000000202052", "bic": "BYLADEM1001", "currency": "EUR"}});
    assert_eq!(refusal(invoke(&main, "set_org_account", bad)), "invalid_input");
    let good = json!({"account": {"name": "", "iban": "DE02 1203 0000 0000 2020 51", "bic": "byladem1001", "currency": "eur"}});
    let expected = json!({"name": "Initech GmbH", "iban": "DE02120300000000202051", "bic": "BYLADEM1001", "currency": "EUR"});
    assert_eq!(invoke(&main, "set_org_account", good).unwrap(), json!({"outcome": "applied", "value": expected}));
    assert_eq!(invoke(&main, "get_org_account", json!({})).unwrap(), expected);
}

#[test]
fn the_organisation_key_is_backed_up_and_rotated() {
    let dir = fresh_dir("settings-ipc", "key");
    let old_card = PartnerCard::parse(&workspace(&dir.join("ws"))).unwrap();
    let exports = dir.join("exports");
    // No dialog on the mock runtime: unattended runs save to COUNTERSIGN_EXPORT_DIR. Only this
    // test in this binary saves a file.
    std::env::set_var("COUNTERSIGN_EXPORT_DIR", &exports);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    let info = invoke(&main, "org_key_info", json!({})).unwrap();
    assert_eq!(info, json!({"fingerprint": old_card.fingerprint().to_string(), "retired": []}));

    let wrong = json!({"request": {"passphrase": "not the passphrase"}});
    assert_eq!(refusal(invoke(&main, "backup_org_key", wrong)), "authentication_failed");
    assert!(std::fs::read_dir(&exports).map(|d| d.count()).unwrap_or(0) == 0, "a refused backup writes nothing");
    let backup = invoke(&main, "backup_org_key", json!({"request": {"passphrase": ORG_PASSPHRASE}})).unwrap();
    assert_eq!(backup["fingerprint"], json!(old_card.fingerprint().to_string()));
    let saved = PathBuf::from(backup["saved_to"].as_str().unwrap());
    assert!(saved.starts_with(&exports));
    let file = SecretKeyFile::from_bytes(&std::fs::read(&saved).unwrap()).unwrap();
    assert_eq!(file.unlock(ORG_PASSPHRASE).unwrap().fingerprint(), old_card.fingerprint());
    // A second backup goes to a new file, never over the first.
    let second = invoke(&main, "backup_org_key", json!({"request": {"passphrase": ORG_PASSPHRASE}})).unwrap();
    assert_ne!(second["saved_to"], backup["saved_to"]);

    let weak = json!({"request": {"passphrase": ORG_PASSPHRASE, "new_passphrase": "short"}});
    assert_eq!(refusal(invoke(&main, "rotate_org_key", weak)), "invalid_input");
    let new_passphrase = "TEST-ONLY the next org passphrase";
    let rotated =
        invoke(&main, "rotate_org_key", json!({"request": {"passphrase": ORG_PASSPHRASE, "new_passphrase": new_passphrase}})).unwrap();
    assert_eq!(rotated["old_fingerprint"], json!(old_card.fingerprint().to_string()));
    let statement = std::fs::read(rotated["saved_to"].as_str().unwrap()).unwrap();
    let statement = RotationStatement::verify(&statement, &old_card.public_key()).unwrap();
    assert_eq!(json!(statement.new_card().fingerprint().to_string()), rotated["new_fingerprint"]);
    let info = invoke(&main, "org_key_info", json!({})).unwrap();
    assert_eq!(info["fingerprint"], rotated["new_fingerprint"]);
    assert_eq!(info["retired"][0]["fingerprint"], rotated["old_fingerprint"]);
    // The old passphrase no longer opens the key; the new one does.
    assert_eq!(refusal(invoke(&main, "backup_org_key", json!({"request": {"passphrase": ORG_PASSPHRASE}}))), "authentication_failed");
    let backup = invoke(&main, "backup_org_key", json!({"request": {"passphrase": new_passphrase}})).unwrap();
    assert_eq!(backup["fingerprint"], rotated["new_fingerprint"]);
}
