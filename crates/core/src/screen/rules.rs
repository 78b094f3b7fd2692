//! The screening rules (pure): each credit transfer of the ERP's file judged against what the
//! partners signed, and the file's own arithmetic checked. A line is `ok` only when it pays a
//! partner's current account that a signed instruction established and whose case cleared the
//! controls the policy asks for, under the partner's name, within its history's amounts. The
//! service gathers [`ScreenFacts`] from the signed statements; this module decides.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

use super::decimal::{written_decimals, Decimal};
use super::pain001::{CreditLine, FileAccount, PaymentFile};
use super::Pain001Version;
use crate::assess::history::EarlierAmounts;
use crate::assess::payee_name::{compare_names, normalise_name, NameComparison, NameMatch};
use crate::bank::{Bic, Currency, Iban};
use crate::cases::policy::Policy;
use crate::registry::AccountStatus;

/// A line's verdict, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum LineVerdict {
    /// Pays a partner's verified current account, as its history expects.
    Ok,
    /// Needs a person to look before the file goes to the bank.
    Hold,
    /// Must not be paid: the account is retired, marked, or someone else's.
    Blocked,
}

impl LineVerdict {
    /// The contract's string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Hold => "hold",
            Self::Blocked => "blocked",
        }
    }
}

macro_rules! screen_reasons {
    ($($variant:ident => $text:literal, $doc:literal;)*) => {
        /// Why a line or the file is not `ok`: stable strings, in the style of the contract's
        /// reason codes (the same string where the meaning is the same).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum ScreenReason {
            $(#[doc = $doc] $variant,)*
        }

        impl ScreenReason {
            /// Every reason, in the order reports list them.
            pub const ALL: &'static [ScreenReason] = &[$(Self::$variant),*];

            /// The stable string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }
    };
}

screen_reasons! {
    AccountKnownFraudulent => "account_known_fraudulent", "The account was confirmed fraudulent after a denied callback.";
    AccountSuspected => "account_suspected", "A callback about the account was denied; no second person has cleared it.";
    AccountUsedByOtherPartner => "account_used_by_other_partner", "The account is another partner's than the one the line names.";
    AccountPreviouslyRetired => "account_previously_retired", "The account was the partner's and has been replaced.";
    PartnerKeyRevoked => "partner_key_revoked", "The partner has no key that may sign any more.";
    PartnerFrozen => "partner_frozen", "The partner froze its payments with a signed notice that holds this account.";
    CreditorNotPartner => "creditor_not_partner", "Neither the account nor the name is a partner's.";
    AccountNotOnFile => "account_not_on_file", "The name is a partner's, the account is not in its history.";
    IbanInvalid => "iban_invalid", "The IBAN fails its country format or checksum.";
    BicInvalid => "bic_invalid", "The creditor agent's BIC is not a well-formed business identifier code.";
    AccountUnconfirmed => "account_unconfirmed", "The account was seen in an instruction not yet through callback and approval.";
    AccountNotSigned => "account_not_signed", "The account is on file, but no signed instruction of the partner established it.";
    AccountCoolingOff => "account_cooling_off", "The account became current less than the policy's cooling-off time ago.";
    BeneficiaryNameMismatch => "beneficiary_name_mismatch", "The creditor name is not the partner's legal name.";
    BeneficiaryNameClose => "beneficiary_name_close", "The creditor name is close to the partner's legal name, not the same.";
    AmountUnusual => "amount_unusual", "The amount is far outside the partner's history.";
    AmountInvalid => "amount_invalid", "The amount has more decimals than its currency, or is zero.";
    CurrencyInvalid => "currency_invalid", "Not an ISO 4217 currency with minor units, or not EUR on a SEPA line.";
    CurrencyUnusual => "currency_unusual", "The partner was paid before, never in this currency.";
    DuplicateLine => "duplicate_line", "The same creditor account, amount and reference as an earlier line.";
    DuplicateEndToEndId => "duplicate_end_to_end_id", "The same end-to-end id as an earlier line.";
    DebtorAccountNotOurs => "debtor_account_not_ours", "The block pays from an account that is not ours.";
    ExecutionDatePast => "execution_date_past", "The block's requested execution date is before today.";
    TransactionCountMismatch => "transaction_count_mismatch", "NbOfTxs does not count the lines there are.";
    ControlSumMismatch => "control_sum_mismatch", "CtrlSum is not the sum of the amounts there are.";
}

/// One reason, its weight and a sentence for the person screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The stable code.
    pub code: ScreenReason,
    /// `hold` or `blocked`.
    pub verdict: LineVerdict,
    /// What was found, with the facts.
    pub message: String,
}

/// A partner as the screening needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerRef {
    /// Id in the workspace.
    pub id: i64,
    /// Legal name.
    pub name: String,
}

/// The verdict on one credit transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineReport {
    /// Position in the file, from 1.
    pub number: usize,
    /// `PmtInfId` of its block.
    pub block: String,
    /// `EndToEndId`.
    pub end_to_end_id: String,
    /// The creditor name as written.
    pub creditor_name: String,
    /// The account as people read it.
    pub account: String,
    /// Its identity for comparisons (`iban:…`, `local:…`, `other:…`).
    pub account_key: String,
    /// The creditor agent's BIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    /// The amount as written.
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// Remittance information.
    pub remittance: String,
    /// The partner it was matched to, by account or by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<PartnerRef>,
    /// The worst of the reasons' verdicts (`ok` with none).
    pub verdict: LineVerdict,
    /// Why it is not `ok`, worst first.
    pub reasons: Vec<Reason>,
}

/// A finding about the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileFinding {
    /// The stable code.
    pub code: ScreenReason,
    /// The block it is about (`PmtInfId`), or none for the group header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// What was found.
    pub message: String,
}

