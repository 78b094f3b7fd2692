//! The workspace's storage: one trait, [`Store`], for everything the service reads and writes,
//! and its two backends: [`sqlite::SqliteStore`] (rusqlite, bundled), the embedded default, one
//! file per workspace; and [`postgres::PgStore`], one schema on a PostgreSQL server that a team's
//! desktops share. The only crate that knows SQL. Every write happens in one transaction ([`StoreExt::write`]) in which the caller
//! also appends the audit event, so a change and its event commit together or not at all.
//!
//! The trait is split by domain ([`SettingsTx`], [`UsersTx`], [`PartnersTx`], [`CasesTx`],
//! [`AuditLogTx`]); [`Tx`] is all of them, and what the service's code takes (`&dyn Tx`). The row
//! types (users) are the trait's plain data; cases, the registry and the log come back as the core's
//! records, which the service hands on or turns into its own views.

#![forbid(unsafe_code)]

mod audit_log;
mod case_query;
mod cases;
mod changes;
pub mod copy;
mod partners;
pub mod postgres;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

use std::path::PathBuf;

pub use audit_log::AuditLogTx;
pub use case_query::{CaseQuery, CaseWord};
pub use cases::{BankFile, CasesTx, NameCheckRow, NewCase};
pub use changes::{ChangeRow, ChangesTx};
pub use partners::{FraudMark, NewAccount, PartnerCounts, PartnersTx};
pub use users::{UserRow, UsersTx};

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
    /// There is no workspace at the place named (a directory, or a database and schema).
    #[error("no workspace at {0} (create one with `countersign init`)")]
    NoWorkspace(String),
    /// A workspace already exists at the place named.
    #[error("a workspace already exists at {0}")]
    AlreadyExists(String),
    /// The PostgreSQL server reported an error, or the connection to it failed mid-way.
    #[error("database server: {}", postgres::describe(.0))]
    Postgres(#[from] ::postgres::Error),
    /// The database server refused the connection for want of the right password (none given,
    /// or a wrong one); the message names the server and user, never the password.
    #[error("{0}")]
    DatabasePassword(String),
    /// The workspace moved to a team workspace (`workspace migrate --to`): this copy is kept
    /// read-only.
    #[error("this workspace moved to the team workspace at {0}; it is kept here read-only. Open the team workspace instead (this directory's team.json connects there)")]
    Moved(String),
    /// The database server cannot be reached or refused the connection; the message names the
    /// server (never the password) and the cause.
    #[error("{0}")]
    Connect(String),
    /// A team workspace's schema is older than this build: only its owner may migrate it.
    #[error("this team workspace has schema {found} and this version of Countersign needs {supported}: the database owner runs `countersign database migrate` first (desktops never change the schema)")]
    SchemaBehind {
        /// The schema version found.
        found: i64,
        /// The version this build needs.
        supported: i64,
    },
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

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Whether a transaction may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    /// A consistent snapshot for reading.
    Read,
    /// A write transaction; concurrent writers queue behind it.
    Write,
}

/// An open workspace database, whatever the backend.
pub trait Store: Send {
    /// The schema version of the open database.
    fn schema_version(&mut self) -> StoreResult<i64>;

    /// Begins a transaction. Dropping it without [`Transaction::commit`] rolls it back.
    fn begin(&mut self, mode: TxMode) -> StoreResult<Box<dyn Transaction + '_>>;

    /// Whether a run of many transactions (a payment run) is under way: a backend may trade
    /// checkpoint frequency for speed while it is, never durability of a commit.
    fn set_bulk(&mut self, bulk: bool) -> StoreResult<()>;

    /// Announces a write that must not wait behind a payment run (an emergency revocation,
    /// disabling a user): until the guard is dropped, a run under way in another process yields
    /// between its transactions ([`Store::urgent_write_waiting`]), so the write gets the lock
    /// within a transaction's time instead of queuing behind the whole run.
    fn announce_urgent_write(&self) -> StoreResult<UrgentWrite>;

