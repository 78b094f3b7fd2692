//! One case: everything the case view shows, and the approver's decisions (approve, reject,
//! release with its bank file, attach a bank's name check).

use countersign_service::core::assess::phone::PhoneNumber;
use countersign_service::core::cases::callback_numbers::Withheld;
use std::path::Path;

use countersign_service::core::cases::flow::CaseStatus;
use countersign_service::core::cases::name_check::{AttachedNameCheck, NameCheckInput, Obtained, Outcome as NameCheckOutcome, Scheme};
use countersign_service::core::cases::steps::CaseStep;
use countersign_service::core::registry::{AccountRecord, AccountStatus, NumberSource};
use countersign_service::files::{check_new_file, read_limited, write_atomic, FileError, Sensitivity};
use countersign_service::{Export, ExportFormat, NumberOnFile, MAX_EVIDENCE_SIZE};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use super::inbox::{finding_view, summary, CaseSummary, FindingView};
use super::save::save_target;
use crate::dialog;
use crate::error::{file_name, refused_new_file, NewFileWords};
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// A bank account in the partner's history.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountEntry {
    /// As people read it (IBAN in groups).
    pub display: String,
    /// BIC.
    pub bic: String,
    /// Where it stands in the partner's history.
    pub status: AccountStatus,
    /// First seen (UTC).
    pub first_seen: String,
    /// Last seen (UTC).
    pub last_seen: String,
    /// When it became the current account, if it ever did (UTC).
    pub became_current_at: Option<String>,
}

/// A phone number on file.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PhoneEntry {
    /// E.164, what the core compares.
    pub e164: String,
    /// International format, to read and dial.
    pub display: String,
    /// How it is named ("Accounts receivable"): the label it was put on file with, else the
    /// partner's card's, when either names it.
    pub label: Option<String>,
    /// Where it came from, as the signed statements say (issue 20).
    pub source: NumberSource,
    /// Who typed or chose it.
    pub recorded_by: String,
    /// Who approved it, when a second person did.
    pub approved_by: Option<String>,
    /// When it was put on file (UTC).
    pub recorded_at: String,
    /// Why it is not offered for this case's callback, when it is not (issue 20).
    pub withheld: Option<Withheld>,
}

impl PhoneEntry {
    /// The view of a number on file.
    pub(crate) fn of(n: &NumberOnFile) -> Self {
        let e164 = &n.number.e164;
        let display = PhoneNumber::from_e164(e164).map(|p| p.international()).unwrap_or_else(|_| e164.clone());
        PhoneEntry {
            e164: e164.clone(),
            display,
            label: n.label.clone(),
            source: n.provenance.source,
            recorded_by: n.provenance.recorded_by.clone(),
            approved_by: n.provenance.approved_by.clone(),
            recorded_at: n.provenance.at.clone(),
            withheld: n.withheld,
        }
    }
}

/// One callback attempt.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CallbackEntry {
    /// The challenge read out.
    pub challenge: String,
    /// Who called.
    pub started_by: String,
    /// When.
    pub started_at: String,
    /// The number dialled.
    pub dialed: Option<String>,
    /// Who answered.
    pub reached: Option<String>,
    /// `confirmed`, `wrong_response`, `denied`, `unreachable`; none while open.
    pub outcome: Option<String>,
}

/// One event of the case's audit timeline.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EventEntry {
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`instruction.receive`, `case.callback`, …).
    pub action: String,
    /// The event's particulars (canonical JSON).
    pub details: String,
}

/// Everything the case view shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CaseView {
    /// The list row.
    pub summary: CaseSummary,
    /// Every finding, in the order checked (the email's, with `email_` codes, last).
    pub findings: Vec<FindingView>,
    /// SHA-256 (hex) of the email that carried the instruction, when one was given.
    pub email_sha256: Option<String>,
    /// The partner's id.
    #[ts(type = "number | null")]
    pub partner_id: Option<i64>,
    /// The code both sides see for this instruction.
    pub confirmation_code: Option<String>,
    /// The creditor's BIC.
    pub bic: Option<String>,
    /// Remittance reference.
    pub reference: Option<String>,
    /// Consecutive wrong callback responses.
    pub wrong_responses: u32,
    /// Who approved or rejected, and why.
    pub decided_by: Option<String>,
    /// Reason of a rejection.
    pub decision_reason: Option<String>,
    /// Who released.
    pub released_by: Option<String>,
    /// The partner's current account, as it stands now (read when the case is shown).
    pub on_file_account: Option<AccountEntry>,
    /// Whether this case pays that account; absent when either is unknown.
    pub pays_account_on_file: Option<bool>,
    /// The partner's accounts, oldest first.
    pub account_history: Vec<AccountEntry>,
    /// The only numbers to call.
    pub on_file_numbers: Vec<PhoneEntry>,
    /// Callback attempts.
    pub callbacks: Vec<CallbackEntry>,
    /// Who did what, oldest first.
    pub timeline: Vec<EventEntry>,
    /// What the signed-in user may do next, as the core decides: the only controls shown.
    pub next_steps: Vec<CaseStep>,
    /// The cooling-off the release waits for (issue 20), while the case is open and it is not over.
    pub cooling_off: Option<CoolingOffEntry>,
    /// The bank name checks attached to it (issue 20), oldest first; their findings are among
    /// `findings`.
    pub name_checks: Vec<NameCheckEntry>,
    /// Whether the signed-in user may attach a name check (approvers): the form is shown only then.
    pub may_attach_name_check: bool,
    /// Why the case is held by its partner's freeze (issue 20): the `partner_frozen` finding,
    /// while the case is open and the freeze stands.
    pub partner_frozen: Option<FindingView>,
}

