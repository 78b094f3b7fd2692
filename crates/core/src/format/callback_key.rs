//! The organisation's **callback key** (X25519) and what rests on it (format §3.7):
//!
//! - the shared secret of a version-2 challenge response: X25519 of the partner's Ed25519 secret
//!   (converted as libsodium's `crypto_sign_ed25519_sk_to_curve25519` and age do) and our callback
//!   public key, which equals X25519 of our callback secret and the partner's Ed25519 public key
//!   in Montgomery form. Only the partner's key file or our callback secret yields it, so the clerk
//!   who records a callback (who holds neither) cannot compute the response;
//! - the **grant** that hands the callback secret to one user: sealed to their personal Ed25519
//!   key (converted to X25519) with an ephemeral X25519 key, HKDF-SHA256 and XChaCha20-Poly1305.
//!
//! The callback key is deliberately not the X25519 form of the organisation's Ed25519 signing key:
//! whoever holds that could sign as the organisation, and approvers must hold the callback secret.
//! An all-zero shared secret (a low-order point) is refused everywhere.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::montgomery::MontgomeryPoint;
use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use crate::encoding::{b64_decode, b64_decode_array, b64_encode};
use crate::format::keys::{KeyPair, PublicKey};

/// Domain separation of a grant's key derivation and associated data.
pub const GRANT_CONTEXT: &[u8] = b"countersign/callback-key-grant/v1";

/// A fixed clamped scalar used to test a public key: a low-order point times any clamped scalar
/// (a multiple of 8) is the identity, whose u-coordinate is zero.
const PROBE_SCALAR: [u8; 32] = [0x55; 32];

type HmacSha256 = Hmac<Sha256>;

/// Why a callback-key operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackKeyError {
    /// The shared secret is all zeros: one of the keys is a low-order point.
    #[error("the callback key and the partner's key give no usable shared secret (a low-order point)")]
    LowOrder,
    /// A grant that cannot be opened: another recipient, another key, or altered.
    #[error("the callback-key grant cannot be opened (it is for another user or key, or was altered)")]
    Grant,
}

/// Our organisation's callback public key: 32 bytes, an X25519 u-coordinate that is not a
/// low-order point.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackPublicKey([u8; 32]);

impl CallbackPublicKey {
    /// Parses 32 bytes; refuses low-order points (they would give an all-zero shared secret).
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let probe = MontgomeryPoint(*bytes).mul_clamped(PROBE_SCALAR);
        (probe.0 != [0; 32]).then_some(CallbackPublicKey(*bytes))
    }

    /// Parses canonical base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Option<Self> {
        Self::from_bytes(&b64_decode_array::<32>(text)?)
    }

    /// The raw bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Canonical base64 of the raw bytes (how files carry it).
    pub fn to_base64(&self) -> String {
        b64_encode(&self.0)
    }
}

impl std::fmt::Debug for CallbackPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallbackPublicKey({})", self.to_base64())
    }
}

/// The shared secret of one partner key and our callback key; wiped when dropped.
pub struct SharedSecret(Zeroizing<[u8; 32]>);

impl SharedSecret {
    fn checked(point: MontgomeryPoint) -> Result<Self, CallbackKeyError> {
        match point.0 == [0; 32] {
            true => Err(CallbackKeyError::LowOrder),
            false => Ok(SharedSecret(Zeroizing::new(point.0))),
        }
    }

