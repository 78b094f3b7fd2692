//! The findings and the rules that produce them. Each reason code of the contract is produced in
//! one place: format and identity in [`crate::format::verify`] (account formats in [`crate::bank`]),
//! replay in [`replay`], bank details against the partner's history in [`history`], the email that
//! carried a file in [`email`]; the verdict is the
//! worst severity among them ([`findings::Verdict::from_findings`]). Pure: the history comes in as
//! parameters, read by the service from the store.

pub mod domain_name;
pub mod email;
pub mod findings;
pub mod history;
pub mod lookalike;
pub mod payee_name;
pub mod phone;
pub mod replay;
