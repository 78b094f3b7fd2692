//! The app's commands invoked through Tauri's real IPC path on the mock runtime (no display
//! needed), with the app's real configuration and capabilities: what is allowed here is what the
//! UI is allowed, and what is refused here is refused in the app.

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use std::path::PathBuf;

use serde_json::{json, Value};

/// A new, empty directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("countersign-ipc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Invokes `cmd` with JSON `args` from the main window's own page; the command's `Ok` value or
/// its `{code, message}` error.
fn invoke(main: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let mut req = request(cmd, "tauri://localhost");
    req.body = InvokeBody::Json(args);
    get_ipc_response(main, req).map(|r| r.deserialize::<Value>().unwrap())
}

fn code(result: Result<Value, Value>) -> String {
    match result {
        Err(e) => {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "a message: {e}");
            e["code"].as_str().expect("a code").to_string()
        }
        Ok(v) => panic!("expected an error, got {v}"),
    }
}

const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// First run through the commands: no workspace, create one, then sign in as its admin.
fn first_run(main: &WebviewWindow<MockRuntime>) {
    let status = invoke(main, "workspace_status", json!({})).unwrap();
    assert_eq!(status["exists"], json!(false));
    let created = invoke(
        main,
        "create_workspace",
        json!({"request": {"org_name": "Initech GmbH", "admin": "alice", "passphrase": "TEST-ONLY organisation passphrase", "password": ADMIN_PASSWORD}}),
    )
    .unwrap();
    assert_eq!(created["exists"], json!(true));
    assert_eq!(created["org_name"], json!("Initech GmbH"));
    assert_eq!(created["user"], Value::Null);
}

#[test]
fn first_run_creates_a_workspace_then_login_logout() {
    let app = app_on(fresh_dir("first-run"));
    let main = window(&app, "main");
    first_run(&main);

    assert_eq!(code(invoke(&main, "list_cases", json!({}))), "not_signed_in");
    let wrong = json!({"request": {"user": "alice", "password": "wrong password here", "totp": null}});
    assert_eq!(code(invoke(&main, "login", wrong)), "authentication_failed");
    let user = invoke(&main, "login", json!({"request": {"user": "alice", "password": ADMIN_PASSWORD}})).unwrap();
    assert_eq!(user, json!({"name": "alice", "role": "admin"}));
    assert_eq!(invoke(&main, "workspace_status", json!({})).unwrap()["user"], user);
    assert_eq!(invoke(&main, "list_cases", json!({})).unwrap(), json!([]));
    assert_eq!(code(invoke(&main, "list_cases", json!({"status": "bogus"}))), "invalid_input");

    invoke(&main, "logout", json!({})).unwrap();
    assert_eq!(code(invoke(&main, "case_detail", json!({"id": 1}))), "not_signed_in");
}

#[test]
fn creating_a_second_workspace_is_refused_and_weak_secrets_are_named() {
    let app = app_on(fresh_dir("second"));
    let main = window(&app, "main");
    let weak = json!({"request": {"org_name": "X", "admin": "alice", "passphrase": "short", "password": ADMIN_PASSWORD}});
    assert_eq!(code(invoke(&main, "create_workspace", weak)), "invalid_input");
    first_run(&main);
    let again = json!({"request": {"org_name": "Y", "admin": "bob", "passphrase": "TEST-ONLY organisation passphrase", "password": ADMIN_PASSWORD}});
    assert_eq!(code(invoke(&main, "create_workspace", again)), "workspace_exists");
}

fn app() -> App<MockRuntime> {
    app_on(fresh_dir("unused"))
}

/// An app whose workspace directory is `dir` (which may hold no workspace yet).
fn app_on(dir: PathBuf) -> App<MockRuntime> {
    countersign_app::with_commands(mock_builder())
        .manage(countersign_app::AppState::new(dir))
        .build(tauri::generate_context!(test = true))
        .expect("the app builds on the mock runtime")
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default())
        .build()
        .expect("a mock window")
}

/// An invoke as the UI's `invoke(cmd)` sends it. On Linux the app's own pages are served from
/// `tauri://localhost`; a request from any other origin is not the app's.
fn request(cmd: &str, url: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().unwrap(),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn app_info_returns_the_name_and_the_app_crate_version() {
    let app = app();
    let main = window(&app, "main");
    let response = get_ipc_response(&main, request("app_info", "tauri://localhost"))
        .expect("app_info is granted to the main window");
    assert_eq!(
        response.deserialize::<serde_json::Value>().unwrap(),
        serde_json::json!({"name": "Countersign", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[test]
fn a_window_other_than_main_is_refused() {
    let app = app();
    let other = window(&app, "other");
    let refused = get_ipc_response(&other, request("app_info", "tauri://localhost"));
    assert_not_allowed(refused);
}

#[test]
fn a_remote_page_in_the_main_window_is_refused() {
    let app = app();
    let main = window(&app, "main");
    let refused = get_ipc_response(&main, request("app_info", "https://attacker.invalid"));
    assert_not_allowed(refused);
}

#[test]
fn core_plugins_are_not_granted() {
    let app = app();
    let main = window(&app, "main");
    let refused = get_ipc_response(
        &main,
        request("plugin:app|version", "tauri://localhost"),
    );
    assert_not_allowed(refused);
}

/// Refused by the capability check, not failed for another reason (an unknown command, say).
fn assert_not_allowed(response: Result<tauri::ipc::InvokeResponseBody, serde_json::Value>) {
    match response {
        Err(serde_json::Value::String(message)) => {
            assert!(message.contains("not allowed"), "refused with: {message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
