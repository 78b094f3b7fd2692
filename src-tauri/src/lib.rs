//! Countersign's desktop shell: a Tauri app whose commands are thin wrappers over the
//! `countersign` service.
//!
//! Only this crate knows Tauri. A command takes the UI's intent, calls the core's service API,
//! and converts the result; the core decides, never this crate and never the UI. Commands live in
//! one small module per domain under [`commands`], and every error reaches the UI as a
//! [`CommandError`] (`{code, message}`).

// No unsafe code, but for the one call that tunes the C allocator (`allocator.rs`).
#![deny(unsafe_code)]

mod allocator;
pub mod bindings;
pub mod commands;
mod dialog;
mod error;
pub mod live;
mod state;
pub mod team;
mod webview;

pub use error::{CommandError, CommandResult};
pub use state::AppState;

/// Adds the app's commands to `builder`. [`run`] and the tests (on Tauri's mock runtime) share
/// this wiring, so a test invokes exactly what the UI can invoke. The caller manages an
/// [`AppState`].
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(commands::handler())
}

/// Opens the main window on the workspace in `COUNTERSIGN_DATA_DIR` (or the platform data
/// directory) and runs until it is closed.
pub fn run() {
    allocator::tune();
    with_commands(tauri::Builder::default())
        .manage(AppState::from_env())
        .setup(|app| {
            use tauri::Manager;
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window)?;
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            use tauri::Manager;
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                window.state::<AppState>().files_dropped(paths);
            }
        })
        .run(tauri::generate_context!())
        .expect("the Countersign app failed to start");
}