    /// The 32 bytes (the HMAC key of the response, format §3.7).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Our organisation's callback secret: 32 random bytes, clamped when used (RFC 7748). Held only
/// in the keyrings of approvers and admins.
pub struct CallbackSecret(Zeroizing<[u8; 32]>);

impl CallbackSecret {
    /// A fresh secret from `rng`.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        loop {
            rng.fill_bytes(bytes.as_mut());
            let secret = CallbackSecret(bytes.clone());
            if CallbackPublicKey::from_bytes(&secret.public_key().0).is_some() {
                return secret;
            }
        }
    }

    /// The secret from its 32 bytes (a keyring, a grant, a test vector).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        CallbackSecret(Zeroizing::new(*bytes))
    }

    /// The 32 bytes, for sealing them elsewhere.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.0.clone()
    }

    /// The public half: X25519(secret, 9).
    pub fn public_key(&self) -> CallbackPublicKey {
        CallbackPublicKey(MontgomeryPoint::mul_base_clamped(*self.0).0)
    }

    /// Our side of the shared secret with the key that signed an instruction.
    pub fn shared_secret(&self, signer: &PublicKey) -> Result<SharedSecret, CallbackKeyError> {
        SharedSecret::checked(montgomery_of(signer).mul_clamped(*self.0))
    }
}

/// The partner's side of the shared secret: their Ed25519 key converted to X25519 with our
/// callback public key.
pub fn partner_shared_secret(partner: &KeyPair, callback: &CallbackPublicKey) -> Result<SharedSecret, CallbackKeyError> {
    SharedSecret::checked(MontgomeryPoint(callback.0).mul_clamped(*x25519_scalar(partner)))
}

/// The X25519 scalar of an Ed25519 key: the first 32 bytes of SHA-512 of its seed (clamped when
/// used), as libsodium's `crypto_sign_ed25519_sk_to_curve25519`.
fn x25519_scalar(key: &KeyPair) -> Zeroizing<[u8; 32]> {
    let hash: Zeroizing<[u8; 64]> = Zeroizing::new(Sha512::digest(key.secret_seed().as_ref()).into());
    let mut scalar = Zeroizing::new([0u8; 32]);
    scalar.copy_from_slice(&hash[..32]);
    scalar
}

/// An Ed25519 public key as an X25519 public key (its u-coordinate, format §3.7; test vectors).
pub fn x25519_public_of(key: &PublicKey) -> [u8; 32] {
    montgomery_of(key).0
}

/// An Ed25519 public key as an X25519 u-coordinate: u = (1 + y) / (1 − y) mod 2^255 − 19.
fn montgomery_of(key: &PublicKey) -> MontgomeryPoint {
    CompressedEdwardsY(key.to_bytes()).decompress().expect("a PublicKey is a valid point").to_montgomery()
}

/// HMAC-SHA256 of the concatenated `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HKDF-SHA256 (RFC 5869) with one block of output: 32 bytes.
fn hkdf_32(salt: &[u8], ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let prk = Zeroizing::new(hmac_sha256(salt, &[ikm]));
    Zeroizing::new(hmac_sha256(prk.as_ref(), &[info, &[1u8]]))
}

/// A grant as stored: the callback secret sealed to one user's personal key.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantWire {
    callback_key: String,
    ephemeral: String,
    nonce: String,
    ciphertext: String,
}

/// The associated data of a grant: who it is for, which key it carries, with which ephemeral key.
fn grant_aad(user: &str, recipient: &PublicKey, callback: &CallbackPublicKey, ephemeral: &[u8; 32]) -> Vec<u8> {
    let mut aad = GRANT_CONTEXT.to_vec();
    aad.push(0);
    for part in [user.as_bytes(), &recipient.to_bytes(), &callback.to_bytes(), ephemeral] {
        aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
        aad.extend_from_slice(part);
    }
    aad
}

/// Seals `secret` for `user`, whose personal key is `recipient`: only that key opens it.
pub fn seal_grant(rng: &mut impl CryptoRngCore, secret: &CallbackSecret, user: &str, recipient: &PublicKey) -> String {
    let callback = secret.public_key();
    let ephemeral = CallbackSecret::generate(rng);
    let ephemeral_public = ephemeral.public_key().to_bytes();
    let shared = ephemeral.shared_secret(recipient).expect("a PublicKey is not of low order");
    let key = hkdf_32(&[ephemeral_public, montgomery_of(recipient).0].concat(), shared.as_bytes(), GRANT_CONTEXT);
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let aad = grant_aad(user, recipient, &callback, &ephemeral_public);
    let plain = secret.to_bytes();
    let ciphertext = XChaCha20Poly1305::new(key.as_ref().into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain.as_ref(), aad: &aad })
        .expect("encryption of 32 bytes does not fail");
    let wire = GrantWire {
        callback_key: callback.to_base64(),
        ephemeral: b64_encode(&ephemeral_public),
        nonce: b64_encode(&nonce),
        ciphertext: b64_encode(&ciphertext),
    };
    serde_json::to_string(&wire).expect("serialises")
}

