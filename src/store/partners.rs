//! Partners and what is known about them: registered domains, on-file phone numbers, pinned
//! keys with their status, the history of bank accounts, and accounts marked fraudulent.

use rusqlite::OptionalExtension;

use super::{StoreError, StoreResult, Tx};

/// A partner as stored.
#[derive(Debug, Clone)]
pub struct PartnerRow {
    /// Row id (the partner id users see).
    pub id: i64,
    /// Legal name.
    pub name: String,
    /// Registered country.
    pub country: Option<String>,
    /// When onboarded.
    pub created_at: String,
    /// By whom.
    pub created_by: String,
}

/// An on-file phone number.
#[derive(Debug, Clone)]
pub struct PhoneRow {
    /// E.164.
    pub e164: String,
    /// Where it was taken from ("recorded at onboarding by admin").
    pub source: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: String,
}

/// A pinned key.
#[derive(Debug, Clone)]
pub struct KeyRow {
    /// Row id.
    pub id: i64,
    /// The partner it belongs to.
    pub partner_id: i64,
    /// Canonical fingerprint.
    pub fingerprint: String,
    /// The 32-byte public key.
    pub public_key: [u8; 32],
    /// `active`, `retired` or `revoked`.
    pub status: String,
    /// How it was verified before pinning.
    pub verified_how: String,
    /// By whom.
    pub verified_by: String,
    /// When.
    pub verified_at: String,
    /// When it was retired or revoked.
    pub status_changed_at: Option<String>,
    /// Why.
    pub status_reason: Option<String>,
}

/// An account in a partner's history.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// Row id.
    pub id: i64,
    /// The partner.
    pub partner_id: i64,
    /// `BankAccount::key`.
    pub account_key: String,
    /// As people read it.
    pub display: String,
    /// The bank's BIC.
    pub bic: String,
    /// Country of the account.
    pub country: String,
    /// `current`, `pending`, `retired` or `fraudulent`.
    pub status: String,
    /// `contract` or `instruction`.
    pub source: String,
    /// First seen.
    pub first_seen: String,
    /// Last seen.
    pub last_seen: String,
    /// When it became current.
    pub became_current_at: Option<String>,
}

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
    pub status: &'a str,
    /// `contract` or `instruction`.
    pub source: &'a str,
    /// When seen.
    pub seen_at: &'a str,
}

fn key_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(KeyRow, Vec<u8>)> {
    Ok((
        KeyRow {
            id: r.get(0)?,
            partner_id: r.get(1)?,
            fingerprint: r.get(2)?,
            public_key: [0; 32],
            status: r.get(4)?,
            verified_how: r.get(5)?,
            verified_by: r.get(6)?,
            verified_at: r.get(7)?,
            status_changed_at: r.get(8)?,
            status_reason: r.get(9)?,
        },
        r.get(3)?,
    ))
}

fn finish_key((mut row, bytes): (KeyRow, Vec<u8>)) -> StoreResult<KeyRow> {
    row.public_key = bytes.try_into().map_err(|_| StoreError::Corrupt("a public key is not 32 bytes".into()))?;
    Ok(row)
}

const KEY_COLUMNS: &str = "id, partner_id, fingerprint, public_key, status, verified_how, verified_by, verified_at, status_changed_at, status_reason";
const ACCOUNT_COLUMNS: &str =
    "id, partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at";

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        partner_id: r.get(1)?,
        account_key: r.get(2)?,
        display: r.get(3)?,
        bic: r.get(4)?,
        country: r.get(5)?,
        status: r.get(6)?,
        source: r.get(7)?,
        first_seen: r.get(8)?,
        last_seen: r.get(9)?,
        became_current_at: r.get(10)?,
    })
}

