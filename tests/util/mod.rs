//! A small harness for testing the `countersign` binary, in the manner of ripgrep's
//! `tests/util.rs`.
//!
//! - Every test gets a fresh temporary directory ([`TestDir::new`]); the binary runs with that
//!   directory as its current directory, so relative paths in arguments name files inside it.
//! - The environment is clean: `env_clear`, then only `PATH`, `HOME` (a `home/` directory inside
//!   the test directory, so no workspace of the person running the tests is ever seen) and the
//!   `COUNTERSIGN_*` variables a test gives explicitly.
//! - Standard input is an empty pipe, never a terminal: a prompt is impossible, so a missing
//!   secret exercises the "no variable and no terminal" error path instead of hanging.
//! - Every unexpected result panics with the full command line, the environment given, the exit
//!   code, stdout, stderr and a listing of the test directory.
//!
//! ```ignore
//! let dir = TestDir::new();
//! let globex = dir.keygen("Globex Corporation", "globex");
//! let out = dir.countersign(&["--json", "fingerprint", &globex.card]).run().assert_code(0);
//! assert_eq!(out.json()["fingerprint"], globex.fingerprint.as_str());
//! ```
//!
//! Later scenario tests (workspace commands) reuse this module with `mod util;`.

#![allow(dead_code)]

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

pub mod snapshot;

/// The environment variable holding a standalone key file's passphrase (CONTRACT.md).
pub const KEY_PASSPHRASE: &str = "COUNTERSIGN_KEY_PASSPHRASE";
/// The passphrase the helpers give every key they make.
pub const PASSPHRASE: &str = "correct horse battery staple";
/// How long one command may run before it is killed and reported.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A fresh temporary directory for one test, removed when dropped.
pub struct TestDir {
    tmp: tempfile::TempDir,
}

impl Default for TestDir {
    fn default() -> Self {
        Self::new()
    }
}

impl TestDir {
    /// Makes a fresh directory with an empty `home/` inside (the `HOME` of every command).
    pub fn new() -> TestDir {
        let tmp = tempfile::Builder::new().prefix("countersign-test-").tempdir().expect("create a temporary directory");
        fs::create_dir(tmp.path().join("home")).expect("create home/");
        TestDir { tmp }
    }

    /// The directory's absolute path.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// A path inside the directory.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// The `HOME` given to commands.
    pub fn home(&self) -> PathBuf {
        self.join("home")
    }

