//! Partners and what is known about them: registered domains, on-file phone numbers, pinned
//! keys with their status, the history of bank accounts, and accounts marked fraudulent.

use countersign_core::paging::Page;
use countersign_core::registry::{AccountRecord, AccountStatus, KeyStatus, OnFileNumber, Partner, PinnedKey};

use crate::StoreResult;

/// An account to record.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// The partner.
    pub partner_id: i64,
    /// `BankAccount::key`.
    pub account_key: &'a str,
    /// As people read it.
    pub display: &'a str,
    /// BIC.
    pub bic: &'a str,
    /// Country.
    pub country: &'a str,
    /// Initial status when new.
    pub status: AccountStatus,
    /// `contract` or `instruction`.
    pub source: &'a str,
    /// When seen.
    pub seen_at: &'a str,
}

/// How long each of a partner's histories is (`partner show`'s summary), counted in the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartnerCounts {
    /// Pinned keys, whatever their status.
    pub keys: u64,
    /// Accounts in the history.
    pub accounts: u64,
    /// On-file phone numbers.
    pub phones: u64,
    /// Registered email domains.
    pub domains: u64,
    /// Cases of instructions from the partner.
    pub cases: u64,
}

/// The mark on an account after a denied callback (issue 15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudMark {
    /// Its row id: marks are numbered as they are made (the cursor of `account list`).
    pub id: i64,
    /// The account (`BankAccount::key`).
    pub account_key: String,
    /// When it was marked (UTC).
    pub marked_at: String,
    /// Who recorded the denied callback.
    pub marked_by: String,
    /// The case of that callback.
    pub case_id: Option<i64>,
    /// Why.
    pub reason: String,
    /// Who confirmed it as fraudulent, and when (UTC); `None`: only suspected.
    pub confirmed: Option<(String, String)>,
}

/// The partner registry: partners, their domains, on-file numbers, pinned keys, the account history and fraud marks.
pub trait PartnersTx {
    /// Adds a partner; returns its id.
    fn insert_partner(&self, name: &str, country: Option<&str>, card: &[u8], at: &str, by: &str) -> StoreResult<i64>;

    /// Registers an email domain for a partner.
    fn insert_partner_domain(&self, partner_id: i64, domain: &str) -> StoreResult<()>;

    /// Records an on-file phone number.
    fn insert_partner_phone(&self, partner_id: i64, e164: &str, source: &str, by: &str, at: &str) -> StoreResult<()>;

    /// Pins a key for a partner (status active).
    fn insert_partner_key(
        &self,
        partner_id: i64,
        fingerprint: &str,
        public_key: &[u8; 32],
        verified_how: &str,
        by: &str,
        at: &str,
    ) -> StoreResult<i64>;

    /// Retires or revokes a key.
    fn set_key_status(&self, key_id: i64, status: KeyStatus, at: &str, reason: &str) -> StoreResult<()>;

    /// A partner by id.
    fn partner(&self, id: i64) -> StoreResult<Option<Partner>>;

    /// The card file a partner was onboarded with, as it was given (the labels of its contacts).
    fn partner_card(&self, id: i64) -> StoreResult<Option<Vec<u8>>>;

    /// Partners, by id; of a page, those after `page.after` and at most one more than
    /// `page.limit` (see [`Page::fetch`]).
    fn partners(&self, page: &Page) -> StoreResult<Vec<Partner>>;

    /// How many keys, accounts, numbers, domains and cases a partner has.
    fn partner_counts(&self, partner_id: i64) -> StoreResult<PartnerCounts>;

    /// A partner's registered domains.
    fn partner_domains(&self, partner_id: i64) -> StoreResult<Vec<String>>;

    /// A partner's on-file phone numbers, oldest first; of a page, those after `page.after`.
    fn partner_phones(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<OnFileNumber>>;

    /// A partner's keys, oldest first; of a page, those after `page.after`.
    fn partner_keys(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<PinnedKey>>;

    /// A partner's active keys, oldest first.
    fn active_keys(&self, partner_id: i64) -> StoreResult<Vec<PinnedKey>>;

    /// The pinned key with this fingerprint, whatever its status.
    fn key_by_fingerprint(&self, fingerprint: &str) -> StoreResult<Option<PinnedKey>>;

    /// Every pinned key (for loading a verification cache).
    fn all_keys(&self) -> StoreResult<Vec<PinnedKey>>;

    /// The last time a key of this partner was retired by a rotation.
    fn last_key_rotation(&self, partner_id: i64) -> StoreResult<Option<String>>;

    /// Records that an account was seen for a partner: inserts it with `status`, or updates
    /// `last_seen` if it is already known (its status is left as it is). Returns its row.
    fn record_account(&self, a: &NewAccount<'_>) -> StoreResult<AccountRecord>;

    /// [`Tx::record_account`] without reading the row back (once per file of a payment run).
    fn note_account(&self, a: &NewAccount<'_>) -> StoreResult<()>;

    /// An account of a partner.
    fn account(&self, partner_id: i64, account_key: &str) -> StoreResult<Option<AccountRecord>>;

    /// A partner's accounts, oldest first; of a page, those after `page.after`.
    fn partner_accounts(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<AccountRecord>>;

    /// A partner's current account (the oldest, should there be several).
    fn current_account(&self, partner_id: i64) -> StoreResult<Option<AccountRecord>>;

    /// Records that an account was seen and makes it the partner's current one: the effect of
    /// [`Tx::note_account`] followed by [`Tx::make_account_current`], in one statement, or two
    /// with `retire_others`. The caller passes `retire_others: false` only when it has read, in
    /// this transaction, that the partner has no other current account (so retiring would change
    /// nothing). `a.status` is not used: the account becomes current.
    fn note_current_account(&self, a: &NewAccount<'_>, retire_others: bool) -> StoreResult<()>;

    /// Makes an account the partner's current one; the previous current account is retired.
    fn make_account_current(&self, partner_id: i64, account_key: &str, at: &str) -> StoreResult<()>;

    /// Names of partners other than `partner_id` with this account in their history (not fraudulent).
    fn other_partners_with_account(&self, partner_id: i64, account_key: &str) -> StoreResult<Vec<String>>;

    /// The mark on an account after a denied callback, if it has one.
    fn fraud_mark(&self, account_key: &str) -> StoreResult<Option<FraudMark>>;

    /// Marked accounts, the latest marked first; of a page, those marked before the mark
    /// `page.after`.
    fn fraud_marks(&self, page: &Page) -> StoreResult<Vec<FraudMark>>;

    /// Marks an account suspected for every partner (its rows in histories become `fraudulent`).
    fn mark_fraudulent(&self, account_key: &str, at: &str, by: &str, case_id: Option<i64>, reason: &str) -> StoreResult<()>;

    /// A second person confirms a suspected account as fraudulent.
    fn confirm_fraud(&self, account_key: &str, at: &str, by: &str) -> StoreResult<()>;

    /// Clears an account's mark: its rows in histories become `pending` (seen, not confirmed).
    fn clear_fraud_mark(&self, account_key: &str) -> StoreResult<()>;

    /// Domains registered for partners other than `partner_id`.
    fn other_partners_domains(&self, partner_id: i64) -> StoreResult<Vec<String>>;
}
