//! The service API: the one door every front end (CLI, desktop app, tests) goes through. It
//! opens a workspace, authenticates the acting user, checks their role, and runs each
//! operation in one transaction together with its audit event. Rules live here and in the pure
//! modules it calls, never in a shell.

#![forbid(unsafe_code)]

/// The core's types, for the shells: they name this crate only.
pub use countersign_core as core;
/// The operating system's random source, which the service (and a shell making a key) passes to
/// the core wherever it needs randomness.
pub use rand_core::OsRng;

mod access;
mod activity;
mod answering;
mod audit;
mod backup;
mod case_list;
mod cases;
mod changes;
mod checklist;
mod clock;
mod email_evidence;
mod error_text;
pub mod files;
mod freezes;
mod keyring;
mod lookalikes;
mod marks;
mod moving;
mod name_checks;
mod org_keys;
mod organisation;
mod partners;
mod queue;
mod receiving;
mod recovery;
mod screening;
mod statements;
mod team;
#[cfg(test)]
mod test_support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use time::OffsetDateTime;

use changes::ChangeRequest;
use countersign_core::cases::policy::Policy;
use countersign_core::changes::{ChangeKind, ProposedEffect};
use countersign_core::encoding::format_utc;
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::keys::{KeyPair, SecretKeyFile};
use countersign_store::postgres::PgStore;
use countersign_store::prelude::*;
use countersign_store::sqlite::SqliteStore;
use countersign_store::{StoreError, Tx};

pub use countersign_store::postgres::DatabaseUrl;
pub use team::{kept_log_path, ChangeWatcher, KeptLog, TEAM_FILE};

pub use access::{Credentials, Permission, Role, Session, UserSummary};
pub use answering::{CallbackAnswer, IssuedStanding, IssuedSummary};
pub use audit::AuditReport;
pub use backup::{BackupReport, RestoreReport};
pub use case_list::CaseListQuery;
pub use cases::{
    CallbackReport, CaseDetail, CoolingOffView, EarlyRelease, Export, ExportFormat, ExportedBankFile, NumberOnFile, CHALLENGE_LIFETIME,
};
pub use changes::{ChangeView, Outcome, PendingChange, WorkspaceMode};
pub use checklist::SetupChecklist;
pub use countersign_core::audit::activity::DayActivity;
pub use countersign_core::cases::policy::Policy as WorkspacePolicy;
pub use countersign_store::PartnerCounts;
pub use error_text::{ErrorDetail, ErrorText, ERROR_DETAILS};
pub use freezes::{FreezeView, FrozenPartner, NoticeKind, NoticeOutcome, NoticeReceipt, Received};
pub use keyring::holds_callback_key;
pub use marks::FraudMarkView;
pub use moving::{MoveReport, MOVED_NOTE};
pub use name_checks::MAX_EVIDENCE_SIZE;
pub use org_keys::{OrgKeyRotation, OrgKeyRotationRequest, RetiredOrgKey};
pub use organisation::{IssuedInstruction, OrgAccount};
pub use partners::{
    AccountView, HistoryCursors, HistoryPage, KeyRotation, NewNumber, NewPartner, PartnerDetail, PartnerHistory, PartnerSummary, PhoneView,
};
pub use queue::{QueueGroup, WorkQueue};
pub use receiving::{Assessment, InstructionSummary, PartnerRef};
pub use recovery::{pinned_recovery_key, PinnedRecoveryKey};
pub use screening::{ApprovedCopy, FileCheck, FileStanding, ScreenedFile, ScreeningRecord, SCREEN_ACTION};

