//! Where a team workspace lives and how to reach it: a `postgres://` URL, parsed once, with two
//! parameters of our own (`schema`, the workspace's schema on the server, and `sslrootcert`, the
//! CA file that signs a remote server's certificate), and the connection itself: TLS (rustls)
//! whenever the server is not on this machine, never a password in what is shown.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};

use crate::StoreError;

/// The schema a workspace lives in when the URL names none.
pub const DEFAULT_SCHEMA: &str = "countersign";

/// The CA bundle used for a remote server when the URL names no `sslrootcert` (Debian's).
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// A parsed team-workspace URL. Its `Display` never shows a password.
#[derive(Clone)]
pub struct DatabaseUrl {
    config: Config,
    schema: String,
    ca_file: Option<PathBuf>,
    /// The URL as given, without its password: what a desktop may keep on disk.
    without_password: String,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = self.config.get_user().unwrap_or("");
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let port = self.config.get_ports().get(i).or(self.config.get_ports().first()).copied().unwrap_or(5432);
                match host {
                    Host::Tcp(name) => format!("{name}:{port}"),
                    Host::Unix(path) => format!("{}:{port}", path.display()),
                }
            })
            .collect();
        let db = self.config.get_dbname().unwrap_or(user);
        write!(f, "postgres://{user}@{}/{db} (schema {})", hosts.join(","), self.schema)
    }
}

