//! Cases after receipt: the callback to an on-file number with a fresh challenge, the second
//! approval, rejection, reopening a locked callback, and release. The rules are
//! [`countersign_core::cases::flow::decide`]'s; this module gathers the facts, checks the number dialled
//! against the numbers on file, compares the response with the one the received instruction
//! yields, and writes each step with its audit event in one transaction.
//!
//! The response to a v2 file (format §3.7) can be computed, and so checked, only with the partner's
//! key or our callback secret, which clerks never hold: a clerk's confirmation is recorded with the
//! response unchecked, and the approver's session checks it at approval (a wrong one sends the case
//! back to `hold` as a wrong response). A v1 response can be computed from the file alone: it proves
//! only that someone answered the number dialled, and `case show` says so.

use crate::ErrorText;
use rand_core::OsRng;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::statements::{append_statement, check_account, checked_case, refresh};
use super::{now, Permission, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::assess::findings::Finding;
use countersign_core::assess::phone::PhoneNumber;
use countersign_core::audit::log::LoggedEvent;
use countersign_core::audit::state::ImpliedState;
use countersign_core::bank::{BankAccount, Bic, Currency, Iban, Money};
use countersign_core::cases::callback_numbers::{withheld, Receipt, Withheld};
use countersign_core::cases::flow::{
    decide, CallbackOutcome, CaseAction, CaseFacts, CaseStatus, Refusal, Refused, Transition, EARLY_RELEASE_APPROVERS,
};
use countersign_core::cases::name_check::AttachedNameCheck;
use countersign_core::cases::record::{Callback, Case};
use countersign_core::cases::steps::{may_attach_name_check, offered_steps, CaseStep};
use countersign_core::encoding::{format_utc, parse_utc, sha256_hex};
use countersign_core::export::{epc_qr, epc_qr_payload, pain001_xml, CreditTransfer, Debtor, ExportError};
use countersign_core::format::callback_key::CallbackPublicKey;
use countersign_core::format::card::PartnerCard;
use countersign_core::format::codes::{Challenge, ChallengeResponse};
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::instruction::Instruction;
use countersign_core::format::keys::PublicKey;
use countersign_core::paging::{Page, Paged};
use countersign_core::registry::{AccountRecord, NumberProvenance, OnFileNumber};
use countersign_store::prelude::*;
use countersign_store::{BankFile, StoreError, Tx};

/// The bank-ready formats a release can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// ISO 20022 pain.001.001.09 credit transfer.
    Pain001,
    /// EPC069-12 QR code for SEPA transfers.
    EpcQr,
}

impl ExportFormat {
    /// The CLI's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pain001 => "pain001",
            Self::EpcQr => "epc-qr",
        }
    }
}

/// A bank file.
pub enum Export {
    /// The XML document.
    Pain001(String),
    /// The EPC payload and its QR code.
    EpcQr {
        /// The text in the code.
        payload: String,
        /// The code, to render.
        qr: countersign_core::export::qr::Qr,
    },
}

impl Export {
    /// The bank file's content as kept: the XML document, or the QR code's text (the image is
    /// rendered from it, the same every time).
    fn content(&self) -> &[u8] {
        match self {
            Export::Pain001(xml) => xml.as_bytes(),
            Export::EpcQr { payload, .. } => payload.as_bytes(),
        }
    }

    /// SHA-256 of [`Export::content`], hex: what the release or export statement records.
    pub fn sha256(&self) -> String {
        sha256_hex(self.content())
    }

    /// The bank file kept for a case, as it was made.
    fn from_kept(file: &BankFile) -> ServiceResult<Self> {
        let text = String::from_utf8(file.bytes.clone()).map_err(|_| StoreError::Corrupt("a bank file is not UTF-8".into()))?;
        match file.format.as_str() {
            "pain001" => Ok(Export::Pain001(text)),
            "epc-qr" => {
                let qr =
                    countersign_core::export::qr::Qr::new(&text).map_err(|e| StoreError::Corrupt(format!("a kept EPC QR code: {e}")))?;
                Ok(Export::EpcQr { payload: text, qr })
            }
            other => Err(StoreError::Corrupt(format!("a bank file of format {other:?}")).into()),
        }
    }
}

/// A released payment's bank file, from `case export`.
pub struct ExportedBankFile {
    /// The file.
    pub export: Export,
    /// When the file was first made, if this is a copy of it (identical to the byte); `None` when
    /// this export made it (the case was released without one).
    pub copy_of: Option<String>,
}

/// Builds the credit transfer from the verified record of a case and our account.
fn credit_transfer(case: &Case, org: &super::OrgAccount) -> ServiceResult<CreditTransfer> {
    let missing = |(field, what): (&'static str, &str)| {
        let text = format!("case {} has no {what}: there is nothing to pay", case.id);
        ServiceError::InvalidInput(ErrorText::detailed("nothing_to_pay", text).with("case", case.id).with("field", field))
    };
    let key = case.account_key.as_deref().ok_or_else(|| missing(("account", "valid account")))?;
    let bic = case.account_bic.as_deref().ok_or_else(|| missing(("bic", "BIC")))?;
    let creditor_account = BankAccount::from_key(key, bic).ok_or_else(|| StoreError::Corrupt("case account".into()))?;
    let currency = Currency::parse(case.currency.as_deref().ok_or_else(|| missing(("currency", "currency")))?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let minor = case.amount_minor.ok_or_else(|| missing(("amount", "amount")))?;
    let amount = Money::from_minor(minor, currency).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let created_at = now();
    let today = created_at.date();
    let execution_date = case
        .due_date
        .as_deref()
        .and_then(|d| time::Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]")).ok())
        .filter(|d| *d > today)
        .unwrap_or(today);
    let instruction_id = case.instruction_id.as_deref().ok_or_else(|| missing(("instruction", "verified instruction")))?;
    Ok(CreditTransfer {
        message_id: format!("CS-{}-{}", case.id, created_at.unix_timestamp()),
        created_at,
        execution_date,
        debtor: Debtor {
            name: org.name.clone(),
            iban: Iban::parse_electronic(&org.iban).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            bic: Bic::parse(&org.bic).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        },
        end_to_end_id: instruction_id.chars().filter(|c| *c != '-').take(35).collect(),
        creditor_name: case.beneficiary_name.clone().ok_or_else(|| missing(("payee", "payee")))?,
        creditor_account,
        amount,
        remittance: case.reference.clone(),
    })
}

/// How long a challenge may be used after it was read out.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(30);

/// What the clerk records after a callback.
pub struct CallbackReport<'a> {
    /// The number dialled.
    pub dialed: &'a str,
    /// Who answered.
    pub reached: &'a str,
    /// The response the partner read back (required to confirm).
    pub response: Option<&'a str>,
    /// The outcome.
    pub outcome: CallbackOutcome,
    /// A note.
    pub note: Option<&'a str>,
}

