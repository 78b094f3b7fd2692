//! A case and its callback attempts as the workspace records them: what the store reads back and
//! the service hands to the shells. Plain data; what may happen next is [`super::flow`]'s to decide.

use crate::assess::findings::{Finding, Verdict};
use crate::bank::{Currency, Money};
use crate::cases::flow::CaseStatus;

/// A case as recorded: one received file, its verdict and findings at receipt, the facts later
/// steps need, and where it stands now.
#[derive(Debug, Clone)]
pub struct Case {
    /// Case id.
    pub id: i64,
    /// Where the case stands.
    pub status: CaseStatus,
    /// Verdict at receipt.
    pub verdict: Verdict,
    /// Findings at receipt, in the order checked.
    pub findings: Vec<Finding>,
    /// File name.
    pub file_name: String,
    /// File hash.
    pub file_sha256: String,
    /// Signer named by the file.
    pub signer: Option<String>,
    /// Partner.
    pub partner_id: Option<i64>,
    /// Partner name.
    pub partner_name: Option<String>,
    /// Instruction id.
    pub instruction_id: Option<String>,
    /// Issue time.
    pub issued_at: Option<String>,
    /// Confirmation code.
    pub confirmation_code: Option<String>,
    /// Payee.
    pub beneficiary_name: Option<String>,
    /// Account key.
    pub account_key: Option<String>,
    /// Account as read.
    pub account_display: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Amount.
    pub amount_minor: Option<u64>,
    /// Email hash.
    pub email_sha256: Option<String>,
    /// Received by.
    pub received_by: String,
    /// Received at.
    pub received_at: String,
    /// Creditor BIC.
    pub account_bic: Option<String>,
    /// Reference.
    pub reference: Option<String>,
    /// Due date.
    pub due_date: Option<String>,
    /// Consecutive wrong callback responses.
    pub wrong_responses: u32,
    /// Who approved or rejected.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// Why (rejections).
    pub decision_reason: Option<String>,
    /// Who released.
    pub released_by: Option<String>,
    /// When.
    pub released_at: Option<String>,
    /// Whether the account is marked fraudulent (for any partner).
    pub account_fraudulent: bool,
}

impl Case {
    /// The amount to pay, when the instruction named one (in the currency it named).
    pub fn amount(&self) -> Option<Money> {
        let currency = Currency::parse(self.currency.as_deref()?).ok()?;
        Money::from_minor(self.amount_minor?, currency).ok()
    }
}

/// One callback attempt on a case.
#[derive(Debug, Clone)]
pub struct Callback {
    /// Row id.
    pub id: i64,
    /// The challenge read out.
    pub challenge: String,
    /// Who started it.
    pub started_by: String,
    /// When.
    pub started_at: String,
    /// The number dialled.
    pub dialed: Option<String>,
    /// Who answered.
    pub reached: Option<String>,
    /// The response heard.
    pub response: Option<String>,
    /// `confirmed`, `wrong_response`, `denied` or `unreachable`; None while open.
    pub outcome: Option<String>,
    /// The clerk's note.
    pub note: Option<String>,
    /// When the outcome was recorded.
    pub recorded_at: Option<String>,
}