/// A bank's name check as the case page shows it under the evidence.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NameCheckEntry {
    /// VoP or CoP.
    pub scheme: Scheme,
    /// The bank's request id.
    pub request_id: String,
    /// When asked (UTC).
    pub requested_at: String,
    /// When answered (UTC).
    pub answered_at: String,
    /// The name sent.
    pub name_sent: String,
    /// The account sent.
    pub account_sent: String,
    /// The bank's answer code (`MTCH`, `CMTC`, `NMTC`, …).
    pub answer: String,
    /// What it means.
    pub outcome: NameCheckOutcome,
    /// The name the bank holds, with a close match.
    pub matched_name: Option<String>,
    /// The name we pay (the instruction's payee), shown beside the bank's.
    pub our_name: Option<String>,
    /// How it was obtained.
    pub obtained: Obtained,
    /// SHA-256 (hex) of the evidence file.
    pub evidence_sha256: Option<String>,
    /// Who attached it.
    pub attached_by: String,
    /// When (UTC).
    pub attached_at: String,
}

/// A bank's answer to a name check, as the approver types it (the core checks every field).
#[derive(Debug, Deserialize, TS)]
pub struct NameCheckRequest {
    /// The case.
    #[ts(type = "number")]
    pub case_id: i64,
    /// `vop` or `cop`.
    pub scheme: String,
    /// The bank's request id.
    pub request_id: String,
    /// When asked (UTC, `2026-12-04T09:30:00Z`).
    pub requested_at: String,
    /// When answered (UTC).
    pub answered_at: String,
    /// The name sent.
    pub name_sent: String,
    /// The account sent.
    pub account_sent: String,
    /// The answer code.
    pub answer: String,
    /// The name the bank returned with a close match.
    pub matched_name: Option<String>,
    /// `api`, `pain002` or `screenshot`.
    pub obtained: String,
    /// The file the answer came in (chosen with `pick_evidence_file`): hashed, not kept.
    pub evidence_path: Option<String>,
}

/// The cooling-off of a changed account, as the case page counts it down.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CoolingOffEntry {
    /// When the account became the partner's current one in place of another (UTC).
    pub since: String,
    /// When the release may go (UTC).
    pub until: String,
    /// The policy's hours.
    pub hours: u32,
    /// Seconds left when the case was read (the page counts down from it).
    #[ts(type = "number")]
    pub left_seconds: i64,
    /// The approvers who asked to release it early, with their reasons, oldest first.
    pub early_releases: Vec<EarlyReleaseEntry>,
    /// How many approvers must ask before it may be released early.
    pub needed: u32,
}

/// One approver's request to release early.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EarlyReleaseEntry {
    /// The approver.
    pub by: String,
    /// When (UTC).
    pub at: String,
    /// Their written reason.
    pub reason: String,
}

/// The bank file asked for on release.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseFormat {
    /// No file.
    None,
    /// ISO 20022 pain.001 XML, saved to a file.
    Pain001,
    /// EPC QR code, shown on screen.
    EpcQr,
}

/// A QR code as its module matrix, drawn by the UI as SVG rectangles (no markup crosses).
#[derive(Debug, Clone, Serialize, TS)]
pub struct QrView {
    /// Modules per side.
    pub width: u32,
    /// Row by row, `true` for a dark module.
    pub dark: Vec<bool>,
    /// The text in the code.
    pub payload: String,
}

/// What a release produced.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReleaseView {
    /// The case afterwards.
    pub summary: CaseSummary,
    /// Where the pain.001 file was saved.
    pub saved_to: Option<String>,
    /// The EPC QR code to scan.
    pub qr: Option<QrView>,
}

