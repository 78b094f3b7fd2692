//! Cases: one received file each, with its verdict, findings and the facts later steps need
//! (partner, instruction id, account, amount), and the evidence (the file itself).

use rusqlite::OptionalExtension;

use super::{StoreResult, Tx};

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    /// Initial status (`accepted`, `hold` or `rejected`).
    pub status: &'a str,
    /// The verdict.
    pub verdict: &'a str,
    /// Findings as a JSON array.
    pub findings: &'a str,
    /// The file's name as received.
    pub file_name: &'a str,
    /// SHA-256 of the file, hex.
    pub file_sha256: &'a str,
    /// The file.
    pub file: &'a [u8],
    /// The signer the file names.
    pub signer: Option<&'a str>,
    /// The partner whose key signed it.
    pub partner_id: Option<i64>,
    /// The instruction id (only when the signature verified).
    pub instruction_id: Option<&'a str>,
    /// When it was issued.
    pub issued_at: Option<&'a str>,
    /// The confirmation code.
    pub confirmation_code: Option<&'a str>,
    /// Payee.
    pub beneficiary_name: Option<&'a str>,
    /// `BankAccount::key`.
    pub account_key: Option<&'a str>,
    /// As people read it.
    pub account_display: Option<&'a str>,
    /// Currency code.
    pub currency: Option<&'a str>,
    /// Amount in minor units.
    pub amount_minor: Option<u64>,
    /// SHA-256 of the email that carried it, hex.
    pub email_sha256: Option<&'a str>,
    /// Who received it.
    pub received_by: &'a str,
    /// When.
    pub received_at: &'a str,
}

/// A case as stored.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// Case id.
    pub id: i64,
    /// Status.
    pub status: String,
    /// Verdict at receipt.
    pub verdict: String,
    /// Findings JSON array.
    pub findings: String,
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
}

const CASE_COLUMNS: &str = "c.id, c.status, c.verdict, c.findings, c.file_name, c.file_sha256, c.signer, c.partner_id, p.name,
    c.instruction_id, c.issued_at, c.confirmation_code, c.beneficiary_name, c.account_key, c.account_display, c.currency,
    c.amount_minor, c.email_sha256, c.received_by, c.received_at";

fn case_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        id: r.get(0)?,
        status: r.get(1)?,
        verdict: r.get(2)?,
        findings: r.get(3)?,
        file_name: r.get(4)?,
        file_sha256: r.get(5)?,
        signer: r.get(6)?,
        partner_id: r.get(7)?,
        partner_name: r.get(8)?,
        instruction_id: r.get(9)?,
        issued_at: r.get(10)?,
        confirmation_code: r.get(11)?,
        beneficiary_name: r.get(12)?,
        account_key: r.get(13)?,
        account_display: r.get(14)?,
        currency: r.get(15)?,
        amount_minor: r.get::<_, Option<i64>>(16)?.map(|a| a as u64),
        email_sha256: r.get(17)?,
        received_by: r.get(18)?,
        received_at: r.get(19)?,
    })
}

impl Tx<'_> {
    /// Opens a case; returns its id.
    pub fn insert_case(&self, c: &NewCase<'_>) -> StoreResult<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO cases (status, verdict, findings, file_name, file_sha256, file, signer, partner_id, instruction_id,
                    issued_at, confirmation_code, beneficiary_name, account_key, account_display, currency, amount_minor,
                    email_sha256, received_by, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?
            .execute(rusqlite::params![
                c.status,
                c.verdict,
                c.findings,
                c.file_name,
                c.file_sha256,
                c.file,
                c.signer,
                c.partner_id,
                c.instruction_id,
                c.issued_at,
                c.confirmation_code,
                c.beneficiary_name,
                c.account_key,
                c.account_display,
                c.currency,
                c.amount_minor.map(|a| a as i64),
                c.email_sha256,
                c.received_by,
                c.received_at,
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// A case by id.
    pub fn case(&self, id: i64) -> StoreResult<Option<CaseRow>> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id WHERE c.id = ?1"))?
            .query_row([id], case_from_row)
            .optional()?)
    }

    /// Cases, newest first, optionally only those with a status.
    pub fn cases(&self, status: Option<&str>) -> StoreResult<Vec<CaseRow>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id
             WHERE ?1 IS NULL OR c.status = ?1 ORDER BY c.id DESC"
        ))?;
        let rows = stmt.query_map([status], case_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The id of an earlier case holding the same signed instruction (same signer and id),
    /// whose signature verified.
    pub fn earlier_receipt(&self, signer: &str, instruction_id: &str) -> StoreResult<Option<(i64, String)>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id, received_at FROM cases WHERE signer = ?1 AND instruction_id = ?2 ORDER BY id LIMIT 1",
            )?
            .query_row([signer, instruction_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The newest issue time among instructions from this signer that we accepted (verdict
    /// accepted, or confirmed on a callback and beyond).
    pub fn newest_accepted_issue(&self, signer: &str) -> StoreResult<Option<String>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT MAX(issued_at) FROM cases WHERE signer = ?1
                 AND status IN ('accepted', 'callback_confirmed', 'approved', 'released')",
            )?
            .query_row([signer], |r| r.get(0))?)
    }

    /// Earlier amounts of a partner in a currency, from cases that were not rejected.
    pub fn partner_amounts(&self, partner_id: i64, currency: &str) -> StoreResult<Vec<u64>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT amount_minor FROM cases WHERE partner_id = ?1 AND currency = ?2 AND amount_minor IS NOT NULL
             AND status NOT IN ('rejected', 'quarantined')",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![partner_id, currency], |r| r.get::<_, i64>(0))?
            .map(|r| r.map(|a| a as u64))
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Case ids that touched an account of a partner.
    pub fn cases_for_account(&self, partner_id: i64, account_key: &str) -> StoreResult<Vec<i64>> {
        let mut stmt =
            self.tx.prepare_cached("SELECT id FROM cases WHERE partner_id = ?1 AND account_key = ?2 ORDER BY id")?;
        let rows = stmt.query_map(rusqlite::params![partner_id, account_key], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
