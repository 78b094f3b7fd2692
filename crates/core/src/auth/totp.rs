//! The TOTP second factor (RFC 6238) as authenticator apps implement it by default: HMAC-SHA-1,
//! 30-second steps, 6 digits, with a 20-byte (160-bit, RFC 4226's recommendation) secret.
//!
//! Guarantees:
//! - Pure: time is a parameter (seconds since the Unix epoch); the only randomness is the
//!   operating system's generator in [`TotpSecret::generate`].
//! - A [`TotpSecret`] is zeroized when dropped, never printed by `Debug`, and its base32 and URI
//!   forms are handed out in zeroizing strings.
//! - [`verify`] accepts the code of the current step and of one step either side (clock skew
//!   and typing time), compares in constant time, and returns the **time step** it matched.
//!
//! Replay protection is the caller's job: a code stays valid for up to 90 seconds, so the caller
//! must store, per user, the last step that was accepted and refuse any later login whose
//! matched step is not strictly greater than it (the same code, or an older one, never works
//! twice). Rate limiting of wrong codes belongs to the lockout policy.

use rand_core::CryptoRngCore;
use totp_rs::{Algorithm, Secret, TOTP};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of a time step in seconds.
pub const STEP_SECONDS: u64 = 30;
/// Number of digits in a code.
pub const DIGITS: usize = 6;
/// Steps accepted on either side of the current one.
pub const ALLOWED_SKEW_STEPS: u64 = 1;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Countersign";

/// Why a TOTP secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The text is not RFC 4648 base32.
    #[error("the TOTP secret is not valid base32")]
    InvalidBase32,
    /// The decoded secret is not 20 bytes long.
    #[error("the TOTP secret must be {expected} bytes, found {found}")]
    WrongLength {
        /// The required length in bytes.
        expected: usize,
        /// The decoded length in bytes.
        found: usize,
    },
}

/// A user's TOTP shared secret: 20 bytes, zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TotpSecret([u8; TotpSecret::LEN]);

impl TotpSecret {
    /// Length of the secret in bytes.
    pub const LEN: usize = 20;

    /// A fresh secret from `rng` (the service passes the operating system's random source).
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut secret = TotpSecret([0u8; Self::LEN]);
        rng.fill_bytes(&mut secret.0);
        secret
    }

    /// A secret from its raw bytes (as stored, encrypted, by the caller).
    pub fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        TotpSecret(bytes)
    }

    /// The raw bytes, for encrypted storage.
    pub fn as_bytes(&self) -> &[u8; Self::LEN] {
        &self.0
    }

    /// Reads the base32 form (RFC 4648; case, spaces and `=` padding ignored).
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        let cleaned: Zeroizing<String> =
            Zeroizing::new(text.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect());
        let encoded = Secret::Encoded(cleaned.to_string());
        let decoded = encoded.to_bytes().map(Zeroizing::new);
        if let Secret::Encoded(mut text) = encoded {
            text.zeroize();
        }
        let decoded = decoded.map_err(|_| TotpError::InvalidBase32)?;
        if decoded.len() != Self::LEN {
            return Err(TotpError::WrongLength { expected: Self::LEN, found: decoded.len() });
        }
        let mut secret = TotpSecret([0u8; Self::LEN]);
        secret.0.copy_from_slice(&decoded);
        Ok(secret)
    }

    /// The base32 form (RFC 4648, upper case, no padding: 32 characters) that a user types into
    /// an authenticator app during enrolment.
    pub fn to_base32(&self) -> Zeroizing<String> {
        let mut totp = self.totp();
        let encoded = Zeroizing::new(totp.get_secret_base32());
        totp.secret.zeroize();
        encoded
    }

    /// The enrolment URI for authenticator apps (usually shown as a QR code):
    /// `otpauth://totp/Countersign:USER?secret=BASE32&issuer=Countersign`, with the user name
    /// percent-encoded. The defaults it relies on (SHA-1, 6 digits, 30 s) are those of this
    /// module.
    pub fn otpauth_uri(&self, user: &str) -> Zeroizing<String> {
        let secret = self.to_base32();
        Zeroizing::new(format!("otpauth://totp/{ISSUER}:{}?secret={}&issuer={ISSUER}", percent_encode(user), secret.as_str()))
    }

    /// A one-step TOTP whose "time" is the step counter itself, so that no step number can
    /// overflow when multiplied back into seconds.
    fn totp(&self) -> TOTP {
        TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, 1, self.0.to_vec())
    }
}

