//! The desktop app's entry point. Everything else lives in the library, where tests reach it.

// No console window beside the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

fn main() {
    countersign_app::run();
}
