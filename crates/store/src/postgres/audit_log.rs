//! PostgreSQL: appending to and reading the audit log table. The hash chain is computed by
//! [`countersign_core::audit::chain`]; the next event number is `MAX(seq) + 1` read under the
//! workspace's write lock, so concurrent desktops extend one chain with no gap and no fork.

use postgres::types::ToSql;
use postgres::Row;
use serde_json::Value;

use super::{bytes32, PgTx};
use crate::audit_log::{event_conditions, event_page_sql, where_sql, AuditLogTx, Bound};
use crate::StoreResult;
use countersign_core::audit::chain::{canonical_json, event_hash, unreadable_hash, EventFields, GENESIS};
use countersign_core::audit::log::{EventFilter, LoggedCheckpoint, LoggedEvent};

const EVENT_COLUMNS: &str = "seq, at, actor, action, subject, details, prev_hash, hash";

fn event_from_row(r: &Row) -> StoreResult<LoggedEvent> {
    let (prev, hash): (Vec<u8>, Vec<u8>) = (r.try_get(6)?, r.try_get(7)?);
    Ok(LoggedEvent {
        seq: r.try_get::<_, i64>(0)? as u64,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        action: r.try_get(3)?,
        subject: r.try_get(4)?,
        details: r.try_get(5)?,
        // A hash of the wrong length is a row edited by hand: read it back as a value no event
        // hashes to, so `audit verify` names the row instead of failing to read it.
        prev_hash: prev.clone().try_into().unwrap_or_else(|_| unreadable_hash(&prev)),
        hash: hash.clone().try_into().unwrap_or_else(|_| unreadable_hash(&hash)),
    })
}

impl AuditLogTx for PgTx<'_> {
    fn append_event(&self, at: &str, actor: &str, action: &str, subject: &str, details: &Value) -> StoreResult<u64> {
        let last = self.query_opt("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", &[])?;
        let (seq, prev_hash) = match last {
            Some(row) => (row.try_get::<_, i64>(0)? as u64 + 1, bytes32(row.try_get(1)?, "an audit hash")?),
            None => (1, GENESIS),
        };
        let details = canonical_json(details);
        let fields = EventFields { seq, at, actor, action, subject, details: &details };
        let hash = event_hash(&prev_hash, &fields);
        self.execute(
            "INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&(seq as i64), &at, &actor, &action, &subject, &details, &&prev_hash[..], &&hash[..]],
        )?;
        Ok(seq)
    }

    fn event_hashes(&self, size: u64) -> StoreResult<Vec<[u8; 32]>> {
        let rows = self.query("SELECT hash FROM audit_events WHERE seq <= $1 ORDER BY seq", &[&(size as i64)])?;
        rows.into_iter().map(|r| bytes32(r.try_get(0)?, "an audit hash")).collect()
    }

    fn event_hashes_between(&self, from: u64, to: u64) -> StoreResult<Vec<[u8; 32]>> {
        let rows = self.query("SELECT hash FROM audit_events WHERE seq BETWEEN $1 AND $2 ORDER BY seq", &[&(from as i64), &(to as i64)])?;
        rows.into_iter().map(|r| bytes32(r.try_get(0)?, "an audit hash")).collect()
    }

    fn event_count(&self) -> StoreResult<u64> {
        let n: Option<i64> = self.query_one("SELECT MAX(seq) FROM audit_events", &[])?.try_get(0)?;
        Ok(n.unwrap_or(0) as u64)
    }

    fn visit_events_matching(&self, filter: &EventFilter, visit: &mut dyn FnMut(LoggedEvent)) -> StoreResult<()> {
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut bind = |value: Bound| {
            params.push(boxed(value));
            format!("${}", params.len())
        };
        let clauses = event_conditions(filter, &mut bind);
        let cursor = filter.page.after.map(|after| bind(Bound::Integer(after)));
        let sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events {}", event_page_sql(filter, clauses, cursor));
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v.as_ref()).collect();
        self.query_each(&sql, &refs, &mut |row| {
            visit(event_from_row(row)?);
            Ok(())
        })
    }

    fn count_events_matching(&self, filter: &EventFilter) -> StoreResult<u64> {
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let clauses = event_conditions(filter, |value| {
            params.push(boxed(value));
            format!("${}", params.len())
        });
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v.as_ref()).collect();
        let n: i64 = self.query_one(&format!("SELECT COUNT(*) FROM audit_events {}", where_sql(&clauses)), &refs)?.try_get(0)?;
        Ok(n as u64)
    }

    fn insert_checkpoint(&self, size: u64, root: &[u8; 32], at: &str, reason: &str, signer: &str, note: &str) -> StoreResult<i64> {
        let row = self.query_one(
            "INSERT INTO checkpoints (size, root, at, reason, signer, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[&(size as i64), &&root[..], &at, &reason, &signer, &note],
        )?;
        Ok(row.try_get(0)?)
    }

    fn checkpoints(&self) -> StoreResult<Vec<LoggedCheckpoint>> {
        let rows = self.query("SELECT id, size, root, at, reason, signer, note FROM checkpoints ORDER BY id", &[])?;
        rows.into_iter()
            .map(|r| {
                Ok(LoggedCheckpoint {
                    id: r.try_get(0)?,
                    size: r.try_get::<_, i64>(1)? as u64,
                    root: bytes32(r.try_get(2)?, "a checkpoint root")?,
                    at: r.try_get(3)?,
                    reason: r.try_get(4)?,
                    signer: r.try_get(5)?,
                    note: r.try_get(6)?,
                })
            })
            .collect()
    }

    fn events_for_subject(&self, subject: &str) -> StoreResult<Vec<LoggedEvent>> {
        self.query_events("WHERE subject = $1", &[&subject])
    }

    fn events_from(&self, from_seq: u64) -> StoreResult<Vec<LoggedEvent>> {
        self.query_events("WHERE seq >= $1", &[&(from_seq as i64)])
    }

    fn stray_event_seqs(&self) -> StoreResult<Vec<i64>> {
        let rows = self.query("SELECT seq FROM audit_events WHERE seq < 1 ORDER BY seq", &[])?;
        rows.into_iter().map(|r| Ok(r.try_get(0)?)).collect()
    }
}

/// A filter's value as PostgreSQL binds it.
fn boxed(value: Bound) -> Box<dyn ToSql + Sync> {
    match value {
        Bound::Text(t) => Box::new(t),
        Bound::Integer(i) => Box::new(i),
    }
}

impl PgTx<'_> {
    fn query_events(&self, filter: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<LoggedEvent>> {
        let rows = self.query(&format!("SELECT {EVENT_COLUMNS} FROM audit_events {filter} ORDER BY seq"), params)?;
        rows.iter().map(event_from_row).collect()
    }
}
