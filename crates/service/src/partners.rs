//! The partner registry: onboarding with an out-of-band fingerprint check (never trust on
//! first use), on-file phone numbers and domains, the known account from the contract, key
//! rotation and revocation, and the views `partner list` / `partner show` print: a page at a
//! time, each history of a partner (keys, numbers, accounts, cases) a page of its own.

use crate::ErrorText;
use serde_json::{json, Value};

use super::changes::{field, text_field, Applier, ChangeRequest, Outcome};
use super::recovery::{
    check_recovery_rotation, pinned_recovery_key, recovery_key_required, recovery_rotation_signer, unverified, PinnedRecoveryKey,
};
use super::statements::differs;
use super::{invalid, invalid_value, now, Permission, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::assess::domain_name::DomainName;
use countersign_core::assess::phone::PhoneNumber;
use countersign_core::audit::state::ImpliedState;
use countersign_core::bank::{AccountDetails, BankAccount, Country};
use countersign_core::cases::record::Case;
use countersign_core::changes::{ChangeKind, ProposedEffect, NEW_ROW};
use countersign_core::encoding::{b64_decode, b64_encode, format_utc};
use countersign_core::format::card::ContactKind;
use countersign_core::format::card::PartnerCard;
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::keys::PublicKey;
use countersign_core::format::rotation::RotationStatement;
use countersign_core::paging::{Page, Paged};
use countersign_core::registry::{
    AccountRecord, AccountStatus, KeyStatus, NumberProvenance, NumberSource, OnFileNumber, Partner, PinnedKey,
};
use countersign_store::prelude::*;
use countersign_store::{NewAccount, PartnerCounts, StoreError, Tx};

/// What an admin gives to accept a partner's key rotation.
pub struct KeyRotation<'a> {
    /// The rotation statement file the partner sent.
    pub statement: &'a [u8],
    /// The new key's fingerprint, as the partner read it back on the call.
    pub confirm_fingerprint: &'a str,
    /// The number dialled for that call: one on file.
    pub dialed: &'a str,
}

/// A number an admin types to put on file, with the label they give it (issue 20).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNumber {
    /// The number as typed.
    pub number: String,
    /// How the partner names it ("Accounts receivable"), if the admin gives a label.
    pub label: Option<String>,
}

impl NewNumber {
    /// A number without a label.
    pub fn plain(number: &str) -> Self {
        NewNumber { number: number.to_string(), label: None }
    }

    /// The label, trimmed and checked; `None` when empty.
    fn checked_label(&self) -> ServiceResult<Option<String>> {
        let label = self.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
        if let Some(label) = label {
            super::check_free_text(("label", "a number's label"), label, MAX_LABEL_CHARS)?;
        }
        Ok(label.map(str::to_string))
    }
}

/// Longest label of a number on file, in characters.
pub const MAX_LABEL_CHARS: usize = 80;

/// What an admin gives to onboard a partner.
pub struct NewPartner<'a> {
    /// The partner's card file.
    pub card: &'a [u8],
    /// The fingerprint the admin typed after reading it back with the partner out of band.
    pub confirm_fingerprint: &'a str,
    /// On-file phone numbers, typed from an independent source (the contract or the onboarding
    /// call), each with its label.
    pub phones: &'a [NewNumber],
    /// Also put on file the numbers the partner's signed card lists, with the card's labels.
    pub card_numbers: bool,
    /// Registered email domains (added to those on the card).
    pub domains: &'a [String],
    /// Country (default: the card's).
    pub country: Option<&'a str>,
    /// The account known from the contract: IBAN and BIC.
    pub known_account: Option<(&'a str, &'a str)>,
}

/// A line of `partner list`.
#[derive(Debug, Clone)]
pub struct PartnerSummary {
    /// Partner id.
    pub id: i64,
    /// Legal name.
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// Fingerprints of active keys.
    pub active_keys: Vec<String>,
    /// The current account, as people read it.
    pub current_account: Option<String>,
}

/// An on-file number as shown: the record and the number as people read it.
#[derive(Debug, Clone)]
pub struct PhoneView {
    /// The number on file.
    pub number: OnFileNumber,
    /// For reading: +49 30 1234567.
    pub display: String,
    /// Where it came from, as the signed statements say (issue 20).
    pub provenance: NumberProvenance,
}

/// An account in the history as shown: the record and the cases that touched it.
#[derive(Debug, Clone)]
pub struct AccountView {
    /// The account.
    pub account: AccountRecord,
    /// Cases that touched it, oldest first; of a page, the first page of them.
    pub cases: Vec<i64>,
    /// How many cases touched it in all.
    pub case_count: u64,
}

/// Where the next page of each of a partner's histories starts (`partner show --limit`); `None`
/// when the history is all shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCursors {
    /// After this key.
    pub keys: Option<i64>,
    /// After this on-file number.
    pub contacts: Option<i64>,
    /// After this account.
    pub accounts: Option<i64>,
}

/// Everything `partner show` prints: each history in full, or the first page of each.
#[derive(Debug, Clone)]
pub struct PartnerDetail {
    /// Id, name, country, the active keys and the current account.
    pub summary: PartnerSummary,
    /// How long each history is in all.
    pub counts: PartnerCounts,
    /// Registered domains.
    pub domains: Vec<String>,
    /// On-file numbers, oldest first.
    pub phones: Vec<PhoneView>,
    /// Keys, oldest first.
    pub keys: Vec<PinnedKey>,
    /// Accounts, oldest first.
    pub accounts: Vec<AccountView>,
    /// Where the histories shown only in part continue.
    pub next: HistoryCursors,
    /// The offline recovery key its pinned card names (issue 20); `None`: a stolen signing key
    /// could rotate it away (with an admin's and a checker's help).
    pub recovery_key: Option<PinnedRecoveryKey>,
    /// Onboarded when and by whom.
    pub created_at: String,
    /// By whom.
    pub created_by: String,
    /// Its freezes (issue 20), newest first, lifted ones included: from the partner's signed
    /// notices as the statements give them.
    pub freezes: Vec<super::FreezeView>,
}