    /// Writes a file (creating parent directories) and returns its absolute path.
    #[track_caller]
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            if let Err(e) = fs::create_dir_all(parent) {
                self.fail(&format!("cannot create {}: {e}", parent.display()));
            }
        }
        if let Err(e) = fs::write(&path, contents) {
            self.fail(&format!("cannot write {}: {e}", path.display()));
        }
        path
    }

    /// Creates a directory (and its parents).
    #[track_caller]
    pub fn mkdir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let path = self.join(rel);
        if let Err(e) = fs::create_dir_all(&path) {
            self.fail(&format!("cannot create {}: {e}", path.display()));
        }
        path
    }

    /// Reads a file; a missing file fails the test with a listing of the directory.
    #[track_caller]
    pub fn read(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        let path = self.join(rel);
        match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => self.fail(&format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Reads a UTF-8 file.
    #[track_caller]
    pub fn read_string(&self, rel: impl AsRef<Path>) -> String {
        let rel = rel.as_ref();
        match String::from_utf8(self.read(rel)) {
            Ok(text) => text,
            Err(e) => self.fail(&format!("{} is not UTF-8: {e}", rel.display())),
        }
    }

    /// Reads and parses a JSON file.
    #[track_caller]
    pub fn read_json(&self, rel: impl AsRef<Path>) -> Value {
        let rel = rel.as_ref();
        match serde_json::from_slice(&self.read(rel)) {
            Ok(json) => json,
            Err(e) => self.fail(&format!("{} is not JSON: {e}", rel.display())),
        }
    }

    /// Whether a path exists inside the directory.
    pub fn exists(&self, rel: impl AsRef<Path>) -> bool {
        self.join(rel).exists()
    }

    /// The names of the entries of a subdirectory, sorted (empty when it does not exist).
    pub fn entries(&self, rel: impl AsRef<Path>) -> Vec<String> {
        let mut names: Vec<String> = match fs::read_dir(self.join(rel)) {
            Ok(entries) => entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }

    /// Every file and directory below the test directory with its mode and size, for failure
    /// reports.
    pub fn listing(&self) -> String {
        listing(self.path())
    }

    /// Fails the test with `message` and a listing of the directory.
    #[track_caller]
    pub fn fail(&self, message: &str) -> ! {
        panic!("\n{message}\n\n--- test directory {}\n{}", self.path().display(), self.listing())
    }

    /// A command running the `countersign` binary with no arguments yet.
    pub fn cmd(&self) -> TestCommand {
        TestCommand { root: self.path().to_path_buf(), args: Vec::new(), env: Vec::new(), current_dir: None }
    }

    /// A command running `countersign ARGS…`.
    pub fn countersign(&self, args: &[&str]) -> TestCommand {
        let mut cmd = self.cmd();
        cmd.args(args);
        cmd
    }

    /// The partner's side of a callback: `respond --key KEY --challenge C FILE`, with the key file in
    /// this directory (or a subdirectory) that signed FILE, found by its fingerprint (issue 15: a
    /// v2 file's response needs the partner's key); without `--key` when no such key file is here.
    pub fn respond(&self, challenge: &str, file: &str) -> Output {
        let signer = std::fs::read(self.join(file))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v["signer"].as_str().map(str::to_string));
        let key = signer.and_then(|signer| self.key_file_of(&signer));
        let mut args = vec!["--json", "respond", "--challenge", challenge];
        if let Some(key) = &key {
            args.extend(["--key", key]);
        }
        args.push(file);
        let mut cmd = self.countersign(&args);
        cmd.passphrase();
        cmd.run()
    }

    /// The `.key` file (path relative to this directory) whose fingerprint is `fingerprint`.
    fn key_file_of(&self, fingerprint: &str) -> Option<String> {
        let mut dirs = vec![self.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).ok()?.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "key") {
                    let json = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok());
                    if json.is_some_and(|v| v["fingerprint"] == fingerprint) {
                        return path.strip_prefix(self.path()).ok().map(|p| p.to_string_lossy().into_owned());
                    }
                }
            }
        }
        None
    }

    /// Makes a key pair with `keygen --name NAME --out BASE` (passphrase [`PASSPHRASE`]) and
    /// returns its files and fingerprint. Extra arguments (`--country`, `--domain`…) go in `extra`.
    #[track_caller]
    pub fn keygen_with(&self, name: &str, base: &str, extra: &[&str]) -> KeyFiles {
        let mut cmd = self.countersign(&["--json", "keygen", "--name", name, "--out", base]);
        cmd.args(extra).passphrase();
        let out = cmd.run().assert_code(0);
        let fingerprint = out.json_str("fingerprint");
        KeyFiles { name: name.to_string(), key: format!("{base}.key"), card: format!("{base}.card"), fingerprint }
    }

    /// Makes a key pair with `keygen --name NAME --out BASE`.
    #[track_caller]
    pub fn keygen(&self, name: &str, base: &str) -> KeyFiles {
        self.keygen_with(name, base, &[])
    }

    /// Writes a DETAILS.json for `sign`.
    pub fn write_details(&self, rel: &str, details: &Value) -> String {
        self.write(rel, serde_json::to_vec_pretty(details).expect("JSON serialises"));
        rel.to_string()
    }

    /// Signs `details` (a path relative to the directory) with `from`'s key for `to`'s card,
    /// writing `out`; asserts success and returns what `sign --json` printed.
    #[track_caller]
    pub fn sign(&self, from: &KeyFiles, to: &KeyFiles, details: &str, out: &str) -> Signed {
        let mut cmd = self.sign_cmd(from, to, details, out);
        let run = cmd.passphrase().run().assert_code(0);
        Signed { file: out.to_string(), confirmation_code: run.json_str("confirmation_code"), id: run.json_str("id"), json: run.json() }
    }

    /// Writes [`default_details`] to `DETAILS.json` (if not there yet) and signs it.
    #[track_caller]
    pub fn sign_default(&self, from: &KeyFiles, to: &KeyFiles, out: &str) -> Signed {
        if !self.exists("DETAILS.json") {
            self.write_details("DETAILS.json", &default_details());
        }
        self.sign(from, to, "DETAILS.json", out)
    }

    /// The `sign --json` command, without a passphrase (add one with [`TestCommand::passphrase`]).
    pub fn sign_cmd(&self, from: &KeyFiles, to: &KeyFiles, details: &str, out: &str) -> TestCommand {
        self.countersign(&["--json", "sign", "--key", &from.key, "--to", &to.card, "--details", details, "--out", out])
    }
}

