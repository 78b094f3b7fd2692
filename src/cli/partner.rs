//! The partner half of the CLI, which needs no workspace: `keygen`, `fingerprint`, `sign`,
//! `respond`, `rotate` and `verify --signer` (the recovery key's part is in [`super::recovery`]).

use countersign_service::OsRng;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{json, Value};
use time::OffsetDateTime;

use countersign_service::core::assess::domain_name::DomainName;
use countersign_service::core::bank::Country;
use countersign_service::core::export::qr::{fingerprint_uri, key_uri, Qr};
use countersign_service::core::format::callback_key::partner_shared_secret;
use countersign_service::core::format::card::{CardDetails, CardKeys, Contact, ContactKind, PartnerCard};
use countersign_service::core::format::codes::{Challenge, ChallengeResponse, ConfirmationCode};
use countersign_service::core::format::envelope::{Envelope, FileKind, MAX_FILE_SIZE};
use countersign_service::core::format::fingerprint::Fingerprint;
use countersign_service::core::format::instruction::{Details, Instruction};
use countersign_service::core::format::keys::{KeyError, KeyPair, PublicKey, SecretKeyFile};
use countersign_service::core::format::signing::{check_signable, sign_instruction, SignError};
use countersign_service::core::format::verify::{check_instruction_file, CheckOptions, SingleSigner};
use countersign_service::files::{read_limited, write_atomic, Sensitivity};

use super::exit::{CliError, CliResult, Exit};
use super::report::{check_json, check_text, instruction_json, instruction_lines, Output};
use super::secrets::{read_new_secret, read_secret, KEY_PASSPHRASE};

/// Largest DETAILS.json read.
const MAX_DETAILS: usize = 64 * 1024;

#[derive(Args)]
pub struct KeygenArgs {
    /// The key holder's legal name, as on the card.
    #[arg(long)]
    name: String,
    /// Base path: writes BASE.key and BASE.card.
    #[arg(long, value_name = "BASE")]
    out: PathBuf,
    /// Country of registration (ISO 3166 alpha-2), shown on the card.
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// An email domain you send from (repeatable), shown on the card.
    #[arg(long = "domain", value_name = "DOMAIN")]
    domains: Vec<String>,
    /// A phone number for callbacks (repeatable), shown on the card. Receivers call only
    /// numbers they took from an independent source; this one is informational.
    #[arg(long = "phone", value_name = "NUMBER")]
    phones: Vec<String>,
    /// An email contact (repeatable), shown on the card.
    #[arg(long = "email", value_name = "ADDRESS")]
    emails: Vec<String>,
    /// Make an offline recovery key instead: BASE.key (encrypted, usable only with
    /// `--with-recovery`) and BASE.pub (its public key).
    #[arg(long, conflicts_with_all = ["country", "domains", "phones", "emails", "recovery_key"])]
    recovery: bool,
    /// Name this recovery key on the new card (a version-3 card): the BASE.pub or BASE.key that
    /// `keygen --recovery` wrote. Only that key can then replace or revoke the new signing key.
    #[arg(long, value_name = "RECOVERY.pub")]
    recovery_key: Option<PathBuf>,
}

#[derive(Args)]
pub struct FingerprintArgs {
    /// A partner card, a secret-key file or a signed instruction.
    file: PathBuf,
    /// Also write a QR code of the fingerprint (and key, when known) as .svg or .png.
    #[arg(long, value_name = "FILE")]
    qr_out: Option<PathBuf>,
    /// Also draw the QR code in the terminal.
    #[arg(long)]
    qr: bool,
}

