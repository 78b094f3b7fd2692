//! Appending to and reading the audit log table. The hash chain itself is computed by
//! [`countersign_core::audit::chain`]; this module only stores it, always inside the caller's transaction.

use serde_json::Value;

use countersign_core::audit::log::{EventFilter, LoggedCheckpoint, LoggedEvent};

use crate::StoreResult;

/// The audit log and its checkpoints: appended inside the caller's transaction, never changed.
pub trait AuditLogTx {
    /// Appends an event chained to the last one; returns its sequence number.
    fn append_event(&self, at: &str, actor: &str, action: &str, subject: &str, details: &Value) -> StoreResult<u64>;

    /// The hashes of events 1..=size, in order: the leaves of the log's Merkle tree.
    fn event_hashes(&self, size: u64) -> StoreResult<Vec<[u8; 32]>>;

    /// The hashes of events `from..=to`, in order.
    fn event_hashes_between(&self, from: u64, to: u64) -> StoreResult<Vec<[u8; 32]>>;

    /// The number of events (the highest sequence number).
    fn event_count(&self) -> StoreResult<u64>;

    /// Events chosen by `filter`, oldest first (newest first when the filter says so).
    fn events_matching(&self, filter: &EventFilter) -> StoreResult<Vec<LoggedEvent>> {
        let mut events = Vec::new();
        self.visit_events_matching(filter, &mut |e| events.push(e))?;
        Ok(events)
    }

    /// The events of [`AuditLogTx::events_matching`] handed to `visit` one at a time as they
    /// are read, never all held at once: for what reads the whole log to count (issue 19).
    fn visit_events_matching(&self, filter: &EventFilter, visit: &mut dyn FnMut(LoggedEvent)) -> StoreResult<()>;

    /// How many events `filter` chooses, its page aside (the log view's total).
    fn count_events_matching(&self, filter: &EventFilter) -> StoreResult<u64>;

    /// Appends a signed checkpoint.
    fn insert_checkpoint(&self, size: u64, root: &[u8; 32], at: &str, reason: &str, signer: &str, note: &str) -> StoreResult<i64>;

    /// Every checkpoint, oldest first.
    fn checkpoints(&self) -> StoreResult<Vec<LoggedCheckpoint>>;

    /// Events whose subject is `subject`, oldest first.
    fn events_for_subject(&self, subject: &str) -> StoreResult<Vec<LoggedEvent>>;

    /// Every event from `from_seq` on, oldest first.
    fn events_from(&self, from_seq: u64) -> StoreResult<Vec<LoggedEvent>>;

    /// The sequence numbers of rows below 1, which no append ever writes: a row slipped into the
    /// table by hand, invisible to [`AuditLogTx::events_from`].
    fn stray_event_seqs(&self) -> StoreResult<Vec<i64>>;
}

/// A value a filter's condition binds.
pub(crate) enum Bound {
    Text(String),
    Integer(i64),
}

/// The conditions of `filter` but its page, the same SQL on every backend; `bind` takes each
/// value and returns its placeholder (`?1`, `$1`, …).
pub(crate) fn event_conditions(filter: &EventFilter, mut bind: impl FnMut(Bound) -> String) -> Vec<String> {
    let mut clauses: Vec<String> = Vec::new();
    if let Some(case) = filter.case {
        clauses.push(format!("subject = {}", bind(Bound::Text(format!("case:{case}")))));
    }
    if let Some(partner) = filter.partner {
        // The partner itself, and every case whose instruction came from it.
        let subject = bind(Bound::Text(format!("partner:{partner}")));
        let id = bind(Bound::Integer(partner));
        clauses.push(format!("(subject = {subject} OR subject IN (SELECT 'case:' || id FROM cases WHERE partner_id = {id}))"));
    }
    if let Some(actor) = &filter.actor {
        clauses.push(format!("actor = {}", bind(Bound::Text(actor.clone()))));
    }
    if let Some(action) = &filter.action {
        let a = bind(Bound::Text(action.clone()));
        clauses.push(format!("(action = {a} OR substr(action, 1, length({a}) + 1) = {a} || '.')"));
    }
    if let Some(from) = &filter.from {
        clauses.push(format!("at >= {}", bind(Bound::Text(from.clone()))));
    }
    if let Some(until) = &filter.until {
        clauses.push(format!("at < {}", bind(Bound::Text(until.clone()))));
    }
    clauses
}

/// The `WHERE` of `clauses` and the page's cursor (`cursor`: its placeholder), then the order
/// and the limit of `filter`'s page.
pub(crate) fn event_page_sql(filter: &EventFilter, mut clauses: Vec<String>, cursor: Option<String>) -> String {
    if let Some(cursor) = cursor {
        clauses.push(format!("seq {} {cursor}", if filter.newest_first { "<" } else { ">" }));
    }
    let order = if filter.newest_first { "ORDER BY seq DESC" } else { "ORDER BY seq" };
    let limit = filter.page.fetch().map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    format!("{} {order}{limit}", where_sql(&clauses))
}

/// `WHERE` and the clauses joined, or nothing.
pub(crate) fn where_sql(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}
