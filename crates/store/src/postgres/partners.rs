//! PostgreSQL: partners and what is known about them: registered domains, on-file phone numbers,
//! pinned keys with their status, the history of bank accounts, and accounts marked fraudulent.

use postgres::Row;

use super::{bytes32, parse_column, PgTx};
use countersign_core::paging::Page;
use countersign_core::registry::{AccountRecord, AccountStatus, KeyStatus, OnFileNumber, Partner, PinnedKey};

use crate::partners::{FraudMark, NewAccount, PartnerCounts, PartnersTx};
use crate::{StoreError, StoreResult};

const KEY_COLUMNS: &str =
    "id, partner_id, fingerprint, public_key, status, verified_how, verified_by, verified_at, status_changed_at, status_reason";

fn key_from_row(r: &Row) -> StoreResult<PinnedKey> {
    Ok(PinnedKey {
        id: r.try_get(0)?,
        partner_id: r.try_get(1)?,
        fingerprint: r.try_get(2)?,
        public_key: bytes32(r.try_get(3)?, "a public key")?,
        status: parse_column(r, 4, KeyStatus::parse)?,
        verified_how: r.try_get(5)?,
        verified_by: r.try_get(6)?,
        verified_at: r.try_get(7)?,
        status_changed_at: r.try_get(8)?,
        status_reason: r.try_get(9)?,
    })
}

const ACCOUNT_COLUMNS: &str =
    "id, partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at";

fn account_from_row(r: &Row) -> StoreResult<AccountRecord> {
    Ok(AccountRecord {
        id: r.try_get(0)?,
        partner_id: r.try_get(1)?,
        account_key: r.try_get(2)?,
        display: r.try_get(3)?,
        bic: r.try_get(4)?,
        country: r.try_get(5)?,
        status: parse_column(r, 6, AccountStatus::parse)?,
        source: r.try_get(7)?,
        first_seen: r.try_get(8)?,
        last_seen: r.try_get(9)?,
        became_current_at: r.try_get(10)?,
    })
}

const MARK_COLUMNS: &str = "account_key, marked_at, marked_by, case_id, reason, status, confirmed_by, confirmed_at, id";

fn fraud_mark_row(r: &Row) -> StoreResult<FraudMark> {
    let status: String = r.try_get(5)?;
    let confirmed = match (status.as_str(), r.try_get::<_, Option<String>>(6)?, r.try_get::<_, Option<String>>(7)?) {
        ("fraudulent", Some(by), Some(at)) => Some((by, at)),
        ("fraudulent", ..) => Some((String::new(), String::new())),
        _ => None,
    };
    Ok(FraudMark {
        id: r.try_get(8)?,
        account_key: r.try_get(0)?,
        marked_at: r.try_get(1)?,
        marked_by: r.try_get(2)?,
        case_id: r.try_get(3)?,
        reason: r.try_get(4)?,
        confirmed,
    })
}

fn partner_from_row(r: &Row) -> StoreResult<Partner> {
    Ok(Partner { id: r.try_get(0)?, name: r.try_get(1)?, country: r.try_get(2)?, created_at: r.try_get(3)?, created_by: r.try_get(4)? })
}

fn phone_from_row(r: &Row) -> StoreResult<OnFileNumber> {
    Ok(OnFileNumber {
        id: r.try_get(0)?,
        e164: r.try_get(1)?,
        source: r.try_get(2)?,
        recorded_by: r.try_get(3)?,
        recorded_at: r.try_get(4)?,
    })
}

fn count(r: &Row, i: usize) -> StoreResult<u64> {
    Ok(r.try_get::<_, i64>(i)? as u64)
}

