//! The auditor's screen: the verification log with filters, the full check of the chain and its
//! checkpoints (optionally against a checkpoint kept outside the workspace), the evidence bundle,
//! the log as CSV, a checkpoint to keep, and the activity per day for the chart. Who may do what
//! is the core's (auditors and admins; bundles for auditors only); these commands translate as
//! `countersign audit …` does. Files go where the save dialog says, asked before anything is
//! exported (so cancelling exports nothing and logs nothing).

use std::path::Path;

use countersign_service::core::audit::bundle::verify_bundle;
use countersign_service::core::audit::chain::{events_csv, hex, EventFields};
use countersign_service::core::audit::log::{EventFilter, LoggedEvent};
use countersign_service::core::paging::Page;
use countersign_service::files::{read_limited, write_atomic, Sensitivity};
use countersign_service::{DayActivity, Permission};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use super::save::{check_allowed, save_target};
use crate::dialog;
use crate::error::{file_name, not_written, page_error, unreadable};
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// The largest checkpoint file read (as the CLI).
const MAX_CHECKPOINT_SIZE: usize = 64 * 1024;

/// The most events one page of the log view holds (the default); the total says how many matched.
pub const LOG_LIMIT: u32 = 500;

/// Which events, as the auditor's filters say; every field may be left empty.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct AuditFilter {
    /// Only events about this case.
    #[ts(type = "number | null")]
    pub case: Option<i64>,
    /// Only events about this partner and its cases.
    #[ts(type = "number | null")]
    pub partner: Option<i64>,
    /// Only events by this user.
    pub actor: Option<String>,
    /// Only this action, or actions under it (`case` selects `case.approve`, …).
    pub action: Option<String>,
    /// From this time on: `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
    pub from: Option<String>,
    /// Before this time, the same forms (a date means the start of that day).
    pub until: Option<String>,
}

/// Empty text is no filter; a date alone means midnight UTC at its start (as the CLI).
fn text(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn time(value: &Option<String>) -> Option<String> {
    text(value).map(|t| if t.len() == 10 { format!("{t}T00:00:00Z") } else { t })
}

impl AuditFilter {
    fn to_core(&self) -> EventFilter {
        EventFilter {
            case: self.case,
            partner: self.partner,
            actor: text(&self.actor),
            action: text(&self.action),
            from: time(&self.from),
            until: time(&self.until),
            page: Default::default(),
            newest_first: false,
        }
    }
}

/// One event of the log.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditEvent {
    /// Position in the log, from 1.
    #[ts(type = "number")]
    pub seq: u64,
    /// UTC time (RFC 3339).
    pub at: String,
    /// Who did it (a user, or `system`).
    pub actor: String,
    /// What happened (`instruction.receive`, `case.approve`, …).
    pub action: String,
    /// What it happened to (`case:12`, `partner:3`, …).
    pub subject: String,
    /// The particulars, canonical JSON.
    pub details: String,
    /// The event's hash, hex.
    pub hash: String,
}

/// A page of the events a filter chose, newest first, and how many matched.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditLogView {
    /// The events of the page, newest first.
    pub events: Vec<AuditEvent>,
    /// How many events matched, counted for the first page only (`after` none); `null` on later
    /// pages, whose screen keeps the first page's count.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// The `after` of the next (older) page; `null` on the last.
    #[ts(type = "number | null")]
    pub next: Option<i64>,
}

/// The first thing found wrong.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditProblem {
    /// Stable code (`changed`, `deleted`, `truncated`, `bad_checkpoint`, …).
    pub code: String,
    /// The first bad event, when one can be named.
    #[ts(type = "number | null")]
    pub seq: Option<u64>,
    /// What is wrong, in the core's words.
    pub message: String,
}

