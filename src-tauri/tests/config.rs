//! The app's security settings, pinned: a strict CSP with no remote content and no eval, the
//! isolation pattern, and a main window granted the app's own commands only. Loosening any of
//! them should be a decision someone makes on purpose, in this file.

use serde_json::Value;

const CONF: &str = include_str!("../tauri.conf.json");
const CAPABILITY: &str = include_str!("../capabilities/main.json");

/// Every source the production CSP may name: the app's own origin and Tauri's IPC endpoints.
const ALLOWED_SOURCES: &[&str] = &["'self'", "'none'", "ipc:", "http://ipc.localhost"];

fn conf() -> Value {
    serde_json::from_str(CONF).expect("tauri.conf.json is JSON")
}

#[test]
fn csp_names_only_the_apps_own_origin_and_ipc() {
    let conf = conf();
    let csp = conf["app"]["security"]["csp"].as_object().expect("the CSP is a map of directives");
    assert!(csp.contains_key("default-src"));
    for (directive, sources) in csp {
        for source in sources.as_str().unwrap().split_whitespace() {
            assert!(ALLOWED_SOURCES.contains(&source), "{directive} allows {source}");
        }
    }
    assert_eq!(csp["script-src"], "'self'", "no eval, inline, data: or blob: scripts");
    assert_eq!(csp["object-src"], "'none'");
}

#[test]
fn isolation_pattern_and_frozen_prototype_are_on() {
    let security = &conf()["app"]["security"];
    assert_eq!(security["pattern"]["use"], "isolation");
    assert_eq!(security["freezePrototype"], true);
    assert!(security.get("dangerousDisableAssetCspModification").is_none());
}

#[test]
fn main_window_is_granted_only_the_apps_own_commands() {
    let capability: Value = serde_json::from_str(CAPABILITY).unwrap();
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert_eq!(capability["local"], true);
    assert!(capability.get("remote").is_none(), "no remote origin may call commands");
    for permission in capability["permissions"].as_array().unwrap() {
        let permission = permission.as_str().expect("a plain permission identifier");
        // Plugin permissions (core:*, fs:*, shell:*) are namespaced; the app's own are not.
        assert!(permission.starts_with("allow-") && !permission.contains(':'), "{permission} is not one of the app's own commands");
    }
}
