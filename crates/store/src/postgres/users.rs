//! PostgreSQL: the users table: names, roles, password hashes, sealed TOTP secrets and lockout
//! counters.

use postgres::Row;

use super::PgTx;
use crate::users::{UserRow, UsersTx};
use crate::StoreResult;
use countersign_core::paging::Page;

const USER_COLUMNS: &str =
    "id, name, role, password_hash, totp_sealed, totp_last_step, disabled, failed_logins, last_failed_at, keyring, public_key";

fn user_from_row(r: &Row) -> StoreResult<UserRow> {
    Ok(UserRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        role: r.try_get(2)?,
        password_hash: r.try_get(3)?,
        totp_sealed: r.try_get(4)?,
        totp_last_step: r.try_get::<_, Option<i64>>(5)?.map(|s| s as u64),
        disabled: r.try_get::<_, i64>(6)? != 0,
        failed_logins: r.try_get::<_, i64>(7)? as u32,
        last_failed_at: r.try_get(8)?,
        keyring: r.try_get(9)?,
        public_key: r.try_get::<_, Option<Vec<u8>>>(10)?.and_then(|k| k.try_into().ok()),
    })
}

impl UsersTx for PgTx<'_> {
    fn insert_user(&self, name: &str, role: &str, password_hash: &str, at: &str, by: &str) -> StoreResult<i64> {
        let r = self.query_one(
            "INSERT INTO users (name, role, password_hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&name, &role, &password_hash, &at, &by],
        )?;
        Ok(r.try_get(0)?)
    }

    fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRow>> {
        self.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1"), &[&name])?.as_ref().map(user_from_row).transpose()
    }

    fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        self.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), &[&id])?.as_ref().map(user_from_row).transpose()
    }

    fn users(&self, page: &Page) -> StoreResult<Vec<UserRow>> {
        // Names are unique and never change: the keyset is the name of the cursor's user.
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE $1::bigint IS NULL OR name > (SELECT name FROM users WHERE id = $1) ORDER BY name LIMIT $2"
        );
        self.query(&sql, &[&page.after, &page.fetch()])?.iter().map(user_from_row).collect()
    }

    fn set_login_failures(&self, user_id: i64, failed: u32, last_failed_at: Option<&str>) -> StoreResult<()> {
        self.execute(
            "UPDATE users SET failed_logins = $1, last_failed_at = $2 WHERE id = $3",
            &[&i64::from(failed), &last_failed_at, &user_id],
        )?;
        Ok(())
    }

    fn set_totp_last_step(&self, user_id: i64, step: u64) -> StoreResult<()> {
        self.execute("UPDATE users SET totp_last_step = $1 WHERE id = $2", &[&(step as i64), &user_id])?;
        Ok(())
    }

    fn set_totp(&self, user_id: i64, sealed: Option<&str>) -> StoreResult<()> {
        self.execute("UPDATE users SET totp_sealed = $1, totp_last_step = NULL WHERE id = $2", &[&sealed, &user_id])?;
        Ok(())
    }

    fn set_password(&self, user_id: i64, password_hash: &str, totp_sealed: Option<&str>) -> StoreResult<()> {
        self.execute(
            "UPDATE users SET password_hash = $1, totp_sealed = $2, failed_logins = 0, last_failed_at = NULL WHERE id = $3",
            &[&password_hash, &totp_sealed, &user_id],
        )?;
        Ok(())
    }

    fn set_keyring(&self, user_id: i64, keyring: &str, public_key: &[u8; 32]) -> StoreResult<()> {
        self.execute("UPDATE users SET keyring = $1, public_key = $2 WHERE id = $3", &[&keyring, &&public_key[..], &user_id])?;
        Ok(())
    }

    fn set_disabled(&self, user_id: i64, disabled: bool) -> StoreResult<()> {
        self.execute("UPDATE users SET disabled = $1 WHERE id = $2", &[&i64::from(disabled), &user_id])?;
        Ok(())
    }
}