/// What the full check of the log found.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditStatus {
    /// No problem found.
    pub intact: bool,
    /// Events in the log.
    #[ts(type = "number")]
    pub events: u64,
    /// Signed checkpoints checked.
    #[ts(type = "number")]
    pub checkpoints: u64,
    /// Events covered by the newest valid checkpoint.
    #[ts(type = "number")]
    pub witnessed: u64,
    /// The Merkle root over every event, hex.
    pub root: String,
    /// The current audit key's fingerprint.
    pub audit_key: Option<String>,
    /// The size of the kept checkpoint the log was compared with, when one was given and held.
    #[ts(type = "number | null")]
    pub against: Option<u64>,
    /// The first problem, when not intact.
    pub problem: Option<AuditProblem>,
}

/// A file written for the auditor.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditFileView {
    /// Where it was saved.
    pub saved_to: String,
    /// Events in it (the bundle's or the CSV's rows; the log's size for a checkpoint).
    #[ts(type = "number")]
    pub events: u64,
}

/// The counts of one UTC day, for the chart.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ActivityDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Instructions received and accepted.
    pub accepted: u32,
    /// Instructions received and held.
    pub hold: u32,
    /// Instructions received and rejected.
    pub rejected: u32,
    /// Callbacks the partner denied.
    pub denied: u32,
    /// Refused attempts (failed sign-ins, refused actions).
    pub refused: u32,
}

impl From<DayActivity> for ActivityDay {
    fn from(d: DayActivity) -> Self {
        ActivityDay { day: d.day, accepted: d.accepted, hold: d.hold, rejected: d.rejected, denied: d.denied, refused: d.refused }
    }
}

fn event_view(e: &LoggedEvent) -> AuditEvent {
    AuditEvent {
        seq: e.seq,
        at: e.at.clone(),
        actor: e.actor.clone(),
        action: e.action.clone(),
        subject: e.subject.clone(),
        details: e.details.clone(),
        hash: hex(&e.hash),
    }
}

/// A page of the events `filter` chooses (auditors and admins), newest first: at most `limit`
/// (default and at most [`LOG_LIMIT`]) below event `after` (none: from the newest), and, on the
/// first page only, the count of them all. The store reads only the page and counts the rest
/// (issue 19: never the whole log for a screen).
#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    filter: AuditFilter,
    limit: Option<u32>,
    after: Option<i64>,
) -> CommandResult<AuditLogView> {
    blocking(|| {
        let page = Page::new(Some(limit.unwrap_or(LOG_LIMIT).min(LOG_LIMIT)), after).map_err(page_error)?;
        let filter = EventFilter { page, newest_first: true, ..filter.to_core() };
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let total = if after.is_none() { Some(ws.count_audit_events(session, &filter)?) } else { None };
        let paged = ws.audit_log(session, &filter)?;
        Ok(AuditLogView { total, events: paged.items.iter().map(event_view).collect(), next: paged.next })
    })
}

/// Per-day verifications, denials and refusals of the events `filter` chooses.
#[tauri::command]
pub async fn audit_activity(state: State<'_, AppState>, filter: AuditFilter) -> CommandResult<Vec<ActivityDay>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.activity(session, &filter.to_core())?.into_iter().map(ActivityDay::from).collect())
    })
}

/// Asks for a checkpoint kept outside the workspace; its path, or nothing when cancelled.
#[tauri::command]
pub async fn pick_checkpoint_file<R: Runtime>(window: WebviewWindow<R>) -> CommandResult<Option<String>> {
    let chosen = dialog::ask(&window, dialog::Ask::OpenFile("Choose a kept checkpoint")).await?;
    Ok(chosen.into_iter().next().map(|p| p.display().to_string()))
}

