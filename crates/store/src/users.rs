//! The users table: names, roles, password hashes, sealed TOTP secrets and lockout counters.

use countersign_core::paging::Page;

use crate::StoreResult;

/// A user as stored.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// `clerk`, `approver`, `admin` or `auditor`.
    pub role: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// TOTP secret sealed under a key derived from the password, if enrolled.
    pub totp_sealed: Option<String>,
    /// The last TOTP time step accepted (replay protection).
    pub totp_last_step: Option<u64>,
    /// Disabled users can do nothing.
    pub disabled: bool,
    /// Consecutive failed logins.
    pub failed_logins: u32,
    /// When the last one happened.
    pub last_failed_at: Option<String>,
    /// The user's keyring (their signing key and the audit key), sealed under their password.
    pub keyring: Option<String>,
    /// The public half of the user's own signing key, which countersigns checkpoints.
    pub public_key: Option<[u8; 32]>,
}

/// The users table: what logging in and managing users read and write.
pub trait UsersTx {
    /// Adds a user; returns the id.
    fn insert_user(&self, name: &str, role: &str, password_hash: &str, at: &str, by: &str) -> StoreResult<i64>;

    /// A user by name.
    fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRow>>;

    /// A user by id.
    fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>>;

    /// Users, by name; of a page, those whose name comes after that of the user with id
    /// `page.after` (none if there is no such user), at most one more than `page.limit`.
    fn users(&self, page: &Page) -> StoreResult<Vec<UserRow>>;

    /// Records the lockout counters after a login attempt.
    fn set_login_failures(&self, user_id: i64, failed: u32, last_failed_at: Option<&str>) -> StoreResult<()>;

    /// Records the last accepted TOTP step.
    fn set_totp_last_step(&self, user_id: i64, step: u64) -> StoreResult<()>;

    /// Stores (or clears) a user's sealed TOTP secret.
    fn set_totp(&self, user_id: i64, sealed: Option<&str>) -> StoreResult<()>;

    /// Changes a user's password hash (and the TOTP secret re-sealed under it).
    fn set_password(&self, user_id: i64, password_hash: &str, totp_sealed: Option<&str>) -> StoreResult<()>;

    /// Stores a user's sealed keyring and the public half of their signing key.
    fn set_keyring(&self, user_id: i64, keyring: &str, public_key: &[u8; 32]) -> StoreResult<()>;

    /// Disables or re-enables a user.
    fn set_disabled(&self, user_id: i64, disabled: bool) -> StoreResult<()>;
}
