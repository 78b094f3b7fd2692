//! The team backend: one schema on a PostgreSQL server that a team's desktops share (issue 17).
//! Same trait, same schema version numbers and the same semantics as [`crate::sqlite`]:
//!
//! - **Writers are serialised** on a per-workspace advisory lock taken as the first statement of
//!   every write transaction (READ COMMITTED, so each statement after the lock sees everything
//!   committed before it). One writer at a time is what SQLite gives too; it keeps the log one
//!   chain with no gap and no fork (event numbers are `MAX(seq) + 1` under the lock, never a
//!   sequence, which leaves gaps), and makes every conditional update (a case moving from one
//!   status to the next) decide against the latest state. PostgreSQL queues lock waiters in
//!   order, so an urgent write (a revocation) waits for at most the transaction under way.
//! - **Readers** get a REPEATABLE READ, READ ONLY snapshot and never wait for writers.
//! - **Every write commits a notification** on the channel [`NOTIFY_CHANNEL`] with the schema's
//!   name, for the desktops' live queues ([`listen`]).
//! - **The schema is the owner's**: opening never migrates; [`PgStore::migrate`] (the owner's
//!   `countersign database migrate`) does, and grants the desktops' role what it needs and no
//!   more ([`migrations::APP_PRIVILEGES`]).

mod audit_log;
mod cases;
mod changes;
pub mod connect;
pub mod migrations;
mod partners;
mod users;

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, Row, Statement};

pub use connect::{describe, DatabaseUrl};

use crate::{SettingsTx, Store, StoreError, StoreResult, Transaction, TxMode, UrgentWrite};

/// The channel every write transaction notifies on commit; the payload is the schema's name.
pub const NOTIFY_CHANNEL: &str = "countersign_changed";

/// The first key of the workspace's advisory lock ("CSG1"); the second is `hashtext(schema)`.
const LOCK_CLASS: i32 = 0x4353_4731;

/// An open team workspace: a connection with its search path set to the workspace's schema.
pub struct PgStore {
    client: Client,
    url: DatabaseUrl,
    /// Statements prepared on this connection, by SQL text (a payment run prepares the same
    /// dozen statements for every file).
    statements: RefCell<HashMap<String, Statement>>,
}

/// A transaction on a [`PgStore`]. The store's traits read through `&self`, the client through
/// `&mut`: the transaction sits in a `RefCell`, borrowed for one statement at a time.
pub struct PgTx<'c> {
    tx: RefCell<postgres::Transaction<'c>>,
    statements: &'c RefCell<HashMap<String, Statement>>,
    schema: &'c str,
    write: bool,
}