impl AccountEntry {
    fn of(a: &AccountRecord) -> Self {
        AccountEntry {
            display: a.display.clone(),
            bic: a.bic.clone(),
            status: a.status,
            first_seen: a.first_seen.clone(),
            last_seen: a.last_seen.clone(),
            became_current_at: a.became_current_at.clone(),
        }
    }
}

/// Everything about one case.
#[tauri::command]
pub async fn case_detail(state: State<'_, AppState>, id: i64) -> CommandResult<CaseView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let d = ws.case(session, id)?;
        let c = &d.case;
        let history: Vec<AccountEntry> = match c.partner_id {
            Some(p) => ws.partner(session, p)?.accounts.iter().map(|view| AccountEntry::of(&view.account)).collect(),
            None => vec![],
        };
        Ok(CaseView {
            summary: summary(c),
            findings: d.findings().iter().map(finding_view).collect(),
            email_sha256: c.email_sha256.clone(),
            partner_id: c.partner_id,
            confirmation_code: c.confirmation_code.clone(),
            bic: c.account_bic.clone(),
            reference: c.reference.clone(),
            wrong_responses: c.wrong_responses,
            decided_by: c.decided_by.clone(),
            decision_reason: c.decision_reason.clone(),
            released_by: c.released_by.clone(),
            on_file_account: d.on_file_account.as_ref().map(AccountEntry::of),
            pays_account_on_file: d.pays_account_on_file(),
            account_history: history,
            on_file_numbers: d.on_file_numbers.iter().map(PhoneEntry::of).collect(),
            callbacks: d
                .callbacks
                .iter()
                .map(|cb| CallbackEntry {
                    challenge: cb.challenge.clone(),
                    started_by: cb.started_by.clone(),
                    started_at: cb.started_at.clone(),
                    dialed: cb.dialed.clone(),
                    reached: cb.reached.clone(),
                    outcome: cb.outcome.clone(),
                })
                .collect(),
            timeline: d
                .timeline
                .iter()
                .map(|e| EventEntry { at: e.at.clone(), actor: e.actor.clone(), action: e.action.clone(), details: e.details.clone() })
                .collect(),
            next_steps: d.next_steps.clone(),
            partner_frozen: d.partner_frozen.as_ref().map(super::inbox::finding_view),
            cooling_off: d.cooling_off.as_ref().map(|c| CoolingOffEntry {
                since: c.since.clone(),
                until: c.until.clone(),
                hours: c.hours,
                left_seconds: c.left_seconds,
                early_releases: c
                    .early_releases
                    .iter()
                    .map(|e| EarlyReleaseEntry { by: e.by.clone(), at: e.at.clone(), reason: e.reason.clone() })
                    .collect(),
                needed: c.needed as u32,
            }),
            name_checks: d.name_checks.iter().map(|n| name_check_entry(n, c.beneficiary_name.as_deref())).collect(),
            may_attach_name_check: d.may_attach_name_check,
        })
    })
}

fn name_check_entry(n: &AttachedNameCheck, our_name: Option<&str>) -> NameCheckEntry {
    let c = &n.check;
    NameCheckEntry {
        scheme: c.scheme(),
        request_id: c.request_id().into(),
        requested_at: c.requested_at().into(),
        answered_at: c.answered_at().into(),
        name_sent: c.name_sent().into(),
        account_sent: c.account_sent().into(),
        answer: c.answer().into(),
        outcome: c.outcome(),
        matched_name: c.matched_name().map(str::to_string),
        our_name: our_name.map(str::to_string),
        obtained: c.obtained(),
        evidence_sha256: c.evidence_sha256().map(str::to_string),
        attached_by: n.attached_by.clone(),
        attached_at: n.attached_at.clone(),
    }
}

/// Opens the file chooser for the file a bank's answer came in (a screenshot, a pain.002 status
/// report, the API's response); the chosen path, none when cancelled.
#[tauri::command]
pub async fn pick_evidence_file<R: Runtime>(window: WebviewWindow<R>) -> CommandResult<Option<String>> {
    let chosen = dialog::ask(&window, dialog::Ask::OpenFile("Choose the bank's answer")).await?;
    Ok(chosen.into_iter().next().map(|p| p.display().to_string()))
}

/// Attaches a bank's name check to a case (approvers; the core checks role, fields and account);
/// the evidence file is read and hashed by the service, not kept. Returns the case's status
/// afterwards (a no match holds it).
#[tauri::command]
pub async fn attach_name_check(state: State<'_, AppState>, check: NameCheckRequest) -> CommandResult<CaseStatus> {
    blocking(|| {
        let evidence = match check.evidence_path.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(path) => Some(read_limited(Path::new(path), MAX_EVIDENCE_SIZE).map_err(crate::error::unreadable)?),
            None => None,
        };
        let input = NameCheckInput {
            scheme: &check.scheme,
            request_id: &check.request_id,
            requested_at: &check.requested_at,
            answered_at: &check.answered_at,
            name_sent: &check.name_sent,
            account_sent: &check.account_sent,
            answer: &check.answer,
            matched_name: check.matched_name.as_deref(),
            obtained: &check.obtained,
            evidence_sha256: None,
        };
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        ws.attach_name_check(session, check.case_id, &input, evidence.as_deref())?;
        Ok(ws.case(session, check.case_id)?.case.status)
    })
}

