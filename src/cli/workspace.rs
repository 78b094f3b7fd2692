//! The workspace half of the CLI: `init`, `card export`, `user`, `partner`, `verify` (with a
//! workspace) and `receive`. Each command opens the workspace, authenticates `--as USER`, calls
//! the service and prints its result; every rule is the service's.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use countersign_service::core::format::envelope::MAX_FILE_SIZE;
use countersign_service::files::{write_atomic, Sensitivity};
use countersign_service::{
    Assessment, Credentials, InitRequest, KeyRotation, Location, NewNumber, NewPartner, Outcome, Role, ServiceError, Session, Workspace,
};

use super::changes::report_outcome;
use super::exit::{CliError, CliResult, Exit};
use super::partner::{display, read_file};
use super::partner_views::{partner_json, partner_text, HistoryArg};
use super::report::{finding_json, finding_line, instruction_json, instruction_lines, more_line, Output, PageArgs};
use super::secrets::{read_new_secret, read_secret};
use super::GlobalArgs;
use countersign_service::Received;

/// The organisation key's passphrase.
const ORG_PASSPHRASE: &str = "COUNTERSIGN_PASSPHRASE";
/// The passphrase for a new organisation key (`org rotate-key`).
const NEW_ORG_PASSPHRASE: &str = "COUNTERSIGN_NEW_ORG_PASSPHRASE";
/// The acting user's password.
const PASSWORD: &str = "COUNTERSIGN_PASSWORD";
/// A new user's first password.
const NEW_PASSWORD: &str = "COUNTERSIGN_NEW_PASSWORD";
/// The acting user's one-time code.
const TOTP: &str = "COUNTERSIGN_TOTP";

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> Self {
        let exit = match &e {
            ServiceError::AuthenticationFailed(_) | ServiceError::NotPermitted(_) | ServiceError::NumberWithheld(_) => Exit::NotPermitted,
            ServiceError::CheckFailed(_)
            | ServiceError::StateUnverified(_)
            | ServiceError::CoolingOff(_)
            | ServiceError::RecoveryKeyRequired(_) => Exit::Failed,
            ServiceError::PartnerFrozen(_) => Exit::Failed,
            ServiceError::InvalidInput(_)
            | ServiceError::NotFound(_)
            | ServiceError::TooLarge(_)
            | ServiceError::PaymentFileInvalid(_)
            | ServiceError::Store(_) => Exit::Usage,
        };
        CliError { exit, code: e.code(), message: e.to_string() }
    }
}

#[derive(Args)]
pub struct InitArgs {
    /// The organisation's legal name.
    #[arg(long)]
    org_name: String,
    /// The first admin's user name (password from COUNTERSIGN_PASSWORD or a prompt).
    #[arg(long)]
    admin: String,
    /// With --database: the role the team's desktops connect with, granted what they need and no
    /// more (it must exist on the server; init itself runs as the schema's owner).
    #[arg(long, value_name = "ROLE", requires = "database")]
    app_role: Option<String>,
}

