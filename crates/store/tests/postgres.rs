//! What only the PostgreSQL backend has to show (issue 17): the same schema as SQLite, one chain
//! under concurrent writers, a case released once however many desktops try, the desktops' role
//! unable to rewrite the log or the schema, schema versions checked without changing anything, and
//! notifications of writes. Runs on the server `make test` starts (`COUNTERSIGN_TEST_POSTGRES`).

use std::collections::BTreeMap;

use countersign_core::audit::chain::{event_hash, EventFields, GENESIS};
use countersign_core::cases::flow::CaseStatus;
use countersign_store::postgres::{listen, DatabaseUrl, PgStore};
use countersign_store::prelude::*;
use countersign_store::sqlite::SqliteStore;
use countersign_store::testing::fresh_database;
use countersign_store::{NewCase, StoreError, StoreResult};
use serde_json::json;

const AT: &str = "2026-11-23T09:00:00Z";

/// A new team workspace, or `None` when no test server is configured.
fn team() -> Option<(DatabaseUrl, PgStore)> {
    let url = fresh_database()?;
    let store = PgStore::create(&url, None).expect("a new team workspace");
    Some((url, store))
}

/// Each table's columns, by name, on both backends.
#[test]
fn both_backends_have_the_same_tables_and_columns() {
    let Some((_url, pg)) = team() else { return };
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::create(dir.path()).unwrap());
    let conn = rusqlite::Connection::open(dir.path().join(countersign_store::sqlite::DATABASE_FILE)).unwrap();
    let mut sqlite: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in tables {
        let mut columns: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info({table})"))
            .unwrap()
            .query_map([], |r| r.get(1))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        columns.sort();
        sqlite.insert(table, columns);
    }
    let mut postgres: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let schema = pg.url().schema().to_string();
    let mut client = pg.url().connect().unwrap();
    for row in client
        .query("SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = $1", &[&schema])
        .unwrap()
    {
        let (table, column): (String, String) = (row.get(0), row.get(1));
        if table != "schema_version" {
            postgres.entry(table).or_default().push(column);
        }
    }
    postgres.values_mut().for_each(|c| c.sort());
    assert_eq!(sqlite, postgres);
}

#[test]
fn eight_writers_extend_one_chain_and_release_a_case_once() {
    let Some((url, mut store)) = team() else { return };
    let case = store
        .write(|tx| -> StoreResult<i64> {
            tx.insert_partner("Globex", None, b"card", AT, "admin")?;
            tx.insert_case(&NewCase {
                status: "approved",
                verdict: "accepted",
                findings: "[]",
                file_name: "f",
                file_sha256: "00",
                file: b"{}",
                signer: None,
                partner_id: Some(1),
                instruction_id: None,
                issued_at: None,
                confirmation_code: None,
                beneficiary_name: None,
                account_key: None,
                account_display: None,
                currency: None,
                amount_minor: None,
                email_sha256: None,
                email: None,
                received_by: "carol",
                received_at: AT,
                account_bic: None,
                reference: None,
                due_date: None,
            })
        })
        .unwrap();
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut store = PgStore::open(&url).unwrap();
                let mut released = 0;
                for i in 0..25 {
                    let won = store
                        .write(|tx| -> StoreResult<bool> {
                            let won = tx.move_case(case, CaseStatus::Approved, CaseStatus::Released)?;
                            let action = if won { "case.release" } else { "note" };
                            tx.append_event(AT, &format!("w{writer}"), action, &format!("w:{i}"), &json!({}))?;
                            Ok(won)
                        })
                        .unwrap();
                    released += usize::from(won);
                }
                released
            })
        })
        .collect();
    let released: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(released, 1, "the case was released exactly once");
    let events = store.read(|tx| tx.events_from(1)).unwrap();
    assert_eq!(events.len(), 200);
    let mut prev = GENESIS;
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "no gap, no duplicate");
        let fields = EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details };
        assert_eq!(e.prev_hash, prev, "one chain, no fork at {}", e.seq);
        assert_eq!(event_hash(&prev, &fields), e.hash);
        prev = e.hash;
    }
    assert_eq!(events.iter().filter(|e| e.action == "case.release").count(), 1);
}