/// Asks, with a written reason, to release a case inside its account's cooling-off (approvers
/// who took no part in the change; the core checks). Returns who asked so far: once enough did,
/// the case offers its release.
#[tauri::command]
pub async fn release_early(state: State<'_, AppState>, id: i64, reason: String) -> CommandResult<Vec<String>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.release_early(session, id, &reason)?)
    })
}

/// Approves a case; the core refuses the user's own cases and the wrong role.
#[tauri::command]
pub async fn approve_case(state: State<'_, AppState>, id: i64) -> CommandResult<CaseStatus> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.approve(session, id)?)
    })
}

/// Rejects a case with a reason.
#[tauri::command]
pub async fn reject_case(state: State<'_, AppState>, id: i64, reason: String) -> CommandResult<CaseStatus> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.reject(session, id, &reason)?)
    })
}

/// Reopens a callback locked after wrong responses (approvers; the core checks).
#[tauri::command]
pub async fn reopen_case(state: State<'_, AppState>, id: i64) -> CommandResult<CaseStatus> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.reopen(session, id)?)
    })
}

/// Releases a case (the core checks role, approval and "at most once"); with `pain001` the
/// bank file is saved where the user chose, with `epc_qr` the code is returned to be shown.
#[tauri::command]
pub async fn release_case<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    id: i64,
    format: ReleaseFormat,
) -> CommandResult<ReleaseView> {
    let target = match format {
        ReleaseFormat::Pain001 => {
            // The core's rule first, so a refused release opens no dialog; then where the file
            // goes, asked before anything is released, so cancelling releases nothing.
            blocking(|| -> CommandResult<()> {
                let mut inner = state.lock();
                let (ws, session) = inner.signed_in()?;
                Ok(ws.check_release(session, id)?)
            })?;
            let cancelled = format!("No file was chosen, so case {id} was not released.");
            let path = save_target(&window, &state, "Save the bank file", &format!("case-{id}-pain001"), "xml", &cancelled).await?.path;
            // A bank file is never overwritten, nor released with nowhere to go (issue 16): the
            // service's one check, before anything is released.
            check_new_file(&path).map_err(|e| refused_bank_file(id, &path, e))?;
            Some(path)
        }
        _ => None,
    };
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let export = match format {
            ReleaseFormat::None => None,
            ReleaseFormat::Pain001 => Some(ExportFormat::Pain001),
            ReleaseFormat::EpcQr => Some(ExportFormat::EpcQr),
        };
        let (case, artifact) = ws.release(session, id, export)?;
        let mut view = ReleaseView { summary: summary(&case), saved_to: None, qr: None };
        match (artifact, target) {
            (Some(Export::Pain001(xml)), Some(path)) => {
                write_atomic(&path, xml.as_bytes(), Sensitivity::Public, false).map_err(|e| {
                    let message = format!(
                        "Case {id} was released, but its bank file could not be saved: {e}. The file is kept with the case and can be exported again."
                    );
                    CommandError::detailed("export_failed", "bank_file_unsaved", message, &[("case", id.to_string()), ("file", file_name(&path))])
                })?;
                ws.bank_file_saved(session, id, &path.display().to_string())?;
                view.saved_to = Some(path.display().to_string());
            }
            (Some(Export::EpcQr { payload, .. }), _) => {
                view.qr = Some(qr_view(payload)?);
                ws.bank_file_saved(session, id, "shown on screen")?;
            }
            _ => {}
        }
        Ok(view)
    })
}

/// The same code the core renders (level M), as a matrix.
fn qr_view(payload: String) -> CommandResult<QrView> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| CommandError::new("qr_failed", "The payment does not fit a QR code."))?;
    let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok(QrView { width: code.width() as u32, dark, payload })
}

/// Why the bank file of case `id` cannot go to `path` (nothing was released).
fn refused_bank_file(id: i64, path: &std::path::Path, e: FileError) -> CommandError {
    let words = NewFileWords {
        kind: "a bank file",
        exists: "bank_file_exists",
        no_folder: "bank_file_no_folder",
        outcome: Some(format!("case {id} was not released")),
        values: vec![("case", id.to_string())],
    };
    refused_new_file(path, &e, words)
}