/// Everything `case show` prints.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    /// The stored case.
    pub case: Case,
    /// The callback attempts.
    pub callbacks: Vec<Callback>,
    /// Every audit event about the case, oldest first.
    pub timeline: Vec<LoggedEvent>,
    /// The on-file numbers of the case's partner (the only ones to call), each with its label,
    /// where it came from, and why it is not offered for this case's callback when it is not.
    pub on_file_numbers: Vec<NumberOnFile>,
    /// The partner's current account, read when the case is shown and checked against the signed
    /// statements (issue 19: never a fact kept from an earlier view); none when the partner has
    /// none, or the case has no known partner.
    pub on_file_account: Option<AccountRecord>,
    /// The workspace is still in setup mode: fewer than two people could ever check changes, so
    /// its registry and controls were changed by one person alone (issue 15).
    pub setup_mode: bool,
    /// The format version of the case's file (1 or 2), when it has one that parses: a v1 response
    /// can be computed by anyone holding the file, a v2 response only with the partner's key.
    pub response_version: Option<u32>,
    /// Whether the response of the confirmed callback was checked against the expected one (false:
    /// recorded unchecked, the approval checks it); absent unless the newest callback confirmed.
    pub response_checked: Option<bool>,
    /// What the signed-in user may do next on it, as the core decides from the signed facts: the
    /// controls a shell offers (none that the core would refuse).
    pub next_steps: Vec<CaseStep>,
    /// The cooling-off the case's release waits for (issue 20): present while the case is open
    /// and the cooling-off of the account it pays is not over.
    pub cooling_off: Option<CoolingOffView>,
    /// The bank name checks attached to the case (issue 20), oldest first, as their signed
    /// statements attached them (the rows checked against them).
    pub name_checks: Vec<AttachedNameCheck>,
    /// What each name check says about the case (`vop_*`), computed now, in the same order.
    pub name_check_findings: Vec<Finding>,
    /// Whether the signed-in user may attach a name check (approvers): the form a shell offers.
    pub may_attach_name_check: bool,
    /// Why the case is held by its partner's freeze (issue 20): the `partner_frozen` finding of
    /// the freeze that holds its payment now, while the case is open.
    pub partner_frozen: Option<Finding>,
}

/// A cooling-off as `case show` and the app show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoolingOffView {
    /// When the account became the partner's current one in place of another (UTC).
    pub since: String,
    /// When the cooling-off ends (UTC).
    pub until: String,
    /// The policy's `cooling_off_hours`.
    pub hours: u32,
    /// Seconds left when the case was read.
    pub left_seconds: i64,
    /// The early-release requests so far, oldest first.
    pub early_releases: Vec<EarlyRelease>,
    /// How many distinct approvers must ask before the case may be released early.
    pub needed: usize,
}

/// One approver's request to release early, as its signed statement gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlyRelease {
    /// The approver.
    pub by: String,
    /// When (UTC).
    pub at: String,
    /// Their written reason.
    pub reason: String,
}

/// The cooling-off the release of an open case waits for, with the early-release requests its
/// timeline holds; `None` when there is none, it is over, or the case is closed.
fn cooling_off_view(
    facts: &CaseFacts,
    policy: &countersign_core::cases::policy::Policy,
    timeline: &[LoggedEvent],
) -> Option<CoolingOffView> {
    let c = facts.cooling_off.as_ref().filter(|_| facts.status.is_open())?;
    let left = c.left(policy)?;
    let early_releases = timeline
        .iter()
        .filter(|e| e.action == "case.release_early" && facts.early_release_by.contains(&e.actor))
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
            EarlyRelease { by: e.actor.clone(), at: e.at.clone(), reason: details["reason"].as_str().unwrap_or_default().to_string() }
        })
        .collect();
    Some(CoolingOffView {
        since: format_utc(c.since),
        until: format_utc(c.until(policy)),
        hours: policy.cooling_off_hours,
        left_seconds: left.whole_seconds(),
        early_releases,
        needed: EARLY_RELEASE_APPROVERS,
    })
}

/// A number on file as the callback shows it.
#[derive(Debug, Clone)]
pub struct NumberOnFile {
    /// The record: E.164 and when it was recorded.
    pub number: OnFileNumber,
    /// How it is named: the label its signed statement gives it, else the partner's card's label
    /// for the same number ("Accounts receivable"), when either does.
    pub label: Option<String>,
    /// Where it came from, as the signed statements say (issue 20).
    pub provenance: NumberProvenance,
    /// Why it is not offered for this case's callback, when it is not (issue 20).
    pub withheld: Option<Withheld>,
}

impl CaseDetail {
    /// The findings as they stand now: those of the receipt, then what the bank name checks say.
    pub fn findings(&self) -> Vec<Finding> {
        self.case.findings.iter().chain(&self.name_check_findings).cloned().collect()
    }

    /// Whether the case pays the partner's current account, as it stands now: `None` when either
    /// is unknown.
    pub fn pays_account_on_file(&self) -> Option<bool> {
        Some(self.on_file_account.as_ref()?.account_key == *self.case.account_key.as_ref()?)
    }
}

/// The partner's on-file numbers, each with its provenance from the signed statements (a row no
/// statement put on file is left out), its label, and, for the callback of case `case` (when
/// given), whether it is withheld and why ([`countersign_core::cases::callback_numbers`]).
fn numbers_on_file(tx: &dyn Tx, state: &ImpliedState, partner_id: i64, case: Option<i64>) -> ServiceResult<Vec<NumberOnFile>> {
    let card = tx.partner_card(partner_id)?.and_then(|bytes| PartnerCard::parse(&bytes).ok());
    let card_labels: Vec<(String, String)> = card
        .as_ref()
        .map(super::partners::card_numbers)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(number, label)| Some((number.as_e164().to_string(), label?)))
        .collect();
    let signed = state.partners.get(&partner_id);
    let receipt = case.and_then(|id| state.cases.get(&id)).map(|c| Receipt { seq: c.received_seq, email_numbers: &c.email_numbers });
    let mut numbers = vec![];
    for number in tx.partner_phones(partner_id, &Page::default())? {
        // A row no signed statement put on file is never offered as a number to call; dialling it
        // is refused (`state_unverified`, logged) by `on_file_number`, and `audit verify` names it.
        let Some(provenance) = signed.and_then(|p| p.numbers.get(&number.e164)).cloned() else { continue };
        let card_label = card_labels.iter().find(|(e164, _)| *e164 == number.e164).map(|(_, label)| label.clone());
        let withheld = receipt.as_ref().and_then(|r| withheld(&number.e164, &provenance, r));
        numbers.push(NumberOnFile { label: provenance.label.clone().or(card_label), number, provenance, withheld });
    }
    Ok(numbers)
}

/// The partner's current account as the signed statements give it, read now.
fn account_on_file(tx: &dyn Tx, state: &ImpliedState, partner_id: i64) -> ServiceResult<Option<AccountRecord>> {
    let Some(account) = tx.current_account(partner_id)? else { return Ok(None) };
    check_account(state, &account)?;
    Ok(Some(account))
}

/// How the response heard compares with the one expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseCheck {
    /// The expected one.
    Matched,
    /// Another one, or none.
    Wrong,
    /// A v2 response the session cannot compute (it holds no callback secret): checked at approval.
    Unchecked,
}

/// The case's stored file: its envelope and the callback key a v2 file names.
struct CaseFile {
    envelope: Envelope,
    callback_key: Option<CallbackPublicKey>,
}

