//! The ERP's payment file (issue 18): screening it line by line before it goes to the bank
//! (clerks, approvers, admins), the approved copy with only its `ok` lines, and the check whether
//! a file is the one screened (every role). The file is read here, in Rust, within the core's size
//! limit; the rules, the log and the copy are the service's. The copy is asked for in the same
//! call that screens, so the bytes saved are the ones that screening logged; they wait in memory,
//! for the user who screened, until another file is screened.

use std::path::Path;

use countersign_service::core::screen::rules::{FileFinding, LineReport, LineVerdict, Reason, ScreenReason};
use countersign_service::core::screen::MAX_PAYMENT_FILE_BYTES;
use countersign_service::files::{check_new_file, read_limited, write_atomic, Sensitivity};
use countersign_service::{FileCheck, FileStanding, ScreenedFile, ScreeningRecord};
use serde::Serialize;
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use super::save::save_target;
use crate::dialog;
use crate::error::{not_written, refused_new_file, unreadable, NewFileWords};
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// One reason a line is held or blocked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScreenReasonView {
    /// The stable code (the UI names it in the chosen language).
    pub code: ScreenReason,
    /// `hold` or `blocked`.
    pub verdict: LineVerdict,
    /// What was found, with the facts, in the core's words.
    pub message: String,
}

/// The partner a line was matched to.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScreenPartnerView {
    /// Its id, to open its view.
    #[ts(type = "number")]
    pub id: i64,
    /// Its legal name.
    pub name: String,
}

/// One credit transfer of the file and its verdict.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScreenLineView {
    /// Position in the file, from 1.
    #[ts(type = "number")]
    pub number: usize,
    /// The payment block (`PmtInfId`).
    pub block: String,
    /// `EndToEndId`.
    pub end_to_end_id: String,
    /// The creditor name as written.
    pub creditor_name: String,
    /// The account as people read it.
    pub account: String,
    /// The creditor agent's BIC.
    pub bic: Option<String>,
    /// The amount as written (`1840.00`).
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// Remittance information.
    pub remittance: String,
    /// The partner it was matched to, by account or by name.
    pub partner: Option<ScreenPartnerView>,
    /// `ok`, `hold` or `blocked`.
    pub verdict: LineVerdict,
    /// Why it is not `ok`, worst first.
    pub reasons: Vec<ScreenReasonView>,
}

/// A finding about the file as a whole (its counts and control sums).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScreenFindingView {
    /// The stable code.
    pub code: ScreenReason,
    /// The block it is about, or none for the group header.
    pub block: Option<String>,
    /// What was found.
    pub message: String,
}

/// Lines per verdict.
#[derive(Debug, Clone, Copy, Serialize, TS)]
pub struct ScreenCounts {
    /// All lines.
    #[ts(type = "number")]
    pub lines: usize,
    /// `ok`.
    #[ts(type = "number")]
    pub ok: usize,
    /// `hold`.
    #[ts(type = "number")]
    pub hold: usize,
    /// `blocked`.
    #[ts(type = "number")]
    pub blocked: usize,
}

/// A screening, as the screen shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScreenView {
    /// The file's name.
    pub file_name: String,
    /// `pain.001.001.03` or `pain.001.001.09`.
    pub version: String,
    /// `GrpHdr/MsgId`.
    pub message_id: String,
    /// `GrpHdr/CreDtTm`, as written.
    pub created_at: String,
    /// The file's SHA-256, hex.
    pub file_sha256: String,
    /// When it was screened (UTC).
    pub screened_at: String,
    /// By whom.
    pub screened_by: String,
    /// The log event that records the screening.
    #[ts(type = "number")]
    pub event: u64,
    /// `ok` only when every line is `ok` and the file has no finding.
    pub verdict: LineVerdict,
    /// Lines per verdict.
    pub counts: ScreenCounts,
    /// The file's own findings.
    pub file_findings: Vec<ScreenFindingView>,
    /// Every line, in file order.
    pub lines: Vec<ScreenLineView>,
    /// How many lines the approved copy keeps, when there is one to write: some lines are `ok`
    /// and some are not.
    #[ts(type = "number | null")]
    pub copy_lines: Option<usize>,
}

/// Where the approved copy was saved.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApprovedCopyView {
    /// The path.
    pub saved_to: String,
    /// Lines it keeps.
    #[ts(type = "number")]
    pub lines: usize,
    /// Lines the screened file had.
    #[ts(type = "number")]
    pub of: usize,
    /// Its SHA-256, hex, as the screening logged it.
    pub sha256: String,
}

/// What the log says about a file, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckStanding {
    /// Byte-identical to a file screened with every line `ok`.
    ScreenedOk,
    /// Byte-identical to the approved copy a screening wrote.
    ApprovedCopy,
    /// Byte-identical to a file screened with held or blocked lines.
    ScreenedNotOk,
    /// A file with the same message id was screened, with other bytes.
    Changed,
    /// No screening of it is in the log.
    NotScreened,
}

