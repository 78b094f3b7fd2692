//! What the IPC test files share: a fresh directory, the app on the mock runtime with the real
//! configuration and capabilities, its main window, and invoking a command through Tauri's real
//! IPC path. Each test file uses the parts it needs.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// A new, empty directory for one test of `suite`.
pub fn fresh_dir(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("countersign-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An app whose workspace directory is `dir`.
pub fn app_on(dir: PathBuf) -> App<MockRuntime> {
    countersign_app::with_commands(mock_builder())
        .manage(countersign_app::AppState::new(dir))
        .build(tauri::generate_context!(test = true))
        .expect("the app builds on the mock runtime")
}

/// The app's main window.
pub fn main_window(app: &App<MockRuntime>) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, "main", Default::default()).build().expect("a mock window")
}

/// Invokes `cmd` from the main window's own page; the `Ok` value or the `{code, message}` error.
pub fn invoke(main: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(main, req).map(|r| r.deserialize::<Value>().unwrap())
}

/// The error's code and message, after checking the message is not empty.
pub fn refusal_with_message(result: Result<Value, Value>) -> (String, String) {
    match result {
        Err(e) => {
            let message = e["message"].as_str().expect("a message").to_string();
            assert!(!message.is_empty(), "a message: {e}");
            (e["code"].as_str().expect("a code").to_string(), message)
        }
        Ok(v) => panic!("expected a refusal, got {v}"),
    }
}

/// The error's code, after checking it has a message too.
pub fn refusal(result: Result<Value, Value>) -> String {
    refusal_with_message(result).0
}

/// Signs out.
pub fn logout(main: &WebviewWindow<MockRuntime>) {
    invoke(main, "logout", json!({})).unwrap();
}

/// Where the TEST-ONLY keys live.
pub const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../keys");
/// The fingerprint of Globex's TEST-ONLY card, as read back on the phone.
pub const GLOBEX_FPR: &str = "36653 67829 08626 49703 65424 09250";

/// The password the IPC tests of `suite` give `user`.
pub fn password_in(suite: &str, user: &str) -> String {
    format!("TEST-ONLY {user} {suite}")
}

/// A workspace in `dir` with admin alice, clerk carol and auditor frank (passwords
/// [`password_in`] `suite`), and partner Globex pinned from its TEST-ONLY card with its account on
/// file; returned with alice signed in.
pub fn globex_office(dir: &std::path::Path, suite: &str) -> (countersign_service::Workspace, countersign_service::Session) {
    use countersign_service::{Credentials, InitRequest, NewPartner, Role, Workspace};
    let alice = password_in(suite, "alice");
    let passphrase = format!("TEST-ONLY org {suite}");
    let request = InitRequest { org_name: "Initech GmbH", admin_name: "alice", org_passphrase: &passphrase, admin_password: &alice };
    let mut ws = Workspace::init(dir, &request).unwrap();
    let admin = ws.login(&Credentials { user: "alice", password: &alice, totp: None }).unwrap();
    for (user, role) in [("carol", Role::Clerk), ("frank", Role::Auditor)] {
        ws.add_user(&admin, user, role, &password_in(suite, user)).unwrap();
    }
    let card = std::fs::read(format!("{KEYS}/globex.card")).unwrap();
    let partner = NewPartner {
        card: &card,
        confirm_fingerprint: GLOBEX_FPR,
        phones: &[countersign_service::NewNumber::plain("+49 30 1234567")],
        card_numbers: false,
        domains: &[],
        country: Some("DE"),
        known_account: Some(("DE89 3704 0044 0532 0130 00", "COBADEFFXXX")),
    };
    ws.add_partner(&admin, &partner).unwrap();
    (ws, admin)
}