#[test]
fn the_desktops_role_cannot_rewrite_the_log_or_the_schema() {
    let Some(url) = fresh_database() else { return };
    let role = format!("app_{}", url.schema());
    let mut admin = url.connect().unwrap();
    admin.batch_execute(&format!("CREATE ROLE {role} LOGIN")).unwrap();
    let mut owner = PgStore::create(&url, Some(&role)).unwrap();
    owner.write(|tx| tx.append_event(AT, "alice", "workspace.init", "workspace", &json!({}))).unwrap();
    let base = std::env::var(countersign_store::testing::TEST_POSTGRES_ENV).unwrap();
    let as_app = DatabaseUrl::parse(&base.replacen("cs@", &format!("{role}@"), 1)).unwrap().with_schema(url.schema()).unwrap();
    let mut app = PgStore::open(&as_app).unwrap();
    // What a desktop does works.
    app.write(|tx| -> StoreResult<()> {
        tx.set_setting("org_name", "Initech")?;
        tx.append_event(AT, "carol", "case.receive", "case:1", &json!({}))?;
        tx.insert_partner("Globex", None, b"card", AT, "alice")?;
        tx.mark_fraudulent("iban:X", AT, "carol", None, "denied")?;
        tx.clear_fraud_mark("iban:X")
    })
    .unwrap();
    for sql in [
        "UPDATE audit_events SET actor = 'mallory'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "DELETE FROM checkpoints",
        "UPDATE schema_version SET version = 99",
        "CREATE TABLE extra (x int)",
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "DELETE FROM cases",
    ] {
        let e = app.execute_as_administrator(sql).unwrap_err().to_string();
        assert!(e.contains("permission denied") || e.contains("must be owner"), "{sql}: {e}");
    }
    // Even the owner cannot edit the log without first dropping its trigger.
    for sql in ["UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events", "TRUNCATE audit_events"] {
        let e = owner.execute_as_administrator(sql).unwrap_err().to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
    drop(app);
    drop(owner);
    admin.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}")).unwrap();
}

#[test]
fn opening_checks_the_schema_version_and_never_changes_it() {
    let Some((url, mut store)) = team() else { return };
    assert!(matches!(PgStore::create(&url, None), Err(StoreError::AlreadyExists(_))));
    store.execute_as_administrator("UPDATE schema_version SET version = 99").unwrap();
    assert!(matches!(PgStore::open(&url), Err(StoreError::NewerSchema { found: 99, .. })));
    assert!(matches!(PgStore::migrate(&url, None), Err(StoreError::NewerSchema { found: 99, .. })));
    store.execute_as_administrator("UPDATE schema_version SET version = 6").unwrap();
    let behind = PgStore::open(&url).err().expect("an older schema is refused").to_string();
    assert!(behind.contains("countersign database migrate"), "{behind}");
    store
        .execute_as_administrator(&format!("UPDATE schema_version SET version = {}", countersign_store::postgres::migrations::latest()))
        .unwrap();
    let latest = countersign_store::postgres::migrations::latest();
    assert_eq!(PgStore::migrate(&url, None).unwrap(), (latest, latest));
    let missing = url.with_schema(&format!("{}_none", url.schema())).unwrap();
    assert!(matches!(PgStore::open(&missing), Err(StoreError::NoWorkspace(_))));
}

#[test]
fn a_write_on_one_desktop_notifies_the_others() {
    let Some((url, mut store)) = team() else { return };
    let mut listener = listen(&url).unwrap();
    assert!(!listener.wait(std::time::Duration::from_millis(50)).unwrap(), "nothing written yet");
    store.write(|tx| tx.set_setting("a", "1")).unwrap();
    assert!(listener.wait(std::time::Duration::from_secs(5)).unwrap());
    store.read(|tx| tx.setting("a")).unwrap();
    assert!(!listener.wait(std::time::Duration::from_millis(50)).unwrap(), "a read notifies nobody");
    let other = url.with_schema(&format!("{}_other", url.schema())).unwrap();
    let mut elsewhere = PgStore::create(&other, None).unwrap();
    elsewhere.write(|tx| tx.set_setting("a", "1")).unwrap();
    assert!(!listener.wait(std::time::Duration::from_millis(200)).unwrap(), "another workspace's writes are not ours");
}

