//! The users table: names, roles, password hashes, sealed TOTP secrets and lockout counters.

use rusqlite::OptionalExtension;

use super::{StoreResult, Tx};

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

const USER_COLUMNS: &str =
    "id, name, role, password_hash, totp_sealed, totp_last_step, disabled, failed_logins, last_failed_at, keyring, public_key";

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        password_hash: r.get(3)?,
        totp_sealed: r.get(4)?,
        totp_last_step: r.get::<_, Option<i64>>(5)?.map(|s| s as u64),
        disabled: r.get::<_, i64>(6)? != 0,
        failed_logins: r.get::<_, i64>(7)? as u32,
        last_failed_at: r.get(8)?,
        keyring: r.get(9)?,
        public_key: r.get::<_, Option<Vec<u8>>>(10)?.and_then(|k| k.try_into().ok()),
    })
}

impl Tx<'_> {
    /// Adds a user; returns the id.
    pub fn insert_user(&self, name: &str, role: &str, password_hash: &str, at: &str, by: &str) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO users (name, role, password_hash, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            [name, role, password_hash, at, by],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// A user by name.
    pub fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRow>> {
        Ok(self
            .tx
            .query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"), [name], user_from_row)
            .optional()?)
    }

    /// Every user, by name.
    pub fn users(&self) -> StoreResult<Vec<UserRow>> {
        let mut stmt = self.tx.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"))?;
        let rows = stmt.query_map([], user_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Records the lockout counters after a login attempt.
    pub fn set_login_failures(&self, user_id: i64, failed: u32, last_failed_at: Option<&str>) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET failed_logins = ?1, last_failed_at = ?2 WHERE id = ?3",
            rusqlite::params![failed as i64, last_failed_at, user_id],
        )?;
        Ok(())
    }

    /// Records the last accepted TOTP step.
    pub fn set_totp_last_step(&self, user_id: i64, step: u64) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET totp_last_step = ?1 WHERE id = ?2",
            rusqlite::params![step as i64, user_id],
        )?;
        Ok(())
    }

    /// Stores (or clears) a user's sealed TOTP secret.
    pub fn set_totp(&self, user_id: i64, sealed: Option<&str>) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET totp_sealed = ?1, totp_last_step = NULL WHERE id = ?2",
            rusqlite::params![sealed, user_id],
        )?;
        Ok(())
    }

    /// Changes a user's password hash (and the TOTP secret re-sealed under it).
    pub fn set_password(&self, user_id: i64, password_hash: &str, totp_sealed: Option<&str>) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET password_hash = ?1, totp_sealed = ?2, failed_logins = 0, last_failed_at = NULL WHERE id = ?3",
            rusqlite::params![password_hash, totp_sealed, user_id],
        )?;
        Ok(())
    }

    /// Stores a user's sealed keyring and the public half of their signing key.
    pub fn set_keyring(&self, user_id: i64, keyring: &str, public_key: &[u8; 32]) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET keyring = ?1, public_key = ?2 WHERE id = ?3",
            rusqlite::params![keyring, &public_key[..], user_id],
        )?;
        Ok(())
    }

    /// Users' public signing keys, by name (those who have one).
    pub fn user_public_keys(&self) -> StoreResult<Vec<(String, [u8; 32])>> {
        let mut stmt = self.tx.prepare("SELECT name, public_key FROM users WHERE public_key IS NOT NULL ORDER BY name")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows.into_iter().filter_map(|(n, k)| Some((n, k.try_into().ok()?))).collect())
    }

    /// Disables or re-enables a user.
    pub fn set_disabled(&self, user_id: i64, disabled: bool) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET disabled = ?1 WHERE id = ?2",
            rusqlite::params![disabled as i64, user_id],
        )?;
        Ok(())
    }
}
