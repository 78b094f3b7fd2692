//! The lists of codes the shells word (`ServiceError::CODES`, `FileError::CODES`, the core's
//! `EVENT_ACTIONS`) are complete: each code the service's source gives, and each action it logs,
//! is listed. The app generates its UI's list of codes from these (ui/src/bindings/coreCodes.ts)
//! and a UI test fails on a code without words in some language, so a code missing here would
//! reach the screen unworded.

use std::collections::BTreeSet;
use std::path::Path;

use countersign_core::audit::actions::is_event_action;
use countersign_service::files::FileError;
use countersign_service::ServiceError;

/// The text of every source file of the service.
fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).expect("source")));
        }
    }
    out
}

/// The part of `text` before its `#[cfg(test)]` module, if any: tests log made-up actions.
fn outside_tests(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text)
}

/// String literals of `text` that look like an action: `domain.verb` in lower case, where the
/// domain is one the log uses (file names such as `team.json` have other first parts).
fn action_literals(text: &str) -> BTreeSet<String> {
    const DOMAINS: [&str; 14] = [
        "workspace",
        "org",
        "policy",
        "user",
        "login",
        "permission",
        "state",
        "partner",
        "account",
        "instruction",
        "case",
        "change",
        "payment_file",
        "audit",
    ];
    let mut found = BTreeSet::new();
    for literal in text.split('"').skip(1).step_by(2) {
        let Some((domain, verb)) = literal.split_once('.') else { continue };
        let lower = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        if DOMAINS.contains(&domain) && lower(verb) && !["json", "key", "card", "csv", "xml", "txt", "db"].contains(&verb) {
            found.insert(literal.to_string());
        }
    }
    found
}

#[test]
fn every_logged_action_is_listed() {
    let mut missing = Vec::new();
    for (file, text) in sources() {
        for action in action_literals(outside_tests(&text)) {
            // A wrong passphrase for an organisation key is logged as the action with `_refused`.
            if !is_event_action(&action) && !is_event_action(&format!("{action}_refused")) {
                missing.push(format!("{action} ({file})"));
            }
        }
    }
    assert!(missing.is_empty(), "actions logged but not in countersign_core::audit::actions::EVENT_ACTIONS: {missing:?}");
}

/// The `"code"` literals of the match arms of the function `fn code` in `text`.
fn codes_of(text: &str, anchor: &str) -> BTreeSet<String> {
    let start = text.find(anchor).expect("the code function");
    let body = &text[start..];
    let body = &body[..body.find("\n    }\n").expect("its end")];
    body.split("=> \"").skip(1).filter_map(|s| s.split('"').next()).map(str::to_string).collect()
}

#[test]
fn every_error_code_is_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(dir.join("lib.rs")).unwrap();
    let files = std::fs::read_to_string(dir.join("files.rs")).unwrap();
    let service = codes_of(&lib, "pub fn code(&self) -> &'static str {");
    let file = codes_of(&files, "pub fn code(&self) -> &'static str {");
    assert_eq!(service.len(), 20, "{service:?}");
    assert_eq!(service, ServiceError::CODES.iter().map(|c| c.to_string()).collect());
    assert_eq!(file, FileError::CODES.iter().map(|c| c.to_string()).collect());
}
