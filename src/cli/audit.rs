//! `audit verify`, `audit checkpoint`, `audit export` and `audit log`: the auditor's commands
//! over the verification log. `verify` exits 1 on any tampering, naming the first bad event and
//! what is wrong; `verify --bundle` needs no workspace at all.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use countersign_service::core::audit::bundle::{verify_bundle, MAX_BUNDLE_SIZE};
use countersign_service::core::audit::chain::{events_csv, hex, EventFields};
use countersign_service::core::audit::check::Problem;
use countersign_service::core::audit::log::{EventFilter, LoggedEvent};
use countersign_service::core::format::fingerprint::Fingerprint;
use countersign_service::files::{read_limited, write_atomic, Sensitivity};

use super::exit::{CliError, CliResult, Exit};
use super::report::{more_line, Output, PageArgs};
use super::workspace::open_as;
use super::GlobalArgs;

/// The largest checkpoint file read.
const MAX_CHECKPOINT_SIZE: usize = 64 * 1024;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute every event's hash and link, the Merkle tree and every checkpoint; exit 1 on
    /// any tampering.
    Verify(VerifyArgs),
    /// Sign a checkpoint of the log now and print it (or save it), to keep outside the workspace.
    Checkpoint {
        /// Save it to this file as well.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a self-contained evidence bundle (auditors only).
    Export {
        /// Where to write the bundle.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// List events, oldest first, with filters; CSV for spreadsheets.
    Log {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        page: PageArgs,
        /// CSV instead of a table.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Check an evidence bundle offline instead of the workspace.
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// A checkpoint kept outside the workspace: the log must be a consistent extension of it.
    #[arg(long, value_name = "CHECKPOINT")]
    against: Option<PathBuf>,
    /// With --bundle: the audit key fingerprint you expect (as `audit verify` prints it).
    #[arg(long, value_name = "FINGERPRINT", requires = "bundle")]
    audit_key: Option<String>,
}

#[derive(Args)]
pub struct FilterArgs {
    /// Only events about this case.
    #[arg(long, value_name = "ID")]
    case: Option<i64>,
    /// Only events about this partner and its cases.
    #[arg(long, value_name = "ID")]
    partner: Option<i64>,
    /// Only events by this user.
    #[arg(long, value_name = "USER")]
    actor: Option<String>,
    /// Only this action, or actions under it (`case` selects `case.approve`, …).
    #[arg(long)]
    action: Option<String>,
    /// From this time on (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// Before this time (a date means the start of that day).
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
}

/// A date alone means midnight UTC at its start.
fn time_arg(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|t| if t.len() == 10 { format!("{t}T00:00:00Z") } else { t.clone() })
}

impl FilterArgs {
    fn to_filter(&self) -> EventFilter {
        EventFilter {
            case: self.case,
            partner: self.partner,
            actor: self.actor.clone(),
            action: self.action.clone(),
            from: time_arg(&self.from),
            until: time_arg(&self.until),
            page: Default::default(),
            newest_first: false,
        }
    }
}

fn read_text(path: &Path, limit: usize, what: &str) -> Result<String, CliError> {
    let bytes = read_limited(path, limit)?;
    String::from_utf8(bytes).map_err(|_| CliError::usage("bad_file", format!("{} is not a {what} (not UTF-8 text)", path.display())))
}

fn problem_json(problem: Option<&Problem>) -> Value {
    json!({
        "first_bad_seq": problem.and_then(|p| p.seq),
        "problem": problem.map(|p| p.kind.code()),
        "message": problem.map(|p| p.message.clone()),
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

pub fn audit(command: &AuditCommand, global: &GlobalArgs, output: Output) -> CliResult {
    match command {
        AuditCommand::Verify(args) => match &args.bundle {
            Some(bundle) => verify_bundle_file(bundle, args, output),
            None => verify_workspace(args, global, output),
        },
        AuditCommand::Checkpoint { out } => {
            let (mut ws, session) = open_as(global)?;
            let note = ws.save_checkpoint(&session)?;
            if let Some(out) = out {
                write_atomic(out, note.as_bytes(), Sensitivity::Public, true)?;
            }
            output.emit(json!({ "checkpoint": note, "out": out.as_ref().map(|p| p.display().to_string()) }), || note.clone());
            Ok(Exit::Success)
        }
        AuditCommand::Export { out, filter } => {
            let (mut ws, session) = open_as(global)?;
            let bytes = ws.export_audit(&session, &filter.to_filter())?;
            write_atomic(out, &bytes, Sensitivity::Secret, true)?;
            let report = verify_bundle(&bytes, None, None).map_err(|e| CliError::failed("bad_bundle", e.to_string()))?;
            output.emit(
                json!({ "out": out.display().to_string(), "events": report.events, "log_size": report.log_size, "checkpoints": report.checkpoints, "audit_key": report.audit_key.to_string() }),
                || {
                    format!(
                        "Wrote {}: {} of {} events, {} checkpoints, signed by audit key {}.",
                        out.display(),
                        report.events,
                        report.log_size,
                        report.checkpoints,
                        report.audit_key
                    )
                },
            );
            Ok(Exit::Success)
        }
        AuditCommand::Log { filter, page, csv } => {
            // clap's conflicts_with does not see the global --json given before the subcommand.
            if *csv && output.json {
                return Err(CliError::usage("csv_and_json", "--csv and --json choose different outputs: give one of them"));
            }
            let (mut ws, session) = open_as(global)?;
            let chosen = EventFilter { page: page.page()?, ..filter.to_filter() };
            let events = ws.audit_log(&session, &chosen)?;
            if *csv {
                super::report::print_out(&events_csv(events.items.iter().map(|e| (fields(e), e.hash))));
                if let Some(next) = events.next {
                    super::report::print_err(&format!("More: --after {next}"));
                }
                return Ok(Exit::Success);
            }
            let listed = Value::Array(events.items.iter().map(event_json).collect());
            // Without a page, the array alone (as before paging); with one, the page and its cursor.
            let document = if page.given() { json!({ "events": listed, "next": events.next }) } else { listed };
            output.emit(document, || format!("{}{}", log_text(&events.items), more_line(events.next)));
            Ok(Exit::Success)
        }
    }
}

fn fields(e: &LoggedEvent) -> EventFields<'_> {
    EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details }
}

fn event_json(e: &LoggedEvent) -> Value {
    json!({
        "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject,
        "details": serde_json::from_str::<Value>(&e.details).unwrap_or(Value::String(e.details.clone())),
        "hash": hex(&e.hash),
    })
}

fn log_text(events: &[LoggedEvent]) -> String {
    if events.is_empty() {
        return "No events match.".into();
    }
    let mut out = String::new();
    for e in events {
        let details: String = e.details.chars().take(100).collect();
        let more = if e.details.chars().count() > 100 { "…" } else { "" };
        out.push_str(&format!("{:>6}  {}  {:<10} {:<28} {:<14} {details}{more}\n", e.seq, e.at, e.actor, e.action, e.subject));
    }
    out
}

fn verify_workspace(args: &VerifyArgs, global: &GlobalArgs, output: Output) -> CliResult {
    let kept = args.against.as_ref().map(|p| read_text(p, MAX_CHECKPOINT_SIZE, "checkpoint")).transpose()?;
    let (mut ws, session) = open_as(global)?;
    let report = ws.verify_audit(&session, kept.as_deref())?;
    let log = &report.log;
    let problem = report.problem();
    let document = merge(
        json!({
            "intact": problem.is_none(),
            "events": log.events,
            "head": log.head.as_ref().map(|h| hex(h)),
            "root": hex(&log.root),
            "checkpoints": log.checkpoints,
            "witnessed": log.witnessed,
            "audit_keys": report.audit_keys.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            "against": report.against.as_ref().map(|c| json!({
                "old_size": c.old_size, "old_root": hex(&c.old_root), "new_size": c.new_size, "new_root": hex(&c.new_root),
                "consistency_proof": c.proof.iter().map(|h| hex(h)).collect::<Vec<_>>(),
            })),
            "statement_problems": report.statements.iter().map(|p| json!({
                "seq": p.seq, "action": p.action, "subject": p.subject, "why": p.why,
            })).collect::<Vec<_>>(),
            "state_mismatches": report.state.iter().map(|m| json!({
                "table": m.table, "row": m.row, "what": m.what, "event": m.event,
            })).collect::<Vec<_>>(),
        }),
        problem_json(problem),
    );
    output.emit(document, || match problem {
        None => {
            let mut text = format!(
                "The audit log is intact: {} events, each hash and link recomputed; {} signed checkpoints verified (the newest covers {} events).\nRoot: {}\nAudit key: {}",
                log.events,
                log.checkpoints,
                log.witnessed,
                hex(&log.root),
                report.audit_keys.last().map(|f| f.to_string()).unwrap_or_else(|| "none yet".into())
            );
            if let Some(c) = &report.against {
                text.push_str(&format!(
                    "\nThe log extends the kept checkpoint of {} events (consistency proof of {} hashes verified).",
                    c.old_size,
                    c.proof.len()
                ));
            }
            text
        }
        Some(p) => format!("TAMPERED ({}): {}.", p.kind.code(), p.message),
    });
    Ok(if problem.is_none() { Exit::Success } else { Exit::Failed })
}

fn verify_bundle_file(path: &Path, args: &VerifyArgs, output: Output) -> CliResult {
    let bytes = read_limited(path, MAX_BUNDLE_SIZE)?;
    let kept = args.against.as_ref().map(|p| read_text(p, MAX_CHECKPOINT_SIZE, "checkpoint")).transpose()?;
    let expected = args
        .audit_key
        .as_deref()
        .map(|t| Fingerprint::parse_lenient(t).map_err(|e| CliError::usage("bad_fingerprint", format!("--audit-key: {e}"))))
        .transpose()?;
    let report = verify_bundle(&bytes, expected.as_ref(), kept.as_deref()).map_err(|e| CliError::failed("bad_bundle", e.to_string()))?;
    let problem = report.problem.as_ref();
    let document = merge(
        json!({
            "intact": problem.is_none(),
            "organisation": report.org_name,
            "org_fingerprint": report.org_fingerprint.to_string(),
            "audit_key": report.audit_key.to_string(),
            "log_size": report.log_size,
            "root": hex(&report.root),
            "exported_at": report.exported_at,
            "events": report.events,
            "checkpoints": report.checkpoints,
            "statements_checked": report.statements_checked,
            "setup_mode": report.setup_mode,
        }),
        problem_json(problem),
    );
    let statements = match (report.statements_checked, report.setup_mode) {
        (true, Some(true)) => "\nThe signed decisions among them verify, each by a user whose key and role the bundle's statements give.\nSETUP MODE: fewer than two people could ever check changes; partners, users and the policy were set by one person alone.",
        (true, _) => "\nThe signed decisions among them verify, each by a user whose key and role the bundle's statements give.",
        (false, _) => "\nThe bundle predates signed decisions: who decided what is not checked.",
    };
    output.emit(document, || match problem {
        None => format!(
            "The bundle is intact: {} events of a log of {} (exported {}), each in the checkpoint signed by audit key\n  {}\nof {} ({}); {} earlier checkpoints consistent with it.{statements}{}",
            report.events,
            report.log_size,
            report.exported_at,
            report.audit_key,
            report.org_name,
            report.org_fingerprint,
            report.checkpoints,
            if expected.is_none() { "\nCompare the audit key with the one you hold (or pass --audit-key)." } else { "" }
        ),
        Some(p) => format!("TAMPERED ({}): {}.", p.kind.code(), p.message),
    });
    Ok(if problem.is_none() { Exit::Success } else { Exit::Failed })
}