/// A server that is not on this machine is reached over TLS, its certificate checked against the
/// CA the URL names; against another CA it is refused. Runs where the test server also listens on
/// a network address (`scripts/test-postgres.sh` writes `COUNTERSIGN_TEST_POSTGRES_TLS` then).
#[test]
fn a_remote_server_is_reached_over_tls_with_its_certificate_checked() {
    let Ok(tls) = std::env::var(countersign_store::testing::TEST_POSTGRES_TLS_ENV) else {
        eprintln!("no TLS test server on a network address: the TLS path is not exercised here");
        return;
    };
    let url = DatabaseUrl::parse(&tls).unwrap();
    assert!(!url.is_local(), "{url}");
    let mut client = url.connect().unwrap();
    let encrypted: bool = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0);
    assert!(encrypted, "the connection to {url} is not encrypted");
    // The same server checked against the system's CAs, which did not sign its certificate.
    let (base, _) = tls.split_once('?').unwrap();
    let e = DatabaseUrl::parse(base).unwrap().connect().err().expect("an unknown certificate is refused").to_string();
    assert!(e.contains("cannot connect") && (e.contains("certificate") || e.contains("CA file")), "{e}");
    // And a team workspace works over it.
    let schema = format!("tls_{}", std::process::id());
    let team = url.with_schema(&schema).unwrap();
    let mut store = PgStore::create(&team, None).unwrap();
    store.write(|tx| tx.append_event(AT, "alice", "workspace.init", "workspace", &json!({}))).unwrap();
    assert_eq!(PgStore::open(&team).unwrap().read(|tx| tx.event_count()).unwrap(), 1);
    store.execute_as_administrator(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

/// A role that must give a password: none, or a wrong one, is `DatabasePassword` (the app then
/// asks for it), never a password in the message; the right one connects. The test server asks
/// `password_probe` for its password (`scripts/test-postgres.sh`).
#[test]
fn a_missing_or_wrong_database_password_is_said_as_such() {
    let Some(url) = fresh_database() else { return };
    let mut admin = url.connect().unwrap();
    admin.batch_execute("DROP ROLE IF EXISTS password_probe; CREATE ROLE password_probe LOGIN PASSWORD 'probe secret 1'").unwrap();
    let base = std::env::var(countersign_store::testing::TEST_POSTGRES_ENV).unwrap();
    let mut probe = DatabaseUrl::parse(&base.replacen("cs@", "password_probe@", 1)).unwrap();
    let refused = |url: &DatabaseUrl| match url.connect() {
        Err(StoreError::DatabasePassword(message)) => message,
        Err(other) => panic!("expected a password refusal, got {other}"),
        Ok(_) => panic!("expected a password refusal, got a connection"),
    };
    assert!(refused(&probe).contains("password_probe@"));
    probe.set_password(b"wrong secret");
    let message = refused(&probe);
    assert!(!message.contains("wrong secret"), "{message}");
    probe.set_password(b"probe secret 1");
    probe.connect().unwrap();
}

/// A team workspace of version 7 migrated to 8: its fraud marks are numbered in the order they
/// were listed (the latest marked first, then by account key), and the next mark follows them.
#[test]
fn version_8_numbers_the_marks_in_the_order_they_were_listed() {
    let Some((url, mut store)) = team() else { return };
    store
        .execute_as_administrator(
            "DROP TABLE name_checks;
             ALTER TABLE fraudulent_accounts DROP COLUMN id;
             DROP INDEX cases_by_account; DROP INDEX cases_by_partner_newest;
             UPDATE schema_version SET version = 7;
             INSERT INTO fraudulent_accounts (account_key, marked_at, marked_by, reason) VALUES
                 ('iban:B', '2026-01-02T00:00:00Z', 'carol', 'denied'),
                 ('iban:A', '2026-01-02T00:00:00Z', 'carol', 'denied'),
                 ('iban:C', '2026-01-01T00:00:00Z', 'carol', 'denied');",
        )
        .unwrap();
    // Up to the latest version (the migrations after 8 run too).
    assert_eq!(PgStore::migrate(&url, None).unwrap(), (7, countersign_store::postgres::migrations::latest()));
    let mut store = PgStore::open(&url).unwrap();
    store.write(|tx| tx.mark_fraudulent("iban:D", AT, "carol", None, "denied")).unwrap();
    let marks = store.read(|tx| tx.fraud_marks(&Default::default())).unwrap();
    let listed: Vec<(i64, &str)> = marks.iter().map(|m| (m.id, m.account_key.as_str())).collect();
    assert_eq!(listed, [(4, "iban:D"), (3, "iban:A"), (2, "iban:B"), (1, "iban:C")]);
}