impl PartnerDetail {
    /// Whether a freeze stands (not lifted).
    pub fn frozen(&self) -> bool {
        self.freezes.iter().any(|f| f.lifted.is_none())
    }
}

/// One of a partner's histories that `partner show --history` pages through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerHistory {
    /// Pinned keys, oldest first.
    Keys,
    /// On-file numbers, oldest first.
    Contacts,
    /// Accounts, oldest first.
    Accounts,
    /// Cases of instructions from the partner, newest first.
    Cases,
}

/// One page of one of a partner's histories.
#[derive(Debug, Clone)]
pub enum HistoryPage {
    /// Of its keys.
    Keys(Paged<PinnedKey>),
    /// Of its on-file numbers.
    Contacts(Paged<PhoneView>),
    /// Of its accounts.
    Accounts(Paged<AccountView>),
    /// Of its cases.
    Cases(Paged<Case>),
}

/// A number on file as shown, with its provenance from the signed statements; a row that no
/// statement put on file is refused (`state_unverified`).
fn phone_view(state: &ImpliedState, partner_id: i64, number: OnFileNumber) -> ServiceResult<PhoneView> {
    let Some(provenance) = state.partners.get(&partner_id).and_then(|p| p.numbers.get(&number.e164)).cloned() else {
        return Ok(differs("partner_phones", format!("{partner_id} {}", number.e164), "no signed statement put this number on file")?);
    };
    let display = PhoneNumber::from_e164(&number.e164).map(|n| n.international()).unwrap_or_else(|_| number.e164.clone());
    Ok(PhoneView { display, number, provenance })
}

/// A page of a partner's numbers as shown.
fn phone_views(tx: &dyn Tx, state: &ImpliedState, partner_id: i64, page: &Page) -> ServiceResult<Paged<PhoneView>> {
    let phones = Paged::of(tx.partner_phones(partner_id, page)?, page, |n| n.id);
    let items = phones.items.into_iter().map(|n| phone_view(state, partner_id, n)).collect::<ServiceResult<_>>()?;
    Ok(Paged { items, next: phones.next })
}

/// A line of `partner list` for `p`: its active keys and its current account, read on their own.
fn summary(tx: &dyn Tx, p: &Partner) -> ServiceResult<PartnerSummary> {
    Ok(PartnerSummary {
        id: p.id,
        name: p.name.clone(),
        country: p.country.clone(),
        active_keys: tx.active_keys(p.id)?.into_iter().map(|k| k.fingerprint).collect(),
        current_account: tx.current_account(p.id)?.map(|a| a.display),
    })
}

/// A page of a partner's accounts, each with the first page of its cases (`page.limit` of them).
fn account_views(tx: &dyn Tx, partner_id: i64, page: &Page) -> ServiceResult<Paged<AccountView>> {
    let accounts = Paged::of(tx.partner_accounts(partner_id, page)?, page, |a| a.id);
    let first = Page { after: None, ..*page };
    let mut views = Vec::with_capacity(accounts.items.len());
    for account in accounts.items {
        let cases = Paged::of(tx.cases_for_account(partner_id, &account.account_key, &first)?, &first, |&c| c).items;
        let case_count = tx.count_cases_for_account(partner_id, &account.account_key)?;
        views.push(AccountView { account, cases, case_count });
    }
    Ok(Paged { items: views, next: accounts.next })
}

/// The partner `id`, or `not_found`.
pub(super) fn existing_partner(tx: &dyn Tx, id: i64) -> ServiceResult<Partner> {
    tx.partner(id)?
        .ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("partner", format!("no partner with id {id}")).with("partner", id)))
}

/// The fingerprint typed (as read back on the phone) that is no fingerprint.
fn typed_fingerprint(typed: &str) -> impl FnOnce(countersign_core::format::fingerprint::FingerprintError) -> ServiceError + '_ {
    move |e| {
        ServiceError::InvalidInput(
            ErrorText::detailed("fingerprint_invalid", format!("the fingerprint you typed: {e}")).with("typed", typed),
        )
    }
}

/// A partner's onboarding with its details checked: what `add_partner` writes.
struct Onboarding<'c> {
    /// The card, its fingerprint confirmed.
    card: &'c PartnerCard,
    /// The card file as given.
    card_file: &'c [u8],
    /// The card's fingerprint.
    fingerprint: String,
    /// The partner's legal name, from the card.
    name: String,
    /// Country.
    country: Option<Country>,
    /// On-file numbers: each with its source (typed, or from the card) and label.
    phones: Vec<(PhoneNumber, NumberSource, Option<String>)>,
    /// Registered domains: the card's and those given, sorted, without duplicates.
    domains: Vec<DomainName>,
    /// The account known from the contract.
    account: Option<BankAccount>,
}