/// Never shows the secret.
impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

/// The time step that contains `unix_time`.
pub fn step_at(unix_time: u64) -> u64 {
    unix_time / STEP_SECONDS
}

/// The 6-digit code for the step that contains `unix_time`.
pub fn code_at(secret: &TotpSecret, unix_time: u64) -> String {
    code_for_step(secret, step_at(unix_time))
}

/// Checks a code a user entered at `unix_time`. Whitespace in the entry is ignored ("123 456");
/// anything other than 6 digits is refused. Accepts the codes of the current step and of
/// [`ALLOWED_SKEW_STEPS`] step on either side, and returns the step that matched (preferring
/// the current step, then the previous one). The caller must refuse a step that is not greater
/// than the last one it accepted for this user (see the module documentation).
pub fn verify(secret: &TotpSecret, code: &str, unix_time: u64) -> Option<u64> {
    let entered: Zeroizing<String> = Zeroizing::new(code.chars().filter(|c| !c.is_whitespace()).collect());
    if entered.len() != DIGITS || !entered.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_at(unix_time);
    let candidates = [Some(current), current.checked_sub(ALLOWED_SKEW_STEPS), current.checked_add(ALLOWED_SKEW_STEPS)];
    // Every candidate is computed and compared, so timing does not reveal which step matched.
    let mut matched = None;
    for step in candidates.into_iter().flatten() {
        let expected = Zeroizing::new(code_for_step(secret, step));
        if constant_time_eq(expected.as_bytes(), entered.as_bytes()) && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

fn code_for_step(secret: &TotpSecret, step: u64) -> String {
    let mut totp = secret.totp();
    let code = totp.generate(step);
    totp.secret.zeroize();
    code
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_core::OsRng;

    /// The SHA-1 seed of RFC 6238 Appendix B: the ASCII string "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    /// RFC 6238 Appendix B, SHA-1 column: (time, 8-digit TOTP). A 6-digit code is the last six
    /// digits, because both are the same truncated value modulo a power of ten.
    const RFC_VECTORS: [(u64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc6238_sha1_vectors() {
        let secret = rfc_secret();
        for (time, eight) in RFC_VECTORS {
            assert_eq!(code_at(&secret, time), &eight[2..], "t = {time}");
            assert_eq!(verify(&secret, &eight[2..], time), Some(step_at(time)), "t = {time}");
        }
    }

    #[test]
    fn neighbouring_steps_are_accepted_and_reported() {
        let secret = rfc_secret();
        let t = 1_111_111_111;
        let step = step_at(t);
        let code = code_at(&secret, t);
        assert_eq!(verify(&secret, &code, t), Some(step));
        assert_eq!(verify(&secret, &code, t + STEP_SECONDS), Some(step));
        assert_eq!(verify(&secret, &code, t - STEP_SECONDS), Some(step));
        assert_eq!(verify(&secret, &code, t + 2 * STEP_SECONDS), None);
        assert_eq!(verify(&secret, &code, t - 2 * STEP_SECONDS), None);
        let previous = code_at(&secret, t - STEP_SECONDS);
        assert_eq!(verify(&secret, &previous, t), Some(step - 1));
        let next = code_at(&secret, t + STEP_SECONDS);
        assert_eq!(verify(&secret, &next, t), Some(step + 1));
    }

    #[test]
    fn step_boundaries() {
        assert_eq!(step_at(0), 0);
        assert_eq!(step_at(29), 0);
        assert_eq!(step_at(30), 1);
        let secret = rfc_secret();
        assert_eq!(code_at(&secret, 30), code_at(&secret, 59));
        assert_ne!(code_at(&secret, 29), code_at(&secret, 30));
    }

    #[test]
    fn spaces_in_entered_codes_are_ignored() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, "287 082", 59), Some(1));
        assert_eq!(verify(&secret, " 28 70 82 ", 59), Some(1));
        assert_eq!(verify(&secret, "287\u{a0}082", 59), Some(1));
    }

    #[test]
    fn malformed_codes_are_refused() {
        let secret = rfc_secret();
        for bad in ["", "28708", "2870822", "287-082", "28708a", "94287082", "２８７０８２"] {
            assert_eq!(verify(&secret, bad, 59), None, "{bad:?}");
        }
        assert_eq!(verify(&secret, "000000", 59), None);
    }

    #[test]
    fn differences_in_two_digits_do_not_cancel_out() {
        // "287082" is the code at 59; "397082" differs in two digits by the same bit.
        let secret = rfc_secret();
        assert_eq!(verify(&secret, "397082", 59), None);
        assert_eq!(verify(&secret, "287083", 59), None);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let secret = rfc_secret();
        let code = code_at(&secret, 0);
        assert_eq!(verify(&secret, &code, 0), Some(0));
        let code = code_at(&secret, u64::MAX);
        assert_eq!(verify(&secret, &code, u64::MAX), Some(step_at(u64::MAX)));
    }

    #[test]
    fn base32_round_trip() {
        let secret = rfc_secret();
        let b32 = secret.to_base32();
        assert_eq!(b32.as_str(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let back = TotpSecret::from_base32(&b32).unwrap();
        assert_eq!(back.as_bytes(), secret.as_bytes());
        let spaced = TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
        assert_eq!(spaced.as_bytes(), secret.as_bytes());
    }

    #[test]
    fn bad_base32_is_refused() {
        assert_eq!(TotpSecret::from_base32("not base32!").unwrap_err(), TotpError::InvalidBase32);
        assert_eq!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQ").unwrap_err(), TotpError::WrongLength { expected: 20, found: 10 });
    }

    #[test]
    fn otpauth_uri_has_issuer_and_encoded_user() {
        let secret = rfc_secret();
        assert_eq!(
            secret.otpauth_uri("alice").as_str(),
            "otpauth://totp/Countersign:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Countersign"
        );
        assert_eq!(
            secret.otpauth_uri("bob smith@example.com").as_str(),
            "otpauth://totp/Countersign:bob%20smith%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Countersign"
        );
        assert!(secret.otpauth_uri("a:b&c?d").contains("Countersign:a%3Ab%26c%3Fd?"));
    }

    #[test]
    fn generated_secrets_differ_and_debug_hides_them() {
        let a = TotpSecret::generate(&mut OsRng);
        let b = TotpSecret::generate(&mut OsRng);
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert_eq!(format!("{a:?}"), "TotpSecret(..)");
    }

    proptest! {
        #[test]
        fn codes_are_six_digits_and_verify_at_their_time(bytes in any::<[u8; 20]>(), t in any::<u64>()) {
            let secret = TotpSecret::from_bytes(bytes);
            let code = code_at(&secret, t);
            prop_assert_eq!(code.len(), 6);
            prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(verify(&secret, &code, t), Some(step_at(t)));
        }

        #[test]
        fn base32_round_trips(bytes in any::<[u8; 20]>()) {
            let secret = TotpSecret::from_bytes(bytes);
            let back = TotpSecret::from_base32(&secret.to_base32()).unwrap();
            prop_assert_eq!(back.as_bytes(), &bytes);
        }

        #[test]
        fn verify_never_panics(code in any::<String>(), t in any::<u64>()) {
            let _ = verify(&rfc_secret(), &code, t);
        }
    }
}