impl PgStore {
    /// Creates a new team workspace: the schema named by `url`, at the latest version, and the
    /// privileges of `app_role` (the role the desktops connect with; `None`: only the owner uses
    /// it). Refuses a schema that already exists.
    pub fn create(url: &DatabaseUrl, app_role: Option<&str>) -> StoreResult<Self> {
        let mut store = Self::connect(url)?;
        let exists: bool =
            store.client.query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&url.schema()])?.get(0);
        if exists {
            return Err(StoreError::AlreadyExists(url.to_string()));
        }
        let mut tx = store.client.transaction()?;
        lock_workspace(&mut tx, url.schema())?;
        tx.batch_execute(&format!("CREATE SCHEMA {0}; SET LOCAL search_path TO {0};", url.schema()))?;
        tx.batch_execute(migrations::BASELINE_SQL)?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&migrations::BASELINE])?;
        apply_migrations(&mut tx, migrations::BASELINE)?;
        if let Some(role) = app_role {
            grant(&mut tx, url.schema(), role)?;
        }
        tx.commit()?;
        Ok(store)
    }

    /// Opens the team workspace named by `url`. Never changes the schema: one older than this
    /// build is [`StoreError::SchemaBehind`], one newer [`StoreError::NewerSchema`].
    pub fn open(url: &DatabaseUrl) -> StoreResult<Self> {
        let mut store = Self::connect(url)?;
        match store.version()? {
            None => Err(StoreError::NoWorkspace(url.to_string())),
            Some(found) if found > migrations::latest() => Err(StoreError::NewerSchema { found, supported: migrations::latest() }),
            Some(found) if found < migrations::latest() => Err(StoreError::SchemaBehind { found, supported: migrations::latest() }),
            Some(_) => Ok(store),
        }
    }

    /// Brings the workspace's schema to this build's version and grants `app_role` its
    /// privileges again (the owner's `countersign database migrate`). Returns the versions
    /// before and after.
    pub fn migrate(url: &DatabaseUrl, app_role: Option<&str>) -> StoreResult<(i64, i64)> {
        let mut store = Self::connect(url)?;
        let mut tx = store.client.transaction()?;
        lock_workspace(&mut tx, url.schema())?;
        // Only the owner changes the schema or grants on it (a desktop's GRANT would only warn).
        let owner = tx.query_opt(
            "SELECT pg_get_userbyid(nspowner)::text, pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = $1",
            &[&url.schema()],
        )?;
        match owner {
            None => return Err(StoreError::NoWorkspace(url.to_string())),
            Some(row) if !row.get::<_, bool>(1) => {
                return Err(StoreError::Connect(format!(
                    "`database migrate` runs as the schema's owner, {}: connect as that role",
                    row.get::<_, String>(0)
                )))
            }
            Some(_) => {}
        }
        let found: i64 = match tx.query_opt("SELECT version FROM schema_version", &[]) {
            Ok(Some(row)) => row.get(0),
            Ok(None) => return Err(StoreError::Corrupt("the schema_version table is empty".into())),
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => {
                return Err(StoreError::NoWorkspace(url.to_string()))
            }
            Err(e) => return Err(e.into()),
        };
        if found > migrations::latest() {
            return Err(StoreError::NewerSchema { found, supported: migrations::latest() });
        }
        apply_migrations(&mut tx, found)?;
        if let Some(role) = app_role {
            grant(&mut tx, url.schema(), role)?;
        }
        tx.commit()?;
        Ok((found, migrations::latest()))
    }

    fn connect(url: &DatabaseUrl) -> StoreResult<Self> {
        let mut client = url.connect()?;
        // The schema name is checked (lower-case letters, digits, '_'), so it needs no quoting.
        client.batch_execute(&format!("SET search_path TO {}", url.schema()))?;
        Ok(PgStore { client, url: url.clone(), statements: RefCell::new(HashMap::new()) })
    }

    fn version(&mut self) -> StoreResult<Option<i64>> {
        let exists: bool = self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_version')",
                &[&self.url.schema()],
            )?
            .get(0);
        if !exists {
            return Ok(None);
        }
        let row = self.client.query_opt("SELECT version FROM schema_version", &[])?;
        row.map(|r| r.get(0)).ok_or_else(|| StoreError::Corrupt("the schema_version table is empty".into())).map(Some)
    }

    /// Where the workspace is (for messages; never shows a password).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The connection, for copying a workspace in ([`crate::copy`]).
    pub(crate) fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Runs raw SQL on the connection, outside the store's rules: for tests that play a
    /// database administrator editing rows by hand.
    pub fn execute_as_administrator(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.client.batch_execute(sql)?)
    }
}

/// Takes the workspace's advisory lock for the rest of the transaction.
pub(crate) fn lock_workspace(tx: &mut postgres::Transaction<'_>, schema: &str) -> StoreResult<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&LOCK_CLASS, &schema])?;
    Ok(())
}

fn apply_migrations(tx: &mut postgres::Transaction<'_>, from: i64) -> StoreResult<()> {
    for (version, sql) in migrations::MIGRATIONS.iter().filter(|(v, _)| *v > from) {
        tx.batch_execute(sql)?;
        tx.execute("UPDATE schema_version SET version = $1", &[version])?;
    }
    Ok(())
}

fn grant(tx: &mut postgres::Transaction<'_>, schema: &str, role: &str) -> StoreResult<()> {
    let exists: bool = tx.query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&role])?.get(0);
    if !exists {
        return Err(StoreError::Connect(format!(
            "the role {role:?} does not exist on the server: the database administrator creates it first (CREATE ROLE {role} LOGIN PASSWORD …)"
        )));
    }
    let quoted = format!("\"{}\"", role.replace('"', "\"\""));
    tx.batch_execute(&migrations::APP_PRIVILEGES.replace("{schema}", schema).replace("{role}", &quoted))?;
    Ok(())
}

/// Waits for writes to the workspace by other desktops: a connection listening on
/// [`NOTIFY_CHANNEL`]. Notifications sent while it was disconnected are lost, so a caller that
/// reconnects re-reads what it shows.
pub struct Listener {
    client: Client,
    schema: String,
}

/// Opens a [`Listener`] on the workspace named by `url`.
pub fn listen(url: &DatabaseUrl) -> StoreResult<Listener> {
    let mut client = url.connect()?;
    client.batch_execute(&format!("LISTEN {NOTIFY_CHANNEL}"))?;
    Ok(Listener { client, schema: url.schema().to_string() })
}

impl Listener {
    /// Waits up to `timeout` for a write to this workspace; true if one came. An error means the
    /// connection is gone: reconnect (and re-read).
    pub fn wait(&mut self, timeout: std::time::Duration) -> StoreResult<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut notifications = self.client.notifications();
        let mut iter = notifications.timeout_iter(timeout);
        let mut changed = false;
        while let Some(n) = iter.next()? {
            changed |= n.payload() == self.schema;
            if changed {
                break;
            }
        }
        Ok(changed)
    }
}

impl Store for PgStore {
    fn schema_version(&mut self) -> StoreResult<i64> {
        self.version()?.ok_or_else(|| StoreError::NoWorkspace(self.url.to_string()))
    }

