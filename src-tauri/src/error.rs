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

use countersign_service::files::FileError;
use countersign_service::ErrorDetail;
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

/// The wordings of the app's own errors that name particulars (issue 19), beside the service's
/// [`countersign_service::ERROR_DETAILS`]: the team workspace's connection, files read, written
/// and dropped, and the app's own refusals of what the UI sent (a filter, a page, a screening's
/// copy gone). `ui/src/bindings/coreCodes.ts` lists both for the UI's catalogues.
pub const APP_ERROR_DETAILS: &[ErrorDetail] = &[
    ErrorDetail { code: "database_password", detail: "password_refused", values: &["server", "user"] },
    ErrorDetail { code: "database_password", detail: "password_asked", values: &["server", "user"] },
    ErrorDetail { code: "database_unreachable", detail: "server_unreachable", values: &["server"] },
    ErrorDetail { code: "no_workspace", detail: "no_team_workspace", values: &["server", "schema"] },
    ErrorDetail { code: "workspace_exists", detail: "team_workspace_exists", values: &["server", "schema"] },
    ErrorDetail { code: "check_failed", detail: "team_refused", values: &["server"] },
    ErrorDetail { code: "workspace_exists", detail: "workspace_on_this_computer", values: &["folder"] },
    ErrorDetail { code: "invalid_input", detail: "no_database_password_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "database_password_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "server_name_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "port_invalid", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "server_fields_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "server_url_invalid", values: &[] },
    ErrorDetail { code: "file_unreadable", detail: "cannot_read", values: &["file"] },
    ErrorDetail { code: "file_unreadable", detail: "not_a_file", values: &["file"] },
    ErrorDetail { code: "file_exists", detail: "bank_file_exists", values: &["file", "case"] },
    ErrorDetail { code: "no_directory", detail: "bank_file_no_folder", values: &["folder", "case"] },
    ErrorDetail { code: "file_exists", detail: "copy_exists", values: &["file"] },
    ErrorDetail { code: "no_directory", detail: "copy_no_folder", values: &["folder"] },
    ErrorDetail { code: "export_failed", detail: "bank_file_unsaved", values: &["case", "file"] },
    ErrorDetail { code: "export_failed", detail: "not_written", values: &["file"] },
    ErrorDetail { code: "export_failed", detail: "folder_not_made", values: &["folder"] },
    ErrorDetail { code: "export_failed", detail: "no_free_name", values: &["folder"] },
    ErrorDetail { code: "invalid_input", detail: "instruction_files_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "one_email_only", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "file_needed", values: &[] },
    ErrorDetail { code: "not_found", detail: "no_approved_copy", values: &[] },
    ErrorDetail { code: "not_found", detail: "screened_meanwhile", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "case_status_unknown", values: &["status"] },
    ErrorDetail { code: "invalid_input", detail: "change_status_unknown", values: &["status"] },
    ErrorDetail { code: "invalid_input", detail: "search_too_long", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "page_invalid", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "not_a_checkpoint", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "iban_and_bic", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "outcome_unknown", values: &[] },
];

/// Every wording of an error code that names particulars: the service's and the app's.
pub fn error_details() -> impl Iterator<Item = &'static ErrorDetail> {
    countersign_service::ERROR_DETAILS.iter().chain(APP_ERROR_DETAILS)
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

    /// An error of the app's own with the wording `detail` of its code (one of
    /// [`APP_ERROR_DETAILS`]) and the particulars it names.
    pub fn detailed(code: &'static str, detail: &'static str, message: impl Into<String>, values: &[(&'static str, String)]) -> Self {
        Self::new(code, message).with_detail(Some(detail), values)
    }

    /// The same error with the wording `detail` of its code and the particulars it names.
    pub fn with_detail(mut self, detail: Option<&'static str>, values: &[(&'static str, String)]) -> Self {
        debug_assert!(
            detail.is_none_or(|d| error_details().any(|e| e.code == self.code && e.detail == d)),
            "the error detail {detail:?} is not one of {}'s",
            self.code
        );
        debug_assert!(
            detail.is_none_or(|d| error_details().any(|e| e.detail == d && values.iter().all(|(name, _)| e.values.contains(name)))),
            "the error detail {detail:?} carries no value among {values:?}"
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

/// A file chosen or dropped that could not be read, named by its name.
pub fn unreadable(e: FileError) -> CommandError {
    let (detail, path) = match &e {
        FileError::NotAFile(path) => ("not_a_file", path.clone()),
        FileError::Read { path, .. } | FileError::Write { path, .. } | FileError::Exists(path) | FileError::NoDirectory(path) => {
            ("cannot_read", path.clone())
        }
    };
    CommandError::detailed("file_unreadable", detail, e.to_string(), &[("file", file_name(&path))])
}

/// A page of a list the core refuses (a limit out of its bounds, a negative cursor).
pub fn page_error(message: String) -> CommandError {
    CommandError::detailed("invalid_input", "page_invalid", message, &[])
}

/// A file that could not be written at `path`.
pub fn not_written(path: &std::path::Path, e: impl fmt::Display) -> CommandError {
    let message = format!("{} could not be written: {e}", path.display());
    CommandError::detailed("export_failed", "not_written", message, &[("file", file_name(path))])
}

/// How a command words a new file it may not write where the user chose ([`refused_new_file`]).
pub struct NewFileWords {
    /// What the file is, as the message names it: "a bank file".
    pub kind: &'static str,
    /// The wording of `file_exists` when the file exists.
    pub exists: &'static str,
    /// The wording of `no_directory` when its folder does not exist.
    pub no_folder: &'static str,
    /// What did not happen for it, ending the message ("case 3 was not released"), if anything.
    pub outcome: Option<String>,
    /// Particulars beside the file or the folder (the case).
    pub values: Vec<(&'static str, String)>,
}

/// Why a new file cannot go to `path`, from `check_new_file`'s refusal: one that exists is never
/// overwritten, a folder that does not exist is named, anything else is [`not_written`].
pub fn refused_new_file(path: &std::path::Path, e: &FileError, words: NewFileWords) -> CommandError {
    let values = |first: (&'static str, String)| [vec![first], words.values.clone()].concat();
    match e {
        FileError::Exists(p) => {
            let outcome = words.outcome.as_ref().map(|o| format!("; {o}")).unwrap_or_default();
            let message = format!("{} exists: {} is never overwritten. Choose another name{outcome}.", p.display(), words.kind);
            CommandError::detailed(e.code(), words.exists, message, &values(("file", file_name(p))))
        }
        FileError::NoDirectory(dir) => {
            let outcome = words.outcome.as_ref().map(|o| format!("; {o}.")).unwrap_or_default();
            CommandError::detailed(e.code(), words.no_folder, format!("{e}{outcome}"), &values(("folder", dir.display().to_string())))
        }
        _ => not_written(path, e),
    }
}

/// The name of the file at `path` (the whole path when it has none), as the user chose it.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
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

    /// A new file that exists or whose folder does not: worded with its particulars, and what did
    /// not happen for it ends the message.
    #[test]
    fn a_refused_new_file_names_the_file_or_folder_and_the_outcome() {
        let path = std::path::Path::new("/exports/case-3.xml");
        let bank = || NewFileWords {
            kind: "a bank file",
            exists: "bank_file_exists",
            no_folder: "bank_file_no_folder",
            outcome: Some("case 3 was not released".into()),
            values: vec![("case", "3".into())],
        };
        let exists = refused_new_file(path, &FileError::Exists(path.into()), bank());
        assert_eq!((exists.code, exists.detail), ("file_exists", Some("bank_file_exists")));
        assert_eq!(
            exists.message,
            "/exports/case-3.xml exists: a bank file is never overwritten. Choose another name; case 3 was not released."
        );
        assert_eq!(exists.values.get("file").map(String::as_str), Some("case-3.xml"));
        assert_eq!(exists.values.get("case").map(String::as_str), Some("3"));
        let no_folder = refused_new_file(path, &FileError::NoDirectory("/exports".into()), bank());
        assert_eq!((no_folder.code, no_folder.detail), ("no_directory", Some("bank_file_no_folder")));
        assert!(no_folder.message.ends_with("; case 3 was not released."), "{}", no_folder.message);
        assert_eq!(no_folder.values.get("folder").map(String::as_str), Some("/exports"));
        let copy =
            NewFileWords { kind: "a payment file", exists: "copy_exists", no_folder: "copy_no_folder", outcome: None, values: vec![] };
        let exists = refused_new_file(path, &FileError::Exists(path.into()), copy);
        assert_eq!(exists.message, "/exports/case-3.xml exists: a payment file is never overwritten. Choose another name.");
        assert_eq!(exists.values.len(), 1);
    }

    /// The app's own details are its codes' and none is the service's too.
    #[test]
    fn the_apps_details_are_its_codes_and_its_own() {
        let codes = error_codes();
        for (i, d) in APP_ERROR_DETAILS.iter().enumerate() {
            assert!(codes.contains(&d.code), "{}: {} is no error code", d.detail, d.code);
            assert!(error_details().filter(|e| e.detail == d.detail).count() == 1, "{} twice", d.detail);
            assert!(APP_ERROR_DETAILS[..i].iter().all(|e| e.detail != d.detail));
        }
    }

    /// Errors the app words with their particulars (issue 19: the team workspace's connection and
    /// files showed a generic sentence with the English one under "Details"), and the app's own
    /// refusals of what the UI sent (`invalid_input`, `not_found`): their codes are given only
    /// through a detailed error, and the team workspace's modules give no other.
    #[test]
    fn file_and_team_errors_are_worded_with_their_values() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![dir.join("state.rs"), dir.join("team.rs"), dir.join("dialog.rs"), dir.join("live.rs")];
        files.extend(std::fs::read_dir(dir.join("commands")).unwrap().map(|e| e.unwrap().path()));
        let worded = [
            "file_unreadable",
            "export_failed",
            "database_password",
            "database_unreachable",
            "no_workspace",
            "workspace_exists",
            "invalid_input",
            "not_found",
        ];
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for name in worded {
                assert!(!code.contains(&format!("CommandError::new(\"{name}\"")), "{} gives {name} without its detail", file.display());
            }
            assert!(!code.contains("CommandError::new(e.code()"), "{} gives a file error's code without its detail", file.display());
            if file.ends_with("team.rs") {
                assert!(!code.contains("CommandError::new("), "{} gives an error without its detail", file.display());
            }
        }
    }

    /// A file error names the file by its name.
    #[test]
    fn a_file_error_names_the_file() {
        let e = unreadable(countersign_service::files::read_limited(std::path::Path::new("/nonexistent/globex.cs1"), 10).unwrap_err());
        assert_eq!(
            (e.code(), e.detail(), e.values().get("file").map(String::as_str)),
            ("file_unreadable", Some("cannot_read"), Some("globex.cs1"))
        );
        let e = unreadable(countersign_service::files::read_limited(std::path::Path::new("/"), 10).unwrap_err());
        assert_eq!((e.detail(), e.values().get("file").map(String::as_str)), (Some("not_a_file"), Some("/")));
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
