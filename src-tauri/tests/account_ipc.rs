//! My account through Tauri's real IPC path on the mock runtime, with the app's real configuration
//! and capabilities: changing one's own password (a wrong current password refused and nothing
//! changed; afterwards the new one signs in and the old one does not), enrolling a second factor
//! (the returned secret's current code signs in), and a user the policy requires to enrol, who
//! may enrol and do nothing else until they sign in again with a code. The workspace is made with
//! the core.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

use countersign_service::core::auth::totp::{code_at, TotpSecret};
use countersign_service::{Credentials, Role, Workspace};

mod common;
use common::{app_on, fresh_dir, invoke, logout, main_window, refusal};

const ORG_PASSPHRASE: &str = "TEST-ONLY org account";

fn password(user: &str) -> String {
    format!("TEST-ONLY {user} account")
}

/// A workspace with admin alice, clerk carol and approver erin; with `require_totp`, the policy
/// requires approvers and admins to use a second factor.
fn workspace(dir: &Path, require_totp: bool) {
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
    ws.add_user(&admin, "erin", Role::Approver, &password("erin")).unwrap();
    if require_totp {
        let mut policy = ws.policy().unwrap();
        policy.require_totp_for_approvers = true;
        ws.set_policy(&admin, &policy).unwrap();
    }
}

fn login_with(main: &WebviewWindow<MockRuntime>, user: &str, password: &str, totp: Option<&str>) -> Result<Value, Value> {
    invoke(main, "login", json!({"request": {"user": user, "password": password, "totp": totp}}))
}

/// The current code of a base32 secret.
fn current_code(secret: &str) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    code_at(&TotpSecret::from_base32(secret).unwrap(), now)
}

#[test]
fn a_user_changes_their_own_password() {
    let dir = fresh_dir("account-ipc", "password");
    workspace(&dir.join("ws"), false);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    let new = "TEST-ONLY carol's new password";
    let change = json!({"request": {"current": password("carol"), "new": new}});
    assert_eq!(refusal(invoke(&main, "change_password", change.clone())), "not_signed_in");

    login_with(&main, "carol", &password("carol"), None).unwrap();
    let wrong = json!({"request": {"current": "not carol's password", "new": new}});
    assert_eq!(refusal(invoke(&main, "change_password", wrong)), "authentication_failed");
    let weak = json!({"request": {"current": password("carol"), "new": "short"}});
    assert_eq!(refusal(invoke(&main, "change_password", weak)), "invalid_input");
    logout(&main);
    assert_eq!(refusal(login_with(&main, "carol", new, None)), "authentication_failed", "the refused changes changed nothing");
    login_with(&main, "carol", &password("carol"), None).unwrap();

    assert_eq!(invoke(&main, "change_password", change).unwrap(), Value::Null);
    logout(&main);
    assert_eq!(refusal(login_with(&main, "carol", &password("carol"), None)), "authentication_failed");
    let user = login_with(&main, "carol", new, None).unwrap();
    let clerk = json!(["instruction.verify", "instruction.receive", "case.export", "payment_file.screen", "instruction.respond"]);
    assert_eq!(user, json!({"name": "carol", "role": "clerk", "permissions": clerk}));
    assert!(invoke(
        &main,
        "case_page",
        json!({"request": {"status": null, "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
    )
    .is_ok());
}

#[test]
fn an_enrolled_second_factor_signs_in() {
    let dir = fresh_dir("account-ipc", "totp");
    workspace(&dir.join("ws"), false);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login_with(&main, "erin", &password("erin"), None).unwrap();
    let wrong = json!({"request": {"password": "not erin's password"}});
    assert_eq!(refusal(invoke(&main, "enrol_totp", wrong)), "authentication_failed");
    logout(&main);
    login_with(&main, "erin", &password("erin"), None).expect("a refused enrolment enrols nothing");

    let enrolled = invoke(&main, "enrol_totp", json!({"request": {"password": password("erin")}})).unwrap();
    let secret = enrolled["secret"].as_str().unwrap();
    let uri = enrolled["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")), "{uri}");
    assert_eq!(enrolled["qr"]["payload"], json!(uri));
    let width = enrolled["qr"]["width"].as_u64().unwrap() as usize;
    assert_eq!(enrolled["qr"]["dark"].as_array().unwrap().len(), width * width);

    logout(&main);
    assert_eq!(refusal(login_with(&main, "erin", &password("erin"), None)), "authentication_failed");
    let user = login_with(&main, "erin", &password("erin"), Some(&current_code(secret))).unwrap();
    assert_eq!(user["role"], json!("approver"));
    assert!(user["permissions"].as_array().unwrap().contains(&json!("change.approve")), "{user}");
}

#[test]
fn a_user_required_to_enrol_may_enrol_and_nothing_else() {
    let dir = fresh_dir("account-ipc", "required");
    workspace(&dir.join("ws"), true);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    let user = login_with(&main, "erin", &password("erin"), None).unwrap();
    assert_eq!(user, json!({"name": "erin", "role": "approver", "must_enrol_totp": true, "permissions": []}), "may only enrol");
    assert_eq!(invoke(&main, "workspace_status", json!({})).unwrap()["user"], user);
    assert_eq!(
        refusal(invoke(
            &main,
            "case_page",
            json!({"request": {"status": null, "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
        )),
        "not_permitted"
    );
    assert_eq!(refusal(invoke(&main, "list_partners", json!({}))), "not_permitted");

    let enrolled = invoke(&main, "enrol_totp", json!({"request": {"password": password("erin")}})).unwrap();
    assert_eq!(
        refusal(invoke(
            &main,
            "case_page",
            json!({"request": {"status": null, "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
        )),
        "not_permitted",
        "this session stays limited"
    );
    logout(&main);
    let code = current_code(enrolled["secret"].as_str().unwrap());
    let user = login_with(&main, "erin", &password("erin"), Some(&code)).unwrap();
    assert_eq!(user["role"], json!("approver"));
    assert!(user["permissions"].as_array().unwrap().contains(&json!("change.approve")), "{user}");
    assert!(invoke(
        &main,
        "case_page",
        json!({"request": {"status": null, "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
    )
    .is_ok());

    // A clerk is not required to enrol: no flag.
    logout(&main);
    assert_eq!(login_with(&main, "carol", &password("carol"), None).unwrap().get("must_enrol_totp"), None);
}
