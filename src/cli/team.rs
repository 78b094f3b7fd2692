//! Team workspaces on the command line (issue 17): where `--database` (or the environment, or the
//! `team.json` a desktop directory keeps once it joined) points, with the password from the
//! environment only, and `database migrate`, the schema owner's one command. Every rule is the
//! service's.

use clap::Subcommand;
use serde_json::json;

use countersign_service::{DatabaseUrl, Location};

use super::exit::{CliError, CliResult, Exit};
use super::report::Output;
use super::workspace::data_dir;
use super::GlobalArgs;

/// The whole URL, when it is given in the environment rather than with --database.
const DATABASE_URL: &str = "COUNTERSIGN_DATABASE_URL";
/// The database password (never on the command line).
const DATABASE_PASSWORD: &str = "COUNTERSIGN_DATABASE_PASSWORD";

#[derive(Subcommand)]
pub enum DatabaseCommand {
    /// Bring the team workspace's schema up to this version (run as the schema's owner, once,
    /// before the desktops are upgraded), and grant the desktops' role its privileges again.
    Migrate {
        /// The role the team's desktops connect with.
        #[arg(long, value_name = "ROLE")]
        app_role: Option<String>,
    },
}

/// Where the command's workspace is: the directory (`--data-dir`), or with `--database` a team
/// workspace on a server and this desktop's own directory. A password inside a URL given on the
/// command line is refused (anyone on the computer can read a command line); it comes from
/// `COUNTERSIGN_DATABASE_PASSWORD`, or inside `COUNTERSIGN_DATABASE_URL`.
pub(super) fn location(global: &GlobalArgs) -> Result<Location, CliError> {
    let dir = data_dir(global)?;
    let Some(text) = &global.database else {
        // A desktop directory that joined a team workspace connects there again.
        let password = std::env::var(DATABASE_PASSWORD).ok();
        return Ok(Location::of_dir(&dir, password.as_deref())?);
    };
    Ok(Location::Team { url: database_url(text)?, local: dir })
}

pub(super) fn database_url(text: &str) -> Result<DatabaseUrl, CliError> {
    let mut url = DatabaseUrl::parse(text).map_err(|e| CliError::usage("invalid_database_url", e.to_string()))?;
    let from_environment = std::env::var(DATABASE_URL).is_ok_and(|env| env == text);
    if url.has_password() && !from_environment {
        return Err(CliError::usage(
            "password_on_command_line",
            "the database URL given with --database holds a password, which anyone on this computer can read in the list of \
             processes: give it in COUNTERSIGN_DATABASE_PASSWORD instead (or the whole URL in COUNTERSIGN_DATABASE_URL)",
        ));
    }
    if !url.has_password() {
        if let Ok(password) = std::env::var(DATABASE_PASSWORD) {
            url.set_password(password.as_bytes());
        }
    }
    Ok(url)
}

pub fn database(command: &DatabaseCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let DatabaseCommand::Migrate { app_role } = command;
    let Some(text) = &global.database else {
        return Err(CliError::usage("no_database", "`database migrate` works on a team workspace: give --database URL"));
    };
    let url = database_url(text)?;
    let (from, to) = countersign_service::migrate_team_schema(&url, app_role.as_deref())?;
    output.emit(json!({ "database": url.to_string(), "from": from, "to": to, "app_role": app_role }), || {
        let grant = app_role.as_ref().map(|r| format!("; {r} has the desktops' privileges")).unwrap_or_default();
        if from == to {
            format!("The schema of {url} is at version {to}, this version's: nothing to migrate{grant}.")
        } else {
            format!("Migrated the schema of {url} from version {from} to {to}{grant}.")
        }
    });
    Ok(Exit::Success)
}
