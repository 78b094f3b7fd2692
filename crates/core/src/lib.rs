//! Countersign core: the formats, the rules and their findings, the case state machine, the audit
//! maths and the bank files. Pure: no database, no file system, no clock, no shell; time and
//! randomness come in as parameters, so every rule is deterministic under test. The service crate
//! is the one caller that does I/O; the CLI and the desktop app reach this crate through it.
//!
//! The modules are grouped by domain:
//! - [`format`]: the signed files (envelope, instruction, card, rotation), keys and fingerprints,
//!   the confirmation code and callback challenge, signing and the file check;
//! - [`bank`]: IBAN, BIC, country, currency, money and bank accounts;
//! - [`assess`]: the findings and the rules that produce them (history, payee names, phones,
//!   domains, the email that carried a file);
//! - [`cases`]: the case state machine and the policy it applies;
//! - [`changes`]: four eyes on the registry and the controls (pending changes, setup mode);
//! - [`audit`]: the hash chain, Merkle tree, checkpoints, the log check, bundles, the activity chart;
//! - [`export`]: pain.001, the EPC QR code and QR matrices;
//! - [`screen`]: the ERP's pain.001 payment file read against the official schema and screened
//!   line by line against the partners' signed history;
//! - [`auth`]: roles, passwords, second factor, lockout and secrets sealed under a password;
//! - [`registry`]: partners, pinned keys, numbers on file and accounts as the workspace records them;
//! - [`paging`]: pages of the lists that grow (`--limit`, `--after`).

#![forbid(unsafe_code)]
// Amounts in minor units are written as units_cents (`10_000_00` is 10 000.00).
#![allow(clippy::inconsistent_digit_grouping)]

pub mod assess;
pub mod audit;
pub mod auth;
pub mod bank;
pub mod cases;
pub mod changes;
pub mod encoding;
pub mod export;
pub mod format;
mod json;
pub mod paging;
pub mod registry;
pub mod screen;

#[cfg(test)]
mod boundary_names {
    //! The enums that cross to the shells are serialised with the contract's strings: the names
    //! serde (and the generated TypeScript types) use are exactly `as_str`.
    use crate::assess::findings::{ReasonCode, Severity, Verdict};
    use crate::auth::Role;
    use crate::cases::flow::{CallbackOutcome, CaseStatus};

    fn serde_name<T: serde::Serialize>(value: T) -> String {
        serde_json::to_value(value).unwrap().as_str().unwrap().to_owned()
    }

    #[test]
    fn serialised_names_are_the_contract_strings() {
        for code in ReasonCode::ALL {
            assert_eq!(serde_name(code), code.as_str());
        }
        for s in [Severity::Info, Severity::Warning, Severity::Critical] {
            assert_eq!(serde_name(s), s.as_str());
        }
        for v in [Verdict::Accepted, Verdict::Hold, Verdict::Rejected] {
            assert_eq!(serde_name(v), v.as_str());
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        for r in [Role::Clerk, Role::Approver, Role::Admin, Role::Auditor] {
            assert_eq!(serde_name(r), r.as_str());
        }
        for s in CaseStatus::ALL {
            assert_eq!(serde_name(s), s.as_str());
        }
        for o in [CallbackOutcome::Confirmed, CallbackOutcome::Denied, CallbackOutcome::Unreachable] {
            assert_eq!(serde_name(o), o.as_str());
        }
    }
}
