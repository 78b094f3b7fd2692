//! SQLite: partners and what is known about them: registered domains, on-file phone numbers, pinned

use rusqlite::OptionalExtension;

use super::SqliteTx;
use countersign_core::paging::Page;
use countersign_core::registry::{AccountRecord, AccountStatus, KeyStatus, OnFileNumber, Partner, PinnedKey};

use super::{fetch, parse_column};
use crate::partners::{FraudMark, NewAccount, PartnerCounts, PartnersTx};
use crate::{StoreError, StoreResult};

fn key_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(PinnedKey, Vec<u8>)> {
    Ok((
        PinnedKey {
            id: r.get(0)?,
            partner_id: r.get(1)?,
            fingerprint: r.get(2)?,
            public_key: [0; 32],
            status: parse_column(r, 4, KeyStatus::parse)?,
            verified_how: r.get(5)?,
            verified_by: r.get(6)?,
            verified_at: r.get(7)?,
            status_changed_at: r.get(8)?,
            status_reason: r.get(9)?,
        },
        r.get(3)?,
    ))
}

fn finish_key((mut row, bytes): (PinnedKey, Vec<u8>)) -> StoreResult<PinnedKey> {
    row.public_key = bytes.try_into().map_err(|_| StoreError::Corrupt("a public key is not 32 bytes".into()))?;
    Ok(row)
}

const KEY_COLUMNS: &str =
    "id, partner_id, fingerprint, public_key, status, verified_how, verified_by, verified_at, status_changed_at, status_reason";

const ACCOUNT_COLUMNS: &str =
    "id, partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at";

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRecord> {
    Ok(AccountRecord {
        id: r.get(0)?,
        partner_id: r.get(1)?,
        account_key: r.get(2)?,
        display: r.get(3)?,
        bic: r.get(4)?,
        country: r.get(5)?,
        status: parse_column(r, 6, AccountStatus::parse)?,
        source: r.get(7)?,
        first_seen: r.get(8)?,
        last_seen: r.get(9)?,
        became_current_at: r.get(10)?,
    })
}

const MARK_COLUMNS: &str = "account_key, marked_at, marked_by, case_id, reason, status, confirmed_by, confirmed_at, id";

fn fraud_mark_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FraudMark> {
    let status: String = r.get(5)?;
    let confirmed = match (status.as_str(), r.get::<_, Option<String>>(6)?, r.get::<_, Option<String>>(7)?) {
        ("fraudulent", Some(by), Some(at)) => Some((by, at)),
        ("fraudulent", ..) => Some((String::new(), String::new())),
        _ => None,
    };
    Ok(FraudMark {
        id: r.get(8)?,
        account_key: r.get(0)?,
        marked_at: r.get(1)?,
        marked_by: r.get(2)?,
        case_id: r.get(3)?,
        reason: r.get(4)?,
        confirmed,
    })
}

fn partner_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Partner> {
    Ok(Partner { id: r.get(0)?, name: r.get(1)?, country: r.get(2)?, created_at: r.get(3)?, created_by: r.get(4)? })
}

fn phone_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OnFileNumber> {
    Ok(OnFileNumber { id: r.get(0)?, e164: r.get(1)?, source: r.get(2)?, recorded_by: r.get(3)?, recorded_at: r.get(4)? })
}