    fn begin(&mut self, mode: TxMode) -> StoreResult<Box<dyn Transaction + '_>> {
        let schema = self.url.schema();
        let tx = match mode {
            TxMode::Read => self.client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?,
            TxMode::Write => {
                let mut tx = self.client.transaction()?;
                lock_workspace(&mut tx, schema)?;
                tx
            }
        };
        Ok(Box::new(PgTx { tx: RefCell::new(tx), statements: &self.statements, schema, write: mode == TxMode::Write }))
    }

    /// Nothing to trade on a server: every commit is durable on its own.
    fn set_bulk(&mut self, _bulk: bool) -> StoreResult<()> {
        Ok(())
    }

    /// The server queues lock waiters in order: an urgent write waits for the transaction under
    /// way, not for the whole run, without announcing itself.
    fn announce_urgent_write(&self) -> StoreResult<UrgentWrite> {
        Ok(UrgentWrite::new(None))
    }

    fn urgent_write_waiting(&self) -> bool {
        false
    }
}

impl Transaction for PgTx<'_> {
    fn commit(self: Box<Self>) -> StoreResult<()> {
        let mut tx = self.tx.into_inner();
        if self.write {
            tx.execute("SELECT pg_notify($1, $2)", &[&NOTIFY_CHANNEL, &self.schema])?;
        }
        Ok(tx.commit()?)
    }
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl PgTx<'_> {
    fn statement(&self, sql: &str) -> StoreResult<Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.borrow_mut().prepare(sql)?;
        self.statements.borrow_mut().insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub(crate) fn query(&self, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        Ok(self.tx.borrow_mut().query(&statement, params)?)
    }

    /// The rows of `sql` handed to `each` as the server sends them, never all held at once.
    pub(crate) fn query_each(&self, sql: &str, params: Params<'_>, each: &mut dyn FnMut(&Row) -> StoreResult<()>) -> StoreResult<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let statement = self.statement(sql)?;
        let mut tx = self.tx.borrow_mut();
        let mut rows = tx.query_raw(&statement, params.iter().copied())?;
        while let Some(row) = rows.next()? {
            each(&row)?;
        }
        Ok(())
    }

    pub(crate) fn query_opt(&self, sql: &str, params: Params<'_>) -> StoreResult<Option<Row>> {
        let statement = self.statement(sql)?;
        Ok(self.tx.borrow_mut().query_opt(&statement, params)?)
    }

    pub(crate) fn query_one(&self, sql: &str, params: Params<'_>) -> StoreResult<Row> {
        let statement = self.statement(sql)?;
        Ok(self.tx.borrow_mut().query_one(&statement, params)?)
    }

    pub(crate) fn execute(&self, sql: &str, params: Params<'_>) -> StoreResult<u64> {
        let statement = self.statement(sql)?;
        Ok(self.tx.borrow_mut().execute(&statement, params)?)
    }
}

/// A text column parsed into a core type; text that does not parse is a database altered outside
/// Countersign.
pub(crate) fn parse_column<T>(row: &Row, column: usize, parse: impl FnOnce(&str) -> Option<T>) -> StoreResult<T> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| StoreError::Corrupt(format!("column {column} holds {text:?}, which Countersign never writes")))
}

/// A 32-byte key or hash column.
pub(crate) fn bytes32(bytes: Vec<u8>, what: &str) -> StoreResult<[u8; 32]> {
    bytes.try_into().map_err(|_| StoreError::Corrupt(format!("{what} is not 32 bytes")))
}

impl SettingsTx for PgTx<'_> {
    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?.map(|r| r.get(0)))
    }

    fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        self.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
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
        self.execute("UPDATE org_keys SET status = 'retired' WHERE purpose = $1 AND status = 'active'", &[&purpose])?;
        self.execute(
            "INSERT INTO org_keys (purpose, fingerprint, public_key, sealed, card, status, created_at)
             VALUES ($1, $2, $3, $4, $5, 'active', $6)",
            &[&purpose, &fingerprint, &&public_key[..], &sealed, &card, &at],
        )?;
        Ok(())
    }

    fn active_org_key(&self, purpose: &str) -> StoreResult<Option<(String, Option<Vec<u8>>)>> {
        let row = self.query_opt("SELECT sealed, card FROM org_keys WHERE purpose = $1 AND status = 'active'", &[&purpose])?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn org_public_keys(&self, purpose: &str) -> StoreResult<Vec<([u8; 32], String, String)>> {
        let rows = self.query("SELECT public_key, status, created_at FROM org_keys WHERE purpose = $1 ORDER BY id", &[&purpose])?;
        rows.into_iter().map(|r| Ok((bytes32(r.try_get(0)?, "an organisation public key")?, r.try_get(1)?, r.try_get(2)?))).collect()
    }
}
