//! The pending changes of four eyes (issue 15): what a maker proposed, the request applying it
//! needs, and who decided it. The signed statements are the evidence; these rows are what the
//! service reads and compares with them.

use countersign_core::changes::{ChangeKind, ChangeStatus};
use countersign_core::paging::Page;

use crate::StoreResult;

/// A pending change as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    /// Its id (`change:ID` in the log).
    pub id: i64,
    /// What it does.
    pub kind: ChangeKind,
    /// Where it stands.
    pub status: ChangeStatus,
    /// The proposal's details as signed (JSON, without the signature).
    pub proposal: String,
    /// What applying it needs (JSON); its SHA-256 is in the proposal.
    pub request: String,
    /// The maker.
    pub proposed_by: String,
    /// When (UTC).
    pub proposed_at: String,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
}

/// The pending changes.
pub trait ChangesTx {
    /// Adds a pending change; returns its id.
    fn insert_change(&self, kind: ChangeKind, proposal: &str, request: &str, by: &str, at: &str) -> StoreResult<i64>;

    /// The id the next change will get.
    fn next_change_id(&self) -> StoreResult<i64>;

    /// A change by id.
    fn change(&self, id: i64) -> StoreResult<Option<ChangeRow>>;

    /// Changes, newest first, optionally only those with `status`; of a page, those older than
    /// `page.after` and at most one more than `page.limit`.
    fn changes(&self, status: Option<ChangeStatus>, page: &Page) -> StoreResult<Vec<ChangeRow>>;

    /// Decides a pending change; false if it was no longer pending (another desktop decided it).
    fn decide_change(&self, id: i64, status: ChangeStatus, by: &str, at: &str, reason: Option<&str>) -> StoreResult<bool>;
}