impl<'c> Onboarding<'c> {
    /// Checks the country, numbers, domains and known account given for `card`.
    fn check(card: &'c PartnerCard, new: &NewPartner<'c>) -> ServiceResult<Self> {
        let country = match new.country {
            Some(c) => Some(Country::parse(&c.trim().to_ascii_uppercase()).map_err(invalid_value("country_invalid", "country", c))?),
            None => card.details().country,
        };
        let region = country.as_ref().map(|c| c.as_str());
        let mut phones = Vec::new();
        for typed in new.phones {
            let number = PhoneNumber::parse(&typed.number, region).map_err(invalid_value("phone_invalid", "number", &typed.number))?;
            if !phones.iter().any(|(n, _, _)| *n == number) {
                phones.push((number, NumberSource::Onboarding, typed.checked_label()?));
            }
        }
        if new.card_numbers {
            for (number, label) in card_numbers(card) {
                if !phones.iter().any(|(n, _, _)| *n == number) {
                    phones.push((number, NumberSource::PartnerCard, label));
                }
            }
        }
        if phones.is_empty() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed(
                "phone_needed",
                "at least one on-file phone number (--phone, or --card-phones with a card that lists one) is needed for callbacks, taken from the contract, not from an email",
            )));
        }
        let mut domains: Vec<DomainName> = card.details().domains.clone();
        for d in new.domains {
            domains.push(DomainName::parse(d).map_err(invalid_value("domain_invalid", "domain", d))?);
        }
        domains.sort();
        domains.dedup();
        let account = new.known_account.map(|(iban, bic)| known_account(iban, bic)).transpose()?;
        Ok(Self {
            card,
            card_file: new.card,
            fingerprint: card.fingerprint().to_string(),
            name: card.details().name.clone(),
            country,
            phones,
            domains,
            account,
        })
    }

    /// The `partner.add` statement's details.
    fn effect_details(&self) -> Value {
        json!({
            "name": self.name,
            "fingerprint": self.fingerprint,
            "phones": self.phones.iter().map(|(p, _, _)| p.as_e164()).collect::<Vec<_>>(),
            "numbers": self.phones.iter().map(|(p, source, label)| json!({ "e164": p.as_e164(), "source": source.as_str(), "label": label })).collect::<Vec<_>>(),
            "domains": self.domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "country": self.country.map(|c| c.to_string()),
            "known_account": self.account.as_ref().map(|a| a.key()),
            "recovery_key": self.card.recovery_key().map(|k| k.to_base64()),
        })
    }

    /// Refuses a key pinned already.
    fn refuse_pinned(&self, tx: &dyn Tx) -> ServiceResult<()> {
        match tx.key_by_fingerprint(&self.fingerprint)? {
            Some(existing) => Err(ServiceError::InvalidInput(
                ErrorText::detailed(
                    "key_pinned",
                    format!("the key {} is already pinned for partner {}", self.fingerprint, existing.partner_id),
                )
                .with("fingerprint", &self.fingerprint)
                .with("partner", existing.partner_id),
            )),
            None => Ok(()),
        }
    }

    /// Pins the key and records the partner, its numbers, domains and known account, in the
    /// write transaction (`typed_by` read the fingerprint back; `by` applies it); a key pinned
    /// already is refused. Returns the partner's id.
    fn write_rows(&self, tx: &dyn Tx, at: &str, typed_by: &str, by: &str) -> ServiceResult<i64> {
        self.refuse_pinned(tx)?;
        let fingerprint = &self.fingerprint;
        let id = tx.insert_partner(&self.name, self.country.as_ref().map(|c| c.as_str()), self.card_file, at, typed_by)?;
        let how = format!("fingerprint read back out of band and typed by {typed_by}, approved by {by}");
        tx.insert_partner_key(id, fingerprint, &self.card.public_key().to_bytes(), &how, by, at)?;
        for (phone, source, _) in &self.phones {
            tx.insert_partner_phone(id, phone.as_e164(), source.as_str(), typed_by, at)?;
        }
        for domain in &self.domains {
            tx.insert_partner_domain(id, domain.as_str())?;
        }
        if let Some(account) = &self.account {
            tx.record_account(&NewAccount {
                partner_id: id,
                account_key: &account.key(),
                display: &account.display_number(),
                bic: account.bic().as_str(),
                country: account.country(),
                status: AccountStatus::Current,
                source: "contract",
                seen_at: at,
            })?;
        }
        Ok(id)
    }
}

/// A rotation statement checked against a partner's pinned keys.
struct CheckedRotation {
    /// The key replaced.
    old: String,
    /// The successor's card.
    new_card: PartnerCard,
    /// The partner's name.
    name: String,
    /// Signed by the partner's recovery key (`countersign/recovery-rotation/v1`), not the old key.
    by_recovery: bool,
}

/// The fingerprint a rotation statement of either kind claims as its signer.
fn claimed_rotation_signer(statement: &[u8]) -> ServiceResult<Fingerprint> {
    match recovery_rotation_signer(statement) {
        Some(signer) => Ok(signer),
        None => RotationStatement::claimed_signer(statement).map_err(invalid("statement_invalid")),
    }
}

