//! Team workspaces on a PostgreSQL server (issue 17), as the app shows them: the URL built from
//! the join form's fields, the server as a person reads it, and the service's connection errors
//! turned into sentences (server unreachable, password wanted or refused, a log rolled back).
//!
//! The database password is held only in memory (in the `DatabaseUrl` of the open location):
//! never written to disk, never logged, never sent back to the UI. `DatabaseUrl`'s `Display`
//! never shows it.

use countersign_service::{DatabaseUrl, Location, ServiceError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, CommandResult};

/// The environment variable whose value, when set, is the database password (as for the CLI).
pub const PASSWORD_ENV: &str = "COUNTERSIGN_DATABASE_PASSWORD";

/// How long a connection attempt may take before the app says the server is unreachable.
const CONNECT_TIMEOUT_SECONDS: u32 = 10;

/// The code of a connection the server refused for want of the right password (the service
/// reports it as `database_unreachable`; the app tells it apart to ask for the password).
pub const PASSWORD_CODE: &str = "database_password";

/// The team workspace this desktop uses, as the UI shows it (never a password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TeamView {
    /// The server and database: `user@host:port/database`.
    pub server: String,
    /// The workspace's schema on the server.
    pub schema: String,
}

impl TeamView {
    /// The view of `url`.
    pub fn of(url: &DatabaseUrl) -> Self {
        let shown = url.to_string();
        let suffix = format!(" (schema {})", url.schema());
        let server = shown.strip_suffix(&suffix).unwrap_or(&shown);
        let server = server.strip_prefix("postgres://").unwrap_or(server);
        TeamView { server: server.to_string(), schema: url.schema().to_string() }
    }

    /// The view of a team location; `None` for a workspace in a directory.
    pub fn of_location(location: &Location) -> Option<Self> {
        match location {
            Location::Team { url, .. } => Some(Self::of(url)),
            Location::Directory(_) => None,
        }
    }
}

/// Where a team workspace is, as the join form asks for it.
#[derive(Deserialize, TS)]
pub struct ServerRequest {
    /// The server's host name or address.
    pub host: String,
    /// Its port (PostgreSQL's is 5432).
    pub port: u16,
    /// The database on the server.
    pub database: String,
    /// The workspace's schema in that database.
    pub schema: String,
    /// The database user this desktop connects as.
    pub user: String,
    /// The CA certificate file that signs the server's certificate, when it is not one the
    /// system trusts (TLS is used for every server not on this computer).
    pub ca_file: Option<String>,
    /// The database password; empty when the server asks for none, or to use
    /// `COUNTERSIGN_DATABASE_PASSWORD`. Held in memory only.
    pub password: String,
}

// By hand, so that a password never reaches a log through `{:?}`.
impl std::fmt::Debug for ServerRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerRequest")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("schema", &self.schema)
            .field("user", &self.user)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// The URL of the workspace `request` names, with its password (or `env_password` when the form
