//! `audit verify`: checks the verification log's hash chain (auditors and admins); exit 1 on
//! any tampering, naming the first bad event and what is wrong with it.

use clap::Subcommand;
use serde_json::json;

use countersign::merkle::Hash;
use countersign::service::ChainProblem;

use super::exit::{CliResult, Exit};
use super::report::Output;
use super::workspace::open_as;
use super::GlobalArgs;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute every event's hash and link; exit 1 on any tampering.
    Verify,
}

fn hex(h: &Hash) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn audit(command: &AuditCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let AuditCommand::Verify = command;
    let (mut ws, session) = open_as(global)?;
    let report = ws.verify_audit_chain(&session)?;
    let problem = report.first_problem.as_ref().map(|(seq, p)| {
        let (code, text) = match p {
            ChainProblem::Changed => ("changed", format!("event {seq} was changed after it was written")),
            ChainProblem::Missing { expected } => ("deleted", format!("events from {expected} to {} are missing (deleted)", seq - 1)),
            ChainProblem::BrokenLink => {
                ("inserted_or_reordered", format!("event {seq} does not follow the event before it (inserted, removed or reordered)"))
            }
        };
        (*seq, code, text)
    });
    output.emit(
        json!({
            "intact": problem.is_none(),
            "events": report.events,
            "head": report.head.as_ref().map(hex),
            "first_bad_seq": problem.as_ref().map(|p| p.0),
            "problem": problem.as_ref().map(|p| p.1),
            "message": problem.as_ref().map(|p| p.2.clone()),
        }),
        || match &problem {
            None => format!(
                "The audit log is intact: {} events, each hash and link recomputed.\nHead: {}",
                report.events,
                report.head.as_ref().map(hex).unwrap_or_default()
            ),
            Some((_, _, text)) => format!("TAMPERED: {text}."),
        },
    );
    Ok(if problem.is_none() { Exit::Success } else { Exit::Failed })
}
