//! The workspace database: SQLite through rusqlite, WAL, foreign keys on, versioned
//! migrations. The only module that knows SQL. Every write happens in one `BEGIN IMMEDIATE`
//! transaction ([`Store::write`]), in which the caller also appends the audit event, so a
//! change and its event commit together or not at all.

mod audit_log;
mod cases;
mod domains;
pub mod migrations;
mod partners;
mod users;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use audit_log::{EventFilter, StoredCheckpoint, StoredEvent};
pub use cases::{CallbackRow, CaseRow, NewCase};
pub use partners::{AccountRow, KeyRow, NewAccount, PartnerRow, PhoneRow};
pub use users::UserRow;

/// The database file's name inside a workspace directory.
pub const DATABASE_FILE: &str = "countersign.db";

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer Countersign.
    #[error("this workspace was written by a newer version of Countersign (schema {found}; this version knows up to {supported}); it was not changed: upgrade Countersign to open it")]
    NewerSchema {
        /// The schema version found.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// There is no workspace at the path.
    #[error("no workspace at {0} (create one with `countersign init`)")]
    NoWorkspace(PathBuf),
    /// A workspace already exists at the path.
    #[error("a workspace already exists at {0}")]
    AlreadyExists(PathBuf),
    /// Stored data does not parse: the database was altered outside Countersign.
    #[error("the workspace database holds invalid data ({0}); it may have been altered outside Countersign")]
    Corrupt(String),
    /// Preparing the directory failed.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// WAL pages between checkpoints during [`Store::bulk`] (about 40 MiB).
pub const BULK_WAL_AUTOCHECKPOINT: i64 = 10_000;
/// WAL pages between checkpoints otherwise (SQLite's default).
const DEFAULT_WAL_AUTOCHECKPOINT: i64 = 1_000;

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// An open workspace database.
pub struct Store {
    conn: Connection,
}

/// A transaction: every read and write method of the store lives on it.
pub struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl Store {
    /// Creates a new workspace database in `dir` (created if missing).
    pub fn create(dir: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: dir.to_path_buf(), source })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let path = dir.join(DATABASE_FILE);
        if path.exists() {
            return Err(StoreError::AlreadyExists(dir.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::configure(conn)
    }

    /// Opens the workspace database in `dir`, bringing an older schema up to date; refuses
    /// (without changing anything) one written by a newer version.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        let path = dir.join(DATABASE_FILE);
        if !path.is_file() {
            return Err(StoreError::NoWorkspace(dir.to_path_buf()));
        }
        {
            // Look at the version read-only first, so that a newer database is never touched.
            let probe = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            let found: i64 = probe.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if found > migrations::latest() {
                return Err(StoreError::NewerSchema { found, supported: migrations::latest() });
            }
        }
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        Self::configure(conn)
    }

    fn configure(conn: Connection) -> StoreResult<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL with NORMAL: a crash (even a power cut) leaves a consistent database; a power cut may
        // lose the last commits, never half of one. FULL would fsync every receipt of a payment run.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Performance only: room for every statement a payment run prepares (about 15 per file;
        // rusqlite keeps 16 by default), so that none is evicted and parsed again for each file.
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> StoreResult<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > migrations::latest() {
            return Err(StoreError::NewerSchema { found, supported: migrations::latest() });
        }
        for (i, sql) in migrations::MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The raw connection, for unit tests that play an attacker editing the file.
    #[cfg(test)]
    pub(crate) fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> StoreResult<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`, so concurrent writers queue);
    /// commits if it returns `Ok`, rolls back otherwise.
    pub fn write<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| E::from(StoreError::from(e)))?;
        let tx = Tx { tx };
        let value = f(&tx)?;
        tx.tx.commit().map_err(|e| E::from(StoreError::from(e)))?;
        Ok(value)
    }

    /// Runs `f`, which writes many transactions in a row (a payment run), with the WAL
    /// checkpointed every [`BULK_WAL_AUTOCHECKPOINT`] pages instead of SQLite's default 1,000.
    /// Performance only: every transaction still commits on its own, in WAL mode with
    /// `synchronous = NORMAL`; a checkpoint (which syncs the WAL and the database file) simply
    /// comes after more commits, about 1,500 receipts instead of 150, so a batch pays for a few
    /// checkpoints instead of dozens. The default applies again afterwards, so the next write,
    /// or closing the workspace, checkpoints what the batch left in the WAL.
    pub fn bulk<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> StoreResult<T> {
        self.conn.pragma_update(None, "wal_autocheckpoint", BULK_WAL_AUTOCHECKPOINT)?;
        let value = f(self);
        self.conn.pragma_update(None, "wal_autocheckpoint", DEFAULT_WAL_AUTOCHECKPOINT)?;
        Ok(value)
    }

    /// Runs `f` in a read transaction (a consistent snapshot).
    pub fn read<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| E::from(StoreError::from(e)))?;
        let tx = Tx { tx };
        f(&tx)
    }
}

impl Tx<'_> {
    /// A setting's value.
    pub fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .tx
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Stores an organisation key (sealed secret) and makes it the active one for its purpose.
    pub fn insert_org_key(
        &self,
        purpose: &str,
        fingerprint: &str,
        public_key: &[u8; 32],
        sealed: &str,
        card: Option<&[u8]>,
        at: &str,
    ) -> StoreResult<()> {
        self.tx.execute("UPDATE org_keys SET status = 'retired' WHERE purpose = ?1 AND status = 'active'", [purpose])?;
        self.tx.execute(
            "INSERT INTO org_keys (purpose, fingerprint, public_key, sealed, card, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6)",
            rusqlite::params![purpose, fingerprint, &public_key[..], sealed, card, at],
        )?;
        Ok(())
    }

    /// The active organisation key of a purpose: (sealed key file JSON, card bytes).
    pub fn active_org_key(&self, purpose: &str) -> StoreResult<Option<(String, Option<Vec<u8>>)>> {
        Ok(self
            .tx
            .query_row(
                "SELECT sealed, card FROM org_keys WHERE purpose = ?1 AND status = 'active'",
                [purpose],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Every organisation key of a purpose, oldest first: (public key, status, created at).
    pub fn org_public_keys(&self, purpose: &str) -> StoreResult<Vec<([u8; 32], String, String)>> {
        let mut stmt = self.tx.prepare("SELECT public_key, status, created_at FROM org_keys WHERE purpose = ?1 ORDER BY id")?;
        let rows = stmt
            .query_map([purpose], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(k, status, at)| {
                let key: [u8; 32] = k.try_into().map_err(|_| StoreError::Corrupt("an organisation public key is not 32 bytes".into()))?;
                Ok((key, status, at))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_open_and_refuse_newer_schemas_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        let mut store = Store::create(&ws).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::latest());
        store.write(|tx| tx.set_setting("org_name", "Acme")).unwrap();
        drop(store);
        assert!(matches!(Store::create(&ws), Err(StoreError::AlreadyExists(_))));
        let mut store = Store::open(&ws).unwrap();
        assert_eq!(store.read(|tx| tx.setting("org_name")).unwrap().as_deref(), Some("Acme"));
        store.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        let before = std::fs::read(ws.join(DATABASE_FILE)).unwrap();
        assert!(matches!(Store::open(&ws), Err(StoreError::NewerSchema { found: 99, .. })));
        assert_eq!(std::fs::read(ws.join(DATABASE_FILE)).unwrap(), before, "a newer workspace is never modified");
        assert!(matches!(Store::open(&dir.path().join("none")), Err(StoreError::NoWorkspace(_))));
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        let result: Result<(), StoreError> = store.write(|tx| {
            tx.set_setting("a", "1")?;
            Err(StoreError::Corrupt("boom".into()))
        });
        assert!(result.is_err());
        assert_eq!(store.read(|tx| tx.setting("a")).unwrap(), None);
    }
}
