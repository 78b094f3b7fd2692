//! Codes read aloud on the phone during a callback, all plain digit groups (no letters that
//! sound alike):
//!
//! - the **confirmation code** names one signed instruction: both sides derive it independently
//!   from the SHA-256 of the signed payload bytes (15 digits, about 49.8 bits);
//! - the **challenge** is a fresh random number the calling clerk reads out (6 digits);
//! - the **response** is what the partner's own copy of the instruction yields for that
//!   challenge (8 digits). A forger who ground a file until its confirmation code matched the
//!   genuine one offline cannot also match responses to a challenge chosen during the call.
//!   Version 1 depends on the challenge and the file only; version 2 (files of format v2) also
//!   on the secret shared by the partner's key and our callback key
//!   ([`crate::format::callback_key`]), so whoever holds only the file cannot compute it.

use std::fmt;

use rand_core::RngCore;
use sha2::{Digest, Sha256};

use crate::format::callback_key::{hmac_sha256, SharedSecret};

/// Domain-separation prefix of the confirmation code's hash.
pub const CONFIRMATION_CONTEXT: &[u8] = b"countersign/confirmation-code/v1\0";
/// Domain-separation prefix of the challenge response's hash.
pub const RESPONSE_CONTEXT: &[u8] = b"countersign/challenge-response/v1\0";
/// Domain-separation prefix of the version-2 challenge response's HMAC message.
pub const RESPONSE_CONTEXT_V2: &[u8] = b"countersign/challenge-response/v2\0";

const CONFIRMATION_DIGITS: usize = 15;
const CHALLENGE_DIGITS: usize = 6;
const RESPONSE_DIGITS: usize = 8;

/// Reduces the first 8 bytes of a hash (big-endian) modulo 10^digits.
fn digits_from_hash(hash: &[u8], digits: usize) -> u64 {
    let head: [u8; 8] = hash[..8].try_into().expect("hash has 8 bytes");
    u64::from_be_bytes(head) % 10u64.pow(digits as u32)
}

/// Formats a number as zero-padded digits in groups of `group`, separated by spaces.
fn grouped(value: u64, digits: usize, group: usize) -> String {
    let text = format!("{value:0digits$}");
    text.as_bytes().chunks(group).map(|c| std::str::from_utf8(c).expect("ASCII")).collect::<Vec<_>>().join(" ")
}

/// Reads digits typed or heard, ignoring spaces and dashes.
fn parse_digits(text: &str, digits: usize) -> Result<u64, CodeError> {
    let mut clean = String::with_capacity(digits);
    for c in text.chars() {
        match c {
            '0'..='9' => clean.push(c),
            ' ' | '-' | '\t' => {}
            other => return Err(CodeError::InvalidCharacter(other)),
        }
    }
    if clean.len() != digits {
        return Err(CodeError::WrongLength { expected: digits, found: clean.len() });
    }
    Ok(clean.parse().expect("only digits, at most 18"))
}

/// Why a typed code could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CodeError {
    /// A character other than digits, spaces and dashes.
    #[error("codes have only digits; found {0:?}")]
    InvalidCharacter(char),
    /// Too few or too many digits.
    #[error("expected {expected} digits, found {found}")]
    WrongLength {
        /// Digits this code has.
        expected: usize,
        /// Digits typed.
        found: usize,
    },
}

/// The confirmation code of a signed instruction: `482 193 775 020 318`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ConfirmationCode(u64);

impl ConfirmationCode {
    /// Derives the code from the exact signed payload bytes.
    pub fn of_payload(payload: &[u8]) -> Self {
        let hash = Sha256::new().chain_update(CONFIRMATION_CONTEXT).chain_update(payload).finalize();
        ConfirmationCode(digits_from_hash(&hash, CONFIRMATION_DIGITS))
    }

    /// Parses a code as typed (spaces and dashes ignored).
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        parse_digits(text, CONFIRMATION_DIGITS).map(ConfirmationCode)
    }
}

impl fmt::Display for ConfirmationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grouped(self.0, CONFIRMATION_DIGITS, 3))
    }
}

/// A callback challenge: `305 118`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Challenge(u32);

impl Challenge {
    /// A uniformly random challenge from the given source (rejection sampling, no modulo bias).
    pub fn from_random(rng: &mut impl RngCore) -> Self {
        const RANGE: u32 = 1_000_000;
        const LIMIT: u32 = u32::MAX - (u32::MAX % RANGE);
        loop {
            let v = rng.next_u32();
            if v < LIMIT {
                return Challenge(v % RANGE);
            }
        }
    }

    /// Parses a challenge as typed or heard.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        parse_digits(text, CHALLENGE_DIGITS).map(|v| Challenge(v as u32))
    }

    /// The six digits without separators (the bytes hashed into the response).
    pub fn digits(&self) -> String {
        format!("{:06}", self.0)
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grouped(u64::from(self.0), CHALLENGE_DIGITS, 3))
    }
}

/// The response to a challenge for one signed instruction: `7731 0264`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ChallengeResponse(u32);

impl ChallengeResponse {
    /// SHA-256(context ‖ six challenge digits in ASCII ‖ 0x00 ‖ payload), reduced to 8 digits.
    pub fn compute(challenge: Challenge, payload: &[u8]) -> Self {
        let hash = Sha256::new()
            .chain_update(RESPONSE_CONTEXT)
            .chain_update(challenge.digits().as_bytes())
            .chain_update([0u8])
            .chain_update(payload)
            .finalize();
        ChallengeResponse(digits_from_hash(&hash, RESPONSE_DIGITS) as u32)
    }

