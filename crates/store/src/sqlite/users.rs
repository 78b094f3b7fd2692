//! SQLite: the users table: names, roles, password hashes, sealed TOTP secrets and lockout counters.

use rusqlite::OptionalExtension;

use super::{fetch, SqliteTx};
use crate::users::{UserRow, UsersTx};
use crate::StoreResult;
use countersign_core::paging::Page;

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

impl UsersTx for SqliteTx<'_> {
    fn insert_user(&self, name: &str, role: &str, password_hash: &str, at: &str, by: &str) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO users (name, role, password_hash, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            [name, role, password_hash, at, by],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRow>> {
        Ok(self.tx.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"), [name], user_from_row).optional()?)
    }

    fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        Ok(self.tx.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), [id], user_from_row).optional()?)
    }

    fn users(&self, page: &Page) -> StoreResult<Vec<UserRow>> {
        // Names are unique and never change: the keyset is the name of the cursor's user.
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE ?1 IS NULL OR name > (SELECT name FROM users WHERE id = ?1) ORDER BY name LIMIT ?2"
        ))?;
        let rows = stmt.query_map(rusqlite::params![page.after, fetch(page)], user_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn set_login_failures(&self, user_id: i64, failed: u32, last_failed_at: Option<&str>) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET failed_logins = ?1, last_failed_at = ?2 WHERE id = ?3",
            rusqlite::params![failed as i64, last_failed_at, user_id],
        )?;
        Ok(())
    }

    fn set_totp_last_step(&self, user_id: i64, step: u64) -> StoreResult<()> {
        self.tx.execute("UPDATE users SET totp_last_step = ?1 WHERE id = ?2", rusqlite::params![step as i64, user_id])?;
        Ok(())
    }

    fn set_totp(&self, user_id: i64, sealed: Option<&str>) -> StoreResult<()> {
        self.tx.execute("UPDATE users SET totp_sealed = ?1, totp_last_step = NULL WHERE id = ?2", rusqlite::params![sealed, user_id])?;
        Ok(())
    }

    fn set_password(&self, user_id: i64, password_hash: &str, totp_sealed: Option<&str>) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET password_hash = ?1, totp_sealed = ?2, failed_logins = 0, last_failed_at = NULL WHERE id = ?3",
            rusqlite::params![password_hash, totp_sealed, user_id],
        )?;
        Ok(())
    }

    fn set_keyring(&self, user_id: i64, keyring: &str, public_key: &[u8; 32]) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE users SET keyring = ?1, public_key = ?2 WHERE id = ?3",
            rusqlite::params![keyring, &public_key[..], user_id],
        )?;
        Ok(())
    }

    fn set_disabled(&self, user_id: i64, disabled: bool) -> StoreResult<()> {
        self.tx.execute("UPDATE users SET disabled = ?1 WHERE id = ?2", rusqlite::params![disabled as i64, user_id])?;
        Ok(())
    }
}