/// How many lines got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    /// All lines.
    pub lines: usize,
    /// `ok`.
    pub ok: usize,
    /// `hold`.
    pub hold: usize,
    /// `blocked`.
    pub blocked: usize,
}

/// The screening of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenReport {
    /// The message version.
    pub version: Pain001Version,
    /// `GrpHdr/MsgId`.
    pub message_id: String,
    /// `GrpHdr/CreDtTm`.
    pub created_at: String,
    /// Every line, in file order.
    pub lines: Vec<LineReport>,
    /// The file's own findings (counts and sums).
    pub file_findings: Vec<FileFinding>,
    /// Lines per verdict.
    pub counts: VerdictCounts,
    /// `ok` only when every line is `ok` and the file has no finding.
    pub verdict: LineVerdict,
}

/// One account in a partner's history, as the statements make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerAccount {
    /// `BankAccount::key`.
    pub key: String,
    /// Its status.
    pub status: AccountStatus,
    /// An instruction the partner signed named it, and its case cleared the controls the
    /// policy asked for (accepted, approved or released).
    pub signed: bool,
    /// When it became current after another account was: the start of its cooling-off.
    pub changed_at: Option<OffsetDateTime>,
}

/// A partner as the screening reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFacts {
    /// Id and legal name.
    pub partner: PartnerRef,
    /// Whether any pinned key may still sign.
    pub has_active_key: bool,
    /// Its account history.
    pub accounts: Vec<PartnerAccount>,
    /// Its earlier amounts by currency code, from cases that cleared their controls.
    pub amounts: BTreeMap<String, EarlierAmounts>,
    /// Its freezes in force now (issue 20), each with a sentence naming it: a line paying an
    /// account the scope holds is held.
    pub freezes: Vec<(crate::format::freeze::FreezeScope, String)>,
}

/// Everything the rules read besides the file.
#[derive(Debug, Clone)]
pub struct ScreenFacts {
    /// Every partner.
    pub partners: Vec<PartnerFacts>,
    /// Marked accounts by key: `true` when confirmed fraudulent, `false` while suspected.
    pub marks: BTreeMap<String, bool>,
    /// Keys of our own accounts (empty when none is on file).
    pub our_accounts: Vec<String>,
    /// The policy.
    pub policy: Policy,
    /// Now.
    pub now: OffsetDateTime,
}

/// Screens a read file. Pure and deterministic: the same file and facts give the same report.
pub fn screen(file: &PaymentFile, facts: &ScreenFacts) -> ScreenReport {
    let index = PartnerIndex::new(&facts.partners);
    let mut seen = Seen::default();
    let lines: Vec<LineReport> = file.lines.iter().map(|line| screen_line(file, line, facts, &index, &mut seen)).collect();
    let file_findings = file_findings(file);
    let mut counts = VerdictCounts { lines: lines.len(), ..VerdictCounts::default() };
    for line in &lines {
        match line.verdict {
            LineVerdict::Ok => counts.ok += 1,
            LineVerdict::Hold => counts.hold += 1,
            LineVerdict::Blocked => counts.blocked += 1,
        }
    }
    let worst_line = lines.iter().map(|l| l.verdict).max().unwrap_or(LineVerdict::Ok);
    let verdict = if file_findings.is_empty() { worst_line } else { worst_line.max(LineVerdict::Hold) };
    ScreenReport {
        version: file.version,
        message_id: file.message_id.clone(),
        created_at: file.created_at.clone(),
        lines,
        file_findings,
        counts,
        verdict,
    }
}

/// Lookups over the partners: who holds an account, whose name a creditor name is.
struct PartnerIndex<'f> {
    partners: &'f [PartnerFacts],
    by_account: HashMap<&'f str, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    /// Names already looked up.
    similar: std::cell::RefCell<HashMap<String, Option<(usize, NameMatch)>>>,
    /// Creditor names already compared with a partner's legal name, by partner id: a run pays
    /// each partner line after line, and the comparison costs more than the rest of a line's
    /// rules (the comparison's own bounded memory is too small for a run to thousands of partners).
    compared: std::cell::RefCell<HashMap<(i64, String), NameComparison>>,
}

impl<'f> PartnerIndex<'f> {
    fn new(partners: &'f [PartnerFacts]) -> Self {
        let mut by_account: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in partners.iter().enumerate() {
            for a in &p.accounts {
                by_account.entry(a.key.as_str()).or_default().push(i);
            }
            by_name.entry(normalise_name(&p.partner.name)).or_default().push(i);
        }
        PartnerIndex { partners, by_account, by_name, similar: Default::default(), compared: Default::default() }
    }

    /// The partners whose history holds the account.
    fn holders(&self, key: &str) -> &[usize] {
        self.by_account.get(key).map_or(&[], Vec::as_slice)
    }

    /// The partner the name is most like, if any is a match or a close match. A payment run
    /// names the same creditors line after line: each name is looked up once.
    fn named(&self, name: &str) -> Option<(usize, NameMatch)> {
        if let Some(known) = self.similar.borrow().get(name) {
            return *known;
        }
        let found = self.named_afresh(name);
        self.similar.borrow_mut().insert(name.to_string(), found);
        found
    }

    /// The creditor name compared with the partner's legal name, once per pair in a screening.
    fn compare(&self, partner: &PartnerFacts, creditor_name: &str) -> NameComparison {
        let key = (partner.partner.id, creditor_name.to_string());
        if let Some(known) = self.compared.borrow().get(&key) {
            return known.clone();
        }
        let comparison = compare_names(&partner.partner.name, creditor_name);
        self.compared.borrow_mut().insert(key, comparison.clone());
        comparison
    }

