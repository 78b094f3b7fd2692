//! Four eyes in the CLI (issue 15): `change list|show|approve|reject`, `account
//! list|confirm-fraud|clear`, and how a command that proposed a change says so (exit 0, "pending").
//! Every rule is the service's: who may check, never the maker, what needs a second person.

use clap::Subcommand;
use serde_json::{json, Value};

use countersign_service::core::bank::Iban;
use countersign_service::core::changes::ChangeStatus;
use countersign_service::{ChangeView, FraudMarkView, Outcome, PendingChange};

use super::exit::{CliError, CliResult, Exit};
use super::report::{more_line, Output, PageArgs};
use super::workspace::open_as;
use super::GlobalArgs;

#[derive(Subcommand)]
pub enum ChangeCommand {
    /// Pending changes (and, with --status, approved or rejected ones), newest first.
    List {
        /// pending (the default), approved, rejected or all.
        #[arg(long, default_value = "pending")]
        status: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// One change: what it does, before and after, what to look at twice.
    Show {
        /// Change id.
        id: i64,
    },
    /// Approve another person's change (approver or admin; never your own): it takes effect now.
    Approve {
        /// Change id.
        id: i64,
    },
    /// Reject a change (approver or admin), or withdraw your own; nothing is applied.
    Reject {
        /// Change id.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Accounts marked after a denied callback, the latest marked first: suspected, or confirmed
    /// fraudulent.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// Confirm a suspected account as fraudulent (an approver or admin who did not record the
    /// denied callback).
    ConfirmFraud {
        /// The account: an IBAN, or the account key `account list` shows.
        account: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Clear an account's mark: a change another approver or admin approves.
    Clear {
        /// The account: an IBAN, or the account key `account list` shows.
        account: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// The JSON of a change waiting for a second person.
fn pending_json(change: &PendingChange) -> Value {
    json!({ "pending_change": change })
}

/// What a command that may need a second person prints: `applied` (JSON and text) when it took
/// effect, or the pending change, with exit 0 either way.
pub fn report_outcome(outcome: Outcome, output: Output, applied: impl FnOnce(Value) -> (Value, String)) -> CliResult {
    match outcome {
        Outcome::Applied(value) => {
            let (document, text) = applied(value);
            output.emit(document, || text);
        }
        Outcome::Pending(change) => {
            output.emit(pending_json(&change), || pending_text(&change));
        }
    }
    Ok(Exit::Success)
}

fn pending_text(change: &PendingChange) -> String {
    let mut text = format!(
        "Pending change {}: {}.\nIt takes effect when another approver or admin approves it: countersign change approve {}\n",
        change.id, change.summary, change.id
    );
    for flag in &change.flags {
        text.push_str(&format!("  ! {}: {}\n", flag.code, flag.message));
    }
    text
}

fn change_text(c: &ChangeView) -> String {
    let mut text = format!("Change {} ({}): {}\n  {}", c.id, c.kind.as_str(), c.summary, c.status.as_str());
    text.push_str(&format!(", proposed by {} at {}", c.proposed_by, c.proposed_at));
    if let (Some(by), Some(at)) = (&c.decided_by, &c.decided_at) {
        text.push_str(&format!("; {} by {by} at {at}", c.status.as_str()));
    }
    if let Some(reason) = &c.reason {
        text.push_str(&format!(": {reason}"));
    }
    text.push('\n');
    for flag in &c.flags {
        text.push_str(&format!("  ! {}: {}\n", flag.code, flag.message));
    }
    for line in difference(&c.before, &c.after) {
        text.push_str(&format!("  {line}\n"));
    }
    text
}

/// What a change changes, field by field, for the checker: `name: before → after` for each
/// member that differs (objects), or the whole value before and after.
fn difference(before: &Value, after: &Value) -> Vec<String> {
    let shown = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "(none)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut names: Vec<&String> = b.keys().chain(a.keys()).collect();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .filter(|n| b.get(*n) != a.get(*n))
                .map(|n| format!("{n}: {} → {}", shown(b.get(n)), shown(a.get(n))))
                .collect()
        }
        (Value::Null, Value::Object(a)) => a.iter().map(|(n, v)| format!("{n}: {}", shown(Some(v)))).collect(),
        (Value::Null, Value::Null) => vec![],
        (b, a) => vec![format!("before: {}", shown(Some(b))), format!("after: {}", shown(Some(a)))],
    }
}

pub fn change(command: &ChangeCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    match command {
        ChangeCommand::List { status, page } => {
            let status = match status.as_str() {
                "all" => None,
                other => Some(ChangeStatus::parse(other).ok_or_else(|| {
                    CliError::usage("invalid_argument", format!("{other:?} is not a status: pending, approved, rejected or all"))
                })?),
            };
            let listed = ws.changes_page(&session, status, &page.page()?)?;
            let changes = &listed.items;
            let mode = ws.workspace_mode()?;
            output.emit(json!({ "changes": changes, "setup_mode": mode.setup, "next": listed.next }), || {
                let mut text = String::new();
                if mode.setup {
                    text.push_str("Setup mode: fewer than two people can check changes, so changes apply at once.\n");
                }
                if changes.is_empty() {
                    text.push_str("No changes.\n");
                }
                for c in changes {
                    text.push_str(&format!("{:>4}  {:<9} {:<20} {}\n", c.id, c.status.as_str(), c.proposed_by, c.summary));
                }
                text + &more_line(listed.next)
            });
        }
        ChangeCommand::Show { id } => {
            let change = ws.change(&session, *id)?;
            output.emit(json!(change), || change_text(&change));
        }
        ChangeCommand::Approve { id } => {
            let applied = ws.approve_change(&session, *id)?;
            let change = ws.change(&session, *id)?;
            output.emit(json!({ "change": change, "applied": applied }), || format!("Approved and applied.\n{}", change_text(&change)));
        }
        ChangeCommand::Reject { id, reason } => {
            let change = ws.reject_change(&session, *id, reason)?;
            output.emit(json!({ "change": change }), || format!("Rejected; nothing was applied.\n{}", change_text(&change)));
        }
    }
    Ok(Exit::Success)
}

/// The account key for what was typed: an account key as `account list` shows it, or an IBAN.
fn account_key(typed: &str) -> Result<String, CliError> {
    if typed.starts_with("iban:") || typed.starts_with("local:") {
        return Ok(typed.to_string());
    }
    let iban = Iban::parse(typed).map_err(|e| CliError::usage("invalid_argument", format!("{typed:?}: {e}")))?;
    Ok(format!("iban:{}", iban.electronic()))
}

fn mark_line(m: &FraudMarkView) -> String {
    let confirmed = m.confirmed_by.as_deref().map(|by| format!(", confirmed by {by}")).unwrap_or_default();
    format!("{:<40} {:<10} marked by {} at {}{confirmed}: {}\n", m.account_key, m.status, m.marked_by, m.marked_at, m.reason)
}

pub fn account(command: &AccountCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    match command {
        AccountCommand::List { page } => {
            let listed = ws.fraud_marks_page(&session, &page.page()?)?;
            let marks = &listed.items;
            output.emit(json!({ "accounts": marks, "next": listed.next }), || {
                if marks.is_empty() {
                    "No marked accounts.".into()
                } else {
                    marks.iter().map(mark_line).chain([more_line(listed.next)]).collect()
                }
            });
        }
        AccountCommand::ConfirmFraud { account, reason } => {
            let mark = ws.confirm_fraud(&session, &account_key(account)?, reason)?;
            output.emit(json!(mark), || format!("Confirmed fraudulent for every partner.\n{}", mark_line(&mark)));
        }
        AccountCommand::Clear { account, reason } => {
            let key = account_key(account)?;
            let outcome = ws.clear_fraud_mark(&session, &key, reason)?;
            return report_outcome(outcome, output, |v| {
                (v, format!("Cleared the mark on {key}; the next payment to it needs a callback."))
            });
        }
    }
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_names_each_member_that_changes() {
        let before = json!({ "approval_threshold_minor": 1_000_000, "change_window_days": 90 });
        let after = json!({ "approval_threshold_minor": 99_999_999, "change_window_days": 90 });
        assert_eq!(difference(&before, &after), ["approval_threshold_minor: 1000000 → 99999999"]);
        let new = json!({ "name": "Globex", "phones": ["+49301234567"] });
        assert_eq!(difference(&Value::Null, &new), ["name: Globex", "phones: [\"+49301234567\"]"]);
        assert_eq!(difference(&json!({ "active_key": "1" }), &json!({ "active_key": "2" })), ["active_key: 1 → 2"]);
        assert!(difference(&Value::Null, &Value::Null).is_empty());
    }
}
