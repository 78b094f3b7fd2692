//! Argument parsing and dispatch. Each command lives in a module of its own and returns an
//! [`exit::Exit`] or a [`exit::CliError`]; this module prints errors and exits.

mod audit;
mod cases;
mod changes;
mod exit;
mod freeze;
mod partner;
mod partner_views;
mod recovery;
mod report;
mod screen;
mod secrets;
mod team;
mod workspace;
mod workspace_admin;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use report::Output;

/// Countersign: signed payment instructions, pinned partner keys, callbacks and dual control.
#[derive(Parser)]
#[command(name = "countersign", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options every command accepts.
#[derive(Args, Clone)]
pub struct GlobalArgs {
    /// The workspace directory (default: the platform data directory).
    #[arg(long, global = true, env = "COUNTERSIGN_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print one JSON document on stdout and nothing else.
    #[arg(long, global = true)]
    json: bool,
    /// A team workspace on a PostgreSQL server: postgres://USER@HOST[:PORT]/DB[?schema=NAME&sslrootcert=CA.pem].
    /// The password comes from COUNTERSIGN_DATABASE_PASSWORD, never from the command line;
    /// --data-dir is then this desktop's own directory.
    #[arg(long, global = true, env = "COUNTERSIGN_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database: Option<String>,
    /// The acting user, for commands that read or change a workspace.
    #[arg(long = "as", global = true, value_name = "USER")]
    acting_user: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Make a key pair: BASE.key (encrypted secret key) and BASE.card (public partner card).
    Keygen(partner::KeygenArgs),
    /// Show the fingerprint of a card, key or signed instruction's signer; QR code on request.
    Fingerprint(partner::FingerprintArgs),
    /// Sign payment instructions for one recipient.
    Sign(partner::SignArgs),
    /// Partner side of a callback: the response code for a challenge and a signed instruction
    /// (--issued ID: one this workspace issued, answered with the organisation key).
    Respond(partner::RespondArgs),
    /// Check a signed instruction (read-only).
    Verify(partner::VerifyArgs),
    /// Partner side: a key-rotation statement signed by the current key (or by the recovery key,
    /// --with-recovery), naming the new one.
    Rotate(partner::RotateArgs),
    /// Partner side: a revocation of your signing key signed by your recovery key.
    Revoke(recovery::RevokeArgs),
    /// Partner side: a freeze notice (signing or recovery key) telling every customer to hold
    /// every payment to you, or every payment but those to one account.
    Freeze(freeze::FreezeArgs),
    /// Partner side: the lift of a freeze, signed by your recovery key.
    FreezeLift(freeze::FreezeLiftArgs),
    /// Create a workspace: database, organisation key, first admin.
    Init(workspace::InitArgs),
    /// A team workspace's schema on its server: `database migrate`, by the schema's owner.
    #[command(subcommand)]
    Database(team::DatabaseCommand),
    /// Our organisation's partner card.
    #[command(subcommand)]
    Card(workspace::CardCommand),
    /// Users and roles.
    #[command(subcommand)]
    User(workspace::UserCommand),
    /// The partner registry.
    #[command(subcommand)]
    Partner(workspace::PartnerCommand),
    /// Verify, record and open a case for each file.
    Receive(workspace::ReceiveArgs),
    /// Cases: callbacks, approvals, release.
    #[command(subcommand)]
    Case(cases::CaseCommand),
    /// The verification log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Our organisation's settings.
    #[command(subcommand)]
    Org(workspace::OrgCommand),
    /// Sign our own bank details for a partner with the organisation key.
    Issue(workspace::IssueArgs),
    /// The workspace's assessment and control policy.
    #[command(subcommand)]
    Policy(workspace::PolicyCommand),
    /// Pending changes: what one person asked for and a second approves (four eyes).
    #[command(subcommand)]
    Change(changes::ChangeCommand),
    /// Accounts marked after a denied callback: suspected, confirmed fraudulent, cleared.
    #[command(subcommand)]
    Account(changes::AccountCommand),
    /// The workspace as a whole: a checked backup, and restoring one.
    #[command(subcommand)]
    Workspace(workspace_admin::WorkspaceCommand),
    /// Screen the ERP's pain.001 payment file against the partners' signed history before it
    /// goes to the bank; --check tells whether a file is the one screened.
    Screen(screen::ScreenArgs),
}

/// Runs the CLI and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; usage errors exit 2, as JSON under --json.
            let wants_json = std::env::args().any(|a| a == "--json");
            if e.use_stderr() && wants_json {
                // The parser's explanation without its usage block: "the following required
                // arguments were not provided: --name <NAME>".
                let detail = e.render().to_string();
                let first = detail
                    .lines()
                    .take_while(|l| !l.starts_with("Usage:"))
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim_start_matches("error: ")
                    .to_string();
                report::print_out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&json!({ "error": { "code": "usage", "message": first } })).expect("JSON")
                ));
            }
            let _ = e.print();
            return if e.use_stderr() { exit::Exit::Usage.into() } else { ExitCode::SUCCESS };
        }
    };
    let output = Output { json: cli.global.json };
    let result = match cli.command {
        Command::Keygen(args) => partner::keygen(&args, output),
        Command::Fingerprint(args) => partner::fingerprint(&args, output),
        Command::Sign(args) => partner::sign(&args, output),
        Command::Respond(args) => match &args.issued {
            Some(id) => workspace::respond_issued(id, &args.challenge, &cli.global, output),
            None => partner::respond(&args, output),
        },
        Command::Verify(args) => match &args.signer {
            Some(_) => partner::verify(&args, output),
            None => workspace::verify_in_workspace(&args.file, args.email.as_deref(), &cli.global, output),
        },
        Command::Rotate(args) => partner::rotate(&args, output),
        Command::Revoke(args) => recovery::revoke(&args, output),
        Command::Freeze(args) => freeze::freeze(&args, output),
        Command::FreezeLift(args) => freeze::freeze_lift(&args, output),
        Command::Init(args) => workspace::init(&args, &cli.global, output),
        Command::Database(command) => team::database(&command, &cli.global, output),
        Command::Card(command) => workspace::card(&command, &cli.global, output),
        Command::User(command) => workspace::user(&command, &cli.global, output),
        Command::Partner(command) => workspace::partner(&command, &cli.global, output),
        Command::Receive(args) => workspace::receive(&args, &cli.global, output),
        Command::Case(command) => cases::case(&command, &cli.global, output),
        Command::Audit(command) => audit::audit(&command, &cli.global, output),
        Command::Org(command) => workspace::org(&command, &cli.global, output),
        Command::Issue(args) => workspace::issue(&args, &cli.global, output),
        Command::Policy(command) => workspace::policy(&command, &cli.global, output),
        Command::Change(command) => changes::change(&command, &cli.global, output),
        Command::Account(command) => changes::account(&command, &cli.global, output),
        Command::Workspace(command) => workspace_admin::workspace(&command, &cli.global, output),
        Command::Screen(args) => screen::screen(&args, &cli.global, output),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            if output.json {
                report::print_out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&json!({ "error": { "code": error.code, "message": error.message } }))
                        .expect("JSON serialises")
                ));
            }
            report::print_err(&format!("countersign: {}", error.message));
            error.exit.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exit::{CliError, Exit};
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn worst_exit_ranks_rejected_over_hold() {
        assert!(Exit::Failed.rank() > Exit::Hold.rank());
        assert!(Exit::Hold.rank() > Exit::Success.rank());
        let _ = CliError::usage("x", "y");
    }
}
