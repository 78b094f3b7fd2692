//! The roles a workspace's users hold: who may do what is decided from these in the case state
//! machine and the service, never in a shell.

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Role {
    /// Accounts payable: receives, calls back, submits.
    Clerk,
    /// Second pair of eyes: approves or rejects, releases.
    Approver,
    /// Onboards partners, manages users and the organisation key.
    Admin,
    /// Reads the log, verifies and exports it.
    Auditor,
}

impl Role {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Approver => "approver",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a role name.
    pub fn parse(text: &str) -> Result<Self, UnknownRole> {
        match text {
            "clerk" => Ok(Role::Clerk),
            "approver" => Ok(Role::Approver),
            "admin" => Ok(Role::Admin),
            "auditor" => Ok(Role::Auditor),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

/// A role name that is none of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: use clerk, approver, admin or auditor")]
pub struct UnknownRole(pub String);
