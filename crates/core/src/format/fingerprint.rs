//! Key fingerprints: what people read aloud and compare to pin a partner's key.
//!
//! A fingerprint is 30 decimal digits, shown as six groups of five ("05218 93317 …"), derived
//! from the SHA-256 of a domain-separated Ed25519 public key the way Signal's safety numbers are:
//! each group is a 40-bit big-endian chunk of the hash reduced modulo 100 000, giving about
//! 99.7 bits. Digits read unambiguously over a phone line. Parsing ignores case, spaces and dashes.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The domain-separation prefix hashed before the public key.
pub const FINGERPRINT_CONTEXT: &[u8] = b"countersign/fingerprint/v1\0";
/// Number of digit groups.
const GROUPS: usize = 6;
/// Digits per group.
const GROUP_DIGITS: usize = 5;
/// Total digits.
pub const FINGERPRINT_DIGITS: usize = GROUPS * GROUP_DIGITS;

/// The fingerprint of an Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; FINGERPRINT_DIGITS]);

/// Why a typed or stored fingerprint could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FingerprintError {
    /// Something other than digits, spaces and dashes.
    #[error("a fingerprint has only digits (with spaces or dashes between groups); found {0:?}")]
    InvalidCharacter(char),
    /// Too few or too many digits.
    #[error("a fingerprint has {FINGERPRINT_DIGITS} digits; this one has {0}")]
    WrongLength(usize),
}

impl Fingerprint {
    /// The fingerprint of a 32-byte Ed25519 public key.
    pub fn of_public_key(public_key: &[u8; 32]) -> Self {
        let hash = Sha256::new().chain_update(FINGERPRINT_CONTEXT).chain_update(public_key).finalize();
        let mut digits = [0u8; FINGERPRINT_DIGITS];
        for (group, chunk) in hash.chunks_exact(5).take(GROUPS).enumerate() {
            // The chunk's 5 bytes as the low end of a big-endian u64.
            let mut wide = [0u8; 8];
            wide[8 - chunk.len()..].copy_from_slice(chunk);
            let value = u64::from_be_bytes(wide) % 100_000;
            let text = format!("{value:05}");
            digits[group * GROUP_DIGITS..][..GROUP_DIGITS].copy_from_slice(text.as_bytes());
        }
        Fingerprint(digits)
    }

    /// Parses a fingerprint typed by a person: case, spaces and dashes are ignored.
    pub fn parse_lenient(text: &str) -> Result<Self, FingerprintError> {
        let mut digits = Vec::with_capacity(FINGERPRINT_DIGITS);
        for c in text.chars() {
            match c {
                '0'..='9' => digits.push(c as u8),
                ' ' | '-' | '\t' => {}
                other => return Err(FingerprintError::InvalidCharacter(other)),
            }
        }
        let array: [u8; FINGERPRINT_DIGITS] = digits.as_slice().try_into().map_err(|_| FingerprintError::WrongLength(digits.len()))?;
        Ok(Fingerprint(array))
    }

    /// Parses the canonical form only (six groups of five digits separated by single spaces), as
    /// signed files carry it.
    pub fn parse_canonical(text: &str) -> Option<Self> {
        let fp = Self::parse_lenient(text).ok()?;
        (fp.to_string() == text).then_some(fp)
    }

    /// The 30 digits without separators.
    pub fn digits(&self) -> &str {
        std::str::from_utf8(&self.0).expect("digits are ASCII")
    }

    /// The digit groups, for display and reading aloud.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.0.chunks(GROUP_DIGITS).map(|g| std::str::from_utf8(g).expect("digits are ASCII"))
    }
}

impl fmt::Display for Fingerprint {
    /// The canonical form: six groups of five digits separated by single spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<&str> = self.groups().collect();
        f.write_str(&groups.join(" "))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl FromStr for Fingerprint {
    type Err = FingerprintError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_lenient(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Debug output (in logs and failed assertions) shows the canonical form.
    #[test]
    fn debug_shows_the_canonical_form() {
        let fp = Fingerprint::of_public_key(&[7; 32]);
        assert_eq!(format!("{fp:?}"), format!("Fingerprint({fp})"));
        assert_eq!(fp.groups().collect::<Vec<_>>().join(" "), fp.to_string());
    }

    #[test]
    fn known_vector() {
        // Public key of RFC 8032 test 1 (secret key 9d61b19d…).
        let pk: [u8; 32] = [
            0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda,
            0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
        ];
        let fp = Fingerprint::of_public_key(&pk);
        assert_eq!(fp.digits().len(), 30);
        assert_eq!(fp.groups().count(), 6);
        // Pinned so that a change of derivation cannot go unnoticed; docs/format.md shows it too.
        assert_eq!(fp.to_string(), include_str!("../../../../tests/vectors/fingerprint-rfc8032-test1.txt").trim());
    }

    #[test]
    fn typed_forms_are_forgiving_but_strict_about_digits() {
        let fp = Fingerprint::of_public_key(&[7; 32]);
        let canonical = fp.to_string();
        assert_eq!(Fingerprint::parse_lenient(&canonical.replace(' ', "-")), Ok(fp));
        assert_eq!(Fingerprint::parse_lenient(&canonical.replace(' ', "")), Ok(fp));
        assert_eq!(Fingerprint::parse_lenient(&format!("  {canonical}  ")), Ok(fp));
        assert_eq!(Fingerprint::parse_canonical(&canonical), Some(fp));
        assert_eq!(Fingerprint::parse_canonical(&canonical.replace(' ', "")), None);
        assert_eq!(Fingerprint::parse_lenient("1234"), Err(FingerprintError::WrongLength(4)));
        assert_eq!(Fingerprint::parse_lenient("12a4"), Err(FingerprintError::InvalidCharacter('a')));
    }

    proptest! {
        #[test]
        fn display_parses_back(pk in any::<[u8; 32]>()) {
            let fp = Fingerprint::of_public_key(&pk);
            prop_assert_eq!(Fingerprint::parse_canonical(&fp.to_string()), Some(fp));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC*") {
            let _ = Fingerprint::parse_lenient(&s);
        }
    }
}