#[derive(Args)]
pub struct SignArgs {
    /// Your secret-key file (passphrase from COUNTERSIGN_KEY_PASSPHRASE or a prompt).
    #[arg(long, value_name = "BASE.key")]
    key: PathBuf,
    /// The recipient's partner card.
    #[arg(long, value_name = "RECIPIENT.card")]
    to: PathBuf,
    /// The bank details to sign (see docs/format.md).
    #[arg(long, value_name = "DETAILS.json")]
    details: PathBuf,
    /// Where to write the signed instruction.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct RespondArgs {
    /// The challenge the caller read out (six digits).
    #[arg(long, value_name = "C")]
    pub(super) challenge: String,
    /// Your secret-key file, the one that signed FILE (passphrase from COUNTERSIGN_KEY_PASSPHRASE
    /// or a prompt). Required for version-2 files: their response needs your key.
    #[arg(long, value_name = "PARTNER.key", conflicts_with = "issued")]
    key: Option<PathBuf>,
    /// The id of an instruction this workspace issued (`issue`): answered from the workspace's
    /// own copy with the organisation key (passphrase from COUNTERSIGN_PASSPHRASE), as --as USER.
    #[arg(long, value_name = "ID", conflicts_with = "file")]
    pub(super) issued: Option<String>,
    /// Your own copy of the signed instruction (see the outbox beside your key).
    #[arg(required_unless_present = "issued")]
    file: Option<PathBuf>,
}

#[derive(Args)]
pub struct RotateArgs {
    /// Your current secret-key file (passphrase from COUNTERSIGN_KEY_PASSPHRASE or a prompt).
    #[arg(long, value_name = "OLD.key", required_unless_present = "with_recovery", conflicts_with = "with_recovery")]
    key: Option<PathBuf>,
    /// Sign with your recovery key instead (when the current key is lost or stolen); name the key
    /// replaced with --replaces.
    #[arg(long = "with-recovery", value_name = "RECOVERY.key", requires = "replaces")]
    with_recovery: Option<PathBuf>,
    /// With --with-recovery: the fingerprint of the signing key being replaced.
    #[arg(long, value_name = "FPR", requires = "with_recovery")]
    replaces: Option<String>,
    /// The card of your new key (made with keygen).
    #[arg(long = "new", value_name = "NEW.card")]
    new_card: PathBuf,
    /// Where to write the statement.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn rotate(args: &RotateArgs, output: Output) -> CliResult {
    let key = match (args.key.as_deref(), args.with_recovery.as_deref(), args.replaces.as_deref()) {
        (_, Some(recovery), Some(replaces)) => {
            return super::recovery::rotate_with_recovery(recovery, replaces, &args.new_card, &args.out, output)
        }
        (Some(key), None, None) => key,
        _ => return Err(CliError::usage("invalid_argument", "give --key OLD.key, or --with-recovery RECOVERY.key with --replaces FPR")),
    };
    let key_file = load_key_file(key)?;
    let new_card = load_card(&args.new_card)?;
    let passphrase = read_secret(KEY_PASSPHRASE, &format!("Passphrase for {}", display(key)))?;
    let old = key_file.unlock(&passphrase).map_err(|e| key_error(key, e))?;
    let statement = countersign_service::core::format::rotation::RotationStatement::create(&old, &new_card, OffsetDateTime::now_utc())
        .map_err(|e| CliError::usage("invalid_argument", e.to_string()))?;
    write_atomic(&args.out, &statement, Sensitivity::Public, false)?;
    let (old_fp, new_fp) = (old.fingerprint().to_string(), new_card.fingerprint().to_string());
    output.emit(json!({ "out": display(&args.out), "old_key": old_fp, "new_key": new_fp }), || {
        format!(
            "Wrote {}: your key {old_fp} names {new_fp} as its successor.\nSend it with the new card to each partner; their admin accepts it.",
            display(&args.out)
        )
    });
    Ok(Exit::Success)
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Check against this partner card only, without a workspace.
    #[arg(long, value_name = "CARD")]
    pub signer: Option<PathBuf>,
    /// The signed instruction.
    pub file: PathBuf,
    /// The email that carried it (workspace mode).
    #[arg(long, value_name = "MSG.eml")]
    pub email: Option<PathBuf>,
    /// With --signer: check as of this UTC time (YYYY-MM-DDTHH:MM:SSZ) instead of now, to check
    /// a test vector or an old file as it stood then. Never used with a workspace.
    #[arg(long, value_name = "TIME", requires = "signer")]
    pub at: Option<String>,
}

/// Largest key file (a signing or recovery key) or `.pub` file read.
pub(super) const MAX_KEY_FILE: usize = 16 * 1024;

