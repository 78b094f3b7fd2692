//! The app's `#[tauri::command]`s, one module per domain (app, and later partners, cases,
//! callbacks, audit). Each command is a few lines: parse the UI's arguments, call the core,
//! convert the result.
//!
//! Adding a command: write it in its domain's module, list it in [`handler`] below and in
//! `COMMANDS` in `build.rs` (which generates its `allow-*` permission), and grant it in
//! `capabilities/main.json`. A command not granted there is refused before it runs.

pub mod app;

/// The invoke handler for every command of the app.
pub(crate) fn handler<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![app::app_info]
}