/// Errors of the service, each with a stable [`ServiceError::code`]; the shells map them to
/// exit codes and `{code, message}` objects.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Wrong password, passphrase or second factor; unknown or disabled user; locked account.
    #[error("{0}")]
    AuthenticationFailed(ErrorText),
    /// The acting user's role does not allow this, or dual control forbids it.
    #[error("{0}")]
    NotPermitted(ErrorText),
    /// The number dialled is on file but not offered for this case's callback (issue 20): it
    /// appears in the email that came with the instruction, or was put on file after it arrived;
    /// the message says which.
    #[error("{0}")]
    NumberWithheld(ErrorText),
    /// The input is not acceptable; the message names the problem.
    #[error("{0}")]
    InvalidInput(ErrorText),
    /// A check failed (a fingerprint that does not match, a wrong response).
    #[error("{0}")]
    CheckFailed(ErrorText),
    /// The object named does not exist.
    #[error("{0}")]
    NotFound(ErrorText),
    /// A file given to the service is larger than it accepts; the message names the limit.
    #[error("{0}")]
    TooLarge(ErrorText),
    /// A payment file to screen is unreadable, not XML, or not a schema-valid pain.001.001.03 or
    /// .09 file; the message names the line and the problem.
    #[error("{0}")]
    PaymentFileInvalid(ErrorText),
    /// A row the service was about to act on has no valid signed statement behind it (issue 14);
    /// the message names the table and the row.
    #[error("{0}")]
    StateUnverified(ErrorText),
    /// A release inside the cooling-off of the account it pays (issue 20); the message says how
    /// long is left and who may release it early.
    #[error("{0}")]
    CoolingOff(ErrorText),
    /// A rotation signed by the old key of a partner whose pinned card names a recovery key
    /// (issue 20): only a rotation the recovery key signed replaces that key.
    #[error("{0}")]
    RecoveryKeyRequired(ErrorText),
    /// A release of a payment the partner's signed freeze notice holds (issue 20); the message
    /// names the notice. Lifted by the partner's recovery key or a callback and a second person.
    #[error("{0}")]
    PartnerFrozen(ErrorText),
    /// The storage failed or refused (newer schema, no workspace).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<countersign_core::auth::UnknownRole> for ServiceError {
    fn from(e: countersign_core::auth::UnknownRole) -> Self {
        let text = ErrorText::detailed("role_unknown", e.to_string()).with("role", &e.0);
        ServiceError::InvalidInput(text)
    }
}

impl ServiceError {
    /// Every code [`ServiceError::code`] gives, for the shells' lists of codes to word (the app's
    /// catalogues); `tests/codes.rs` fails when `code` gives one missing here.
    pub const CODES: &'static [&'static str] = &[
        "authentication_failed",
        "not_permitted",
        "number_withheld",
        "invalid_input",
        "check_failed",
        "not_found",
        "file_too_large",
        "payment_file_invalid",
        "state_unverified",
        "cooling_off",
        "recovery_key_required",
        "partner_frozen",
        "newer_workspace",
        "no_workspace",
        "workspace_exists",
        "schema_behind",
        "database_unreachable",
        "database_password",
        "workspace_moved",
        "storage_error",
    ];

    /// What the error says, when it is the service's own (a storage error says its own).
    fn text(&self) -> Option<&ErrorText> {
        match self {
            Self::AuthenticationFailed(t)
            | Self::NotPermitted(t)
            | Self::InvalidInput(t)
            | Self::CheckFailed(t)
            | Self::NotFound(t)
            | Self::TooLarge(t)
            | Self::PaymentFileInvalid(t)
            | Self::StateUnverified(t)
            | Self::NumberWithheld(t)
            | Self::CoolingOff(t)
            | Self::RecoveryKeyRequired(t) => Some(t),
            Self::PartnerFrozen(t) => Some(t),
            Self::Store(_) => None,
        }
    }

    /// Which wording of its code the error is, when it names particulars ([`ERROR_DETAILS`]).
    pub fn detail(&self) -> Option<&'static str> {
        self.text().and_then(ErrorText::detail)
    }

    /// The particulars the error names, by name, for a shell to word it in another language.
    pub fn values(&self) -> &[(&'static str, String)] {
        self.text().map(ErrorText::values).unwrap_or_default()
    }

    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AuthenticationFailed(_) => "authentication_failed",
            Self::NotPermitted(_) => "not_permitted",
            Self::NumberWithheld(_) => "number_withheld",
            Self::InvalidInput(_) => "invalid_input",
            Self::CheckFailed(_) => "check_failed",
            Self::NotFound(_) => "not_found",
            Self::TooLarge(_) => "file_too_large",
            Self::PaymentFileInvalid(_) => "payment_file_invalid",
            Self::StateUnverified(_) => "state_unverified",
            Self::CoolingOff(_) => "cooling_off",
            Self::RecoveryKeyRequired(_) => "recovery_key_required",
            Self::PartnerFrozen(_) => "partner_frozen",
            Self::Store(StoreError::NewerSchema { .. }) => "newer_workspace",
            Self::Store(StoreError::NoWorkspace(_)) => "no_workspace",
            Self::Store(StoreError::AlreadyExists(_)) => "workspace_exists",
            Self::Store(StoreError::SchemaBehind { .. }) => "schema_behind",
            Self::Store(StoreError::Connect(_)) => "database_unreachable",
            Self::Store(StoreError::DatabasePassword(_)) => "database_password",
            Self::Store(StoreError::Moved(_)) => "workspace_moved",
            Self::Store(_) => "storage_error",
        }
    }
}