/// A rotation statement for `partner_id` checked against its pinned keys, for a new key pinned
/// nowhere. Signed by the old key (`key-rotation/v1`): that key must be active, and the partner
/// must have no recovery key (`recovery` is the one pinned, if any: then such a rotation is
/// refused, `recovery_key_required`). Signed by the recovery key (`recovery-rotation/v1`): it must
/// be the pinned one (format §4.1, §4.2).
fn check_rotation(tx: &dyn Tx, partner_id: i64, statement: &[u8], recovery: Option<PinnedRecoveryKey>) -> ServiceResult<CheckedRotation> {
    let partner = existing_partner(tx, partner_id)?;
    let (old, new_card, by_recovery) = match recovery_rotation_signer(statement) {
        Some(_) => {
            let rotation = check_recovery_rotation(tx, partner_id, statement, recovery.map(|r| r.public_key))?;
            (rotation.old_key().to_string(), rotation.new_card().clone(), true)
        }
        None => {
            let claimed = RotationStatement::claimed_signer(statement).map_err(invalid("statement_invalid"))?;
            if let Some(recovery) = recovery {
                return Err(recovery_key_required(&partner.name, &recovery));
            }
            let old = tx
                .key_by_fingerprint(&claimed.to_string())?
                .filter(|k| k.partner_id == partner_id && k.status == KeyStatus::Active)
                .ok_or_else(|| {
                    let text = format!("the statement is signed by {claimed}, which is not an active key of partner {partner_id}");
                    ServiceError::CheckFailed(
                        ErrorText::detailed("signer_not_active", text).with("fingerprint", claimed).with("partner", partner_id),
                    )
                })?;
            let old_key = PublicKey::from_bytes(&old.public_key).ok_or_else(|| StoreError::Corrupt("pinned key".into()))?;
            let statement = RotationStatement::verify(statement, &old_key).map_err(unverified)?;
            (old.fingerprint, statement.new_card().clone(), false)
        }
    };
    let new_fp = new_card.fingerprint().to_string();
    if let Some(existing) = tx.key_by_fingerprint(&new_fp)? {
        let text = format!("the new key {new_fp} is already pinned for partner {}", existing.partner_id);
        return Err(ServiceError::InvalidInput(
            ErrorText::detailed("key_pinned", text).with("fingerprint", &new_fp).with("partner", existing.partner_id),
        ));
    }
    Ok(CheckedRotation { old, new_card, name: partner.name, by_recovery })
}

/// Applies an accepted key rotation (a `partner_rotate_key` change) from its request: the old key
/// is retired and the new one pinned, if the partner's keys are still as they were proposed.
pub(super) fn apply_rotation(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let partner_id = field(request, "partner")?.as_i64().ok_or_else(|| StoreError::Corrupt("the change's partner".into()))?;
    let statement = b64_decode(text_field(request, "statement")?).ok_or_else(|| StoreError::Corrupt("the change's statement".into()))?;
    // The recovery key pinned when it was proposed: a rotation or revocation since then changed the
    // keys, which the check of `old` below refuses; `audit verify` checks it against the statements.
    let recovery = request["recovery_key"].as_str().map(|k| {
        let public_key = PublicKey::from_base64(k).ok_or_else(|| StoreError::Corrupt("the change's recovery key".into()))?;
        Ok::<_, StoreError>(PinnedRecoveryKey { public_key, fingerprint: public_key.fingerprint() })
    });
    let CheckedRotation { old, new_card, by_recovery, .. } = check_rotation(tx, partner_id, &statement, recovery.transpose()?)?;
    if old != text_field(request, "old")? {
        let text = format!("partner {partner_id}'s keys changed since the rotation was proposed: propose it again");
        return Err(ServiceError::CheckFailed(ErrorText::detailed("keys_changed_meanwhile", text).with("partner", partner_id)));
    }
    let old_row = tx.key_by_fingerprint(&old)?.ok_or_else(|| StoreError::Corrupt("pinned key".into()))?;
    let (new_fp, at, by) = (new_card.fingerprint().to_string(), applier.at(), applier.by());
    let old_status = match old_row.status {
        KeyStatus::Active => {
            tx.set_key_status(old_row.id, KeyStatus::Retired, at, &format!("replaced by {new_fp} (rotation statement approved by {by})"))?;
            KeyStatus::Retired
        }
        status => status,
    };
    let signed_by = match by_recovery {
        true => "the partner's recovery key",
        false => "the previous key",
    };
    let how = format!("rotation statement signed by {signed_by} in place of {old}, fingerprint read back on a call, approved by {by}");
    tx.insert_partner_key(partner_id, &new_fp, &new_card.public_key().to_bytes(), &how, by, at)?;
    applier.write(tx, 0, &format!("partner:{partner_id}"))?;
    Ok(json!({ "partner_id": partner_id, "old": old, "new": new_fp, "old_status": old_status.as_str(), "by_recovery_key": by_recovery }))
}

/// The phone numbers a partner's card lists, each with the card's label for it; numbers that do
/// not parse (in the card's country) are left out.
pub(super) fn card_numbers(card: &PartnerCard) -> Vec<(PhoneNumber, Option<String>)> {
    let country = card.details().country.map(|c| c.to_string());
    card.details()
        .contacts
        .iter()
        .filter(|c| c.kind == ContactKind::Phone)
        .filter_map(|c| Some((PhoneNumber::parse(&c.value, country.as_deref()).ok()?, c.label.clone())))
        .collect()
}

/// What onboarding keeps to apply it once approved: everything the admin gave.
fn onboarding_request(new: &NewPartner<'_>, typed_by: &str) -> Value {
    json!({
        "card": b64_encode(new.card),
        "confirm_fingerprint": new.confirm_fingerprint,
        "phones": new.phones.iter().map(|p| p.number.as_str()).collect::<Vec<_>>(),
        "labels": new.phones.iter().map(|p| p.label.as_deref()).collect::<Vec<_>>(),
        "card_numbers": new.card_numbers,
        "domains": new.domains,
        "country": new.country,
        "known_account": new.known_account.map(|(iban, bic)| json!({ "iban": iban, "bic": bic })),
        "typed_by": typed_by,
    })
}

