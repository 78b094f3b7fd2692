//! SQLite: cases: one received file each, with its verdict, findings and the facts later steps need

use rusqlite::OptionalExtension;

use super::{parse_column, SqliteTx};
use countersign_core::assess::findings::{Finding, Verdict};
use countersign_core::assess::history::EarlierAmounts;
use countersign_core::cases::flow::CaseStatus;
use countersign_core::cases::record::{Callback, Case};
use countersign_core::paging::Page;

use crate::case_query::{self, CaseQuery, Dialect, Param};
use crate::cases::{BankFile, CasesTx, NameCheckRow, NewCase};
use crate::StoreResult;

const CASE_COLUMNS: &str = "c.id, c.status, c.verdict, c.findings, c.file_name, c.file_sha256, c.signer, c.partner_id, p.name,
    c.instruction_id, c.issued_at, c.confirmation_code, c.beneficiary_name, c.account_key, c.account_display, c.currency,
    c.amount_minor, c.email_sha256, c.received_by, c.received_at, c.account_bic, c.reference, c.due_date, c.wrong_responses,
    c.decided_by, c.decided_at, c.decision_reason, c.released_by, c.released_at,
    EXISTS (SELECT 1 FROM fraudulent_accounts f WHERE f.account_key = c.account_key)";

fn case_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    Ok(Case {
        id: r.get(0)?,
        status: parse_column(r, 1, CaseStatus::parse)?,
        verdict: parse_column(r, 2, Verdict::parse)?,
        findings: parse_column(r, 3, |text| serde_json::from_str::<Vec<Finding>>(text).ok())?,
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
        account_bic: r.get(20)?,
        reference: r.get(21)?,
        due_date: r.get(22)?,
        wrong_responses: r.get::<_, i64>(23)? as u32,
        decided_by: r.get(24)?,
        decided_at: r.get(25)?,
        decision_reason: r.get(26)?,
        released_by: r.get(27)?,
        released_at: r.get(28)?,
        account_fraudulent: r.get(29)?,
    })
}

