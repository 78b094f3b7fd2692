//! The inbox: receiving instruction files (a payment run, with progress) and the case list.

use std::path::Path;

use countersign_service::core::assess::email::MAX_EMAIL_SIZE;
use countersign_service::core::assess::findings::{Finding, ReasonCode, Severity, Verdict};
use countersign_service::core::cases::flow::CaseStatus;
use countersign_service::core::cases::record::Case;
use countersign_service::core::cases::search::{CaseSearch, CaseSort, CaseSortKey};
use countersign_service::core::cases::steps::CaseStep;
use countersign_service::core::encoding::format_utc;
use countersign_service::core::format::envelope::MAX_FILE_SIZE;
use countersign_service::core::paging::Page;
use countersign_service::files::read_limited;
use countersign_service::{CaseListQuery, Received as ReceivedFile};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};
use ts_rs::TS;

use crate::dialog;
use crate::error::{page_error, unreadable};
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// One finding, as the contract spells it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FindingView {
    /// Stable reason code (`bank_details_changed`, …).
    pub code: ReasonCode,
    /// How much it weighs.
    pub severity: Severity,
    /// A sentence for the clerk, in English (the UI words the finding by its code in the user's
    /// language, from `values`).
    pub message: String,
    /// The values the message names (`from`, `to`, `amount`, `at`, …), for the UI to word.
    pub values: std::collections::BTreeMap<String, String>,
}

/// A row of the case list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CaseSummary {
    /// Case id.
    #[ts(type = "number")]
    pub id: i64,
    /// Where the case stands.
    pub status: CaseStatus,
    /// The verdict at receipt.
    pub verdict: Verdict,
    /// The partner, when the signer is pinned.
    pub partner: Option<String>,
    /// The payee named in the instruction.
    pub payee: Option<String>,
    /// Amount with currency, e.g. `EUR 12,400.00`.
    pub amount: Option<String>,
    /// The account as people read it.
    pub account: Option<String>,
    /// Whether that account is marked fraudulent.
    pub account_fraudulent: bool,
    /// The file's name.
    pub file_name: String,
    /// When it was received (UTC, RFC 3339).
    pub received_at: String,
    /// Who received it.
    pub received_by: String,
}

/// The cases that wait for one step of the signed-in user, oldest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueueGroupView {
    /// The step they wait for.
    pub step: CaseStep,
    /// How many cases wait for it.
    #[ts(type = "number")]
    pub count: usize,
    /// The oldest of them, at most the limit asked for.
    pub cases: Vec<CaseSummary>,
}

/// What waits for the signed-in user: the landing screen and the counts in the navigation.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkQueueView {
    /// One group per step that is work, in the core's order, empty ones included.
    pub groups: Vec<QueueGroupView>,
    /// Pending changes proposed by someone else that this user may check.
    #[ts(type = "number")]
    pub changes_to_check: usize,
    /// How many cases this user could release once their account's cooling-off ends.
    #[ts(type = "number")]
    pub cooling_off_count: usize,
    /// The first of them to come out of their cooling-off.
    pub cooling_off: Vec<CoolingOffWaitView>,
}

/// A case that waits only for the end of its account's cooling-off before this user may
/// release it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CoolingOffWaitView {
    /// The case.
    pub case: CaseSummary,
    /// When the cooling-off ends (UTC, RFC 3339).
    pub until: String,
}

/// What a new workspace has done of its set-up: the admin's checklist on My work.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SetupChecklistView {
    /// Our organisation's account is set.
    pub our_account: bool,
    /// At least one partner is pinned.
    pub first_partner: bool,
    /// Two people can check changes (four eyes in force).
    pub second_checker: bool,
    /// The current organisation key was backed up.
    pub key_backed_up: bool,
}

/// The outcome for one received file.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Received {
    /// The file's name.
    pub file_name: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The case opened for it.
    #[ts(type = "number | null")]
    pub case_id: Option<i64>,
    /// The partner, when known.
    pub partner: Option<String>,
    /// Every finding.
    pub findings: Vec<FindingView>,
    /// For a partner's notice (issue 20): `freeze_notice` or `freeze_lift`; absent for an instruction.
    #[ts(optional)]
    pub notice: Option<String>,
    /// For a notice: `applied`, `already_applied` or `refused`.
    #[ts(optional)]
    pub notice_outcome: Option<String>,
}

