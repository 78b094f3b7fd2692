//! `case …`: list and show cases, start a callback, record it, approve, reject, reopen and
//! release. Every rule (roles, dual control, on-file numbers, states) is the service's.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};

use countersign_service::core::assess::findings::{Finding, Severity};
use countersign_service::core::assess::phone::PhoneNumber;
use countersign_service::core::cases::flow::CallbackOutcome;
use countersign_service::core::cases::flow::{CaseStatus, EARLY_RELEASE_APPROVERS};
use countersign_service::core::cases::name_check::{AttachedNameCheck, NameCheckInput};
use countersign_service::core::cases::record::Case;
use countersign_service::core::cases::search::{CaseSearch, CaseSort};
use countersign_service::core::cases::steps::CaseStep;
use countersign_service::core::encoding::format_utc;
use countersign_service::files::{check_new_file, read_limited, write_atomic, FileError, Sensitivity};
use countersign_service::{
    CallbackReport, CaseDetail, CaseListQuery, CoolingOffView, Export, ExportFormat, NumberOnFile, Session, WorkQueue, Workspace,
    MAX_EVIDENCE_SIZE,
};

use super::exit::{CliError, CliResult, Exit};
use super::report::{more_line, Output, PageArgs};
use super::workspace::open_as;
use super::GlobalArgs;

