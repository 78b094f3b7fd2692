//! Screening the ERP's payment file before it goes to the bank (issue 18). The file is read and
//! checked against the official schema in the core; every credit transfer is judged against the
//! *signed* state (the implied state of the log's statements), never against table rows, so a
//! row edited by hand cannot make a line `ok`. Each screening is one signed statement
//! (`payment_file.screen`) with the file's SHA-256, the counts and every held or blocked line;
//! [`Workspace::check_screened_file`] reads those statements back to say whether a file is the
//! one screened, byte for byte.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};

use super::statements::{append_statement, refresh};
use super::{now, ErrorText, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::assess::history::EarlierAmounts;
use countersign_core::audit::log::{EventFilter, LoggedEvent};
use countersign_core::audit::state::ImpliedState;
use countersign_core::auth::Permission;
use countersign_core::bank::Iban;
use countersign_core::cases::flow::CaseStatus;
use countersign_core::encoding::sha256_hex;
use countersign_core::encoding::{format_utc, parse_utc};
use countersign_core::registry::KeyStatus;
use countersign_core::screen::pain001::{approved_copy, PaymentFile};
use countersign_core::screen::read_payment_file;
use countersign_core::screen::rules::{
    screen, LineVerdict, PartnerAccount, PartnerFacts, PartnerRef, ScreenFacts, ScreenReport, VerdictCounts,
};
use countersign_store::prelude::*;
use time::OffsetDateTime;

/// The action of a screening's statement.
pub const SCREEN_ACTION: &str = "payment_file.screen";

/// The copy of the file with only its `ok` lines, for the bank.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovedCopy {
    /// The XML.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Its SHA-256, hex, as logged.
    pub sha256: String,
    /// How many lines it keeps.
    pub lines: usize,
}

/// A screening, as it was logged.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenedFile {
    /// The report.
    #[serde(flatten)]
    pub report: ScreenReport,
    /// The file's SHA-256, hex.
    pub file_sha256: String,
    /// The name it was given under.
    pub file_name: String,
    /// When (UTC).
    pub screened_at: String,
    /// By whom.
    pub screened_by: String,
    /// The log event that records it.
    pub event: u64,
    /// The copy without held or blocked lines, when asked for and when any line is `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_copy: Option<ApprovedCopy>,
}

/// A screening as the log records it, for `screen --check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreeningRecord {
    /// The event.
    pub event: u64,
    /// When (UTC).
    pub at: String,
    /// By whom.
    pub by: String,
    /// The screened file's SHA-256.
    pub file_sha256: String,
    /// Its `MsgId`.
    pub message_id: String,
    /// The verdict of the whole file.
    pub verdict: LineVerdict,
    /// Lines per verdict.
    pub counts: VerdictCounts,
    /// The approved copy's SHA-256, when one was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_copy_sha256: Option<String>,
}

/// What the log says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStanding {
    /// Byte-identical to a file screened with every line `ok`, or to an approved copy.
    ScreenedOk,
    /// Byte-identical to a file screened with held or blocked lines.
    ScreenedNotOk,
    /// A file with the same `MsgId` was screened, with other bytes: changed after screening.
    Changed,
    /// Never screened.
    NotScreened,
}

/// The answer of [`Workspace::check_screened_file`].
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// The verdict on the file.
    pub standing: FileStanding,
    /// The file's SHA-256.
    pub file_sha256: String,
    /// Its `MsgId`, when it reads as a pain.001 file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The latest screening of exactly these bytes (or the one whose approved copy they are).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening: Option<ScreeningRecord>,
    /// Whether these bytes are the approved copy that `screening` wrote.
    pub approved_copy: bool,
    /// Screenings of other bytes with the same `MsgId`, newest first.
    pub same_message: Vec<ScreeningRecord>,
}

