//! The embedded backend: one SQLite file per workspace (rusqlite, bundled), WAL, foreign keys on,
//! numbered migrations in [`migrations`]. Each domain's SQL is in its own module; this one opens
//! the file and runs transactions.

mod audit_log;
pub mod backup;
mod cases;
mod changes;
pub mod migrations;
mod partners;
mod users;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::{SettingsTx, Store, StoreError, StoreResult, Transaction, TxMode, UrgentWrite};

/// The database file's name inside a workspace directory.
pub const DATABASE_FILE: &str = "countersign.db";

/// WAL pages between checkpoints during [`Store::bulk`] (about 40 MiB).
pub const BULK_WAL_AUTOCHECKPOINT: i64 = 10_000;
/// WAL pages between checkpoints otherwise (SQLite's default).
const DEFAULT_WAL_AUTOCHECKPOINT: i64 = 1_000;

/// A text column parsed into a core type; text that does not parse is a database altered outside
/// Countersign, reported as a conversion failure of that column.
pub(crate) fn parse_column<T>(r: &rusqlite::Row<'_>, column: usize, parse: impl FnOnce(&str) -> Option<T>) -> rusqlite::Result<T> {
    let text: String = r.get(column)?;
    parse(&text).ok_or_else(|| {
        let message = format!("column {column} holds {text:?}, which Countersign never writes");
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
    })
}

/// The LIMIT of a page's query: one more row than the page holds (see [`Page::fetch`]), or -1,
/// which SQLite reads as none, for a whole list.
pub(crate) fn fetch(page: &countersign_core::paging::Page) -> i64 {
    page.fetch().unwrap_or(-1)
}

/// An open workspace database file.
pub struct SqliteStore {
    conn: Connection,
    /// Where the workspace moved ([`MOVED_TO`]), which leaves this file read-only.
    moved_to: Option<String>,
}

/// The setting naming the team workspace a desktop workspace moved to (`workspace migrate --to`).
pub const MOVED_TO: &str = "moved_to";

/// A transaction on a [`SqliteStore`].
pub struct SqliteTx<'c> {
    pub(crate) tx: rusqlite::Transaction<'c>,
}

impl SqliteStore {
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
            return Err(StoreError::AlreadyExists(dir.display().to_string()));
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
            return Err(StoreError::NoWorkspace(dir.display().to_string()));
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
        let mut store = SqliteStore { conn, moved_to: None };
        store.migrate()?;
        store.moved_to = store.conn.query_row("SELECT value FROM settings WHERE key = ?1", [MOVED_TO], |r| r.get(0)).optional()?;
        Ok(store)
    }

    fn migrate(&mut self) -> StoreResult<()> {
        // Up to date (the usual case): no write lock at all, so opening the workspace never
        // queues behind a payment run in another process (issue 16: a revocation did, until
        // SQLite gave up with "database is locked").
        let current: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current == migrations::latest() {
            return Ok(());
        }
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
}

impl SqliteStore {
    /// The connection, for copying the workspace out ([`crate::copy`]).
    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Store for SqliteStore {
    fn schema_version(&mut self) -> StoreResult<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn begin(&mut self, mode: TxMode) -> StoreResult<Box<dyn Transaction + '_>> {
        // Writers take the lock at BEGIN (IMMEDIATE), so concurrent writers queue instead of
        // failing at their first write.
        let behavior = match mode {
            TxMode::Read => TransactionBehavior::Deferred,
            TxMode::Write => TransactionBehavior::Immediate,
        };
        if let (TxMode::Write, Some(to)) = (mode, &self.moved_to) {
            return Err(StoreError::Moved(to.clone()));
        }
        Ok(Box::new(SqliteTx { tx: self.conn.transaction_with_behavior(behavior)? }))
    }

    /// In bulk mode the WAL is checkpointed every [`BULK_WAL_AUTOCHECKPOINT`] pages instead of
    /// SQLite's default 1,000. Performance only: every transaction still commits on its own, in
    /// WAL mode with `synchronous = NORMAL`; a checkpoint (which syncs the WAL and the database
    /// file) simply comes after more commits, about 1,500 receipts instead of 150, so a batch pays
    /// for a few checkpoints instead of dozens. The default applies again afterwards, so the next
    /// write, or closing the workspace, checkpoints what the batch left in the WAL.
    fn set_bulk(&mut self, bulk: bool) -> StoreResult<()> {
        let pages = if bulk { BULK_WAL_AUTOCHECKPOINT } else { DEFAULT_WAL_AUTOCHECKPOINT };
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        Ok(())
    }