fn case_file(tx: &dyn Tx, id: i64) -> ServiceResult<CaseFile> {
    let file = tx.case_file(id)?.ok_or_else(|| StoreError::Corrupt("case file".into()))?;
    let envelope = Envelope::parse(&file, FileKind::Instruction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let callback_key = match envelope.version() {
        1 => None,
        _ => Instruction::parse_signed(&envelope).map_err(|e| StoreError::Corrupt(e.to_string()))?.callback_key,
    };
    Ok(CaseFile { envelope, callback_key })
}

/// The response `session` expects for `challenge` on the case's file: always for v1; for v2 only
/// with the callback secret the file names (`None` otherwise).
fn expected_response(tx: &dyn Tx, session: &Session, file: &CaseFile, challenge: Challenge) -> ServiceResult<Option<ChallengeResponse>> {
    let Some(named) = file.callback_key else {
        return Ok(Some(ChallengeResponse::compute(challenge, file.envelope.payload())));
    };
    let Some(secret) = session.keys().callback.as_ref().filter(|s| s.public_key() == named) else {
        return Ok(None);
    };
    let signer =
        tx.key_by_fingerprint(&file.envelope.signer().to_string())?.ok_or_else(|| StoreError::Corrupt("the case's signer".into()))?;
    let key = PublicKey::from_bytes(&signer.public_key).ok_or_else(|| StoreError::Corrupt("the case's signer key".into()))?;
    let shared =
        secret.shared_secret(&key).map_err(|e| ServiceError::CheckFailed(ErrorText::detailed("callback_key_unusable", e.to_string())))?;
    Ok(Some(ChallengeResponse::compute_v2(&shared, challenge, file.envelope.payload())))
}

/// Why the number `dialed`, on file, is not offered for this case's callback, in a sentence with
/// the number.
fn withheld_text(reason: Withheld, dialed: &PhoneNumber) -> ErrorText {
    let detail = match reason {
        Withheld::InEmail => "withheld_in_email",
        Withheld::AddedAfterInstruction => "withheld_added_after_instruction",
    };
    ErrorText::detailed(detail, reason.explain(&dialed.international())).with("number", dialed.international())
}

/// The core's refusal of an action on case `id` as the service's error: its sentence, which
/// refusal it is and its particulars, with the case.
pub(super) fn refusal(id: i64) -> impl Fn(Refusal) -> ServiceError {
    move |r| {
        let text = refused_text(r.refused(), id);
        match r {
            Refusal::NotPermitted(_) => ServiceError::NotPermitted(text),
            Refusal::NotAllowed(_) | Refusal::WrongResponse(_) => ServiceError::CheckFailed(text),
            Refusal::CoolingOff(_) => ServiceError::CoolingOff(text),
            Refusal::PartnerFrozen(_) => ServiceError::PartnerFrozen(text),
        }
    }
}

/// A refusal's sentence and particulars, with the case it is about.
fn refused_text(r: &Refused, id: i64) -> ErrorText {
    let text = ErrorText::detailed(r.detail(), r.message()).with("case", id);
    r.values().iter().fold(text, |text, (name, value)| text.with(name, value))
}

fn load(tx: &dyn Tx, id: i64) -> ServiceResult<Case> {
    tx.case(id)?.ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("case", format!("no case with id {id}")).with("case", id)))
}

/// A callback whose reporter, role and number passed the checks: what the write transaction records.
struct CheckedCall<'r, 'a> {
    /// The case.
    id: i64,
    /// What the clerk reported.
    report: &'r CallbackReport<'a>,
    /// Who answered, trimmed.
    reached: &'r str,
    /// The number dialled, on file.
    dialed: PhoneNumber,
    /// When the callback is recorded.
    at_time: OffsetDateTime,
    /// The same, as stored.
    at: String,
}

/// Records a checked callback in the write transaction: the attempt, the case's move, a fraud mark
/// and the audit event; a wrong response is recorded too, and comes back as the inner error.
fn record_checked_call(
    tx: &dyn Tx,
    session: &Session,
    call: &CheckedCall<'_, '_>,
    state: &mut ImpliedState,
) -> ServiceResult<Result<CaseStatus, ServiceError>> {
    refresh(tx, state)?;
    let policy = &state.policy;
    let (case, f) = checked_case(tx, state, call.id)?;
    let attempt = open_attempt(tx, session, call)?;
    let file = case_file(tx, call.id)?;
    if f.response_needs_callback_key != file.callback_key.is_some() {
        return Ok(super::statements::differs("cases", call.id, "its file's version differs from the one its signed receipt names")?);
    }
    let check = check_response(tx, session, call, &attempt, &file)?;
    let action = match (call.report.outcome, check) {
        (CallbackOutcome::Confirmed, ResponseCheck::Unchecked) => CaseAction::ConfirmUnchecked,
        (outcome, check) => CaseAction::RecordCallback { outcome, response_correct: check == ResponseCheck::Matched },
    };
    let write = CallbackWrite { tx, session, call, case, facts: f, attempt, v2: file.callback_key.is_some() };
    match decide(&write.facts, session.user(), session.role(), action, policy) {
        Ok(t) => write.record(&t, check).map(Ok),
        Err(Refusal::WrongResponse(message)) => write.record_wrong_response(message).map(Err),
        Err(other) => Err(refusal(call.id)(other)),
    }
}

/// The attempt a callback answers: the newest, still open, started by this user, its challenge not expired.
fn open_attempt(tx: &dyn Tx, session: &Session, call: &CheckedCall<'_, '_>) -> ServiceResult<Callback> {
    // Only the newest challenge counts: an earlier one, superseded, never confirms.
    tx.callbacks(call.id)?
        .into_iter()
        .last()
        .filter(|c| c.outcome.is_none() && c.started_by == session.user())
        .filter(|c| parse_utc(&c.started_at).is_some_and(|t| call.at_time - t <= CHALLENGE_LIFETIME))
        .ok_or_else(|| {
            let minutes = CHALLENGE_LIFETIME.whole_minutes();
            let text = format!(
                "start the callback with `case challenge {}` and read the challenge to the partner first (a challenge is valid for {minutes} minutes)",
                call.id,
            );
            ServiceError::InvalidInput(ErrorText::detailed("challenge_first", text).with("case", call.id).with("minutes", minutes))
        })
}

/// Whether the response typed is the one the received instruction yields for the attempt's
/// challenge (wrong without one; unchecked for a v2 file when the session holds no callback
/// secret); a confirmation without a response is refused.
fn check_response(
    tx: &dyn Tx,
    session: &Session,
    call: &CheckedCall<'_, '_>,
    attempt: &Callback,
    file: &CaseFile,
) -> ServiceResult<ResponseCheck> {
    match (call.report.outcome, call.report.response) {
        (CallbackOutcome::Confirmed, None) => Err(ServiceError::InvalidInput(ErrorText::detailed(
            "response_needed",
            "to confirm, type the response the partner read back (--code); a yes on the phone is not enough",
        ))),
        (_, Some(text)) => {
            let heard = ChallengeResponse::parse(text)
                .map_err(|e| ServiceError::InvalidInput(ErrorText::detailed("response_unreadable", format!("the response: {e}"))))?;
            let challenge = Challenge::parse(&attempt.challenge).map_err(|_| StoreError::Corrupt("challenge".into()))?;
            Ok(match expected_response(tx, session, file, challenge)? {
                None => ResponseCheck::Unchecked,
                Some(expected) if expected == heard => ResponseCheck::Matched,
                Some(_) => ResponseCheck::Wrong,
            })
        }
        (_, None) => Ok(ResponseCheck::Wrong),
    }
}

/// Whether the response recorded with the case's confirmed callback is the one `session` expects
/// (`None`: the session cannot compute it, holding no callback secret or another one).
fn recorded_response_correct(tx: &dyn Tx, session: &Session, id: i64) -> ServiceResult<Option<bool>> {
    let confirmed = tx.callbacks(id)?.into_iter().last().filter(|c| c.outcome.as_deref() == Some("confirmed"));
    let confirmed = confirmed.ok_or_else(|| StoreError::Corrupt(format!("case {id} has no confirmed callback")))?;
    let challenge = Challenge::parse(&confirmed.challenge).map_err(|_| StoreError::Corrupt("challenge".into()))?;
    let heard = confirmed.response.as_deref().and_then(|r| ChallengeResponse::parse(r).ok());
    let expected = expected_response(tx, session, &case_file(tx, id)?, challenge)?;
    Ok(expected.map(|e| Some(e) == heard))
}

/// After a failed check at approval, the confirmed attempt is recorded as what it was: a wrong response.
fn mark_confirmation_wrong(tx: &dyn Tx, id: i64) -> ServiceResult<()> {
    let c = tx.callbacks(id)?.into_iter().last().ok_or_else(|| StoreError::Corrupt(format!("case {id} has no callback")))?;
    let recorded_at = c.recorded_at.clone().unwrap_or_default();
    let (dialed, reached) = (c.dialed.unwrap_or_default(), c.reached.unwrap_or_default());
    tx.finish_callback(c.id, &dialed, &reached, c.response.as_deref(), "wrong_response", c.note.as_deref(), &recorded_at)?;
    Ok(())
}