#[derive(Subcommand)]
pub enum CardCommand {
    /// Write our organisation's partner card, to hand to partners.
    Export {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user (admin only); first password from COUNTERSIGN_NEW_PASSWORD or a prompt.
    Add {
        /// Login name.
        #[arg(long)]
        name: String,
        /// clerk, approver, admin or auditor.
        #[arg(long)]
        role: String,
    },
    /// List users and roles, by name (admin, auditor).
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// Disable a user (admin only): they can do nothing until enabled again.
    Disable {
        /// Login name.
        #[arg(long)]
        name: String,
    },
    /// Enable a disabled user (admin only).
    Enable {
        /// Login name.
        #[arg(long)]
        name: String,
    },
    /// Enrol a TOTP second factor for yourself (the acting user); prints the secret and a QR code.
    TotpEnrol,
    /// Set a new first password for another user (admin only), from COUNTERSIGN_NEW_PASSWORD or
    /// a prompt; their second factor, if any, must be enrolled again.
    ResetPassword {
        /// Login name.
        #[arg(long)]
        name: String,
    },
    /// Change your own password: the current one from COUNTERSIGN_PASSWORD (or the prompt),
    /// the new one from COUNTERSIGN_NEW_PASSWORD or a prompt.
    Password,
}

#[derive(Subcommand)]
pub enum PartnerCommand {
    /// Onboard a partner; pins the key only if FPR matches the card.
    Add(PartnerAddArgs),
    /// List partners, by id.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// Show a partner: a summary, keys, contacts, the account history; with --limit, the first
    /// page of each history; with --history, one page of that history.
    Show {
        /// Partner id.
        id: i64,
        /// Page through this history alone (with --limit and --after).
        #[arg(long, value_enum, value_name = "H")]
        history: Option<HistoryArg>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Accept a key-rotation statement (admin only).
    RotateKey {
        /// Partner id.
        id: i64,
        /// The statement the partner made with `countersign rotate`.
        #[arg(long)]
        statement: PathBuf,
        /// The new key's fingerprint, as the partner read it back on a call to a number on file.
        #[arg(long, value_name = "FPR")]
        confirm_fingerprint: String,
        /// The number dialled for that call (one on file for the partner).
        #[arg(long, value_name = "NUM")]
        dialed: String,
    },
    /// Put one more number on file for a partner (admin only; a change a second person approves).
    /// It is never offered for the callback of an instruction that arrived before it.
    AddPhone {
        /// Partner id.
        id: i64,
        /// The number, from an independent source (never from an email), optionally with its
        /// label: `NUM` or `NUM=LABEL`.
        #[arg(long, value_name = "NUM[=LABEL]")]
        phone: String,
    },
    /// Lift a partner's freeze after a callback to a number on file in which the partner
    /// confirmed it (admin only; a change a second person approves).
    Unfreeze {
        /// Partner id.
        id: i64,
        /// The number dialled (one on file for the partner).
        #[arg(long, value_name = "NUM")]
        callback_number: String,
        /// What the partner said.
        #[arg(long, value_enum)]
        outcome: super::cases::Outcome,
        /// Which freeze, when several stand.
        #[arg(long = "freeze", value_name = "ID")]
        freeze_id: Option<String>,
    },
    /// Revoke a partner's key (admin only): on our own decision (--reason), or on a revocation the
    /// partner signed with its recovery key (--statement); either applies at once.
    RevokeKey {
        /// Partner id.
        id: i64,
        /// Why.
        #[arg(long, required_unless_present = "statement")]
        reason: Option<String>,
        /// Which key, when the partner has several.
        #[arg(long, value_name = "FPR", conflicts_with = "statement")]
        fingerprint: Option<String>,
        /// A revocation the partner signed with its recovery key (`countersign revoke
        /// --with-recovery`): it names the key and the reason.
        #[arg(long, value_name = "FILE", conflicts_with = "reason")]
        statement: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct PartnerAddArgs {
    /// The partner's card.
    #[arg(long)]
    card: PathBuf,
    /// The fingerprint as read back with the partner over the phone (spaces, dashes ignored).
    #[arg(long, value_name = "FPR")]
    confirm_fingerprint: String,
    /// On-file phone number from the contract or the onboarding call, optionally with its label:
    /// `NUM` or `NUM=LABEL` (repeatable; at least one, unless --card-phones gives one).
    #[arg(long = "phone", value_name = "NUM[=LABEL]")]
    phones: Vec<String>,
    /// Also put on file the phone numbers the partner's signed card lists, with its labels.
    #[arg(long)]
    card_phones: bool,
    /// Registered email domain (repeatable).
    #[arg(long = "domain", value_name = "D")]
    domains: Vec<String>,
    /// Country (ISO 3166 alpha-2; default: the card's).
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// The account known from the contract (with --bic).
    #[arg(long, requires = "bic")]
    iban: Option<String>,
    /// The bank of --iban.
    #[arg(long, requires = "iban")]
    bic: Option<String>,
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Set our organisation's own bank account (admin only): the debtor in pain.001, the
    /// details `issue` signs.
    Account {
        /// IBAN.
        #[arg(long)]
        iban: String,
        /// BIC.
        #[arg(long)]
        bic: String,
        /// Account holder (default: the organisation's name).
        #[arg(long)]
        name: Option<String>,
        /// The account's currency.
        #[arg(long, default_value = "EUR")]
        currency: String,
    },
    /// Set our organisation's email domains (admin only): look-alikes of them in an email that
    /// carried an instruction are flagged.
    Domains {
        /// A domain (repeatable).
        #[arg(long = "domain", value_name = "D", required = true)]
        domains: Vec<String>,
    },
    /// Write a backup of the organisation key (admin only): the sealed key file, still
    /// encrypted under the passphrase (COUNTERSIGN_PASSPHRASE or a prompt), which must open it.
    BackupKey {
        /// Where to write it (must not exist; written with mode 0600).
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the organisation key with a new one (admin only) and write the rotation
    /// statement, signed by the current key, for every partner to accept.
    RotateKey {
        /// Where to write the rotation statement (must not exist).
        #[arg(long, value_name = "STATEMENT")]
        out: PathBuf,
        /// Also write the new key's card here.
        #[arg(long, value_name = "CARD")]
        new_card_out: Option<PathBuf>,
        /// Seal the new key under the current passphrase instead of asking for a new one.
        #[arg(long)]
        keep_passphrase: bool,
    },
}

#[derive(Args)]
pub struct IssueArgs {
    /// The partner to send our bank details to.
    #[arg(long = "to", value_name = "PARTNER_ID")]
    partner: i64,
    /// Where to write the signed instruction.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Show the workspace's policy.
    Show,
    /// Change one setting of the policy (admin only), e.g. `policy set amount_unusual_factor 5`.
    Set {
        /// The setting's name (see `policy show`).
        name: String,
        /// Its new value (a number, or true/false).
        value: String,
    },
}

#[derive(Args)]
pub struct ReceiveArgs {
    /// Signed instruction files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The email that carried them.
    #[arg(long, value_name = "MSG.eml")]
    email: Option<PathBuf>,
}

/// The workspace directory: --data-dir, COUNTERSIGN_DATA_DIR, or the platform default.
pub(super) fn data_dir(global: &GlobalArgs) -> Result<PathBuf, CliError> {
    match &global.data_dir {
        Some(dir) => Ok(dir.clone()),
        None => countersign_service::default_data_dir()
            .ok_or_else(|| CliError::usage("no_data_dir", "no platform data directory: give --data-dir")),
    }
}

fn open(global: &GlobalArgs) -> Result<Workspace, CliError> {
    Ok(Workspace::open_at(&super::team::location(global)?)?)
}

/// Opens the workspace and logs in as --as USER.
pub(super) fn open_as(global: &GlobalArgs) -> Result<(Workspace, Session), CliError> {
    let Some(user) = &global.acting_user else {
        return Err(CliError::usage("no_user", "this command reads or changes a workspace: say who you are with --as USER"));
    };
    let mut ws = open(global)?;
    let password = read_secret(PASSWORD, &format!("Password for {user}"))?;
    let totp = match std::env::var(TOTP) {
        Ok(code) => Some(code),
        Err(_) if std::io::stdin().is_terminal() && ws.totp_enrolled(user)? => {
            Some(read_secret(TOTP, &format!("One-time code for {user}"))?.to_string())
        }
        Err(_) => None,
    };
    let session = ws.login(&Credentials { user, password: &password, totp: totp.as_deref() })?;
    warn_of_unsaved_bank_files(&mut ws, &session);
    Ok((ws, session))
}

/// Says, on stderr, which releases were interrupted before their bank file was written (issue
/// 16): each can be written again, identical.
fn warn_of_unsaved_bank_files(ws: &mut Workspace, session: &Session) {
    for id in ws.unsaved_bank_files(session).unwrap_or_default() {
        eprintln!(
            "countersign: case {id} was released, but its bank file was never saved: write it again, identical, with `countersign case export {id} --export FORMAT --out FILE`"
        );
    }
}

pub fn init(args: &InitArgs, global: &GlobalArgs, output: Output) -> CliResult {
    let location = super::team::location(global)?;
    let passphrase = read_new_secret(ORG_PASSPHRASE, "Passphrase for the organisation key")?;
    let password = read_new_secret(PASSWORD, &format!("Password for {}", args.admin))?;
    let request = InitRequest { org_name: &args.org_name, admin_name: &args.admin, org_passphrase: &passphrase, admin_password: &password };
    let mut ws = match &location {
        Location::Directory(dir) => Workspace::init(dir, &request)?,
        Location::Team { url, local } => Workspace::init_team(url, local, args.app_role.as_deref(), &request)?,
    };
    let fingerprint = ws.org_fingerprint()?.to_string();
    let dir = display(location.local_dir());
    let database = match &location {
        Location::Team { url, .. } => Some(url.to_string()),
        Location::Directory(_) => None,
    };
    let mut report = json!({ "data_dir": dir, "org_name": args.org_name, "fingerprint": fingerprint, "admin": args.admin });
    if let Some(database) = &database {
        report["database"] = json!(database);
    }
    output.emit(report, || {
        format!("Created the workspace of {} in {location}.\nOrganisation fingerprint: {fingerprint}\nAdmin: {}", args.org_name, args.admin)
    });
    Ok(Exit::Success)
}

pub fn card(command: &CardCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let CardCommand::Export { out } = command;
    let (mut ws, session) = open_as(global)?;
    let card = ws.org_card(&session)?;
    write_atomic(out, &card, Sensitivity::Public, true)?;
    let fingerprint = ws.org_fingerprint()?.to_string();
    output.emit(json!({ "out": display(out), "fingerprint": fingerprint }), || {
        format!("Wrote our partner card to {}.\nFingerprint: {fingerprint}", display(out))
    });
    Ok(Exit::Success)
}

pub fn user(command: &UserCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    match command {
        UserCommand::Add { name, role } => {
            let role = Role::parse(role).map_err(ServiceError::from)?;
            let password = read_new_secret(NEW_PASSWORD, &format!("First password for {name}"))?;
            let outcome = ws.add_user(&session, name, role, &password)?;
            return report_outcome(outcome, output, |_| {
                (json!({ "name": name, "role": role.as_str() }), format!("Added {name} ({}).", role.as_str()))
            });
        }
        UserCommand::List { page } => {
            let listed = ws.users_page(&session, &page.page()?)?;
            let users = &listed.items;
            output.emit(
                json!({
                    "users": users.iter().map(|u| json!({ "id": u.id, "name": u.name, "role": u.role.as_str(), "disabled": u.disabled })).collect::<Vec<_>>(),
                    "next": listed.next,
                }),
                || {
                    let lines = users.iter().map(|u| format!("{:<20} {:<9}{}\n", u.name, u.role.as_str(), if u.disabled { " (disabled)" } else { "" }));
                    lines.chain([more_line(listed.next)]).collect()
                },
            );
        }
        UserCommand::Disable { name } | UserCommand::Enable { name } => {
            let disabled = matches!(command, UserCommand::Disable { .. });
            let outcome = ws.set_user_disabled(&session, name, disabled)?;
            let word = if disabled { "disabled" } else { "enabled" };
            return report_outcome(outcome, output, |_| (json!({ "name": name, "disabled": disabled }), format!("{name} is {word}.")));
        }
        UserCommand::ResetPassword { name } => {
            let password = read_new_secret(NEW_PASSWORD, &format!("New password for {name}"))?;
            let outcome = ws.reset_password(&session, name, &password)?;
            return report_outcome(outcome, output, |_| {
                let text = format!("{name} has a new password; they sign in with it (and enrol a second factor again if they had one).");
                (json!({ "name": name, "reset": true }), text)
            });
        }
        UserCommand::Password => {
            let current = read_secret(PASSWORD, &format!("Current password for {}", session.user()))?;
            let new_password = read_new_secret(NEW_PASSWORD, "New password")?;
            ws.change_password(&session, &current, &new_password)?;
            output.emit(json!({ "name": session.user(), "changed": true }), || format!("Changed the password of {}.", session.user()));
        }
        UserCommand::TotpEnrol => {
            let password = read_secret(PASSWORD, &format!("Password for {}", session.user()))?;
            let secret = ws.enrol_totp(&session, &password)?;
            let uri = secret.otpauth_uri(session.user());
            let qr = countersign_service::core::export::qr::Qr::new(&uri).map_err(|e| CliError::usage("qr_failed", e.to_string()))?;
            output.emit(json!({ "otpauth_uri": uri.as_str(), "secret": secret.to_base32().as_str() }), || {
                let mut text = format!(
                    "Scan this with your authenticator app, or type the secret {}.\nFrom now on, logging in as {} needs the current code (COUNTERSIGN_TOTP).\n",
                    secret.to_base32().as_str(),
                    session.user()
                );
                if std::io::stdout().is_terminal() {
                    text += &qr.to_terminal();
                }
                text
            });
        }
    }
    Ok(Exit::Success)
}

pub fn partner(command: &PartnerCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    match command {
        PartnerCommand::Add(args) => {
            let card = read_file(&args.card, MAX_FILE_SIZE)?;
            let phones: Vec<NewNumber> = args.phones.iter().map(|p| new_number(p)).collect();
            let outcome = ws.add_partner(
                &session,
                &NewPartner {
                    card: &card,
                    confirm_fingerprint: &args.confirm_fingerprint,
                    phones: &phones,
                    card_numbers: args.card_phones,
                    domains: &args.domains,
                    country: args.country.as_deref(),
                    known_account: args.iban.as_deref().zip(args.bic.as_deref()),
                },
            )?;
            let Outcome::Applied(applied) = outcome else { return report_outcome(outcome, output, |v| (v, String::new())) };
            let id = applied["partner_id"].as_i64().unwrap_or_default();
            let detail = ws.partner(&session, id)?;
            output.emit(partner_json(&detail), || {
                format!("Pinned the key of {} as partner {id}.\n{}", detail.summary.name, partner_text(&detail))
            });
        }
        PartnerCommand::List { page } => super::partner_views::list(&mut ws, &session, page, output)?,
        PartnerCommand::Show { id, history, page } => super::partner_views::show(&mut ws, &session, *id, *history, page, output)?,
        PartnerCommand::RotateKey { id, statement, confirm_fingerprint, dialed } => {
            let bytes = read_file(statement, MAX_FILE_SIZE)?;
            let rotation = KeyRotation { statement: &bytes, confirm_fingerprint, dialed };
            let outcome = ws.rotate_partner_key(&session, *id, &rotation)?;
            return report_outcome(outcome, output, |applied| {
                let new = applied["new"].as_str().unwrap_or_default().to_string();
                let old_status = applied["old_status"].as_str().unwrap_or("retired");
                (json!({ "partner": id, "new_key": new }), format!("Partner {id} now signs with {new}; the previous key is {old_status}."))
            });
        }
        PartnerCommand::AddPhone { id, phone } => {
            let outcome = ws.add_partner_phone(&session, *id, &new_number(phone))?;
            return report_outcome(outcome, output, |applied| {
                let number = applied["number"].as_str().unwrap_or_default().to_string();
                (json!({ "partner": id, "number": number }), format!("{number} is on file for partner {id}."))
            });
        }
        PartnerCommand::RevokeKey { id, reason, fingerprint, statement } => {
            let revoked = match (statement, reason) {
                (Some(statement), _) => ws.revoke_partner_key_with_recovery(&session, *id, &read_file(statement, MAX_FILE_SIZE)?)?,
                (None, Some(reason)) => ws.revoke_partner_key(&session, *id, fingerprint.as_deref(), reason)?,
                (None, None) => return Err(CliError::usage("invalid_argument", "give --reason TEXT or --statement FILE")),
            };
            let by_recovery = statement.is_some();
            output.emit(json!({ "partner": id, "revoked": revoked, "by_recovery_key": by_recovery }), || {
                let how = if by_recovery { " on its recovery key's statement" } else { "" };
                format!("Revoked {revoked} of partner {id}{how}: it will never verify an instruction again.")
            });
        }
        PartnerCommand::Unfreeze { id, callback_number, outcome, freeze_id } => {
            return super::freeze::unfreeze(&mut ws, &session, *id, freeze_id.as_deref(), callback_number, *outcome, output);
        }
    }
    Ok(Exit::Success)
}

/// A number as `--phone` gives it: `NUM` or `NUM=LABEL` (a number never holds `=`).
fn new_number(text: &str) -> NewNumber {
    match text.split_once('=') {
        Some((number, label)) => NewNumber { number: number.trim().to_string(), label: Some(label.to_string()) },
        None => NewNumber::plain(text),
    }
}

/// The contract's object for one assessed file.
fn assessment_json(a: &Assessment) -> Value {
    json!({
        "file": a.file_name,
        "file_sha256": a.file_sha256,
        "verdict": a.verdict().as_str(),
        "findings": a.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "confirmation_code": a.confirmation_code,
        "signer": a.signer,
        "partner": a.partner.as_ref().map(|p| json!({ "id": p.id, "name": p.name })),
        "instruction": a.instruction.as_ref().map(|s| instruction_json(&s.instruction)),
        "case_id": a.case_id,
        "email_sha256": a.email_sha256,
    })
}

fn assessment_text(a: &Assessment) -> String {
    let mut out = format!("{:<9} {}", a.verdict().as_str().to_uppercase(), a.file_name);
    if let Some(id) = a.case_id {
        out += &format!("  (case {id})");
    }
    out.push('\n');
    match (&a.partner, &a.signer) {
        (Some(p), Some(s)) => out += &format!("  partner       {} (partner {}, key {s})\n", p.name, p.id),
        (None, Some(s)) => out += &format!("  signer        {s} (not a pinned partner key)\n"),
        _ => {}
    }
    if let Some(code) = &a.confirmation_code {
        out += &format!("  confirmation  {code}\n");
    }
    if let Some(s) = &a.instruction {
        out += &instruction_lines(&s.instruction);
    }
    if a.findings.is_empty() {
        out += "  no findings\n";
    }
    for f in &a.findings {
        out += &finding_line(f);
        out.push('\n');
    }
    out
}

/// `verify FILE` with a workspace.
pub fn verify_in_workspace(file: &Path, email: Option<&Path>, global: &GlobalArgs, output: Output) -> CliResult {
    // A team workspace is checked when it is opened; a directory first for a workspace at all.
    if let Location::Directory(dir) = super::team::location(global)? {
        if Workspace::exists(&dir) {
            return verify_opened(file, email, global, output);
        }
        return Err(CliError::usage(
            "no_workspace",
            format!(
                "no workspace at {} to verify against; create one with `countersign init`, or check the file against one partner's card with --signer CARD",
                display(&dir)
            ),
        ));
    }
    verify_opened(file, email, global, output)
}

fn verify_opened(file: &Path, email: Option<&Path>, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    let bytes = read_file(file, MAX_FILE_SIZE)?;
    let email = email.map(read_email_file).transpose()?;
    let assessment = ws.verify(&session, &display(file), &bytes, email.as_deref())?;
    output.emit(assessment_json(&assessment), || assessment_text(&assessment));
    Ok(Exit::for_verdict(assessment.verdict()))
}

/// Reads the .eml given with --email: at most one byte more than the email rules accept, so the
/// service can tell a message that is too large (and refuse it before anything is recorded).
fn read_email_file(path: &Path) -> Result<Vec<u8>, CliError> {
    read_file(path, countersign_service::core::assess::email::MAX_EMAIL_SIZE)
}

pub fn receive(args: &ReceiveArgs, global: &GlobalArgs, output: Output) -> CliResult {
    let email = args.email.as_deref().map(read_email_file).transpose()?;
    // Read every file first: a missing file is a usage error before anything is recorded.
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        files.push((display(path), read_file(path, MAX_FILE_SIZE)?));
    }
    let (mut ws, session) = open_as(global)?;
    let bar = if !output.json && std::io::stderr().is_terminal() && files.len() > 1 {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed}").expect("valid template"));
        Some(bar)
    } else {
        None
    };
    let results = ws.receive_files(&session, &files, email.as_deref(), &mut |done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let results = results?;
    let worst = results.iter().map(|r| Exit::for_verdict(r.verdict())).max_by_key(|e| e.rank()).unwrap_or(Exit::Success);
    let (json_of, text_of) = (
        |r: &Received| match r {
            Received::Instruction(a) => assessment_json(a),
            Received::Notice(n) => super::freeze::notice_json(n),
        },
        |r: &Received| match r {
            Received::Instruction(a) => assessment_text(a),
            Received::Notice(n) => super::freeze::notice_text(n),
        },
    );
    output.emit(json!({ "results": results.iter().map(json_of).collect::<Vec<_>>() }), || {
        results.iter().map(text_of).collect::<Vec<_>>().join("\n")
    });
    Ok(worst)
}

pub fn policy(command: &PolicyCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    let mut current = serde_json::to_value(ws.policy()?).expect("serialises");
    if let PolicyCommand::Set { name, value } = command {
        let Some(slot) = current.get_mut(name.as_str()) else {
            let names: Vec<&String> = current.as_object().expect("object").keys().collect();
            return Err(CliError::usage("invalid_argument", format!("no policy setting {name:?}; the settings are {names:?}")));
        };
        *slot = serde_json::from_str(value)
            .map_err(|_| CliError::usage("invalid_argument", format!("{value:?} is not a number or true/false")))?;
        let policy: countersign_service::WorkspacePolicy =
            serde_json::from_value(current.clone()).map_err(|e| CliError::usage("invalid_argument", format!("{name}: {e}")))?;
        if let Outcome::Pending(change) = ws.set_policy(&session, &policy)? {
            return report_outcome(Outcome::Pending(change), output, |v| (v, String::new()));
        }
    }
    output.emit(current.clone(), || current.as_object().expect("object").iter().map(|(k, v)| policy_line(k, v)).collect());
    Ok(Exit::Success)
}

/// One line of `policy show`; the cooling-off says what its value means, 0 included (issue 20).
fn policy_line(name: &str, value: &Value) -> String {
    match (name, value.as_u64()) {
        ("cooling_off_hours", Some(0)) => {
            format!("{name:<36} {value}  (no cooling-off: a payment to a changed account may be released at once)\n")
        }
        ("cooling_off_hours", Some(hours)) => format!(
            "{name:<36} {value}  (the first payments to a changed account wait {hours} hours before release; 0 would mean no wait)\n"
        ),
        _ => format!("{name:<36} {value}\n"),
    }
}

pub fn org(command: &OrgCommand, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    match command {
        OrgCommand::Account { iban, bic, name, currency } => {
            let outcome = ws.set_org_account(&session, name.as_deref(), iban, bic, currency)?;
            return report_outcome(outcome, output, |account| {
                let text = |f: &str| account[f].as_str().unwrap_or_default().to_string();
                let line = format!("Our account: {} · {} · {} ({})", text("name"), text("iban"), text("bic"), text("currency"));
                (account, line)
            });
        }
        OrgCommand::Domains { domains } => {
            let domains = ws.set_org_domains(&session, domains)?;
            output.emit(json!({ "domains": domains }), || format!("Our email domains: {}", domains.join(", ")));
        }
        OrgCommand::BackupKey { out } => {
            if out.exists() {
                return Err(CliError::usage("file_exists", format!("{} already exists", display(out))));
            }
            let passphrase = read_secret(ORG_PASSPHRASE, "Passphrase of the organisation key")?;
            let fingerprint = ws.backup_org_key(&session, &passphrase, out)?.to_string();
            output.emit(json!({ "out": display(out), "fingerprint": fingerprint }), || {
                format!(
                    "Wrote a backup of the organisation key {fingerprint} to {}.\nIt is encrypted under the organisation passphrase: keep the two apart.",
                    display(out)
                )
            });
        }
        OrgCommand::RotateKey { out, new_card_out, keep_passphrase } => {
            for path in std::iter::once(out).chain(new_card_out) {
                if path.exists() {
                    return Err(CliError::usage("file_exists", format!("{} already exists", display(path))));
                }
            }
            let passphrase = read_secret(ORG_PASSPHRASE, "Passphrase of the organisation key")?;
            let new_passphrase = if *keep_passphrase {
                passphrase.clone()
            } else {
                read_new_secret(NEW_ORG_PASSPHRASE, "Passphrase for the new organisation key")?
            };
            let rotation = ws.rotate_org_key(
                &session,
                &countersign_service::OrgKeyRotationRequest {
                    passphrase: &passphrase,
                    new_passphrase: &new_passphrase,
                    statement_out: out,
                    card_out: new_card_out.as_deref(),
                },
            )?;
            let (old, new) = (rotation.old_fingerprint.to_string(), rotation.new_fingerprint.to_string());
            let mut result = json!({ "old_key": old, "new_key": new, "out": display(out) });
            if let Some(card) = new_card_out {
                result["new_card_out"] = json!(display(card));
            }
            output.emit(result, || {
                format!(
                    "Our organisation key is now {new}; {old} is retired.\nWrote the rotation statement to {}: send it to every partner, whose admin accepts it (partner rotate-key).\nInstructions still addressed to the retired key are rejected (wrong_recipient).",
                    display(out)
                )
            });
        }
    }
    Ok(Exit::Success)
}

pub fn issue(args: &IssueArgs, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    if args.out.exists() {
        return Err(CliError::usage("file_exists", format!("{} already exists", display(&args.out))));
    }
    let passphrase = read_secret(ORG_PASSPHRASE, "Passphrase of the organisation key")?;
    let issued = ws.issue(&session, args.partner, &passphrase)?;
    write_atomic(&args.out, &issued.bytes, Sensitivity::Public, false)?;
    output.emit(
        json!({ "confirmation_code": issued.confirmation_code, "id": issued.id, "out": display(&args.out), "partner": args.partner }),
        || {
            format!(
                "Signed our bank details for {} in {}.\nConfirmation code: {}",
                issued.partner_name,
                display(&args.out),
                issued.confirmation_code
            )
        },
    );
    Ok(Exit::Success)
}

/// `respond --issued ID`: the partner's side of a callback about an instruction this workspace
/// issued, answered by the service from its own copy with the organisation key and logged
/// (`instruction.respond`), as the desktop app's "Answer a callback" does.
pub fn respond_issued(id: &str, challenge: &str, global: &GlobalArgs, output: Output) -> CliResult {
    let (mut ws, session) = open_as(global)?;
    let passphrase = read_secret(ORG_PASSPHRASE, "Passphrase of the organisation key")?;
    let answer = ws.answer_callback(&session, id, challenge, &passphrase)?;
    let i = &answer.instruction;
    output.emit(
        json!({
            "response": answer.response,
            "signature_checked": true,
            "format_version": i.format_version,
            "challenge": answer.challenge,
            "confirmation_code": i.confirmation_code,
            "last4": i.account_last4,
            "id": i.id,
            "partner": i.partner_name,
        }),
        || {
            format!(
                "Response: {}\nRead it to the caller once they have read you this confirmation code:\n  confirmation  {}\n  issued to     {} ({})\n  account       ending {}",
                answer.response, i.confirmation_code, i.partner_name, i.issued_at, i.account_last4
            )
        },
    );
    Ok(Exit::Success)
}