/// A path as messages and JSON output name it.
pub(super) fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Appends an extension to a base path: `keys/globex` + `key` → `keys/globex.key`.
pub(super) fn with_extension(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

pub(super) fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, CliError> {
    Ok(read_limited(path, limit)?)
}

/// A fingerprint as a person types it, given with `option`.
pub(super) fn typed_fingerprint(option: &str, text: &str) -> Result<Fingerprint, CliError> {
    Fingerprint::parse_lenient(text).map_err(|e| CliError::usage("invalid_argument", format!("{option}: {e}")))
}

pub(super) fn key_error(path: &Path, e: KeyError) -> CliError {
    match e {
        KeyError::WrongPassphrase => CliError::not_permitted("wrong_passphrase", format!("{}: {e}", display(path))),
        KeyError::WeakPassphrase => CliError::usage("weak_passphrase", e.to_string()),
        other => CliError::usage("invalid_key_file", format!("{}: {other}", display(path))),
    }
}

pub(super) fn load_card(path: &Path) -> Result<PartnerCard, CliError> {
    let bytes = read_file(path, MAX_FILE_SIZE)?;
    PartnerCard::parse(&bytes).map_err(|e| CliError::usage("invalid_card", format!("{}: {e}", display(path))))
}

pub(super) fn load_key_file(path: &Path) -> Result<SecretKeyFile, CliError> {
    let bytes = read_file(path, MAX_KEY_FILE)?;
    SecretKeyFile::from_bytes(&bytes).map_err(|e| key_error(path, e))
}

pub fn keygen(args: &KeygenArgs, output: Output) -> CliResult {
    if args.recovery {
        return super::recovery::keygen_recovery(&args.name, &args.out, output);
    }
    let recovery_key = args.recovery_key.as_deref().map(super::recovery::recovery_public_key).transpose()?;
    let bad = |e: String| CliError::usage("invalid_argument", e);
    let country = args.country.as_deref().map(|c| Country::parse(&c.to_ascii_uppercase())).transpose().map_err(|e| bad(e.to_string()))?;
    let domains = args.domains.iter().map(|d| DomainName::parse(d)).collect::<Result<Vec<_>, _>>().map_err(|e| bad(e.to_string()))?;
    let contacts = args
        .phones
        .iter()
        .map(|p| (ContactKind::Phone, p))
        .chain(args.emails.iter().map(|e| (ContactKind::Email, e)))
        .map(|(kind, value)| Contact { kind, value: value.trim().to_string(), label: None })
        .collect();
    let details = CardDetails { name: args.name.trim().to_string(), country, domains, contacts };
    let key_path = with_extension(&args.out, "key");
    let card_path = with_extension(&args.out, "card");
    for path in [&key_path, &card_path] {
        if path.exists() {
            return Err(CliError::usage("file_exists", format!("{} already exists; choose another --out", display(path))));
        }
    }
    let pair = KeyPair::generate(&mut OsRng);
    let keys = CardKeys { callback_key: None, recovery_key };
    let card = PartnerCard::create_with_keys(&pair, details, keys, OffsetDateTime::now_utc())
        .map_err(|e| CliError::usage("invalid_argument", e.to_string()))?;
    let passphrase = read_new_secret(KEY_PASSPHRASE, &format!("Passphrase for the new key of {}", args.name))?;
    let sealed = pair.seal(&mut OsRng, &card.details().name, &passphrase).map_err(|e| key_error(&key_path, e))?;
    write_atomic(&key_path, &sealed.to_bytes(), Sensitivity::Secret, false)?;
    write_atomic(&card_path, &card.to_bytes(), Sensitivity::Public, false)?;
    let fingerprint = pair.fingerprint().to_string();
    let recovery = recovery_key.map(|k| k.fingerprint().to_string());
    let mut json = json!({ "fingerprint": fingerprint, "key": display(&key_path), "card": display(&card_path) });
    if let Some(recovery) = &recovery {
        json["recovery_key"] = json!(recovery);
    }
    output.emit(json, || {
        let recovery = recovery.as_ref().map(|r| format!("\nThe card names your recovery key {r}.")).unwrap_or_default();
        format!(
            "Wrote {} (secret key, encrypted) and {} (partner card to hand out).\n\
                 Fingerprint: {fingerprint}{recovery}\n\
                 Your partners read this fingerprint back to you on the phone before they trust your card.",
            display(&key_path),
            display(&card_path)
        )
    });
    Ok(Exit::Success)
}

/// What a file passed to `fingerprint` turned out to be.
struct FingerprintSubject {
    kind: &'static str,
    fingerprint: Fingerprint,
    public_key: Option<PublicKey>,
    name: Option<String>,
}

fn identify(path: &Path) -> Result<FingerprintSubject, CliError> {
    let bytes = read_file(path, MAX_FILE_SIZE)?;
    let format = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(str::to_string))
        .unwrap_or_default();
    if format.starts_with("countersign/recovery-key/") {
        let file = SecretKeyFile::recovery_from_bytes(&bytes).map_err(|e| key_error(path, e))?;
        let key = file.public_key().map_err(|e| key_error(path, e))?;
        Ok(FingerprintSubject { kind: "recovery-key", fingerprint: key.fingerprint(), public_key: Some(key), name: Some(file.name) })
    } else if format.starts_with("countersign/secret-key/") {
        let file = SecretKeyFile::from_bytes(&bytes).map_err(|e| key_error(path, e))?;
        let key = file.public_key().map_err(|e| key_error(path, e))?;
        Ok(FingerprintSubject { kind: "key", fingerprint: key.fingerprint(), public_key: Some(key), name: Some(file.name) })
    } else if format.starts_with("countersign/card/") {
        let card = PartnerCard::parse(&bytes).map_err(|e| CliError::usage("invalid_card", format!("{}: {e}", display(path))))?;
        Ok(FingerprintSubject {
            kind: "card",
            fingerprint: card.fingerprint(),
            public_key: Some(card.public_key()),
            name: Some(card.details().name.clone()),
        })
    } else if format.starts_with("countersign/instruction/") {
        let envelope = Envelope::parse(&bytes, FileKind::Instruction)
            .map_err(|e| CliError::usage("malformed_file", format!("{}: {e}", display(path))))?;
        Ok(FingerprintSubject { kind: "instruction", fingerprint: envelope.signer(), public_key: None, name: None })
    } else {
        Err(CliError::usage("unknown_file", format!("{}: not a Countersign card, key file or signed instruction", display(path))))
    }
}

