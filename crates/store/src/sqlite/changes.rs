//! SQL of [`crate::ChangesTx`]: the `pending_changes` table (migration V7).

use rusqlite::OptionalExtension;

use super::{fetch, parse_column, SqliteTx};
use crate::changes::{ChangeRow, ChangesTx};
use crate::StoreResult;
use countersign_core::changes::{ChangeKind, ChangeStatus};
use countersign_core::paging::Page;

const COLUMNS: &str = "id, kind, status, proposal, request, proposed_by, proposed_at, decided_by, decided_at, reason";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChangeRow> {
    Ok(ChangeRow {
        id: r.get(0)?,
        kind: parse_column(r, 1, ChangeKind::parse)?,
        status: parse_column(r, 2, ChangeStatus::parse)?,
        proposal: r.get(3)?,
        request: r.get(4)?,
        proposed_by: r.get(5)?,
        proposed_at: r.get(6)?,
        decided_by: r.get(7)?,
        decided_at: r.get(8)?,
        reason: r.get(9)?,
    })
}

impl ChangesTx for SqliteTx<'_> {
    fn insert_change(&self, kind: ChangeKind, proposal: &str, request: &str, by: &str, at: &str) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO pending_changes (kind, status, proposal, request, proposed_by, proposed_at) VALUES (?1, 'pending', ?2, ?3, ?4, ?5)",
            rusqlite::params![kind.as_str(), proposal, request, by, at],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn next_change_id(&self) -> StoreResult<i64> {
        Ok(self.tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM pending_changes", [], |r| r.get(0))?)
    }

    fn change(&self, id: i64) -> StoreResult<Option<ChangeRow>> {
        let sql = format!("SELECT {COLUMNS} FROM pending_changes WHERE id = ?1");
        Ok(self.tx.prepare_cached(&sql)?.query_row([id], row).optional()?)
    }

    fn changes(&self, status: Option<ChangeStatus>, page: &Page) -> StoreResult<Vec<ChangeRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM pending_changes WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3"
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows =
            stmt.query_map(rusqlite::params![status.map(ChangeStatus::as_str), page.after, fetch(page)], row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn decide_change(&self, id: i64, status: ChangeStatus, by: &str, at: &str, reason: Option<&str>) -> StoreResult<bool> {
        let changed = self.tx.execute(
            "UPDATE pending_changes SET status = ?2, decided_by = ?3, decided_at = ?4, reason = ?5 WHERE id = ?1 AND status = 'pending'",
            rusqlite::params![id, status.as_str(), by, at, reason],
        )?;
        Ok(changed == 1)
    }
}
