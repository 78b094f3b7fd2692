//! Cases: one received file each, with its verdict, findings and the facts later steps need
//! (partner, instruction id, account, amount), and the evidence (the file itself).

use countersign_core::assess::history::EarlierAmounts;
use countersign_core::cases::flow::CaseStatus;
use countersign_core::cases::record::{Callback, Case};
use countersign_core::paging::Page;

use crate::case_query::CaseQuery;
use crate::StoreResult;

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    /// Initial status (`accepted`, `hold` or `rejected`).
    pub status: &'a str,
    /// The verdict.
    pub verdict: &'a str,
    /// Findings as a JSON array.
    pub findings: &'a str,
    /// The file's name as received.
    pub file_name: &'a str,
    /// SHA-256 of the file, hex.
    pub file_sha256: &'a str,
    /// The file.
    pub file: &'a [u8],
    /// The signer the file names.
    pub signer: Option<&'a str>,
    /// The partner whose key signed it.
    pub partner_id: Option<i64>,
    /// The instruction id (only when the signature verified).
    pub instruction_id: Option<&'a str>,
    /// When it was issued.
    pub issued_at: Option<&'a str>,
    /// The confirmation code.
    pub confirmation_code: Option<&'a str>,
    /// Payee.
    pub beneficiary_name: Option<&'a str>,
    /// `BankAccount::key`.
    pub account_key: Option<&'a str>,
    /// As people read it.
    pub account_display: Option<&'a str>,
    /// Currency code.
    pub currency: Option<&'a str>,
    /// Amount in minor units.
    pub amount_minor: Option<u64>,
    /// SHA-256 of the email that carried it, hex.
    pub email_sha256: Option<&'a str>,
    /// The email itself, kept as evidence.
    pub email: Option<&'a [u8]>,
    /// Who received it.
    pub received_by: &'a str,
    /// When.
    pub received_at: &'a str,
    /// The creditor's BIC.
    pub account_bic: Option<&'a str>,
    /// The payment reference.
    pub reference: Option<&'a str>,
    /// The due date, `YYYY-MM-DD`.
    pub due_date: Option<&'a str>,
}

/// A released payment's bank file, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFile {
    /// `pain001` or `epc-qr`.
    pub format: String,
    /// SHA-256 of `bytes`, hex.
    pub sha256: String,
    /// The XML document, or the EPC QR code's text.
    pub bytes: Vec<u8>,
    /// When it was made.
    pub created_at: String,
    /// When it was last written out, if ever.
    pub saved_at: Option<String>,
}

/// A bank's name check attached to a case (issue 20), as stored: plain text, compared with the
/// `case.name_check` statement behind it before anything uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCheckRow {
    /// The case.
    pub case_id: i64,
    /// `vop` or `cop`.
    pub scheme: String,
    /// The bank's request id.
    pub request_id: String,
    /// When the request was sent (UTC).
    pub requested_at: String,
    /// When the bank answered (UTC).
    pub answered_at: String,
    /// The name sent.
    pub name_sent: String,
    /// The account sent, normalised.
    pub account_sent: String,
    /// The answer code.
    pub answer: String,
    /// The bank's name with a close match.
    pub matched_name: Option<String>,
    /// `api`, `pain002` or `screenshot`.
    pub obtained: String,
    /// SHA-256 (hex) of the evidence file.
    pub evidence_sha256: Option<String>,
    /// Who attached it.
    pub attached_by: String,
    /// When (UTC).
    pub attached_at: String,
}

