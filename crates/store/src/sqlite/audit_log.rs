//! SQLite: appending to and reading the audit log table. The hash chain itself is computed by

use rusqlite::types::Value as Sql;
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::SqliteTx;
use crate::audit_log::{event_conditions, event_page_sql, where_sql, AuditLogTx, Bound};
use crate::{StoreError, StoreResult};
use countersign_core::audit::chain::{canonical_json, event_hash, unreadable_hash, EventFields, GENESIS};
use countersign_core::audit::log::{EventFilter, LoggedCheckpoint, LoggedEvent};

fn hash_from(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt("an audit hash is not 32 bytes".into()))
}

impl AuditLogTx for SqliteTx<'_> {
    fn append_event(&self, at: &str, actor: &str, action: &str, subject: &str, details: &Value) -> StoreResult<u64> {
        let last: Option<(i64, Vec<u8>)> = self
            .tx
            .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq as u64 + 1, hash_from(hash)?),
            None => (1, GENESIS),
        };
        let details = canonical_json(details);
        let fields = EventFields { seq, at, actor, action, subject, details: &details };
        let hash = event_hash(&prev_hash, &fields);
        self.tx
            .prepare_cached(
                "INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(rusqlite::params![seq as i64, at, actor, action, subject, details, &prev_hash[..], &hash[..]])?;
        Ok(seq)
    }

    fn event_hashes(&self, size: u64) -> StoreResult<Vec<[u8; 32]>> {
        let mut stmt = self.tx.prepare_cached("SELECT hash FROM audit_events WHERE seq <= ?1 ORDER BY seq")?;
        let rows = stmt.query_map([size as i64], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|h| hash_from(h?)).collect()
    }

    fn event_hashes_between(&self, from: u64, to: u64) -> StoreResult<Vec<[u8; 32]>> {
        let mut stmt = self.tx.prepare_cached("SELECT hash FROM audit_events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq")?;
        let rows = stmt.query_map([from as i64, to as i64], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|h| hash_from(h?)).collect()
    }

    fn event_count(&self) -> StoreResult<u64> {
        let n: Option<i64> = self.tx.query_row("SELECT MAX(seq) FROM audit_events", [], |r| r.get(0))?;
        Ok(n.unwrap_or(0) as u64)
    }

    fn visit_events_matching(&self, filter: &EventFilter, visit: &mut dyn FnMut(LoggedEvent)) -> StoreResult<()> {
        let mut params: Vec<Sql> = Vec::new();
        let mut bind = |value: Bound| {
            params.push(sql_value(value));
            format!("?{}", params.len())
        };
        let clauses = event_conditions(filter, &mut bind);
        let cursor = filter.page.after.map(|after| bind(Bound::Integer(after)));
        let sql = event_page_sql(filter, clauses, cursor);
        let refs: Vec<&dyn rusqlite::ToSql> = params.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
        self.visit_events(&sql, &refs, visit)
    }

    fn count_events_matching(&self, filter: &EventFilter) -> StoreResult<u64> {
        let mut params: Vec<Sql> = Vec::new();
        let clauses = event_conditions(filter, |value| {
            params.push(sql_value(value));
            format!("?{}", params.len())
        });
        let sql = format!("SELECT COUNT(*) FROM audit_events {}", where_sql(&clauses));
        let n: i64 = self.tx.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
        Ok(n as u64)
    }

    fn insert_checkpoint(&self, size: u64, root: &[u8; 32], at: &str, reason: &str, signer: &str, note: &str) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO checkpoints (size, root, at, reason, signer, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![size as i64, &root[..], at, reason, signer, note],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn checkpoints(&self) -> StoreResult<Vec<LoggedCheckpoint>> {
        let mut stmt = self.tx.prepare("SELECT id, size, root, at, reason, signer, note FROM checkpoints ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, size, root, at, reason, signer, note)| {
                Ok(LoggedCheckpoint { id, size: size as u64, root: hash_from(root)?, at, reason, signer, note })
            })
            .collect()
    }

    fn events_for_subject(&self, subject: &str) -> StoreResult<Vec<LoggedEvent>> {
        self.query_events("WHERE subject = ?1", rusqlite::params![subject])
    }

    fn events_from(&self, from_seq: u64) -> StoreResult<Vec<LoggedEvent>> {
        self.query_events("WHERE seq >= ?1", rusqlite::params![from_seq as i64])
    }

    fn stray_event_seqs(&self) -> StoreResult<Vec<i64>> {
        let mut stmt = self.tx.prepare_cached("SELECT seq FROM audit_events WHERE seq < 1 ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

/// A filter's value as SQLite binds it.
fn sql_value(value: Bound) -> Sql {
    match value {
        Bound::Text(t) => Sql::Text(t),
        Bound::Integer(i) => Sql::Integer(i),
    }
}

impl SqliteTx<'_> {
    fn query_events(&self, filter: &str, params: &[&dyn rusqlite::ToSql]) -> StoreResult<Vec<LoggedEvent>> {
        let mut events = Vec::new();
        self.visit_events(&format!("{filter} ORDER BY seq"), params, &mut |e| events.push(e))?;
        Ok(events)
    }

    /// The events `filter` (a `WHERE`, then its order and limit) chooses, one at a time.
    fn visit_events(&self, filter: &str, params: &[&dyn rusqlite::ToSql], visit: &mut dyn FnMut(LoggedEvent)) -> StoreResult<()> {
        let sql = format!("SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_events {filter}");
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get::<_, Vec<u8>>(6)?,
                r.get::<_, Vec<u8>>(7)?,
            ))
        })?;
        for row in rows {
            let (seq, at, actor, action, subject, details, prev, hash) = row?;
            visit(LoggedEvent {
                seq: seq as u64,
                at,
                actor,
                action,
                subject,
                details,
                // A hash of the wrong length is a row edited by hand: read it back as a value no
                // event hashes to, so `audit verify` names the row instead of failing to read it.
                prev_hash: prev.clone().try_into().unwrap_or_else(|_| unreadable_hash(&prev)),
                hash: hash.clone().try_into().unwrap_or_else(|_| unreadable_hash(&hash)),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use super::*;
    use crate::StoreExt;
    use serde_json::json;

    #[test]
    fn events_chain_and_the_table_is_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::create(dir.path()).unwrap();
        store
            .write(|tx| {
                tx.append_event("2026-11-23T09:00:00Z", "alice", "a.one", "s:1", &json!({"b": 2, "a": 1}))?;
                tx.append_event("2026-11-23T09:00:01Z", "bob", "a.two", "s:1", &json!({}))
            })
            .unwrap();
        let events = store.read(|tx| tx.events_from(1)).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].prev_hash, GENESIS);
        assert_eq!(events[1].prev_hash, events[0].hash);
        assert_eq!(events[0].details, r#"{"a":1,"b":2}"#);
        let recomputed = event_hash(
            &GENESIS,
            &EventFields { seq: 1, at: &events[0].at, actor: "alice", action: "a.one", subject: "s:1", details: &events[0].details },
        );
        assert_eq!(recomputed, events[0].hash);
        let update = store.conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1", []);
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = store.conn.execute("DELETE FROM audit_events WHERE seq = 2", []);
        assert!(delete.unwrap_err().to_string().contains("append-only"));
    }
}
