//! Commands about the app itself, not about any workspace.

use serde::Serialize;

/// What the first screen shows about the running app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AppInfo {
    /// The product name.
    pub name: &'static str,
    /// The app's version (its crate version).
    pub version: &'static str,
}

/// The app's name and version.
#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo { name: "Countersign", version: env!("CARGO_PKG_VERSION") }
}
