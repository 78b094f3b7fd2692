//! The log as the store hands it to the core: events with their stored hashes, the signed
//! checkpoints kept in the workspace, and the filter that selects events for `audit log` and
//! `audit export`. Plain data; the checks live in [`super::check`] and [`super::bundle`].

/// One event of the log, as the store reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
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

/// A signed checkpoint kept in the workspace, as the store reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCheckpoint {
    /// Row id, from 1.
    pub id: i64,
    /// Events covered.
    pub size: u64,
    /// Merkle root over their hashes.
    pub root: [u8; 32],
    /// When it was made.
    pub at: String,
    /// Why: `approval`, `release`, `export`, `audit.export`, `saved`.
    pub reason: String,
    /// The user whose session signed it.
    pub signer: String,
    /// The signed note (see [`crate::audit::checkpoint`]).
    pub note: String,
}

/// Which events `audit log` and `audit export` select; every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Events about this case (`case:ID`).
    pub case: Option<i64>,
    /// Events about this partner or its cases.
    pub partner: Option<i64>,
    /// Done by this user.
    pub actor: Option<String>,
    /// This action, or actions starting with it followed by a dot (`case` selects `case.approve`).
    pub action: Option<String>,
    /// At or after this UTC time.
    pub from: Option<String>,
    /// Before this UTC time.
    pub until: Option<String>,
    /// Which page of the events chosen (`audit log --limit --after`): `after` is a sequence
    /// number; the store fetches one more than `limit` (see [`crate::paging::Page::fetch`]).
    pub page: crate::paging::Page,
    /// Newest first (the app's log view): the events in descending sequence numbers, and the
    /// page's `after` then names the event the page continues below (issue 19).
    pub newest_first: bool,
}
