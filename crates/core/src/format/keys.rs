//! Ed25519 key pairs and the encrypted secret-key file (`BASE.key`).
//!
//! The secret key never touches disk in plain text: it is sealed with XChaCha20-Poly1305 under a
//! key derived from the passphrase with Argon2id. The public key and the file's parameters are
//! authenticated as associated data, so swapping the public key in the file is detected. Secret
//! bytes are zeroized when dropped.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::encoding::{b64_decode, b64_decode_array, b64_encode};
use crate::format::fingerprint::Fingerprint;

/// The `format` of a secret-key file.
pub const SECRET_KEY_FORMAT: &str = "countersign/secret-key/v1";
/// The `format` of a recovery secret-key file (format §6.1): the same grammar, marked so that it
/// never signs an instruction, a card or a rotation by the signing key by mistake.
pub const RECOVERY_KEY_FORMAT: &str = "countersign/recovery-key/v1";
/// Largest secret-key file we read.
const MAX_KEY_FILE: usize = 16 * 1024;

/// Argon2id cost used for new key files (RFC 9106's second recommended option, single lane).
pub const KDF_MEMORY_KIB: u32 = 64 * 1024;
/// Argon2id passes for new key files.
pub const KDF_ITERATIONS: u32 = 3;
/// Argon2id lanes for new key files.
pub const KDF_PARALLELISM: u32 = 1;
/// Shortest passphrase accepted for a new key.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// An Ed25519 public key that has been checked to be a valid, non-weak curve point.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses 32 bytes; refuses points that are not valid or have small order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let key = VerifyingKey::from_bytes(bytes).ok()?;
        (!key.is_weak()).then_some(PublicKey(key))
    }

    /// Parses canonical base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Option<Self> {
        Self::from_bytes(&b64_decode_array::<32>(text)?)
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Canonical base64 of the raw bytes.
    pub fn to_base64(&self) -> String {
        b64_encode(self.0.as_bytes())
    }

    /// This key's fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of_public_key(self.0.as_bytes())
    }

    /// Verifies `signature` over the domain-separated message `context || 0x00 || payload`,
    /// with ed25519-dalek's strict verification (no malleable or small-order signatures).
    pub fn verify(&self, context: &str, payload: &[u8], signature: &[u8; 64]) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.0.verify_strict(&signing_message(context, payload), &signature).is_ok()
    }
}

impl PublicKey {
    /// Verifies a signature over bytes as they are (the counterpart of [`KeyPair::sign_raw`]).
    pub fn verify_raw(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.0.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature)).is_ok()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

/// The message that is actually signed: a context naming the file type and version, a zero
/// byte, then the exact payload bytes. A signature made for one context never verifies in another.
pub fn signing_message(context: &str, payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(context.len() + 1 + payload.len());
    message.extend_from_slice(context.as_bytes());
    message.push(0);
    message.extend_from_slice(payload);
    message
}

/// An Ed25519 key pair. The secret half is zeroized on drop and never printed.
pub struct KeyPair {
    signing: SigningKey,
}