pub fn fingerprint(args: &FingerprintArgs, output: Output) -> CliResult {
    let subject = identify(&args.file)?;
    let uri = match &subject.public_key {
        Some(key) => key_uri(key),
        None => fingerprint_uri(&subject.fingerprint),
    };
    let qr = Qr::new(&uri).map_err(|e| CliError::usage("qr_failed", e.to_string()))?;
    if let Some(path) = &args.qr_out {
        let bytes = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("svg") => qr.to_svg().into_bytes(),
            Some("png") => qr.to_png().map_err(|e| CliError::usage("qr_failed", e.to_string()))?,
            _ => return Err(CliError::usage("invalid_argument", "--qr-out must name a .svg or .png file")),
        };
        write_atomic(path, &bytes, Sensitivity::Public, true)?;
    }
    let fingerprint = subject.fingerprint.to_string();
    output.emit(
        json!({
            "fingerprint": fingerprint,
            "kind": subject.kind,
            "name": subject.name,
            "qr": uri,
            "qr_out": args.qr_out.as_deref().map(display),
        }),
        || {
            let mut out = match (&subject.name, subject.kind) {
                (Some(name), _) => format!("{fingerprint}  {name}\n"),
                (None, "instruction") => format!("{fingerprint}  (the signer this instruction names; not yet verified)\n"),
                (None, _) => format!("{fingerprint}\n"),
            };
            if args.qr {
                out += &qr.to_terminal();
                out.push('\n');
            }
            if let Some(path) = &args.qr_out {
                out += &format!("QR code written to {}\n", display(path));
            }
            out
        },
    );
    Ok(Exit::Success)
}

