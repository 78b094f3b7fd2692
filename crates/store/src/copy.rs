//! Moving up (issue 17): a desktop's SQLite workspace copied, row for row, into a new team
//! workspace on PostgreSQL: every table in the order its references need, the same ids, the same
//! log with the same hashes (so the same roots and the same signed checkpoints), read from one
//! snapshot of the file and written in one transaction on the server (all or nothing). The two
//! schemas have the same tables and columns (a test checks it), so the copy goes by column name.

use postgres::types::{ToSql, Type};
use rusqlite::types::ValueRef;

use crate::postgres::{DatabaseUrl, PgStore};
use crate::sqlite::{SqliteStore, SqliteTx};
use crate::{StoreError, StoreResult, Tx};

/// The tables, parents before children; the log's tables last.
pub const TABLES: &[&str] = &[
    "settings",
    "org_keys",
    "users",
    "partners",
    "partner_domains",
    "partner_phones",
    "partner_keys",
    "accounts",
    "fraudulent_accounts",
    "cases",
    "callbacks",
    "bank_files",
    "name_checks",
    "pending_changes",
    "audit_events",
    "checkpoints",
];

/// One value read from SQLite, as PostgreSQL is given it.
enum Cell {
    Null,
    Integer(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// Moves the workspace in `source` to a new team workspace at `dest` (created here, with
/// `app_role` granted the desktops' privileges), holding the file's write lock throughout so that
/// nothing is written to it meanwhile: `before` writes in the file what the copy must include
/// (the move's event), every row is copied, then `after` writes what only the file keeps (where it
/// went) and the file commits. Nothing changes anywhere unless the copy committed on the server.
/// Returns the rows copied per table. The source must be at the latest schema (opening it brings
/// it there).
pub fn move_to_postgres(
    source: &mut SqliteStore,
    dest: &DatabaseUrl,
    app_role: Option<&str>,
    before: impl FnOnce(&dyn Tx) -> StoreResult<()>,
    after: impl FnOnce(&dyn Tx) -> StoreResult<()>,
) -> StoreResult<Vec<(String, u64)>> {
    let mut target = PgStore::create(dest, app_role)?;
    let file = SqliteTx { tx: source.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)? };
    let copied = before(&file).and_then(|()| copy_rows(&file.tx, &mut target, dest));
    let copied = match copied {
        Ok(copied) => copied,
        Err(e) => {
            // All or nothing: the schema made for the copy goes again.
            let _ = target.execute_as_administrator(&format!("DROP SCHEMA {} CASCADE", dest.schema()));
            return Err(e);
        }
    };
    after(&file)?;
    file.tx.commit()?;
    Ok(copied)
}

fn copy_rows(snapshot: &rusqlite::Transaction<'_>, target: &mut PgStore, dest: &DatabaseUrl) -> StoreResult<Vec<(String, u64)>> {
    let mut copied = Vec::new();
    let mut tx = target.client_mut().transaction()?;
    crate::postgres::lock_workspace(&mut tx, dest.schema())?;
    for table in TABLES {
        let columns: Vec<String> = snapshot
            .prepare(&format!("PRAGMA table_info({table})"))?
            .query_map([], |r| r.get::<_, String>(1))?
            .collect::<Result<_, _>>()?;
        let list = columns.join(", ");
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let insert = tx.prepare(&format!("INSERT INTO {table} ({list}) VALUES ({})", placeholders.join(", ")))?;
        let types = insert.params().to_vec();
        let mut select = snapshot.prepare(&format!("SELECT {list} FROM {table}"))?;
        let mut rows = select.query([])?;
        let mut count = 0u64;
        while let Some(row) = rows.next()? {
            let cells = (0..columns.len()).map(|i| cell(row.get_ref(i)?)).collect::<rusqlite::Result<Vec<Cell>>>()?;
            let values = cells.iter().zip(&types).map(|(c, t)| bind(c, t)).collect::<StoreResult<Vec<_>>>()?;
            let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
            tx.execute(&insert, &refs)?;
            count += 1;
        }
        copied.push((table.to_string(), count));
    }
    // Each identity column's sequence goes on after the copied ids (the schema says which).
    let identities = tx.query(
        "SELECT table_name::text FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'id' AND is_identity = 'YES'",
        &[&dest.schema()],
    )?;
    for row in identities {
        let table: String = row.get(0);
        tx.execute(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"), &[])?;
    }
    tx.commit()?;
    Ok(copied)
}

fn cell(value: ValueRef<'_>) -> rusqlite::Result<Cell> {
    Ok(match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Text(t) => Cell::Text(String::from_utf8(t.to_vec()).map_err(|e| rusqlite::Error::Utf8Error(e.utf8_error()))?),
        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
        ValueRef::Real(_) => return Err(rusqlite::Error::InvalidColumnType(0, "a real number".into(), rusqlite::types::Type::Real)),
    })
}

/// A value for a parameter of PostgreSQL type `ty`; a NULL is typed for its column.
fn bind(cell: &Cell, ty: &Type) -> StoreResult<Box<dyn ToSql + Sync>> {
    let mismatch = || StoreError::Corrupt(format!("a value that does not fit a column of type {ty}"));
    Ok(match (cell, ty) {
        (Cell::Integer(i), &Type::INT8) => Box::new(*i),
        (Cell::Text(t), &Type::TEXT) => Box::new(t.clone()),
        (Cell::Blob(b), &Type::BYTEA) => Box::new(b.clone()),
        (Cell::Null, &Type::INT8) => Box::new(None::<i64>),
        (Cell::Null, &Type::TEXT) => Box::new(None::<String>),
        (Cell::Null, &Type::BYTEA) => Box::new(None::<Vec<u8>>),
        _ => return Err(mismatch()),
    })
}