impl CasesTx for SqliteTx<'_> {
    fn insert_case(&self, c: &NewCase<'_>) -> StoreResult<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO cases (status, verdict, findings, file_name, file_sha256, file, signer, partner_id, instruction_id,
                    issued_at, confirmation_code, beneficiary_name, account_key, account_display, currency, amount_minor,
                    email_sha256, received_by, received_at, account_bic, reference, due_date, email)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
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
                c.account_bic,
                c.reference,
                c.due_date,
                c.email,
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    fn case(&self, id: i64) -> StoreResult<Option<Case>> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id WHERE c.id = ?1"))?
            .query_row([id], case_from_row)
            .optional()?)
    }

    fn cases(&self, status: Option<CaseStatus>, page: &Page) -> StoreResult<Vec<Case>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id
             WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR c.id < ?2) ORDER BY c.id DESC LIMIT ?3"
        ))?;
        let params = rusqlite::params![status.map(CaseStatus::as_str), page.after, super::fetch(page)];
        let rows = stmt.query_map(params, case_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn search_cases(&self, query: &CaseQuery<'_>) -> StoreResult<Vec<Case>> {
        let dialect = Dialect { placeholder: '?', text_collation: "" };
        let built = case_query::build(query, &dialect, CASE_COLUMNS);
        let params = built.params.into_iter().map(|p| match p {
            Param::Int(i) => rusqlite::types::Value::Integer(i),
            Param::Text(t) => rusqlite::types::Value::Text(t),
        });
        let mut stmt = self.tx.prepare_cached(&built.sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), case_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn case_currencies(&self) -> StoreResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached("SELECT DISTINCT currency FROM cases WHERE currency IS NOT NULL ORDER BY currency")?;
        let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn earlier_receipt(&self, signer: &str, instruction_id: &str) -> StoreResult<Option<(i64, String)>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, received_at FROM cases WHERE signer = ?1 AND instruction_id = ?2 ORDER BY id LIMIT 1")?
            .query_row([signer, instruction_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn newest_accepted_issue(&self, signer: &str) -> StoreResult<Option<String>> {
        // Served by the partial index `cases_accepted_issue` (its WHERE, word for word): the
        // newest of a signer's accepted issue times in O(log n), however long its history.
        Ok(self
            .tx
            .prepare_cached(
                "SELECT MAX(issued_at) FROM cases WHERE signer = ?1
                 AND status IN ('accepted', 'callback_confirmed', 'approved', 'released')",
            )?
            .query_row([signer], |r| r.get(0))?)
    }

    fn partner_amounts(&self, partner_id: i64, currency: &str, enough: u32) -> StoreResult<EarlierAmounts> {
        // Served by the partial index `cases_accepted_amounts`: the largest in O(log n), and the
        // count only as far as `enough` (issue 16: every past amount was loaded for each file).
        let largest: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT MAX(amount_minor) FROM cases WHERE partner_id = ?1 AND currency = ?2 AND amount_minor IS NOT NULL
                 AND status IN ('accepted', 'callback_confirmed', 'approved', 'released')",
            )?
            .query_row(rusqlite::params![partner_id, currency], |r| r.get(0))?;
        let count: i64 = self
            .tx
            .prepare_cached(
                "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE partner_id = ?1 AND currency = ?2 AND amount_minor IS NOT NULL
                 AND status IN ('accepted', 'callback_confirmed', 'approved', 'released') LIMIT ?3)",
            )?
            .query_row(rusqlite::params![partner_id, currency, i64::from(enough)], |r| r.get(0))?;
        Ok(EarlierAmounts { count: count as u32, largest: largest.map(|a| a as u64) })
    }

    fn move_case(&self, id: i64, from: CaseStatus, to: CaseStatus) -> StoreResult<bool> {
        let n = self
            .tx
            .execute("UPDATE cases SET status = ?3 WHERE id = ?1 AND status = ?2", rusqlite::params![id, from.as_str(), to.as_str()])?;
        Ok(n == 1)
    }

    fn set_wrong_responses(&self, id: i64, count: u32) -> StoreResult<()> {
        self.tx.execute("UPDATE cases SET wrong_responses = ?2 WHERE id = ?1", rusqlite::params![id, count as i64])?;
        Ok(())
    }

    fn set_decision(&self, id: i64, by: &str, at: &str, reason: Option<&str>) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE cases SET decided_by = ?2, decided_at = ?3, decision_reason = ?4 WHERE id = ?1",
            rusqlite::params![id, by, at, reason],
        )?;
        Ok(())
    }

    fn set_release(&self, id: i64, by: &str, at: &str) -> StoreResult<()> {
        self.tx.execute("UPDATE cases SET released_by = ?2, released_at = ?3 WHERE id = ?1", rusqlite::params![id, by, at])?;
        Ok(())
    }

    fn insert_callback(&self, case_id: i64, challenge: &str, by: &str, at: &str) -> StoreResult<i64> {
        self.tx.execute(
            "INSERT INTO callbacks (case_id, challenge, started_by, started_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![case_id, challenge, by, at],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn finish_callback(
        &self,
        id: i64,
        dialed: &str,
        reached: &str,
        response: Option<&str>,
        outcome: &str,
        note: Option<&str>,
        at: &str,
    ) -> StoreResult<()> {
        self.tx.execute(
            "UPDATE callbacks SET dialed = ?2, reached = ?3, response = ?4, outcome = ?5, note = ?6, recorded_at = ?7 WHERE id = ?1",
            rusqlite::params![id, dialed, reached, response, outcome, note, at],
        )?;
        Ok(())
    }

    fn callbacks(&self, case_id: i64) -> StoreResult<Vec<Callback>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, challenge, started_by, started_at, dialed, reached, response, outcome, note, recorded_at
             FROM callbacks WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([case_id], |r| {
                Ok(Callback {
                    id: r.get(0)?,
                    challenge: r.get(1)?,
                    started_by: r.get(2)?,
                    started_at: r.get(3)?,
                    dialed: r.get(4)?,
                    reached: r.get(5)?,
                    response: r.get(6)?,
                    outcome: r.get(7)?,
                    note: r.get(8)?,
                    recorded_at: r.get(9)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn case_file(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.tx.prepare_cached("SELECT file FROM cases WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?)
    }

    fn insert_bank_file(&self, case_id: i64, format: &str, sha256: &str, bytes: &[u8], at: &str) -> StoreResult<()> {
        self.tx.execute(
            "INSERT INTO bank_files (case_id, format, sha256, bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![case_id, format, sha256, bytes, at],
        )?;
        Ok(())
    }

    fn bank_file(&self, case_id: i64) -> StoreResult<Option<BankFile>> {
        Ok(self
            .tx
            .prepare_cached("SELECT format, sha256, bytes, created_at, saved_at FROM bank_files WHERE case_id = ?1")?
            .query_row([case_id], |r| {
                Ok(BankFile { format: r.get(0)?, sha256: r.get(1)?, bytes: r.get(2)?, created_at: r.get(3)?, saved_at: r.get(4)? })
            })
            .optional()?)
    }

    fn insert_name_check(&self, c: &NameCheckRow) -> StoreResult<()> {
        self.tx.execute(
            "INSERT INTO name_checks (case_id, scheme, request_id, requested_at, answered_at, name_sent, account_sent, answer, matched_name, obtained, evidence_sha256, attached_by, attached_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            rusqlite::params![
                c.case_id, c.scheme, c.request_id, c.requested_at, c.answered_at, c.name_sent, c.account_sent, c.answer,
                c.matched_name, c.obtained, c.evidence_sha256, c.attached_by, c.attached_at
            ],
        )?;
        Ok(())
    }

    fn name_checks(&self, case_id: i64) -> StoreResult<Vec<NameCheckRow>> {
        let mut stmt = self.tx.prepare_cached("SELECT case_id, scheme, request_id, requested_at, answered_at, name_sent, account_sent, answer, matched_name, obtained, evidence_sha256, attached_by, attached_at FROM name_checks WHERE case_id = ?1 ORDER BY id")?;
        let rows = stmt
            .query_map([case_id], |r| {
                Ok(NameCheckRow {
                    case_id: r.get(0)?,
                    scheme: r.get(1)?,
                    request_id: r.get(2)?,
                    requested_at: r.get(3)?,
                    answered_at: r.get(4)?,
                    name_sent: r.get(5)?,
                    account_sent: r.get(6)?,
                    answer: r.get(7)?,
                    matched_name: r.get(8)?,
                    obtained: r.get(9)?,
                    evidence_sha256: r.get(10)?,
                    attached_by: r.get(11)?,
                    attached_at: r.get(12)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn set_bank_file_saved(&self, case_id: i64, at: &str) -> StoreResult<()> {
        self.tx.execute("UPDATE bank_files SET saved_at = ?2 WHERE case_id = ?1", rusqlite::params![case_id, at])?;
        Ok(())
    }

    fn unsaved_bank_files(&self) -> StoreResult<Vec<i64>> {
        let mut stmt = self.tx.prepare_cached("SELECT case_id FROM bank_files WHERE saved_at IS NULL ORDER BY case_id")?;
        let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn cases_for_account(&self, partner_id: i64, account_key: &str, page: &Page) -> StoreResult<Vec<i64>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id FROM cases WHERE partner_id = ?1 AND account_key = ?2 AND (?3 IS NULL OR id > ?3) ORDER BY id LIMIT ?4",
        )?;
        let params = rusqlite::params![partner_id, account_key, page.after, super::fetch(page)];
        let rows = stmt.query_map(params, |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn count_cases_for_account(&self, partner_id: i64, account_key: &str) -> StoreResult<u64> {
        let mut stmt = self.tx.prepare_cached("SELECT COUNT(*) FROM cases WHERE partner_id = ?1 AND account_key = ?2")?;
        Ok(stmt.query_row(rusqlite::params![partner_id, account_key], |r| r.get::<_, i64>(0))? as u64)
    }

    fn partner_cases(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<Case>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id
             WHERE c.partner_id = ?1 AND (?2 IS NULL OR c.id < ?2) ORDER BY c.id DESC LIMIT ?3"
        ))?;
        let rows =
            stmt.query_map(rusqlite::params![partner_id, page.after, super::fetch(page)], case_from_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