/// Applies an onboarding (issue 15: a `partner_add` change) from its request.
pub(super) fn apply_partner_add(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let card_file = b64_decode(text_field(request, "card")?).ok_or_else(|| StoreError::Corrupt("the change's card".into()))?;
    let strings = |name: &str| -> Vec<String> {
        request[name].as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default()
    };
    let labels = request["labels"].as_array();
    let phones: Vec<NewNumber> = strings("phones")
        .into_iter()
        .enumerate()
        .map(|(i, number)| NewNumber { number, label: labels.and_then(|l| l.get(i)).and_then(Value::as_str).map(str::to_string) })
        .collect();
    let domains = strings("domains");
    let account = &request["known_account"];
    let new = NewPartner {
        card: &card_file,
        confirm_fingerprint: text_field(request, "confirm_fingerprint")?,
        phones: &phones,
        card_numbers: request["card_numbers"].as_bool().unwrap_or(false),
        domains: &domains,
        country: request["country"].as_str(),
        known_account: account["iban"].as_str().zip(account["bic"].as_str()),
    };
    let card = PartnerCard::parse(&card_file).map_err(invalid("card_invalid"))?;
    let onboarding = Onboarding::check(&card, &new)?;
    let id = onboarding.write_rows(tx, applier.at(), text_field(request, "typed_by")?, applier.by())?;
    applier.write(tx, 0, &format!("partner:{id}"))?;
    Ok(json!({ "partner_id": id, "fingerprint": onboarding.fingerprint }))
}

/// Refuses a number that is on file already.
fn refuse_on_file(rows: &[String], number: &PhoneNumber, name: &str) -> ServiceResult<()> {
    if rows.iter().any(|n| n == number.as_e164()) {
        let text = format!("{} is on file for {name} already", number.international());
        return Err(ServiceError::InvalidInput(
            ErrorText::detailed("number_on_file", text).with("number", number.international()).with("partner", name),
        ));
    }
    Ok(())
}

/// Applies a number put on file (issue 20: a `partner_add_phone` change) from its request, if it
/// is not on file meanwhile.
pub(super) fn apply_partner_add_phone(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let partner_id = field(request, "partner")?.as_i64().ok_or_else(|| StoreError::Corrupt("the change's partner".into()))?;
    let number = PhoneNumber::from_e164(text_field(request, "number")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let partner = existing_partner(tx, partner_id)?;
    let rows: Vec<String> = tx.partner_phones(partner_id, &Page::default())?.into_iter().map(|p| p.e164).collect();
    refuse_on_file(&rows, &number, &partner.name)?;
    tx.insert_partner_phone(partner_id, number.as_e164(), NumberSource::Change.as_str(), text_field(request, "typed_by")?, applier.at())?;
    applier.write(tx, 0, &format!("partner:{partner_id}"))?;
    Ok(json!({ "partner_id": partner_id, "number": number.as_e164() }))
}

/// The account known from the contract, checked: the problems found are the error.
fn known_account(iban: &str, bic: &str) -> ServiceResult<BankAccount> {
    let details = AccountDetails::Iban {
        iban: countersign_core::bank::Iban::parse(iban).map_err(invalid_value("iban_invalid", "iban", iban))?.electronic().to_string(),
        bic: bic.trim().to_ascii_uppercase(),
    };
    let (account, _) = details.validate().map_err(|problems| {
        let text = problems.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" ");
        ServiceError::InvalidInput(ErrorText::detailed("account_invalid", text))
    })?;
    Ok(account)
}

impl Workspace {
    /// Checks the fingerprint an admin typed, as read back on the phone, against a card before
    /// the rest of onboarding is asked for (the onboarding wizard's own step). Pins nothing;
    /// `add_partner` checks again. A mismatch is refused and logged like one at `add_partner`.
    /// Returns the card's fingerprint.
    pub fn confirm_partner_fingerprint(&mut self, session: &Session, card: &[u8], typed: &str) -> ServiceResult<String> {
        self.authorize(session, Permission::OnboardPartners, "partners")?;
        let card = PartnerCard::parse(card).map_err(invalid("card_invalid"))?;
        self.check_typed_fingerprint(session, &card, typed)?;
        Ok(card.fingerprint().to_string())
    }

    /// The typed fingerprint against the card's: `check_failed` (logged) when they differ.
    fn check_typed_fingerprint(&mut self, session: &Session, card: &PartnerCard, typed: &str) -> ServiceResult<()> {
        let typed = Fingerprint::parse_lenient(typed).map_err(typed_fingerprint(typed))?;
        if typed != card.fingerprint() {
            return self.refuse(
                session.user(),
                "partner.pin_refused",
                "partners",
                json!({ "card_name": card.details().name, "card_fingerprint": card.fingerprint().to_string(), "typed": typed.to_string() }),
                ServiceError::CheckFailed(
                    ErrorText::detailed("fingerprint_mismatch", format!(
                        "the fingerprint you typed ({typed}) does not match the card of {} ({}): read it again with the partner on the phone, from a number in the contract; nothing was pinned",
                        card.details().name,
                        card.fingerprint()
                    ))
                    .with("typed", typed)
                    .with("partner", &card.details().name)
                    .with("fingerprint", card.fingerprint()),
                ),
            );
        }
        Ok(())
    }