pub fn sign(args: &SignArgs, output: Output) -> CliResult {
    let key_file = load_key_file(&args.key)?;
    let recipient = load_card(&args.to)?;
    let details_bytes = read_file(&args.details, MAX_DETAILS)?;
    if details_bytes.len() > MAX_DETAILS {
        return Err(CliError::usage("file_too_large", format!("{}: larger than {MAX_DETAILS} bytes", display(&args.details))));
    }
    let bad_details = |e: String| CliError::usage("invalid_details", format!("{}: {e}", display(&args.details)));
    let details = Details::from_json(&details_bytes).map_err(|e| bad_details(e.to_string()))?;
    let signer_key = key_file.public_key().map_err(|e| key_error(&args.key, e))?;
    let now = OffsetDateTime::now_utc();
    let mut instruction = details
        .to_instruction(uuid::Uuid::new_v4().to_string(), signer_key.fingerprint(), recipient.fingerprint(), now)
        .map_err(|e| bad_details(e.to_string()))?;
    // A recipient card with a callback key gets a v2 file naming it (format §3.7).
    instruction.callback_key = recipient.callback_key();
    // Refuse what a verifier would reject before asking for the passphrase.
    check_signable(&instruction, now).map_err(|e| bad_details(e.to_string()))?;
    let passphrase = read_secret(KEY_PASSPHRASE, &format!("Passphrase for {}", display(&args.key)))?;
    let pair = key_file.unlock(&passphrase).map_err(|e| key_error(&args.key, e))?;
    let signed = sign_instruction(&pair, &instruction, now).map_err(|e| match e {
        SignError::Invalid(m) => bad_details(m),
        SignError::SelfCheck(m) => CliError::failed("self_check_failed", m),
    })?;
    let bytes = signed.bytes;
    if args.out.exists() && !args.force {
        return Err(CliError::usage("file_exists", format!("{} already exists; choose another --out or add --force", display(&args.out))));
    }
    // The outbox copy first: a signed file must never exist without the copy the partner
    // needs to answer a callback.
    let outbox_dir = match args.key.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("outbox"),
        _ => PathBuf::from("outbox"),
    };
    std::fs::create_dir_all(&outbox_dir)
        .map_err(|e| CliError::usage("io_error", format!("cannot create the outbox {}: {e}", display(&outbox_dir))))?;
    let outbox = outbox_dir.join(format!("{}.csi", instruction.id));
    write_atomic(&outbox, &bytes, Sensitivity::Public, false)?;
    if let Err(e) = write_atomic(&args.out, &bytes, Sensitivity::Public, args.force) {
        let _ = std::fs::remove_file(&outbox);
        return Err(e.into());
    }
    let code = signed.confirmation_code.to_string();
    for warning in &signed.warnings {
        super::report::print_err(&format!("warning: {}", warning.message));
    }
    output.emit(
        json!({
            "confirmation_code": code,
            "id": instruction.id,
            "out": display(&args.out),
            "outbox": display(&outbox),
            "format_version": instruction.version(),
            "recipient": { "name": recipient.details().name, "fingerprint": recipient.fingerprint().to_string() },
        }),
        || {
            format!(
                "Signed {} for {}.\nConfirmation code: {code}\nA copy is in {} for callbacks.",
                display(&args.out),
                recipient.details().name,
                display(&outbox)
            )
        },
    );
    Ok(Exit::Success)
}