/// Opens a grant for `user` with their personal key; the secret must be the one the grant names.
pub fn open_grant(sealed: &str, user: &str, recipient: &KeyPair) -> Result<CallbackSecret, CallbackKeyError> {
    let wire: GrantWire = serde_json::from_str(sealed).map_err(|_| CallbackKeyError::Grant)?;
    let callback = CallbackPublicKey::from_base64(&wire.callback_key).ok_or(CallbackKeyError::Grant)?;
    let ephemeral = CallbackPublicKey::from_base64(&wire.ephemeral).ok_or(CallbackKeyError::Grant)?;
    let nonce = b64_decode_array::<24>(&wire.nonce).ok_or(CallbackKeyError::Grant)?;
    let ciphertext = b64_decode(&wire.ciphertext).ok_or(CallbackKeyError::Grant)?;
    let shared = partner_shared_secret(recipient, &ephemeral)?;
    let public = recipient.public_key();
    let key = hkdf_32(&[ephemeral.to_bytes(), montgomery_of(&public).0].concat(), shared.as_bytes(), GRANT_CONTEXT);
    let aad = grant_aad(user, &public, &callback, &ephemeral.to_bytes());
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new(key.as_ref().into())
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: &aad })
            .map_err(|_| CallbackKeyError::Grant)?,
    );
    let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| CallbackKeyError::Grant)?;
    let secret = CallbackSecret::from_bytes(&bytes);
    match secret.public_key() == callback {
        true => Ok(secret),
        false => Err(CallbackKeyError::Grant),
    }
}

