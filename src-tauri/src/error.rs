//! The one shape in which a failed command reaches the UI:
//! `{"code": ..., "message": ..., "detail": ..., "values": {...}}`.
//!
//! `code` is a stable, machine-readable string the UI may branch on (the same vocabulary as the
//! CLI's reason and error codes); `message` is the service's English sentence; `detail` and
//! `values` (issue 19) say which of the code's sentences it is and the particulars it names (a
//! case, a user, a field, a limit), as the service's [`countersign_service::ERROR_DETAILS`] lists
//! them, so the UI words the error in the user's language. Nothing else crosses the boundary: no
//! Rust type names, no paths, no secrets.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// The codes the app itself gives, beside the service's (`ServiceError::CODES`) and the file
/// checks' (`FileError::CODES`); `ui/src/bindings/coreCodes.ts` lists them all for the UI, whose
/// catalogues word each one.
pub const APP_CODES: &[&str] = &[
    "not_signed_in",
    "cancelled",
    "file_unreadable",
    "export_failed",
    "qr_failed",
    "invalid_card",
    "bad_bundle",
    "unsupported",
    "unexpected",
    "internal_error",
];

/// Every code a command can fail with: the app's own, the service's and the file checks'.
pub fn error_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = countersign_service::ServiceError::CODES.to_vec();
    codes.extend_from_slice(countersign_service::files::FileError::CODES);
    codes.extend_from_slice(APP_CODES);
    codes
}

/// What every command returns.
pub type CommandResult<T> = Result<T, CommandError>;

/// An error as the UI sees it. Serialises as
/// `{"code": "...", "message": "...", "detail": "..." | null, "values": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CommandError {
    /// The stable code.
    code: &'static str,
    /// The sentence in English (the UI words the code, with `detail` and `values`, in the user's
    /// language and keeps this one as the details).
    message: String,
    /// Which of the code's sentences this is, when it names particulars (`case`, `too_long`, …).
    detail: Option<&'static str>,
    /// The particulars, by name (`{"case": "7"}`); empty without a detail.
    values: BTreeMap<String, String>,
}

impl CommandError {
    /// An error with a stable `code` (snake_case, never reworded once shipped) and a message for
    /// the user.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        // Every code has words in the UI's catalogues only if it is listed (the tests run this).
        debug_assert!(error_codes().contains(&code), "the error code {code} is not in error::APP_CODES");
        Self { code, message: message.into(), detail: None, values: BTreeMap::new() }
    }

    /// The same error with the wording `detail` of its code and the particulars it names.
    pub fn with_detail(mut self, detail: Option<&'static str>, values: &[(&'static str, String)]) -> Self {
        debug_assert!(
            detail.is_none_or(|d| countersign_service::ERROR_DETAILS.iter().any(|e| e.code == self.code && e.detail == d)),
            "the error detail {detail:?} is not one of {}'s",
            self.code
        );
        self.detail = detail;
        self.values = values.iter().map(|(name, value)| (name.to_string(), value.clone())).collect();
        self
    }

    /// Which of the code's sentences this is, when it names particulars.
    pub fn detail(&self) -> Option<&'static str> {
        self.detail
    }

    /// The particulars the error names, by name.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The sentence shown to the user.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each code the app's source gives literally is listed, so the UI words it.
    #[test]
    fn every_literal_error_code_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![dir.join("state.rs"), dir.join("team.rs"), dir.join("dialog.rs"), dir.join("live.rs")];
        files.extend(std::fs::read_dir(dir.join("commands")).unwrap().map(|e| e.unwrap().path()));
        let codes = error_codes();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for part in text.split("CommandError::new(\"").skip(1) {
                let code = part.split('"').next().unwrap();
                assert!(codes.contains(&code), "{code} ({}) is not in APP_CODES", file.display());
            }
        }
    }

    /// The UI (ui/src/ipc.ts) reads exactly these fields; this pins the shape.
    #[test]
    fn serialises_as_code_message_detail_and_values() {
        let err = CommandError::new("not_permitted", "Only an approver can approve a case.");
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({"code": "not_permitted", "message": "Only an approver can approve a case.", "detail": null, "values": {}})
        );
        let err = CommandError::new("not_found", "no case with id 7").with_detail(Some("case"), &[("case", "7".into())]);
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({"code": "not_found", "message": "no case with id 7", "detail": "case", "values": {"case": "7"}})
        );
    }
}
