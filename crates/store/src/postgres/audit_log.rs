//! PostgreSQL: appending to and reading the audit log table. The hash chain is computed by
//! [`countersign_core::audit::chain`]; the next event number is `MAX(seq) + 1` read under the
//! workspace's write lock, so concurrent desktops extend one chain with no gap and no fork.

use postgres::types::ToSql;
use postgres::Row;
use serde_json::Value;

use super::{bytes32, PgTx};
use crate::audit_log::AuditLogTx;
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

    fn events_matching(&self, filter: &EventFilter) -> StoreResult<Vec<LoggedEvent>> {
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut clauses: Vec<String> = Vec::new();
        {
            let mut p = |value: Box<dyn ToSql + Sync>| {
                params.push(value);
                format!("${}", params.len())
            };
            if let Some(case) = filter.case {
                clauses.push(format!("subject = {}", p(Box::new(format!("case:{case}")))));
            }
            if let Some(partner) = filter.partner {
                // The partner itself, and every case whose instruction came from it.
                let subject = p(Box::new(format!("partner:{partner}")));
                let id = p(Box::new(partner));
                clauses.push(format!("(subject = {subject} OR subject IN (SELECT 'case:' || id FROM cases WHERE partner_id = {id}))"));
            }
            if let Some(actor) = &filter.actor {
                clauses.push(format!("actor = {}", p(Box::new(actor.clone()))));
            }
            if let Some(action) = &filter.action {
                let a = p(Box::new(action.clone()));
                clauses.push(format!("(action = {a} OR left(action, length({a}) + 1) = {a} || '.')"));
            }
            if let Some(from) = &filter.from {
                clauses.push(format!("at >= {}", p(Box::new(from.clone()))));
            }
            if let Some(until) = &filter.until {
                clauses.push(format!("at < {}", p(Box::new(until.clone()))));
            }
            if let Some(after) = filter.page.after {
                clauses.push(format!("seq > {}", p(Box::new(after))));
            }
        }
        let mut filter_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        if let Some(fetch) = filter.page.fetch() {
            filter_sql = format!("{filter_sql} ORDER BY seq LIMIT {fetch}");
        }
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v.as_ref()).collect();
        self.query_events(&filter_sql, &refs)
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

impl PgTx<'_> {
    fn query_events(&self, filter: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<LoggedEvent>> {
        // A filter may end in its own `ORDER BY seq LIMIT n` (a page).
        let order = if filter.contains("ORDER BY") { "" } else { "ORDER BY seq" };
        let rows = self.query(&format!("SELECT {EVENT_COLUMNS} FROM audit_events {filter} {order}"), params)?;
        rows.iter().map(event_from_row).collect()
    }
}