/// A key pair made by `keygen`; paths are relative to the test directory.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    /// The name given to `keygen`.
    pub name: String,
    /// `BASE.key`.
    pub key: String,
    /// `BASE.card`.
    pub card: String,
    /// The fingerprint `keygen` printed.
    pub fingerprint: String,
}

/// What `sign --json` reported.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The signed file, relative to the test directory.
    pub file: String,
    /// `confirmation_code`.
    pub confirmation_code: String,
    /// `id`.
    pub id: String,
    /// The whole document.
    pub json: Value,
}

/// Bank details for `sign`: an IBAN account in euros with an amount and a fixed reference.
pub fn details(name: &str, iban: &str, bic: &str, amount: &str) -> Value {
    json!({
        "beneficiary_name": name,
        "iban": iban,
        "bic": bic,
        "currency": "EUR",
        "amount": amount,
        "reference": "INV-2026-114"
    })
}

/// Details that sign and verify cleanly: Globex's usual payment, to its contract account (a valid
/// German IBAN with a German BIC).
pub fn default_details() -> Value {
    details("Globex Corporation", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "1250.00")
}

/// A `countersign` invocation being built.
pub struct TestCommand {
    root: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    current_dir: Option<PathBuf>,
}

impl TestCommand {
    /// Adds one argument.
    pub fn arg(&mut self, arg: impl Into<OsString>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    pub fn args<S: Into<OsString> + Clone>(&mut self, args: &[S]) -> &mut Self {
        self.args.extend(args.iter().cloned().map(Into::into));
        self
    }

    /// Sets an environment variable (on top of the clean environment).
    pub fn env(&mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Gives the helpers' key passphrase in `COUNTERSIGN_KEY_PASSPHRASE`.
    pub fn passphrase(&mut self) -> &mut Self {
        self.env(KEY_PASSPHRASE, PASSPHRASE)
    }

    /// Runs in a subdirectory of the test directory instead of its root.
    pub fn current_dir(&mut self, rel: impl AsRef<Path>) -> &mut Self {
        self.current_dir = Some(self.root.join(rel));
        self
    }

    /// The command line as a shell would show it, with the environment given.
    pub fn command_line(&self) -> String {
        let mut line = String::new();
        for (k, v) in &self.env {
            let _ = write!(line, "{}={} ", k.to_string_lossy(), shell_quote(&v.to_string_lossy()));
        }
        line.push_str("countersign");
        for arg in &self.args {
            line.push(' ');
            line.push_str(&shell_quote(&arg.to_string_lossy()));
        }
        line
    }

    /// Runs the command to completion and captures what it did. Never panics on a non-zero
    /// exit; use [`Output::assert_code`].
    pub fn run(&self) -> Output {
        let mut cmd = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("countersign"));
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.env("HOME", self.root.join("home"));
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.args(&self.args);
        let cwd = self.current_dir.clone().unwrap_or_else(|| self.root.clone());
        cmd.current_dir(&cwd);
        cmd.timeout(TIMEOUT);
        let output = cmd.output().unwrap_or_else(|e| panic!("could not run `{}`: {e}\n\n{}", self.command_line(), listing(&self.root)));
        Output {
            command_line: self.command_line(),
            cwd,
            root: self.root.clone(),
            code: output.status.code(),
            stdout: output.stdout,
            stderr: output.stderr,
        }
    }
}

/// What a finished command did.
pub struct Output {
    command_line: String,
    cwd: PathBuf,
    root: PathBuf,
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Output {
    /// The exit code (a command killed by a signal or the timeout fails the test).
    #[track_caller]
    pub fn code(&self) -> i32 {
        match self.code {
            Some(code) => code,
            None => self.fail("the command was killed (signal or timeout) instead of exiting"),
        }
    }

    /// Standard output as text.
    #[track_caller]
    pub fn stdout(&self) -> String {
        match String::from_utf8(self.stdout.clone()) {
            Ok(text) => text,
            Err(e) => self.fail(&format!("stdout is not UTF-8: {e}")),
        }
    }

    /// Standard error as text.
    #[track_caller]
    pub fn stderr(&self) -> String {
        match String::from_utf8(self.stderr.clone()) {
            Ok(text) => text,
            Err(e) => self.fail(&format!("stderr is not UTF-8: {e}")),
        }
    }

    /// Standard output parsed as exactly one JSON document (surrounding whitespace allowed,
    /// anything else on stdout fails the test).
    #[track_caller]
    pub fn json(&self) -> Value {
        match serde_json::from_slice(&self.stdout) {
            Ok(json) => json,
            Err(e) => self.fail(&format!("stdout is not exactly one JSON document: {e}")),
        }
    }

    /// A string field of the JSON document on stdout.
    #[track_caller]
    pub fn json_str(&self, field: &str) -> String {
        match self.json().get(field) {
            Some(Value::String(s)) => s.clone(),
            other => self.fail(&format!("expected a string in JSON field {field:?}, found {other:?}")),
        }
    }

    /// The `code` of every finding in the JSON document, in order.
    #[track_caller]
    pub fn finding_codes(&self) -> Vec<String> {
        let json = self.json();
        let Some(findings) = json.get("findings").and_then(Value::as_array) else {
            self.fail("expected a `findings` array in the JSON document")
        };
        findings
            .iter()
            .map(|f| match f.get("code") {
                Some(Value::String(code)) => code.clone(),
                _ => self.fail(&format!("a finding without a string `code`: {f}")),
            })
            .collect()
    }

    /// Asserts the exit code; on mismatch, panics with everything.
    #[track_caller]
    pub fn assert_code(self, expected: i32) -> Self {
        if self.code != Some(expected) {
            self.fail(&format!("expected exit code {expected}"));
        }
        self
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn assert_success(self) -> Self {
        self.assert_code(0)
    }

    /// Asserts that stderr contains `needle`.
    #[track_caller]
    pub fn assert_stderr_contains(self, needle: &str) -> Self {
        if !self.stderr().contains(needle) {
            self.fail(&format!("expected stderr to contain {needle:?}"));
        }
        self
    }

    /// Asserts that stdout contains `needle`.
    #[track_caller]
    pub fn assert_stdout_contains(self, needle: &str) -> Self {
        if !self.stdout().contains(needle) {
            self.fail(&format!("expected stdout to contain {needle:?}"));
        }
        self
    }

    /// Asserts a verify-style result: the exit code, the `verdict` and that `code` is among the
    /// findings (`None`: no findings at all).
    #[track_caller]
    pub fn assert_verdict(self, exit: i32, verdict: &str, code: Option<&str>) -> Self {
        let out = self.assert_code(exit);
        let json = out.json();
        if json["verdict"] != verdict {
            out.fail(&format!("expected verdict {verdict:?}"));
        }
        let codes = out.finding_codes();
        match code {
            Some(code) if !codes.iter().any(|c| c == code) => out.fail(&format!("expected a finding {code:?}")),
            None if !codes.is_empty() => out.fail("expected no findings"),
            _ => {}
        }
        out
    }

    /// Fails the test unless `condition` holds, printing everything.
    #[track_caller]
    pub fn ensure(&self, condition: bool, what: &str) -> &Self {
        if !condition {
            self.fail(what);
        }
        self
    }

    /// Fails the test with `message`, the command, its exit code, stdout, stderr and a listing of
    /// the test directory.
    #[track_caller]
    pub fn fail(&self, message: &str) -> ! {
        panic!("\n{message}\n\n{self}")
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = match self.code {
            Some(code) => code.to_string(),
            None => "none (killed by a signal or the timeout)".to_string(),
        };
        writeln!(f, "--- command\n{}", self.command_line)?;
        writeln!(f, "--- in {}", self.cwd.display())?;
        writeln!(f, "--- exit code\n{code}")?;
        writeln!(f, "--- stdout\n{}", String::from_utf8_lossy(&self.stdout))?;
        writeln!(f, "--- stderr\n{}", String::from_utf8_lossy(&self.stderr))?;
        write!(f, "--- test directory {}\n{}", self.root.display(), listing(&self.root))
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// A recursive listing: `mode size path` for files, `path/` for directories.
fn listing(root: &Path) -> String {
    fn walk(root: &Path, dir: &Path, out: &mut String) {
        let mut entries: Vec<_> = match fs::read_dir(dir) {
            Ok(entries) => entries.filter_map(|e| e.ok()).collect(),
            Err(e) => {
                let _ = writeln!(out, "(cannot list {}: {e})", dir.display());
                return;
            }
        };
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => {
                    let _ = writeln!(out, "{:>4} {:>8}  {rel}/", mode(&meta), "");
                    walk(root, &path, out);
                }
                Ok(meta) => {
                    let _ = writeln!(out, "{:>4} {:>8}  {rel}", mode(&meta), meta.len());
                }
                Err(e) => {
                    let _ = writeln!(out, "(cannot stat {rel}: {e})");
                }
            }
        }
    }
    let mut out = String::new();
    walk(root, root, &mut out);
    if out.is_empty() {
        out.push_str("(empty)\n");
    }
    out
}

#[cfg(unix)]
fn mode(meta: &fs::Metadata) -> String {
    use std::os::unix::fs::PermissionsExt;
    format!("{:o}", meta.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode(_: &fs::Metadata) -> String {
    "-".into()
}

/// Quotes an argument for display when it holds anything but plain characters.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

// ---------------------------------------------------------------------------------------------
// Workspace helpers: a receiving organisation built through the CLI (`init`, `card export`,
// `user add`, `partner add`), its users acting with `--as`, and instructions signed for it.

/// The environment variable holding the organisation key's passphrase (`init`).
pub const ORG_PASSPHRASE_ENV: &str = "COUNTERSIGN_PASSPHRASE";
/// The environment variable holding the acting user's password.
pub const PASSWORD_ENV: &str = "COUNTERSIGN_PASSWORD";
/// The environment variable holding a new user's first password (`user add`).
pub const NEW_PASSWORD_ENV: &str = "COUNTERSIGN_NEW_PASSWORD";
/// The passphrase every test workspace seals its organisation key with.
pub const ORG_PASSPHRASE: &str = "organisation passphrase";
/// The on-file number [`Workspace::add_partner`] records unless the caller gives `--phone`.
pub const DEFAULT_PHONE: &str = "+49 30 1234567";

// The exit codes of the contract (CONTRACT.md), as the scenario tests name them.
/// Success (a verdict `accepted`).
pub const OK: i32 = 0;
/// A verdict `rejected`, or a check that failed.
pub const FAILED: i32 = 1;
/// A usage error or a file that cannot be read.
pub const USAGE: i32 = 2;
/// A verdict `hold`.
pub const HOLD: i32 = 3;
/// Not permitted (the role, a wrong passphrase).
pub const NOT_PERMITTED: i32 = 4;

/// Our organisation's account, as [`Workspace::set_our_account`] sets it.
pub const OUR_IBAN: &str = "DE75512108001245126199";
/// The account in Globex's contract, as [`Workspace::add_globex`] onboards it.
pub const GLOBEX_CONTRACT_IBAN: &str = "DE89370400440532013000";
/// The new account a Globex instruction names instead (bank details changed).
pub const GLOBEX_NEW_IBAN: &str = "DE02120300000000202051";

/// The password the helpers give `user`: its name and a suffix, at least 10 characters.
pub fn password_of(user: &str) -> String {
    format!("{user} password 1")
}

/// A workspace made by `init` in a directory of a [`TestDir`], with our organisation's card
/// exported beside it (partners sign `--to` that card); or a team workspace on a PostgreSQL
/// server, `data_dir` then being one desktop's own directory.
#[derive(Clone)]
pub struct Workspace<'a> {
    /// The test directory it lives in.
    pub dir: &'a TestDir,
    /// `--data-dir`, relative to the test directory.
    pub data_dir: String,
    /// Our organisation's legal name.
    pub org_name: String,
    /// The first admin's name.
    pub admin: String,
    /// Our card as `card export` wrote it, relative to the test directory.
    pub card: String,
    /// Our organisation key's fingerprint.
    pub fingerprint: String,
    /// `--database URL` of a team workspace.
    pub database: Option<String>,
}

impl TestDir {
    /// The `init` command for a workspace in `data_dir`, with the organisation passphrase and the
    /// first admin's password ([`password_of`]) in the environment.
    pub fn init_cmd(&self, data_dir: &str, org_name: &str, admin: &str) -> TestCommand {
        let mut cmd = self.countersign(&["--json", "--data-dir", data_dir, "init", "--org-name", org_name, "--admin", admin]);
        cmd.env(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE).env(PASSWORD_ENV, password_of(admin));
        cmd
    }

    /// Creates a workspace in `data_dir` with `init`, exports our card to `DATA_DIR.card` with
    /// `card export`, and checks both report the same fingerprint.
    #[track_caller]
    pub fn init_workspace(&self, data_dir: &str, org_name: &str, admin: &str) -> Workspace<'_> {
        self.init_workspace_at(data_dir, None, org_name, admin)
    }

    /// [`TestDir::init_workspace`] of a team workspace at `database`, from the desktop whose
    /// directory is `data_dir`.
    pub fn init_team_workspace(&self, data_dir: &str, database: &str, org_name: &str, admin: &str) -> Workspace<'_> {
        self.init_workspace_at(data_dir, Some(database), org_name, admin)
    }

    fn init_workspace_at(&self, data_dir: &str, database: Option<&str>, org_name: &str, admin: &str) -> Workspace<'_> {
        let mut init = self.init_cmd(data_dir, org_name, admin);
        if let Some(database) = database {
            init.args(&["--database", database]);
        }
        let init = init.run().assert_code(0);
        let fingerprint = init.json_str("fingerprint");
        let card = format!("{data_dir}.card");
        let ws = Workspace {
            dir: self,
            data_dir: data_dir.to_string(),
            org_name: org_name.to_string(),
            admin: admin.to_string(),
            card: card.clone(),
            fingerprint,
            database: database.map(str::to_string),
        };
        let export = ws.run(admin, &["--json", "card", "export", "--out", &card]).assert_code(0);
        export.ensure(export.json_str("fingerprint") == ws.fingerprint, "card export and init disagree on our fingerprint");
        ws
    }