    fn named_afresh(&self, name: &str) -> Option<(usize, NameMatch)> {
        let normal = normalise_name(name);
        if let Some(&first) = self.by_name.get(&normal).and_then(|v| v.first()) {
            if !normal.is_empty() {
                return Some((first, NameMatch::Match));
            }
        }
        self.partners
            .iter()
            .enumerate()
            .map(|(i, p)| (i, compare_names(&p.partner.name, name)))
            .filter(|(_, c)| c.outcome() != NameMatch::NoMatch)
            .max_by(|(_, a), (_, b)| a.score().total_cmp(&b.score()))
            .map(|(i, c)| (i, c.outcome()))
    }
}

/// What earlier lines of the file were: for the duplicate checks.
#[derive(Default)]
struct Seen {
    payments: HashMap<(String, Option<Decimal>, String, String), usize>,
    end_to_end: HashMap<String, usize>,
}

/// The account's identity and how people read it.
fn account_identity(line: &CreditLine) -> (String, String, Option<String>) {
    let FileAccount { iban, other_id, other_scheme } = &line.account;
    if let Some(iban) = iban {
        return match Iban::parse_electronic(iban) {
            Ok(valid) => (format!("iban:{}", valid.electronic()), valid.grouped(), None),
            Err(e) => (format!("iban:{iban}"), iban.clone(), Some(format!("the IBAN {iban} is not valid: {e}"))),
        };
    }
    let id = other_id.clone().unwrap_or_default();
    let country = line
        .clearing_system
        .as_deref()
        .and_then(clearing_country)
        .or(line.bic.as_deref().and_then(|b| b.get(4..6)))
        .or(line.agent_country.as_deref());
    match (&line.routing_code, country) {
        (Some(routing), Some(country)) => (format!("local:{country}:{routing}:{id}"), format!("{id} (routing {routing}, {country})"), None),
        _ => {
            let scheme = other_scheme.as_deref().unwrap_or("");
            (format!("other:{scheme}:{id}"), if scheme.is_empty() { id.clone() } else { format!("{id} ({scheme})") }, None)
        }
    }
}

/// The country of a clearing-system code (`USABA`: US), as the exports write them.
fn clearing_country(code: &str) -> Option<&str> {
    code.get(..2).filter(|c| c.bytes().all(|b| b.is_ascii_uppercase()))
}

// Long: the rules in the order they are documented; each arm is two or three lines.
fn screen_line(file: &PaymentFile, line: &CreditLine, facts: &ScreenFacts, index: &PartnerIndex<'_>, seen: &mut Seen) -> LineReport {
    let (key, display, invalid) = account_identity(line);
    let mut reasons = Reasons::default();
    if let Some(problem) = invalid {
        reasons.hold(ScreenReason::IbanInvalid, problem);
    }
    if let Some(problem) = bic_problem(line.bic.as_deref()) {
        reasons.hold(ScreenReason::BicInvalid, problem);
    }
    let partner = match_partner(line, (&key, &display), facts, index, &mut reasons);
    account_rules(&key, partner, facts, &mut reasons);
    if let Some(p) = partner {
        name_rules(p, &index.compare(p, &line.creditor_name), &line.creditor_name, &mut reasons);
    }
    let amount = amount_rules(line, partner, facts, &mut reasons);
    block_rules(file, line, facts, &mut reasons);
    duplicate_rules(line, &key, amount, seen, &mut reasons);
    let mut reasons = reasons.0;
    reasons.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.code.cmp(&b.code)));
    LineReport {
        number: line.number,
        block: file.blocks.get(line.block).map(|b| b.id.clone()).unwrap_or_default(),
        end_to_end_id: line.end_to_end_id.clone(),
        creditor_name: line.creditor_name.clone(),
        account: display,
        account_key: key,
        bic: line.bic.clone(),
        amount: line.amount.clone(),
        currency: line.currency.clone(),
        remittance: line.remittance.clone(),
        partner: partner.map(|p| p.partner.clone()),
        verdict: reasons.iter().map(|r| r.verdict).max().unwrap_or(LineVerdict::Ok),
        reasons,
    }
}

#[derive(Default)]
struct Reasons(Vec<Reason>);

impl Reasons {
    fn hold(&mut self, code: ScreenReason, message: String) {
        self.0.push(Reason { code, verdict: LineVerdict::Hold, message });
    }

    fn block(&mut self, code: ScreenReason, message: String) {
        self.0.push(Reason { code, verdict: LineVerdict::Blocked, message });
    }
}

fn bic_problem(bic: Option<&str>) -> Option<String> {
    let bic = bic?;
    Bic::parse(bic).err().map(|e| format!("the BIC {bic} is not valid: {e}"))
}

/// The partner the line pays: the holder of its account (the one the name fits best when several
/// hold it), else the partner the name is. Adds the reasons the match itself gives.
fn match_partner<'f>(
    line: &CreditLine,
    (key, display): (&str, &str),
    facts: &'f ScreenFacts,
    index: &PartnerIndex<'f>,
    reasons: &mut Reasons,
) -> Option<&'f PartnerFacts> {
    let holders = index.holders(key);
    let named = index.named(&line.creditor_name);
    let partners = &facts.partners;
    if holders.is_empty() {
        return match named {
            Some((i, _)) => {
                let p = &partners[i];
                reasons.hold(
                    ScreenReason::AccountNotOnFile,
                    format!(
                        "{display} is not in the account history of {}: its bank details may have been changed in the ERP",
                        p.partner.name
                    ),
                );
                Some(p)
            }
            None => {
                reasons.hold(
                    ScreenReason::CreditorNotPartner,
                    format!("neither the account nor the name {:?} is a partner's", line.creditor_name),
                );
                None
            }
        };
    }
    let holder = match named {
        Some((i, _)) if holders.contains(&i) => i,
        _ => holders[0],
    };
    let others: Vec<&str> = holders.iter().filter(|&&i| i != holder).map(|&i| partners[i].partner.name.as_str()).collect();
    if let Some((i, NameMatch::Match)) = named.filter(|(i, _)| !holders.contains(i)) {
        reasons.block(
            ScreenReason::AccountUsedByOtherPartner,
            format!("the line names {} but the account is {}'s", partners[i].partner.name, partners[holder].partner.name),
        );
    } else if !others.is_empty() {
        reasons.block(ScreenReason::AccountUsedByOtherPartner, format!("the account is in the history of {} as well", others.join(", ")));
    }
    Some(&partners[holder])
}