    /// Onboards a partner and pins its key, only if the typed fingerprint matches the card. Once
    /// the workspace has two people who can check, this proposes a change that another approver
    /// or admin approves (issue 15); look-alikes of partners on file are flagged on it.
    pub fn add_partner(&mut self, session: &Session, new: &NewPartner<'_>) -> ServiceResult<Outcome> {
        self.authorize(session, Permission::OnboardPartners, "partners")?;
        let card = PartnerCard::parse(new.card).map_err(invalid("card_invalid"))?;
        self.check_typed_fingerprint(session, &card, new.confirm_fingerprint)?;
        let onboarding = Onboarding::check(&card, new)?;
        let flags = self.verified(session.user(), "partners", |tx, state| -> ServiceResult<_> {
            onboarding.refuse_pinned(tx)?;
            super::recovery::refuse_recovery_as_signer(tx, state, &card)?;
            super::lookalikes::onboarding_flags(tx, state, &onboarding.name, &onboarding.domains, onboarding.account.as_ref())
        })?;
        let details = onboarding.effect_details();
        self.submit(
            session,
            ChangeRequest {
                kind: ChangeKind::PartnerAdd,
                summary: format!("Onboard {} and pin its key {}", onboarding.name, onboarding.fingerprint),
                request: onboarding_request(new, session.user()),
                effects: vec![ProposedEffect {
                    action: "partner.add".into(),
                    subject: format!("partner:{NEW_ROW}"),
                    details: details.clone(),
                }],
                flags,
                before: Value::Null,
                after: details,
            },
        )
    }

    /// All partners, by id.
    pub fn partners(&mut self, session: &Session) -> ServiceResult<Vec<PartnerSummary>> {
        Ok(self.partners_page(session, &Page::default())?.items)
    }

    /// One page of the partners, by id (`partner list --limit --after`).
    pub fn partners_page(&mut self, session: &Session, page: &Page) -> ServiceResult<Paged<PartnerSummary>> {
        self.require_signed_in(session)?;
        self.store.read(|tx| -> ServiceResult<Paged<PartnerSummary>> {
            let partners = Paged::of(tx.partners(page)?, page, |p| p.id);
            let items = partners.items.iter().map(|p| summary(tx, p)).collect::<ServiceResult<_>>()?;
            Ok(Paged { items, next: partners.next })
        })
    }

    /// One partner in full: every history whole.
    pub fn partner(&mut self, session: &Session, id: i64) -> ServiceResult<PartnerDetail> {
        self.partner_page(session, id, &Page::default())
    }