impl KeyPair {
    /// A fresh key pair from `rng` (the service passes the operating system's random source).
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        KeyPair { signing: SigningKey::generate(rng) }
    }

    /// A key pair from a 32-byte secret seed (test vectors, decrypted key files).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        KeyPair { signing: SigningKey::from_bytes(seed) }
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    /// The public key's fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        self.public_key().fingerprint()
    }

    /// Signs `context || 0x00 || payload`.
    pub fn sign(&self, context: &str, payload: &[u8]) -> [u8; 64] {
        self.signing.sign(&signing_message(context, payload)).to_bytes()
    }

    /// Signs bytes as they are, without a context: only for formats that define their own
    /// framing (signed notes, see [`crate::audit::checkpoint`]). Everything else uses [`KeyPair::sign`].
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The secret seed, for sealing it elsewhere (a user's keyring); wiped when dropped.
    pub fn secret_seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    /// Seals the secret key under a passphrase, producing a key file's contents.
    pub fn seal(&self, rng: &mut impl CryptoRngCore, name: &str, passphrase: &str) -> Result<SecretKeyFile, KeyError> {
        self.seal_as(SECRET_KEY_FORMAT, rng, name, passphrase)
    }

    /// Seals the secret key as a recovery key (format §6.1): a file only
    /// [`SecretKeyFile::recovery_from_bytes`] reads.
    pub fn seal_recovery(&self, rng: &mut impl CryptoRngCore, name: &str, passphrase: &str) -> Result<SecretKeyFile, KeyError> {
        self.seal_as(RECOVERY_KEY_FORMAT, rng, name, passphrase)
    }

    fn seal_as(&self, format: &str, rng: &mut impl CryptoRngCore, name: &str, passphrase: &str) -> Result<SecretKeyFile, KeyError> {
        check_new_passphrase(passphrase)?;
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 24];
        rng.fill_bytes(&mut nonce);
        let kdf = KdfParams {
            algorithm: "argon2id".into(),
            version: 19,
            memory_kib: KDF_MEMORY_KIB,
            iterations: KDF_ITERATIONS,
            parallelism: KDF_PARALLELISM,
            salt: b64_encode(&salt),
        };
        let public_key = self.public_key();
        let wrapping_key = derive_wrapping_key(passphrase, &kdf)?;
        let cipher = XChaCha20Poly1305::new(wrapping_key.as_ref().into());
        let aad = key_file_aad(format, name, &public_key, &kdf);
        let seed = Zeroizing::new(self.signing.to_bytes());
        let ciphertext =
            cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: seed.as_ref(), aad: &aad }).map_err(|_| KeyError::Crypto)?;
        Ok(SecretKeyFile {
            format: format.into(),
            name: name.into(),
            public_key: public_key.to_base64(),
            fingerprint: public_key.fingerprint().to_string(),
            kdf,
            cipher: "xchacha20poly1305".into(),
            nonce: b64_encode(&nonce),
            ciphertext: b64_encode(&ciphertext),
        })
    }
}

/// Refuses passphrases too short to resist guessing.
pub fn check_new_passphrase(passphrase: &str) -> Result<(), KeyError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(KeyError::WeakPassphrase);
    }
    Ok(())
}

/// Errors reading, writing or unlocking a key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file is not a Countersign secret-key file, or is damaged.
    #[error("not a valid Countersign secret-key file: {0}")]
    Malformed(String),
    /// Decryption failed: the passphrase is wrong (or the file was altered).
    #[error("wrong passphrase for this key file (or the file was altered)")]
    WrongPassphrase,
    /// The passphrase offered for a new key is too short.
    #[error("the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters")]
    WeakPassphrase,
    /// The key-derivation parameters are outside what we accept.
    #[error("the key file asks for key-derivation settings outside the accepted range")]
    UnsupportedKdf,
    /// An internal cryptographic failure.
    #[error("a cryptographic operation failed")]
    Crypto,
    /// A recovery key offered where a signing key is needed (`sign`, `rotate --key`, …).
    #[error("this is a recovery key: it signs only recovery statements (`rotate --with-recovery`, `revoke --with-recovery`), never instructions, cards or ordinary rotations; use the partner's signing key")]
    RecoveryKey,
    /// A signing key offered where the recovery key is needed (`--with-recovery`).
    #[error("this is a signing key, not a recovery key: give the file `keygen --recovery` wrote (`--with-recovery`, `freeze-lift --key`)")]
    NotRecoveryKey,
}

/// Argon2id parameters stored in a key file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    /// Always `argon2id`.
    pub algorithm: String,
    /// Argon2 version: 19 (0x13).
    pub version: u32,
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// 16-byte salt, canonical base64.
    pub salt: String,
}

/// The JSON contents of a `BASE.key` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyFile {
    /// [`SECRET_KEY_FORMAT`].
    pub format: String,
    /// The key holder's name (shown when asking for the passphrase).
    pub name: String,
    /// The public key, canonical base64.
    pub public_key: String,
    /// The public key's fingerprint (informational, checked on load).
    pub fingerprint: String,
    /// How the wrapping key is derived from the passphrase.
    pub kdf: KdfParams,
    /// Always `xchacha20poly1305`.
    pub cipher: String,
    /// 24-byte nonce, canonical base64.
    pub nonce: String,
    /// The sealed 32-byte secret seed plus the 16-byte tag, canonical base64.
    pub ciphertext: String,
}

