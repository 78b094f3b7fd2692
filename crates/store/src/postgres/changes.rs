//! PostgreSQL: the `pending_changes` table of [`crate::ChangesTx`].

use postgres::Row;

use super::{parse_column, PgTx};
use crate::changes::{ChangeRow, ChangesTx};
use crate::StoreResult;
use countersign_core::changes::{ChangeKind, ChangeStatus};
use countersign_core::paging::Page;

const COLUMNS: &str = "id, kind, status, proposal, request, proposed_by, proposed_at, decided_by, decided_at, reason";

fn row(r: &Row) -> StoreResult<ChangeRow> {
    Ok(ChangeRow {
        id: r.try_get(0)?,
        kind: parse_column(r, 1, ChangeKind::parse)?,
        status: parse_column(r, 2, ChangeStatus::parse)?,
        proposal: r.try_get(3)?,
        request: r.try_get(4)?,
        proposed_by: r.try_get(5)?,
        proposed_at: r.try_get(6)?,
        decided_by: r.try_get(7)?,
        decided_at: r.try_get(8)?,
        reason: r.try_get(9)?,
    })
}

impl ChangesTx for PgTx<'_> {
    fn insert_change(&self, kind: ChangeKind, proposal: &str, request: &str, by: &str, at: &str) -> StoreResult<i64> {
        // The id is MAX(id) + 1 (under the write lock), never the identity's sequence, which a
        // rolled-back proposal would advance: the proposal names its id before it is inserted.
        let r = self.query_one(
            "INSERT INTO pending_changes (id, kind, status, proposal, request, proposed_by, proposed_at)
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM pending_changes), $1, 'pending', $2, $3, $4, $5) RETURNING id",
            &[&kind.as_str(), &proposal, &request, &by, &at],
        )?;
        Ok(r.try_get(0)?)
    }

    fn next_change_id(&self) -> StoreResult<i64> {
        // Under the write lock, so the id the proposal names is the one the insert gets.
        Ok(self.query_one("SELECT COALESCE(MAX(id), 0) + 1 FROM pending_changes", &[])?.try_get(0)?)
    }

    fn change(&self, id: i64) -> StoreResult<Option<ChangeRow>> {
        self.query_opt(&format!("SELECT {COLUMNS} FROM pending_changes WHERE id = $1"), &[&id])?.as_ref().map(row).transpose()
    }

    fn changes(&self, status: Option<ChangeStatus>, page: &Page) -> StoreResult<Vec<ChangeRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM pending_changes WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR id < $2)
             ORDER BY id DESC LIMIT $3"
        );
        self.query(&sql, &[&status.map(ChangeStatus::as_str), &page.after, &page.fetch()])?.iter().map(row).collect()
    }

    fn decide_change(&self, id: i64, status: ChangeStatus, by: &str, at: &str, reason: Option<&str>) -> StoreResult<bool> {
        let changed = self.execute(
            "UPDATE pending_changes SET status = $2, decided_by = $3, decided_at = $4, reason = $5 WHERE id = $1 AND status = 'pending'",
            &[&id, &status.as_str(), &by, &at, &reason],
        )?;
        Ok(changed == 1)
    }
}
