//! The one shape in which a failed command reaches the UI: `{"code": ..., "message": ...}`.
//!
//! `code` is a stable, machine-readable string the UI may branch on (the same vocabulary as the
//! CLI's reason and error codes); `message` is a sentence for the person at the screen. Nothing
//! else crosses the boundary: no Rust type names, no paths, no secrets.

use std::fmt;

use serde::Serialize;

/// What every command returns.
pub type CommandResult<T> = Result<T, CommandError>;

/// An error as the UI sees it. Serialises as `{"code": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CommandError {
    code: &'static str,
    message: String,
}

impl CommandError {
    /// An error with a stable `code` (snake_case, never reworded once shipped) and a message for
    /// the user.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
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

    /// The UI (ui/src/api.ts) reads exactly these two fields; this pins the shape.
    #[test]
    fn serialises_as_code_and_message_only() {
        let err = CommandError::new("not_permitted", "Only an approver can approve a case.");
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({"code": "not_permitted", "message": "Only an approver can approve a case."})
        );
    }
}