impl Tx<'_> {
    /// Adds a partner; returns its id.
    pub fn insert_partner(&self, name: &str, country: Option<&str>, card: &[u8], at: &str, by: &str) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO partners (name, country, card, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![name, country, card, at, by],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Registers an email domain for a partner.
    pub fn insert_partner_domain(&self, partner_id: i64, domain: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO partner_domains (partner_id, domain) VALUES (?1, ?2)",
            rusqlite::params![partner_id, domain],
        )?;
        Ok(())
    }

    /// Records an on-file phone number.
    pub fn insert_partner_phone(&self, partner_id: i64, e164: &str, source: &str, by: &str, at: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO partner_phones (partner_id, e164, source, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![partner_id, e164, source, by, at],
        )?;
        Ok(())
    }

    /// Pins a key for a partner (status active).
    pub fn insert_partner_key(
        &self,
        partner_id: i64,
        fingerprint: &str,
        public_key: &[u8; 32],
        verified_how: &str,
        by: &str,
        at: &str,
    ) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO partner_keys (partner_id, fingerprint, public_key, status, verified_how, verified_by, verified_at)
             VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6)",
            rusqlite::params![partner_id, fingerprint, &public_key[..], verified_how, by, at],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Retires or revokes a key.
    pub fn set_key_status(&self, key_id: i64, status: &str, at: &str, reason: &str) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE partner_keys SET status = ?1, status_changed_at = ?2, status_reason = ?3 WHERE id = ?4",
            rusqlite::params![status, at, reason, key_id],
        )?;
        Ok(())
    }

    /// A partner by id.
    pub fn partner(&self, id: i64) -> StoreResult<Option<PartnerRow>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, country, created_at, created_by FROM partners WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(PartnerRow { id: r.get(0)?, name: r.get(1)?, country: r.get(2)?, created_at: r.get(3)?, created_by: r.get(4)? })
            })
            .optional()?)
    }

    /// Every partner, by id.
    pub fn partners(&self) -> StoreResult<Vec<PartnerRow>> {
        let mut stmt = self.tx.prepare("SELECT id, name, country, created_at, created_by FROM partners ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(PartnerRow { id: r.get(0)?, name: r.get(1)?, country: r.get(2)?, created_at: r.get(3)?, created_by: r.get(4)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// A partner's registered domains.
    pub fn partner_domains(&self, partner_id: i64) -> StoreResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached("SELECT domain FROM partner_domains WHERE partner_id = ?1 ORDER BY domain")?;
        let rows = stmt.query_map([partner_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// A partner's on-file phone numbers.
    pub fn partner_phones(&self, partner_id: i64) -> StoreResult<Vec<PhoneRow>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT e164, source, recorded_by, recorded_at FROM partner_phones WHERE partner_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([partner_id], |r| {
                Ok(PhoneRow { e164: r.get(0)?, source: r.get(1)?, recorded_by: r.get(2)?, recorded_at: r.get(3)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// A partner's keys, oldest first.
    pub fn partner_keys(&self, partner_id: i64) -> StoreResult<Vec<KeyRow>> {
        let mut stmt =
            self.tx.prepare_cached(&format!("SELECT {KEY_COLUMNS} FROM partner_keys WHERE partner_id = ?1 ORDER BY id"))?;
        let rows: Vec<_> = stmt.query_map([partner_id], key_from_row)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(finish_key).collect()
    }

    /// The pinned key with this fingerprint, whatever its status.
    pub fn key_by_fingerprint(&self, fingerprint: &str) -> StoreResult<Option<KeyRow>> {
        let row = self
            .tx
            .prepare_cached(&format!("SELECT {KEY_COLUMNS} FROM partner_keys WHERE fingerprint = ?1"))?
            .query_row([fingerprint], key_from_row)
            .optional()?;
        row.map(finish_key).transpose()
    }

    /// Every pinned key (for loading a verification cache).
    pub fn all_keys(&self) -> StoreResult<Vec<KeyRow>> {
        let mut stmt = self.tx.prepare(&format!("SELECT {KEY_COLUMNS} FROM partner_keys"))?;
        let rows: Vec<_> = stmt.query_map([], key_from_row)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(finish_key).collect()
    }

    /// The last time a key of this partner was retired by a rotation.
    pub fn last_key_rotation(&self, partner_id: i64) -> StoreResult<Option<String>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT MAX(status_changed_at) FROM partner_keys WHERE partner_id = ?1 AND status = 'retired'",
            )?
            .query_row([partner_id], |r| r.get(0))?)
    }

    /// Records that an account was seen for a partner: inserts it with `status`, or updates
    /// `last_seen` if it is already known (its status is left as it is). Returns its row.
    pub fn record_account(&self, a: &NewAccount<'_>) -> StoreResult<AccountRow> {
        self.note_account(a)?;
        self.account(a.partner_id, a.account_key)?.ok_or_else(|| StoreError::Corrupt("account vanished".into()))
    }

    /// [`Tx::record_account`] without reading the row back (once per file of a payment run).
    pub fn note_account(&self, a: &NewAccount<'_>) -> StoreResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO accounts (partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, CASE WHEN ?6 = 'current' THEN ?8 END)
                 ON CONFLICT (partner_id, account_key) DO UPDATE SET last_seen = excluded.last_seen",
            )?
            .execute(rusqlite::params![a.partner_id, a.account_key, a.display, a.bic, a.country, a.status, a.source, a.seen_at])?;
        Ok(())
    }

    /// An account of a partner.
    pub fn account(&self, partner_id: i64, account_key: &str) -> StoreResult<Option<AccountRow>> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = ?1 AND account_key = ?2"))?
            .query_row(rusqlite::params![partner_id, account_key], account_from_row)
            .optional()?)
    }

    /// A partner's accounts, oldest first.
    pub fn partner_accounts(&self, partner_id: i64) -> StoreResult<Vec<AccountRow>> {
        let mut stmt =
            self.tx.prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([partner_id], account_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Records that an account was seen and makes it the partner's current one: the effect of
    /// [`Tx::note_account`] followed by [`Tx::make_account_current`], in one statement, or two
    /// with `retire_others`. The caller passes `retire_others: false` only when it has read, in
    /// this transaction, that the partner has no other current account (so retiring would change
    /// nothing). `a.status` is not used: the account becomes current.
    pub fn note_current_account(&self, a: &NewAccount<'_>, retire_others: bool) -> StoreResult<()> {
        if retire_others {
            self.tx
                .prepare_cached(
                    "UPDATE accounts SET status = 'retired' WHERE partner_id = ?1 AND status = 'current' AND account_key != ?2",
                )?
                .execute(rusqlite::params![a.partner_id, a.account_key])?;
        }
        self.tx
            .prepare_cached(
                "INSERT INTO accounts (partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'current', ?6, ?7, ?7, ?7)
                 ON CONFLICT (partner_id, account_key) DO UPDATE
                 SET last_seen = excluded.last_seen, status = 'current',
                     became_current_at = CASE WHEN accounts.status = 'current' THEN accounts.became_current_at
                                              ELSE excluded.became_current_at END",
            )?
            .execute(rusqlite::params![a.partner_id, a.account_key, a.display, a.bic, a.country, a.source, a.seen_at])?;
        Ok(())
    }

    /// Makes an account the partner's current one; the previous current account is retired.
    pub fn make_account_current(&self, partner_id: i64, account_key: &str, at: &str) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE accounts SET status = 'retired' WHERE partner_id = ?1 AND status = 'current' AND account_key != ?2",
            rusqlite::params![partner_id, account_key],
        )?;
        self.tx.execute(
            "UPDATE accounts SET status = 'current',
                 became_current_at = CASE WHEN status = 'current' THEN became_current_at ELSE ?3 END
             WHERE partner_id = ?1 AND account_key = ?2",
            rusqlite::params![partner_id, account_key, at],
        )?;
        Ok(())
    }

    /// Names of partners other than `partner_id` with this account in their history (not fraudulent).
    pub fn other_partners_with_account(&self, partner_id: i64, account_key: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT DISTINCT p.name FROM accounts a JOIN partners p ON p.id = a.partner_id
             WHERE a.account_key = ?1 AND a.partner_id != ?2 ORDER BY p.name",
        )?;
        let rows = stmt.query_map(rusqlite::params![account_key, partner_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Why an account is marked fraudulent, if it is: (marked_at, reason).
    pub fn fraud_mark(&self, account_key: &str) -> StoreResult<Option<(String, String)>> {
        Ok(self
            .tx
            .prepare_cached("SELECT marked_at, reason FROM fraudulent_accounts WHERE account_key = ?1")?
            .query_row([account_key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Marks an account fraudulent for every partner.
    pub fn mark_fraudulent(&self, account_key: &str, at: &str, by: &str, case_id: Option<i64>, reason: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO fraudulent_accounts (account_key, marked_at, marked_by, case_id, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![account_key, at, by, case_id, reason],
        )?;
        self.tx.execute("UPDATE accounts SET status = 'fraudulent' WHERE account_key = ?1", [account_key])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::*;

    /// Regression: every accepted instruction to the current account reset its
    /// `became_current_at`, so a later change looked like a second change within the window
    /// (`frequent_changes`) and "current since" showed the last receipt.
    #[test]
    fn receiving_again_to_the_current_account_keeps_when_it_became_current() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        let account = |at| NewAccount {
            partner_id: 1,
            account_key: "iban:DE89370400440532013000",
            display: "DE89 3704 0044 0532 0130 00",
            bic: "COBADEFFXXX",
            country: "DE",
            status: "current",
            source: "instruction",
            seen_at: at,
        };
        let row = store
            .write(|tx| -> StoreResult<AccountRow> {
                tx.insert_partner("Globex", Some("DE"), b"card", "2026-01-01T00:00:00Z", "admin")?;
                tx.note_current_account(&account("2026-01-01T00:00:00Z"), false)?;
                tx.note_current_account(&account("2026-03-01T00:00:00Z"), false)?;
                tx.make_account_current(1, "iban:DE89370400440532013000", "2026-04-01T00:00:00Z")?;
                Ok(tx.account(1, "iban:DE89370400440532013000")?.unwrap())
            })
            .unwrap();
        assert_eq!(row.became_current_at.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(row.last_seen, "2026-03-01T00:00:00Z");
    }
}
