//! Appending to and reading the audit log table. The hash chain itself is computed by
//! [`crate::audit`]; this module only stores it, always inside the caller's transaction.

use rusqlite::OptionalExtension;
use serde_json::Value;

use super::{StoreError, StoreResult, Tx};
use crate::audit::{canonical_json, event_hash, EventFields, GENESIS};

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Position, from 1.
    pub seq: u64,
    /// UTC time.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// Canonical JSON particulars.
    pub details: String,
    /// Hash of the previous event.
    pub prev_hash: [u8; 32],
    /// This event's hash.
    pub hash: [u8; 32],
}

fn hash_from(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt("an audit hash is not 32 bytes".into()))
}

impl Tx<'_> {
    /// Appends an event chained to the last one; returns its sequence number.
    pub fn append_event(&self, at: &str, actor: &str, action: &str, subject: &str, details: &Value) -> StoreResult<u64> {
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

    /// Events whose subject is `subject`, oldest first.
    pub fn events_for_subject(&self, subject: &str) -> StoreResult<Vec<StoredEvent>> {
        self.query_events("WHERE subject = ?1", rusqlite::params![subject])
    }

    /// Every event from `from_seq` on, oldest first.
    pub fn events_from(&self, from_seq: u64) -> StoreResult<Vec<StoredEvent>> {
        self.query_events("WHERE seq >= ?1", rusqlite::params![from_seq as i64])
    }

    fn query_events(&self, filter: &str, params: &[&dyn rusqlite::ToSql]) -> StoreResult<Vec<StoredEvent>> {
        let sql = format!(
            "SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_events {filter} ORDER BY seq"
        );
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
        let mut events = Vec::new();
        for row in rows {
            let (seq, at, actor, action, subject, details, prev, hash) = row?;
            events.push(StoredEvent {
                seq: seq as u64,
                at,
                actor,
                action,
                subject,
                details,
                prev_hash: hash_from(prev)?,
                hash: hash_from(hash)?,
            });
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::*;
    use serde_json::json;

    #[test]
    fn events_chain_and_the_table_is_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
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