    /// Version 2 (format §3.7): HMAC-SHA256 under the shared secret of the partner's key and our
    /// callback key, over context ‖ six challenge digits ‖ 0x00 ‖ SHA-256(payload), reduced to 8 digits.
    pub fn compute_v2(shared: &SharedSecret, challenge: Challenge, payload: &[u8]) -> Self {
        let digest = Sha256::digest(payload);
        let mac = hmac_sha256(shared.as_bytes(), &[RESPONSE_CONTEXT_V2, challenge.digits().as_bytes(), &[0u8], &digest]);
        ChallengeResponse(digits_from_hash(&mac, RESPONSE_DIGITS) as u32)
    }

    /// Parses a response as heard.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        parse_digits(text, RESPONSE_DIGITS).map(|v| ChallengeResponse(v as u32))
    }
}

impl fmt::Display for ChallengeResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grouped(u64::from(self.0), RESPONSE_DIGITS, 4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Known answers computed from format §3 by another implementation (Python's hashlib): the
    /// first 8 bytes of the hash, big-endian, modulo 10^15 (the code) or 10^8 (the response).
    #[test]
    fn known_answers() {
        assert_eq!(ConfirmationCode::of_payload(b"payload").to_string(), "532 275 951 931 713");
        assert_eq!(ChallengeResponse::compute(Challenge(305_118), b"payload").to_string(), "1341 4554");
    }

    /// A source that returns the numbers given, in order.
    struct Script(Vec<u32>);

    impl rand_core::RngCore for Script {
        fn next_u32(&mut self) -> u32 {
            self.0.remove(0)
        }
        fn next_u64(&mut self) -> u64 {
            u64::from(self.next_u32())
        }
        fn fill_bytes(&mut self, _: &mut [u8]) {
            unreachable!("challenges draw u32s")
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), rand_core::Error> {
            unreachable!("challenges draw u32s")
        }
    }

    /// Rejection sampling: a draw from the incomplete last block of a million (4 294 000 000 and
    /// above) is drawn again, so no challenge is likelier than another; others are reduced.
    #[test]
    fn challenges_draw_again_past_the_last_whole_million() {
        let challenge = |draws: &[u32]| Challenge::from_random(&mut Script(draws.to_vec())).to_string();
        assert_eq!(challenge(&[1_234_567]), "234 567");
        assert_eq!(challenge(&[4_293_999_999]), "999 999");
        assert_eq!(challenge(&[4_294_000_000, 7]), "000 007");
        assert_eq!(challenge(&[4_294_962_000, u32::MAX, 42]), "000 042");
    }

    #[test]
    fn formats() {
        let code = ConfirmationCode(1_234);
        assert_eq!(code.to_string(), "000 000 000 001 234");
        assert_eq!(ConfirmationCode::parse("000-000-000-001-234"), Ok(code));
        assert_eq!(Challenge(42).to_string(), "000 042");
        assert_eq!(ChallengeResponse(12_345_678).to_string(), "1234 5678");
        assert_eq!(ChallengeResponse::parse("1234 567"), Err(CodeError::WrongLength { expected: 8, found: 7 }));
        assert_eq!(Challenge::parse("12a456"), Err(CodeError::InvalidCharacter('a')));
    }

    #[test]
    fn responses_depend_on_challenge_and_payload() {
        let a = ChallengeResponse::compute(Challenge(1), b"payload");
        assert_eq!(a, ChallengeResponse::compute(Challenge(1), b"payload"));
        assert_ne!(a, ChallengeResponse::compute(Challenge(2), b"payload"));
        assert_ne!(a, ChallengeResponse::compute(Challenge(1), b"payloae"));
        assert_ne!(ConfirmationCode::of_payload(b"a"), ConfirmationCode::of_payload(b"b"));
    }

    /// Version 2 depends on the shared secret too: the same challenge and file give another
    /// response under another partner key, so the file alone does not give it.
    #[test]
    fn v2_responses_depend_on_the_shared_secret() {
        use crate::format::callback_key::{partner_shared_secret, CallbackSecret};
        use crate::format::keys::KeyPair;
        let ours = CallbackSecret::from_bytes(&[9; 32]);
        let partner = KeyPair::from_seed(&[7; 32]);
        let s = partner_shared_secret(&partner, &ours.public_key()).unwrap();
        let r = ChallengeResponse::compute_v2(&s, Challenge(305_118), b"payload");
        assert_eq!(r, ChallengeResponse::compute_v2(&ours.shared_secret(&partner.public_key()).unwrap(), Challenge(305_118), b"payload"));
        let other = partner_shared_secret(&KeyPair::from_seed(&[8; 32]), &ours.public_key()).unwrap();
        assert_ne!(r, ChallengeResponse::compute_v2(&other, Challenge(305_118), b"payload"));
        assert_ne!(r, ChallengeResponse::compute_v2(&s, Challenge(305_119), b"payload"));
        assert_ne!(r, ChallengeResponse::compute(Challenge(305_118), b"payload"));
    }

    proptest! {
        #[test]
        fn displayed_codes_parse_back(v in 0u64..1_000_000_000_000_000, c in 0u32..1_000_000) {
            let code = ConfirmationCode(v);
            prop_assert_eq!(ConfirmationCode::parse(&code.to_string()), Ok(code));
            prop_assert_eq!(Challenge::parse(&Challenge(c).to_string()), Ok(Challenge(c)));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC*") {
            let _ = ConfirmationCode::parse(&s);
            let _ = Challenge::parse(&s);
            let _ = ChallengeResponse::parse(&s);
        }
    }
}
