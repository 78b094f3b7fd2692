//! The app's commands invoked through Tauri's real IPC path on the mock runtime (no display
//! needed), with the app's real configuration and capabilities: what is allowed here is what the
//! UI is allowed, and what is refused here is refused in the app.

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app() -> App<MockRuntime> {
    countersign_app::with_commands(mock_builder())
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