    /// One partner: its summary and counts, and the first page of each history (`partner show
    /// --limit`: at most `page.limit` keys, numbers and accounts, and of each account's cases);
    /// every history whole without a limit. `page.after` names an item of one history only, so
    /// it is refused here: see [`Workspace::partner_history`].
    pub fn partner_page(&mut self, session: &Session, id: i64, page: &Page) -> ServiceResult<PartnerDetail> {
        self.require_signed_in(session)?;
        if page.after.is_some() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed(
                "after_needs_history",
                "--after continues one history of a partner: name it with --history",
            )));
        }
        self.verified(session.user(), &format!("partner:{id}"), |tx, state| -> ServiceResult<PartnerDetail> {
            let p = existing_partner(tx, id)?;
            let keys = Paged::of(tx.partner_keys(id, page)?, page, |k| k.id);
            let phones = phone_views(tx, state, id, page)?;
            let accounts = account_views(tx, id, page)?;
            Ok(PartnerDetail {
                summary: summary(tx, &p)?,
                counts: tx.partner_counts(id)?,
                domains: tx.partner_domains(id)?,
                phones: phones.items,
                keys: keys.items,
                accounts: accounts.items,
                next: HistoryCursors { keys: keys.next, contacts: phones.next, accounts: accounts.next },
                recovery_key: pinned_recovery_key(state, id),
                created_at: p.created_at,
                created_by: p.created_by,
                freezes: state.freezes.get(&id).into_iter().flatten().rev().map(super::freezes::FreezeView::of).collect(),
            })
        })
    }

    /// One page of one of a partner's histories (`partner show ID --history H --limit --after`):
    /// keys, numbers and accounts oldest first, cases newest first, each after the id of the
    /// last item of the page before.
    pub fn partner_history(&mut self, session: &Session, id: i64, history: PartnerHistory, page: &Page) -> ServiceResult<HistoryPage> {
        self.require_signed_in(session)?;
        self.verified(session.user(), &format!("partner:{id}"), |tx, state| -> ServiceResult<HistoryPage> {
            existing_partner(tx, id)?;
            Ok(match history {
                PartnerHistory::Keys => HistoryPage::Keys(Paged::of(tx.partner_keys(id, page)?, page, |k| k.id)),
                PartnerHistory::Contacts => HistoryPage::Contacts(phone_views(tx, state, id, page)?),
                PartnerHistory::Accounts => HistoryPage::Accounts(account_views(tx, id, page)?),
                PartnerHistory::Cases => HistoryPage::Cases(Paged::of(tx.partner_cases(id, page)?, page, |c| c.id)),
            })
        })
    }

    /// Accepts a key-rotation statement for a partner (admin only): the statement must be signed
    /// by one of the partner's active keys, and the new key's fingerprint must have been read
    /// back on a call to a number on file (issue 15: a rotation is a pinning, and a stolen key
    /// signs rotations too). Once the workspace has two people who can check, this proposes a
    /// change: until another approver or admin approves it, the old key stays current.
    pub fn rotate_partner_key(&mut self, session: &Session, partner_id: i64, rotation: &KeyRotation<'_>) -> ServiceResult<Outcome> {
        let subject = format!("partner:{partner_id}");
        self.authorize(session, Permission::RotatePartnerKeys, &subject)?;
        let claimed = claimed_rotation_signer(rotation.statement)?;
        let checked = self.verified(session.user(), &subject, |tx, state| -> ServiceResult<_> {
            let recovery = pinned_recovery_key(state, partner_id);
            let checked = check_rotation(tx, partner_id, rotation.statement, recovery)?;
            super::recovery::refuse_recovery_as_signer(tx, state, &checked.new_card)?;
            Ok((checked, recovery))
        });
        let (CheckedRotation { old, new_card, name, by_recovery }, recovery) = match checked {
            Err(e @ (ServiceError::CheckFailed(_) | ServiceError::RecoveryKeyRequired(_))) => {
                return self.refuse(session.user(), "partner.rotate_key_refused", &subject, json!({ "signer": claimed.to_string() }), e)
            }
            other => other?,
        };
        let new_fp = new_card.fingerprint().to_string();
        let typed = Fingerprint::parse_lenient(rotation.confirm_fingerprint).map_err(typed_fingerprint(rotation.confirm_fingerprint))?;
        if typed.to_string() != new_fp {
            let message = format!(
                "the fingerprint you typed ({typed}) is not that of the new key in the statement ({new_fp}): read it back again with {name} on a number on file; nothing was changed"
            );
            let details = json!({ "signer": claimed.to_string(), "new": new_fp, "typed": typed.to_string() });
            let text = ErrorText::detailed("rotation_fingerprint_mismatch", message)
                .with("typed", typed)
                .with("partner", &name)
                .with("fingerprint", &new_fp);
            return self.refuse(session.user(), "partner.rotate_key_refused", &subject, details, ServiceError::CheckFailed(text));
        }
        let dialed = self.on_file_number(session, partner_id, rotation.dialed, "partner.rotate_key_refused", &subject)?;
        let new_recovery = new_card.recovery_key().map(|k| k.to_base64());
        let mut details = json!({
            "old": old,
            "new": new_fp,
            "dialed": dialed.as_e164(),
            "read_back_by": session.user(),
            "recovery_key": new_recovery,
        });
        if by_recovery {
            details["recovery_statement"] = json!(b64_encode(rotation.statement));
        }
        let signed_by = if by_recovery { " (signed by its recovery key)" } else { "" };
        let pinned_recovery = recovery.map(|r| r.public_key.to_base64());
        self.submit(
            session,
            ChangeRequest {
                kind: ChangeKind::PartnerRotateKey,
                summary: format!("Accept {name}'s new key {new_fp} in place of {old}{signed_by}"),
                request: json!({ "partner": partner_id, "statement": b64_encode(rotation.statement), "old": old, "recovery_key": pinned_recovery }),
                effects: vec![ProposedEffect { action: "partner.rotate_key".into(), subject: subject.clone(), details }],
                flags: vec![],
                before: json!({ "active_key": old, "recovery_key": pinned_recovery }),
                after: json!({ "active_key": new_fp, "recovery_key": new_recovery }),
            },
        )
    }

    /// Puts one more number on file for a partner (admin only; issue 20): a change that another
    /// approver or admin approves once two people can check. The number keeps its source (this
    /// change, typed by the maker and approved by the checker), its label and when; it is never
    /// offered for the callback of an instruction that arrived before it.
    pub fn add_partner_phone(&mut self, session: &Session, partner_id: i64, new: &NewNumber) -> ServiceResult<Outcome> {
        let subject = format!("partner:{partner_id}");
        self.authorize(session, Permission::OnboardPartners, &subject)?;
        let label = new.checked_label()?;
        let (number, name) = self.verified(session.user(), &subject, |tx, state| -> ServiceResult<_> {
            let partner = existing_partner(tx, partner_id)?;
            let number = PhoneNumber::parse(&new.number, partner.country.as_deref()).map_err(invalid_value(
                "phone_invalid",
                "number",
                &new.number,
            ))?;
            let rows: Vec<String> = tx.partner_phones(partner_id, &Page::default())?.into_iter().map(|p| p.e164).collect();
            super::statements::check_phones(state, partner_id, &rows)?;
            refuse_on_file(&rows, &number, &partner.name)?;
            Ok((number, partner.name))
        })?;
        let details = json!({ "e164": number.as_e164(), "label": label });
        self.submit(
            session,
            ChangeRequest {
                kind: ChangeKind::PartnerAddPhone,
                summary: format!("Put {} on file for {name}", number.international()),
                request: json!({ "partner": partner_id, "number": number.as_e164(), "label": label, "typed_by": session.user() }),
                effects: vec![ProposedEffect { action: "partner.add_phone".into(), subject, details: details.clone() }],
                flags: vec![],
                before: Value::Null,
                after: details,
            },
        )
    }

    /// Revokes a partner's key (admin only): the active one, or the one named.
    pub fn revoke_partner_key(
        &mut self,
        session: &Session,
        partner_id: i64,
        fingerprint: Option<&str>,
        reason: &str,
    ) -> ServiceResult<String> {
        let subject = format!("partner:{partner_id}");
        self.authorize(session, Permission::RevokePartnerKeys, &subject)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::InvalidInput(ErrorText::detailed("reason_needed", "give a reason for the revocation")));
        }
        super::check_free_text(("reason", "the reason"), reason, super::MAX_NOTE_CHARS)?;
        let wanted = fingerprint
            .map(|f| Fingerprint::parse_lenient(f).map_err(invalid_value("fingerprint_invalid", "typed", f)))
            .transpose()?
            .map(|f| f.to_string());
        let at = format_utc(now());
        let by = session.user().to_string();
        // An emergency: a payment run under way in another process yields to it between its
        // transactions, and checks every file it records after it against the revoked key (issue 16).
        let _urgent = self.store.announce_urgent_write()?;
        self.store.write(|tx| -> ServiceResult<String> {
            existing_partner(tx, partner_id)?;
            let keys = tx.partner_keys(partner_id, &Page::default())?;
            let candidates: Vec<_> = keys
                .iter()
                .filter(|k| k.status != KeyStatus::Revoked && wanted.as_ref().is_none_or(|w| *w == k.fingerprint))
                .filter(|k| wanted.is_some() || k.status == KeyStatus::Active)
                .collect();
            let key = match candidates.as_slice() {
                [one] => *one,
                [] => {
                    let text = format!("partner {partner_id} has no such key to revoke");
                    return Err(ServiceError::NotFound(ErrorText::detailed("key_to_revoke", text).with("partner", partner_id)));
                }
                _ => {
                    let text = "the partner has several active keys: name one with --fingerprint";
                    return Err(ServiceError::InvalidInput(ErrorText::detailed("several_active_keys", text)));
                }
            };
            tx.set_key_status(key.id, KeyStatus::Revoked, &at, &format!("revoked by {by}: {reason}"))?;
            super::statements::append_statement(
                tx,
                session,
                &at,
                "partner.revoke_key",
                &subject,
                json!({ "fingerprint": key.fingerprint, "reason": reason }),
            )?;
            Ok(key.fingerprint.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, Role};

    /// Globex's TEST-ONLY card from keys/ and its fingerprint.
    const GLOBEX_CARD: &[u8] = include_bytes!("../../../keys/globex.card");
    const GLOBEX_FPR: &str = "36653 67829 08626 49703 65424 09250";

    use crate::test_support::admin_workspace as workspace;

    #[test]
    fn the_typed_fingerprint_is_checked_before_onboarding_and_nothing_is_pinned() {
        let (_dir, mut ws, alice) = workspace();
        let misheard = "36653 67829 08626 49730 65424 09250";
        let refused = ws.confirm_partner_fingerprint(&alice, GLOBEX_CARD, misheard).unwrap_err();
        assert_eq!(refused.code(), "check_failed");
        assert!(refused.to_string().contains("nothing was pinned"), "{refused}");
        assert_eq!(ws.confirm_partner_fingerprint(&alice, GLOBEX_CARD, "12345").unwrap_err().code(), "invalid_input");
        assert_eq!(ws.confirm_partner_fingerprint(&alice, b"not a card", GLOBEX_FPR).unwrap_err().code(), "invalid_input");
        let typed = GLOBEX_FPR.replace(' ', "");
        assert_eq!(ws.confirm_partner_fingerprint(&alice, GLOBEX_CARD, &typed).unwrap(), GLOBEX_FPR);
        assert!(ws.partners(&alice).unwrap().is_empty(), "confirming pins nothing");

        ws.add_user(&alice, "carol", Role::Clerk, "carol password 1").unwrap();
        let carol = ws.login(&Credentials { user: "carol", password: "carol password 1", totp: None }).unwrap();
        assert_eq!(ws.confirm_partner_fingerprint(&carol, GLOBEX_CARD, GLOBEX_FPR).unwrap_err().code(), "not_permitted");
    }

    /// Issue 19: `partner show` a page at a time, on the backend the tests run on.
    #[test]
    fn a_partner_is_shown_a_page_of_each_history_at_a_time() {
        let (_dir, mut ws, alice) = workspace();
        let phones = ["+49 30 1234567", "+44 20 7946 0958", "+33 1 23 45 67 89"].map(String::from);
        let new = NewPartner {
            card: GLOBEX_CARD,
            confirm_fingerprint: GLOBEX_FPR,
            phones: &phones.iter().map(|p| crate::NewNumber::plain(p)).collect::<Vec<_>>(),
            card_numbers: false,
            domains: &[],
            country: None,
            known_account: Some(("DE89 3704 0044 0532 0130 00", "COBADEFFXXX")),
        };
        ws.add_partner(&alice, &new).unwrap();
        let page = Page::new(Some(1), None).unwrap();
        let first = ws.partner_page(&alice, 1, &page).unwrap();
        assert_eq!((first.phones.len(), first.counts.phones, first.counts.accounts), (1, 3, 1));
        assert_eq!(first.next, HistoryCursors { keys: None, contacts: Some(first.phones[0].number.id), accounts: None });
        assert_eq!(first.summary.current_account.as_deref(), Some("DE89 3704 0044 0532 0130 00"));
        let mut seen = vec![first.phones[0].number.e164.clone()];
        let mut after = first.next.contacts;
        while let Some(cursor) = after {
            let HistoryPage::Contacts(next) =
                ws.partner_history(&alice, 1, PartnerHistory::Contacts, &Page::new(Some(1), Some(cursor)).unwrap()).unwrap()
            else {
                panic!("contacts asked for")
            };
            seen.extend(next.items.iter().map(|p| p.number.e164.clone()));
            after = next.next;
        }
        assert_eq!(seen, ["+49301234567", "+442079460958", "+33123456789"]);
        let whole = ws.partner(&alice, 1).unwrap();
        assert_eq!((whole.phones.len(), whole.next), (3, HistoryCursors::default()));
        let after_one = Page::new(Some(1), Some(1)).unwrap();
        assert_eq!(ws.partner_page(&alice, 1, &after_one).unwrap_err().code(), "invalid_input", "--after needs a history");
        assert_eq!(ws.partner_history(&alice, 9, PartnerHistory::Keys, &page).unwrap_err().code(), "not_found");
        assert_eq!(ws.partners_page(&alice, &page).unwrap().items[0].active_keys, [GLOBEX_FPR]);
        let users = ws.users_page(&alice, &page).unwrap();
        assert_eq!((users.items[0].name.as_str(), users.next), ("alice", None));
        assert_eq!(
            ws.users_page(&alice, &Page::new(None, Some(99)).unwrap()).unwrap_err().code(),
            "invalid_input",
            "a cursor naming no user"
        );
    }
}