/// Moves case `id` from `from` to `to` in the write transaction (nothing to do when they are the
/// same); refused when the case is no longer `from` (another user acted on it meanwhile).
pub(super) fn move_case(tx: &dyn Tx, id: i64, from: CaseStatus, to: CaseStatus) -> ServiceResult<()> {
    if to != from && !tx.move_case(id, from, to)? {
        return Err(ServiceError::CheckFailed(ErrorText::detailed(
            "changed_meanwhile",
            "the case changed meanwhile (another user acted on it); look at it again",
        )));
    }
    Ok(())
}

/// A checked callback inside the write transaction, with the case, its facts and the open attempt
/// as the transaction sees them.
struct CallbackWrite<'w> {
    /// The write transaction.
    tx: &'w dyn Tx,
    /// Who records the callback.
    session: &'w Session,
    /// The checked callback.
    call: &'w CheckedCall<'w, 'w>,
    /// The case.
    case: Case,
    /// Its facts.
    facts: CaseFacts,
    /// The attempt the callback answers.
    attempt: Callback,
    /// The case's file is of format v2.
    v2: bool,
}

impl CallbackWrite<'_> {
    /// Finishes the attempt, moves the case, marks a denied account fraudulent and writes the
    /// `case.callback` event.
    fn record(&self, t: &Transition, check: ResponseCheck) -> ServiceResult<CaseStatus> {
        let (tx, call, id, user) = (self.tx, self.call, self.call.id, self.session.user());
        let report = call.report;
        let dialed = call.dialed.as_e164();
        tx.finish_callback(
            self.attempt.id,
            dialed,
            call.reached,
            report.response.map(str::trim),
            report.outcome.as_str(),
            report.note,
            &call.at,
        )?;
        move_case(tx, id, self.facts.status, t.status)?;
        tx.set_wrong_responses(id, t.wrong_responses)?;
        if t.mark_fraudulent {
            if let Some(key) = &self.case.account_key {
                let reason = format!("callback denied on case {id}: {}", report.note.unwrap_or("the partner did not send it"));
                tx.mark_fraudulent(key, &call.at, user, Some(id), &reason)?;
            }
        }
        let mut details = json!({
            "dialed": dialed, "reached": call.reached, "outcome": report.outcome.as_str(), "response": report.response.map(str::trim),
            "challenge": self.attempt.challenge, "response_matched": (check != ResponseCheck::Unchecked).then_some(check == ResponseCheck::Matched),
            "status": t.status.as_str(), "note": report.note,
            "marked_fraudulent": if t.mark_fraudulent { self.case.account_key.clone() } else { None },
        });
        if self.v2 {
            // The replay's rule: only an unchecked confirmation is checked at approval.
            details["response_checked"] = json!(check != ResponseCheck::Unchecked);
        }
        append_statement(tx, self.session, &call.at, "case.callback", &format!("case:{id}"), details)?;
        Ok(t.status)
    }

    /// Keeps a wrong response as a fact (the attempt, the count, the
    /// `case.callback_wrong_response` event) and returns the refusal to report.
    fn record_wrong_response(&self, refused: Refused) -> ServiceResult<ServiceError> {
        let (tx, call, id) = (self.tx, self.call, self.call.id);
        let wrong = self.facts.wrong_responses + 1;
        let response_text = call.report.response.map(str::trim);
        tx.finish_callback(
            self.attempt.id,
            call.dialed.as_e164(),
            call.reached,
            response_text,
            "wrong_response",
            call.report.note,
            &call.at,
        )?;
        tx.set_wrong_responses(id, wrong)?;
        append_statement(
            tx,
            self.session,
            &call.at,
            "case.callback_wrong_response",
            &format!("case:{id}"),
            json!({ "dialed": call.dialed.as_e164(), "reached": call.reached, "response": response_text, "challenge": self.attempt.challenge, "wrong_responses": wrong }),
        )?;
        // The core's refusal says how many more wrong responses lock the case.
        Ok(ServiceError::CheckFailed(refused_text(&refused, id)))
    }
}