    /// The office of the scenario tests: a workspace `ws` of Initech GmbH whose admin is alice,
    /// with clara (clerk) and `approvers`.
    #[track_caller]
    pub fn office(&self, approvers: &[&str]) -> Workspace<'_> {
        let ws = self.init_workspace("ws", "Initech GmbH", "alice");
        ws.add_user("clara", "clerk");
        for approver in approvers {
            ws.add_user(approver, "approver");
        }
        ws
    }

    /// Unlocks a key made by [`TestDir::keygen`] with the helpers' passphrase.
    #[track_caller]
    pub fn unlock(&self, key: &KeyFiles) -> countersign_core::format::keys::KeyPair {
        let file = countersign_core::format::keys::SecretKeyFile::from_bytes(&self.read(&key.key))
            .unwrap_or_else(|e| self.fail(&format!("{} is not a key file: {e}", key.key)));
        file.unlock(PASSPHRASE).unwrap_or_else(|e| self.fail(&format!("{} does not unlock: {e}", key.key)))
    }
}

/// Builds an instruction from DETAILS-style JSON with the library, as if signed at `now` for the
/// recipient with fingerprint `recipient`, lets `edit` change it (an invalid IBAN, a past
/// window: what `sign` rightly refuses to make), and signs it with `key`. Returns the file's bytes.
pub fn library_instruction(
    key: &countersign_core::format::keys::KeyPair,
    recipient: &str,
    details: &Value,
    id: &str,
    now: time::OffsetDateTime,
    edit: impl FnOnce(&mut countersign_core::format::instruction::Instruction),
) -> Vec<u8> {
    use countersign_core::format::envelope::{Envelope, FileKind};
    let recipient = countersign_core::format::fingerprint::Fingerprint::parse_canonical(recipient)
        .unwrap_or_else(|| panic!("not a canonical fingerprint: {recipient:?}"));
    let details = countersign_core::format::instruction::Details::from_json(details.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("invalid details {details}: {e}"));
    let mut instruction = details
        .to_instruction(id.to_string(), key.fingerprint(), recipient, now)
        .unwrap_or_else(|e| panic!("the details make no instruction: {e}"));
    edit(&mut instruction);
    Envelope::sign(FileKind::Instruction, key, instruction.to_payload_bytes()).to_bytes()
}

