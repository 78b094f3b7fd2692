//! The assessment rules (pure): given a verified instruction and what the workspace knows about
//! the partner and every other partner's accounts, the bank-detail findings. No I/O: the store
//! gathers the [`PartnerHistory`] and [`AccountElsewhere`], this module decides.

use time::{Duration, OffsetDateTime, UtcOffset};

pub use crate::registry::AccountStatus;

use crate::assess::findings::{Finding, ReasonCode};
use crate::assess::payee_name::{compare_names, has_confusables, NameMatch};
use crate::bank::{BankAccount, Currency, Money};
use crate::cases::policy::Policy;
use crate::format::verify::VerifiedInstruction;

/// One account in a partner's history.
#[derive(Debug, Clone)]
pub struct KnownAccount {
    /// [`BankAccount::key`] of the account.
    pub key: String,
    /// How people read it (IBAN in groups).
    pub display: String,
    /// Country where it is held.
    pub country: String,
    /// Its status.
    pub status: AccountStatus,
    /// When it became the current account (None if it never was).
    pub became_current_at: Option<OffsetDateTime>,
}

/// What the workspace knows about the partner whose key signed the instruction.
#[derive(Debug, Clone)]
pub struct PartnerHistory {
    /// Legal name.
    pub legal_name: String,
    /// Registered country, if recorded.
    pub country: Option<String>,
    /// Every account seen for this partner.
    pub accounts: Vec<KnownAccount>,
    /// When a key of this partner was last rotated.
    pub last_key_rotation: Option<OffsetDateTime>,
    /// The partner's earlier amounts in the instruction's currency, from instructions we accepted.
    pub amounts_in_currency: EarlierAmounts,
}

/// What the amount rule needs of a partner's earlier amounts in one currency: how many (counted
/// only as far as the rule needs, so that the cost does not grow with the history) and the
/// largest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EarlierAmounts {
    /// How many there are, or at least [`Policy::amount_history_min`] of them when there are more.
    pub count: u32,
    /// The largest, in minor units.
    pub largest: Option<u64>,
}

impl EarlierAmounts {
    /// The figures of a list of amounts (in tests, and wherever the list is at hand).
    pub fn of(amounts: &[u64]) -> Self {
        EarlierAmounts { count: u32::try_from(amounts.len()).unwrap_or(u32::MAX), largest: amounts.iter().copied().max() }
    }
}

/// What the workspace knows about the instruction's account outside this partner.
#[derive(Debug, Clone, Default)]
pub struct AccountElsewhere {
    /// Marked (for any partner) after a denied callback; the text says when and why.
    pub fraudulent: Option<String>,
    /// The mark is only a suspicion: no second person confirmed it yet (issue 15).
    pub suspected: bool,
    /// Names of other partners this account is registered to.
    pub other_partners: Vec<String>,
}

/// Assesses the bank details of a verified instruction whose account is valid.
///
/// `account` is the instruction's validated account (what [`VerifiedInstruction::account`]
/// returns); the instruction supplies the beneficiary name and the amount. The format and
/// identity checks (signature, validity, IBAN/BIC formats, `iban_bic_country_mismatch`) are done
/// before this, in [`crate::format::verify`]; this function adds the findings that need history.
///
/// Returns at most one finding per code, in the order of the contract's list of reason codes.
/// Severities: `account_known_fraudulent` is critical; `first_instruction`,
/// `account_used_by_other_partner` and a close `beneficiary_name_mismatch` are warnings or info
/// as the policy says; all others are warnings. Pure and total: no I/O, never panics, whatever
/// the history, the policy or the times hold.
///
/// The rules, in output order:
/// - `first_instruction`: the partner has no account with status [`AccountStatus::Current`].
/// - `bank_details_changed`: the partner has a current account and the instruction's account is
///   not it.
/// - `account_previously_retired`: the instruction's account is in the partner's history as
///   [`AccountStatus::Retired`].
/// - `account_known_fraudulent`: [`AccountElsewhere::fraudulent`] is set, or the partner's own
///   history has the account as [`AccountStatus::Fraudulent`].
/// - `account_used_by_other_partner`: [`AccountElsewhere::other_partners`] is not empty.
/// - `beneficiary_name_mismatch`: the beneficiary name is not a [`NameMatch::Match`] for the
///   legal name, or either name contains look-alike or invisible characters.
/// - `country_changed`: the account is held in another country than the partner's current
///   account or, when there is none, than the partner's registered country.
/// - `recent_key_rotation`: a key of the partner was rotated at most
///   [`Policy::rotation_window_days`] days before `now` (or at a time after `now`).
/// - `frequent_changes`: `bank_details_changed` applies and the account already changed within
///   [`Policy::change_window_days`] days before `now`. A change is an account becoming current
///   after another one was: the partner's first account (the earliest to become current, when no
///   retired account of unknown date precedes it) is not a change.
/// - `amount_unusual`: the instruction has an amount, the history holds at least
///   [`Policy::amount_history_min`] earlier amounts in its currency, and the amount is more than
///   [`Policy::amount_unusual_factor`] times the largest of them (exactly that multiple is not
///   unusual). Integer arithmetic only.
pub fn assess_bank_details(
    instruction: &VerifiedInstruction,
    account: &BankAccount,
    partner: &PartnerHistory,
    elsewhere: &AccountElsewhere,
    policy: &Policy,
    now: OffsetDateTime,
) -> Vec<Finding> {
    let payload = instruction.instruction();
    let key = account.key();
    let current = current_account(partner, &key);
    let changed = current.filter(|c| c.key != key);
    let a = Assessed { key, shown: account.display_number(), current, changed, partner, policy, now };
    let findings: Vec<Finding> = [
        first_instruction(&a),
        bank_details_changed(&a),
        previously_retired(&a),
        known_fraudulent(&a, elsewhere),
        other_partners(&a.shown, &elsewhere.other_partners, policy),
        name_check(&partner.legal_name, &payload.beneficiary_name, policy),
        country_check(account, &a.shown, current, partner),
        recent_key_rotation(&a),
        frequent_changes(&a),
        amount_check(payload.amount, partner.amounts_in_currency, policy),
    ]
    .into_iter()
    .flatten()
    .collect();
    debug_assert!(findings.windows(2).all(|w| w[0].code < w[1].code), "contract order, no duplicates");
    findings
}