    /// Whether another process announced an urgent write in the last few seconds.
    fn urgent_write_waiting(&self) -> bool;

    /// Writes an online, consistent copy of the open database into `copy`, an empty file the
    /// caller made beside the backup's place ([`sqlite::backup::PendingCopy`]), while other
    /// processes keep writing. A backend without a database file of its own refuses.
    fn write_backup(&mut self, copy: &std::path::Path) -> StoreResult<()> {
        let source = std::io::Error::new(std::io::ErrorKind::Unsupported, "this workspace's storage cannot be backed up to a file");
        Err(StoreError::Io { path: copy.to_path_buf(), source })
    }
}

/// An announced urgent write ([`Store::announce_urgent_write`]); dropping it withdraws the
/// announcement.
#[derive(Debug)]
pub struct UrgentWrite {
    marker: Option<std::path::PathBuf>,
}

impl UrgentWrite {
    /// An announcement kept as the file `marker`, removed on drop (`None`: nothing to withdraw).
    pub fn new(marker: Option<std::path::PathBuf>) -> Self {
        UrgentWrite { marker }
    }
}

impl Drop for UrgentWrite {
    fn drop(&mut self) {
        if let Some(marker) = &self.marker {
            let _ = std::fs::remove_file(marker);
        }
    }
}

/// An open transaction: every read and write method of the store, and the commit.
pub trait Transaction: Tx {
    /// Commits what the transaction wrote.
    fn commit(self: Box<Self>) -> StoreResult<()>;
}

/// Everything the service can ask of a transaction.
pub trait Tx: SettingsTx + UsersTx + PartnersTx + CasesTx + AuditLogTx + ChangesTx {}
impl<T: SettingsTx + UsersTx + PartnersTx + CasesTx + AuditLogTx + ChangesTx + ?Sized> Tx for T {}

/// The workspace's settings and the organisation's keys.
pub trait SettingsTx {
    /// A setting's value.
    fn setting(&self, key: &str) -> StoreResult<Option<String>>;

    /// Sets a setting.
    fn set_setting(&self, key: &str, value: &str) -> StoreResult<()>;

    /// Stores an organisation key (sealed secret) and makes it the active one for its purpose.
    fn insert_org_key(
        &self,
        purpose: &str,
        fingerprint: &str,
        public_key: &[u8; 32],
        sealed: &str,
        card: Option<&[u8]>,
        at: &str,
    ) -> StoreResult<()>;

    /// The active organisation key of a purpose: (sealed key file JSON, card bytes).
    fn active_org_key(&self, purpose: &str) -> StoreResult<Option<(String, Option<Vec<u8>>)>>;

    /// Every organisation key of a purpose, oldest first: (public key, status, created at).
    fn org_public_keys(&self, purpose: &str) -> StoreResult<Vec<([u8; 32], String, String)>>;
}

/// The ways to use a [`Store`]: one closure per transaction.
pub trait StoreExt: Store {
    /// Runs `f` in one write transaction; commits if it returns `Ok`, rolls back otherwise.
    fn write<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let tx = self.begin(TxMode::Write)?;
        let value = f(&*tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` in a read transaction (a consistent snapshot).
    fn read<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let tx = self.begin(TxMode::Read)?;
        f(&*tx)
    }

    /// Runs `f`, which writes many transactions in a row (a payment run), in bulk mode
    /// ([`Store::set_bulk`]); the normal mode applies again afterwards.
    fn bulk<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> StoreResult<T> {
        self.set_bulk(true)?;
        let value = f(self);
        self.set_bulk(false)?;
        Ok(value)
    }
}
impl<S: Store + ?Sized> StoreExt for S {}

/// The traits a caller needs in scope to use a store: `use countersign_store::prelude::*;`.
pub mod prelude {
    pub use crate::{AuditLogTx, CasesTx, ChangesTx, PartnersTx, SettingsTx, Store, StoreExt, Transaction, Tx, UsersTx};
}
