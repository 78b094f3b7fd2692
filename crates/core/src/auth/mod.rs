//! Authentication of the people who use a workspace: password hashing, TOTP second factor, lockout policy.
//! Pure: no I/O; time comes in as a parameter.

pub mod lockout;
pub mod password;
pub mod permission;
pub mod role;
pub mod sealed;
pub mod totp;

pub use permission::Permission;
pub use role::{Role, UnknownRole};
