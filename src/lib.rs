//! Countersign core: signed payment instructions, key pinning, assessment, callbacks, dual control
//! and the tamper-evident log. No Tauri and no UI code lives here; every front end calls this crate.

// Amounts in minor units are written as units_cents (`10_000_00` is 10 000.00).
#![allow(clippy::inconsistent_digit_grouping)]

pub mod activity;
pub mod assess;
pub mod audit;
pub mod audit_bundle;
pub mod audit_check;
pub mod auth;
pub mod payee_name;
pub mod phone;
pub mod policy;
pub mod bank;
pub mod card;
pub mod case_flow;
pub mod checkpoint;
pub mod codes;
pub mod domain_name;
pub mod email;
pub mod encoding;
pub mod envelope;
pub mod export;
pub mod files;
pub mod findings;
pub mod fingerprint;
pub mod instruction;
mod json;
pub mod merkle;
pub mod keys;
pub mod qr;
pub mod rotation;
pub mod sealed;
pub mod service;
pub mod signing;
pub mod store;
pub mod verify;