/// Cases and their callbacks.
pub trait CasesTx {
    /// Opens a case; returns its id.
    fn insert_case(&self, c: &NewCase<'_>) -> StoreResult<i64>;

    /// A case by id.
    fn case(&self, id: i64) -> StoreResult<Option<Case>>;

    /// Cases, newest first, optionally only those with a status; of a page, the cases older than
    /// `page.after` and at most one more than `page.limit` (see [`Page::fetch`]).
    fn cases(&self, status: Option<CaseStatus>, page: &Page) -> StoreResult<Vec<Case>>;

    /// The cases a query finds, in its order; of a page, the cases after the case `page.after`
    /// in that order, at most one more than `page.limit` (see [`Page::fetch`]).
    fn search_cases(&self, query: &CaseQuery<'_>) -> StoreResult<Vec<Case>>;

    /// The currencies the cases are in, each once: what an amount typed in a search can mean.
    fn case_currencies(&self) -> StoreResult<Vec<String>>;

    /// The id of an earlier case holding the same signed instruction (same signer and id),
    /// whose signature verified.
    fn earlier_receipt(&self, signer: &str, instruction_id: &str) -> StoreResult<Option<(i64, String)>>;

    /// The newest issue time among instructions from this signer that we accepted (verdict
    /// accepted, or confirmed on a callback and beyond).
    fn newest_accepted_issue(&self, signer: &str) -> StoreResult<Option<String>>;

    /// A partner's earlier amounts in a currency, from cases we accepted (accepted at receipt, or
    /// confirmed on a callback and beyond: a fraudster's held case never raises the bar): their
    /// largest, and how many, counted up to `enough`. The cost does not grow with the history.
    fn partner_amounts(&self, partner_id: i64, currency: &str, enough: u32) -> StoreResult<EarlierAmounts>;

    /// Moves a case from `from` to `to` only if it is still in `from`; false if another
    /// process moved it first (so a case is never released twice).
    fn move_case(&self, id: i64, from: CaseStatus, to: CaseStatus) -> StoreResult<bool>;

    /// Sets the count of consecutive wrong callback responses.
    fn set_wrong_responses(&self, id: i64, count: u32) -> StoreResult<()>;

    /// Records who approved or rejected, when and why.
    fn set_decision(&self, id: i64, by: &str, at: &str, reason: Option<&str>) -> StoreResult<()>;

    /// Records who released, and when.
    fn set_release(&self, id: i64, by: &str, at: &str) -> StoreResult<()>;

    /// Starts a callback attempt.
    fn insert_callback(&self, case_id: i64, challenge: &str, by: &str, at: &str) -> StoreResult<i64>;

    /// Records a callback attempt's outcome.
    #[allow(clippy::too_many_arguments)]
    fn finish_callback(
        &self,
        id: i64,
        dialed: &str,
        reached: &str,
        response: Option<&str>,
        outcome: &str,
        note: Option<&str>,
        at: &str,
    ) -> StoreResult<()>;

    /// A case's callback attempts, oldest first.
    fn callbacks(&self, case_id: i64) -> StoreResult<Vec<Callback>>;

    /// The stored file of a case.
    fn case_file(&self, id: i64) -> StoreResult<Option<Vec<u8>>>;

    /// Keeps the bank file of a released case (once: a second one for the case fails).
    fn insert_bank_file(&self, case_id: i64, format: &str, sha256: &str, bytes: &[u8], at: &str) -> StoreResult<()>;

    /// The bank file of a case, if one was made.
    fn bank_file(&self, case_id: i64) -> StoreResult<Option<BankFile>>;

    /// Attaches a bank's name check to a case (issue 20).
    fn insert_name_check(&self, row: &NameCheckRow) -> StoreResult<()>;

    /// The name checks attached to a case, oldest first.
    fn name_checks(&self, case_id: i64) -> StoreResult<Vec<NameCheckRow>>;

    /// Records that a case's bank file was written out.
    fn set_bank_file_saved(&self, case_id: i64, at: &str) -> StoreResult<()>;

    /// Cases whose bank file was made but never written out, oldest first.
    fn unsaved_bank_files(&self) -> StoreResult<Vec<i64>>;

    /// Case ids that touched an account of a partner, oldest first; of a page, those after
    /// `page.after`.
    fn cases_for_account(&self, partner_id: i64, account_key: &str, page: &Page) -> StoreResult<Vec<i64>>;

    /// How many cases touched an account of a partner.
    fn count_cases_for_account(&self, partner_id: i64, account_key: &str) -> StoreResult<u64>;

    /// A partner's cases, newest first; of a page, those older than `page.after`.
    fn partner_cases(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<Case>>;
}
