// The isolation application of Tauri's isolation pattern. Every IPC message from the main
// frame passes through this hook, in a separate frame that no script of the main frame can
// reach, before Tauri encrypts it for the Rust side.
//
// It passes messages through unchanged: what a window may call is decided in Rust, by
// src-tauri/capabilities/main.json. A check that needs to see every message before it leaves
// the web view (an allow-list of argument shapes, say) belongs here. If the hook throws, the
// message is dropped and the caller's promise never settles, so reject only what is malformed.
"use strict";

window.__TAURI_ISOLATION_HOOK__ = (payload) => payload;