/// A screening as the log records it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScreeningEntry {
    /// The log event.
    #[ts(type = "number")]
    pub event: u64,
    /// When (UTC).
    pub at: String,
    /// By whom.
    pub by: String,
    /// The screened file's SHA-256.
    pub file_sha256: String,
    /// Its message id.
    pub message_id: String,
    /// The file's verdict.
    pub verdict: LineVerdict,
    /// Lines per verdict.
    pub counts: ScreenCounts,
}

/// The answer to "is this the file that was screened?".
#[derive(Debug, Clone, Serialize, TS)]
pub struct FileCheckView {
    /// The file's name.
    pub file_name: String,
    /// The verdict on it.
    pub standing: CheckStanding,
    /// Its SHA-256, hex.
    pub file_sha256: String,
    /// Its message id, when it reads as a pain.001 file.
    pub message_id: Option<String>,
    /// The screening of exactly these bytes (or the one whose approved copy they are).
    pub screening: Option<ScreeningEntry>,
    /// Other screenings of the same message id (other bytes), newest first.
    pub same_message: Vec<ScreeningEntry>,
}

/// The approved copy of the last screening, waiting to be saved.
pub(crate) struct HeldCopy {
    /// Who screened.
    user: String,
    /// The screening's event.
    event: u64,
    /// The screened file's name.
    file_name: String,
    /// The XML.
    bytes: Vec<u8>,
    /// Its SHA-256.
    sha256: String,
    /// Lines it keeps.
    lines: usize,
    /// Lines the screened file had.
    of: usize,
}

fn counts(c: countersign_service::core::screen::rules::VerdictCounts) -> ScreenCounts {
    ScreenCounts { lines: c.lines, ok: c.ok, hold: c.hold, blocked: c.blocked }
}

fn reason(r: &Reason) -> ScreenReasonView {
    ScreenReasonView { code: r.code, verdict: r.verdict, message: r.message.clone() }
}

fn line(l: &LineReport) -> ScreenLineView {
    ScreenLineView {
        number: l.number,
        block: l.block.clone(),
        end_to_end_id: l.end_to_end_id.clone(),
        creditor_name: l.creditor_name.clone(),
        account: l.account.clone(),
        bic: l.bic.clone(),
        amount: l.amount.clone(),
        currency: l.currency.clone(),
        remittance: l.remittance.clone(),
        partner: l.partner.as_ref().map(|p| ScreenPartnerView { id: p.id, name: p.name.clone() }),
        verdict: l.verdict,
        reasons: l.reasons.iter().map(reason).collect(),
    }
}

fn finding(f: &FileFinding) -> ScreenFindingView {
    ScreenFindingView { code: f.code, block: f.block.clone(), message: f.message.clone() }
}

/// The screen's view, and the copy to hold when one may be written (some lines `ok`, some not).
fn screen_view(s: ScreenedFile) -> (ScreenView, Option<HeldCopy>) {
    let r = &s.report;
    let mixed = r.counts.ok > 0 && r.counts.ok < r.counts.lines;
    let held = s.approved_copy.filter(|_| mixed).map(|c| HeldCopy {
        user: s.screened_by.clone(),
        event: s.event,
        file_name: s.file_name.clone(),
        bytes: c.bytes,
        sha256: c.sha256,
        lines: c.lines,
        of: r.counts.lines,
    });
    let view = ScreenView {
        version: r.version.as_str().to_string(),
        message_id: r.message_id.clone(),
        created_at: r.created_at.clone(),
        verdict: r.verdict,
        counts: counts(r.counts),
        file_findings: r.file_findings.iter().map(finding).collect(),
        lines: r.lines.iter().map(line).collect(),
        copy_lines: held.as_ref().map(|c| c.lines),
        file_name: s.file_name,
        file_sha256: s.file_sha256,
        screened_at: s.screened_at,
        screened_by: s.screened_by,
        event: s.event,
    };
    (view, held)
}

fn entry(r: &ScreeningRecord) -> ScreeningEntry {
    ScreeningEntry {
        event: r.event,
        at: r.at.clone(),
        by: r.by.clone(),
        file_sha256: r.file_sha256.clone(),
        message_id: r.message_id.clone(),
        verdict: r.verdict,
        counts: counts(r.counts),
    }
}