/// Sent while a payment run is being received.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReceiveProgress {
    /// Files recorded so far.
    pub done: u32,
    /// Files in the run.
    pub total: u32,
}

pub(crate) fn summary(case: &Case) -> CaseSummary {
    CaseSummary {
        id: case.id,
        status: case.status,
        verdict: case.verdict,
        partner: case.partner_name.clone(),
        payee: case.beneficiary_name.clone(),
        amount: case.amount().map(|m| m.to_string()),
        account: case.account_display.clone(),
        account_fraudulent: case.account_fraudulent,
        file_name: case.file_name.clone(),
        received_at: case.received_at.clone(),
        received_by: case.received_by.clone(),
    }
}

pub(crate) fn finding_view(f: &Finding) -> FindingView {
    FindingView { code: f.code, severity: f.severity, message: f.message.clone(), values: f.values.clone() }
}

fn received(r: ReceivedFile) -> Received {
    match r {
        ReceivedFile::Instruction(a) => Received {
            verdict: a.verdict(),
            file_name: a.file_name,
            case_id: a.case_id,
            partner: a.partner.map(|p| p.name),
            findings: a.findings.iter().map(finding_view).collect(),
            notice: None,
            notice_outcome: None,
        },
        ReceivedFile::Notice(n) => Received {
            verdict: n.verdict(),
            findings: n.findings.iter().map(finding_view).collect(),
            notice: Some(n.kind.as_str().to_string()),
            notice_outcome: Some(n.outcome.as_str().to_string()),
            file_name: n.file_name,
            case_id: None,
            partner: n.partner.map(|p| p.name),
        },
    }
}

/// What the case list asks for: one page of the cases with a status that a search finds, in the
/// order of one column.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CasePageRequest {
    /// Only cases with this status (the contract's word); any when absent or empty.
    pub status: Option<String>,
    /// The words typed (amounts as displayed already normalised by the UI to `48200.00`).
    pub search: String,
    /// The column to sort by.
    pub sort: CaseSortKey,
    /// Largest first.
    pub descending: bool,
    /// At most this many cases.
    pub limit: u32,
    /// After this case in the order asked (the `next` of the page before).
    #[ts(type = "number | null")]
    pub after: Option<i64>,
}

/// One page of the case list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CasePageView {
    /// The cases, in the order asked.
    pub cases: Vec<CaseSummary>,
    /// The `after` of the next page; none on the last.
    #[ts(type = "number | null")]
    pub next: Option<i64>,
}

fn status_filter(status: Option<&str>) -> CommandResult<Option<CaseStatus>> {
    // Parsed here, with the core's parser, so an unknown status is a `{code, message}` like every
    // other refusal rather than a deserialisation error.
    match status.filter(|s| !s.is_empty()) {
        Some(text) => Ok(Some(
            text.parse::<CaseStatus>()
                .map_err(|e| CommandError::detailed("invalid_input", "case_status_unknown", e.to_string(), &[("status", text.into())]))?,
        )),
        None => Ok(None),
    }
}

/// One page of the cases a search finds, in the order asked (the service searches and sorts).
#[tauri::command]
pub async fn case_page(state: State<'_, AppState>, request: CasePageRequest) -> CommandResult<CasePageView> {
    blocking(|| {
        let status = status_filter(request.status.as_deref())?;
        let search = CaseSearch::parse(&request.search)
            .map_err(|message| CommandError::detailed("invalid_input", "search_too_long", message, &[]))?;
        let page = Page::new(Some(request.limit), request.after).map_err(page_error)?;
        let sort = CaseSort { key: request.sort, descending: request.descending };
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let listed = ws.case_list_page(session, &CaseListQuery { status, search: &search, sort }, &page)?;
        Ok(CasePageView { cases: listed.items.iter().map(summary).collect(), next: listed.next })
    })
}

/// The most cases listed per step of the work queue; each step's count is complete.
const QUEUE_LIMIT: usize = 200;