/// What the rules of [`assess_bank_details`] look at: the instruction's account, the partner's history and the policy.
struct Assessed<'a> {
    /// [`BankAccount::key`] of the instruction's account.
    key: String,
    /// The instruction's account as people read it.
    shown: String,
    /// The partner's current account, if any.
    current: Option<&'a KnownAccount>,
    /// The current account when the instruction changes away from it.
    changed: Option<&'a KnownAccount>,
    partner: &'a PartnerHistory,
    policy: &'a Policy,
    now: OffsetDateTime,
}

impl<'a> Assessed<'a> {
    /// The entries of the partner's history for the instruction's account.
    fn same_account(&self) -> impl Iterator<Item = &'a KnownAccount> + '_ {
        self.partner.accounts.iter().filter(move |a| a.key == self.key)
    }
}

/// `first_instruction`: the partner has no current account to compare with.
fn first_instruction(a: &Assessed<'_>) -> Option<Finding> {
    if a.current.is_some() {
        return None;
    }
    let (name, shown) = (&a.partner.legal_name, &a.shown);
    let message = format!(
        "No current account of {name:?} is on file (none from the contract, none from an earlier \
         confirmed instruction), so the account {shown} cannot be compared with one already trusted."
    );
    Some(
        if a.policy.first_instruction_needs_callback {
            Finding::warning(ReasonCode::FirstInstruction, message + " Confirm it with a callback to a number on file.")
        } else {
            Finding::info(ReasonCode::FirstInstruction, message)
        }
        .with("partner", name.as_str())
        .with("account", shown.as_str()),
    )
}

/// `bank_details_changed`: the instruction's account is not the partner's current one.
fn bank_details_changed(a: &Assessed<'_>) -> Option<Finding> {
    let (current, shown) = (a.changed?, &a.shown);
    Some(
        Finding::warning(
            ReasonCode::BankDetailsChanged,
            format!("The account changes from {} to {shown} ({}).", current.display, since(current)),
        )
        .with("from", current.display.as_str())
        .with("to", shown.as_str()),
    )
}

/// `account_previously_retired`: the partner goes back to an account retired from its history.
fn previously_retired(a: &Assessed<'_>) -> Option<Finding> {
    let retired = a.same_account().find(|k| k.status == AccountStatus::Retired)?;
    let when = match retired.became_current_at {
        Some(t) => format!(" (it became the current account on {})", day(t)),
        None => String::new(),
    };
    let (name, shown) = (&a.partner.legal_name, &a.shown);
    Some(
        Finding::warning(
            ReasonCode::AccountPreviouslyRetired,
            format!(
                "The account {shown} was used for {name:?} before{when} and has been retired since. \
             Confirm with a callback that the partner really goes back to it."
            ),
        )
        .with("account", shown.as_str()),
    )
}

/// `account_known_fraudulent` (a second person confirmed the mark) or `account_suspected` (a
/// callback about it was denied; not confirmed yet): the account was marked, for any partner,
/// saying why when that is known. Both block the payment.
fn known_fraudulent(a: &Assessed<'_>, elsewhere: &AccountElsewhere) -> Option<Finding> {
    let shown = &a.shown;
    let fraudulent_here = a.same_account().any(|k| k.status == AccountStatus::Fraudulent);
    if elsewhere.fraudulent.is_none() && !fraudulent_here {
        return None;
    }
    let why = elsewhere.fraudulent.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(|w| w.trim_end_matches('.'));
    if elsewhere.suspected {
        let why = why.map(|w| format!(": {w}")).unwrap_or_default();
        return Some(
            Finding::critical(
                ReasonCode::AccountSuspected,
                format!(
                    "The account {shown} is suspected after a denied callback{why}. Payments to it are blocked until a second \
                 person confirms it as fraudulent or clears the mark."
                ),
            )
            .with("account", shown.as_str()),
        );
    }
    Some(
        Finding::critical(
            ReasonCode::AccountKnownFraudulent,
            match why {
                Some(why) => format!("The account {shown} is known to be fraudulent: {why}. Do not pay to it."),
                None => format!("The account {shown} was marked fraudulent after a denied callback. Do not pay to it."),
            },
        )
        .with("account", shown.as_str()),
    )
}

/// `recent_key_rotation`: a key of the partner was rotated within the policy's window.
fn recent_key_rotation(a: &Assessed<'_>) -> Option<Finding> {
    let (name, policy, now) = (&a.partner.legal_name, a.policy, a.now);
    let rotated = a.partner.last_key_rotation.filter(|&t| within_days(t, now, policy.rotation_window_days))?;
    let ago = match (now - rotated).whole_days() {
        d if d < 0 => String::new(),
        0 => ", less than a day ago".to_string(),
        1 => ", 1 day ago".to_string(),
        d => format!(", {d} days ago"),
    };
    Some(
        Finding::warning(
            ReasonCode::RecentKeyRotation,
            format!(
                "The signing key of {name:?} was rotated on {}{ago}; instructions are confirmed by \
             callback for {} days after a key rotation.",
                day(rotated),
                policy.rotation_window_days
            ),
        )
        .with("at", day(rotated))
        .with("days", policy.rotation_window_days.to_string()),
    )
}

/// `frequent_changes`: the account changes again, having already changed within the policy's window.
fn frequent_changes(a: &Assessed<'_>) -> Option<Finding> {
    a.changed?; // Only a change can be a frequent one.
    let recent = changes_within(a.partner, a.now, a.policy.change_window_days);
    if recent.is_empty() {
        return None;
    }
    let earlier: Vec<String> = recent.iter().map(|(k, t)| format!("to {} on {}", k.display, day(*t))).collect();
    Some(
        Finding::warning(
            ReasonCode::FrequentChanges,
            format!(
                "This would be the {} change of account within {} days: the account already changed {}.",
                ordinal(recent.len().saturating_add(1)),
                a.policy.change_window_days,
                join_and(&earlier)
            ),
        )
        .with("count", recent.len().saturating_add(1).to_string())
        .with("days", a.policy.change_window_days.to_string()),
    )
}

/// The partner's current account: the instruction's own account if it is a current one,
/// otherwise the one that became current last (a consistent history has at most one).
fn current_account<'a>(partner: &'a PartnerHistory, key: &str) -> Option<&'a KnownAccount> {
    let mut currents = partner.accounts.iter().filter(|a| a.status == AccountStatus::Current);
    let latest = currents.clone().max_by_key(|a| a.became_current_at);
    currents.find(|a| a.key == key).or(latest)
}

/// "the current account since 2026-03-01".
fn since(account: &KnownAccount) -> String {
    match account.became_current_at {
        Some(t) => format!("the current account since {}", day(t)),
        None => "the current account".to_string(),
    }
}