impl Workspace {
    /// Decides an action; a refusal by role or dual control is logged before it is returned.
    pub(super) fn decide_or_refuse(
        &mut self,
        session: &Session,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> ServiceResult<(Case, Transition)> {
        self.require_signed_in(session)?;
        let policy = self.verified_policy(session.user())?;
        let (case, decision) = self.verified(session.user(), &format!("case:{id}"), |tx, state| -> ServiceResult<_> {
            let (case, f) = checked_case(tx, state, id)?;
            Ok((case, decide(&f, session.user(), session.role(), action, &policy)))
        })?;
        match decision {
            Ok(t) => Ok((case, t)),
            Err(Refusal::NotPermitted(m)) => {
                self.deny(session, name, &format!("case:{id}"), ServiceError::NotPermitted(refused_text(&m, id)))
            }
            Err(other) => Err(refusal(id)(other)),
        }
    }

    /// Starts a callback attempt: a fresh random challenge for the clerk to read out.
    pub fn start_callback(&mut self, session: &Session, id: i64) -> ServiceResult<Challenge> {
        self.decide_or_refuse(session, id, CaseAction::StartCallback, "case.challenge")?;
        let challenge = Challenge::from_random(&mut OsRng);
        let at = format_utc(now());
        let state = &mut self.implied;
        self.store.write(|tx| -> ServiceResult<()> {
            // Re-check inside the write transaction: another process may have moved the case.
            refresh(tx, state)?;
            let (_, f) = checked_case(tx, state, id)?;
            decide(&f, session.user(), session.role(), CaseAction::StartCallback, &state.policy).map_err(refusal(id))?;
            tx.insert_callback(id, &challenge.to_string(), session.user(), &at)?;
            append_statement(tx, session, &at, "case.challenge", &format!("case:{id}"), json!({ "challenge": challenge.to_string() }))?;
            Ok(())
        })?;
        Ok(challenge)
    }

    /// Records a callback. Only on-file numbers may be dialled; a confirmation needs the
    /// response the partner's own copy yields for the latest challenge.
    pub fn record_callback(&mut self, session: &Session, id: i64, report: &CallbackReport<'_>) -> ServiceResult<CaseStatus> {
        // Role, state and lock first (the outcome does not matter for that).
        let probe = CaseAction::RecordCallback { outcome: CallbackOutcome::Unreachable, response_correct: false };
        let (case, _) = self.decide_or_refuse(session, id, probe, "case.callback")?;
        let reached = report.reached.trim();
        if reached.is_empty() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed("reached_needed", "say who answered the call (--reached NAME)")));
        }
        super::check_free_text(("reached", "who answered (--reached)"), reached, super::MAX_REACHED_CHARS)?;
        if let Some(note) = report.note {
            super::check_free_text(("note", "the note (--note)"), note, super::MAX_NOTE_CHARS)?;
        }
        let dialed = self.check_on_file_number(session, id, &case, report.dialed)?;
        let at_time = now();
        let call = CheckedCall { id, report, reached, dialed, at_time, at: format_utc(at_time) };
        // A wrong response is kept (the transaction commits) and still returned as an error.
        let state = &mut self.implied;
        self.store.write(|tx| record_checked_call(tx, session, &call, state))?
    }

    /// The number dialled, parsed, if it is on file for the case's partner and offered for this
    /// case's callback; any other number is refused (a withheld one with `number_withheld` and its
    /// reason, issue 20), and the refusal logged in its own transaction.
    fn check_on_file_number(&mut self, session: &Session, id: i64, case: &Case, dialed: &str) -> ServiceResult<PhoneNumber> {
        let partner_id = case.partner_id.ok_or_else(|| {
            ServiceError::CheckFailed(ErrorText::detailed("no_partner_to_call", "the case has no partner to call").with("case", id))
        })?;
        let subject = format!("case:{id}");
        let dialed = self.on_file_number(session, partner_id, dialed, "case.callback_refused", &subject)?;
        let withheld = self.verified(session.user(), &subject, |tx, state| {
            let numbers = numbers_on_file(tx, state, partner_id, Some(id))?;
            Ok(numbers.into_iter().find(|n| n.number.e164 == dialed.as_e164()).and_then(|n| n.withheld))
        })?;
        match withheld {
            None => Ok(dialed),
            Some(reason) => self.refuse(
                session.user(),
                "case.callback_refused",
                &subject,
                json!({ "dialed": dialed.as_e164(), "withheld": reason.as_str() }),
                ServiceError::NumberWithheld(withheld_text(reason, &dialed)),
            ),
        }
    }

    /// The number dialled, parsed, if a signed statement put it on file for the partner; any other
    /// number is refused (`not_permitted`) and the refusal logged as `refused_action` in its own
    /// transaction: only numbers on file, never one from the request or the email.
    pub(super) fn on_file_number(
        &mut self,
        session: &Session,
        partner_id: i64,
        dialed: &str,
        refused_action: &str,
        subject: &str,
    ) -> ServiceResult<PhoneNumber> {
        let partner = self.store.read(|tx| tx.partner(partner_id))?.ok_or_else(|| StoreError::Corrupt("partner".into()))?;
        // Only numbers a signed statement put on file (issue 14: a row inserted by hand was dialled).
        let on_file = self.verified_phones(session.user(), partner_id)?;
        let dialed = PhoneNumber::parse(dialed, partner.country.as_deref()).map_err(|e| {
            ServiceError::InvalidInput(ErrorText::detailed("number_unreadable", format!("the number dialled: {e}")).with("number", dialed))
        })?;
        if on_file.iter().any(|n| n == dialed.as_e164()) {
            return Ok(dialed);
        }
        let shown: Vec<String> =
            on_file.iter().map(|n| PhoneNumber::from_e164(n).map(|p| p.international()).unwrap_or_else(|_| n.clone())).collect();
        self.refuse(
            session.user(),
            refused_action,
            subject,
            json!({ "dialed": dialed.as_e164(), "on_file": on_file }),
            ServiceError::NotPermitted(
                ErrorText::detailed("number_not_on_file", format!(
                    "{} is not a number on file for {}. Call only: {}. Never use a number given in the request or the email that carried it: it may be the fraudster's.",
                    dialed.international(),
                    partner.name,
                    shown.join(", ")
                ))
                .with("number", dialed.international())
                .with("partner", &partner.name)
                .with("numbers", shown.join(", ")),
            ),
        )
    }

    /// Approves a case (approver who neither received nor called back on it). The case's
    /// account becomes the partner's current one.
    ///
    /// A case whose v2 response was recorded unchecked is approved only once the approver's
    /// callback secret confirms the response; a wrong one sends the case back to `hold` (a wrong
    /// response towards the lock), is logged and refused.
    pub fn approve(&mut self, session: &Session, id: i64) -> ServiceResult<CaseStatus> {
        let subject = format!("case:{id}");
        let unchecked = self.verified(session.user(), &subject, |tx, state| Ok(checked_case(tx, state, id)?.1.response_unchecked))?;
        if !unchecked {
            return self.transition(session, id, CaseAction::Approve, "case.approve", None, None);
        }
        // Role and dual control first (a refusal is logged), then the check.
        self.decide_or_refuse(session, id, CaseAction::ApproveCheckingResponse { response_correct: true }, "case.approve")?;
        match self.store.read(|tx| recorded_response_correct(tx, session, id))? {
            Some(true) => self.transition(session, id, CaseAction::ApproveCheckingResponse { response_correct: true }, "case.approve", None, None),
            Some(false) => {
                let action = CaseAction::ApproveCheckingResponse { response_correct: false };
                self.transition(session, id, action, "case.response_check_failed", None, None)?;
                Err(ServiceError::CheckFailed(
                    ErrorText::detailed("response_wrong", format!(
                        "the response recorded for case {id} is not the one the partner's key gives: the callback did not reach the partner \
                         (or the response was mistyped). The case is back on hold for another call to a number on file; \
                         each wrong response counts towards the lock."
                    ))
                    .with("case", id),
                ))
            }
            None => self.deny(
                session,
                "case.approve",
                &subject,
                ServiceError::NotPermitted(
                    ErrorText::detailed("callback_key_missing", format!(
                        "the partner's response on case {id} was recorded unchecked and is checked with our organisation's callback key, \
                         which {}'s keyring does not hold yet: sign in again once an admin or approver who holds it has signed in (they grant it)",
                        session.user()
                    ))
                    .with("case", id)
                    .with("user", session.user()),
                ),
            ),
        }
    }

    /// Rejects an open case (approver), with a reason.
    pub fn reject(&mut self, session: &Session, id: i64, reason: &str) -> ServiceResult<CaseStatus> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed("reason_needed", "give a reason for the rejection (--reason)")));
        }
        super::check_free_text(("reason", "the reason (--reason)"), reason, super::MAX_NOTE_CHARS)?;
        self.transition(session, id, CaseAction::Reject, "case.reject", Some(reason), None)
    }

    /// Reopens a callback locked after wrong responses (approver).
    pub fn reopen(&mut self, session: &Session, id: i64) -> ServiceResult<CaseStatus> {
        self.transition(session, id, CaseAction::Reopen, "case.reopen", None, None)
    }

    /// An approver's request, with a written reason, to release case `id` inside the cooling-off
    /// of the account it pays (issue 20): logged as a signed `case.release_early` statement. The
    /// approver must have taken no part in the change or the case; once
    /// [`EARLY_RELEASE_APPROVERS`] approvers asked, the case may be released (`release`).
    /// Returns the approvers who asked so far.
    pub fn release_early(&mut self, session: &Session, id: i64, reason: &str) -> ServiceResult<Vec<String>> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed("reason_needed", "give a reason for releasing early (--reason)")));
        }
        super::check_free_text(("reason", "the reason (--reason)"), reason, super::MAX_NOTE_CHARS)?;
        self.transition(session, id, CaseAction::ReleaseEarly, "case.release_early", Some(reason), None)?;
        let state = &mut self.implied;
        self.store.read(|tx| refresh(tx, state))?;
        Ok(state.cases.get(&id).map(|c| c.early_release_by.clone()).unwrap_or_default())
    }

    /// Whether `session` may release case `id` now (the same rule `release` applies), asked by a
    /// shell before it opens a save dialog for the bank file; a refusal is logged.
    pub fn check_release(&mut self, session: &Session, id: i64) -> ServiceResult<()> {
        self.decide_or_refuse(session, id, CaseAction::Release, "case.release").map(|_| ())
    }

    /// Releases a case: approved, or accepted up to the approval threshold. A case is released
    /// at most once, even by two processes at the same moment. With `export`, the bank file is
    /// built first from the verified record (never from the incoming file), so a release that
    /// cannot produce its export changes nothing.
    pub fn release(&mut self, session: &Session, id: i64, export: Option<ExportFormat>) -> ServiceResult<(Case, Option<Export>)> {
        self.decide_or_refuse(session, id, CaseAction::Release, "case.release")?;
        let artifact = match export {
            Some(format) => Some(self.build_export(session, id, format)?),
            None => None,
        };
        let bank_file = match (export, &artifact) {
            (Some(format), Some(artifact)) => Some((format, artifact)),
            _ => None,
        };
        self.transition(session, id, CaseAction::Release, "case.release", None, bank_file)?;
        Ok((self.store.read(|tx| load(tx, id))?, artifact))
    }

    /// The bank file of a released case (e.g. when saving the first one failed): the one made at
    /// its release or first export, identical to the byte and said to be a copy; made now (and
    /// kept) only if the case was released without one. A payment has one bank file: another
    /// format than the kept one's is refused. Logged, signed, and witnessed by a checkpoint.
    pub fn export_released(&mut self, session: &Session, id: i64, format: ExportFormat) -> ServiceResult<ExportedBankFile> {
        let subject = format!("case:{id}");
        self.authorize(session, Permission::ExportPayments, &subject)?;
        let (case, kept) = self.verified(session.user(), &subject, |tx, state| {
            let (case, _) = checked_case(tx, state, id)?;
            let kept = tx.bank_file(id)?;
            let signed = state.cases.get(&id).and_then(|c| c.bank_file_sha256.as_deref());
            if let Some(file) = &kept {
                if sha256_hex(&file.bytes) != file.sha256 || signed != Some(file.sha256.as_str()) {
                    return Ok(super::statements::differs(
                        "bank_files",
                        id,
                        "the kept bank file is not the one its release or export statement names",
                    )?);
                }
            }
            Ok((case, kept))
        })?;
        if case.status != CaseStatus::Released {
            let text = format!("case {id} is {}: only released payments are exported", case.status);
            return Err(ServiceError::CheckFailed(ErrorText::detailed("not_released", text).with("case", id).with("status", case.status)));
        }
        let (export, copy_of) = match &kept {
            Some(file) if file.format != format.as_str() => {
                let text = format!(
                    "case {id} was paid with a {} file made on {}: a payment has one bank file; export it as {} (a copy, identical)",
                    file.format, file.created_at, file.format
                );
                let text = ErrorText::detailed("paid_in_other_format", text).with("case", id).with("format", &file.format);
                return Err(ServiceError::InvalidInput(text.with("made", &file.created_at)));
            }
            Some(file) => (Export::from_kept(file)?, Some(file.created_at.clone())),
            None => (self.build_export(session, id, format)?, None),
        };
        let at = format_utc(now());
        let setup_mode = self.implied_state()?.in_setup_mode();
        self.store.write(|tx| -> ServiceResult<()> {
            if copy_of.is_none() {
                tx.insert_bank_file(id, format.as_str(), &export.sha256(), export.content(), &at)?;
            }
            let details = json!({ "format": format.as_str(), "bank_file_sha256": export.sha256(), "copy": copy_of.is_some() });
            append_statement(tx, session, &at, "case.export", &subject, details)?;
            super::audit::append_checkpoint(tx, session, "export", &at, false, setup_mode)?;
            Ok(())
        })?;
        Ok(ExportedBankFile { export, copy_of })
    }

    /// Records that the bank file of case `id` was written out (the shells call this once the
    /// file is on disk); until then the release counts as interrupted
    /// ([`Workspace::unsaved_bank_files`]).
    pub fn bank_file_saved(&mut self, session: &Session, id: i64, saved_to: &str) -> ServiceResult<()> {
        self.require_signed_in(session)?;
        let at = format_utc(now());
        self.store.write(|tx| -> ServiceResult<()> {
            tx.bank_file(id)?.ok_or_else(|| {
                ServiceError::NotFound(ErrorText::detailed("bank_file", format!("case {id} has no bank file")).with("case", id))
            })?;
            tx.set_bank_file_saved(id, &at)?;
            let file_name = std::path::Path::new(saved_to).file_name().map(|n| n.to_string_lossy().into_owned());
            tx.append_event(&at, session.user(), "case.bank_file_saved", &format!("case:{id}"), &json!({ "file_name": file_name }))?;
            Ok(())
        })
    }

    /// Cases released with a bank file that was never written out (a release interrupted between
    /// its commit and the file): each can be written again, identical, with `case export`.
    pub fn unsaved_bank_files(&mut self, session: &Session) -> ServiceResult<Vec<i64>> {
        self.require_signed_in(session)?;
        Ok(self.store.read(|tx| tx.unsaved_bank_files())?)
    }

    fn build_export(&mut self, session: &Session, id: i64, format: ExportFormat) -> ServiceResult<Export> {
        let org = self.org_account()?.ok_or_else(|| {
            ServiceError::InvalidInput(ErrorText::detailed(
                "org_account_needed",
                "set our organisation's account first (countersign org account): it is the debtor of the payment",
            ))
        })?;
        // The debtor and the case are the signed statements' (issue 14).
        let stored = serde_json::to_value(&org).expect("serialises");
        let case = self.verified(session.user(), &format!("case:{id}"), |tx, state| {
            if state.org_account.as_ref() != Some(&stored) {
                return Ok(super::statements::differs(
                    "settings",
                    "org_account",
                    "our account differs from the one a signed statement set",
                )?);
            }
            Ok(checked_case(tx, state, id)?.0)
        })?;
        let transfer = credit_transfer(&case, &org)?;
        let bad = |e: ExportError| ServiceError::InvalidInput(ErrorText::detailed("bank_file_impossible", e.to_string()).with("case", id));
        Ok(match format {
            ExportFormat::Pain001 => Export::Pain001(pain001_xml(&transfer).map_err(bad)?),
            ExportFormat::EpcQr => Export::EpcQr { payload: epc_qr_payload(&transfer).map_err(bad)?, qr: epc_qr(&transfer).map_err(bad)? },
        })
    }

    fn transition(
        &mut self,
        session: &Session,
        id: i64,
        action: CaseAction,
        name: &str,
        reason: Option<&str>,
        bank_file: Option<(ExportFormat, &Export)>,
    ) -> ServiceResult<CaseStatus> {
        self.decide_or_refuse(session, id, action, name)?;
        let at = format_utc(now());
        let state = &mut self.implied;
        self.store.write(|tx| -> ServiceResult<CaseStatus> {
            refresh(tx, state)?;
            let (case, f) = checked_case(tx, state, id)?;
            let t = decide(&f, session.user(), session.role(), action, &state.policy).map_err(refusal(id))?;
            move_case(tx, id, f.status, t.status)?;
            tx.set_wrong_responses(id, t.wrong_responses)?;
            match action {
                CaseAction::Approve | CaseAction::ApproveCheckingResponse { response_correct: true } | CaseAction::Reject => {
                    tx.set_decision(id, session.user(), &at, reason)?
                }
                CaseAction::ApproveCheckingResponse { response_correct: false } => mark_confirmation_wrong(tx, id)?,
                CaseAction::Release => tx.set_release(id, session.user(), &at)?,
                _ => {}
            }
            if t.make_account_current {
                if let (Some(partner), Some(key)) = (case.partner_id, &case.account_key) {
                    tx.make_account_current(partner, key, &at)?;
                }
            }
            let mut details = json!({ "from": f.status.as_str(), "to": t.status.as_str(), "reason": reason });
            if let CaseAction::ApproveCheckingResponse { response_correct } = action {
                details["response_checked"] = json!(true);
                details["response_correct"] = json!(response_correct);
                details["wrong_responses"] = json!(t.wrong_responses);
            }
            if let Some((format, file)) = bank_file {
                // The one bank file of this payment, kept: exporting again gives these bytes.
                tx.insert_bank_file(id, format.as_str(), &file.sha256(), file.content(), &at)?;
                details["format"] = json!(format.as_str());
                details["bank_file_sha256"] = json!(file.sha256());
            }
            append_statement(tx, session, &at, name, &format!("case:{id}"), details)?;
            // Approvals and releases are witnessed by a signed checkpoint; an approval is
            // countersigned by the approver.
            match action {
                CaseAction::Approve | CaseAction::ApproveCheckingResponse { response_correct: true } => {
                    drop(super::audit::append_checkpoint(tx, session, "approval", &at, true, state.in_setup_mode())?)
                }
                CaseAction::Release => drop(super::audit::append_checkpoint(tx, session, "release", &at, false, state.in_setup_mode())?),
                _ => {}
            }
            Ok(t.status)
        })
    }

    /// Cases, newest first, optionally only those with a status.
    pub fn cases(&mut self, session: &Session, status: Option<CaseStatus>) -> ServiceResult<Vec<Case>> {
        Ok(self.cases_page(session, status, &Page::default())?.items)
    }

    /// One page of the cases, newest first (`case list --limit --after`).
    pub fn cases_page(&mut self, session: &Session, status: Option<CaseStatus>, page: &Page) -> ServiceResult<Paged<Case>> {
        self.require_signed_in(session)?;
        let rows = self.store.read(|tx| tx.cases(status, page))?;
        Ok(Paged::of(rows, page, |c| c.id))
    }

    /// One case in full: record, callbacks, timeline, the numbers to call, the bank name checks
    /// (their rows checked against their statements: a difference is refused and logged).
    pub fn case(&mut self, session: &Session, id: i64) -> ServiceResult<CaseDetail> {
        self.require_signed_in(session)?;
        let state = &mut self.implied;
        let result = self.store.read(|tx| -> ServiceResult<CaseDetail> {
            refresh(tx, state)?;
            let case = load(tx, id)?;
            let (on_file_numbers, on_file_account) = match case.partner_id {
                Some(p) => (numbers_on_file(tx, state, p, Some(id))?, account_on_file(tx, state, p)?),
                None => (vec![], None),
            };
            let name_checks = super::name_checks::checked_name_checks(tx, state, id)?;
            let file = tx.case_file(id)?.and_then(|f| Envelope::parse(&f, FileKind::Instruction).ok());
            let callbacks = tx.callbacks(id)?;
            let confirmed = callbacks.last().is_some_and(|c| c.outcome.as_deref() == Some("confirmed"));
            let unchecked = state.cases.get(&id).is_some_and(|c| c.response_unchecked);
            let facts = state.case_facts(id, now());
            let next_steps = facts.as_ref().map_or_else(Vec::new, |f| offered_steps(f, session.user(), session.role(), &state.policy));
            let may_attach = facts.as_ref().is_some_and(|f| may_attach_name_check(f, session.user(), session.role(), &state.policy));
            let timeline = tx.events_for_subject(&format!("case:{id}"))?;
            let frozen = match (case.partner_id, case.status.is_open()) {
                (Some(p), true) => super::freezes::frozen_finding_for(state, p, case.account_key.as_deref(), now()),
                _ => None,
            };
            Ok(CaseDetail {
                partner_frozen: frozen,
                next_steps,
                cooling_off: facts.as_ref().and_then(|f| cooling_off_view(f, &state.policy, &timeline)),
                callbacks,
                timeline,
                on_file_numbers,
                on_file_account,
                setup_mode: state.in_setup_mode(),
                response_version: file.map(|e| e.version()),
                response_checked: confirmed.then_some(!unchecked),
                name_check_findings: super::name_checks::name_check_findings(&case, &name_checks),
                name_checks,
                may_attach_name_check: may_attach,
                case,
            })
        });
        self.log_unverified(session.user(), &format!("case:{id}"), result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewNumber, NewPartner, Role};
    use countersign_core::bank::Country;
    use countersign_core::format::card::{CardDetails, Contact, ContactKind};
    use countersign_core::format::keys::KeyPair;
    use countersign_core::registry::NumberSource;

    /// Issue 19: the callback's numbers carry how the partner's own card names the same number
    /// (matched in E.164 whatever the card's spelling); a number the card does not list has none.
    /// Issue 20: a label the admin typed comes first, and each number says where it came from:
    /// typed at onboarding, or taken from the partner's signed card.
    #[test]
    fn each_number_on_file_carries_its_label_and_where_it_came_from() {
        let (_dir, mut ws, alice) = crate::test_support::admin_workspace();
        let key = KeyPair::from_seed(&[7; 32]);
        let contact =
            |value: &str, label: Option<&str>| Contact { kind: ContactKind::Phone, value: value.into(), label: label.map(String::from) };
        let details = CardDetails {
            name: "Globex Corporation".into(),
            country: Some(Country::parse("DE").unwrap()),
            domains: vec![],
            contacts: vec![
                contact("030 1234567", Some("Accounts receivable")),
                contact("+49 30 7654321", Some("Treasury")),
                contact("+44 20 7946 0958", Some("London")),
            ],
        };
        let card = PartnerCard::create(&key, details, now()).unwrap();
        let phones =
            [NewNumber::plain("+49 30 1234567"), NewNumber { number: "+44 20 7946 0958".into(), label: Some(" Office in London ".into()) }];
        let new = NewPartner {
            card: &card.to_bytes(),
            confirm_fingerprint: &card.fingerprint().to_string(),
            phones: &phones,
            card_numbers: true,
            domains: &[],
            country: None,
            known_account: None,
        };
        ws.add_partner(&alice, &new).unwrap();
        let numbers = ws.verified("alice", "partner:1", |tx, state| numbers_on_file(tx, state, 1, None)).unwrap();
        let shown: Vec<(&str, Option<&str>, NumberSource, &str)> = numbers
            .iter()
            .map(|n| (n.number.e164.as_str(), n.label.as_deref(), n.provenance.source, n.provenance.recorded_by.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("+49301234567", Some("Accounts receivable"), NumberSource::Onboarding, "alice"),
                ("+442079460958", Some("Office in London"), NumberSource::Onboarding, "alice"),
                ("+49307654321", Some("Treasury"), NumberSource::PartnerCard, "alice"),
            ]
        );
        assert!(numbers.iter().all(|n| n.withheld.is_none() && n.provenance.approved_by.is_none()), "setup mode: no second person");
        let long = NewNumber { number: "+49 30 1234568".into(), label: Some("x".repeat(crate::partners::MAX_LABEL_CHARS + 1)) };
        assert_eq!(ws.add_partner_phone(&alice, 1, &long).unwrap_err().code(), "invalid_input");
    }

    /// Issue 20: a number that appears in the instruction's email, or was put on file after the
    /// instruction arrived, is not offered for its callback, and a callback to it is refused with
    /// its reason and logged; a number on file before and not in the email is offered.
    #[test]
    fn a_number_from_the_email_or_added_after_the_instruction_is_withheld_and_refused() {
        let (_dir, mut ws, alice) = crate::test_support::admin_workspace();
        ws.add_user(&alice, "carol", Role::Clerk, "carol password 1").unwrap();
        let carol = ws.login(&crate::Credentials { user: "carol", password: "carol password 1", totp: None }).unwrap();
        let key = crate::test_support::onboard_a_partner(&mut ws, &alice, true);
        ws.add_partner_phone(&alice, 1, &NewNumber::plain("+44 20 7946 0958")).unwrap();
        let email = b"From: Hank <hank@globex.example>\r\nSubject: new bank\r\n\r\nCall me: +44 20 7946 0958 or +33 1 23 45 67 89\r\n";
        let account = ("FR1420041010050500013M02606", "PSSTFRPPLIL");
        let (id, _) = crate::test_support::receive_with_email(&mut ws, &carol, &key, "INV-9", account, "100.00", Some(email));
        ws.add_partner_phone(&alice, 1, &NewNumber { number: "+49 30 7654321".into(), label: Some("Treasury".into()) }).unwrap();

        let detail = ws.case(&carol, id).unwrap();
        let codes: Vec<&str> = detail.case.findings.iter().map(|f| f.code.as_str()).collect();
        assert!(codes.contains(&"email_number_not_on_file"), "+33 is in the email and not on file: {codes:?}");
        let offered: Vec<(&str, Option<Withheld>)> = detail.on_file_numbers.iter().map(|n| (n.number.e164.as_str(), n.withheld)).collect();
        assert_eq!(
            offered,
            [("+49301234567", None), ("+442079460958", Some(Withheld::InEmail)), ("+49307654321", Some(Withheld::AddedAfterInstruction)),]
        );
        assert_eq!(detail.on_file_numbers[2].provenance.source, NumberSource::Change);

        ws.start_callback(&carol, id).unwrap();
        for (dialed, reason) in [("+44 20 7946 0958", "in the email"), ("+49 30 7654321", "after this instruction arrived")] {
            let report = CallbackReport { dialed, reached: "Hank", response: None, outcome: CallbackOutcome::Unreachable, note: None };
            let refused = ws.record_callback(&carol, id, &report).unwrap_err();
            assert_eq!(refused.code(), "number_withheld", "{dialed}");
            assert!(refused.to_string().contains(reason), "{refused}");
        }
        let refusals = ws.store.read(|tx| tx.events_for_subject(&format!("case:{id}"))).unwrap();
        let withheld: Vec<String> = refusals
            .iter()
            .filter(|e| e.action == "case.callback_refused")
            .map(|e| serde_json::from_str::<serde_json::Value>(&e.details).unwrap()["withheld"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(withheld, ["in_email", "added_after_instruction"]);
        let report = CallbackReport {
            dialed: "+49 30 1234567",
            reached: "Maria",
            response: None,
            outcome: CallbackOutcome::Unreachable,
            note: None,
        };
        assert_eq!(ws.record_callback(&carol, id, &report).unwrap(), CaseStatus::Hold, "the number on file before, not in the email");
    }

    /// Issue 20, on the backend the suite runs on: after a change of account is called back and
    /// approved, its release is refused (`cooling_off`) until two approvers who took no part asked
    /// to release early; each request is a signed statement the replay counts; the case shows the
    /// time left; a day later (the service's clock moved ahead) a change's payment goes at once.
    #[test]
    fn a_changed_accounts_payment_waits_its_cooling_off_unless_two_other_approvers_release_early() {
        use crate::changes::Outcome;
        use countersign_core::auth::Role;
        let (_dir, mut ws, alice) = crate::test_support::admin_workspace();
        let login = |ws: &mut Workspace, user: &str| {
            ws.login(&crate::Credentials { user, password: &format!("{user} password 1"), totp: None }).unwrap()
        };
        ws.add_user(&alice, "clara", Role::Clerk, "clara password 1").unwrap();
        let key = crate::test_support::onboard_a_partner(&mut ws, &alice, true);
        for name in ["anna", "arne", "ava", "gil"] {
            if let Outcome::Pending(change) = ws.add_user(&alice, name, Role::Approver, &format!("{name} password 1")).unwrap() {
                let anna = login(&mut ws, "anna");
                ws.approve_change(&anna, change.id).unwrap();
            }
        }
        let (clara, anna, arne, ava, gil) =
            (login(&mut ws, "clara"), login(&mut ws, "anna"), login(&mut ws, "arne"), login(&mut ws, "ava"), login(&mut ws, "gil"));
        let changed = |ws: &mut Workspace, n: &str, new: (&str, &str)| {
            let (id, file) = crate::test_support::receive_an_instruction(ws, &clara, &key, n, new, "500.00");
            let challenge = ws.start_callback(&arne, id).unwrap();
            let envelope = Envelope::parse(&file, FileKind::Instruction).unwrap();
            let response = ChallengeResponse::compute(challenge, envelope.payload()).to_string();
            let report = CallbackReport {
                dialed: "+49 30 1234567",
                reached: "Hans",
                response: Some(&response),
                outcome: CallbackOutcome::Confirmed,
                note: None,
            };
            assert_eq!(ws.record_callback(&arne, id, &report).unwrap(), CaseStatus::CallbackConfirmed);
            id
        };
        let id = changed(&mut ws, "INV-2", ("DE02120300000000202051", "BYLADEM1001"));
        ws.approve(&anna, id).unwrap();

        // The queue shows it waiting for the clock, for those who could release it, not as work.
        let queue = ws.work_queue(&anna, 10).unwrap();
        let waits: Vec<i64> = queue.cooling_off.iter().map(|w| w.case.id).collect();
        let release = queue.groups.iter().find(|g| g.step == CaseStep::Release).unwrap();
        assert_eq!((waits, queue.cooling_off_count, release.count), (vec![id], 1, 0));
        assert_eq!(format_utc(queue.cooling_off[0].until), ws.case(&anna, id).unwrap().cooling_off.unwrap().until);
        assert_eq!(ws.work_queue(&clara, 10).unwrap().cooling_off_count, 0, "a clerk does not release an approved case");
        let refused = ws.release(&anna, id, None).err().expect("refused inside the cooling-off");
        assert_eq!(refused.code(), "cooling_off", "{refused}");
        let detail = ws.case(&gil, id).unwrap();
        let cooling = detail.cooling_off.expect("the case shows its cooling-off");
        assert!((23 * 3600..=24 * 3600).contains(&cooling.left_seconds), "{cooling:?}");
        assert_eq!((cooling.hours, cooling.needed, detail.next_steps), (24, 2, vec![CaseStep::ReleaseEarly, CaseStep::Reject]));
        for made_the_change in [&arne, &anna] {
            assert_eq!(ws.release_early(made_the_change, id, "urgent").unwrap_err().code(), "not_permitted");
        }
        assert_eq!(ws.release_early(&ava, id, "  ").unwrap_err().code(), "invalid_input");
        assert_eq!(ws.release_early(&ava, id, "payroll due").unwrap(), ["ava"]);
        assert_eq!(ws.release(&anna, id, None).err().map(|e| e.code()), Some("cooling_off"), "one request is not enough");
        assert_eq!(ws.release_early(&ava, id, "again").unwrap_err().code(), "check_failed");
        assert_eq!(ws.case(&gil, id).unwrap().cooling_off.unwrap().early_releases[0].reason, "payroll due");
        assert_eq!(ws.release_early(&gil, id, "seen in person").unwrap(), ["ava", "gil"]);
        assert_eq!(ws.release(&anna, id, None).unwrap().0.status, CaseStatus::Released);
        let events = ws.store.read(|tx| tx.events_for_subject(&format!("case:{id}"))).unwrap();
        let asked: Vec<&str> = events.iter().filter(|e| e.action == "case.release_early").map(|e| e.actor.as_str()).collect();
        assert_eq!(asked, ["ava", "gil"]);
        assert!(ws.implied_state().unwrap().problems.is_empty());

        let later = changed(&mut ws, "INV-3", ("DE94100700000000000002", "DEUTDEBBXXX"));
        ws.approve(&anna, later).unwrap();
        assert_eq!(ws.work_queue(&anna, 10).unwrap().cooling_off.iter().map(|w| w.case.id).collect::<Vec<_>>(), [later]);
        crate::clock::move_ahead(time::Duration::hours(25));
        assert!(ws.case(&anna, later).unwrap().cooling_off.is_none());
        let queue = ws.work_queue(&anna, 10).unwrap();
        let release = queue.groups.iter().find(|g| g.step == CaseStep::Release).unwrap();
        assert_eq!((queue.cooling_off_count, release.cases.iter().map(|c| c.id).collect::<Vec<_>>()), (0, vec![later]), "over: work");
        assert_eq!(ws.release_early(&gil, later, "no need").unwrap_err().code(), "check_failed");
        assert_eq!(ws.release(&anna, later, None).unwrap().0.status, CaseStatus::Released);
        assert!(ws.implied_state().unwrap().problems.is_empty());
    }
}
