//! The partner's offline recovery key in the CLI (issue 20, format §4.2, §6.1): `keygen --recovery`
//! makes one (an encrypted recovery-key file and its public key), `keygen --recovery-key` names it
//! on a new version-3 card, and `rotate --with-recovery` / `revoke --with-recovery` sign the two
//! statements only it may sign. No workspace is needed.

use countersign_service::OsRng;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;

use countersign_service::core::format::keys::{KeyPair, PublicKey, SecretKeyFile};
use countersign_service::core::format::recovery::{KeyRevocation, RecoveryRotation};
use countersign_service::files::{read_limited, write_atomic, Sensitivity};

use super::exit::{CliError, CliResult, Exit};
use super::partner::{display, key_error, load_card, typed_fingerprint, with_extension, MAX_KEY_FILE};
use super::report::Output;
use super::secrets::{read_new_secret, read_secret, KEY_PASSPHRASE};

/// `keygen --recovery`: writes BASE.key (the recovery key, encrypted, marked as a recovery key) and
/// BASE.pub (its public key, for `keygen --recovery-key` on the machine that makes signing keys).
pub fn keygen_recovery(name: &str, out: &Path, output: Output) -> CliResult {
    let key_path = with_extension(out, "key");
    let pub_path = with_extension(out, "pub");
    for path in [&key_path, &pub_path] {
        if path.exists() {
            return Err(CliError::usage("file_exists", format!("{} already exists; choose another --out", display(path))));
        }
    }
    let name = name.trim();
    let pair = KeyPair::generate(&mut OsRng);
    let passphrase = read_new_secret(KEY_PASSPHRASE, &format!("Passphrase for the recovery key of {name}"))?;
    let sealed = pair.seal_recovery(&mut OsRng, name, &passphrase).map_err(|e| key_error(&key_path, e))?;
    write_atomic(&key_path, &sealed.to_bytes(), Sensitivity::Secret, false)?;
    write_atomic(&pub_path, format!("{}\n", pair.public_key().to_base64()).as_bytes(), Sensitivity::Public, false)?;
    let fingerprint = pair.fingerprint().to_string();
    output.emit(
        json!({ "fingerprint": fingerprint, "key": display(&key_path), "public_key": display(&pub_path), "recovery": true }),
        || {
            format!(
                "Wrote {} (recovery key, encrypted) and {} (its public key).\n\
             Recovery key fingerprint: {fingerprint}\n\
             Keep the recovery key offline, apart from your signing key. Name it on your card with\n\
             `countersign keygen --recovery-key {}`; only it can then replace or revoke your signing key.",
                display(&key_path),
                display(&pub_path),
                display(&pub_path)
            )
        },
    );
    Ok(Exit::Success)
}

/// The recovery public key `keygen --recovery-key` names: from a `.pub` file (one line of base64)
/// or the public half of a recovery-key file (no passphrase needed).
pub fn recovery_public_key(path: &Path) -> Result<PublicKey, CliError> {
    let bytes = read_limited(path, MAX_KEY_FILE)?;
    let bad = |why: String| CliError::usage("invalid_key_file", format!("{}: {why}", display(path)));
    if bytes.first() == Some(&b'{') {
        let file = SecretKeyFile::recovery_from_bytes(&bytes).map_err(|e| key_error(path, e))?;
        return file.public_key().map_err(|e| key_error(path, e));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| bad("not UTF-8 text".into()))?;
    let line = text.strip_suffix('\n').unwrap_or(text);
    PublicKey::from_base64(line).ok_or_else(|| {
        bad("not a recovery public key: one line of canonical base64 of a valid Ed25519 key (what `keygen --recovery` wrote)".into())
    })
}

/// Reads and unlocks a recovery-key file; a signing key's file is refused.
fn unlock_recovery(path: &Path) -> Result<KeyPair, CliError> {
    let bytes = read_limited(path, MAX_KEY_FILE)?;
    let file = SecretKeyFile::recovery_from_bytes(&bytes).map_err(|e| key_error(path, e))?;
    let passphrase = read_secret(KEY_PASSPHRASE, &format!("Passphrase for the recovery key {}", display(path)))?;
    file.unlock(&passphrase).map_err(|e| key_error(path, e))
}

/// `rotate --with-recovery RECOVERY.key --replaces FPR --new NEW.card --out FILE`.
pub fn rotate_with_recovery(recovery: &Path, replaces: &str, new_card: &Path, out: &Path, output: Output) -> CliResult {
    let old = typed_fingerprint("--replaces", replaces)?;
    let new_card = load_card(new_card)?;
    let pair = unlock_recovery(recovery)?;
    let statement = RecoveryRotation::create(&pair, old, &new_card, OffsetDateTime::now_utc())
        .map_err(|e| CliError::usage("invalid_argument", e.to_string()))?;
    write_atomic(out, &statement, Sensitivity::Public, false)?;
    let new_fp = new_card.fingerprint().to_string();
    let recovery_fp = pair.fingerprint().to_string();
    output.emit(json!({ "out": display(out), "old_key": old.to_string(), "new_key": new_fp, "recovery_key": recovery_fp }), || {
        format!(
            "Wrote {}: your recovery key {recovery_fp} names {new_fp} in place of {old}.\nSend it with the new card to each partner; their admin accepts it.",
            display(out)
        )
    });
    Ok(Exit::Success)
}

#[derive(Args)]
pub struct RevokeArgs {
    /// Your recovery-key file (passphrase from COUNTERSIGN_KEY_PASSPHRASE or a prompt).
    #[arg(long = "with-recovery", value_name = "RECOVERY.key")]
    with_recovery: PathBuf,
    /// The fingerprint of the signing key to revoke.
    #[arg(long, value_name = "FPR")]
    key_fingerprint: String,
    /// Why (told to every partner that imports the statement).
    #[arg(long)]
    reason: String,
    /// Where to write the statement.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// `revoke --with-recovery RECOVERY.key --key-fingerprint FPR --reason TEXT --out FILE`.
pub fn revoke(args: &RevokeArgs, output: Output) -> CliResult {
    let revoked = typed_fingerprint("--key-fingerprint", &args.key_fingerprint)?;
    let pair = unlock_recovery(&args.with_recovery)?;
    let statement = KeyRevocation::create(&pair, revoked, args.reason.trim(), OffsetDateTime::now_utc())
        .map_err(|e| CliError::usage("invalid_argument", e.to_string()))?;
    write_atomic(&args.out, &statement, Sensitivity::Public, false)?;
    let recovery_fp = pair.fingerprint().to_string();
    output.emit(json!({ "out": display(&args.out), "revoked_key": revoked.to_string(), "recovery_key": recovery_fp }), || {
        format!(
            "Wrote {}: your recovery key {recovery_fp} revokes {revoked}.\nSend it to each partner; their admin imports it with `partner revoke-key ID --statement FILE`, and it applies at once.",
            display(&args.out)
        )
    });
    Ok(Exit::Success)
}