/// The default workspace directory: `countersign` in the platform's data directory
/// (`~/.local/share/countersign` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("countersign"))
}

/// Brings a team workspace's schema to this build's version, as the schema's owner, and grants
/// `app_role` (the desktops' role) its privileges again: `(version before, version after)`.
pub fn migrate_team_schema(url: &DatabaseUrl, app_role: Option<&str>) -> ServiceResult<(i64, i64)> {
    Ok(PgStore::migrate(url, app_role)?)
}

/// Result of service operations.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// Settings keys.
const ORG_NAME: &str = "org_name";
pub(crate) const ORG_FINGERPRINT: &str = "org_fingerprint";
const POLICY: &str = "policy";
/// The origin line of the log's checkpoints, fixed when the workspace is made (or when the first
/// checkpoint of an older workspace is written), so it survives a rotation of the org key.
pub(crate) const AUDIT_ORIGIN: &str = "audit_origin";

/// What `init` needs.
pub struct InitRequest<'a> {
    /// The organisation's legal name.
    pub org_name: &'a str,
    /// The first admin's login name.
    pub admin_name: &'a str,
    /// Passphrase that seals the organisation key.
    pub org_passphrase: &'a str,
    /// The first admin's password.
    pub admin_password: &'a str,
}

/// Where a workspace lives.
// A location is made once per open: the size of the server's connection settings does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Location {
    /// The embedded SQLite file in a directory: one person, one desktop.
    Directory(PathBuf),
    /// A team workspace on a PostgreSQL server (issue 17); `local` is this desktop's own data
    /// directory, where it keeps what it last saw of the server's log ([`KeptLog`]).
    Team {
        /// The server, database and schema.
        url: DatabaseUrl,
        /// This desktop's data directory.
        local: PathBuf,
    },
}

impl Location {
    /// What a data directory stands for: the team workspace it joined (its [`TEAM_FILE`], written
    /// by `init --database` or by joining in the app), with `password` when the server needs one;
    /// otherwise the workspace in the directory itself.
    pub fn of_dir(dir: &Path, password: Option<&str>) -> ServiceResult<Location> {
        Ok(match team::joined_team(dir)? {
            Some(mut url) => {
                if let Some(password) = password.filter(|_| !url.has_password()) {
                    url.set_password(password.as_bytes());
                }
                Location::Team { url, local: dir.to_path_buf() }
            }
            None => Location::Directory(dir.to_path_buf()),
        })
    }

    /// The directory on this computer: the workspace itself, or the desktop's own for a team.
    pub fn local_dir(&self) -> &Path {
        match self {
            Location::Directory(dir) | Location::Team { local: dir, .. } => dir,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Directory(dir) => write!(f, "{}", dir.display()),
            Location::Team { url, .. } => write!(f, "{url}"),
        }
    }
}

/// An open workspace.
pub struct Workspace {
    store: Box<dyn Store>,
    location: Location,
    /// The state the signed statements imply, as far as this process has replayed the log.
    implied: countersign_core::audit::state::ImpliedState,
}

/// The current time, truncated to whole seconds in UTC (the precision the log keeps), as the
/// service's clock gives it (`clock.rs`: tests move it forward).
fn now() -> OffsetDateTime {
    countersign_core::encoding::whole_seconds_utc(OffsetDateTime::now_utc() + clock::ahead())
}