impl SecretKeyFile {
    /// Parses and checks a signing key's file (without unlocking it); a recovery key's file is
    /// refused ([`KeyError::RecoveryKey`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let file = Self::parse_any(bytes)?;
        match file.format == RECOVERY_KEY_FORMAT {
            true => Err(KeyError::RecoveryKey),
            false => Ok(file),
        }
    }

    /// Parses and checks a recovery key's file (without unlocking it); a signing key's file is
    /// refused ([`KeyError::NotRecoveryKey`]).
    pub fn recovery_from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let file = Self::parse_any(bytes)?;
        match file.format == SECRET_KEY_FORMAT {
            true => Err(KeyError::NotRecoveryKey),
            false => Ok(file),
        }
    }

    /// Parses and checks a signing key's or a recovery key's file (without unlocking it): for
    /// what either may sign, a partner's freeze notice (format §4.3).
    pub fn signing_or_recovery_from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Self::parse_any(bytes)
    }

    /// Whether this is a recovery key's file (`countersign/recovery-key/v1`).
    pub fn is_recovery(&self) -> bool {
        self.format == RECOVERY_KEY_FORMAT
    }

    fn parse_any(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() > MAX_KEY_FILE {
            return Err(KeyError::Malformed("file too large".into()));
        }
        let file: SecretKeyFile = serde_json::from_slice(bytes).map_err(|e| KeyError::Malformed(e.to_string()))?;
        if file.format != SECRET_KEY_FORMAT && file.format != RECOVERY_KEY_FORMAT {
            return Err(KeyError::Malformed(format!("unknown format {:?}", file.format)));
        }
        let public_key = file.public_key()?;
        if public_key.fingerprint().to_string() != file.fingerprint {
            return Err(KeyError::Malformed("fingerprint does not match the public key".into()));
        }
        if file.cipher != "xchacha20poly1305" {
            return Err(KeyError::Malformed(format!("unknown cipher {:?}", file.cipher)));
        }
        let k = &file.kdf;
        let sane = k.algorithm == "argon2id"
            && k.version == 19
            && (8 * 1024..=1024 * 1024).contains(&k.memory_kib)
            && (1..=16).contains(&k.iterations)
            && (1..=8).contains(&k.parallelism)
            && b64_decode(&k.salt).is_some_and(|s| (16..=64).contains(&s.len()));
        if !sane {
            return Err(KeyError::UnsupportedKdf);
        }
        Ok(file)
    }

    /// Serialises the file (pretty JSON, newline-terminated).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("key file serialises");
        out.push(b'\n');
        out
    }

    /// The public key recorded in the file.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_base64(&self.public_key).ok_or_else(|| KeyError::Malformed("public key is not a valid Ed25519 key".into()))
    }

    /// Unlocks the secret key with the passphrase.
    pub fn unlock(&self, passphrase: &str) -> Result<KeyPair, KeyError> {
        let public_key = self.public_key()?;
        let nonce = b64_decode_array::<24>(&self.nonce).ok_or_else(|| KeyError::Malformed("bad nonce".into()))?;
        let ciphertext = b64_decode(&self.ciphertext).ok_or_else(|| KeyError::Malformed("bad ciphertext".into()))?;
        let wrapping_key = derive_wrapping_key(passphrase, &self.kdf)?;
        let cipher = XChaCha20Poly1305::new(wrapping_key.as_ref().into());
        let aad = key_file_aad(&self.format, &self.name, &public_key, &self.kdf);
        let seed = Zeroizing::new(
            cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: &aad }).map_err(|_| KeyError::WrongPassphrase)?,
        );
        let seed: &[u8; 32] = seed.as_slice().try_into().map_err(|_| KeyError::Malformed("bad seed length".into()))?;
        let pair = KeyPair::from_seed(seed);
        if pair.public_key() != public_key {
            return Err(KeyError::Malformed("secret key does not match the public key".into()));
        }
        Ok(pair)
    }
}