impl Workspace<'_> {
    /// A command acting in this workspace as `user` (`--data-dir`, `--as`, the user's
    /// [`password_of`] in the environment), followed by `args`.
    pub fn cmd(&self, user: &str, args: &[&str]) -> TestCommand {
        let mut cmd = self.dir.countersign(&["--data-dir", &self.data_dir, "--as", user]);
        if let Some(database) = &self.database {
            cmd.args(&["--database", database]);
        }
        cmd.args(args).env(PASSWORD_ENV, password_of(user));
        cmd
    }

    /// The same team workspace seen from another desktop, whose own directory is `data_dir`.
    pub fn on_desktop(&self, data_dir: &str) -> Workspace<'_> {
        Workspace { data_dir: data_dir.to_string(), ..self.clone() }
    }

    /// Runs `args` as `user`.
    pub fn run(&self, user: &str, args: &[&str]) -> Output {
        self.cmd(user, args).run()
    }

    /// Runs `args` as the first admin.
    pub fn admin(&self, args: &[&str]) -> Output {
        self.run(&self.admin, args)
    }

    /// Adds a user with `user add` (as the admin), password [`password_of`]; an approver or admin
    /// added once two people can check is a pending change, which another checker approves here.
    #[track_caller]
    pub fn add_user(&self, name: &str, role: &str) {
        let out = self
            .cmd(&self.admin, &["--json", "user", "add", "--name", name, "--role", role])
            .env(NEW_PASSWORD_ENV, password_of(name))
            .run()
            .assert_code(0);
        let out = self.applied(&self.admin, Some(name), out);
        let json = out.json();
        out.ensure(json["role"] == role || json["applied"]["role"] == role, "expected the role echoed");
    }

    /// An approver or admin other than `maker` and `about` who can approve a change (the first
    /// enabled one `user list` shows; each with the password [`password_of`]).
    #[track_caller]
    pub fn second_checker(&self, maker: &str, about: Option<&str>) -> String {
        let users = self.admin(&["--json", "user", "list"]).assert_code(0).json();
        users["users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["disabled"] == false && (u["role"] == "approver" || u["role"] == "admin"))
            .filter_map(|u| u["name"].as_str())
            .find(|n| *n != maker && Some(*n) != about)
            .unwrap_or_else(|| self.dir.fail(&format!("no second person to approve a change of {maker}")))
            .to_string()
    }

    /// `out` as it is if the command took effect; if it proposed a pending change, that change
    /// approved by a [`Workspace::second_checker`] (not `about`, whom it concerns), and the
    /// approval's output.
    #[track_caller]
    pub fn applied(&self, maker: &str, about: Option<&str>, out: Output) -> Output {
        let Some(id) = serde_json::from_str::<Value>(&out.stdout()).ok().and_then(|j| j["pending_change"]["id"].as_i64()) else {
            return out;
        };
        let checker = self.second_checker(maker, about);
        self.run(&checker, &["--json", "change", "approve", &id.to_string()]).assert_code(0)
    }

    /// Runs `args` as the first admin; a pending change it proposes is approved by a second
    /// person ([`Workspace::applied`]).
    #[track_caller]
    pub fn admin_applied(&self, args: &[&str]) -> Output {
        self.applied(&self.admin, None, self.admin(args))
    }

    /// Onboards a partner with `partner add` (as the admin), typing back the fingerprint
    /// `keygen` printed; records [`DEFAULT_PHONE`] unless `extra` has a `--phone`. Returns the
    /// partner id.
    #[track_caller]
    pub fn add_partner(&self, partner: &KeyFiles, extra: &[&str]) -> i64 {
        let mut args = vec!["--json", "partner", "add", "--card", &partner.card, "--confirm-fingerprint", &partner.fingerprint];
        if !extra.contains(&"--phone") {
            args.extend(["--phone", DEFAULT_PHONE]);
        }
        args.extend_from_slice(extra);
        let out = self.admin(&args).assert_code(0);
        let (out, id) = match out.json()["applied"]["partner_id"].as_i64() {
            None => {
                let approved = self.applied(&self.admin, None, out);
                let id = approved.json()["applied"]["partner_id"].as_i64();
                (approved, id)
            }
            id => (out, id),
        };
        let json = match id {
            Some(id) => self.partner_show(id),
            None => out.json(),
        };
        out.ensure(json["name"] == partner.name.as_str(), "expected the partner's name from the card");
        json["id"].as_i64().unwrap_or_else(|| out.fail("expected a numeric partner id"))
    }

    /// `partner show ID --json` as the admin.
    #[track_caller]
    pub fn partner_show(&self, id: i64) -> Value {
        self.admin(&["--json", "partner", "show", &id.to_string()]).assert_code(0).json()
    }

    /// The partner signs `details` for us with `sign` (details written to `OUT.details.json`).
    #[track_caller]
    pub fn sign(&self, from: &KeyFiles, details: &Value, out: &str) -> Signed {
        let details_file = self.dir.write_details(&format!("{out}.details.json"), details);
        let mut cmd =
            self.dir.countersign(&["--json", "sign", "--key", &from.key, "--to", &self.card, "--details", &details_file, "--out", out]);
        let run = cmd.passphrase().run().assert_code(0);
        Signed { file: out.to_string(), confirmation_code: run.json_str("confirmation_code"), id: run.json_str("id"), json: run.json() }
    }

    /// `verify --json FILE` as `user` (read-only).
    pub fn verify(&self, user: &str, file: &str) -> Output {
        self.run(user, &["--json", "verify", file])
    }

    /// `receive --json FILE…` as `user`.
    pub fn receive(&self, user: &str, files: &[&str]) -> Output {
        let mut args = vec!["--json", "receive"];
        args.extend_from_slice(files);
        self.run(user, &args)
    }

    /// Runs a callback on a held case as `clerk`: `case challenge`, then (to confirm) the
    /// partner's `respond` to that challenge with its copy `partner_copy`, and `case callback` to
    /// `dialed` with `outcome` (and the response, when confirmed). Returns the `case callback --json` output (not yet asserted).
    #[track_caller]
    pub fn callback(&self, clerk: &str, case_id: i64, partner_copy: &str, dialed: &str, outcome: &str) -> Output {
        let id = case_id.to_string();
        let challenge = self.run(clerk, &["--json", "case", "challenge", &id]).assert_code(0).json_str("challenge");
        let mut args = vec!["--json", "case", "callback", &id, "--dialed", dialed, "--reached", "the partner's accounts payable"];
        let response;
        if outcome == "confirmed" {
            response = self.dir.respond(&challenge, partner_copy).assert_code(0).json_str("response");
            args.extend(["--code", &response]);
        }
        args.extend(["--outcome", outcome]);
        self.run(clerk, &args)
    }
}

