//! The tamper-evident log's mathematics: the hash chain of events ([`chain`]), the RFC 6962
//! Merkle tree ([`merkle`]), signed checkpoints ([`checkpoint`]), the check of a whole log
//! ([`check`]), signed statements ([`statement`]) and the state they imply ([`state`]), the auditor's evidence bundle ([`bundle`]), the activity chart ([`activity`]) and the list of every event kind ([`actions`]).
//! Pure: the events come in as [`log::LoggedEvent`]s read by the service from the store.

pub mod actions;
pub mod activity;
pub mod bundle;
pub mod chain;
pub mod check;
pub mod checkpoint;
mod four_eyes;
pub mod freezes;
pub mod log;
pub mod merkle;
pub mod state;
pub mod statement;
