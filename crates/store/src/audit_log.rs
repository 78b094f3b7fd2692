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

    /// Events chosen by `filter`, oldest first.
    fn events_matching(&self, filter: &EventFilter) -> StoreResult<Vec<LoggedEvent>>;

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
