//! The assessment rules (pure): given a verified instruction and what the workspace knows about
//! the partner and every other partner's accounts, the bank-detail findings. No I/O: the store
//! gathers the [`PartnerHistory`] and [`AccountElsewhere`], this module decides.

use time::{Duration, OffsetDateTime, UtcOffset};

use crate::bank::{BankAccount, Currency, Money};
use crate::findings::{Finding, ReasonCode};
use crate::payee_name::{compare_names, has_confusables, NameMatch};
use crate::policy::Policy;
use crate::verify::VerifiedInstruction;

/// The status of an account in a partner's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// The account payments currently go to.
    Current,
    /// Seen in an instruction, not (yet) confirmed.
    Pending,
    /// Used before, replaced since.
    Retired,
    /// Marked fraudulent after a denied callback.
    Fraudulent,
}

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
    /// Earlier amounts (minor units) in the instruction's currency, from earlier instructions
    /// that were not rejected.
    pub amounts_in_currency: Vec<u64>,
}

/// What the workspace knows about the instruction's account outside this partner.
#[derive(Debug, Clone, Default)]
pub struct AccountElsewhere {
    /// Marked fraudulent (for any partner) after a denied callback; the text says when and why.
    pub fraudulent: Option<String>,
    /// Names of other partners this account is registered to.
    pub other_partners: Vec<String>,
}

/// Assesses the bank details of a verified instruction whose account is valid.
///
/// `account` is the instruction's validated account (what [`VerifiedInstruction::account`]
/// returns); the instruction supplies the beneficiary name and the amount. The format and
/// identity checks (signature, validity, IBAN/BIC formats, `iban_bic_country_mismatch`) are done
/// before this, in [`crate::verify`]; this function adds the findings that need history.
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
    let shown = account.display_number();
    let name = &partner.legal_name;
    let same = |a: &&KnownAccount| a.key == key;
    let current = current_account(partner, &key);
    let mut findings = Vec::new();

    if current.is_none() {
        let message = format!(
            "No current account of {name:?} is on file (none from the contract, none from an earlier \
             confirmed instruction), so the account {shown} cannot be compared with one already trusted."
        );
        findings.push(if policy.first_instruction_needs_callback {
            Finding::warning(ReasonCode::FirstInstruction, message + " Confirm it with a callback to a number on file.")
        } else {
            Finding::info(ReasonCode::FirstInstruction, message)
        });
    }

    let changed = current.filter(|c| c.key != key);
    if let Some(current) = changed {
        findings.push(Finding::warning(
            ReasonCode::BankDetailsChanged,
            format!("The account changes from {} to {shown} ({}).", current.display, since(current)),
        ));
    }

    if let Some(retired) = partner.accounts.iter().filter(same).find(|a| a.status == AccountStatus::Retired) {
        let when = match retired.became_current_at {
            Some(t) => format!(" (it became the current account on {})", day(t)),
            None => String::new(),
        };
        findings.push(Finding::warning(
            ReasonCode::AccountPreviouslyRetired,
            format!(
                "The account {shown} was used for {name:?} before{when} and has been retired since. \
                 Confirm with a callback that the partner really goes back to it."
            ),
        ));
    }

    let fraudulent_here = partner.accounts.iter().filter(same).any(|a| a.status == AccountStatus::Fraudulent);
    if let Some(why) = elsewhere.fraudulent.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        findings.push(Finding::critical(
            ReasonCode::AccountKnownFraudulent,
            format!("The account {shown} is known to be fraudulent: {}. Do not pay to it.", why.trim_end_matches('.')),
        ));
    } else if elsewhere.fraudulent.is_some() || fraudulent_here {
        findings.push(Finding::critical(
            ReasonCode::AccountKnownFraudulent,
            format!("The account {shown} was marked fraudulent after a denied callback. Do not pay to it."),
        ));
    }

    if let Some(finding) = other_partners(&shown, &elsewhere.other_partners, policy) {
        findings.push(finding);
    }

    if let Some(finding) = name_check(name, &payload.beneficiary_name, policy) {
        findings.push(finding);
    }

    if let Some(finding) = country_check(account, &shown, current, partner) {
        findings.push(finding);
    }

    if let Some(rotated) = partner.last_key_rotation.filter(|&t| within_days(t, now, policy.rotation_window_days)) {
        let ago = match (now - rotated).whole_days() {
            d if d < 0 => String::new(),
            0 => ", less than a day ago".to_string(),
            1 => ", 1 day ago".to_string(),
            d => format!(", {d} days ago"),
        };
        findings.push(Finding::warning(
            ReasonCode::RecentKeyRotation,
            format!(
                "The signing key of {name:?} was rotated on {}{ago}; instructions are confirmed by \
                 callback for {} days after a key rotation.",
                day(rotated),
                policy.rotation_window_days
            ),
        ));
    }

    if changed.is_some() {
        let recent = changes_within(partner, now, policy.change_window_days);
        if !recent.is_empty() {
            let earlier: Vec<String> =
                recent.iter().map(|(a, t)| format!("to {} on {}", a.display, day(*t))).collect();
            findings.push(Finding::warning(
                ReasonCode::FrequentChanges,
                format!(
                    "This would be the {} change of account within {} days: the account already changed {}.",
                    ordinal(recent.len().saturating_add(1)),
                    policy.change_window_days,
                    join_and(&earlier)
                ),
            ));
        }
    }

    if let Some(finding) = amount_check(payload.amount, &partner.amounts_in_currency, policy) {
        findings.push(finding);
    }

    debug_assert!(findings.windows(2).all(|w| w[0].code < w[1].code), "contract order, no duplicates");
    findings
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
    Some(if policy.shared_account_needs_callback {
        Finding::warning(
            ReasonCode::AccountUsedByOtherPartner,
            message + " Confirm with a callback that it really belongs to this partner.",
        )
    } else {
        Finding::info(ReasonCode::AccountUsedByOtherPartner, message)
    })
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
    let warning = confusables
        || comparison.outcome() == NameMatch::NoMatch
        || policy.close_name_match_needs_callback;
    Some(if warning {
        Finding::warning(ReasonCode::BeneficiaryNameMismatch, message)
    } else {
        Finding::info(ReasonCode::BeneficiaryNameMismatch, message)
    })
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