/// What waits for the signed-in user, as the core decides from the signed facts.
#[tauri::command]
pub async fn work_queue(state: State<'_, AppState>) -> CommandResult<WorkQueueView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let queue = ws.work_queue(session, QUEUE_LIMIT)?;
        Ok(WorkQueueView {
            groups: queue
                .groups
                .iter()
                .map(|g| QueueGroupView { step: g.step, count: g.count, cases: g.cases.iter().map(summary).collect() })
                .collect(),
            changes_to_check: queue.changes_to_check,
            cooling_off_count: queue.cooling_off_count,
            cooling_off: queue
                .cooling_off
                .iter()
                .map(|w| CoolingOffWaitView { case: summary(&w.case), until: format_utc(w.until) })
                .collect(),
        })
    })
}

/// What the workspace has done of its set-up, from the signed statements and the log.
#[tauri::command]
pub async fn setup_checklist(state: State<'_, AppState>) -> CommandResult<SetupChecklistView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let list = ws.setup_checklist(session)?;
        Ok(SetupChecklistView {
            our_account: list.our_account,
            first_partner: list.first_partner,
            second_checker: list.second_checker,
            key_backed_up: list.key_backed_up,
        })
    })
}

/// Whether `path` names an email message (`.eml`), the one that carried the instruction files.
pub(crate) fn is_email(path: &str) -> bool {
    Path::new(path).extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"))
}

/// Reads the files (on the Rust side) and receives them as a payment run: each is verified,
/// recorded and gets a case. A path ending in `.eml` (at most one) is the email that carried
/// them: read with the email size limit, its findings join every file's. Runs on a blocking
/// thread; `progress` hears after each file.
#[tauri::command]
pub async fn receive_files<R: Runtime>(
    app: AppHandle<R>,
    paths: Vec<String>,
    progress: Channel<ReceiveProgress>,
) -> CommandResult<Vec<Received>> {
    let (emails, paths): (Vec<String>, Vec<String>) = paths.into_iter().partition(|p| is_email(p));
    if paths.is_empty() {
        return Err(CommandError::detailed("invalid_input", "instruction_files_needed", "Choose at least one instruction file.", &[]));
    }
    if emails.len() > 1 {
        let message = "Attach at most one email (.eml): the one that carried these files.";
        return Err(CommandError::detailed("invalid_input", "one_email_only", message, &[]));
    }
    let work = move || -> CommandResult<Vec<Received>> {
        let email = match emails.first() {
            Some(p) => {
                // At most one byte over the limit: the core refuses a message that is too large.
                let bytes = read_limited(Path::new(p), MAX_EMAIL_SIZE).map_err(unreadable)?;
                Some(bytes)
            }
            None => None,
        };
        let mut files = Vec::with_capacity(paths.len());
        for p in &paths {
            let path = Path::new(p);
            let bytes = read_limited(path, MAX_FILE_SIZE).map_err(unreadable)?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.clone());
            files.push((name, bytes));
        }
        let state = app.state::<AppState>();
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let mut report = |done: usize, total: usize| {
            let _ = progress.send(ReceiveProgress { done: done as u32, total: total as u32 });
        };
        Ok(ws.receive_files(session, &files, email.as_deref(), &mut report)?.into_iter().map(received).collect())
    };
    tauri::async_runtime::spawn_blocking(work).await.map_err(|e| CommandError::new("internal_error", format!("receiving stopped: {e}")))?
}

/// Opens the file chooser (on the Rust side) for instruction files; the chosen paths, none when
/// cancelled.
#[tauri::command]
pub async fn pick_files<R: Runtime>(window: WebviewWindow<R>) -> CommandResult<Vec<String>> {
    let chosen = dialog::ask(&window, dialog::Ask::OpenFiles).await?;
    Ok(chosen.into_iter().map(|p| p.display().to_string()).collect())
}

/// Files dropped on the window are sent to `channel` (the inbox listens while it is shown).
#[tauri::command]
pub async fn watch_drops(state: State<'_, AppState>, channel: Channel<Vec<String>>) -> CommandResult<()> {
    state.set_drop_listener(channel);
    Ok(())
}