    fn announce_urgent_write(&self) -> StoreResult<UrgentWrite> {
        let Some((dir, prefix)) = self.urgent_marker_prefix() else { return Ok(UrgentWrite::new(None)) };
        let marker = dir.join(format!("{prefix}{}", std::process::id()));
        std::fs::write(&marker, b"").map_err(|source| StoreError::Io { path: marker.clone(), source })?;
        Ok(UrgentWrite::new(Some(marker)))
    }

    fn write_backup(&mut self, copy: &Path) -> StoreResult<()> {
        self.backup_to_file(copy)
    }

    fn urgent_write_waiting(&self) -> bool {
        let Some((dir, prefix)) = self.urgent_marker_prefix() else { return false };
        let own = format!("{prefix}{}", std::process::id());
        let Ok(entries) = std::fs::read_dir(&dir) else { return false };
        entries.filter_map(Result::ok).any(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let fresh =
                entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age < URGENT_WRITE_FRESH);
            name.starts_with(&prefix) && name != own && fresh
        })
    }
}

/// How long an announced urgent write is honoured: an announcement older than this was left by a
/// process that died, and is ignored.
const URGENT_WRITE_FRESH: std::time::Duration = std::time::Duration::from_secs(10);

impl SqliteStore {
    /// The prefix of urgent-write announcements: files `countersign.db-urgent-PID` beside the
    /// database (a file, because the writer waiting for SQLite's lock cannot say so inside it).
    fn urgent_marker_prefix(&self) -> Option<(std::path::PathBuf, String)> {
        let db = std::path::Path::new(self.conn.path()?);
        let dir = db.parent()?.to_path_buf();
        Some((dir, format!("{}-urgent-", db.file_name()?.to_string_lossy())))
    }
}

impl Transaction for SqliteTx<'_> {
    fn commit(self: Box<Self>) -> StoreResult<()> {
        Ok(self.tx.commit()?)
    }
}