fn texts(rows: Vec<Row>) -> StoreResult<Vec<String>> {
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

impl PartnersTx for PgTx<'_> {
    fn insert_partner(&self, name: &str, country: Option<&str>, card: &[u8], at: &str, by: &str) -> StoreResult<i64> {
        let row = self.query_one(
            "INSERT INTO partners (name, country, card, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&name, &country, &card, &at, &by],
        )?;
        Ok(row.try_get(0)?)
    }

    fn insert_partner_domain(&self, partner_id: i64, domain: &str) -> StoreResult<()> {
        self.execute("INSERT INTO partner_domains (partner_id, domain) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&partner_id, &domain])?;
        Ok(())
    }

    fn insert_partner_phone(&self, partner_id: i64, e164: &str, source: &str, by: &str, at: &str) -> StoreResult<()> {
        self.execute(
            "INSERT INTO partner_phones (partner_id, e164, source, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
            &[&partner_id, &e164, &source, &by, &at],
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
        let row = self.query_one(
            "INSERT INTO partner_keys (partner_id, fingerprint, public_key, status, verified_how, verified_by, verified_at)
             VALUES ($1, $2, $3, 'active', $4, $5, $6) RETURNING id",
            &[&partner_id, &fingerprint, &&public_key[..], &verified_how, &by, &at],
        )?;
        Ok(row.try_get(0)?)
    }

    fn set_key_status(&self, key_id: i64, status: KeyStatus, at: &str, reason: &str) -> StoreResult<()> {
        self.execute(
            "UPDATE partner_keys SET status = $1, status_changed_at = $2, status_reason = $3 WHERE id = $4",
            &[&status.as_str(), &at, &reason, &key_id],
        )?;
        Ok(())
    }

    fn partner(&self, id: i64) -> StoreResult<Option<Partner>> {
        self.query_opt("SELECT id, name, country, created_at, created_by FROM partners WHERE id = $1", &[&id])?
            .as_ref()
            .map(partner_from_row)
            .transpose()
    }

    fn partner_card(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        self.query_opt("SELECT card FROM partners WHERE id = $1", &[&id])?.map(|row| Ok(row.try_get(0)?)).transpose()
    }

    fn partners(&self, page: &Page) -> StoreResult<Vec<Partner>> {
        // PostgreSQL reads LIMIT NULL as none.
        self.query(
            "SELECT id, name, country, created_at, created_by FROM partners WHERE $1::bigint IS NULL OR id > $1 ORDER BY id LIMIT $2",
            &[&page.after, &page.fetch()],
        )?
        .iter()
        .map(partner_from_row)
        .collect()
    }

    fn partner_counts(&self, partner_id: i64) -> StoreResult<PartnerCounts> {
        let r = self.query_one(
            "SELECT (SELECT COUNT(*) FROM partner_keys WHERE partner_id = $1),
                    (SELECT COUNT(*) FROM accounts WHERE partner_id = $1),
                    (SELECT COUNT(*) FROM partner_phones WHERE partner_id = $1),
                    (SELECT COUNT(*) FROM partner_domains WHERE partner_id = $1),
                    (SELECT COUNT(*) FROM cases WHERE partner_id = $1)",
            &[&partner_id],
        )?;
        Ok(PartnerCounts {
            keys: count(&r, 0)?,
            accounts: count(&r, 1)?,
            phones: count(&r, 2)?,
            domains: count(&r, 3)?,
            cases: count(&r, 4)?,
        })
    }

    fn partner_domains(&self, partner_id: i64) -> StoreResult<Vec<String>> {
        texts(self.query("SELECT domain FROM partner_domains WHERE partner_id = $1 ORDER BY domain", &[&partner_id])?)
    }

    fn partner_phones(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<OnFileNumber>> {
        self.query(
            "SELECT id, e164, source, recorded_by, recorded_at FROM partner_phones
             WHERE partner_id = $1 AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3",
            &[&partner_id, &page.after, &page.fetch()],
        )?
        .iter()
        .map(phone_from_row)
        .collect()
    }

    fn partner_keys(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<PinnedKey>> {
        self.query(
            &format!(
                "SELECT {KEY_COLUMNS} FROM partner_keys WHERE partner_id = $1 AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3"
            ),
            &[&partner_id, &page.after, &page.fetch()],
        )?
        .iter()
        .map(key_from_row)
        .collect()
    }

    fn active_keys(&self, partner_id: i64) -> StoreResult<Vec<PinnedKey>> {
        self.query(
            &format!("SELECT {KEY_COLUMNS} FROM partner_keys WHERE partner_id = $1 AND status = 'active' ORDER BY id"),
            &[&partner_id],
        )?
        .iter()
        .map(key_from_row)
        .collect()
    }

    fn key_by_fingerprint(&self, fingerprint: &str) -> StoreResult<Option<PinnedKey>> {
        self.query_opt(&format!("SELECT {KEY_COLUMNS} FROM partner_keys WHERE fingerprint = $1"), &[&fingerprint])?
            .as_ref()
            .map(key_from_row)
            .transpose()
    }

    fn all_keys(&self) -> StoreResult<Vec<PinnedKey>> {
        self.query(&format!("SELECT {KEY_COLUMNS} FROM partner_keys ORDER BY id"), &[])?.iter().map(key_from_row).collect()
    }

    fn last_key_rotation(&self, partner_id: i64) -> StoreResult<Option<String>> {
        let row =
            self.query_one("SELECT MAX(status_changed_at) FROM partner_keys WHERE partner_id = $1 AND status = 'retired'", &[&partner_id])?;
        Ok(row.try_get(0)?)
    }

    fn record_account(&self, a: &NewAccount<'_>) -> StoreResult<AccountRecord> {
        self.note_account(a)?;
        self.account(a.partner_id, a.account_key)?.ok_or_else(|| StoreError::Corrupt("account vanished".into()))
    }

    fn note_account(&self, a: &NewAccount<'_>) -> StoreResult<()> {
        self.execute(
            "INSERT INTO accounts (partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, CASE WHEN $6 = 'current' THEN $8 END)
             ON CONFLICT (partner_id, account_key) DO UPDATE SET last_seen = excluded.last_seen",
            &[&a.partner_id, &a.account_key, &a.display, &a.bic, &a.country, &a.status.as_str(), &a.source, &a.seen_at],
        )?;
        Ok(())
    }

    fn account(&self, partner_id: i64, account_key: &str) -> StoreResult<Option<AccountRecord>> {
        self.query_opt(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = $1 AND account_key = $2"),
            &[&partner_id, &account_key],
        )?
        .as_ref()
        .map(account_from_row)
        .transpose()
    }

    fn partner_accounts(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<AccountRecord>> {
        self.query(
            &format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = $1 AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3"
            ),
            &[&partner_id, &page.after, &page.fetch()],
        )?
        .iter()
        .map(account_from_row)
        .collect()
    }

    fn current_account(&self, partner_id: i64) -> StoreResult<Option<AccountRecord>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE partner_id = $1 AND status = 'current' ORDER BY id LIMIT 1");
        self.query_opt(&sql, &[&partner_id])?.as_ref().map(account_from_row).transpose()
    }

    fn note_current_account(&self, a: &NewAccount<'_>, retire_others: bool) -> StoreResult<()> {
        if retire_others {
            self.execute(
                "UPDATE accounts SET status = 'retired' WHERE partner_id = $1 AND status = 'current' AND account_key != $2",
                &[&a.partner_id, &a.account_key],
            )?;
        }
        self.execute(
            "INSERT INTO accounts (partner_id, account_key, display, bic, country, status, source, first_seen, last_seen, became_current_at)
             VALUES ($1, $2, $3, $4, $5, 'current', $6, $7, $7, $7)
             ON CONFLICT (partner_id, account_key) DO UPDATE
             SET last_seen = excluded.last_seen, status = 'current',
                 became_current_at = CASE WHEN accounts.status = 'current' THEN accounts.became_current_at
                                          ELSE excluded.became_current_at END",
            &[&a.partner_id, &a.account_key, &a.display, &a.bic, &a.country, &a.source, &a.seen_at],
        )?;
        Ok(())
    }

    fn make_account_current(&self, partner_id: i64, account_key: &str, at: &str) -> StoreResult<()> {
        self.execute(
            "UPDATE accounts SET status = 'retired' WHERE partner_id = $1 AND status = 'current' AND account_key != $2",
            &[&partner_id, &account_key],
        )?;
        self.execute(
            "UPDATE accounts SET status = 'current',
                 became_current_at = CASE WHEN status = 'current' THEN became_current_at ELSE $3 END
             WHERE partner_id = $1 AND account_key = $2",
            &[&partner_id, &account_key, &at],
        )?;
        Ok(())
    }

    fn other_partners_with_account(&self, partner_id: i64, account_key: &str) -> StoreResult<Vec<String>> {
        texts(self.query(
            "SELECT DISTINCT p.name FROM accounts a JOIN partners p ON p.id = a.partner_id
             WHERE a.account_key = $1 AND a.partner_id != $2 ORDER BY p.name",
            &[&account_key, &partner_id],
        )?)
    }

    fn fraud_mark(&self, account_key: &str) -> StoreResult<Option<FraudMark>> {
        let sql = format!("SELECT {MARK_COLUMNS} FROM fraudulent_accounts WHERE account_key = $1");
        self.query_opt(&sql, &[&account_key])?.as_ref().map(fraud_mark_row).transpose()
    }

    fn fraud_marks(&self, page: &Page) -> StoreResult<Vec<FraudMark>> {
        let sql = format!("SELECT {MARK_COLUMNS} FROM fraudulent_accounts WHERE $1::bigint IS NULL OR id < $1 ORDER BY id DESC LIMIT $2");
        self.query(&sql, &[&page.after, &page.fetch()])?.iter().map(fraud_mark_row).collect()
    }

    fn mark_fraudulent(&self, account_key: &str, at: &str, by: &str, case_id: Option<i64>, reason: &str) -> StoreResult<()> {
        self.execute(
            // The id is MAX(id) + 1 under the write lock, as SQLite numbers its rows.
            "INSERT INTO fraudulent_accounts (id, account_key, marked_at, marked_by, case_id, reason, status)
             VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM fraudulent_accounts), $1, $2, $3, $4, $5, 'suspected')
             ON CONFLICT DO NOTHING",
            &[&account_key, &at, &by, &case_id, &reason],
        )?;
        self.execute("UPDATE accounts SET status = 'fraudulent' WHERE account_key = $1", &[&account_key])?;
        Ok(())
    }

    fn confirm_fraud(&self, account_key: &str, at: &str, by: &str) -> StoreResult<()> {
        self.execute(
            "UPDATE fraudulent_accounts SET status = 'fraudulent', confirmed_by = $2, confirmed_at = $3 WHERE account_key = $1",
            &[&account_key, &by, &at],
        )?;
        Ok(())
    }

    fn clear_fraud_mark(&self, account_key: &str) -> StoreResult<()> {
        self.execute("DELETE FROM fraudulent_accounts WHERE account_key = $1", &[&account_key])?;
        self.execute("UPDATE accounts SET status = 'pending' WHERE account_key = $1 AND status = 'fraudulent'", &[&account_key])?;
        Ok(())
    }

    fn other_partners_domains(&self, partner_id: i64) -> StoreResult<Vec<String>> {
        texts(self.query("SELECT DISTINCT domain FROM partner_domains WHERE partner_id != $1 ORDER BY domain", &[&partner_id])?)
    }
}