/// Checks the whole log (auditors and admins): every event, the tree, every stored checkpoint
/// and, with `against`, the checkpoint kept in that file. The check itself is logged.
#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>, against: Option<String>) -> CommandResult<AuditStatus> {
    blocking(|| {
        let kept = match text(&against) {
            Some(path) => {
                let bytes = read_limited(Path::new(&path), MAX_CHECKPOINT_SIZE).map_err(unreadable)?;
                Some(String::from_utf8(bytes).map_err(|_| {
                    let message = format!("{path} is not a checkpoint (not UTF-8 text)");
                    CommandError::detailed("invalid_input", "not_a_checkpoint", message, &[("file", file_name(Path::new(&path)))])
                })?)
            }
            None => None,
        };
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let report = ws.verify_audit(session, kept.as_deref())?;
        let log = &report.log;
        Ok(AuditStatus {
            intact: report.problem().is_none(),
            events: log.events,
            checkpoints: log.checkpoints as u64,
            witnessed: log.witnessed,
            root: hex(&log.root),
            audit_key: report.audit_keys.last().map(|f| f.to_string()),
            against: report.against.as_ref().map(|c| c.old_size),
            problem: report.problem().map(|p| AuditProblem { code: p.kind.code().to_string(), seq: p.seq, message: p.message.clone() }),
        })
    })
}

/// Writes an evidence bundle of the events `filter` chooses (auditors only) where the auditor
/// chose; the export is logged and signed by a checkpoint, and the bundle checked before it is
/// reported.
#[tauri::command]
pub async fn export_audit_bundle<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    filter: AuditFilter,
) -> CommandResult<AuditFileView> {
    check_allowed(&state, Permission::ExportEvidence)?;
    let path = save_target(&window, &state, "Save the evidence bundle", "audit-bundle", "json", "No file was chosen, so nothing was done.")
        .await?
        .path;
    let bytes = blocking(|| -> CommandResult<_> {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.export_audit(session, &filter.to_core())?)
    })?;
    let report = verify_bundle(&bytes, None, None).map_err(|e| CommandError::new("bad_bundle", e.to_string()))?;
    save(&path, &bytes, Sensitivity::Secret)?;
    Ok(AuditFileView { saved_to: path.display().to_string(), events: report.events as u64 })
}

/// Writes the events `filter` chooses as CSV (auditors and admins) where the auditor chose.
#[tauri::command]
pub async fn export_audit_csv<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    filter: AuditFilter,
) -> CommandResult<AuditFileView> {
    check_allowed(&state, Permission::ReadAuditLog)?;
    let path = save_target(&window, &state, "Save the audit log as CSV", "audit-log", "csv", "No file was chosen, so nothing was done.")
        .await?
        .path;
    let events = blocking(|| -> CommandResult<_> {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.audit_log(session, &filter.to_core())?.items)
    })?;
    let csv = events_csv(events.iter().map(|e| {
        (EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details }, e.hash)
    }));
    save(&path, csv.as_bytes(), Sensitivity::Secret)?;
    Ok(AuditFileView { saved_to: path.display().to_string(), events: events.len() as u64 })
}

/// Signs a checkpoint of the log now (auditors and admins) and saves it where the auditor chose,
/// to keep outside the workspace and verify against later.
#[tauri::command]
pub async fn save_audit_checkpoint<R: Runtime>(window: WebviewWindow<R>, state: State<'_, AppState>) -> CommandResult<AuditFileView> {
    check_allowed(&state, Permission::SaveCheckpoints)?;
    let path = save_target(&window, &state, "Save the checkpoint", "audit-checkpoint", "txt", "No file was chosen, so nothing was done.")
        .await?
        .path;
    let note = blocking(|| -> CommandResult<_> {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.save_checkpoint(session)?)
    })?;
    let size = countersign_service::core::audit::checkpoint::Checkpoint::parse_unverified(&note).map(|c| c.size).unwrap_or(0);
    save(&path, note.as_bytes(), Sensitivity::Public)?;
    Ok(AuditFileView { saved_to: path.display().to_string(), events: size })
}

fn save(path: &Path, bytes: &[u8], sensitivity: Sensitivity) -> CommandResult<()> {
    write_atomic(path, bytes, sensitivity, true).map_err(|e| not_written(path, e))
}