fn check_view(file_name: String, c: &FileCheck) -> FileCheckView {
    let standing = match c.standing {
        FileStanding::ScreenedOk if c.approved_copy => CheckStanding::ApprovedCopy,
        FileStanding::ScreenedOk => CheckStanding::ScreenedOk,
        FileStanding::ScreenedNotOk => CheckStanding::ScreenedNotOk,
        FileStanding::Changed => CheckStanding::Changed,
        FileStanding::NotScreened => CheckStanding::NotScreened,
    };
    FileCheckView {
        file_name,
        standing,
        file_sha256: c.file_sha256.clone(),
        message_id: c.message_id.clone(),
        screening: c.screening.as_ref().map(entry),
        // An approved copy's own screening is named once, as `screening`, not again here.
        same_message: c.same_message.iter().filter(|r| Some(r.event) != c.screening.as_ref().map(|s| s.event)).map(entry).collect(),
    }
}

/// The file at `path` (at most one byte over the core's limit, which the core then refuses, so
/// the message names the limit) and its name.
fn read_payment_file(path: &str) -> CommandResult<(String, Vec<u8>)> {
    let path = path.trim();
    if path.is_empty() {
        return Err(CommandError::detailed("invalid_input", "file_needed", "Choose a payment file first.", &[]));
    }
    let bytes = read_limited(Path::new(path), MAX_PAYMENT_FILE_BYTES).map_err(unreadable)?;
    let name = Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
    Ok((name, bytes))
}

/// Asks for a payment file (the native dialog); its path, or nothing when cancelled.
#[tauri::command]
pub async fn pick_payment_file<R: Runtime>(window: WebviewWindow<R>) -> CommandResult<Option<String>> {
    let chosen = dialog::ask(&window, dialog::Ask::OpenFile("Choose a payment file")).await?;
    Ok(chosen.into_iter().next().map(|p| p.display().to_string()))
}

/// Screens the payment file at `path` (clerks, approvers, admins; the core decides and logs the
/// screening). The approved copy is made in the same call and held until it is saved or another
/// file is screened.
#[tauri::command]
pub async fn screen_payment_file(state: State<'_, AppState>, path: String) -> CommandResult<ScreenView> {
    blocking(|| {
        let (name, bytes) = read_payment_file(&path)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let screened = ws.screen_payment_file(session, &bytes, &name, true)?;
        let (view, held) = screen_view(screened);
        inner.screened_copy = held;
        Ok(view)
    })
}

/// Saves the approved copy of screening `event` where the user chooses (never over an existing
/// file): the bytes that screening made and logged.
#[tauri::command]
pub async fn save_approved_copy<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    event: u64,
) -> CommandResult<ApprovedCopyView> {
    let stem = blocking(|| -> CommandResult<String> {
        let mut inner = state.lock();
        let user = inner.signed_in()?.1.user().to_string();
        match &inner.screened_copy {
            Some(c) if c.event == event && c.user == user => Ok(copy_stem(&c.file_name)),
            _ => {
                let message = "There is no approved copy of this screening to save: screen the file again.";
                Err(CommandError::detailed("not_found", "no_approved_copy", message, &[]))
            }
        }
    })?;
    let path =
        save_target(&window, &state, "Save the approved copy", &stem, "xml", "No file was chosen, so no copy was written.").await?.path;
    let words = NewFileWords { kind: "a payment file", exists: "copy_exists", no_folder: "copy_no_folder", outcome: None, values: vec![] };
    check_new_file(&path).map_err(|e| refused_new_file(&path, &e, words))?;
    blocking(|| {
        let inner = state.lock();
        let copy = inner.screened_copy.as_ref().filter(|c| c.event == event).ok_or_else(|| {
            let message = "Another file was screened meanwhile: screen this one again to write its approved copy.";
            CommandError::detailed("not_found", "screened_meanwhile", message, &[])
        })?;
        write_atomic(&path, &copy.bytes, Sensitivity::Public, false).map_err(|e| not_written(&path, e))?;
        Ok(ApprovedCopyView { saved_to: path.display().to_string(), lines: copy.lines, of: copy.of, sha256: copy.sha256.clone() })
    })
}

/// `invoices.xml` → `invoices-approved`.
fn copy_stem(file_name: &str) -> String {
    let stem = Path::new(file_name).file_stem().map_or_else(|| file_name.to_string(), |s| s.to_string_lossy().into_owned());
    format!("{stem}-approved")
}

/// Whether the file at `path` is one screened as all ok, an approved copy, screened with held
/// or blocked lines, changed after screening, or never screened (any role; reads only).
#[tauri::command]
pub async fn check_payment_file(state: State<'_, AppState>, path: String) -> CommandResult<FileCheckView> {
    blocking(|| {
        let (name, bytes) = read_payment_file(&path)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let check = ws.check_screened_file(session, &bytes)?;
        Ok(check_view(name, &check))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_is_named_after_the_file() {
        assert_eq!(copy_stem("run-2026-12-03.xml"), "run-2026-12-03-approved");
        assert_eq!(copy_stem("payments"), "payments-approved");
    }
}