/// The marks and the account's place in the partner's history.
fn account_rules(key: &str, partner: Option<&PartnerFacts>, facts: &ScreenFacts, reasons: &mut Reasons) {
    match facts.marks.get(key) {
        Some(true) => {
            reasons.block(ScreenReason::AccountKnownFraudulent, "the account was confirmed fraudulent after a denied callback".into())
        }
        Some(false) => reasons.block(
            ScreenReason::AccountSuspected,
            "a callback about this account was denied: it is blocked until a second person clears it".into(),
        ),
        None => {}
    }
    let Some(p) = partner else { return };
    if let Some((_, freeze)) = p.freezes.iter().find(|(scope, _)| scope.holds(Some(key))) {
        reasons.hold(ScreenReason::PartnerFrozen, format!("{} froze its payments: {freeze}", p.partner.name));
    }
    let has_current = p.accounts.iter().any(|a| a.status == AccountStatus::Current);
    if !p.has_active_key {
        let message = format!("{} has no key that may sign any more (revoked)", p.partner.name);
        match has_current {
            true => reasons.hold(ScreenReason::PartnerKeyRevoked, message),
            false => reasons.block(ScreenReason::PartnerKeyRevoked, format!("{message} and no current account")),
        }
    }
    let Some(account) = p.accounts.iter().find(|a| a.key == key) else { return };
    let name = &p.partner.name;
    match account.status {
        AccountStatus::Fraudulent => {
            if !facts.marks.contains_key(key) {
                reasons.block(ScreenReason::AccountKnownFraudulent, format!("the account is marked fraudulent in {name}'s history"));
            }
        }
        AccountStatus::Retired => {
            reasons.block(ScreenReason::AccountPreviouslyRetired, format!("the account was {name}'s and has been replaced"))
        }
        AccountStatus::Pending => reasons.hold(
            ScreenReason::AccountUnconfirmed,
            format!("the account came in an instruction of {name} that has not been through callback and approval"),
        ),
        AccountStatus::Current if !account.signed => reasons.hold(
            ScreenReason::AccountNotSigned,
            format!("the account is on file for {name}, but no instruction signed by {name} has established it"),
        ),
        AccountStatus::Current => cooling_off(account, facts, name, reasons),
    }
}

fn cooling_off(account: &PartnerAccount, facts: &ScreenFacts, name: &str, reasons: &mut Reasons) {
    let Some(changed) = account.changed_at else { return };
    let until = changed + Duration::hours(i64::from(facts.policy.cooling_off_hours));
    if facts.now < until {
        let left = until - facts.now;
        reasons.hold(
            ScreenReason::AccountCoolingOff,
            format!(
                "{name}'s account changed on {}: the first payments to it wait {} hours (about {} h {:02} min left)",
                crate::encoding::format_utc(changed),
                facts.policy.cooling_off_hours,
                left.whole_hours(),
                left.whole_minutes() % 60
            ),
        );
    }
}

fn name_rules(p: &PartnerFacts, comparison: &NameComparison, creditor_name: &str, reasons: &mut Reasons) {
    let legal = &p.partner.name;
    if comparison.confusables() {
        reasons.hold(
            ScreenReason::BeneficiaryNameMismatch,
            format!("the name {creditor_name:?} has look-alike or invisible characters (partner: {legal})"),
        );
        return;
    }
    match comparison.outcome() {
        NameMatch::Match => {}
        NameMatch::CloseMatch => {
            reasons.hold(ScreenReason::BeneficiaryNameClose, format!("the name {creditor_name:?} is close to {legal:?}, not the same"))
        }
        NameMatch::NoMatch => reasons
            .hold(ScreenReason::BeneficiaryNameMismatch, format!("the name {creditor_name:?} is not the partner's legal name {legal:?}")),
    }
}

/// The amount and currency against the partner's history; the amount, when it reads.
fn amount_rules(line: &CreditLine, partner: Option<&PartnerFacts>, facts: &ScreenFacts, reasons: &mut Reasons) -> Option<Decimal> {
    let decimal = Decimal::parse(&line.amount);
    let currency = match Currency::parse(&line.currency) {
        Ok(c) => c,
        Err(_) => {
            reasons.hold(ScreenReason::CurrencyInvalid, format!("{:?} is not an ISO 4217 currency with minor units", line.currency));
            return decimal;
        }
    };
    let sepa = line.service_level.as_deref() == Some("SEPA");
    if sepa && currency.code() != "EUR" {
        reasons.hold(ScreenReason::CurrencyInvalid, format!("a SEPA transfer is in EUR, this line is in {}", currency.code()));
    }
    let minor = decimal.and_then(|d| d.to_minor(currency.minor_digits())).filter(|&m| m > 0);
    let Some(minor) = minor else {
        reasons.hold(
            ScreenReason::AmountInvalid,
            format!("{} {} is zero or has more decimals than {} has", line.amount, currency.code(), currency.code()),
        );
        return decimal;
    };
    let Some(p) = partner else { return decimal };
    match p.amounts.get(currency.code()) {
        None if !p.amounts.is_empty() => reasons.hold(
            ScreenReason::CurrencyUnusual,
            format!("{} was paid before in {} only", p.partner.name, p.amounts.keys().cloned().collect::<Vec<_>>().join(", ")),
        ),
        Some(earlier) if earlier.count >= facts.policy.amount_history_min => {
            let factor = u64::from(facts.policy.amount_unusual_factor);
            if let Some(largest) = earlier.largest.filter(|&l| minor > l.saturating_mul(factor)) {
                reasons.hold(
                    ScreenReason::AmountUnusual,
                    format!(
                        "{} {} is more than {factor} times the largest earlier payment to {} ({})",
                        line.amount,
                        currency.code(),
                        p.partner.name,
                        crate::bank::Money::from_minor(largest, currency).map(|m| m.decimal()).unwrap_or_default()
                    ),
                );
            }
        }
        _ => {}
    }
    decimal
}

