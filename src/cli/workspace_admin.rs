//! `workspace backup` and `workspace restore`: a checked copy of the whole workspace database,
//! and that copy put back as the workspace of an empty `--data-dir`. The service checks each copy
//! (an intact workspace whose audit log verifies) before it is put in place. And `workspace
//! migrate --to URL`: a desktop workspace moved to a team workspace on a PostgreSQL server.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;

use countersign_service::core::audit::chain::hex;
use countersign_service::files::check_new_file;
use countersign_service::{BackupReport, Workspace};

use super::exit::{CliError, CliResult, Exit};
use super::report::Output;
use super::workspace::{data_dir, open_as};
use super::GlobalArgs;

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// Write a consistent copy of the workspace to FILE while others keep working, checked with
    /// `audit verify` before it is kept (admins and auditors).
    Backup {
        /// Where to write the backup (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Put a backup in place as the workspace of --data-dir, which must hold none, after
    /// checking it as `audit verify` does.
    Restore {
        /// The backup to restore.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Move this desktop workspace to a new team workspace on a PostgreSQL server, with its log
    /// and checkpoints (admins). The file stays behind read-only; this --data-dir then connects
    /// to the server. Run as the role that will own the schema; the password from
    /// COUNTERSIGN_DATABASE_PASSWORD.
    Migrate {
        /// The team workspace to create: postgres://OWNER@HOST[:PORT]/DB[?schema=NAME&sslrootcert=CA.pem].
        #[arg(long, value_name = "URL")]
        to: String,
        /// The role the team's desktops will connect with (granted what they need and no more).
        #[arg(long, value_name = "ROLE")]
        app_role: Option<String>,
    },
}

/// The facts of a copy as JSON (`path`, `size`, `sha256`, `events`, `root`).
fn report_json(report: &BackupReport) -> serde_json::Value {
    json!({
        "path": report.path.display().to_string(),
        "size": report.size,
        "sha256": hex(&report.sha256),
        "events": report.events,
        "root": hex(&report.root),
    })
}

/// The facts of a copy as indented lines.
fn report_lines(report: &BackupReport) -> String {
    format!(
        "  size     {} bytes\n  sha256   {}\n  events   {} (the audit log verifies)\n  root     {}",
        report.size,
        hex(&report.sha256),
        report.events,
        hex(&report.root)
    )
}

pub fn workspace(command: &WorkspaceCommand, global: &GlobalArgs, output: Output) -> CliResult {
    match command {
        WorkspaceCommand::Backup { out } => backup(out, global, output),
        WorkspaceCommand::Restore { from } => restore(from, global, output),
        WorkspaceCommand::Migrate { to, app_role } => migrate(to, app_role.as_deref(), global, output),
    }
}

fn migrate(to: &str, app_role: Option<&str>, global: &GlobalArgs, output: Output) -> CliResult {
    let url = super::team::database_url(to)?;
    let (mut ws, session) = open_as(global)?;
    let report = ws.move_to_team(&session, &url, app_role)?;
    let tables: serde_json::Map<String, serde_json::Value> = report.tables.iter().map(|(t, n)| (t.clone(), json!(n))).collect();
    let document = json!({ "to": report.to, "events": report.events, "root": hex(&report.root), "rows": tables });
    output.emit(document, || {
        let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
        format!(
            "Moved the workspace to {}: {rows} rows, {} events (the audit log verifies on both sides).\n  root     {}\n\
             The file in {} stays behind read-only (see MOVED.txt); this directory now connects to the team workspace.",
            report.to,
            report.events,
            hex(&report.root),
            ws.dir().display()
        )
    });
    Ok(Exit::Success)
}

fn backup(out: &Path, global: &GlobalArgs, output: Output) -> CliResult {
    // Before the password is asked for: a backup never goes over a file.
    check_new_file(out).map_err(|e| CliError::usage(e.code(), e.to_string()))?;
    let (mut ws, session) = open_as(global)?;
    let report = ws.backup(&session, out)?;
    output.emit(report_json(&report), || {
        format!(
            "Backed up the workspace to {}.\n{}\nKeep the SHA-256 apart from the file; restore it with `countersign --data-dir DIR workspace restore --from {}`.",
            out.display(),
            report_lines(&report),
            out.display()
        )
    });
    Ok(Exit::Success)
}

fn restore(from: &Path, global: &GlobalArgs, output: Output) -> CliResult {
    let dir = data_dir(global)?;
    let report = Workspace::restore(from, &dir)?;
    let mut document = report_json(&report);
    document["data_dir"] = json!(dir.display().to_string());
    document["from"] = json!(from.display().to_string());
    output.emit(document, || {
        format!(
            "Restored {} as the workspace in {}.\n{}\nIts users sign in with the passwords they had when the backup was made.",
            from.display(),
            dir.display(),
            report_lines(&report)
        )
    });
    Ok(Exit::Success)
}