/// left it empty).
pub fn server_url(request: &ServerRequest, env_password: Option<&str>) -> CommandResult<DatabaseUrl> {
    let invalid = |detail: &'static str, what: &str| CommandError::detailed("invalid_input", detail, what, &[]);
    let host = request.host.trim();
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || "/@?#".contains(c)) {
        return Err(invalid("server_name_needed", "Type the server's name or address, for example db.example.com."));
    }
    if request.port == 0 {
        return Err(invalid("port_invalid", "The port must be a number from 1 to 65535 (PostgreSQL's is 5432)."));
    }
    let (database, schema, user) = (request.database.trim(), request.schema.trim(), request.user.trim());
    if database.is_empty() || user.is_empty() || schema.is_empty() {
        return Err(invalid("server_fields_needed", "Fill in the database, the schema and the database user."));
    }
    let host = if host.contains(':') { format!("[{}]", host.trim_matches(['[', ']'])) } else { host.to_string() };
    let mut text = format!(
        "postgres://{}@{host}:{}/{}?schema={}&connect_timeout={CONNECT_TIMEOUT_SECONDS}",
        encode(user),
        request.port,
        encode(database),
        encode(schema)
    );
    if let Some(ca) = request.ca_file.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        text.push_str(&format!("&sslrootcert={}", encode(ca)));
    }
    let mut url = DatabaseUrl::parse(&text).map_err(|e| invalid("server_url_invalid", &capitalised(&e.to_string())))?;
    match (request.password.as_str(), env_password) {
        ("", Some(env)) if !env.is_empty() => url.set_password(env.as_bytes()),
        ("", _) => {}
        (password, _) => url.set_password(password.as_bytes()),
    }
    Ok(url)
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether the server refused the connection for want of the right password (the service's
/// `database_password`: none given, or a wrong one).
pub fn is_password_refusal(error: &ServiceError) -> bool {
    refuses_password(error.code())
}

fn refuses_password(code: &str) -> bool {
    code == PASSWORD_CODE
}

/// A failure to open or create the team workspace at `url`, as a sentence.
pub fn team_error(url: &DatabaseUrl, error: ServiceError) -> CommandError {
    match error.code() {
        "database_unreachable" | "database_password" | "no_workspace" | "workspace_exists" | "check_failed" => {
            team_message(url, error.code(), &error.to_string())
        }
        _ => CommandError::from(error),
    }
}

/// The sentence for a service error with `code` and text `text` about the workspace at `url`.
fn team_message(url: &DatabaseUrl, code: &'static str, text: &str) -> CommandError {
    let team = TeamView::of(url);
    let (server, schema) = (&team.server, &team.schema);
    let user = url.user().unwrap_or("");
    let (detail, message) = match code {
        _ if refuses_password(code) => {
            let message = if url.has_password() {
                ("password_refused", format!("The server {server} refused the password of the database user {user}: type it again."))
            } else {
                ("password_asked", format!("The server {server} asks for the password of the database user {user}."))
            };
            let values = [("server", server.clone()), ("user", user.to_string())];
            return CommandError::detailed(PASSWORD_CODE, message.0, message.1, &values);
        }
        "database_unreachable" => {
            let reason = text.split_once(&format!("{url}: ")).map_or(text, |(_, why)| why);
            let message = format!(
                "Cannot reach the team workspace's server {server}: {reason}. Check the server's name and port and this \
                 computer's network, then try again."
            );
            ("server_unreachable", message)
        }
        "no_workspace" => (
            "no_team_workspace",
            format!(
                "There is no Countersign workspace in schema {schema} on {server}. Check the schema's name with your \
                 administrator, or create a new team workspace there."
            ),
        ),
        "workspace_exists" => (
            "team_workspace_exists",
            format!("There is already a workspace in schema {schema} on {server}: join it instead, or choose another schema."),
        ),
        _ => ("team_refused", format!("This desktop refused the team workspace: {text}")),
    };
    let values: &[(&'static str, String)] = match detail {
        "no_team_workspace" | "team_workspace_exists" => &[("server", server.clone()), ("schema", schema.clone())],
        _ => &[("server", server.clone())],
    };
    CommandError::detailed(code, detail, capitalised(&message), values)
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ServerRequest {
        ServerRequest {
            host: "db.example.com".into(),
            port: 5432,
            database: "payments".into(),
            schema: "countersign".into(),
            user: "clerk".into(),
            ca_file: Some("/home/carol/our ca.pem".into()),
            password: "s3cret pass".into(),
        }
    }

    #[test]
    fn the_form_becomes_a_url_whose_password_is_never_shown() {
        let url = server_url(&request(), None).unwrap();
        assert!(url.has_password());
        assert_eq!(url.schema(), "countersign");
        assert_eq!(url.user(), Some("clerk"));
        assert_eq!(url.ca_file().map(|p| p.display().to_string()).as_deref(), Some("/home/carol/our ca.pem"));
        assert!(!url.is_local());
        for shown in [url.to_string(), url.without_password().to_string(), format!("{url:?}"), format!("{:?}", request())] {
            assert!(!shown.contains("s3cret"), "{shown}");
        }
        assert_eq!(TeamView::of(&url), TeamView { server: "clerk@db.example.com:5432/payments".into(), schema: "countersign".into() });
    }

    #[test]
    fn an_empty_password_takes_the_environments_and_an_ipv6_address_is_bracketed() {
        let mut r = request();
        r.password.clear();
        assert!(!server_url(&r, None).unwrap().has_password());
        assert!(server_url(&r, Some("from env")).unwrap().has_password());
        r.host = "::1".into();
        r.ca_file = None;
        let url = server_url(&r, None).unwrap();
        assert!(url.is_local(), "{url}");
    }

    #[test]
    fn missing_fields_are_named() {
        for broken in [
            ServerRequest { host: " ".into(), ..request() },
            ServerRequest { host: "db.example.com/x".into(), ..request() },
            ServerRequest { port: 0, ..request() },
            ServerRequest { database: "".into(), ..request() },
            ServerRequest { user: "".into(), ..request() },
            ServerRequest { schema: "".into(), ..request() },
            ServerRequest { schema: "Bad Schema".into(), ..request() },
        ] {
            let e = server_url(&broken, None).expect_err("refused");
            assert_eq!(e.code(), "invalid_input");
            assert!(e.message().chars().next().is_some_and(char::is_uppercase), "{}", e.message());
        }
    }

    #[test]
    fn connection_failures_become_sentences() {
        let url = server_url(&ServerRequest { password: "".into(), ..request() }, None).unwrap();
        let connect = |why: &str| team_message(&url, "database_unreachable", &format!("cannot connect to {url}: {why}"));
        let e =
            team_message(&url, PASSWORD_CODE, &format!("the server {url} refused the connection: invalid configuration: password missing"));
        assert_eq!(e.code(), PASSWORD_CODE);
        assert_eq!(e.message(), "The server clerk@db.example.com:5432/payments asks for the password of the database user clerk.");
        let with_password = server_url(&request(), None).unwrap();
        let e = team_message(&with_password, PASSWORD_CODE, "db error: password authentication failed for user \"clerk\"");
        assert_eq!(e.code(), PASSWORD_CODE);
        assert!(e.message().contains("refused the password") && !e.message().contains("s3cret"), "{}", e.message());
        let e = connect("error connecting to server: Connection refused (os error 111)");
        assert_eq!(e.code(), "database_unreachable");
        assert!(e.message().starts_with("Cannot reach the team workspace's server clerk@db.example.com:5432/payments: error connecting"));
        assert!(!e.message().contains("postgres://"), "{}", e.message());
        let e = team_error(&url, ServiceError::CheckFailed("the log … was rolled back or rewritten on the server".into()));
        assert_eq!(e.code(), "check_failed");
        assert!(e.message().starts_with("This desktop refused the team workspace: the log"), "{}", e.message());
        assert_eq!(team_error(&url, ServiceError::NotPermitted("no".into())).code(), "not_permitted");
    }

    /// A real connection to a port nobody listens on: the sentence, not the client's debug text.
    #[test]
    fn a_server_that_is_not_there_is_said_to_be_unreachable() {
        let r = ServerRequest { host: "127.0.0.1".into(), port: 1, ca_file: None, ..request() };
        let url = server_url(&r, None).unwrap();
        let location = Location::Team { url: url.clone(), local: std::env::temp_dir().join("countersign-unreachable-never-written") };
        let e = team_error(&url, countersign_service::Workspace::open_at(&location).err().expect("nobody listens on port 1"));
        assert_eq!(e.code(), "database_unreachable");
        assert!(e.message().starts_with("Cannot reach the team workspace's server clerk@127.0.0.1:1/payments: "), "{}", e.message());
        assert!(e.message().ends_with("then try again."), "{}", e.message());
    }
}
