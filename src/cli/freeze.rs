//! Freeze notices (issue 20): the partner's side (`freeze`, `freeze-lift`: sign a notice with the
//! signing or recovery key), how `receive` reports a notice, the freezes in `partner show` and
//! `case show`, and `partner unfreeze` (a callback and a second person).

use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Value};
use time::OffsetDateTime;

use countersign_service::core::bank::{Country, Iban};
use countersign_service::core::encoding::{format_utc, parse_rfc3339_lenient};
use countersign_service::core::format::freeze::{sign_freeze, sign_lift, ExceptedAccount, FreezeRequest, FreezeScope};
use countersign_service::files::{write_atomic, Sensitivity};
use countersign_service::{FreezeView, NoticeReceipt, Outcome, Session, Workspace};

use countersign_service::core::format::keys::SecretKeyFile;

use super::exit::{CliError, CliResult, Exit};
use super::partner::{display, read_file, typed_fingerprint, MAX_KEY_FILE};
use super::report::{finding_json, finding_line, Output};
use super::secrets::{read_secret, KEY_PASSPHRASE};

#[derive(Args)]
pub struct FreezeArgs {
    /// Your signing key, or your recovery key (passphrase from COUNTERSIGN_KEY_PASSPHRASE or a prompt).
    #[arg(long, value_name = "PARTNER.key")]
    key: PathBuf,
    /// Why, in one line your customers read (at most 140 characters).
    #[arg(long)]
    reason: String,
    /// Hold every payment but those to this IBAN (scope `all_but`).
    #[arg(long, value_name = "IBAN", conflicts_with = "except_account")]
    except_iban: Option<String>,
    /// Hold every payment but those to this domestic account (with --except-routing and --except-country).
    #[arg(long, value_name = "NUM", requires_all = ["except_routing", "except_country"])]
    except_account: Option<String>,
    /// The routing code of --except-account.
    #[arg(long, value_name = "CODE", requires = "except_account")]
    except_routing: Option<String>,
    /// The country of --except-account (ISO 3166 alpha-2).
    #[arg(long, value_name = "CC", requires = "except_account")]
    except_country: Option<String>,
    /// From when payments are held (RFC 3339; default: now).
    #[arg(long = "from", value_name = "TIME")]
    from: Option<String>,
    /// The fingerprint of your signing key the notice is about: needed when --key is your
    /// recovery key (default: the fingerprint of --key).
    #[arg(long, value_name = "FPR")]
    partner_key: Option<String>,
    /// Where to write the notice.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args)]
pub struct FreezeLiftArgs {
    /// Your recovery key: only it lifts a freeze (passphrase from COUNTERSIGN_KEY_PASSPHRASE or a prompt).
    #[arg(long, value_name = "RECOVERY.key")]
    key: PathBuf,
    /// The id of the freeze notice to lift (what `freeze` printed).
    #[arg(long = "freeze", value_name = "ID")]
    freeze_id: String,
    /// The fingerprint of your signing key the freeze was about.
    #[arg(long, value_name = "FPR")]
    partner_key: String,
    /// Why it may be lifted now.
    #[arg(long)]
    reason: String,
    /// Where to write the lift notice.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

fn usage(message: impl Into<String>) -> CliError {
    CliError::usage("invalid_argument", message.into())
}

fn scope_of(args: &FreezeArgs) -> Result<FreezeScope, CliError> {
    if let Some(iban) = &args.except_iban {
        return Ok(FreezeScope::AllBut(ExceptedAccount::Iban(Iban::parse(iban).map_err(|e| usage(e.to_string()))?)));
    }
    let (Some(number), Some(routing), Some(country)) = (&args.except_account, &args.except_routing, &args.except_country) else {
        return Ok(FreezeScope::All);
    };
    let compact = |s: &str| s.split_whitespace().collect::<String>().to_ascii_uppercase();
    let country = Country::parse(&compact(country)).map_err(|e| usage(e.to_string()))?;
    Ok(FreezeScope::AllBut(ExceptedAccount::Local { account_number: compact(number), routing_code: compact(routing), country }))
}

/// `countersign freeze`: signs a freeze notice.
pub fn freeze(args: &FreezeArgs, output: Output) -> CliResult {
    let bytes = read_file(&args.key, MAX_KEY_FILE)?;
    let key_file = SecretKeyFile::signing_or_recovery_from_bytes(&bytes).map_err(|e| super::partner::key_error(&args.key, e))?;
    if key_file.is_recovery() && args.partner_key.is_none() {
        return Err(usage(format!(
            "{} is a recovery key: give --partner-key, the fingerprint of the signing key the notice is about",
            display(&args.key)
        )));
    }
    let scope = scope_of(args)?;
    let now = OffsetDateTime::now_utc();
    let effective_from = match &args.from {
        Some(text) => parse_rfc3339_lenient(text).ok_or_else(|| usage(format!("--from {text:?} is not an RFC 3339 time")))?,
        None => now,
    };
    let passphrase = read_secret(KEY_PASSPHRASE, &format!("Passphrase for {}", display(&args.key)))?;
    let key = key_file.unlock(&passphrase).map_err(|e| super::partner::key_error(&args.key, e))?;
    let partner_key = match &args.partner_key {
        Some(text) => typed_fingerprint("--partner-key", text)?,
        None => key.fingerprint(),
    };
    let request =
        FreezeRequest { id: uuid::Uuid::new_v4().to_string(), partner_key, scope, effective_from, reason: args.reason.trim().to_string() };
    let bytes = sign_freeze(&key, &request, now).map_err(|e| usage(e.to_string()))?;
    write_atomic(&args.out, &bytes, Sensitivity::Public, false)?;
    let from = format_utc(countersign_service::core::encoding::whole_seconds_utc(effective_from));
    output.emit(json!({ "out": display(&args.out), "id": request.id, "partner_key": partner_key.to_string(), "scope": request.scope.as_str(), "effective_from": from }), || {
        format!(
            "Wrote {}: freeze notice {} ({} from {from}).\nSend it to every customer: it holds their payments to you as soon as they receive it. Keep its id to lift it later.",
            display(&args.out),
            request.id,
            match request.scope.except() {
                None => "hold every payment".to_string(),
                Some(a) => format!("hold every payment but those to {}", a.display()),
            }
        )
    });
    Ok(Exit::Success)
}

/// `countersign freeze-lift`: signs the lift of a freeze with the recovery key.
pub fn freeze_lift(args: &FreezeLiftArgs, output: Output) -> CliResult {
    let bytes = read_file(&args.key, MAX_KEY_FILE)?;
    let key_file = SecretKeyFile::recovery_from_bytes(&bytes).map_err(|e| super::partner::key_error(&args.key, e))?;
    let partner_key = typed_fingerprint("--partner-key", &args.partner_key)?;
    let passphrase = read_secret(KEY_PASSPHRASE, &format!("Passphrase for {}", display(&args.key)))?;
    let key = key_file.unlock(&passphrase).map_err(|e| super::partner::key_error(&args.key, e))?;
    let id = uuid::Uuid::new_v4().to_string();
    let bytes = sign_lift(&key, &id, &args.freeze_id, partner_key, args.reason.trim(), OffsetDateTime::now_utc())
        .map_err(|e| usage(e.to_string()))?;
    write_atomic(&args.out, &bytes, Sensitivity::Public, false)?;
    output.emit(json!({ "out": display(&args.out), "id": id, "freeze_id": args.freeze_id }), || {
        format!("Wrote {}: lifts freeze {} once your customers receive it.", display(&args.out), args.freeze_id)
    });
    Ok(Exit::Success)
}

/// A freeze as JSON (`receive`, `partner show`, `frozen`).
pub fn freeze_json(f: &FreezeView) -> Value {
    json!({
        "id": f.id,
        "scope": f.scope,
        "except": f.except,
        "effective_from": f.effective_from,
        "reason": f.reason,
        "signed_by": f.signed_by,
        "signer": f.signer,
        "received_by": f.received_by,
        "received_at": f.received_at,
        "lifted": f.lifted.as_ref().map(|(how, by, at)| json!({ "how": how, "by": by, "at": at })),
    })
}

/// One line of a freeze, for text output.
pub fn freeze_line(f: &FreezeView) -> String {
    let scope = match &f.except {
        Some(account) => format!("every payment but those to {account}"),
        None => "every payment".to_string(),
    };
    let state = match &f.lifted {
        Some((how, by, at)) => format!("lifted ({how}) by {by} on {at}"),
        None => "STANDS".to_string(),
    };
    format!(
        "    {} holds {scope} from {}: \"{}\" ({}; signed by the {} key; received by {} on {})\n",
        f.id, f.effective_from, f.reason, state, f.signed_by, f.received_by, f.received_at
    )
}

/// `receive`'s object for a notice (docs/cli.md): `kind`, `outcome`, the verdict it counts as,
/// its findings, the partner, the freeze and the cases it holds.
pub fn notice_json(n: &NoticeReceipt) -> Value {
    json!({
        "file": n.file_name,
        "file_sha256": n.file_sha256,
        "kind": n.kind.as_str(),
        "outcome": n.outcome.as_str(),
        "verdict": n.verdict().as_str(),
        "findings": n.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "partner": n.partner.as_ref().map(|p| json!({ "id": p.id, "name": p.name })),
        "freeze": n.freeze.as_ref().map(freeze_json),
        "held_cases": n.held_cases,
    })
}

/// `receive`'s text for a notice.
pub fn notice_text(n: &NoticeReceipt) -> String {
    use countersign_service::{NoticeKind, NoticeOutcome};
    let what = match n.kind {
        NoticeKind::Freeze => "freeze notice",
        NoticeKind::Lift => "lift notice",
    };
    let mut out = format!("{:<9} {} ({what})\n", n.verdict().as_str().to_uppercase(), n.file_name);
    if let Some(p) = &n.partner {
        out += &format!("  partner       {} (partner {})\n", p.name, p.id);
    }
    out += match (n.outcome, n.kind) {
        (NoticeOutcome::Applied, NoticeKind::Freeze) => "  applied now: nothing of this partner is released until the freeze is lifted\n",
        (NoticeOutcome::Applied, NoticeKind::Lift) => "  applied now: the freeze is lifted\n",
        (NoticeOutcome::AlreadyApplied, _) => "  received before: nothing changed\n",
        (NoticeOutcome::Refused, _) => "  refused: nothing changed\n",
    };
    if let Some(f) = &n.freeze {
        out += &freeze_line(f);
    }
    if !n.held_cases.is_empty() {
        out += &format!("  open cases now held: {}\n", n.held_cases.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "));
    }
    for f in &n.findings {
        out += &finding_line(f);
        out.push('\n');
    }
    out
}

/// `partner unfreeze ID --callback-number NUM --outcome confirmed [--freeze FID]`.
pub fn unfreeze(
    ws: &mut Workspace,
    session: &Session,
    id: i64,
    freeze_id: Option<&str>,
    dialed: &str,
    outcome: super::cases::Outcome,
    output: Output,
) -> CliResult {
    let outcome: Outcome = ws.unfreeze_partner(session, id, freeze_id, dialed, outcome.as_core())?;
    super::changes::report_outcome(outcome, output, |applied| {
        let freeze = applied["freeze_id"].as_str().unwrap_or_default().to_string();
        (json!({ "partner": id, "lifted": freeze }), format!("Lifted freeze {freeze} of partner {id}."))
    })
}
