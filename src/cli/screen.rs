//! `countersign screen`: the ERP's pain.001 payment file screened line by line before it goes to
//! the bank (issue 18), `--check` to tell whether a file is the one screened, and
//! `--approved-out` for a copy with only the `ok` lines. Exit 0 when every line is ok, 1 when any
//! is held or blocked (or, with `--check`, when the file is not one screened as all ok), 2 when
//! the file is unreadable or not schema-valid. The rules are the service's.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use countersign_service::core::screen::rules::{LineReport, LineVerdict};
use countersign_service::core::screen::MAX_PAYMENT_FILE_BYTES;
use countersign_service::files::{read_limited, write_atomic, Sensitivity};
use countersign_service::{FileCheck, FileStanding, ScreenedFile};

use super::exit::{CliError, CliResult, Exit};
use super::report::Output;
use super::workspace::open_as;
use super::GlobalArgs;

#[derive(Args)]
pub struct ScreenArgs {
    /// The pain.001.001.03 or .09 file the ERP wrote.
    file: PathBuf,
    /// Only tell whether FILE is byte-identical to a file screened as all ok (and when and by
    /// whom), or was changed after screening; screens nothing.
    #[arg(long, conflicts_with = "approved_out")]
    check: bool,
    /// Also write the file without its held and blocked lines, counts and sums recomputed.
    #[arg(long, value_name = "FILE")]
    approved_out: Option<PathBuf>,
}

pub fn screen(args: &ScreenArgs, global: &GlobalArgs, output: Output) -> CliResult {
    let bytes = read_limited(&args.file, MAX_PAYMENT_FILE_BYTES)?;
    if let Some(out) = &args.approved_out {
        if same_file(out, &args.file) {
            return Err(CliError::usage("invalid_argument", "--approved-out must name another file than the one screened"));
        }
        if out.exists() {
            return Err(CliError::usage("file_exists", format!("{} exists already; name a new file for the approved copy", out.display())));
        }
    }
    let (mut ws, session) = open_as(global)?;
    if args.check {
        let check = ws.check_screened_file(&session, &bytes)?;
        output.emit(serde_json::to_value(&check).expect("serialises"), || check_text(&check));
        return Ok(if check.standing == FileStanding::ScreenedOk { Exit::Success } else { Exit::Failed });
    }
    let name = args.file.file_name().map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let screened = ws.screen_payment_file(&session, &bytes, &name, args.approved_out.is_some())?;
    let mut document = serde_json::to_value(&screened).expect("serialises");
    let mut note = String::new();
    if let Some(out) = &args.approved_out {
        match &screened.approved_copy {
            Some(copy) => {
                write_atomic(out, &copy.bytes, Sensitivity::Public, false)?;
                document["approved_copy"]["path"] = json!(out.display().to_string());
                note = format!(
                    "\nApproved copy: {} ({} of {} lines; SHA-256 {})\n",
                    out.display(),
                    copy.lines,
                    screened.report.counts.lines,
                    copy.sha256
                );
            }
            None => note = "\nNo approved copy was written: no line is ok.\n".into(),
        }
    }
    output.emit(document, || format!("{}{note}", report_text(&screened)));
    Ok(if screened.report.verdict == LineVerdict::Ok { Exit::Success } else { Exit::Failed })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The report as a table, then the file's findings and the counts.
fn report_text(s: &ScreenedFile) -> String {
    let r = &s.report;
    let mut text = format!("{} · {} · message {} · {} lines\n\n", s.file_name, r.version.as_str(), r.message_id, r.counts.lines);
    text.push_str(&format!("{:>5}  {:<7}  {:<28}  {:<34}  {:>16}  {}\n", "line", "verdict", "creditor", "account", "amount", "reasons"));
    for line in &r.lines {
        text.push_str(&line_row(line));
    }
    if !r.file_findings.is_empty() {
        text.push_str("\nThe file:\n");
        for f in &r.file_findings {
            text.push_str(&format!("  hold     {}: {}\n", f.code.as_str(), f.message));
        }
    }
    let c = r.counts;
    text.push_str(&format!(
        "\n{}: {} ok, {} hold, {} blocked. Logged as event #{} by {} at {}; SHA-256 {}\n",
        r.verdict.as_str().to_uppercase(),
        c.ok,
        c.hold,
        c.blocked,
        s.event,
        s.screened_by,
        s.screened_at,
        s.file_sha256
    ));
    text
}

fn line_row(line: &LineReport) -> String {
    let amount = format!("{} {}", line.amount, line.currency);
    let mut row = format!(
        "{:>5}  {:<7}  {:<28}  {:<34}  {:>16}  {}\n",
        line.number,
        line.verdict.as_str(),
        clip(&line.creditor_name, 28),
        clip(&line.account, 34),
        amount,
        line.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", ")
    );
    for reason in &line.reasons {
        row.push_str(&format!("{:>16}{}\n", "", reason.message));
    }
    row
}

/// At most `max` characters, an ellipsis marking a cut.
fn clip(text: &str, max: usize) -> String {
    match text.chars().count() > max {
        true => format!("{}…", text.chars().take(max - 1).collect::<String>()),
        false => text.to_string(),
    }
}

fn check_text(check: &FileCheck) -> String {
    let about = |r: &countersign_service::ScreeningRecord| format!("on {} by {} (event #{})", r.at, r.by, r.event);
    let mut text = match (&check.standing, &check.screening) {
        (FileStanding::ScreenedOk, Some(r)) if check.approved_copy => {
            format!("OK: this file is the approved copy written by the screening {}: only its ok lines.\n", about(r))
        }
        (FileStanding::ScreenedOk, Some(r)) => format!("OK: this file is the one screened {}: every line ok.\n", about(r)),
        (FileStanding::ScreenedNotOk, Some(r)) => format!(
            "NOT OK: this file was screened {}: {} held, {} blocked. Do not send it to the bank as it is.\n",
            about(r),
            r.counts.hold,
            r.counts.blocked
        ),
        (FileStanding::Changed, _) => "CHANGED AFTER SCREENING: a file with the same message id was screened, with other bytes.\n".into(),
        _ => "NOT SCREENED: no screening of this file is in the log.\n".into(),
    };
    for r in &check.same_message {
        text.push_str(&format!("  message {} screened {}: SHA-256 {} ({})\n", r.message_id, about(r), r.file_sha256, r.verdict.as_str()));
    }
    text.push_str(&format!("This file's SHA-256: {}\n", check.file_sha256));
    text
}