impl DatabaseUrl {
    /// Parses `postgres://user@host:port/dbname?schema=NAME&sslrootcert=FILE&…`; every other
    /// parameter is PostgreSQL's own (`sslmode`, `application_name`, `connect_timeout`, …).
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let invalid = |why: String| StoreError::Connect(format!("the database URL is not valid: {why}"));
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            return Err(invalid("it must start with postgres:// (for example postgres://clerk@db.example.com/payments)".into()));
        }
        let (base, query) = text.split_once('?').unwrap_or((text, ""));
        let (mut schema, mut ca_file, mut rest, mut kept) = (DEFAULT_SCHEMA.to_string(), None, Vec::new(), Vec::new());
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("schema", value)) => {
                    schema = percent_decode(value).map_err(invalid)?;
                    kept.push(pair);
                }
                Some(("sslrootcert", value)) => {
                    ca_file = Some(PathBuf::from(percent_decode(value).map_err(invalid)?));
                    kept.push(pair);
                }
                Some(("password", _)) => rest.push(pair),
                _ => {
                    rest.push(pair);
                    kept.push(pair);
                }
            }
        }
        let without_password =
            without_userinfo_password(base) + &if kept.is_empty() { String::new() } else { format!("?{}", kept.join("&")) };
        check_schema_name(&schema).map_err(invalid)?;
        let rebuilt = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
        // The parser's own message never repeats the URL, so it cannot leak a password.
        let mut config = Config::from_str(&rebuilt).map_err(|e| invalid(e.to_string()))?;
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_application_name().is_none() {
            config.application_name("countersign");
        }
        Ok(DatabaseUrl { config, schema, ca_file, without_password })
    }

    /// The URL as given, without any password: what a desktop keeps to connect again.
    pub fn without_password(&self) -> &str {
        &self.without_password
    }

    /// The workspace's schema on the server.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The same server and database, another schema (tests; a second workspace on one server).
    pub fn with_schema(&self, schema: &str) -> Result<Self, StoreError> {
        check_schema_name(schema).map_err(|why| StoreError::Connect(format!("the schema name is not valid: {why}")))?;
        let (base, query) = self.without_password.split_once('?').unwrap_or((&self.without_password, ""));
        let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("schema=")).collect();
        let named = format!("schema={schema}");
        pairs.insert(0, &named);
        let without_password = format!("{base}?{}", pairs.join("&"));
        Ok(DatabaseUrl { schema: schema.to_string(), without_password, ..self.clone() })
    }

    /// Whether the URL itself carries a password (the shells refuse one given on the command line).
    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// Sets the password (read from the environment or a prompt, never from argv).
    pub fn set_password(&mut self, password: &[u8]) {
        self.config.password(password);
    }

    /// The user the URL connects as.
    pub fn user(&self) -> Option<&str> {
        self.config.get_user()
    }

    /// Whether every host named is this machine (loopback or a Unix socket): only then may the
    /// connection go without TLS.
    pub fn is_local(&self) -> bool {
        self.config.get_hosts().iter().all(|host| match host {
            Host::Unix(_) => true,
            Host::Tcp(name) => name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()),
        })
    }

    /// Connects: in the clear to a server on this machine, otherwise over TLS, verifying the
    /// server's certificate and name against `sslrootcert` (or the system's CA bundle).
    pub fn connect(&self) -> Result<Client, StoreError> {
        let failed = |e: postgres::Error| {
            if refuses_password(&e) {
                StoreError::DatabasePassword(format!("the server {self} refused the connection: {}", describe(&e)))
            } else {
                StoreError::Connect(format!("cannot connect to {self}: {}", describe(&e)))
            }
        };
        if self.is_local() {
            return self.config.connect(NoTls).map_err(failed);
        }
        let mut config = self.config.clone();
        if config.get_ssl_mode() == SslMode::Disable {
            return Err(StoreError::Connect(format!(
                "{self} is not on this machine: the connection must use TLS (remove sslmode=disable)"
            )));
        }
        config.ssl_mode(SslMode::Require);
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(self.tls_config()?);
        config.connect(tls).map_err(failed)
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig, StoreError> {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let path = self.ca_file.clone().unwrap_or_else(|| PathBuf::from(SYSTEM_CA_BUNDLE));
        let unreadable = |why: String| StoreError::Connect(format!("cannot use the CA file {}: {why}", path.display()));
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&path).map_err(|e| unreadable(e.to_string()))? {
            roots.add(cert.map_err(|e| unreadable(e.to_string()))?).map_err(|e| unreadable(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(unreadable("it holds no certificate".into()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::Connect(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(config)
    }

    /// The CA file named by the URL, if any.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }
}

/// `postgres://user:secret@host/db` without `:secret`.
fn without_userinfo_password(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => format!("{}@{hosts}", userinfo.split(':').next().unwrap_or("")),
        None => authority.to_string(),
    };
    match path {
        Some(path) => format!("{scheme}://{authority}/{path}"),
        None => format!("{scheme}://{authority}"),
    }
}

/// A schema name we create and quote: lower-case letters, digits and `_`, starting with a
/// letter, at most 63 bytes (PostgreSQL's limit), and not one of the server's own.
fn check_schema_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.starts_with("pg_")
        && name != "public"
        && name != "information_schema";
    if ok {
        Ok(())
    } else {
        Err(format!("schema {name:?} must be 1 to 63 lower-case letters, digits or '_', start with a letter, and not be pg_…, public or information_schema"))
    }
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or("a '%' not followed by two hex digits")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "a parameter that is not UTF-8".to_string())
}

/// Whether the server refused the connection for want of the right password: SQLSTATE 28P01
/// (password authentication failed) or 28000 (no such role or method), or the client's own
/// "password missing" when the server asked for one and none was given.
fn refuses_password(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    match e.as_db_error() {
        Some(db) => *db.code() == SqlState::INVALID_PASSWORD || *db.code() == SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
        None => describe(e).contains("password missing"),
    }
}

/// The server's own message for an error (its SQLSTATE message and detail) when it has one,
/// otherwise the client's description.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => {
            // The client's own words ("error connecting to server") and the cause beneath them
            // ("Connection refused").
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let cause_text = cause.to_string();
                if !text.contains(&cause_text) {
                    text = format!("{text}: {cause_text}");
                }
                source = cause.source();
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_our_parameters_and_never_shows_the_password() {
        let url = DatabaseUrl::parse(
            "postgres://clerk:s3cret@db.example.com:6543/payments?schema=acme&sslrootcert=%2Fetc%2Fca.pem&sslmode=require",
        )
        .unwrap();
        assert_eq!(url.schema(), "acme");
        assert_eq!(url.ca_file(), Some(Path::new("/etc/ca.pem")));
        assert!(url.has_password());
        assert!(!url.is_local());
        let shown = url.to_string();
        assert_eq!(shown, "postgres://clerk@db.example.com:6543/payments (schema acme)");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(
            url.without_password(),
            "postgres://clerk@db.example.com:6543/payments?schema=acme&sslrootcert=%2Fetc%2Fca.pem&sslmode=require"
        );
        let url = DatabaseUrl::parse("postgres://clerk@db.example.com/payments?password=s3cret&sslmode=require").unwrap();
        assert!(url.has_password());
        assert_eq!(url.without_password(), "postgres://clerk@db.example.com/payments?sslmode=require");
        assert_eq!(DatabaseUrl::parse(url.without_password()).unwrap().to_string(), url.to_string());
        let other = url.with_schema("other").unwrap();
        assert_eq!(other.without_password(), "postgres://clerk@db.example.com/payments?schema=other&sslmode=require");
        assert_eq!(DatabaseUrl::parse(other.without_password()).unwrap().schema(), "other");
    }

    #[test]
    fn local_servers_and_defaults() {
        let url = DatabaseUrl::parse("postgres://cs@127.0.0.1:5499/team").unwrap();
        assert!(url.is_local());
        assert_eq!(url.schema(), DEFAULT_SCHEMA);
        assert!(!url.has_password());
        assert!(DatabaseUrl::parse("postgresql://cs@localhost/team").unwrap().is_local());
        assert!(DatabaseUrl::parse("postgres://cs@[::1]:5432/team").unwrap().is_local());
        assert!(!DatabaseUrl::parse("postgres://cs@10.0.0.7/team").unwrap().is_local());
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        for bad in [
            "mysql://x@y/z",
            "postgres://x@y/z?schema=Public",
            "postgres://x@y/z?schema=pg_catalog",
            "postgres://x@y/z?schema=a;drop",
            "postgres://x@y/z?schema=public",
            "postgres://x@y/z?schema=%zz",
            "postgres://x@y/z?nonsense=1",
        ] {
            let e = DatabaseUrl::parse(bad).unwrap_err().to_string();
            assert!(e.contains("not valid"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_remote_server_without_tls_is_refused_before_connecting() {
        let url = DatabaseUrl::parse("postgres://cs@192.0.2.1/team?sslmode=disable").unwrap();
        let e = url.connect().err().expect("refused").to_string();
        assert!(e.contains("must use TLS"), "{e}");
        let url = DatabaseUrl::parse("postgres://cs@192.0.2.1/team?sslrootcert=/nonexistent/ca.pem").unwrap();
        let e = url.connect().err().expect("refused").to_string();
        assert!(e.contains("cannot use the CA file /nonexistent/ca.pem"), "{e}");
    }
}
