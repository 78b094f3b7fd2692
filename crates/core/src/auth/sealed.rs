//! Small secrets sealed under a password: XChaCha20-Poly1305 with a key derived by Argon2id.
//! Used for a user's TOTP secret, which is sealed under that user's own password, so the
//! database alone never reveals it.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::auth::password::{ITERATIONS, MEMORY_KIB, PARALLELISM};
use crate::encoding::{b64_decode, b64_decode_array, b64_encode};

/// A sealed secret as stored (JSON).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedWire {
    salt: String,
    nonce: String,
    ciphertext: String,
}

/// Why a secret could not be unsealed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// Wrong password, or the stored value was altered.
    #[error("the sealed secret cannot be opened with this password")]
    WrongPassword,
    /// The stored value is not a sealed secret.
    #[error("the sealed secret is damaged")]
    Malformed,
}

fn derive(password: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, Some(32)).map_err(|_| SealError::Malformed)?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, key.as_mut())
        .map_err(|_| SealError::Malformed)?;
    Ok(key)
}

/// Seals `secret` under `password`; `context` is bound as associated data (e.g. the user name).
pub fn seal(rng: &mut impl CryptoRngCore, password: &str, secret: &[u8], context: &str) -> String {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut nonce);
    let key = derive(password, &salt).expect("fixed parameters are valid");
    let ciphertext = XChaCha20Poly1305::new(key.as_ref().into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad: context.as_bytes() })
        .expect("encryption of a small secret cannot fail");
    serde_json::to_string(&SealedWire { salt: b64_encode(&salt), nonce: b64_encode(&nonce), ciphertext: b64_encode(&ciphertext) })
        .expect("serialises")
}

/// Opens a sealed secret.
pub fn open(password: &str, sealed: &str, context: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let wire: SealedWire = serde_json::from_str(sealed).map_err(|_| SealError::Malformed)?;
    let salt = b64_decode(&wire.salt).ok_or(SealError::Malformed)?;
    let nonce = b64_decode_array::<24>(&wire.nonce).ok_or(SealError::Malformed)?;
    let ciphertext = b64_decode(&wire.ciphertext).ok_or(SealError::Malformed)?;
    let key = derive(password, &salt)?;
    XChaCha20Poly1305::new(key.as_ref().into())
        .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: context.as_bytes() })
        .map(Zeroizing::new)
        .map_err(|_| SealError::WrongPassword)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn seal_and_open() {
        let sealed = seal(&mut OsRng, "a long password", b"twenty bytes secret!", "user:alice");
        assert_eq!(open("a long password", &sealed, "user:alice").unwrap().as_slice(), b"twenty bytes secret!");
        assert_eq!(open("another password", &sealed, "user:alice").unwrap_err(), SealError::WrongPassword);
        assert_eq!(open("a long password", &sealed, "user:bob").unwrap_err(), SealError::WrongPassword);
        assert_eq!(open("a long password", "{}", "user:alice").unwrap_err(), SealError::Malformed);
    }
}