/// Applies a policy change from its request, if the policy is still the one it changes from.
fn apply_policy(tx: &dyn Tx, request: &Value, applier: &changes::Applier<'_>) -> ServiceResult<Value> {
    let parse = |value: Value| serde_json::from_value::<Policy>(value).map_err(|e| StoreError::Corrupt(format!("policy: {e}")));
    let current = parse(tx.setting(POLICY)?.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null))?;
    if current != parse(changes::field(request, "old")?.clone())? {
        return Err(ServiceError::CheckFailed(ErrorText::detailed(
            "policy_changed_meanwhile",
            "the policy changed since this change was proposed: propose it again",
        )));
    }
    let new = changes::field(request, "new")?;
    tx.set_setting(POLICY, &new.to_string())?;
    applier.write(tx, 0, "policy")?;
    Ok(new.clone())
}

/// Refuses a user name that is not 1 to 64 letters, digits, '.', '_', '-' or '@'.
fn check_name(name: &str) -> ServiceResult<()> {
    let ok =
        !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if !ok {
        let text = format!("the user name {name:?} must be 1 to 64 letters, digits, '.', '_', '-' or '@'");
        return Err(ServiceError::InvalidInput(ErrorText::detailed("name", text).with("field", "user_name").with("name", name)));
    }
    Ok(())
}

/// Refuses a new password the policy refuses, naming the field (its code for the shells' words,
/// and its English name) and the limit.
fn weak_password((field, what): (&'static str, &str), error: countersign_core::auth::password::PasswordPolicyError) -> ServiceError {
    use countersign_core::auth::password::PasswordPolicyError as Weak;
    let sentence = format!("{what}: {error}");
    let text = match error {
        Weak::TooShort { min } => ErrorText::detailed("password_too_short", sentence).with("field", field).with("min", min),
        Weak::TooLong { max } => ErrorText::detailed("password_too_long", sentence).with("field", field).with("max", max),
        Weak::SingleCharacterRepeated => ErrorText::detailed("password_repeated", sentence).with("field", field),
    };
    ServiceError::InvalidInput(text)
}

/// Refuses a value that does not parse, as the detail `detail` with the parser's English sentence.
fn invalid<E: std::fmt::Display>(detail: &'static str) -> impl FnOnce(E) -> ServiceError {
    move |e| ServiceError::InvalidInput(ErrorText::detailed(detail, e.to_string()))
}

/// Refuses a value that does not parse, as [`invalid`] does, naming the value given as `name`.
fn invalid_value<'a, E: std::fmt::Display>(
    detail: &'static str,
    name: &'static str,
    given: &'a str,
) -> impl FnOnce(E) -> ServiceError + 'a {
    move |e| ServiceError::InvalidInput(ErrorText::detailed(detail, e.to_string()).with(name, given))
}

/// Refuses a file that could not be read or written, naming the file (or the missing folder).
fn file_error(e: files::FileError) -> ServiceError {
    use files::FileError as F;
    let sentence = e.to_string();
    let text = match &e {
        F::Read { path, .. } => ErrorText::detailed("file_not_read", sentence).with("file", path.display()),
        F::Write { path, .. } => ErrorText::detailed("file_not_written", sentence).with("file", path.display()),
        F::NotAFile(path) => ErrorText::detailed("not_a_regular_file", sentence).with("file", path.display()),
        F::Exists(path) => ErrorText::detailed("file_exists_already", sentence).with("file", path.display()),
        F::NoDirectory(path) => ErrorText::detailed("folder_missing", sentence).with("folder", path.display()),
    };
    ServiceError::InvalidInput(text)
}

/// Refuses a new passphrase of the organisation key that is too short, naming the field (its code
/// for the shells' words, and its English name) and the limit, as [`weak_password`] does.
fn weak_passphrase<'a>(
    (field, what): (&'static str, &'a str),
) -> impl FnOnce(countersign_core::format::keys::KeyError) -> ServiceError + 'a {
    move |e| {
        let text = format!("{what}: {e}");
        let min = countersign_core::format::keys::MIN_PASSPHRASE_CHARS;
        ServiceError::InvalidInput(ErrorText::detailed("password_too_short", text).with("field", field).with("min", min))
    }
}