impl Workspace<'_> {
    /// Sets our organisation's account ([`OUR_IBAN`]) as the admin.
    #[track_caller]
    pub fn set_our_account(&self) {
        self.admin_applied(&["--json", "org", "account", "--iban", OUR_IBAN, "--bic", "SOGEDEFFXXX"]).assert_code(OK);
    }

    /// Globex Corporation (`keygen` to `globex.*`), onboarded with its contract account
    /// ([`GLOBEX_CONTRACT_IBAN`]): its key files and id.
    #[track_caller]
    pub fn add_globex(&self) -> (KeyFiles, i64) {
        let globex = self.dir.keygen("Globex Corporation", "globex");
        let id = self.add_partner(&globex, &["--iban", GLOBEX_CONTRACT_IBAN, "--bic", "COBADEFFXXX"]);
        (globex, id)
    }
}

/// `expected` as owned pairs, to compare with pairs read from JSON.
pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// The `code`s of a JSON `findings` array, in order.
pub fn codes_of(findings: &Value) -> Vec<String> {
    findings.as_array().map(|f| f.iter().filter_map(|f| f["code"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

impl Output {
    /// The `results` array of `receive --json`.
    #[track_caller]
    pub fn results(&self) -> Vec<Value> {
        match self.json().get("results").and_then(Value::as_array) {
            Some(results) => results.clone(),
            None => self.fail("expected a `results` array in the JSON document"),
        }
    }

    /// The one result of a single-file `receive --json`.
    #[track_caller]
    pub fn one_result(&self) -> Value {
        let results = self.results();
        let [result] = results.as_slice() else { self.fail("expected one result") };
        result.clone()
    }

    /// The `error.code` of a `--json` failure (empty when there is none).
    #[track_caller]
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }

    /// Asserts a single-file `receive`: the exit code, one result with the `verdict`, `code`
    /// among its findings (`None`: no findings at all) and a case opened for it. Returns the
    /// result.
    #[track_caller]
    pub fn assert_received(&self, exit: i32, verdict: &str, code: Option<&str>) -> Value {
        if self.code != Some(exit) {
            self.fail(&format!("expected exit code {exit}"));
        }
        let results = self.results();
        let [result] = results.as_slice() else { self.fail("expected exactly one result") };
        if result["verdict"] != verdict {
            self.fail(&format!("expected verdict {verdict:?}"));
        }
        let codes = codes_of(&result["findings"]);
        match code {
            Some(code) if !codes.iter().any(|c| c == code) => self.fail(&format!("expected a finding {code:?}")),
            None if !codes.is_empty() => self.fail("expected no findings"),
            _ => {}
        }
        if !result["case_id"].is_i64() {
            self.fail("expected a case_id for a received file");
        }
        result.clone()
    }
}