impl Workspace {
    /// Screens a pain.001 file (clerk, approver, admin): the report, logged as one signed
    /// statement; with `want_copy`, also the copy with only the `ok` lines (its hash logged).
    /// A file that is not a readable, schema-valid pain.001.001.03 or .09 is refused as
    /// `payment_file_invalid` and nothing is logged.
    pub fn screen_payment_file(
        &mut self,
        session: &Session,
        bytes: &[u8],
        file_name: &str,
        want_copy: bool,
    ) -> ServiceResult<ScreenedFile> {
        let file_sha256 = sha256_hex(bytes);
        let subject = format!("payment_file:{file_sha256}");
        self.authorize(session, Permission::ScreenPaymentFiles, &subject)?;
        super::check_free_text(("file_name", "the file name"), file_name, super::MAX_NOTE_CHARS)?;
        let file = read_payment_file(bytes).map_err(|e| {
            ServiceError::PaymentFileInvalid(
                ErrorText::detailed("payment_file_unreadable", format!("{file_name}: {e}")).with("file", file_name),
            )
        })?;
        let at = now();
        let screened_at = format_utc(at);
        let state = &mut self.implied;
        let (report, copy, event) = self.store.write(|tx| -> ServiceResult<_> {
            refresh(tx, state)?;
            let report = screen(&file, &facts(state, at));
            let copy = match want_copy && report.counts.ok > 0 {
                true => Some(copy_of(bytes, &file, &report)?),
                false => None,
            };
            let details = statement(&report, &file_sha256, file_name, copy.as_ref());
            let event = append_statement(tx, session, &screened_at, SCREEN_ACTION, &subject, details)?;
            Ok((report, copy, event))
        })?;
        Ok(ScreenedFile {
            report,
            file_sha256,
            file_name: file_name.to_string(),
            screened_at,
            screened_by: session.user().to_string(),
            event,
            approved_copy: copy,
        })
    }

    /// Whether a file is byte-identical to one screened as all `ok` (or to an approved copy a
    /// screening wrote), and when and by whom; a file whose `MsgId` was screened with other
    /// bytes is `changed`. Any signed-in user; read-only.
    pub fn check_screened_file(&mut self, session: &Session, bytes: &[u8]) -> ServiceResult<FileCheck> {
        self.require_signed_in(session)?;
        let file_sha256 = sha256_hex(bytes);
        let message_id = read_payment_file(bytes).ok().map(|f| f.message_id);
        let filter = EventFilter { action: Some(SCREEN_ACTION.into()), ..EventFilter::default() };
        let state = &mut self.implied;
        let events = self.store.read(|tx| -> ServiceResult<Vec<LoggedEvent>> {
            refresh(tx, state)?;
            Ok(tx.events_matching(&filter)?)
        })?;
        // Only screenings whose statement holds (signed by a screener's current key) count: an
        // event written into the table by hand is no screening.
        let invalid: BTreeSet<u64> = self.implied.problems.iter().map(|p| p.seq).collect();
        let mut records: Vec<ScreeningRecord> = events.iter().filter(|e| !invalid.contains(&e.seq)).filter_map(record_of).collect();
        records.reverse();
        let exact = records.iter().find(|r| r.file_sha256 == file_sha256);
        let copy_of = records.iter().find(|r| r.approved_copy_sha256.as_deref() == Some(file_sha256.as_str()));
        let same_message: Vec<ScreeningRecord> = match &message_id {
            Some(id) => records.iter().filter(|r| &r.message_id == id && r.file_sha256 != file_sha256).cloned().collect(),
            None => vec![],
        };
        let (standing, screening, approved_copy) = match (exact, copy_of) {
            (Some(r), _) if r.verdict == LineVerdict::Ok => (FileStanding::ScreenedOk, Some(r), false),
            (_, Some(r)) => (FileStanding::ScreenedOk, Some(r), true),
            (Some(r), None) => (FileStanding::ScreenedNotOk, Some(r), false),
            (None, None) if !same_message.is_empty() => (FileStanding::Changed, None, false),
            (None, None) => (FileStanding::NotScreened, None, false),
        };
        Ok(FileCheck { standing, file_sha256, message_id, screening: screening.cloned(), approved_copy, same_message })
    }
}