/// A password that could not be hashed (the policy was checked before).
fn not_hashed(e: countersign_core::auth::password::PasswordError) -> ServiceError {
    ServiceError::InvalidInput(ErrorText::detailed("password_not_hashed", e.to_string()))
}

/// The organisation key, its card or its rotation statement could not be made or sealed.
fn key_not_made(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::InvalidInput(ErrorText::detailed("org_key_not_made", e.to_string()))
}

/// Most characters kept of who answered a callback.
pub const MAX_REACHED_CHARS: usize = 200;
/// Most characters kept of a note or a reason (a callback's note, a rejection, a revocation).
pub const MAX_NOTE_CHARS: usize = 1000;

/// Refuses free text longer than `max` characters (issue 16: 120 KB values reached the database
/// and the log), naming the field (its code for the shells' words, and its English name) and the
/// limit.
fn check_free_text((field, what): (&'static str, &str), text: &str, max: usize) -> ServiceResult<()> {
    let chars = text.chars().count();
    if chars > max {
        let message = format!("{what} is {chars} characters long; at most {max} are kept: shorten it");
        return Err(ServiceError::InvalidInput(
            ErrorText::detailed("too_long", message).with("field", field).with("chars", chars).with("max", max),
        ));
    }
    Ok(())
}

impl Workspace {
    /// Whether `dir` holds a workspace (without opening it).
    pub fn exists(dir: &Path) -> bool {
        dir.join(countersign_store::sqlite::DATABASE_FILE).is_file()
    }

    /// Creates a workspace in `dir`: the database, the organisation key pair (sealed under the
    /// passphrase) and its card, the default policy and the first admin; logs it all as the
    /// first events of the audit log.
    pub fn init(dir: &Path, request: &InitRequest<'_>) -> ServiceResult<Self> {
        Self::init_at(Location::Directory(dir.to_path_buf()), None, request)
    }

    /// Creates a team workspace on a PostgreSQL server (issue 17), connected as the role that
    /// will own its schema; `app_role`, when given, is the role the desktops connect with, granted
    /// what they need and no more. This desktop then keeps what it saw of the log in `local`.
    pub fn init_team(url: &DatabaseUrl, local: &Path, app_role: Option<&str>, request: &InitRequest<'_>) -> ServiceResult<Self> {
        Self::init_at(Location::Team { url: url.clone(), local: local.to_path_buf() }, app_role, request)
    }

    fn init_at(location: Location, app_role: Option<&str>, request: &InitRequest<'_>) -> ServiceResult<Self> {
        let org_name = request.org_name.trim();
        if org_name.is_empty() || org_name.chars().count() > 140 {
            return Err(ServiceError::InvalidInput(ErrorText::detailed(
                "org_name_length",
                "the organisation name must have 1 to 140 characters",
            )));
        }
        check_name(request.admin_name)?;
        countersign_core::auth::password::check_password_policy(request.admin_password)
            .map_err(|e| weak_password(("admin_password", "the admin password"), e))?;
        countersign_core::format::keys::check_new_passphrase(request.org_passphrase)
            .map_err(weak_passphrase(("org_passphrase", "the organisation passphrase")))?;
        // Two secrets, kept apart: whoever learnt the admin's password would otherwise hold the
        // organisation key too (issue 19).
        if request.org_passphrase == request.admin_password {
            return Err(ServiceError::InvalidInput(ErrorText::detailed(
                "passphrase_is_password",
                "the organisation passphrase must differ from the admin password: choose another passphrase",
            )));
        }
        let at = now();
        let key = KeyPair::generate(&mut OsRng);
        // The callback key (format §3.7): its public half on our card, its secret in the keyrings
        // of approvers and admins only.
        let callback = countersign_core::format::callback_key::CallbackSecret::generate(&mut OsRng);
        let details = CardDetails { name: org_name.to_string(), ..Default::default() };
        let card = PartnerCard::create_with_callback_key(&key, details, Some(callback.public_key()), at).map_err(key_not_made)?;
        let sealed = key.seal(&mut OsRng, org_name, request.org_passphrase).map_err(key_not_made)?;
        // The audit key signs the log's checkpoints. Its secret lives in each user's keyring and,
        // as a recovery copy, sealed under the organisation passphrase like the signing key.
        let audit_key = KeyPair::generate(&mut OsRng);
        let audit_escrow = audit_key.seal(&mut OsRng, &format!("{org_name} audit"), request.org_passphrase).map_err(key_not_made)?;
        let admin_keys = keyring::UserKeys { callback: Some(callback), ..keyring::UserKeys::new(Some(&audit_key)) };
        let admin_keyring = admin_keys.seal(request.admin_name, request.admin_password);
        let password_hash = countersign_core::auth::password::hash_password(&mut OsRng, request.admin_password).map_err(not_hashed)?;
        let mut store: Box<dyn Store> = match &location {
            Location::Directory(dir) => Box::new(SqliteStore::create(dir)?),
            Location::Team { url, .. } => Box::new(PgStore::create(url, app_role)?),
        };
        let at_text = format_utc(at);
        let fingerprint = key.fingerprint().to_string();
        store.write(|tx| -> ServiceResult<()> {
            tx.set_setting(ORG_NAME, org_name)?;
            tx.set_setting(ORG_FINGERPRINT, &fingerprint)?;
            tx.set_setting(POLICY, &serde_json::to_string(&Policy::default()).expect("serialises"))?;
            let sealed_json = String::from_utf8(sealed.to_bytes()).expect("JSON is UTF-8");
            tx.insert_org_key("signing", &fingerprint, &key.public_key().to_bytes(), &sealed_json, Some(&card.to_bytes()), &at_text)?;
            tx.insert_user(request.admin_name, Role::Admin.as_str(), &password_hash, &at_text, "system")?;
            // The organisation key signs the first statements: the root every later one rests on.
            let system = statements::Signer::System(&key);
            let policy = serde_json::to_value(Policy::default()).expect("serialises");
            system.append(
                tx,
                &at_text,
                "workspace.init",
                "workspace",
                json!({
                    "org_name": org_name, "org_fingerprint": fingerprint, "org_public_key": key.public_key().to_base64(),
                    "policy": policy, "schema": countersign_store::sqlite::migrations::latest(),
                }),
            )?;
            system.append(tx, &at_text, "user.add", &format!("user:{}", request.admin_name), json!({ "role": "admin" }))?;
            tx.set_setting(AUDIT_ORIGIN, &countersign_core::audit::checkpoint::origin_for(key.fingerprint().digits()))?;
            let escrow = String::from_utf8(audit_escrow.to_bytes()).expect("JSON is UTF-8");
            keyring::record_audit_key(tx, &audit_key, &escrow, &at_text, &system)?;
            let callback = admin_keys.callback.as_ref().expect("made above");
            keyring::record_callback_key(tx, callback, &at_text, countersign_core::audit::state::SYSTEM, &key)?;
            let admin = tx.user_by_name(request.admin_name)?.ok_or_else(|| StoreError::Corrupt("the first admin".into()))?;
            keyring::store_keyring(tx, &admin, &admin_keys, &admin_keyring, &at_text, &system, "new user")?;
            Ok(())
        })?;
        if let Location::Team { url, local } = &location {
            team::check_server_log(&mut *store, local, url)?;
            team::remember_team(local, url)?;
        }
        Ok(Workspace { store, location, implied: Default::default() })
    }

    /// Opens the workspace in `dir`.
    pub fn open(dir: &Path) -> ServiceResult<Self> {
        Self::open_at(&Location::Directory(dir.to_path_buf()))
    }

    /// Opens the workspace at `location`. A team workspace's log is first checked against what
    /// this desktop last saw of it (rolled back or rewritten: refused, [`ServiceError::CheckFailed`]).
    pub fn open_at(location: &Location) -> ServiceResult<Self> {
        let store: Box<dyn Store> = match location {
            Location::Directory(dir) => Box::new(SqliteStore::open(dir)?),
            Location::Team { url, local } => {
                let mut store = PgStore::open(url)?;
                team::check_server_log(&mut store, local, url)?;
                team::remember_team(local, url)?;
                Box::new(store)
            }
        };
        Ok(Workspace { store, location: location.clone(), implied: Default::default() })
    }

    /// The directory on this computer: the workspace's, or this desktop's own for a team.
    pub fn dir(&self) -> &Path {
        self.location.local_dir()
    }

    /// Where the workspace lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Our organisation's name.
    pub fn org_name(&mut self) -> ServiceResult<String> {
        self.setting(ORG_NAME)
    }

    /// Our organisation's fingerprint (the recipient every incoming instruction must name).
    pub fn org_fingerprint(&mut self) -> ServiceResult<Fingerprint> {
        let text = self.setting(ORG_FINGERPRINT)?;
        Fingerprint::parse_canonical(&text).ok_or_else(|| StoreError::Corrupt("organisation fingerprint".into()).into())
    }

    /// Our organisation's partner card (public), to hand to partners.
    pub fn org_card(&mut self, session: &Session) -> ServiceResult<Vec<u8>> {
        self.require_signed_in(session)?;
        let (_, card) =
            self.store.read(|tx| tx.active_org_key("signing"))?.ok_or_else(|| StoreError::Corrupt("no organisation key".into()))?;
        card.ok_or_else(|| StoreError::Corrupt("no organisation card".into()).into())
    }

    /// Unlocks the organisation's signing key with its passphrase.
    pub fn unlock_org_key(&mut self, passphrase: &str) -> ServiceResult<KeyPair> {
        let (sealed, _) =
            self.store.read(|tx| tx.active_org_key("signing"))?.ok_or_else(|| StoreError::Corrupt("no organisation key".into()))?;
        let file = SecretKeyFile::from_bytes(sealed.as_bytes()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        file.unlock(passphrase).map_err(|e| match e {
            countersign_core::format::keys::KeyError::WrongPassphrase => {
                ServiceError::AuthenticationFailed(ErrorText::detailed("wrong_org_passphrase", "wrong passphrase for the organisation key"))
            }
            other => StoreError::Corrupt(other.to_string()).into(),
        })
    }

    /// The workspace's policy.
    pub fn policy(&mut self) -> ServiceResult<Policy> {
        let text = self.setting(POLICY)?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("policy: {e}")).into())
    }

    /// Changes the policy (admin only); the event records the old and the new policy. Tightening
    /// takes effect at once; loosening is a change a second person approves once the workspace
    /// has two people who can check (issue 15), and the change names the settings it loosens.
    pub fn set_policy(&mut self, session: &Session, policy: &Policy) -> ServiceResult<Outcome> {
        self.authorize(session, Permission::SetPolicy, "policy")?;
        policy.validate().map_err(|e| {
            let text = ErrorText::detailed("policy_out_of_range", e.to_string()).with("field", e.setting);
            ServiceError::InvalidInput(text.with("min", e.min).with("max", e.max))
        })?;
        let old = self.policy()?;
        let (old_json, new_json) = (serde_json::to_value(&old).expect("serialises"), serde_json::to_value(policy).expect("serialises"));
        let loosened = policy.loosened_from(&old);
        let change = ChangeRequest {
            kind: ChangeKind::PolicySet,
            summary: format!("Loosen the policy: {}", loosened.join(", ")),
            request: json!({ "old": old_json, "new": new_json }),
            effects: vec![ProposedEffect {
                action: "policy.set".into(),
                subject: "policy".into(),
                details: json!({ "old": old_json, "new": new_json }),
            }],
            flags: vec![],
            before: old_json.clone(),
            after: new_json.clone(),
        };
        if !loosened.is_empty() {
            return self.submit(session, change);
        }
        let at = format_utc(now());
        let applier = changes::Applier::at_once(session, &at, &change.effects);
        self.store.write(|tx| apply_policy(tx, &change.request, &applier)).map(Outcome::Applied)
    }

    fn setting(&mut self, key: &str) -> ServiceResult<String> {
        self.store.read(|tx| tx.setting(key))?.ok_or_else(|| StoreError::Corrupt(format!("missing setting {key}")).into())
    }

    /// Records, in a transaction of its own, that something was refused; then returns `error`.
    fn refuse<T>(&mut self, actor: &str, action: &str, subject: &str, details: Value, error: ServiceError) -> ServiceResult<T> {
        let at = format_utc(now());
        let mut details = details;
        details["refused"] = json!(error.code());
        details["reason"] = json!(error.to_string());
        self.store.write(|tx| tx.append_event(&at, actor, action, subject, &details))?;
        Err(error)
    }
}