pub fn respond(args: &RespondArgs, output: Output) -> CliResult {
    let challenge = Challenge::parse(&args.challenge).map_err(|e| CliError::usage("invalid_challenge", format!("the challenge: {e}")))?;
    let file = args.file.as_deref().ok_or_else(|| CliError::usage("invalid_input", "name the signed instruction FILE, or --issued ID"))?;
    let bytes = read_file(file, MAX_FILE_SIZE)?;
    let malformed = |e: String| CliError::failed("malformed_file", format!("{}: {e}", display(file)));
    let envelope = Envelope::parse(&bytes, FileKind::Instruction).map_err(|e| malformed(e.to_string()))?;
    let instruction = Instruction::parse_signed(&envelope).map_err(|e| malformed(e.to_string()))?;
    if instruction.callback_key.is_some() && args.key.is_none() {
        return Err(CliError::usage(
            "key_required",
            format!(
                "{} is a version-2 instruction: its response needs the secret key that signed it; add --key YOUR.key \
                 (only you can answer for it, not whoever holds the file)",
                display(file)
            ),
        ));
    }
    let key = args.key.as_deref().map(|path| signer_key(path, &envelope)).transpose()?;
    let response = match (&key, instruction.callback_key) {
        (Some(pair), Some(callback)) => {
            let shared = partner_shared_secret(pair, &callback).map_err(|e| malformed(e.to_string()))?;
            ChallengeResponse::compute_v2(&shared, challenge, envelope.payload())
        }
        _ => ChallengeResponse::compute(challenge, envelope.payload()),
    }
    .to_string();
    let code = ConfirmationCode::of_payload(envelope.payload()).to_string();
    let last4 = instruction.account.validate().map(|(a, _)| a.last4()).ok();
    let checked = key.is_some();
    output.emit(
        json!({
            "response": response,
            // Without --key, the partner's own copy: no key to check its signature with (format §3.5).
            "signature_checked": checked,
            "format_version": envelope.version(),
            "challenge": challenge.to_string(),
            "confirmation_code": code,
            "last4": last4,
            "instruction": instruction_json(&instruction),
        }),
        || {
            let copy = match checked {
                true => "(signed with your key: checked)",
                false => "(its signature is not checked here)",
            };
            format!(
                "Response: {response}\n\
                 Read it to the caller only if this is your own copy of the instruction you sent them\n\
                 {copy}:\n  confirmation  {code}\n{}",
                instruction_lines(&instruction)
            )
        },
    );
    Ok(Exit::Success)
}

/// The key pair of `path`, once it is the one that signed `envelope` (checked before the passphrase
/// is asked, and the signature verified with it after).
fn signer_key(path: &Path, envelope: &Envelope) -> Result<KeyPair, CliError> {
    let key_file = load_key_file(path)?;
    let public = key_file.public_key().map_err(|e| key_error(path, e))?;
    if public.fingerprint() != envelope.signer() {
        return Err(CliError::failed(
            "wrong_key",
            format!(
                "{} is the key {}, but the instruction was signed by {}: answer only for instructions you signed",
                display(path),
                public.fingerprint(),
                envelope.signer()
            ),
        ));
    }
    let passphrase = read_secret(KEY_PASSPHRASE, &format!("Passphrase for {}", display(path)))?;
    let pair = key_file.unlock(&passphrase).map_err(|e| key_error(path, e))?;
    if !envelope.verify_with(&pair.public_key()) {
        return Err(CliError::failed(
            "signature_invalid",
            "the file's signature does not verify with your key: it is not the file you signed",
        ));
    }
    Ok(pair)
}

pub fn verify(args: &VerifyArgs, output: Output) -> CliResult {
    let card_path = args.signer.as_ref().expect("dispatched only with --signer");
    if args.email.is_some() {
        return Err(CliError::usage("invalid_argument", "--email needs a workspace; it cannot be used with --signer"));
    }
    let at = match &args.at {
        Some(text) => countersign_service::core::encoding::parse_utc(text).ok_or_else(|| {
            CliError::usage("invalid_argument", format!("--at {text:?} is not a UTC time of the form 2026-01-31T09:00:00Z"))
        })?,
        None => OffsetDateTime::now_utc(),
    };
    let card = load_card(card_path)?;
    let bytes = read_file(&args.file, MAX_FILE_SIZE)?;
    let check = check_instruction_file(&bytes, &SingleSigner(card.public_key()), &CheckOptions::at(at));
    let file = display(&args.file);
    let mut document = check_json(&file, &check);
    // The card's holder is the partner only if the card's key verified the file.
    let partner_name = check.verified.as_ref().map(|_| card.details().name.clone());
    document["partner"] = match &partner_name {
        Some(name) => json!({ "id": null, "name": name }),
        None => Value::Null,
    };
    output.emit(document, || check_text(&file, &check, partner_name.as_deref()));
    Ok(Exit::for_verdict(check.verdict()))
}
