//! Test support shared by the store's and the service's suites (feature `testing`): a fresh
//! workspace on each backend. PostgreSQL is the server `make test` starts
//! (`scripts/test-postgres.sh`), named by `COUNTERSIGN_TEST_POSTGRES`; each store gets a schema
//! of its own on it. When `COUNTERSIGN_REQUIRE_POSTGRES` is set (as `make test` and CI do), a
//! missing server fails the test instead of leaving PostgreSQL untested.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::postgres::{DatabaseUrl, PgStore};
use crate::sqlite::SqliteStore;
use crate::Store;

/// The base URL of the test server.
pub const TEST_POSTGRES_ENV: &str = "COUNTERSIGN_TEST_POSTGRES";
/// The URL of the same test server on a network address, over TLS with the run's own CA
/// (`sslrootcert`), when it listens on one.
pub const TEST_POSTGRES_TLS_ENV: &str = "COUNTERSIGN_TEST_POSTGRES_TLS";
/// Set to make a missing test server an error.
pub const REQUIRE_POSTGRES_ENV: &str = "COUNTERSIGN_REQUIRE_POSTGRES";

/// A URL for a new, empty schema on the test server; `None` when no server is configured (and
/// none is required).
pub fn fresh_database() -> Option<DatabaseUrl> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = match std::env::var(TEST_POSTGRES_ENV) {
        Ok(base) if !base.is_empty() => base,
        _ => {
            assert!(
                std::env::var_os(REQUIRE_POSTGRES_ENV).is_none(),
                "{REQUIRE_POSTGRES_ENV} is set but {TEST_POSTGRES_ENV} names no server: run the tests with `make test`"
            );
            return None;
        }
    };
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let schema = format!("t{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    Some(DatabaseUrl::parse(&base).expect("a valid test server URL").with_schema(&schema).expect("a valid schema name"))
}

/// A new store on one backend, with whatever keeps it alive.
pub struct TestStore {
    /// The store.
    pub store: Box<dyn Store>,
    /// Which backend: "sqlite" or "postgres".
    pub backend: &'static str,
    /// The workspace directory of a SQLite store (removed on drop).
    pub dir: Option<tempfile::TempDir>,
    /// The URL of a PostgreSQL store.
    pub url: Option<DatabaseUrl>,
}

/// A new store on every backend available: SQLite always, PostgreSQL when a test server is.
pub fn every_backend() -> Vec<TestStore> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sqlite = SqliteStore::create(&dir.path().join("ws")).expect("a new SQLite store");
    let mut stores = vec![TestStore { store: Box::new(sqlite), backend: "sqlite", dir: Some(dir), url: None }];
    if let Some(url) = fresh_database() {
        let store = PgStore::create(&url, None).expect("a new PostgreSQL store");
        stores.push(TestStore { store: Box::new(store), backend: "postgres", dir: None, url: Some(url) });
    }
    stores
}