/// What the rules read, all of it from the signed statements.
fn facts(state: &ImpliedState, now: OffsetDateTime) -> ScreenFacts {
    let mut signed: BTreeSet<(i64, &str)> = BTreeSet::new();
    let mut amounts: BTreeMap<i64, BTreeMap<String, Vec<u64>>> = BTreeMap::new();
    for case in state.cases.values() {
        let cleared = matches!(case.status, CaseStatus::Accepted | CaseStatus::Approved | CaseStatus::Released);
        let (Some(partner), true) = (case.partner, cleared) else { continue };
        if let Some(key) = &case.account_key {
            signed.insert((partner, key));
        }
        if let (Some(amount), Some(currency)) = (case.amount_minor, &case.currency) {
            amounts.entry(partner).or_default().entry(currency.clone()).or_default().push(amount);
        }
    }
    let partners = state
        .partners
        .iter()
        .map(|(&id, p)| PartnerFacts {
            partner: PartnerRef { id, name: p.name.clone() },
            has_active_key: p.keys.values().any(|s| *s == KeyStatus::Active),
            accounts: state
                .accounts
                .range((id, String::new())..(id + 1, String::new()))
                .map(|((_, key), status)| PartnerAccount {
                    key: key.clone(),
                    status: *status,
                    signed: signed.contains(&(id, key.as_str())),
                    changed_at: state.account_changed_at.get(&(id, key.clone())).and_then(|at| parse_utc(at)),
                })
                .collect(),
            amounts: amounts.remove(&id).unwrap_or_default().into_iter().map(|(c, a)| (c, EarlierAmounts::of(&a))).collect(),
            // Issue 20: the freezes in force now, from the statements.
            freezes: state
                .standing_freezes(id)
                .filter(|f| f.notice.in_force_at(now))
                .map(|f| (f.notice.scope.clone(), f.describe()))
                .collect(),
        })
        .collect();
    let our_accounts = state
        .org_account
        .as_ref()
        .and_then(|a| a["iban"].as_str())
        .and_then(|iban| Iban::parse_electronic(iban).ok())
        .map(|iban| vec![format!("iban:{}", iban.electronic())])
        .unwrap_or_default();
    ScreenFacts {
        partners,
        marks: state.marks.iter().map(|(key, mark)| (key.clone(), mark.confirmed)).collect(),
        our_accounts,
        policy: state.policy.clone(),
        now,
    }
}

fn copy_of(bytes: &[u8], file: &PaymentFile, report: &ScreenReport) -> ServiceResult<ApprovedCopy> {
    let ok: BTreeSet<usize> = report.lines.iter().filter(|l| l.verdict == LineVerdict::Ok).map(|l| l.number).collect();
    let copy =
        approved_copy(bytes, file, &|n| ok.contains(&n)).map_err(|e| ServiceError::CheckFailed(ErrorText::detailed("copy_not_made", e)))?;
    // The copy is checked as any file would be: it must read, and be schema-valid.
    read_payment_file(&copy).map_err(|e| {
        ServiceError::CheckFailed(ErrorText::detailed("copy_not_schema_valid", format!("the approved copy would not be schema-valid: {e}")))
    })?;

    Ok(ApprovedCopy { sha256: sha256_hex(&copy), lines: ok.len(), bytes: copy })
}