impl PartnersTx for SqliteTx<'_> {
    fn insert_partner(&self, name: &str, country: Option<&str>, card: &[u8], at: &str, by: &str) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO partners (name, country, card, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![name, country, card, at, by],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn insert_partner_domain(&self, partner_id: i64, domain: &str) -> StoreResult<()> {
        self.tx
            .execute("INSERT OR IGNORE INTO partner_domains (partner_id, domain) VALUES (?1, ?2)", rusqlite::params![partner_id, domain])?;
        Ok(())
    }

    fn insert_partner_phone(&self, partner_id: i64, e164: &str, source: &str, by: &str, at: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO partner_phones (partner_id, e164, source, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![partner_id, e164, source, by, at],
        )?;
        Ok(())
    }

    fn insert_partner_key(
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

    fn set_key_status(&self, key_id: i64, status: KeyStatus, at: &str, reason: &str) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE partner_keys SET status = ?1, status_changed_at = ?2, status_reason = ?3 WHERE id = ?4",
            rusqlite::params![status.as_str(), at, reason, key_id],
        )?;
        Ok(())
    }

    fn partner(&self, id: i64) -> StoreResult<Option<Partner>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, country, created_at, created_by FROM partners WHERE id = ?1")?
            .query_row([id], partner_from_row)
            .optional()?)
    }

    fn partner_card(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.tx.prepare_cached("SELECT card FROM partners WHERE id = ?1")?.query_row([id], |row| row.get(0)).optional()?)
    }

    fn partners(&self, page: &Page) -> StoreResult<Vec<Partner>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, name, country, created_at, created_by FROM partners WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![page.after, fetch(page)], partner_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn partner_counts(&self, partner_id: i64) -> StoreResult<PartnerCounts> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT (SELECT COUNT(*) FROM partner_keys WHERE partner_id = ?1),
                    (SELECT COUNT(*) FROM accounts WHERE partner_id = ?1),
                    (SELECT COUNT(*) FROM partner_phones WHERE partner_id = ?1),
                    (SELECT COUNT(*) FROM partner_domains WHERE partner_id = ?1),
                    (SELECT COUNT(*) FROM cases WHERE partner_id = ?1)",
        )?;
        let count = |r: &rusqlite::Row<'_>, i| r.get::<_, i64>(i).map(|n| n as u64);
        Ok(stmt.query_row([partner_id], |r| {
            Ok(PartnerCounts {
                keys: count(r, 0)?,
                accounts: count(r, 1)?,
                phones: count(r, 2)?,
                domains: count(r, 3)?,
                cases: count(r, 4)?,
            })
        })?)
    }

    fn partner_domains(&self, partner_id: i64) -> StoreResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached("SELECT domain FROM partner_domains WHERE partner_id = ?1 ORDER BY domain")?;
        let rows = stmt.query_map([partner_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn partner_phones(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<OnFileNumber>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, e164, source, recorded_by, recorded_at FROM partner_phones
             WHERE partner_id = ?1 AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt.query_map(rusqlite::params![partner_id, page.after, fetch(page)], phone_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn partner_keys(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<PinnedKey>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM partner_keys WHERE partner_id = ?1 AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3"
        ))?;
        let rows: Vec<_> =
            stmt.query_map(rusqlite::params![partner_id, page.after, fetch(page)], key_from_row)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(finish_key).collect()
    }

    fn active_keys(&self, partner_id: i64) -> StoreResult<Vec<PinnedKey>> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!("SELECT {KEY_COLUMNS} FROM partner_keys WHERE partner_id = ?1 AND status = 'active' ORDER BY id"))?;
        let rows: Vec<_> = stmt.query_map([partner_id], key_from_row)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(finish_key).collect()
    }

    fn key_by_fingerprint(&self, fingerprint: &str) -> StoreResult<Option<PinnedKey>> {
        let row = self
            .tx
            .prepare_cached(&format!("SELECT {KEY_COLUMNS} FROM partner_keys WHERE fingerprint = ?1"))?
            .query_row([fingerprint], key_from_row)
            .optional()?;
        row.map(finish_key).transpose()
    }

    fn all_keys(&self) -> StoreResult<Vec<PinnedKey>> {
        let mut stmt = self.tx.prepare(&format!("SELECT {KEY_COLUMNS} FROM partner_keys"))?;
        let rows: Vec<_> = stmt.query_map([], key_from_row)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(finish_key).collect()
    }

    fn last_key_rotation(&self, partner_id: i64) -> StoreResult<Option<String>> {
        Ok(self
            .tx
            .prepare_cached("SELECT MAX(status_changed_at) FROM partner_keys WHERE partner_id = ?1 AND status = 'retired'")?
            .query_row([partner_id], |r| r.get(0))?)
    }

    fn record_account(&self, a: &NewAccount<'_>) -> StoreResult<AccountRecord> {
        self.note_account(a)?;
        self.account(a.partner_id, a.account_key)?.ok_or_else(|| StoreError::Corrupt("account vanished".into()))
    }

    fn note_account(&self, a: &NewAccount<'_>) -> StoreResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO accounts (partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, CASE WHEN ?6 = 'current' THEN ?8 END)
                 ON CONFLICT (partner_id, account_key) DO UPDATE SET last_seen = excluded.last_seen",
            )?
            .execute(rusqlite::params![a.partner_id, a.account_key, a.display, a.bic, a.country, a.status.as_str(), a.source, a.seen_at])?;
        Ok(())
    }

    fn account(&self, partner_id: i64, account_key: &str) -> StoreResult<Option<AccountRecord>> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = ?1 AND account_key = ?2"))?
            .query_row(rusqlite::params![partner_id, account_key], account_from_row)
            .optional()?)
    }

    fn partner_accounts(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<AccountRecord>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = ?1 AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3"
        ))?;
        let rows = stmt.query_map(rusqlite::params![partner_id, page.after, fetch(page)], account_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn current_account(&self, partner_id: i64) -> StoreResult<Option<AccountRecord>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = ?1 AND status = 'current' ORDER BY id LIMIT 1");
        Ok(self.tx.prepare_cached(&sql)?.query_row([partner_id], account_from_row).optional()?)
    }

    fn note_current_account(&self, a: &NewAccount<'_>, retire_others: bool) -> StoreResult<()> {
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

    fn make_account_current(&self, partner_id: i64, account_key: &str, at: &str) -> StoreResult<()> {
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

    fn other_partners_with_account(&self, partner_id: i64, account_key: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT DISTINCT p.name FROM accounts a JOIN partners p ON p.id = a.partner_id
             WHERE a.account_key = ?1 AND a.partner_id != ?2 ORDER BY p.name",
        )?;
        let rows = stmt.query_map(rusqlite::params![account_key, partner_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn fraud_mark(&self, account_key: &str) -> StoreResult<Option<FraudMark>> {
        let sql = format!("SELECT {MARK_COLUMNS} FROM fraudulent_accounts WHERE account_key = ?1");
        Ok(self.tx.prepare_cached(&sql)?.query_row([account_key], fraud_mark_row).optional()?)
    }

    fn fraud_marks(&self, page: &Page) -> StoreResult<Vec<FraudMark>> {
        let sql = format!("SELECT {MARK_COLUMNS} FROM fraudulent_accounts WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2");
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![page.after, fetch(page)], fraud_mark_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn mark_fraudulent(&self, account_key: &str, at: &str, by: &str, case_id: Option<i64>, reason: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO fraudulent_accounts (account_key, marked_at, marked_by, case_id, reason, status) VALUES (?1, ?2, ?3, ?4, ?5, 'suspected')",
            rusqlite::params![account_key, at, by, case_id, reason],
        )?;
        self.tx.execute("UPDATE accounts SET status = 'fraudulent' WHERE account_key = ?1", [account_key])?;
        Ok(())
    }

    fn confirm_fraud(&self, account_key: &str, at: &str, by: &str) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE fraudulent_accounts SET status = 'fraudulent', confirmed_by = ?2, confirmed_at = ?3 WHERE account_key = ?1",
            rusqlite::params![account_key, by, at],
        )?;
        Ok(())
    }

    fn clear_fraud_mark(&self, account_key: &str) -> StoreResult<()> {
        self.tx.execute("DELETE FROM fraudulent_accounts WHERE account_key = ?1", [account_key])?;
        self.tx.execute("UPDATE accounts SET status = 'pending' WHERE account_key = ?1 AND status = 'fraudulent'", [account_key])?;
        Ok(())
    }

    fn other_partners_domains(&self, partner_id: i64) -> StoreResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached("SELECT DISTINCT domain FROM partner_domains WHERE partner_id != ?1 ORDER BY domain")?;
        let rows = stmt.query_map([partner_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