/// Associated data binding the sealed seed to the file's visible fields.
fn key_file_aad(format: &str, name: &str, public_key: &PublicKey, kdf: &KdfParams) -> Vec<u8> {
    let mut aad = Vec::new();
    for part in [
        format,
        name,
        &public_key.to_base64(),
        &format!("{}:{}:{}:{}:{}", kdf.algorithm, kdf.version, kdf.memory_kib, kdf.iterations, kdf.parallelism),
        &kdf.salt,
    ] {
        aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

/// Argon2id(passphrase, salt) → 32-byte wrapping key.
fn derive_wrapping_key(passphrase: &str, kdf: &KdfParams) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let salt = b64_decode(&kdf.salt).ok_or(KeyError::UnsupportedKdf)?;
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32)).map_err(|_| KeyError::UnsupportedKdf)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(passphrase.as_bytes(), &salt, out.as_mut()).map_err(|_| KeyError::Crypto)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    const PASS: &str = "correct horse battery";

    #[test]
    fn seal_and_unlock_round_trip() {
        let pair = KeyPair::generate(&mut OsRng);
        let file = pair.seal(&mut OsRng, "Globex", PASS).unwrap();
        let reread = SecretKeyFile::from_bytes(&file.to_bytes()).unwrap();
        let unlocked = reread.unlock(PASS).unwrap();
        assert_eq!(unlocked.public_key(), pair.public_key());
        assert!(!String::from_utf8(file.to_bytes()).unwrap().contains(&b64_encode(&pair.signing.to_bytes())));
    }

    /// Format §6.1 (issue 20): a recovery key's file is refused where a signing key is read and the
    /// other way round; its mark is bound to the ciphertext, so relabelling it fails to unlock.
    #[test]
    fn recovery_key_files_are_kept_apart_from_signing_key_files() {
        let pair = KeyPair::from_seed(&[4; 32]);
        let recovery = pair.seal_recovery(&mut OsRng, "Globex recovery", PASS).unwrap();
        assert!(String::from_utf8(recovery.to_bytes()).unwrap().contains(RECOVERY_KEY_FORMAT));
        assert!(matches!(SecretKeyFile::from_bytes(&recovery.to_bytes()), Err(KeyError::RecoveryKey)));
        let read = SecretKeyFile::recovery_from_bytes(&recovery.to_bytes()).unwrap();
        assert_eq!(read.unlock(PASS).unwrap().public_key(), pair.public_key());
        let signing = pair.seal(&mut OsRng, "Globex", PASS).unwrap();
        assert!(matches!(SecretKeyFile::recovery_from_bytes(&signing.to_bytes()), Err(KeyError::NotRecoveryKey)));
        let mut relabelled = recovery.clone();
        relabelled.format = SECRET_KEY_FORMAT.into();
        let relabelled = SecretKeyFile::from_bytes(&relabelled.to_bytes()).unwrap();
        assert!(matches!(relabelled.unlock(PASS), Err(KeyError::WrongPassphrase)), "the mark is authenticated");
    }

    #[test]
    fn wrong_passphrase_is_refused() {
        let file = KeyPair::generate(&mut OsRng).seal(&mut OsRng, "Globex", PASS).unwrap();
        assert!(matches!(file.unlock("correct horse battery!"), Err(KeyError::WrongPassphrase)));
    }

    #[test]
    fn swapping_the_public_key_is_detected() {
        let mut file = KeyPair::generate(&mut OsRng).seal(&mut OsRng, "Globex", PASS).unwrap();
        let other = KeyPair::generate(&mut OsRng).public_key();
        file.public_key = other.to_base64();
        file.fingerprint = other.fingerprint().to_string();
        let reread = SecretKeyFile::from_bytes(&file.to_bytes()).unwrap();
        assert!(matches!(reread.unlock(PASS), Err(KeyError::WrongPassphrase)));
    }

    #[test]
    fn weak_passphrases_and_absurd_kdf_settings_are_refused() {
        assert!(matches!(KeyPair::generate(&mut OsRng).seal(&mut OsRng, "x", "short"), Err(KeyError::WeakPassphrase)));
        let mut file = KeyPair::generate(&mut OsRng).seal(&mut OsRng, "x", PASS).unwrap();
        file.kdf.memory_kib = 64 * 1024 * 1024;
        assert!(matches!(SecretKeyFile::from_bytes(&file.to_bytes()), Err(KeyError::UnsupportedKdf)));
    }

    #[test]
    fn signatures_are_domain_separated() {
        let pair = KeyPair::generate(&mut OsRng);
        let sig = pair.sign("countersign/instruction/v1", b"payload");
        assert!(pair.public_key().verify("countersign/instruction/v1", b"payload", &sig));
        assert!(!pair.public_key().verify("countersign/card/v1", b"payload", &sig));
        assert!(!pair.public_key().verify("countersign/instruction/v1", b"payloae", &sig));
    }

    #[test]
    fn weak_public_keys_are_refused() {
        // The identity point (small order) must never be accepted as a key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(PublicKey::from_bytes(&identity).is_none());
    }
}