/// The statement's particulars: the file, the counts, and every line that is not `ok`.
fn statement(report: &ScreenReport, file_sha256: &str, file_name: &str, copy: Option<&ApprovedCopy>) -> Value {
    let not_ok: Vec<Value> = report
        .lines
        .iter()
        .filter(|l| l.verdict != LineVerdict::Ok)
        .map(|l| {
            json!({
                "line": l.number,
                "end_to_end_id": l.end_to_end_id,
                "creditor_name": l.creditor_name,
                "account_key": l.account_key,
                "amount": l.amount,
                "currency": l.currency,
                "verdict": l.verdict,
                "reasons": l.reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "file_sha256": file_sha256,
        "file_name": file_name,
        "version": report.version,
        "message_id": report.message_id,
        "verdict": report.verdict,
        "counts": report.counts,
        "file_findings": report.file_findings.iter().map(|f| json!({ "code": f.code, "block": f.block })).collect::<Vec<_>>(),
        "lines_not_ok": not_ok,
        "approved_copy": copy.map(|c| json!({ "sha256": c.sha256, "lines": c.lines })),
    })
}

/// A screening statement read back; `None` for one whose particulars do not parse.
fn record_of(event: &LoggedEvent) -> Option<ScreeningRecord> {
    let d: Value = serde_json::from_str(&event.details).ok()?;
    let verdict: LineVerdict = serde_json::from_value(d["verdict"].clone()).ok()?;
    let count = |k: &str| d["counts"][k].as_u64().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    Some(ScreeningRecord {
        event: event.seq,
        at: event.at.clone(),
        by: event.actor.clone(),
        file_sha256: d["file_sha256"].as_str()?.to_string(),
        message_id: d["message_id"].as_str().unwrap_or_default().to_string(),
        verdict,
        counts: VerdictCounts { lines: count("lines"), ok: count("ok"), hold: count("hold"), blocked: count("blocked") },
        approved_copy_sha256: d["approved_copy"]["sha256"].as_str().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{admin_workspace, onboard_a_partner, receive_an_instruction, PARTNER_IBAN, PARTNER_NAME};
    use crate::Credentials;
    use crate::Role;
    use countersign_core::screen::sample::{SampleFile, SampleLine};
    use countersign_core::screen::Pain001Version;

    fn run(amount: &str) -> Vec<u8> {
        let line = SampleLine::sepa("E1", amount, "Hooli Ltd", "GB29NWBK60161331926819", "NWBKGB2LXXX");
        SampleFile::one_block(Pain001Version::V09, "ERP-1", "DE75512108001245126199", vec![line]).xml().into_bytes()
    }

    fn screenings(ws: &mut Workspace) -> usize {
        let filter = EventFilter { action: Some(SCREEN_ACTION.into()), ..EventFilter::default() };
        ws.store.read(|tx| tx.events_matching(&filter)).unwrap().len()
    }

    /// On both backends (the suite runs on SQLite and PostgreSQL): a screening is one statement
    /// that `check_screened_file` reads back; a changed file is named; an invalid one logs nothing;
    /// auditors only check.
    #[test]
    fn a_screening_is_logged_once_and_read_back_by_the_check() {
        let (_dir, mut ws, alice) = admin_workspace();
        ws.add_user(&alice, "frank", Role::Auditor, "frank password 1").unwrap();
        let frank = ws.login(&Credentials { user: "frank", password: "frank password 1", totp: None }).unwrap();
        let screened = ws.screen_payment_file(&alice, &run("10.00"), "run.xml", true).unwrap();
        assert_eq!((screened.report.verdict, screened.report.counts.hold), (LineVerdict::Hold, 1));
        assert!(screened.approved_copy.is_none(), "no line is ok: no copy");
        assert_eq!(screenings(&mut ws), 1);
        let check = ws.check_screened_file(&frank, &run("10.00")).unwrap();
        assert_eq!(check.standing, FileStanding::ScreenedNotOk);
        assert_eq!(check.screening.as_ref().map(|s| (s.event, s.by.as_str())), Some((screened.event, "alice")));
        let changed = ws.check_screened_file(&frank, &run("10.01")).unwrap();
        assert_eq!((changed.standing, changed.same_message.len()), (FileStanding::Changed, 1));
        let invalid = ws.screen_payment_file(&alice, b"<Document/>", "x.xml", false);
        assert!(matches!(invalid, Err(ServiceError::PaymentFileInvalid(_))), "{invalid:?}");
        assert!(matches!(ws.screen_payment_file(&frank, &run("10.00"), "run.xml", false), Err(ServiceError::NotPermitted(_))));
        assert_eq!(screenings(&mut ws), 1, "neither the invalid file nor the auditor's attempt is a screening");
    }

    /// A file of `lines` under `message_id`.
    fn file_of(message_id: &str, lines: Vec<SampleLine>) -> Vec<u8> {
        SampleFile::one_block(Pain001Version::V09, message_id, "DE75512108001245126199", lines).xml().into_bytes()
    }

    /// A line to the partner's signed account, under its name: `ok`.
    fn to_the_partner(end_to_end_id: &str) -> SampleLine {
        SampleLine::sepa(end_to_end_id, "950.00", PARTNER_NAME, PARTNER_IBAN.0, PARTNER_IBAN.1)
    }

    /// The statement of the latest screening.
    fn latest_statement(ws: &mut Workspace) -> Value {
        let filter = EventFilter { action: Some(SCREEN_ACTION.into()), ..EventFilter::default() };
        let events = ws.store.read(|tx| tx.events_matching(&filter)).unwrap();
        serde_json::from_str(&events.last().expect("a screening").details).unwrap()
    }

    /// A line to a partner's account its own signed instruction confirmed is `ok` (the partner's
    /// active key and accounts read from the signed state); the approved copy keeps only the ok
    /// lines, the statement lists only the others, and the check tells a file screened as all
    /// ok, an approved copy, a file never screened and a received instruction apart. (Mutation
    /// testing of the service: no test here had an `ok` line, an approved copy, or a check of a
    /// file never screened.)
    #[test]
    fn an_ok_line_goes_into_the_approved_copy_and_the_check_tells_each_file_apart() {
        let (_dir, mut ws, alice) = admin_workspace();
        let key = onboard_a_partner(&mut ws, &alice, true);
        receive_an_instruction(&mut ws, &alice, &key, "INV-1", PARTNER_IBAN, "1000.00");
        // Held (another account): its receipt's statement has a verdict, `hold`, and the file's hash.
        let (_, held) = receive_an_instruction(&mut ws, &alice, &key, "INV-2", ("DE02120300000000202051", "BYLADEM1001"), "1000.00");
        let stranger = SampleLine::sepa("E2", "77.00", "Hooli Ltd", "GB29NWBK60161331926819", "NWBKGB2LXXX");
        let mixed = file_of("ERP-1", vec![to_the_partner("E1"), stranger]);
        let screened = ws.screen_payment_file(&alice, &mixed, "run.xml", true).unwrap();
        let counts = &screened.report.counts;
        assert_eq!((screened.report.verdict, counts.ok, counts.hold), (LineVerdict::Hold, 1, 1));
        let copy = screened.approved_copy.expect("one line is ok: a copy");
        let copy_text = String::from_utf8(copy.bytes.clone()).unwrap();
        assert_eq!(copy.lines, 1);
        assert!(copy_text.contains("<EndToEndId>E1</EndToEndId>") && !copy_text.contains("<EndToEndId>E2</EndToEndId>"), "{copy_text}");
        let not_ok = latest_statement(&mut ws)["lines_not_ok"].clone();
        assert_eq!(not_ok.as_array().map(|l| l.iter().map(|l| l["end_to_end_id"].clone()).collect::<Vec<_>>()), Some(vec![json!("E2")]));
        let of_copy = ws.check_screened_file(&alice, &copy.bytes).unwrap();
        assert_eq!((of_copy.standing, of_copy.approved_copy), (FileStanding::ScreenedOk, true));

        let all_ok = file_of("ERP-2", vec![to_the_partner("E3")]);
        assert_eq!(ws.screen_payment_file(&alice, &all_ok, "ok.xml", false).unwrap().report.verdict, LineVerdict::Ok);
        let checked = ws.check_screened_file(&alice, &all_ok).unwrap();
        assert_eq!((checked.standing, checked.approved_copy), (FileStanding::ScreenedOk, false));

        let never = ws.check_screened_file(&alice, &file_of("ERP-3", vec![to_the_partner("E4")])).unwrap();
        assert_eq!((never.standing, never.same_message.len()), (FileStanding::NotScreened, 0), "other messages are not this one");
        let received = ws.check_screened_file(&alice, &held).unwrap();
        assert_eq!(received.standing, FileStanding::NotScreened, "a receipt's statement is no screening");
    }
}