fn country_check(
    account: &BankAccount,
    shown: &str,
    current: Option<&KnownAccount>,
    partner: &PartnerHistory,
) -> Option<Finding> {
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
    })
}

/// The account changes (accounts becoming current) within `days` before `now`, oldest first.
/// The partner's first account becoming current is not a change.
fn changes_within(partner: &PartnerHistory, now: OffsetDateTime, days: u32) -> Vec<(&KnownAccount, OffsetDateTime)> {
    let undated_predecessor = partner
        .accounts
        .iter()
        .any(|a| a.status == AccountStatus::Retired && a.became_current_at.is_none());
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

fn amount_check(amount: Option<Money>, earlier: &[u64], policy: &Policy) -> Option<Finding> {
    let amount = amount?;
    let enough = usize::try_from(policy.amount_history_min).map_or(false, |min| earlier.len() >= min);
    let largest = earlier.iter().copied().max()?;
    let limit = largest.saturating_mul(u64::from(policy.amount_unusual_factor));
    if !enough || amount.minor_units() <= limit {
        return None;
    }
    let currency = amount.currency();
    Some(Finding::warning(
        ReasonCode::AmountUnusual,
        format!(
            "The amount {amount} is more than {} times the largest of the {} earlier amounts in {currency} \
             from this partner ({} {currency}).",
            policy.amount_unusual_factor,
            earlier.len(),
            decimal(largest, currency)
        ),
    ))
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
    const WORDS: [&str; 11] =
        ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
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