impl SettingsTx for SqliteTx<'_> {
    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self.tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    fn insert_org_key(
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

    fn active_org_key(&self, purpose: &str) -> StoreResult<Option<(String, Option<Vec<u8>>)>> {
        Ok(self
            .tx
            .query_row("SELECT sealed, card FROM org_keys WHERE purpose = ?1 AND status = 'active'", [purpose], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    fn org_public_keys(&self, purpose: &str) -> StoreResult<Vec<([u8; 32], String, String)>> {
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
    use crate::StoreExt;

    /// SQLite's plan for `sql`, its steps joined by "; ".
    fn query_plan(store: &SqliteStore, sql: &str) -> String {
        let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    }

    /// Regression (issue 16): the per-file queries whose cost grew with a partner's history
    /// (the newest accepted issue time, the earlier amounts) are served by the partial indexes of
    /// migration V6, so their cost stays flat; SQLite's own plan says so.
    #[test]
    fn the_history_queries_of_a_receipt_use_their_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::create(&dir.path().join("ws")).unwrap();
        let plan = |sql: &str| query_plan(&store, sql);
        let accepted = "status IN ('accepted', 'callback_confirmed', 'approved', 'released')";
        let issue = plan(&format!("SELECT MAX(issued_at) FROM cases WHERE signer = 'x' AND {accepted}"));
        assert!(issue.contains("cases_accepted_issue"), "{issue}");
        let largest = plan(&format!(
            "SELECT MAX(amount_minor) FROM cases WHERE partner_id = 1 AND currency = 'EUR' AND amount_minor IS NOT NULL AND {accepted}"
        ));
        assert!(largest.contains("cases_accepted_amounts"), "{largest}");
        let count = plan(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE partner_id = 1 AND currency = 'EUR' AND amount_minor IS NOT NULL AND {accepted} LIMIT 3)"
        ));
        assert!(count.contains("cases_accepted_amounts"), "{count}");
    }

    /// Issue 19: a page of a partner's history is found by an index, not by reading the whole
    /// history (or every case) and sorting it.
    #[test]
    fn the_pages_of_a_partners_history_use_their_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::create(&dir.path().join("ws")).unwrap();
        let plan = |sql: &str| query_plan(&store, sql);
        let of_account = plan("SELECT id FROM cases WHERE partner_id = 1 AND account_key = 'k' AND id > 5 ORDER BY id LIMIT 3");
        assert!(of_account.contains("cases_by_account") && !of_account.contains("TEMP B-TREE"), "{of_account}");
        let newest = plan("SELECT id FROM cases WHERE partner_id = 1 AND id < 9 ORDER BY id DESC LIMIT 3");
        assert!(newest.contains("INDEX") && !newest.contains("TEMP B-TREE"), "{newest}");
        let marks = plan("SELECT account_key FROM fraudulent_accounts WHERE id < 9 ORDER BY id DESC LIMIT 3");
        assert!(!marks.contains("TEMP B-TREE"), "{marks}");
    }

    #[test]
    fn create_open_and_refuse_newer_schemas_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        let mut store = SqliteStore::create(&ws).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::latest());
        store.write(|tx| tx.set_setting("org_name", "Acme")).unwrap();
        drop(store);
        assert!(matches!(SqliteStore::create(&ws), Err(StoreError::AlreadyExists(_))));
        let mut store = SqliteStore::open(&ws).unwrap();
        assert_eq!(store.read(|tx| tx.setting("org_name")).unwrap().as_deref(), Some("Acme"));
        store.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        let before = std::fs::read(ws.join(DATABASE_FILE)).unwrap();
        assert!(matches!(SqliteStore::open(&ws), Err(StoreError::NewerSchema { found: 99, .. })));
        assert_eq!(std::fs::read(ws.join(DATABASE_FILE)).unwrap(), before, "a newer workspace is never modified");
        assert!(matches!(SqliteStore::open(&dir.path().join("none")), Err(StoreError::NoWorkspace(_))));
    }

    /// A workspace as version 7 of the schema left it (before paging), in WAL mode as every
    /// workspace is, with a setting and a fraud mark.
    fn workspace_of_version_7(ws: &Path) {
        std::fs::create_dir_all(ws).unwrap();
        let conn = Connection::open(ws.join(DATABASE_FILE)).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        for sql in &migrations::MIGRATIONS[..7] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 7).unwrap();
        conn.execute_batch(
            "INSERT INTO settings (key, value) VALUES ('org_name', 'Acme');
             INSERT INTO fraudulent_accounts (account_key, marked_at, marked_by, reason)
                 VALUES ('iban:A', '2026-01-02T00:00:00Z', 'carol', 'denied');",
        )
        .unwrap();
    }

    /// A workspace an older version wrote is brought up to date when it is opened, its rows
    /// kept; opening it again finds nothing more to do. (Before this test nothing opened an
    /// older workspace through `open`: refusing one as newer, `>` made `<` in `open`'s check,
    /// would have gone unnoticed.)
    #[test]
    fn an_older_workspace_is_brought_up_to_date_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        workspace_of_version_7(&ws);
        let mut store = SqliteStore::open(&ws).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::latest());
        assert_eq!(store.read(|tx| tx.setting("org_name")).unwrap().as_deref(), Some("Acme"));
        let marks = store.read(|tx| tx.fraud_marks(&countersign_core::paging::Page::default())).unwrap();
        assert_eq!(marks.iter().map(|m| (m.id, m.account_key.as_str())).collect::<Vec<_>>(), [(1, "iban:A")], "numbered by V8");
        drop(store);
        let mut again = SqliteStore::open(&ws).unwrap();
        assert_eq!(again.schema_version().unwrap(), migrations::latest());
    }

    /// Two processes open the same older workspace at once (the app and the command line after
    /// an upgrade): the one that waited for the other's migration finds the schema up to date
    /// and opens it, instead of refusing it as newer. (Mutation testing: `found > latest` made
    /// `>=` in `migrate` went unnoticed.) If the opening thread were slower than the pause and
    /// read the version only after the migration, the test would pass without reaching the
    /// check; it never fails wrongly.
    #[test]
    fn a_workspace_another_process_migrates_meanwhile_opens() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        workspace_of_version_7(&ws);
        let mut other = Connection::open(ws.join(DATABASE_FILE)).unwrap();
        let migrating = other.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
        let opening = std::thread::spawn(move || SqliteStore::open(&ws).and_then(|mut store| store.schema_version()));
        // Meanwhile the opening thread reads version 7 and waits for the write lock.
        std::thread::sleep(std::time::Duration::from_secs(1));
        for sql in &migrations::MIGRATIONS[7..] {
            migrating.execute_batch(sql).unwrap();
        }
        migrating.pragma_update(None, "user_version", migrations::latest()).unwrap();
        migrating.commit().unwrap();
        assert_eq!(opening.join().unwrap().unwrap(), migrations::latest());
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::create(dir.path()).unwrap();
        let result: Result<(), StoreError> = store.write(|tx| {
            tx.set_setting("a", "1")?;
            Err(StoreError::Corrupt("boom".into()))
        });
        assert!(result.is_err());
        assert_eq!(store.read(|tx| tx.setting("a")).unwrap(), None);
    }
}