#[derive(Subcommand)]
pub enum CaseCommand {
    /// List cases, newest first, or found by a search and sorted by a column.
    List {
        /// Only cases with this status.
        #[arg(long)]
        status: Option<CaseStatus>,
        /// Only cases that match every word: `#155` is that case; other words are looked for in
        /// the case number, partner, payee, reference, account (with or without spaces) and
        /// amount (`48200` or `48200.00`).
        #[arg(long, value_name = "WORDS")]
        search: Option<String>,
        /// The order: number, verdict, partner, payee, amount, received or status; a leading -
        /// sorts largest first (default -number, newest first).
        #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
        sort: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// What waits for you: the open cases to call back, approve, release or reopen, oldest first,
    /// as the rules decide for your role, and the changes you may check.
    Queue {
        /// The most cases listed per step (each step's count is always complete).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
        limit: u16,
    },
    /// Show a case: verdict, findings, callbacks and the timeline of every step.
    Show {
        /// Case id.
        id: i64,
    },
    /// Start a callback: a fresh challenge to read to the partner.
    Challenge {
        /// Case id.
        id: i64,
    },
    /// Record a callback made to an on-file number.
    Callback {
        /// Case id.
        id: i64,
        /// The number you dialled (must be on file).
        #[arg(long, value_name = "NUM")]
        dialed: String,
        /// Who answered.
        #[arg(long, value_name = "NAME")]
        reached: String,
        /// The response the partner read back (required to confirm).
        #[arg(long, value_name = "RESPONSE")]
        code: Option<String>,
        /// What happened.
        #[arg(long, value_enum)]
        outcome: Outcome,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Approve a case (an approver who neither received nor called back on it).
    Approve {
        /// Case id.
        id: i64,
    },
    /// Reject a case, with a reason.
    Reject {
        /// Case id.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Unlock a callback locked after three wrong responses (approver).
    Reopen {
        /// Case id.
        id: i64,
    },
    /// Release the payment, optionally with its bank file. Inside the cooling-off of a changed
    /// account, two approvers who took no part in the change each release it early with a reason.
    Release {
        /// Case id.
        id: i64,
        /// Release inside the cooling-off of the account it pays: your request is logged, and the
        /// payment is released once two approvers who took no part in the change asked.
        #[arg(long, requires = "reason")]
        early: bool,
        /// Why it cannot wait (with --early).
        #[arg(long, requires = "early")]
        reason: Option<String>,
        /// A bank-ready export: ISO 20022 pain.001 (XML) or an EPC QR code (.png or .svg).
        #[arg(long, value_enum, requires = "out")]
        export: Option<ExportKind>,
        /// Where to write the export.
        #[arg(long, requires = "export")]
        out: Option<PathBuf>,
    },
    /// Attach the answer of the payee's bank to a name check (EU Verification of Payee, UK
    /// Confirmation of Payee) as evidence (approvers). A no match puts the case back on hold.
    NameCheck {
        /// Case id.
        id: i64,
        #[command(flatten)]
        check: NameCheckArgs,
    },
    /// Write the bank file of a released case again.
    Export {
        /// Case id.
        id: i64,
        /// pain001 or epc-qr.
        #[arg(long, value_enum)]
        export: ExportKind,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

/// What `case name-check` is given: the bank's answer and how it was obtained.
#[derive(Args)]
pub struct NameCheckArgs {
    /// vop (EU Verification of Payee) or cop (UK Confirmation of Payee).
    #[arg(long)]
    pub scheme: String,
    /// The bank's id of the request.
    #[arg(long, value_name = "ID")]
    pub request_id: String,
    /// When the request was sent (UTC, e.g. 2026-12-04T09:30:00Z).
    #[arg(long, value_name = "TIME")]
    pub requested_at: String,
    /// When the bank answered (UTC; not in the future, not before the request).
    #[arg(long, value_name = "TIME")]
    pub answered_at: String,
    /// The payee's name sent to the bank.
    #[arg(long, value_name = "NAME")]
    pub name_sent: String,
    /// The account sent: the case's IBAN, or its sort code (routing code) and account number.
    #[arg(long, value_name = "ACCOUNT")]
    pub account_sent: String,
    /// The bank's answer: vop MTCH, CMTC, NMTC, NOAP; cop MTCH, MBAM, BAMM, PAMM, ANNM, AC01,
    /// BANM, PANM, IVCR, ACNS, OPTO, CASS, SCNS.
    #[arg(long, value_name = "CODE")]
    pub answer: String,
    /// The name the bank holds, returned with a close match (CMTC, MBAM, BAMM, PAMM).
    #[arg(long, value_name = "NAME")]
    pub matched_name: Option<String>,
    /// How the answer was obtained: api, pain002 (a status report file) or screenshot.
    #[arg(long, value_name = "HOW")]
    pub obtained: String,
    /// The file the answer came in (required for pain002 and screenshot): its SHA-256 is
    /// recorded; the file is not kept.
    #[arg(long, value_name = "FILE")]
    pub evidence: Option<PathBuf>,
}

impl NameCheckArgs {
    /// The fields as the core checks them (the evidence file's hash is the service's to make).
    fn input(&self) -> NameCheckInput<'_> {
        NameCheckInput {
            scheme: &self.scheme,
            request_id: &self.request_id,
            requested_at: &self.requested_at,
            answered_at: &self.answered_at,
            name_sent: &self.name_sent,
            account_sent: &self.account_sent,
            answer: &self.answer,
            matched_name: self.matched_name.as_deref(),
            obtained: &self.obtained,
            evidence_sha256: None,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportKind {
    /// ISO 20022 pain.001.001.09 credit transfer (XML).
    Pain001,
    /// EPC069-12 QR code for SEPA credit transfers (.png or .svg).
    EpcQr,
}

impl ExportKind {
    fn format(self) -> ExportFormat {
        match self {
            ExportKind::Pain001 => ExportFormat::Pain001,
            ExportKind::EpcQr => ExportFormat::EpcQr,
        }
    }
}

/// Checks the output path suits the export before anything is released.
/// The bank file's path, checked before anything is released (issue 16: a release into a missing
/// directory committed, then failed): the right extension, a directory that exists, and no file
/// there already (a bank file is never overwritten).
fn check_export_path(kind: ExportKind, out: &Path) -> Result<(), CliError> {
    let ext = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match (kind, ext.as_deref()) {
        (ExportKind::Pain001, Some("xml")) | (ExportKind::EpcQr, Some("png" | "svg")) => {}
        (ExportKind::Pain001, _) => return Err(CliError::usage("invalid_argument", "--out for pain001 must name a .xml file")),
        (ExportKind::EpcQr, _) => return Err(CliError::usage("invalid_argument", "--out for epc-qr must name a .png or .svg file")),
    }
    check_new_file(out).map_err(|e| {
        let message = match &e {
            FileError::Exists(path) => {
                format!("{} exists: a bank file is never overwritten; choose another name (nothing was done)", path.display())
            }
            other => format!("{other}: nothing was done"),
        };
        CliError::usage(e.code(), message)
    })
}

/// Writes the bank file where `out` says, never over an existing file.
fn write_export(export: &Export, out: &Path) -> Result<(), CliError> {
    let bytes = match export {
        Export::Pain001(xml) => xml.clone().into_bytes(),
        Export::EpcQr { qr, .. } if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) => qr.to_svg().into_bytes(),
        Export::EpcQr { qr, .. } => qr.to_png().map_err(|e| CliError::usage("qr_failed", e.to_string()))?,
    };
    write_atomic(out, &bytes, Sensitivity::Public, false)?;
    Ok(())
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Outcome {
    /// The partner read back the right response and confirmed payee, account and amount.
    Confirmed,
    /// The partner did not send this instruction.
    Denied,
    /// Nobody could be reached.
    Unreachable,
}

impl Outcome {
    /// The service's outcome.
    pub(super) fn as_core(self) -> CallbackOutcome {
        match self {
            Outcome::Confirmed => CallbackOutcome::Confirmed,
            Outcome::Denied => CallbackOutcome::Denied,
            Outcome::Unreachable => CallbackOutcome::Unreachable,
        }
    }
}

pub fn case_json(case: &Case) -> Value {
    json!({
        "id": case.id,
        "status": case.status,
        "verdict": case.verdict,
        "findings": case.findings,
        "partner": case.partner_id.map(|id| json!({ "id": id, "name": case.partner_name })),
        "file": case.file_name,
        "file_sha256": case.file_sha256,
        "email_sha256": case.email_sha256,
        "instruction_id": case.instruction_id,
        "confirmation_code": case.confirmation_code,
        "beneficiary_name": case.beneficiary_name,
        "account": case.account_display,
        "bic": case.account_bic,
        "account_fraudulent": case.account_fraudulent,
        "currency": case.currency,
        "amount": case.amount().map(|m| m.to_string()),
        "reference": case.reference,
        "received_by": case.received_by,
        "received_at": case.received_at,
        "wrong_responses": case.wrong_responses,
        "decided_by": case.decided_by,
        "decided_at": case.decided_at,
        "decision_reason": case.decision_reason,
        "released_by": case.released_by,
        "released_at": case.released_at,
    })
}

fn detail_json(d: &CaseDetail) -> Value {
    let mut v = case_json(&d.case);
    // Issue 20: the findings as they stand now, with what the bank name checks say.
    v["findings"] = json!(d.findings());
    v["name_checks"] = json!(d.name_checks.iter().zip(&d.name_check_findings).map(|(c, f)| name_check_json(c, f)).collect::<Vec<_>>());
    v["may_attach_name_check"] = json!(d.may_attach_name_check);
    v["on_file_numbers"] = json!(e164s(d));
    // Issue 20: each number with where it came from, and whether it is offered for this case's
    // callback (and why not).
    v["callback_numbers"] = json!(d.on_file_numbers.iter().map(callback_number_json).collect::<Vec<_>>());
    // Issue 19: the partner's current account as it stands when shown, and whether the case pays it.
    v["on_file_account"] = match &d.on_file_account {
        Some(a) => json!({
            "display": a.display, "bic": a.bic, "became_current_at": a.became_current_at,
            "same_as_case": d.pays_account_on_file(),
        }),
        None => Value::Null,
    };
    v["setup_mode"] = json!(d.setup_mode);
    // Issue 15: what the callback response proves (format §3.7), and whether it was checked.
    if let Some(version) = d.response_version {
        v["callback_response_version"] = json!(version);
        v["callback_response_proves_partner_key"] = json!(version >= 2);
    }
    if let Some(checked) = d.response_checked {
        v["callback_response_checked"] = json!(checked);
    }
    v["next_steps"] = json!(d.next_steps);
    // Issue 20: how long the release waits, and who asked to release it early.
    v["cooling_off"] = d.cooling_off.as_ref().map_or(Value::Null, |c| {
        json!({
            "since": c.since, "until": c.until, "hours": c.hours, "left_seconds": c.left_seconds, "needed": c.needed,
            "early_releases": c.early_releases.iter().map(|e| json!({ "by": e.by, "at": e.at, "reason": e.reason })).collect::<Vec<_>>(),
        })
    });
    // Issue 20: the partner's freeze that holds it, and why.
    v["partner_frozen"] = d.partner_frozen.as_ref().map_or(Value::Null, super::report::finding_json);
    v["callbacks"] = json!(d
        .callbacks
        .iter()
        .map(|c| json!({
            "challenge": c.challenge, "started_by": c.started_by, "started_at": c.started_at,
            "dialed": c.dialed, "reached": c.reached, "response": c.response,
            "outcome": c.outcome, "note": c.note, "recorded_at": c.recorded_at,
        }))
        .collect::<Vec<_>>());
    v["timeline"] = json!(d
        .timeline
        .iter()
        .map(|e| json!({
            "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
            "details": serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null),
        }))
        .collect::<Vec<_>>());
    v
}

/// A name check as `case show --json` and `case name-check --json` give it.
fn name_check_json(c: &AttachedNameCheck, finding: &Finding) -> Value {
    let check = &c.check;
    json!({
        "scheme": check.scheme().as_str(), "request_id": check.request_id(), "requested_at": check.requested_at(),
        "answered_at": check.answered_at(), "name_sent": check.name_sent(), "account_sent": check.account_sent(),
        "answer": check.answer(), "outcome": check.outcome().as_str(), "matched_name": check.matched_name(),
        "obtained": check.obtained().as_str(), "evidence_sha256": check.evidence_sha256(),
        "attached_by": c.attached_by, "attached_at": c.attached_at, "finding": finding,
    })
}

/// The name checks under the case's evidence: scheme, answer, the bank's name beside ours for a
/// close match, how obtained, who attached it and when.
fn name_check_lines(d: &CaseDetail) -> String {
    let mut out = String::new();
    for c in &d.name_checks {
        let check = &c.check;
        out += &format!(
            "  name check    {} {} ({}) · request {} answered {} · sent {} / {}\n",
            check.scheme().as_str().to_uppercase(),
            check.answer(),
            check.outcome().as_str().replace('_', " "),
            check.request_id(),
            check.answered_at(),
            check.name_sent(),
            check.account_sent()
        );
        if let Some(bank) = check.matched_name() {
            out += &format!(
                "                the bank holds {bank:?}; we pay {:?}\n",
                d.case.beneficiary_name.as_deref().unwrap_or(check.name_sent())
            );
        }
        let sha = check.evidence_sha256().map(|s| format!(", sha256 {s}")).unwrap_or_default();
        out += &format!(
            "                obtained by {}{sha} · attached by {} at {}\n",
            check.obtained().as_str(),
            c.attached_by,
            c.attached_at
        );
    }
    out
}

/// `case queue` for people: each step with its count and its oldest cases, then the changes.
fn queue_text(queue: &WorkQueue) -> String {
    let mut out = String::new();
    for group in &queue.groups {
        let title = match group.step {
            CaseStep::CallBack => "To call back",
            CaseStep::Approve => "To approve",
            CaseStep::Release => "To release",
            CaseStep::Reopen => "Callback locked, to reopen or reject",
            CaseStep::Reject | CaseStep::ExportBankFile | CaseStep::ReleaseEarly => continue,
        };
        out += &format!("{title}: {}\n", group.count);
        out.extend(group.cases.iter().map(list_line));
        if group.cases.len() < group.count {
            out += &format!("  … and {} more (case list --status, or a larger --limit)\n", group.count - group.cases.len());
        }
    }
    out += &format!("Changes to check: {}\n", queue.changes_to_check);
    if queue.cooling_off_count > 0 {
        out += &format!("Waiting out the cooling-off of a changed account (to release after it): {}\n", queue.cooling_off_count);
        for wait in &queue.cooling_off {
            out += &format!("{}       from {}\n", list_line(&wait.case).trim_end(), format_utc(wait.until));
        }
        if queue.cooling_off.len() < queue.cooling_off_count {
            out += &format!("  … and {} more\n", queue.cooling_off_count - queue.cooling_off.len());
        }
    }
    out
}

/// A case as a line of `case list` (and of `partner show --history cases`).
pub fn list_line(c: &Case) -> String {
    format!(
        "{:>5}  {:<18} {:<9} {:<28} {:>16}  {}{}\n",
        c.id,
        c.status,
        c.verdict,
        c.partner_name.as_deref().unwrap_or("(unknown signer)"),
        c.amount().map(|m| m.to_string()).unwrap_or_default(),
        c.account_display.as_deref().unwrap_or(""),
        if c.account_fraudulent { "  ⚠ FRAUDULENT ACCOUNT" } else { "" }
    )
}

fn detail_text(d: &CaseDetail) -> String {
    let c = &d.case;
    let mut out = format!("Case {}: {} (verdict {})\n", c.id, c.status.as_str().to_uppercase(), c.verdict);
    if !d.next_steps.is_empty() {
        let steps: Vec<&str> = d.next_steps.iter().map(|s| s.as_str()).collect();
        out += &format!("  you may       {}\n", steps.join(", "));
    }
    if d.setup_mode {
        out += "  SETUP MODE: fewer than two people can check changes; partners, users and the policy were set by one person alone\n";
    }
    out += &format!("  partner       {}\n", c.partner_name.as_deref().unwrap_or("(unknown signer)"));
    if let Some(code) = &c.confirmation_code {
        out += &format!("  confirmation  {code}\n");
    }
    if let Some(name) = &c.beneficiary_name {
        out += &format!("  payee         {name}\n");
    }
    if let Some(acct) = &c.account_display {
        let warn = if c.account_fraudulent { "  ⚠ marked FRAUDULENT" } else { "" };
        out += &format!("  account       {acct} · {}{warn}\n", c.account_bic.as_deref().unwrap_or(""));
    }
    if let Some(amount) = c.amount() {
        out += &format!("  amount        {amount}{}\n", c.reference.as_ref().map(|r| format!(" · ref {r}")).unwrap_or_default());
    }
    out += &format!("  file          {} (sha256 {})\n", c.file_name, &c.file_sha256[..16]);
    for f in &d.findings() {
        let mark = match f.severity {
            Severity::Critical => "✗",
            Severity::Warning => "!",
            Severity::Info => "·",
        };
        out += &format!("  {mark} {:<28} {}\n", f.code, f.message);
    }
    out += &name_check_lines(d);
    if let Some(f) = &d.partner_frozen {
        out += &format!("  ✗ FROZEN BY THE PARTNER       {}\n", f.message);
    }
    out += &response_line(d);
    out += &on_file_line(d);
    if let Some(c) = &d.cooling_off {
        out += &cooling_off_text(c);
    }
    if c.status == CaseStatus::Hold {
        out += &callback_lines(d);
    }
    out += "  timeline:\n";
    for e in &d.timeline {
        out += &format!("    {}  {:<10} {}\n", e.at, e.actor, e.action);
    }
    out
}

/// The cooling-off a release waits for: how long is left, and the early-release requests so far.
fn cooling_off_text(c: &CoolingOffView) -> String {
    let (hours, minutes) = (c.left_seconds / 3600, c.left_seconds / 60 % 60);
    let mut out = format!(
        "  cooling-off   release waits until {} ({hours} h {minutes:02} min left): the account became current on {}, and the policy holds the first payments to a changed account for {} hours\n",
        c.until, c.since, c.hours
    );
    for e in &c.early_releases {
        out += &format!("  early release asked by {} at {}: {}\n", e.by, e.at, e.reason);
    }
    out += &format!("  early release {} of {} approvers who took no part in the change asked\n", c.early_releases.len(), c.needed);
    out
}

/// The on-file numbers in E.164, as `--json` gives them.
fn e164s(d: &CaseDetail) -> Vec<&str> {
    d.on_file_numbers.iter().map(|n| n.number.e164.as_str()).collect()
}

/// A number on file in `case show --json` (issue 20).
fn callback_number_json(n: &NumberOnFile) -> Value {
    let mut v = json!({ "number": n.number.e164, "display": shown_number(&n.number.e164), "offered": n.withheld.is_none() });
    super::partner_views::provenance_json(&mut v, &n.provenance);
    v["label"] = json!(n.label);
    if let Some(reason) = n.withheld {
        v["withheld"] = json!(reason.as_str());
        v["withheld_reason"] = json!(reason.explain(&shown_number(&n.number.e164)));
    }
    v
}

/// The numbers to call back on, each with where it came from, and those withheld with why.
fn callback_lines(d: &CaseDetail) -> String {
    let offered: Vec<String> = d.on_file_numbers.iter().filter(|n| n.withheld.is_none()).map(number_text).collect();
    let mut out = match offered.is_empty() {
        true => "  call back on   no number on file can be used for this case's callback\n".to_string(),
        false => format!("  call back on   {} (on file; never a number from the request or its email)\n", offered.join(", ")),
    };
    for n in &d.on_file_numbers {
        out += &format!("    {}  {}\n", number_text(n), super::partner_views::provenance_text(&n.provenance));
        if let Some(reason) = n.withheld {
            out += &format!("      not offered: {}\n", reason.explain(&shown_number(&n.number.e164)));
        }
    }
    out
}

fn shown_number(e164: &str) -> String {
    PhoneNumber::from_e164(e164).map(|p| p.international()).unwrap_or_else(|_| e164.to_string())
}

/// A number on file as people read it, with the label the partner's card gives it.
fn number_text(n: &NumberOnFile) -> String {
    let e164 = &n.number.e164;
    let shown = PhoneNumber::from_e164(e164).map(|p| p.international()).unwrap_or_else(|_| e164.clone());
    match &n.label {
        Some(label) => format!("{shown} ({label})"),
        None => shown,
    }
}

/// The partner's current account now, beside the case's (issue 19: read when shown, so a case
/// received before another case changed the account says what is on file today).
fn on_file_line(d: &CaseDetail) -> String {
    let Some(a) = &d.on_file_account else {
        return if d.case.partner_id.is_some() { "  on file       no current account\n".into() } else { String::new() };
    };
    let since = a.became_current_at.as_deref().map(|t| format!(", current since {t}")).unwrap_or_default();
    let same = match d.pays_account_on_file() {
        Some(true) => " (the account this case pays)",
        Some(false) => " (this case pays another account)",
        None => "",
    };
    format!("  on file       {} · {}{since}{same}\n", a.display, a.bic)
}

/// What the callback response of this case proves, and whether it was checked (issue 15).
fn response_line(d: &CaseDetail) -> String {
    let proves = match d.response_version {
        Some(1) => "v1: anyone holding the file can compute it, so a callback proves only that someone answered the number dialled",
        Some(_) => "v2: only the partner's secret key gives it",
        None => return String::new(),
    };
    let checked = match d.response_checked {
        Some(true) => "; the confirmed response was checked",
        Some(false) => "; the confirmed response is UNCHECKED: the approval checks it",
        None => "",
    };
    format!("  response      {proves}{checked}\n")
}

pub fn case(command: &CaseCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    let mut run = CaseRun { ws: &mut ws, session: &session, output };
    match command {
        CaseCommand::List { status, search, sort, page } => run.list(*status, search.as_deref(), sort.as_deref(), page)?,
        CaseCommand::Queue { limit } => run.queue(usize::from(*limit))?,
        CaseCommand::Show { id } => run.show(*id)?,
        CaseCommand::Challenge { id } => run.challenge(*id)?,
        CaseCommand::Callback { id, dialed, reached, code, outcome, note } => {
            let report = CallbackReport { dialed, reached, response: code.as_deref(), outcome: outcome.as_core(), note: note.as_deref() };
            run.callback(*id, &report)?
        }
        CaseCommand::Approve { id } => run.approve(*id)?,
        CaseCommand::Reject { id, reason } => run.reject(*id, reason)?,
        CaseCommand::Reopen { id } => run.reopen(*id)?,
        CaseCommand::Release { id, early, reason, export, out } => {
            let early = early.then_some(reason.as_deref()).flatten();
            run.release(*id, early, *export, out.as_deref())?
        }
        CaseCommand::Export { id, export, out } => run.export(*id, *export, out)?,
        CaseCommand::NameCheck { id, check } => run.name_check(*id, &check.input(), check.evidence.as_deref())?,
    }
    Ok(Exit::Success)
}

/// What every `case` subcommand works with: the workspace, the signed-in user, the output mode.
struct CaseRun<'a> {
    /// The open workspace.
    ws: &'a mut Workspace,
    /// The user acting.
    session: &'a Session,
    /// Human or JSON.
    output: Output,
}

impl CaseRun<'_> {
    /// `case list`: the cases, newest first unless sorted otherwise, optionally with one status
    /// and only those a search finds.
    fn list(&mut self, status: Option<CaseStatus>, search: Option<&str>, sort: Option<&str>, page: &PageArgs) -> Result<(), CliError> {
        let usage = |message| CliError::usage("invalid_argument", message);
        let search = CaseSearch::parse(search.unwrap_or_default()).map_err(usage)?;
        let sort = sort.map(CaseSort::parse).transpose().map_err(usage)?.unwrap_or_default();
        let query = CaseListQuery { status, search: &search, sort };
        let listed = self.ws.case_list_page(self.session, &query, &page.page()?)?;
        let cases = &listed.items;
        self.output.emit(json!({ "cases": cases.iter().map(case_json).collect::<Vec<_>>(), "next": listed.next }), || {
            if cases.is_empty() {
                return "No cases.".into();
            }
            cases.iter().map(list_line).chain([more_line(listed.next)]).collect()
        });
        Ok(())
    }

    /// `case queue`: what waits for the signed-in user, step by step.
    fn queue(&mut self, limit: usize) -> Result<(), CliError> {
        let queue = self.ws.work_queue(self.session, limit)?;
        let groups: Vec<Value> = queue
            .groups
            .iter()
            .map(|g| json!({ "step": g.step.as_str(), "count": g.count, "cases": g.cases.iter().map(case_json).collect::<Vec<_>>() }))
            .collect();
        let cooling: Vec<Value> =
            queue.cooling_off.iter().map(|w| json!({ "until": format_utc(w.until), "case": case_json(&w.case) })).collect();
        let cooling_off = json!({ "count": queue.cooling_off_count, "cases": cooling });
        self.output.emit(json!({ "queue": groups, "changes_to_check": queue.changes_to_check, "cooling_off": cooling_off }), || {
            queue_text(&queue)
        });
        Ok(())
    }

    /// `case show`: one case in full.
    fn show(&mut self, id: i64) -> Result<(), CliError> {
        let detail = self.ws.case(self.session, id)?;
        self.output.emit(detail_json(&detail), || detail_text(&detail));
        Ok(())
    }

    /// `case challenge`: starts a callback and says how to make it.
    fn challenge(&mut self, id: i64) -> Result<(), CliError> {
        let challenge = self.ws.start_callback(self.session, id)?;
        let detail = self.ws.case(self.session, id)?;
        let numbers: Vec<String> = detail.on_file_numbers.iter().filter(|n| n.withheld.is_none()).map(number_text).collect();
        let c = &detail.case;
        self.output.emit(json!({
            "challenge": challenge.to_string(), "case_id": id, "on_file_numbers": e164s(&detail),
            "callback_numbers": detail.on_file_numbers.iter().map(callback_number_json).collect::<Vec<_>>(),
        }), || {
            format!(
                "Call {} on a number on file: {}\n(never a number from the request or its email).\n\
                 1. Ask them to open their own copy of the instruction and run:\n       countersign respond --challenge \"{challenge}\" FILE\n\
                 2. Read them the challenge: {challenge}\n\
                 3. Have them read back: the response (8 digits), the payee ({}), the last four characters of the account ({}), and the amount ({}).\n\
                 4. Record it: countersign case callback {id} --dialed NUMBER --reached NAME --code RESPONSE --outcome confirmed|denied|unreachable",
                c.partner_name.as_deref().unwrap_or("the partner"),
                numbers.join(", "),
                c.beneficiary_name.as_deref().unwrap_or("?"),
                c.account_key.as_deref().map(|k| k.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect::<String>()).unwrap_or_default(),
                c.amount().map(|m| m.to_string()).unwrap_or_else(|| "no amount".into()),
            )
        });
        Ok(())
    }

    /// `case callback`: records the callback made.
    fn callback(&mut self, id: i64, report: &CallbackReport<'_>) -> Result<(), CliError> {
        let status = self.ws.record_callback(self.session, id, report)?;
        let outcome = report.outcome;
        self.output.emit(json!({ "case_id": id, "status": status.as_str(), "outcome": outcome.as_str() }), || match status.as_str() {
            "callback_confirmed" => format!("Case {id}: callback confirmed. It now needs an approver who did not work on it."),
            "quarantined" => {
                format!("Case {id} is QUARANTINED: the partner denied it. The account is marked fraudulent for every partner.")
            }
            other => format!("Case {id}: recorded ({}); the case is still {other}.", outcome.as_str()),
        });
        Ok(())
    }

    /// `case name-check`: attaches a bank's answer; the evidence file is read (at most
    /// [`MAX_EVIDENCE_SIZE`] bytes) and hashed by the service.
    fn name_check(&mut self, id: i64, input: &NameCheckInput<'_>, evidence: Option<&Path>) -> Result<(), CliError> {
        let bytes = evidence.map(|path| read_limited(path, MAX_EVIDENCE_SIZE)).transpose()?;
        let attached = self.ws.attach_name_check(self.session, id, input, bytes.as_deref())?;
        let detail = self.ws.case(self.session, id)?;
        let finding = attached.check.finding(detail.case.beneficiary_name.as_deref());
        let mut v = name_check_json(&attached, &finding);
        v["case_id"] = json!(id);
        v["status"] = json!(detail.case.status);
        self.output.emit(v, || {
            format!(
                "Case {id}: name check attached ({}); the case is {}.\n  {}",
                attached.check.answer(),
                detail.case.status,
                finding.message
            )
        });
        Ok(())
    }

    /// `case approve`.
    fn approve(&mut self, id: i64) -> Result<(), CliError> {
        let status = self.ws.approve(self.session, id)?;
        self.output.emit(json!({ "case_id": id, "status": status.as_str() }), || format!("Case {id} approved by {}.", self.session.user()));
        Ok(())
    }

    /// `case reject`, with the reason.
    fn reject(&mut self, id: i64, reason: &str) -> Result<(), CliError> {
        let status = self.ws.reject(self.session, id, reason)?;
        self.output.emit(json!({ "case_id": id, "status": status.as_str() }), || format!("Case {id} rejected: {reason}"));
        Ok(())
    }

    /// `case reopen`: unlocks a locked callback.
    fn reopen(&mut self, id: i64) -> Result<(), CliError> {
        let status = self.ws.reopen(self.session, id)?;
        self.output.emit(json!({ "case_id": id, "status": status.as_str() }), || format!("Case {id}: the callback may be tried again."));
        Ok(())
    }

    /// `case release`: releases the payment and writes its bank file, if one was asked for. With
    /// an early-release reason, the request is logged first; the payment is released only once
    /// enough approvers asked.
    fn release(&mut self, id: i64, early: Option<&str>, export: Option<ExportKind>, out: Option<&Path>) -> Result<(), CliError> {
        if let (Some(kind), Some(out)) = (export, out) {
            check_export_path(kind, out)?;
        }
        if let Some(reason) = early {
            let asked = self.ws.release_early(self.session, id, reason)?;
            if asked.len() < EARLY_RELEASE_APPROVERS {
                let status = self.ws.case(self.session, id)?.case.status;
                let doc = json!({
                    "case_id": id, "status": status.as_str(), "released": false,
                    "early_release": { "asked_by": asked, "needed": EARLY_RELEASE_APPROVERS },
                });
                self.output.emit(doc, || {
                    format!(
                        "Case {id}: your request to release early is logged ({} of {EARLY_RELEASE_APPROVERS}); nothing is released yet. \
                         Another approver who took no part in the change must release it early too, with a reason.",
                        asked.len()
                    )
                });
                return Ok(());
            }
        }
        let (case, artifact) = self.ws.release(self.session, id, export.map(ExportKind::format))?;
        let mut written = None;
        if let (Some(artifact), Some(out)) = (&artifact, out) {
            write_export(artifact, out).map_err(|e| CliError {
                message: format!(
                    "case {id} was released, but the export could not be written: {}; write it again with `countersign case export {id}`",
                    e.message
                ),
                ..e
            })?;
            written = Some(out.display().to_string());
            self.ws.bank_file_saved(self.session, id, &out.display().to_string())?;
        }
        let mut doc = case_json(&case);
        doc["export"] = json!(written);
        doc["released"] = json!(true);
        let user = self.session.user();
        self.output.emit(doc, || match &written {
            Some(path) => format!("Case {id} released by {user}. Bank file: {path}"),
            None => format!("Case {id} released by {user}."),
        });
        Ok(())
    }

    /// `case export`: the bank file of a released case, again.
    fn export(&mut self, id: i64, export: ExportKind, out: &Path) -> Result<(), CliError> {
        check_export_path(export, out)?;
        let exported = self.ws.export_released(self.session, id, export.format())?;
        write_export(&exported.export, out)?;
        self.ws.bank_file_saved(self.session, id, &out.display().to_string())?;
        let copy_of = exported.copy_of.clone();
        self.output.emit(
            json!({ "case_id": id, "export": out.display().to_string(), "copy": copy_of.is_some(), "made_at": copy_of, "sha256": exported.export.sha256() }),
            || match &copy_of {
                Some(made) => format!(
                    "Wrote a copy of the bank file of case {id}, identical to the one made at {made}, to {}. It is the same payment: do not submit it twice.",
                    out.display()
                ),
                None => format!("Wrote the bank file of case {id} to {}.", out.display()),
            },
        );
        Ok(())
    }
}
