//! Exit codes and the CLI's error type: every failure carries the exit code of the contract,
//! a stable code for `--json` and a message naming the file and the problem.

use std::process::ExitCode;

use countersign_service::core::assess::findings::Verdict;

/// The exit codes of CONTRACT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; verdict `accepted`.
    Success = 0,
    /// Verdict `rejected`, a failed check, an action the state does not allow.
    Failed = 1,
    /// Usage error, unreadable file, I/O error.
    Usage = 2,
    /// Verdict `hold`.
    Hold = 3,
    /// Not permitted: role, dual control, number not on file, authentication failed.
    NotPermitted = 4,
}

impl Exit {
    /// The exit code for a verdict.
    pub fn for_verdict(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Accepted => Exit::Success,
            Verdict::Hold => Exit::Hold,
            Verdict::Rejected => Exit::Failed,
        }
    }

    /// Worst first: rejected (1) outranks hold (3), which outranks accepted (0).
    pub fn rank(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Hold => 1,
            Exit::Failed => 2,
            Exit::NotPermitted => 3,
            Exit::Usage => 4,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// A failure to report to the user.
#[derive(Debug)]
pub struct CliError {
    /// How the process exits.
    pub exit: Exit,
    /// A stable snake_case code, for `--json`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

impl CliError {
    /// A usage or I/O error (exit 2).
    pub fn usage(code: &'static str, message: impl Into<String>) -> Self {
        CliError { exit: Exit::Usage, code, message: message.into() }
    }

    /// A failed check (exit 1).
    pub fn failed(code: &'static str, message: impl Into<String>) -> Self {
        CliError { exit: Exit::Failed, code, message: message.into() }
    }

    /// Not permitted or authentication failed (exit 4).
    pub fn not_permitted(code: &'static str, message: impl Into<String>) -> Self {
        CliError { exit: Exit::NotPermitted, code, message: message.into() }
    }
}

impl From<countersign_service::files::FileError> for CliError {
    fn from(e: countersign_service::files::FileError) -> Self {
        CliError::usage("io_error", e.to_string())
    }
}

/// A command's result.
pub type CliResult = Result<Exit, CliError>;
