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
