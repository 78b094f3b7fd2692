//! PostgreSQL: cases, their callbacks and bank files. A case moves from one status to the next by
//! a conditional update, decided under the workspace's write lock against the latest state, so
//! two desktops can never both release one case.

use postgres::Row;

use super::{parse_column, PgTx};
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

/// The statuses whose issue times and amounts count as the partner's history; the partial
/// indexes of the schema repeat this WHERE word for word.
const ACCEPTED: &str = "status IN ('accepted', 'callback_confirmed', 'approved', 'released')";

fn case_from_row(r: &Row) -> StoreResult<Case> {
    Ok(Case {
        id: r.try_get(0)?,
        status: parse_column(r, 1, CaseStatus::parse)?,
        verdict: parse_column(r, 2, Verdict::parse)?,
        findings: parse_column(r, 3, |text| serde_json::from_str::<Vec<Finding>>(text).ok())?,
        file_name: r.try_get(4)?,
        file_sha256: r.try_get(5)?,
        signer: r.try_get(6)?,
        partner_id: r.try_get(7)?,
        partner_name: r.try_get(8)?,
        instruction_id: r.try_get(9)?,
        issued_at: r.try_get(10)?,
        confirmation_code: r.try_get(11)?,
        beneficiary_name: r.try_get(12)?,
        account_key: r.try_get(13)?,
        account_display: r.try_get(14)?,
        currency: r.try_get(15)?,
        amount_minor: r.try_get::<_, Option<i64>>(16)?.map(|a| a as u64),
        email_sha256: r.try_get(17)?,
        received_by: r.try_get(18)?,
        received_at: r.try_get(19)?,
        account_bic: r.try_get(20)?,
        reference: r.try_get(21)?,
        due_date: r.try_get(22)?,
        wrong_responses: r.try_get::<_, i64>(23)? as u32,
        decided_by: r.try_get(24)?,
        decided_at: r.try_get(25)?,
        decision_reason: r.try_get(26)?,
        released_by: r.try_get(27)?,
        released_at: r.try_get(28)?,
        account_fraudulent: r.try_get(29)?,
    })
}