/// The block's debtor account and execution date, for each of its lines.
fn block_rules(file: &PaymentFile, line: &CreditLine, facts: &ScreenFacts, reasons: &mut Reasons) {
    let Some(block) = file.blocks.get(line.block) else { return };
    if let Some(ours) = debtor_key(&block.debtor_account) {
        if !facts.our_accounts.is_empty() && !facts.our_accounts.contains(&ours) {
            let shown = block.debtor_account.iban.clone().or(block.debtor_account.other_id.clone()).unwrap_or_default();
            reasons.hold(
                ScreenReason::DebtorAccountNotOurs,
                format!("block {} pays from {shown}, which is not our account on file", block.id),
            );
        }
    }
    if is_before(&block.execution_date, facts.now.date()) {
        reasons.hold(
            ScreenReason::ExecutionDatePast,
            format!("block {} asks for execution on {}, before today", block.id, block.execution_date),
        );
    }
}

/// Whether a schema-valid `xs:date` is before `today`: its calendar date, any time zone
/// (`2020-01-02Z`, `2020-01-02+01:00`, which the schema allows) set aside. A year before 1
/// (`-0004-…`) is before; a year after 9999 is not.
fn is_before(date: &str, today: Date) -> bool {
    if date.starts_with('-') {
        return true;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.get(..10).and_then(|d| Date::parse(d, format).ok()).is_some_and(|d| d < today)
}

fn debtor_key(account: &FileAccount) -> Option<String> {
    match (&account.iban, &account.other_id) {
        (Some(iban), _) => {
            Some(Iban::parse_electronic(iban).map_or_else(|_| format!("iban:{iban}"), |i| format!("iban:{}", i.electronic())))
        }
        (None, Some(id)) => Some(format!("other::{id}")),
        (None, None) => None,
    }
}

fn duplicate_rules(line: &CreditLine, key: &str, amount: Option<Decimal>, seen: &mut Seen, reasons: &mut Reasons) {
    let payment = (key.to_string(), amount, line.currency.clone(), line.remittance.clone());
    if let Some(first) = seen.payments.get(&payment) {
        reasons.hold(ScreenReason::DuplicateLine, format!("line {first} pays the same account the same amount with the same reference"));
    } else {
        seen.payments.insert(payment, line.number);
    }
    if line.end_to_end_id != "NOTPROVIDED" {
        match seen.end_to_end.get(&line.end_to_end_id) {
            Some(first) => {
                reasons.hold(ScreenReason::DuplicateEndToEndId, format!("line {first} has the end-to-end id {:?} too", line.end_to_end_id))
            }
            None => {
                seen.end_to_end.insert(line.end_to_end_id.clone(), line.number);
            }
        }
    }
}

/// The group header's and each block's `NbOfTxs` and `CtrlSum` against the lines.
fn file_findings(file: &PaymentFile) -> Vec<FileFinding> {
    let mut found = vec![];
    let mut check = |block: Option<&str>, count: Option<&str>, sum: Option<&str>, lines: &[&CreditLine]| {
        let place = block.map_or("the group header".to_string(), |b| format!("block {b}"));
        if let Some(count) = count {
            if count.trim().parse::<usize>().ok() != Some(lines.len()) {
                found.push(FileFinding {
                    code: ScreenReason::TransactionCountMismatch,
                    block: block.map(str::to_string),
                    message: format!("{place} says {count} transactions, there are {}", lines.len()),
                });
            }
        }
        if let Some(sum) = sum {
            let actual = lines.iter().try_fold(Decimal::ZERO, |s, l| Decimal::parse(&l.amount).and_then(|a| s.checked_add(a)));
            if actual.is_none() || Decimal::parse(sum) != actual {
                // Written with as many decimals as the stated sum, so the two read alike.
                let actual = actual.map_or("not computable".to_string(), |a| a.to_text(written_decimals(sum)));
                found.push(FileFinding {
                    code: ScreenReason::ControlSumMismatch,
                    block: block.map(str::to_string),
                    message: format!("{place} says the amounts sum to {sum}, they sum to {actual}"),
                });
            }
        }
    };
    let all: Vec<&CreditLine> = file.lines.iter().collect();
    check(None, Some(&file.count), file.control_sum.as_deref(), &all);
    for (i, block) in file.blocks.iter().enumerate() {
        let lines: Vec<&CreditLine> = file.lines.iter().filter(|l| l.block == i).collect();
        check(Some(&block.id), block.count.as_deref(), block.control_sum.as_deref(), &lines);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::pain001::PaymentBlock;
    use time::macros::datetime;

    const GLOBEX_IBAN: &str = "DE89370400440532013000";
    const ACME_IBAN: &str = "FR1420041010050500013M02606";
    const OURS: &str = "DE02120300000000202051";
    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    fn account(iban: &str, status: AccountStatus, signed: bool) -> PartnerAccount {
        PartnerAccount { key: format!("iban:{iban}"), status, signed, changed_at: None }
    }

    fn partner(id: i64, name: &str, accounts: Vec<PartnerAccount>) -> PartnerFacts {
        PartnerFacts {
            partner: PartnerRef { id, name: name.into() },
            has_active_key: true,
            accounts,
            amounts: BTreeMap::from([("EUR".to_string(), EarlierAmounts::of(&[1000_00, 1500_00, 1200_00]))]),
            freezes: vec![],
        }
    }

    fn facts() -> ScreenFacts {
        ScreenFacts {
            partners: vec![
                partner(1, "Globex Corporation", vec![account(GLOBEX_IBAN, AccountStatus::Current, true)]),
                partner(2, "Acme GmbH", vec![account(ACME_IBAN, AccountStatus::Current, true)]),
            ],
            marks: BTreeMap::new(),
            our_accounts: vec![format!("iban:{OURS}")],
            policy: Policy::default(),
            now: NOW,
        }
    }

    fn line(number: usize, name: &str, iban: &str, amount: &str) -> CreditLine {
        CreditLine {
            number,
            end_to_end_id: format!("E2E-{number}"),
            amount: amount.into(),
            currency: "EUR".into(),
            creditor_name: name.into(),
            account: FileAccount { iban: Some(iban.into()), ..FileAccount::default() },
            bic: Some("COBADEFFXXX".into()),
            service_level: Some("SEPA".into()),
            remittance: format!("Invoice {number}"),
            ..CreditLine::default()
        }
    }

    fn file(lines: Vec<CreditLine>) -> PaymentFile {
        let block = PaymentBlock {
            id: "B1".into(),
            execution_date: "2026-12-04".into(),
            debtor_account: FileAccount { iban: Some(OURS.into()), ..FileAccount::default() },
            ..PaymentBlock::default()
        };
        PaymentFile {
            version: Pain001Version::V03,
            message_id: "M1".into(),
            created_at: "2026-12-03T09:00:00".into(),
            count: lines.len().to_string(),
            control_sum: None,
            count_span: 0..0,
            control_sum_span: None,
            blocks: vec![block],
            lines,
        }
    }

    /// The codes of each line of a one-file screening.
    fn codes(report: &ScreenReport) -> Vec<Vec<&'static str>> {
        report.lines.iter().map(|l| l.reasons.iter().map(|r| r.code.as_str()).collect()).collect()
    }

    fn screen_one(l: CreditLine, facts: &ScreenFacts) -> LineReport {
        screen(&file(vec![l]), facts).lines.remove(0)
    }

    #[test]
    fn the_report_counts_each_verdict_and_names_it() {
        let mut f = facts();
        f.partners[1].accounts[0].status = AccountStatus::Retired;
        let lines = vec![
            line(1, "Globex Corporation", GLOBEX_IBAN, "10"),
            line(2, "Globex Corporation", GLOBEX_IBAN, "11"),
            line(3, "Initech", "DE75512108001245126199", "12"),
            line(4, "Acme GmbH", ACME_IBAN, "13"),
        ];
        let report = screen(&file(lines), &f);
        let verdicts: Vec<&str> = report.lines.iter().map(|l| l.verdict.as_str()).collect();
        assert_eq!(verdicts, ["ok", "ok", "hold", "blocked"]);
        assert_eq!(report.counts, VerdictCounts { lines: 4, ok: 2, hold: 1, blocked: 1 });
        assert_eq!(report.verdict, LineVerdict::Blocked);
        for verdict in [LineVerdict::Ok, LineVerdict::Hold, LineVerdict::Blocked] {
            assert_eq!(serde_json::to_value(verdict).unwrap(), serde_json::json!(verdict.as_str()));
        }
    }

    /// Two partners whose names normalise alike (the look-alike check at onboarding only warns):
    /// a name is matched to the first of them, and a name with no letters to none.
    #[test]
    fn a_name_two_partners_share_is_matched_to_the_first() {
        let mut f = facts();
        f.partners.push(partner(3, "GLOBEX CORP.", vec![]));
        f.partners.push(partner(4, "***", vec![]));
        let report = screen_one(line(1, "Globex", "DE75512108001245126199", "10"), &f);
        assert_eq!(report.partner.map(|p| p.id), Some(1));
        let report = screen_one(line(1, "+++", "DE75512108001245126199", "10"), &f);
        assert_eq!((report.partner.clone(), codes_of(&report)), (None, vec!["creditor_not_partner"]));
    }

    /// An account in two partners' histories: the line belongs to the one it names, and is blocked
    /// naming the other.
    #[test]
    fn a_shared_account_is_the_named_holders_and_blocked() {
        let mut f = facts();
        f.partners[1].accounts.push(account(GLOBEX_IBAN, AccountStatus::Current, true));
        let report = screen_one(line(1, "Acme GmbH", GLOBEX_IBAN, "10"), &f);
        assert_eq!(report.partner.as_ref().map(|p| p.id), Some(2));
        assert_eq!(codes_of(&report), ["account_used_by_other_partner"]);
        assert_eq!(report.reasons[0].message, "the account is in the history of Globex Corporation as well");
    }

    /// A partner never paid has no usual currency, and one paid fewer times than the policy's
    /// `amount_history_min` no usual amount.
    #[test]
    fn too_short_a_history_says_nothing_about_currency_or_amount() {
        let mut f = facts();
        f.partners[0].amounts.clear();
        assert_eq!(codes_of(&screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "99999.00"), &f)), Vec::<&str>::new());
        f.partners[0].amounts.insert("EUR".into(), EarlierAmounts::of(&[1000_00, 1500_00]));
        assert_eq!(codes_of(&screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "99999.00"), &f)), Vec::<&str>::new());
        f.partners[0].amounts.insert("EUR".into(), EarlierAmounts::of(&[1000_00, 1500_00, 1200_00]));
        assert_eq!(codes_of(&screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "99999.00"), &f)), ["amount_unusual"]);
    }

    #[test]
    fn a_block_may_ask_for_execution_today() {
        let mut pf = file(vec![line(1, "Globex Corporation", GLOBEX_IBAN, "10")]);
        pf.blocks[0].execution_date = "2026-12-03".into();
        assert_eq!(codes(&screen(&pf, &facts())), [Vec::<&str>::new()]);
        pf.blocks[0].execution_date = "2026-12-02".into();
        assert_eq!(codes(&screen(&pf, &facts())), [vec!["execution_date_past"]]);
    }

    /// A past date with a time zone, as the schema's `xs:date` allows, was not read as a date at
    /// all, so a payment run dated in the past went through without `execution_date_past`.
    #[test]
    fn a_past_execution_date_with_a_time_zone_is_past() {
        let mut pf = file(vec![line(1, "Globex Corporation", GLOBEX_IBAN, "10")]);
        for (date, past) in [
            ("2026-12-02Z", true),
            ("2026-12-02+14:00", true),
            ("2026-12-02-05:00", true),
            ("-0004-02-29", true),
            ("2026-12-03Z", false),
            ("2026-12-04+01:00", false),
            ("10000-01-01", false),
        ] {
            pf.blocks[0].execution_date = date.into();
            let expected: Vec<&str> = if past { vec!["execution_date_past"] } else { vec![] };
            assert_eq!(codes(&screen(&pf, &facts())), [expected], "{date}");
        }
    }

    fn codes_of(report: &LineReport) -> Vec<&'static str> {
        report.reasons.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn a_verified_current_account_under_its_name_is_ok() {
        let report =
            screen(&file(vec![line(1, "Globex Corporation", GLOBEX_IBAN, "1400.00"), line(2, "ACME GmbH", ACME_IBAN, "10")]), &facts());
        assert_eq!(codes(&report), [Vec::<&str>::new(), vec![]]);
        assert_eq!((report.verdict, report.counts.ok), (LineVerdict::Ok, 2));
        assert_eq!(report.lines[0].partner.as_ref().map(|p| p.id), Some(1));
        assert_eq!(report.lines[0].account, "DE89 3704 0044 0532 0130 00");
    }

    #[test]
    fn the_vendor_master_trick_is_held_and_another_partners_account_is_blocked() {
        let f = facts();
        let changed = screen_one(line(1, "Globex Corporation", "GB29NWBK60161331926819", "1400.00"), &f);
        assert_eq!((changed.verdict, changed.reasons[0].code), (LineVerdict::Hold, ScreenReason::AccountNotOnFile));
        assert!(changed.reasons[0].message.contains("Globex Corporation"), "{:?}", changed.reasons);
        let swapped = screen_one(line(1, "Globex Corporation", ACME_IBAN, "1400.00"), &f);
        assert_eq!((swapped.verdict, swapped.reasons[0].code), (LineVerdict::Blocked, ScreenReason::AccountUsedByOtherPartner));
        assert_eq!(swapped.partner.as_ref().map(|p| p.id), Some(2), "matched by account first");
        let stranger = screen_one(line(1, "Initech", "GB29NWBK60161331926819", "10"), &f);
        assert_eq!(stranger.reasons.iter().map(|r| r.code).collect::<Vec<_>>(), [ScreenReason::CreditorNotPartner]);
        assert_eq!(stranger.partner, None);
    }

    #[test]
    fn each_account_status_and_mark_gives_its_verdict() {
        let cases = [
            (AccountStatus::Retired, true, LineVerdict::Blocked, ScreenReason::AccountPreviouslyRetired),
            (AccountStatus::Fraudulent, true, LineVerdict::Blocked, ScreenReason::AccountKnownFraudulent),
            (AccountStatus::Pending, false, LineVerdict::Hold, ScreenReason::AccountUnconfirmed),
            (AccountStatus::Current, false, LineVerdict::Hold, ScreenReason::AccountNotSigned),
        ];
        for (status, signed, verdict, code) in cases {
            let mut f = facts();
            f.partners[0].accounts = vec![account(GLOBEX_IBAN, status, signed)];
            let r = screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f);
            assert_eq!((r.verdict, r.reasons[0].code), (verdict, code), "{status:?}");
        }
        for (confirmed, code) in [(true, ScreenReason::AccountKnownFraudulent), (false, ScreenReason::AccountSuspected)] {
            let mut f = facts();
            f.marks.insert(format!("iban:{GLOBEX_IBAN}"), confirmed);
            let r = screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f);
            assert_eq!((r.verdict, r.reasons[0].code), (LineVerdict::Blocked, code));
        }
    }

    /// Issue 20: a partner's freeze holds every line paying it; one of scope `all_but` spares the
    /// account it names.
    #[test]
    fn a_frozen_partners_lines_are_held_but_the_excepted_account() {
        use crate::format::freeze::{ExceptedAccount, FreezeScope};
        let mut f = facts();
        f.partners[0].freezes = vec![(FreezeScope::All, "notice f-1 holds every payment".into())];
        let r = screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f);
        assert_eq!((r.verdict, r.reasons[0].code), (LineVerdict::Hold, ScreenReason::PartnerFrozen));
        assert!(r.reasons[0].message.contains("Globex Corporation froze its payments: notice f-1"), "{}", r.reasons[0].message);
        assert_eq!(screen_one(line(1, "Acme GmbH", ACME_IBAN, "10"), &f).verdict, LineVerdict::Ok, "another partner is not held");
        let except = ExceptedAccount::Iban(crate::bank::Iban::parse_electronic(GLOBEX_IBAN).unwrap());
        f.partners[0].freezes = vec![(FreezeScope::AllBut(except), "notice f-2".into())];
        assert_eq!(screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f).verdict, LineVerdict::Ok, "the excepted account");
    }

    #[test]
    fn a_changed_account_cools_off_for_the_policys_hours_exactly() {
        let mut f = facts();
        f.partners[0].accounts[0].changed_at = Some(NOW - Duration::hours(23));
        let r = screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f);
        assert_eq!(r.reasons[0].code, ScreenReason::AccountCoolingOff);
        assert!(r.reasons[0].message.contains("about 1 h 00 min left"), "{}", r.reasons[0].message);
        f.partners[0].accounts[0].changed_at = Some(NOW - Duration::hours(24));
        assert_eq!(screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f).verdict, LineVerdict::Ok);
        f.policy.cooling_off_hours = 0;
        f.partners[0].accounts[0].changed_at = Some(NOW);
        assert_eq!(screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f).verdict, LineVerdict::Ok, "0 hours: no wait");
    }

    #[test]
    fn names_amounts_and_currencies_against_the_history() {
        let f = facts();
        let code = |l: CreditLine| screen_one(l, &f).reasons.iter().map(|r| r.code).collect::<Vec<_>>();
        assert_eq!(code(line(1, "Globex Corp", GLOBEX_IBAN, "10")), [], "legal forms do not count");
        assert_eq!(code(line(1, "Globx Corporation", GLOBEX_IBAN, "10")), [ScreenReason::BeneficiaryNameClose]);
        assert_eq!(code(line(1, "Hooli Ltd", GLOBEX_IBAN, "10")), [ScreenReason::BeneficiaryNameMismatch]);
        assert_eq!(code(line(1, "Glоbex Corporation", GLOBEX_IBAN, "10")), [ScreenReason::BeneficiaryNameMismatch], "Cyrillic о");
        assert_eq!(code(line(1, "Globex Corporation", GLOBEX_IBAN, "4500.00")), [], "exactly three times the largest is not unusual");
        assert_eq!(code(line(1, "Globex Corporation", GLOBEX_IBAN, "4500.01")), [ScreenReason::AmountUnusual]);
        assert_eq!(code(line(1, "Globex Corporation", GLOBEX_IBAN, "10.001")), [ScreenReason::AmountInvalid]);
        assert_eq!(code(line(1, "Globex Corporation", GLOBEX_IBAN, "0.00")), [ScreenReason::AmountInvalid]);
        let usd = CreditLine { currency: "USD".into(), service_level: None, ..line(1, "Globex Corporation", GLOBEX_IBAN, "10") };
        assert_eq!(code(usd.clone()), [ScreenReason::CurrencyUnusual]);
        assert_eq!(
            code(CreditLine { service_level: Some("SEPA".into()), ..usd }),
            [ScreenReason::CurrencyInvalid, ScreenReason::CurrencyUnusual]
        );
        let bad = line(1, "Globex Corporation", "DE89370400440532013001", "10");
        let bad_bic = CreditLine { bic: Some("COBA-DEFF".into()), ..line(1, "Globex Corporation", GLOBEX_IBAN, "10") };
        assert_eq!(code(bad_bic), [ScreenReason::BicInvalid]);
        assert_eq!(code(bad), [ScreenReason::AccountNotOnFile, ScreenReason::IbanInvalid], "a wrong check digit is no partner's account");
    }

    #[test]
    fn duplicates_blocks_and_the_files_sums_are_checked() {
        let f = facts();
        let mut lines = vec![line(1, "Globex Corporation", GLOBEX_IBAN, "10"), line(2, "Globex Corporation", GLOBEX_IBAN, "10.00")];
        lines[1].remittance = lines[0].remittance.clone();
        lines.push(line(3, "Acme GmbH", ACME_IBAN, "5"));
        lines[2].end_to_end_id = "E2E-1".into();
        let mut pf = file(lines);
        pf.count = "4".into();
        pf.control_sum = Some("25.01".into());
        pf.blocks[0].execution_date = "2026-12-02".into();
        pf.blocks[0].debtor_account.iban = Some("DE75512108001245126199".into());
        let report = screen(&pf, &f);
        assert_eq!(
            codes(&report),
            [
                vec!["debtor_account_not_ours", "execution_date_past"],
                vec!["duplicate_line", "debtor_account_not_ours", "execution_date_past"],
                vec!["duplicate_end_to_end_id", "debtor_account_not_ours", "execution_date_past"]
            ]
        );
        let file_codes: Vec<_> = report.file_findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(file_codes, ["transaction_count_mismatch", "control_sum_mismatch"]);
        assert!(report.file_findings[1].message.ends_with("they sum to 25.00"), "{:?}", report.file_findings);
        pf.count = "3".into();
        pf.control_sum = Some("25.00".into());
        assert!(screen(&pf, &f).file_findings.is_empty());
    }

    #[test]
    fn a_partner_without_a_signing_key_is_held_or_blocked() {
        let mut f = facts();
        f.partners[0].has_active_key = false;
        let r = screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f);
        assert_eq!((r.verdict, r.reasons[0].code), (LineVerdict::Hold, ScreenReason::PartnerKeyRevoked));
        f.partners[0].accounts[0].status = AccountStatus::Retired;
        let r = screen_one(line(1, "Globex Corporation", GLOBEX_IBAN, "10"), &f);
        assert_eq!(r.verdict, LineVerdict::Blocked);
        assert!(r.reasons.iter().any(|x| x.code == ScreenReason::PartnerKeyRevoked && x.verdict == LineVerdict::Blocked));
    }

    #[test]
    fn the_report_is_the_same_for_the_same_file_and_facts() {
        let pf = file(vec![line(1, "Globex Corp", GLOBEX_IBAN, "10"), line(2, "Stranger", OURS, "10")]);
        assert_eq!(screen(&pf, &facts()), screen(&pf, &facts()));
        let strings: Vec<&str> = ScreenReason::ALL.iter().map(|r| r.as_str()).collect();
        for (r, s) in ScreenReason::ALL.iter().zip(&strings) {
            assert_eq!(serde_json::to_value(r).unwrap(), *s);
        }
    }
}