/// The callback public key a grant carries, without opening it.
pub fn grant_callback_key(sealed: &str) -> Option<CallbackPublicKey> {
    let wire: GrantWire = serde_json::from_str(sealed).ok()?;
    CallbackPublicKey::from_base64(&wire.callback_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    /// Independent of ed25519-dalek's own conversion: the partner's and our sides agree.
    #[test]
    fn both_sides_derive_the_same_shared_secret() {
        let partner = KeyPair::from_seed(&[7; 32]);
        let ours = CallbackSecret::from_bytes(&[9; 32]);
        let a = partner_shared_secret(&partner, &ours.public_key()).unwrap();
        let b = ours.shared_secret(&partner.public_key()).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        let other = KeyPair::from_seed(&[8; 32]);
        assert_ne!(partner_shared_secret(&other, &ours.public_key()).unwrap().as_bytes(), a.as_bytes());
    }

    /// The conversion is libsodium's: the Montgomery form of the public key is the X25519 public
    /// key of the converted secret.
    #[test]
    fn the_conversion_of_a_key_pair_is_consistent() {
        let partner = KeyPair::from_seed(&[11; 32]);
        let from_secret = MontgomeryPoint::mul_base_clamped(*x25519_scalar(&partner));
        assert_eq!(from_secret, montgomery_of(&partner.public_key()));
    }

    #[test]
    fn low_order_points_are_refused() {
        // u = 0 and u = 1 are low-order points (order 4 and 2 in Montgomery form... and the identity).
        for u in [[0u8; 32], {
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        }] {
            assert!(CallbackPublicKey::from_bytes(&u).is_none(), "{u:?}");
            let partner = KeyPair::from_seed(&[7; 32]);
            assert_eq!(partner_shared_secret(&partner, &CallbackPublicKey(u)).err(), Some(CallbackKeyError::LowOrder));
        }
        assert!(CallbackPublicKey::from_bytes(&CallbackSecret::generate(&mut OsRng).public_key().to_bytes()).is_some());
    }

    #[test]
    fn a_grant_opens_only_for_its_user_and_key() {
        let secret = CallbackSecret::generate(&mut OsRng);
        let anna = KeyPair::from_seed(&[21; 32]);
        let sealed = seal_grant(&mut OsRng, &secret, "anna", &anna.public_key());
        assert_eq!(open_grant(&sealed, "anna", &anna).unwrap().public_key(), secret.public_key());
        assert_eq!(grant_callback_key(&sealed), Some(secret.public_key()));
        assert_eq!(open_grant(&sealed, "arne", &anna).err(), Some(CallbackKeyError::Grant));
        assert_eq!(open_grant(&sealed, "anna", &KeyPair::from_seed(&[22; 32])).err(), Some(CallbackKeyError::Grant));
        assert!(!sealed.contains(&b64_encode(secret.to_bytes().as_ref())));
    }

    /// A counter standing in for the random source, so that a sealed grant is known to the byte.
    struct Counter(u8);

    impl rand_core::RngCore for Counter {
        fn next_u32(&mut self) -> u32 {
            rand_core::impls::next_u32_via_fill(self)
        }
        fn next_u64(&mut self) -> u64 {
            rand_core::impls::next_u64_via_fill(self)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for byte in dest {
                self.0 = self.0.wrapping_add(1);
                *byte = self.0;
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl rand_core::CryptoRng for Counter {}

    /// A known answer: the derivation, the associated data and the layout of a grant are pinned,
    /// not only that sealing and opening agree with each other.
    #[test]
    fn a_grant_sealed_with_known_randomness_is_known_to_the_byte() {
        let secret = CallbackSecret::from_bytes(&[9; 32]);
        let anna = KeyPair::from_seed(&[21; 32]);
        let sealed = seal_grant(&mut Counter(0), &secret, "anna", &anna.public_key());
        let wire: serde_json::Value = serde_json::from_str(&sealed).unwrap();
        assert_eq!(wire["callback_key"], secret.public_key().to_base64());
        assert_eq!(wire["ephemeral"], CallbackSecret::from_bytes(&std::array::from_fn(|i| i as u8 + 1)).public_key().to_base64());
        assert_eq!(wire["nonce"], b64_encode(&std::array::from_fn::<u8, 24, _>(|i| i as u8 + 33)));
        // The same grant derived here step by step (format §3.7): HKDF-SHA256 with the ephemeral
        // and the recipient's X25519 keys as salt, and each part of the associated data after its
        // length as four bytes, big-endian.
        let ephemeral = CallbackSecret::from_bytes(&std::array::from_fn(|i| i as u8 + 1));
        let shared = ephemeral.shared_secret(&anna.public_key()).unwrap();
        let mac = |key: &[u8], data: &[u8]| -> Vec<u8> {
            let mut m = <HmacSha256 as Mac>::new_from_slice(key).unwrap();
            m.update(data);
            m.finalize().into_bytes().to_vec()
        };
        let salt = [ephemeral.public_key().to_bytes(), x25519_public_of(&anna.public_key())].concat();
        let key = mac(&mac(&salt, shared.as_bytes()), &[GRANT_CONTEXT, &[1]].concat());
        let mut aad = b"countersign/callback-key-grant/v1\0\0\0\0\x04anna\0\0\0\x20".to_vec();
        aad.extend_from_slice(&anna.public_key().to_bytes());
        aad.extend_from_slice(&[0, 0, 0, 32]);
        aad.extend_from_slice(&secret.public_key().to_bytes());
        aad.extend_from_slice(&[0, 0, 0, 32]);
        aad.extend_from_slice(&ephemeral.public_key().to_bytes());
        let nonce: [u8; 24] = std::array::from_fn(|i| i as u8 + 33);
        let expected = XChaCha20Poly1305::new(key.as_slice().into())
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: &[9; 32], aad: &aad })
            .unwrap();
        assert_eq!(wire["ciphertext"], b64_encode(&expected));
        assert_eq!(open_grant(&sealed, "anna", &anna).unwrap().to_bytes().as_ref(), &[9; 32]);
    }

    #[test]
    fn a_grant_that_is_not_one_or_names_another_key_does_not_open() {
        let secret = CallbackSecret::from_bytes(&[9; 32]);
        let anna = KeyPair::from_seed(&[21; 32]);
        let sealed = seal_grant(&mut Counter(0), &secret, "anna", &anna.public_key());
        let wire: serde_json::Value = serde_json::from_str(&sealed).unwrap();
        let edited = |member: &str, value: String| {
            let mut w = wire.clone();
            w[member] = value.into();
            open_grant(&w.to_string(), "anna", &anna).err()
        };
        let other_key = CallbackSecret::from_bytes(&[10; 32]).public_key().to_base64();
        assert_eq!(edited("callback_key", other_key.clone()), Some(CallbackKeyError::Grant), "names another callback key");
        assert_eq!(edited("callback_key", b64_encode(&[0; 32])), Some(CallbackKeyError::Grant));
        assert_eq!(edited("ephemeral", b64_encode(&[0; 32])), Some(CallbackKeyError::Grant));
        assert_eq!(edited("ephemeral", other_key), Some(CallbackKeyError::Grant));
        assert_eq!(edited("nonce", b64_encode(&[0; 23])), Some(CallbackKeyError::Grant));
        assert_eq!(edited("ciphertext", "not base64".into()), Some(CallbackKeyError::Grant));
        assert_eq!(open_grant("{}", "anna", &anna).err(), Some(CallbackKeyError::Grant));
        assert_eq!(grant_callback_key("{}"), None);
        assert_eq!(grant_callback_key(&wire.to_string()), Some(secret.public_key()));
        // 31 bytes sealed the same way: it opens, but is not a callback secret.
        let ephemeral = CallbackSecret::from_bytes(&[5; 32]);
        let shared = ephemeral.shared_secret(&anna.public_key()).unwrap();
        let key =
            hkdf_32(&[ephemeral.public_key().to_bytes(), montgomery_of(&anna.public_key()).0].concat(), shared.as_bytes(), GRANT_CONTEXT);
        let aad = grant_aad("anna", &anna.public_key(), &secret.public_key(), &ephemeral.public_key().to_bytes());
        let short = XChaCha20Poly1305::new(key.as_ref().into())
            .encrypt(XNonce::from_slice(&[7; 24]), Payload { msg: &[9; 31], aad: &aad })
            .unwrap();
        let grant = serde_json::json!({ "callback_key": secret.public_key().to_base64(), "ephemeral": ephemeral.public_key().to_base64(),
            "nonce": b64_encode(&[7; 24]), "ciphertext": b64_encode(&short) });
        assert_eq!(open_grant(&grant.to_string(), "anna", &anna).err(), Some(CallbackKeyError::Grant));
    }

    #[test]
    fn a_callback_key_reads_back_from_its_base64_and_shows_it() {
        let key = CallbackSecret::from_bytes(&[9; 32]).public_key();
        assert_eq!(CallbackPublicKey::from_base64(&key.to_base64()), Some(key));
        assert_eq!(CallbackPublicKey::from_bytes(&key.to_bytes()), Some(key));
        assert_eq!(format!("{key:?}"), format!("CallbackPublicKey({})", key.to_base64()));
        assert_eq!(CallbackSecret::from_bytes(&[9; 32]).to_bytes().as_ref(), &[9; 32]);
    }

    /// RFC 4231 test case 2, so that the HMAC this module builds on is the standard one.
    #[test]
    fn hmac_is_rfc_4231() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(crate::audit::chain::hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