fn other_partners(shown: &str, others: &[String], policy: &Policy) -> Option<Finding> {
    const SHOWN: usize = 5;
    let mut names: Vec<&String> = Vec::new();
    for other in others {
        if !names.contains(&other) {
            names.push(other);
        }
    }
    if names.is_empty() {
        return None;
    }
    let mut listed: Vec<String> = names.iter().take(SHOWN).map(|n| format!("{n:?}")).collect();
    if names.len() > SHOWN {
        listed.push(format!("{} more", names.len() - SHOWN));
    }
    let whom = if names.len() == 1 {
        format!("another partner, {}", listed[0])
    } else {
        format!("{} other partners: {}", names.len(), join_and(&listed))
    };
    let message = format!("The account {shown} is also registered to {whom}.");
    Some(
        if policy.shared_account_needs_callback {
            Finding::warning(
                ReasonCode::AccountUsedByOtherPartner,
                message + " Confirm with a callback that it really belongs to this partner.",
            )
        } else {
            Finding::info(ReasonCode::AccountUsedByOtherPartner, message)
        }
        .with("account", shown)
        .with("partners", names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")),
    )
}

/// The Verification-of-Payee style name check.
fn name_check(legal_name: &str, beneficiary: &str, policy: &Policy) -> Option<Finding> {
    let comparison = compare_names(legal_name, beneficiary);
    let confusables = comparison.confusables();
    let mut message = match comparison.outcome() {
        NameMatch::Match if !confusables => return None,
        NameMatch::Match => format!(
            "Name check: match only once look-alike or invisible characters are replaced. The \
             beneficiary name {beneficiary:?} reads like the partner's legal name {legal_name:?}."
        ),
        NameMatch::CloseMatch => format!(
            "Name check: close match. The beneficiary name {beneficiary:?} is similar to, but not the \
             same as, the partner's legal name {legal_name:?}."
        ),
        NameMatch::NoMatch => format!(
            "Name check: no match. The beneficiary name {beneficiary:?} does not match the partner's \
             legal name {legal_name:?}."
        ),
    };
    if confusables {
        let mut pointed_out = false;
        for (whose, name) in [("beneficiary name", beneficiary), ("legal name on file", legal_name)] {
            let suspicious = suspicious_chars(name);
            if !suspicious.is_empty() {
                pointed_out = true;
                message.push_str(&format!(
                    " The {whose} contains characters that imitate other letters or cannot be seen: {}.",
                    join_and(&suspicious)
                ));
            }
        }
        if !pointed_out {
            message.push_str(" One of the names contains characters that imitate other letters or cannot be seen.");
        }
    }
    let warning = confusables || comparison.outcome() == NameMatch::NoMatch || policy.close_name_match_needs_callback;
    Some(
        if warning {
            Finding::warning(ReasonCode::BeneficiaryNameMismatch, message)
        } else {
            Finding::info(ReasonCode::BeneficiaryNameMismatch, message)
        }
        .with("payee", beneficiary)
        .with("legal_name", legal_name),
    )
}

/// The characters of a flagged name that are look-alikes or invisible, as `U+0435 "е"` (or just
/// `U+200B` for one that cannot be seen), each once.
fn suspicious_chars(name: &str) -> Vec<String> {
    let mut found: Vec<char> = Vec::new();
    for c in name.chars() {
        if !c.is_ascii() && !found.contains(&c) && has_confusables(c.encode_utf8(&mut [0; 4])) {
            found.push(c);
        }
    }
    found
        .into_iter()
        .map(|c| if c.is_alphanumeric() { format!("U+{:04X} \"{c}\"", u32::from(c)) } else { format!("U+{:04X}", u32::from(c)) })
        .collect()
}

fn country_check(account: &BankAccount, shown: &str, current: Option<&KnownAccount>, partner: &PartnerHistory) -> Option<Finding> {
    let country = account.country();
    let differs = |other: &str| !other.trim().eq_ignore_ascii_case(country);
    let known = |c: &&str| !c.trim().is_empty();
    if let Some(current) = current.filter(|c| known(&c.country.as_str())) {
        return differs(&current.country).then(|| {
            Finding::warning(
                ReasonCode::CountryChanged,
                format!(
                    "The account {shown} is held in {country}, but the partner's current account {} is held in {}.",
                    current.display,
                    current.country.trim()
                ),
            )
            .with("account", shown)
            .with("country", country)
            .with("registered", current.country.trim())
        });
    }
    let registered = partner.country.as_deref().filter(known)?;
    differs(registered).then(|| {
        Finding::warning(
            ReasonCode::CountryChanged,
            format!(
                "The account {shown} is held in {country}, but {:?} is registered in {} and has no current account on file.",
                partner.legal_name,
                registered.trim()
            ),
        )
        .with("account", shown)
        .with("country", country)
        .with("registered", registered.trim())
    })
}

/// The account changes (accounts becoming current) within `days` before `now`, oldest first.
/// The partner's first account becoming current is not a change.
fn changes_within(partner: &PartnerHistory, now: OffsetDateTime, days: u32) -> Vec<(&KnownAccount, OffsetDateTime)> {
    let undated_predecessor = partner.accounts.iter().any(|a| a.status == AccountStatus::Retired && a.became_current_at.is_none());
    let first = partner.accounts.iter().filter_map(|a| a.became_current_at).min();
    let mut changes: Vec<(&KnownAccount, OffsetDateTime)> = partner
        .accounts
        .iter()
        .filter_map(|a| a.became_current_at.map(|t| (a, t)))
        .filter(|&(_, t)| undated_predecessor || Some(t) != first)
        .filter(|&(_, t)| within_days(t, now, days))
        .collect();
    changes.sort_by_key(|&(_, t)| t);
    changes
}

fn amount_check(amount: Option<Money>, earlier: EarlierAmounts, policy: &Policy) -> Option<Finding> {
    let amount = amount?;
    let enough = earlier.count >= policy.amount_history_min;
    let largest = earlier.largest?;
    let limit = largest.saturating_mul(u64::from(policy.amount_unusual_factor));
    if !enough || amount.minor_units() <= limit {
        return None;
    }
    let currency = amount.currency();
    Some(
        Finding::warning(
            ReasonCode::AmountUnusual,
            format!(
                "The amount {amount} is more than {} times the largest earlier amount in {currency} from this partner \
             ({} {currency}).",
                policy.amount_unusual_factor,
                decimal(largest, currency)
            ),
        )
        .with("amount", amount.to_string())
        .with("times", policy.amount_unusual_factor.to_string())
        .with("largest", format!("{} {currency}", decimal(largest, currency))),
    )
}

/// Minor units as a decimal string with the currency's digits (`1250.00`), for any value.
fn decimal(minor: u64, currency: Currency) -> String {
    let digits = currency.minor_digits();
    match 10u64.checked_pow(digits) {
        Some(scale) if digits > 0 => {
            format!("{}.{:0width$}", minor / scale, minor % scale, width = digits as usize)
        }
        _ => minor.to_string(),
    }
}

/// Whether `t` lies at most `days` days before `now` (a time after `now` counts as within).
fn within_days(t: OffsetDateTime, now: OffsetDateTime, days: u32) -> bool {
    now - t <= Duration::days(i64::from(days))
}

/// The UTC date of a time, `2026-03-01`.
fn day(t: OffsetDateTime) -> String {
    let date = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t).date();
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// "second", "third", … "tenth", then "11th" style.
fn ordinal(n: usize) -> String {
    const WORDS: [&str; 11] = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
    if let Some(word) = WORDS.get(n) {
        return (*word).to_string();
    }
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
// Amounts in minor units are grouped as euros_cents (1_000_00 is 1000.00 EUR).
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::assess::findings::{Severity, Verdict};
    use crate::assess::payee_name::compare_names;
    use crate::bank::Iban;
    use crate::encoding::parse_utc;
    use crate::format::envelope::{Envelope, FileKind};
    use crate::format::instruction::Details;
    use crate::format::keys::KeyPair;
    use crate::format::verify::{check_instruction_file, CheckOptions, SingleSigner};
    use proptest::prelude::*;
    use time::PrimitiveDateTime;

    const DE_A: &str = "DE89370400440532013000";
    const DE_B: &str = "DE44500105175407324931";
    const DE_C: &str = "DE77100100100123456789";
    const GB_A: &str = "GB82WEST12345698765432";
    const FR_A: &str = "FR1420041010050500013M02606";
    const LEGAL_NAME: &str = "Globex Corporation";

    fn now() -> OffsetDateTime {
        parse_utc("2026-11-23T09:00:00Z").unwrap()
    }

    fn days_ago(days: i64) -> OffsetDateTime {
        now() - Duration::days(days)
    }

    fn bic_for(country: &str) -> &'static str {
        match country {
            "DE" => "COBADEFFXXX",
            "GB" => "NWBKGB2LXXX",
            "FR" => "BNPAFRPPXXX",
            "US" => "CHASUS33XXX",
            other => panic!("no test BIC for {other}"),
        }
    }

    /// What the instruction says, before it is signed.
    #[derive(Clone, Debug)]
    struct Order {
        name: String,
        iban: Option<String>,
        local: Option<(String, String, String)>,
        currency: String,
        amount_minor: Option<u64>,
    }

    fn order(iban: &str) -> Order {
        Order { name: "GLOBEX CORP.".into(), iban: Some(iban.into()), local: None, currency: "EUR".into(), amount_minor: None }
    }

    impl Order {
        fn name(mut self, name: &str) -> Self {
            self.name = name.into();
            self
        }
        fn amount(mut self, minor: u64) -> Self {
            self.amount_minor = Some(minor);
            self
        }
    }

    /// Builds the instruction for real: DETAILS → instruction → signed envelope → file check.
    fn verified(order: &Order) -> (VerifiedInstruction, BankAccount) {
        let key = KeyPair::from_seed(&[7; 32]);
        let us = KeyPair::from_seed(&[8; 32]).fingerprint();
        let (account_number, routing_code, country, bic) = match (&order.iban, &order.local) {
            (Some(iban), _) => (None, None, None, bic_for(&iban[..2])),
            (None, Some((n, r, c))) => (Some(n.clone()), Some(r.clone()), Some(c.clone()), bic_for(c)),
            (None, None) => panic!("no account"),
        };
        let details = Details {
            beneficiary_name: order.name.clone(),
            iban: order.iban.clone(),
            account_number,
            routing_code,
            country,
            bic: bic.into(),
            currency: order.currency.clone(),
            amount: None,
            amount_minor: order.amount_minor,
            reference: None,
            due_date: None,
            valid_from: None,
            valid_until: None,
        };
        let instruction = details.to_instruction("i-1".into(), key.fingerprint(), us, now()).unwrap();
        let bytes = Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes();
        let options = CheckOptions { expected_recipient: Some(us), ..CheckOptions::at(now()) };
        let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &options);
        assert_eq!(check.findings, vec![], "the test instruction itself must be clean");
        let verified = check.verified.expect("verified");
        let account = verified.account().expect("valid account").clone();
        (verified, account)
    }

    fn known(iban: &str, status: AccountStatus, became_current_at: Option<OffsetDateTime>) -> KnownAccount {
        let iban = Iban::parse(iban).unwrap();
        KnownAccount {
            key: format!("iban:{}", iban.electronic()),
            display: iban.grouped(),
            country: iban.country().into(),
            status,
            became_current_at,
        }
    }

    fn partner(accounts: Vec<KnownAccount>) -> PartnerHistory {
        PartnerHistory {
            legal_name: LEGAL_NAME.into(),
            country: Some("DE".into()),
            accounts,
            last_key_rotation: None,
            amounts_in_currency: EarlierAmounts::default(),
        }
    }

    /// A partner paid to DE_A since long ago.
    fn settled() -> PartnerHistory {
        partner(vec![known(DE_A, AccountStatus::Current, Some(days_ago(400)))])
    }

    fn run(order: &Order, partner: &PartnerHistory, elsewhere: &AccountElsewhere, policy: &Policy) -> Vec<Finding> {
        let (instruction, account) = verified(order);
        assess_bank_details(&instruction, &account, partner, elsewhere, policy, now())
    }

    fn assess(order: &Order, partner: &PartnerHistory) -> Vec<Finding> {
        run(order, partner, &AccountElsewhere::default(), &Policy::default())
    }

    fn codes(findings: &[Finding]) -> Vec<ReasonCode> {
        findings.iter().map(|f| f.code).collect()
    }

    fn only(findings: &[Finding], code: ReasonCode) -> Finding {
        assert_eq!(codes(findings), vec![code], "{findings:#?}");
        findings[0].clone()
    }

    fn find(findings: &[Finding], code: ReasonCode) -> Finding {
        findings.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("no {code} in {findings:#?}")).clone()
    }

    #[test]
    fn the_current_account_with_a_matching_name_is_accepted_without_findings() {
        let findings = assess(&order(DE_A), &settled());
        assert_eq!(findings, vec![]);
        assert_eq!(Verdict::from_findings(&findings), Verdict::Accepted);
        // A local (non-IBAN) account is compared by its key too.
        let local = Order { iban: None, local: Some(("123456789".into(), "021000021".into(), "US".into())), ..order(DE_A) };
        let history = PartnerHistory {
            country: Some("US".into()),
            accounts: vec![KnownAccount {
                key: "local:US:021000021:123456789".into(),
                display: "123456789 (routing 021000021, US)".into(),
                country: "US".into(),
                status: AccountStatus::Current,
                became_current_at: Some(days_ago(10)),
            }],
            ..settled()
        };
        assert_eq!(assess(&local, &history), vec![]);
    }

    #[test]
    fn first_instruction_when_no_current_account_is_known() {
        let f = only(&assess(&order(DE_A), &partner(vec![])), ReasonCode::FirstInstruction);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "No current account of \"Globex Corporation\" is on file (none from the contract, none from an \
             earlier confirmed instruction), so the account DE89 3704 0044 0532 0130 00 cannot be compared \
             with one already trusted. Confirm it with a callback to a number on file."
        );
        let relaxed = Policy { first_instruction_needs_callback: false, ..Policy::default() };
        let f = run(&order(DE_A), &partner(vec![]), &AccountElsewhere::default(), &relaxed);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(!f[0].message.contains("callback"));
        // Accounts seen but never confirmed, or retired, do not make a current one.
        let unconfirmed =
            partner(vec![known(DE_A, AccountStatus::Pending, None), known(DE_B, AccountStatus::Retired, Some(days_ago(900)))]);
        assert_eq!(codes(&assess(&order(DE_A), &unconfirmed)), vec![ReasonCode::FirstInstruction]);
        // Near miss: a current account is known.
        assert!(!codes(&assess(&order(DE_B), &settled())).contains(&ReasonCode::FirstInstruction));
    }

    #[test]
    fn bank_details_changed_names_both_accounts() {
        let history = partner(vec![known(DE_A, AccountStatus::Current, Some(parse_utc("2026-03-01T10:00:00Z").unwrap()))]);
        let f = find(&assess(&order(GB_A), &history), ReasonCode::BankDetailsChanged);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "The account changes from DE89 3704 0044 0532 0130 00 to GB82 WEST 1234 5698 7654 32 \
             (the current account since 2026-03-01)."
        );
        let f = only(&assess(&order(DE_B), &history), ReasonCode::BankDetailsChanged);
        assert!(f.message.contains("DE44 5001 0517 5407 3249 31"), "{}", f.message);
        let undated = partner(vec![known(DE_A, AccountStatus::Current, None)]);
        let f = only(&assess(&order(DE_B), &undated), ReasonCode::BankDetailsChanged);
        assert!(f.message.ends_with("(the current account)."), "{}", f.message);
        // Near miss: the same account.
        assert_eq!(assess(&order(DE_A), &history), vec![]);
    }

    #[test]
    fn account_previously_retired() {
        let history = partner(vec![
            known(DE_A, AccountStatus::Current, Some(days_ago(400))),
            known(DE_B, AccountStatus::Retired, Some(parse_utc("2024-01-10T08:00:00Z").unwrap())),
        ]);
        let findings = assess(&order(DE_B), &history);
        assert_eq!(codes(&findings), vec![ReasonCode::BankDetailsChanged, ReasonCode::AccountPreviouslyRetired]);
        assert_eq!(findings[1].severity, Severity::Warning);
        assert_eq!(
            findings[1].message,
            "The account DE44 5001 0517 5407 3249 31 was used for \"Globex Corporation\" before (it became the \
             current account on 2024-01-10) and has been retired since. Confirm with a callback that the \
             partner really goes back to it."
        );
        // Near miss: seen before but only pending, never retired.
        let pending = partner(vec![known(DE_A, AccountStatus::Current, Some(days_ago(400))), known(DE_B, AccountStatus::Pending, None)]);
        assert_eq!(codes(&assess(&order(DE_B), &pending)), vec![ReasonCode::BankDetailsChanged]);
    }

    #[test]
    fn account_known_fraudulent_rejects() {
        let elsewhere = AccountElsewhere {
            fraudulent: Some("marked fraudulent on 2026-10-01 after a denied callback for Initech Ltd.".into()),
            other_partners: vec![],
            suspected: false,
        };
        let suspected = AccountElsewhere { suspected: true, ..elsewhere.clone() };
        let findings = run(&order(DE_B), &settled(), &suspected, &Policy::default());
        assert_eq!(
            codes(&findings),
            vec![ReasonCode::BankDetailsChanged, ReasonCode::AccountSuspected],
            "a mark no second person confirmed is a suspicion"
        );
        assert_eq!(Verdict::from_findings(&findings), Verdict::Rejected, "and blocks the payment at once");
        let findings = run(&order(DE_B), &settled(), &elsewhere, &Policy::default());
        let f = find(&findings, ReasonCode::AccountKnownFraudulent);
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(
            f.message,
            "The account DE44 5001 0517 5407 3249 31 is known to be fraudulent: marked fraudulent on \
             2026-10-01 after a denied callback for Initech Ltd. Do not pay to it."
        );
        assert_eq!(Verdict::from_findings(&findings), Verdict::Rejected);
        // From this partner's own history.
        let own = partner(vec![known(DE_A, AccountStatus::Current, Some(days_ago(400))), known(DE_B, AccountStatus::Fraudulent, None)]);
        let findings = assess(&order(DE_B), &own);
        let f = find(&findings, ReasonCode::AccountKnownFraudulent);
        assert_eq!(f.severity, Severity::Critical);
        assert!(f.message.contains("DE44 5001 0517 5407 3249 31"), "{}", f.message);
        // Both sources: still one finding.
        let both = run(&order(DE_B), &own, &elsewhere, &Policy::default());
        assert_eq!(both.iter().filter(|f| f.code == ReasonCode::AccountKnownFraudulent).count(), 1);
        // Near miss: another account of the partner is the fraudulent one.
        let other = partner(vec![known(DE_A, AccountStatus::Current, Some(days_ago(400))), known(DE_C, AccountStatus::Fraudulent, None)]);
        assert_eq!(codes(&assess(&order(DE_B), &other)), vec![ReasonCode::BankDetailsChanged]);
    }

    #[test]
    fn account_used_by_other_partner_names_them() {
        let elsewhere = AccountElsewhere { fraudulent: None, other_partners: vec!["Initech Ltd".into()], suspected: false };
        let f = only(&run(&order(DE_A), &settled(), &elsewhere, &Policy::default()), ReasonCode::AccountUsedByOtherPartner);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "The account DE89 3704 0044 0532 0130 00 is also registered to another partner, \"Initech Ltd\". \
             Confirm with a callback that it really belongs to this partner."
        );
        let noted = Policy { shared_account_needs_callback: false, ..Policy::default() };
        let several = AccountElsewhere {
            fraudulent: None,
            other_partners: vec!["Initech Ltd".into(), "Umbrella plc".into(), "Initech Ltd".into()],
            suspected: false,
        };
        let f = only(&run(&order(DE_A), &settled(), &several, &noted), ReasonCode::AccountUsedByOtherPartner);
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(
            f.message,
            "The account DE89 3704 0044 0532 0130 00 is also registered to 2 other partners: \
             \"Initech Ltd\" and \"Umbrella plc\"."
        );
        // Near miss: nobody else.
        assert_eq!(run(&order(DE_A), &settled(), &AccountElsewhere::default(), &Policy::default()), vec![]);
    }

    #[test]
    fn beneficiary_name_no_match_and_close_match() {
        let f = only(&assess(&order(DE_A).name("Umbrella plc"), &settled()), ReasonCode::BeneficiaryNameMismatch);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "Name check: no match. The beneficiary name \"Umbrella plc\" does not match the partner's legal \
             name \"Globex Corporation\"."
        );
        let close = "G1obex Corporation";
        assert_eq!(compare_names(LEGAL_NAME, close).outcome(), NameMatch::CloseMatch);
        let f = only(&assess(&order(DE_A).name(close), &settled()), ReasonCode::BeneficiaryNameMismatch);
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(
            f.message,
            "Name check: close match. The beneficiary name \"G1obex Corporation\" is similar to, but not the \
             same as, the partner's legal name \"Globex Corporation\"."
        );
        let strict = Policy { close_name_match_needs_callback: true, ..Policy::default() };
        let f = run(&order(DE_A).name(close), &settled(), &AccountElsewhere::default(), &strict);
        assert_eq!(f[0].severity, Severity::Warning);
        // Near miss: legal form and case differ only.
        assert_eq!(assess(&order(DE_A).name("GLOBEX CORP."), &settled()), vec![]);
    }

    #[test]
    fn beneficiary_name_with_homoglyphs_or_invisible_characters_is_a_warning() {
        let fake = "Glob\u{0435}x Corporation"; // Cyrillic е
        assert_eq!(compare_names(LEGAL_NAME, fake).outcome(), NameMatch::Match);
        let relaxed = Policy { close_name_match_needs_callback: false, ..Policy::default() };
        let f =
            only(&run(&order(DE_A).name(fake), &settled(), &AccountElsewhere::default(), &relaxed), ReasonCode::BeneficiaryNameMismatch);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "Name check: match only once look-alike or invisible characters are replaced. The beneficiary \
             name \"Globеx Corporation\" reads like the partner's legal name \"Globex Corporation\". The \
             beneficiary name contains characters that imitate other letters or cannot be seen: U+0435 \"е\"."
        );
        let hidden = "Glo\u{200B}bex Corporation";
        let f = only(&assess(&order(DE_A).name(hidden), &settled()), ReasonCode::BeneficiaryNameMismatch);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.message.contains("\"Glo\\u{200b}bex Corporation\""), "{}", f.message);
        assert!(f.message.ends_with("cannot be seen: U+200B."), "{}", f.message);
        // A close match that also uses a homoglyph is a warning whatever the policy says.
        let both = "G1ob\u{0435}x Corporation";
        assert_eq!(compare_names(LEGAL_NAME, both).outcome(), NameMatch::CloseMatch);
        let f = run(&order(DE_A).name(both), &settled(), &AccountElsewhere::default(), &relaxed);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.starts_with("Name check: close match."), "{}", f[0].message);
        assert!(f[0].message.contains("U+0435"), "{}", f[0].message);
        // Near miss: a genuine accented name.
        let mut history = settled();
        history.legal_name = "Müller Straßenbau GmbH".into();
        assert_eq!(assess(&order(DE_A).name("Mueller Strassenbau GmbH"), &history), vec![]);
    }

    #[test]
    fn country_changed_against_the_current_account_or_the_registered_country() {
        let findings = assess(&order(FR_A), &settled());
        assert_eq!(codes(&findings), vec![ReasonCode::BankDetailsChanged, ReasonCode::CountryChanged]);
        assert_eq!(findings[1].severity, Severity::Warning);
        assert_eq!(
            findings[1].message,
            "The account FR14 2004 1010 0505 0001 3M02 606 is held in FR, but the partner's current account \
             DE89 3704 0044 0532 0130 00 is held in DE."
        );
        // Near miss: a new account in the same country.
        assert_eq!(codes(&assess(&order(DE_B), &settled())), vec![ReasonCode::BankDetailsChanged]);
        // No current account: the registered country counts.
        let mut newcomer = partner(vec![]);
        newcomer.country = Some("GB".into());
        let findings = assess(&order(DE_A), &newcomer);
        assert_eq!(codes(&findings), vec![ReasonCode::FirstInstruction, ReasonCode::CountryChanged]);
        assert_eq!(
            findings[1].message,
            "The account DE89 3704 0044 0532 0130 00 is held in DE, but \"Globex Corporation\" is registered \
             in GB and has no current account on file."
        );
        // Near misses: same registered country (any case), or none recorded.
        newcomer.country = Some("de".into());
        assert_eq!(codes(&assess(&order(DE_A), &newcomer)), vec![ReasonCode::FirstInstruction]);
        newcomer.country = None;
        assert_eq!(codes(&assess(&order(DE_A), &newcomer)), vec![ReasonCode::FirstInstruction]);
        // The current account's country wins over the registered one.
        let mut moved = settled();
        moved.country = Some("FR".into());
        assert_eq!(assess(&order(DE_A), &moved), vec![]);
    }

    #[test]
    fn recent_key_rotation_within_the_window() {
        let rotated = |t: OffsetDateTime| PartnerHistory { last_key_rotation: Some(t), ..settled() };
        let f = only(&assess(&order(DE_A), &rotated(days_ago(12))), ReasonCode::RecentKeyRotation);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "The signing key of \"Globex Corporation\" was rotated on 2026-11-11, 12 days ago; instructions \
             are confirmed by callback for 30 days after a key rotation."
        );
        assert_eq!(codes(&assess(&order(DE_A), &rotated(days_ago(30)))), vec![ReasonCode::RecentKeyRotation]);
        assert_eq!(codes(&assess(&order(DE_A), &rotated(now() + Duration::hours(1)))), vec![ReasonCode::RecentKeyRotation]);
        let f = only(&assess(&order(DE_A), &rotated(now() - Duration::hours(3))), ReasonCode::RecentKeyRotation);
        assert!(f.message.contains("less than a day ago"), "{}", f.message);
        // Near misses.
        assert_eq!(assess(&order(DE_A), &rotated(days_ago(31))), vec![]);
        assert_eq!(assess(&order(DE_A), &rotated(days_ago(30) - Duration::seconds(1))), vec![]);
        let longer = Policy { rotation_window_days: 45, ..Policy::default() };
        assert_eq!(run(&order(DE_A), &rotated(days_ago(31)), &AccountElsewhere::default(), &longer).len(), 1);
    }

    #[test]
    fn frequent_changes_when_the_account_already_changed_within_the_window() {
        let history = |changed_days_ago: i64| {
            partner(vec![
                known(DE_B, AccountStatus::Retired, Some(days_ago(700))),
                known(DE_A, AccountStatus::Current, Some(days_ago(changed_days_ago))),
            ])
        };
        let findings = assess(&order(DE_C), &history(20));
        assert_eq!(codes(&findings), vec![ReasonCode::BankDetailsChanged, ReasonCode::FrequentChanges]);
        assert_eq!(findings[1].severity, Severity::Warning);
        assert_eq!(
            findings[1].message,
            format!(
                "This would be the second change of account within 90 days: the account already changed to \
                 DE89 3704 0044 0532 0130 00 on {}.",
                day(days_ago(20))
            )
        );
        assert_eq!(codes(&assess(&order(DE_C), &history(90)))[1], ReasonCode::FrequentChanges);
        // Near miss: the last change was 91 days ago.
        assert_eq!(codes(&assess(&order(DE_C), &history(91))), vec![ReasonCode::BankDetailsChanged]);
        // Near miss: the instruction keeps the current account.
        assert_eq!(assess(&order(DE_A), &history(20)), vec![]);
        // Near miss: the account from the contract, recorded 5 days ago, is not a change.
        let onboarded = partner(vec![known(DE_A, AccountStatus::Current, Some(days_ago(5)))]);
        assert_eq!(codes(&assess(&order(DE_C), &onboarded)), vec![ReasonCode::BankDetailsChanged]);
        // Unless an older (undated) account was retired before it.
        let replaced = partner(vec![known(DE_B, AccountStatus::Retired, None), known(DE_A, AccountStatus::Current, Some(days_ago(5)))]);
        assert!(codes(&assess(&order(DE_C), &replaced)).contains(&ReasonCode::FrequentChanges));
        // Two earlier changes in the window.
        let busy = partner(vec![
            known(DE_B, AccountStatus::Retired, Some(days_ago(700))),
            known(FR_A, AccountStatus::Retired, Some(days_ago(60))),
            known(DE_A, AccountStatus::Current, Some(days_ago(20))),
        ]);
        let f = find(&assess(&order(DE_C), &busy), ReasonCode::FrequentChanges);
        assert!(f.message.starts_with("This would be the third change of account within 90 days:"), "{}", f.message);
        assert!(f.message.contains("FR14 2004 1010 0505 0001 3M02 606 on"), "{}", f.message);
    }

    #[test]
    fn amount_unusual_above_factor_times_the_largest_earlier_amount() {
        let history = PartnerHistory { amounts_in_currency: EarlierAmounts::of(&[1_000_00, 2_000_00, 1_500_00]), ..settled() };
        let f = only(&assess(&order(DE_A).amount(6_000_01), &history), ReasonCode::AmountUnusual);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "The amount 6000.01 EUR is more than 3 times the largest earlier amount in EUR from this partner (2000.00 EUR)."
        );
        // Near misses: exactly the factor; too little history; no amount.
        assert_eq!(assess(&order(DE_A).amount(6_000_00), &history), vec![]);
        let short = PartnerHistory { amounts_in_currency: EarlierAmounts::of(&[1_000_00, 2_000_00]), ..settled() };
        assert_eq!(assess(&order(DE_A).amount(1_000_000_00), &short), vec![]);
        assert_eq!(assess(&order(DE_A), &history), vec![]);
        // Integer arithmetic cannot overflow into a false alarm.
        let huge = PartnerHistory { amounts_in_currency: EarlierAmounts::of(&[u64::MAX, 1, 2]), ..settled() };
        assert_eq!(assess(&order(DE_A).amount(99_999_999_999_999_99), &huge), vec![]);
        // A currency without minor units.
        let yen = Order { currency: "JPY".into(), ..order(DE_A).amount(600_001) };
        let f = only(&assess(&yen, &history), ReasonCode::AmountUnusual);
        assert!(f.message.starts_with("The amount 600001 JPY is more than 3 times"), "{}", f.message);
        assert!(f.message.ends_with("(200000 JPY)."), "{}", f.message);
    }

    #[test]
    fn findings_come_in_contract_order() {
        let history = PartnerHistory {
            legal_name: LEGAL_NAME.into(),
            country: Some("DE".into()),
            accounts: vec![
                known(GB_A, AccountStatus::Retired, Some(days_ago(700))),
                known(DE_A, AccountStatus::Current, Some(days_ago(20))),
            ],
            last_key_rotation: Some(days_ago(3)),
            amounts_in_currency: EarlierAmounts::of(&[100_00; 5]),
        };
        let elsewhere = AccountElsewhere {
            fraudulent: Some("marked fraudulent on 2026-10-01 after a denied callback".into()),
            other_partners: vec!["Initech Ltd".into()],
            suspected: false,
        };
        let findings = run(&order(GB_A).name("Umbrella plc").amount(1_000_000_00), &history, &elsewhere, &Policy::default());
        let expected = vec![
            ReasonCode::BankDetailsChanged,
            ReasonCode::AccountPreviouslyRetired,
            ReasonCode::AccountKnownFraudulent,
            ReasonCode::AccountUsedByOtherPartner,
            ReasonCode::BeneficiaryNameMismatch,
            ReasonCode::CountryChanged,
            ReasonCode::RecentKeyRotation,
            ReasonCode::FrequentChanges,
            ReasonCode::AmountUnusual,
        ];
        assert_eq!(codes(&findings), expected);
        let position = |c: ReasonCode| ReasonCode::ALL.iter().position(|&x| x == c).unwrap();
        assert!(expected.windows(2).all(|w| position(w[0]) < position(w[1])));
        let first = assess(&order(GB_A).name("Umbrella plc"), &partner(vec![]));
        assert_eq!(codes(&first), vec![ReasonCode::FirstInstruction, ReasonCode::BeneficiaryNameMismatch, ReasonCode::CountryChanged]);
    }

    #[test]
    fn ordinals_and_lists() {
        assert_eq!(ordinal(2), "second");
        assert_eq!(ordinal(10), "tenth");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(101), "101st");
        assert_eq!(ordinal(112), "112th");
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&items(&["a"])), "a");
        assert_eq!(join_and(&items(&["a", "b", "c"])), "a, b and c");
        assert_eq!(decimal(5, Currency::parse("EUR").unwrap()), "0.05");
        assert_eq!(decimal(u64::MAX, Currency::parse("KWD").unwrap()), "18446744073709551.615");
        assert_eq!(day(PrimitiveDateTime::MAX.assume_offset(UtcOffset::from_hms(-23, 0, 0).unwrap())), "9999-12-31");
    }

    fn any_time() -> impl Strategy<Value = OffsetDateTime> {
        prop_oneof![
            6 => (-1_000i64 * 86_400..1_000 * 86_400).prop_map(|s| now() + Duration::seconds(s)),
            1 => Just(PrimitiveDateTime::MIN.assume_utc()),
            1 => Just(PrimitiveDateTime::MAX.assume_utc()),
            1 => Just(PrimitiveDateTime::MAX.assume_offset(UtcOffset::from_hms(-23, 59, 59).unwrap())),
            1 => Just(PrimitiveDateTime::MIN.assume_offset(UtcOffset::from_hms(23, 59, 59).unwrap())),
        ]
    }

    fn any_status() -> impl Strategy<Value = AccountStatus> {
        prop_oneof![
            Just(AccountStatus::Current),
            Just(AccountStatus::Pending),
            Just(AccountStatus::Retired),
            Just(AccountStatus::Fraudulent),
        ]
    }

    fn any_country() -> BoxedStrategy<String> {
        prop_oneof![Just("DE".to_string()), Just("GB".to_string()), Just(String::new()), "\\PC{0,3}"].boxed()
    }

    fn any_account() -> impl Strategy<Value = KnownAccount> {
        let key = prop_oneof![
            4 => prop::sample::select(vec![DE_A, DE_B, GB_A, FR_A]).prop_map(|i| format!("iban:{i}")),
            1 => "\\PC{0,20}",
        ];
        (key, "\\PC{0,30}", any_country(), any_status(), prop::option::of(any_time())).prop_map(
            |(key, display, country, status, became_current_at)| KnownAccount { key, display, country, status, became_current_at },
        )
    }

    fn any_policy() -> impl Strategy<Value = Policy> {
        let small = || prop_oneof![0u32..200, any::<u32>()];
        (small(), small(), small(), small(), any::<[bool; 3]>()).prop_map(|(change, rotation, factor, min, flags)| Policy {
            change_window_days: change,
            rotation_window_days: rotation,
            amount_unusual_factor: factor,
            amount_history_min: min,
            first_instruction_needs_callback: flags[0],
            shared_account_needs_callback: flags[1],
            close_name_match_needs_callback: flags[2],
            ..Policy::default()
        })
    }

    fn any_history() -> impl Strategy<Value = PartnerHistory> {
        let legal_name = prop_oneof![Just(LEGAL_NAME.to_string()), Just("Glob\u{0435}x".to_string()), "\\PC{0,40}"];
        let amounts = prop::collection::vec(prop_oneof![0u64..10_000_000, any::<u64>()], 0..8);
        (legal_name, prop::option::of(any_country()), prop::collection::vec(any_account(), 0..7), prop::option::of(any_time()), amounts)
            .prop_map(|(legal_name, country, accounts, last_key_rotation, amounts_in_currency)| PartnerHistory {
                legal_name,
                country,
                accounts,
                last_key_rotation,
                amounts_in_currency: EarlierAmounts::of(&amounts_in_currency),
            })
    }

    fn any_order() -> impl Strategy<Value = Order> {
        let name =
            prop::sample::select(vec!["GLOBEX CORP.", "Umbrella plc", "G1obex Corporation", "Glob\u{0435}x Corporation", "Glo\u{200B}bex"]);
        let amount = prop::option::of(prop_oneof![1u64..1_000_000, 1u64..100_000_000_000_000_000]);
        (prop::sample::select(vec![DE_A, DE_B, GB_A, FR_A]), name, amount)
            .prop_map(|(iban, name, amount)| Order { amount_minor: amount, ..order(iban).name(name) })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_and_never_repeats_a_code(
            order in any_order(),
            history in any_history(),
            fraudulent in prop::option::of("\\PC{0,20}"),
            other_partners in prop::collection::vec("\\PC{0,12}", 0..4),
            policy in any_policy(),
            now in any_time(),
        ) {
            let (instruction, account) = verified(&order);
            let elsewhere = AccountElsewhere { fraudulent, other_partners, suspected: false };
            let findings = assess_bank_details(&instruction, &account, &history, &elsewhere, &policy, now);
            prop_assert!(findings.windows(2).all(|w| w[0].code < w[1].code), "order or duplicate: {:?}", codes(&findings));
            for f in &findings {
                prop_assert!(!f.message.trim().is_empty());
                prop_assert!(f.message.ends_with('.'), "{}", f.message);
                prop_assert_eq!(f.severity == Severity::Critical, matches!(f.code, ReasonCode::AccountKnownFraudulent | ReasonCode::AccountSuspected));
                prop_assert!(!f.code.is_identity_failure());
            }
            let has = |c: ReasonCode| findings.iter().any(|f| f.code == c);
            let current = history.accounts.iter().any(|a| a.status == AccountStatus::Current);
            prop_assert_eq!(has(ReasonCode::FirstInstruction), !current);
            prop_assert_eq!(has(ReasonCode::AccountUsedByOtherPartner), !elsewhere.other_partners.is_empty());
            prop_assert!(!has(ReasonCode::FrequentChanges) || has(ReasonCode::BankDetailsChanged));
            prop_assert!(!(has(ReasonCode::FirstInstruction) && has(ReasonCode::BankDetailsChanged)));
        }
    }
}