impl CasesTx for PgTx<'_> {
    fn insert_case(&self, c: &NewCase<'_>) -> StoreResult<i64> {
        let row = self.query_one(
            "INSERT INTO cases (status, verdict, findings, file_name, file_sha256, file, signer, partner_id, instruction_id,
                issued_at, confirmation_code, beneficiary_name, account_key, account_display, currency, amount_minor,
                email_sha256, received_by, received_at, account_bic, reference, due_date, email)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
             RETURNING id",
            &[
                &c.status,
                &c.verdict,
                &c.findings,
                &c.file_name,
                &c.file_sha256,
                &c.file,
                &c.signer,
                &c.partner_id,
                &c.instruction_id,
                &c.issued_at,
                &c.confirmation_code,
                &c.beneficiary_name,
                &c.account_key,
                &c.account_display,
                &c.currency,
                &c.amount_minor.map(|a| a as i64),
                &c.email_sha256,
                &c.received_by,
                &c.received_at,
                &c.account_bic,
                &c.reference,
                &c.due_date,
                &c.email,
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn case(&self, id: i64) -> StoreResult<Option<Case>> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id WHERE c.id = $1");
        self.query_opt(&sql, &[&id])?.as_ref().map(case_from_row).transpose()
    }

    fn cases(&self, status: Option<CaseStatus>, page: &Page) -> StoreResult<Vec<Case>> {
        // PostgreSQL reads LIMIT NULL as none.
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id
             WHERE ($1::text IS NULL OR c.status = $1) AND ($2::bigint IS NULL OR c.id < $2) ORDER BY c.id DESC LIMIT $3"
        );
        self.query(&sql, &[&status.map(CaseStatus::as_str), &page.after, &page.fetch()])?.iter().map(case_from_row).collect()
    }

    fn search_cases(&self, query: &CaseQuery<'_>) -> StoreResult<Vec<Case>> {
        let dialect = Dialect { placeholder: '$', text_collation: " COLLATE \"C\"" };
        let built = case_query::build(query, &dialect, CASE_COLUMNS);
        let params: Vec<Box<dyn postgres::types::ToSql + Sync>> = built
            .params
            .into_iter()
            .map(|p| -> Box<dyn postgres::types::ToSql + Sync> {
                match p {
                    Param::Int(i) => Box::new(i),
                    Param::Text(t) => Box::new(t),
                }
            })
            .collect();
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        self.query(&built.sql, &refs)?.iter().map(case_from_row).collect()
    }

    fn case_currencies(&self) -> StoreResult<Vec<String>> {
        let rows = self.query("SELECT DISTINCT currency FROM cases WHERE currency IS NOT NULL ORDER BY currency", &[])?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn earlier_receipt(&self, signer: &str, instruction_id: &str) -> StoreResult<Option<(i64, String)>> {
        let row = self.query_opt(
            "SELECT id, received_at FROM cases WHERE signer = $1 AND instruction_id = $2 ORDER BY id LIMIT 1",
            &[&signer, &instruction_id],
        )?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    fn newest_accepted_issue(&self, signer: &str) -> StoreResult<Option<String>> {
        let sql = format!("SELECT MAX(issued_at) FROM cases WHERE signer = $1 AND {ACCEPTED}");
        Ok(self.query_one(&sql, &[&signer])?.try_get(0)?)
    }

    fn partner_amounts(&self, partner_id: i64, currency: &str, enough: u32) -> StoreResult<EarlierAmounts> {
        let history = format!("FROM cases WHERE partner_id = $1 AND currency = $2 AND amount_minor IS NOT NULL AND {ACCEPTED}");
        let largest: Option<i64> = self.query_one(&format!("SELECT MAX(amount_minor) {history}"), &[&partner_id, &currency])?.try_get(0)?;
        let count: i64 = self
            .query_one(
                &format!("SELECT COUNT(*) FROM (SELECT 1 {history} LIMIT $3) AS earlier"),
                &[&partner_id, &currency, &i64::from(enough)],
            )?
            .try_get(0)?;
        Ok(EarlierAmounts { count: count as u32, largest: largest.map(|a| a as u64) })
    }

    fn move_case(&self, id: i64, from: CaseStatus, to: CaseStatus) -> StoreResult<bool> {
        let n = self.execute("UPDATE cases SET status = $3 WHERE id = $1 AND status = $2", &[&id, &from.as_str(), &to.as_str()])?;
        Ok(n == 1)
    }

    fn set_wrong_responses(&self, id: i64, count: u32) -> StoreResult<()> {
        self.execute("UPDATE cases SET wrong_responses = $2 WHERE id = $1", &[&id, &i64::from(count)])?;
        Ok(())
    }

    fn set_decision(&self, id: i64, by: &str, at: &str, reason: Option<&str>) -> StoreResult<()> {
        self.execute("UPDATE cases SET decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $1", &[&id, &by, &at, &reason])?;
        Ok(())
    }

    fn set_release(&self, id: i64, by: &str, at: &str) -> StoreResult<()> {
        self.execute("UPDATE cases SET released_by = $2, released_at = $3 WHERE id = $1", &[&id, &by, &at])?;
        Ok(())
    }

    fn insert_callback(&self, case_id: i64, challenge: &str, by: &str, at: &str) -> StoreResult<i64> {
        let row = self.query_one(
            "INSERT INTO callbacks (case_id, challenge, started_by, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&case_id, &challenge, &by, &at],
        )?;
        Ok(row.try_get(0)?)
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
        self.execute(
            "UPDATE callbacks SET dialed = $2, reached = $3, response = $4, outcome = $5, note = $6, recorded_at = $7 WHERE id = $1",
            &[&id, &dialed, &reached, &response, &outcome, &note, &at],
        )?;
        Ok(())
    }

    fn insert_name_check(&self, c: &NameCheckRow) -> StoreResult<()> {
        self.execute(
            "INSERT INTO name_checks (case_id, scheme, request_id, requested_at, answered_at, name_sent, account_sent, answer, matched_name, obtained, evidence_sha256, attached_by, attached_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                &c.case_id,
                &c.scheme,
                &c.request_id,
                &c.requested_at,
                &c.answered_at,
                &c.name_sent,
                &c.account_sent,
                &c.answer,
                &c.matched_name,
                &c.obtained,
                &c.evidence_sha256,
                &c.attached_by,
                &c.attached_at,
            ],
        )?;
        Ok(())
    }

    fn name_checks(&self, case_id: i64) -> StoreResult<Vec<NameCheckRow>> {
        let rows = self.query("SELECT case_id, scheme, request_id, requested_at, answered_at, name_sent, account_sent, answer, matched_name, obtained, evidence_sha256, attached_by, attached_at FROM name_checks WHERE case_id = $1 ORDER BY id", &[&case_id])?;
        rows.iter()
            .map(|r| {
                Ok(NameCheckRow {
                    case_id: r.try_get(0)?,
                    scheme: r.try_get(1)?,
                    request_id: r.try_get(2)?,
                    requested_at: r.try_get(3)?,
                    answered_at: r.try_get(4)?,
                    name_sent: r.try_get(5)?,
                    account_sent: r.try_get(6)?,
                    answer: r.try_get(7)?,
                    matched_name: r.try_get(8)?,
                    obtained: r.try_get(9)?,
                    evidence_sha256: r.try_get(10)?,
                    attached_by: r.try_get(11)?,
                    attached_at: r.try_get(12)?,
                })
            })
            .collect()
    }

    fn callbacks(&self, case_id: i64) -> StoreResult<Vec<Callback>> {
        let rows = self.query(
            "SELECT id, challenge, started_by, started_at, dialed, reached, response, outcome, note, recorded_at
             FROM callbacks WHERE case_id = $1 ORDER BY id",
            &[&case_id],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Callback {
                    id: r.try_get(0)?,
                    challenge: r.try_get(1)?,
                    started_by: r.try_get(2)?,
                    started_at: r.try_get(3)?,
                    dialed: r.try_get(4)?,
                    reached: r.try_get(5)?,
                    response: r.try_get(6)?,
                    outcome: r.try_get(7)?,
                    note: r.try_get(8)?,
                    recorded_at: r.try_get(9)?,
                })
            })
            .collect()
    }

    fn case_file(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        self.query_opt("SELECT file FROM cases WHERE id = $1", &[&id])?.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    fn insert_bank_file(&self, case_id: i64, format: &str, sha256: &str, bytes: &[u8], at: &str) -> StoreResult<()> {
        self.execute(
            "INSERT INTO bank_files (case_id, format, sha256, bytes, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[&case_id, &format, &sha256, &bytes, &at],
        )?;
        Ok(())
    }

    fn bank_file(&self, case_id: i64) -> StoreResult<Option<BankFile>> {
        let row = self.query_opt("SELECT format, sha256, bytes, created_at, saved_at FROM bank_files WHERE case_id = $1", &[&case_id])?;
        row.map(|r| {
            Ok(BankFile {
                format: r.try_get(0)?,
                sha256: r.try_get(1)?,
                bytes: r.try_get(2)?,
                created_at: r.try_get(3)?,
                saved_at: r.try_get(4)?,
            })
        })
        .transpose()
    }

    fn set_bank_file_saved(&self, case_id: i64, at: &str) -> StoreResult<()> {
        self.execute("UPDATE bank_files SET saved_at = $2 WHERE case_id = $1", &[&case_id, &at])?;
        Ok(())
    }

    fn unsaved_bank_files(&self) -> StoreResult<Vec<i64>> {
        let rows = self.query("SELECT case_id FROM bank_files WHERE saved_at IS NULL ORDER BY case_id", &[])?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn cases_for_account(&self, partner_id: i64, account_key: &str, page: &Page) -> StoreResult<Vec<i64>> {
        let rows = self.query(
            "SELECT id FROM cases WHERE partner_id = $1 AND account_key = $2 AND ($3::bigint IS NULL OR id > $3) ORDER BY id LIMIT $4",
            &[&partner_id, &account_key, &page.after, &page.fetch()],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn count_cases_for_account(&self, partner_id: i64, account_key: &str) -> StoreResult<u64> {
        let r = self.query_one("SELECT COUNT(*) FROM cases WHERE partner_id = $1 AND account_key = $2", &[&partner_id, &account_key])?;
        Ok(r.try_get::<_, i64>(0)? as u64)
    }

    fn partner_cases(&self, partner_id: i64, page: &Page) -> StoreResult<Vec<Case>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN partners p ON p.id = c.partner_id
             WHERE c.partner_id = $1 AND ($2::bigint IS NULL OR c.id < $2) ORDER BY c.id DESC LIMIT $3"
        );
        self.query(&sql, &[&partner_id, &page.after, &page.fetch()])?.iter().map(case_from_row).collect()
    }
}
