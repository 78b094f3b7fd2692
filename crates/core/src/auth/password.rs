//! Password hashing and the minimum password policy for the people who use a workspace.
//!
//! Guarantees:
//! - Passwords are stored only as argon2id PHC strings
//!   (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), with OWASP's minimum parameters
//!   (19 MiB of memory, 2 passes, 1 lane) and a fresh 16-byte salt from the operating system's
//!   random number generator for every hash.
//! - The password is normalised to Unicode NFKC before hashing and verifying, so the same
//!   password typed on systems that compose accents differently still verifies.
//! - Verification is coarse: a wrong password is `Ok(false)`, never an error that says more; a
//!   stored hash that cannot be read (or asks for absurd costs) is
//!   [`PasswordError::CorruptHash`], so a damaged database is noticed rather than read as "wrong
//!   password".
//! - Working copies of the password are zeroized after use.
//! - Pure apart from the salt's randomness: no I/O.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::CryptoRngCore;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

/// Argon2id memory cost in KiB (OWASP's minimum recommendation: 19 MiB).
pub const MEMORY_KIB: u32 = 19_456;
/// Argon2id number of passes over memory (OWASP: 2 with 19 MiB).
pub const ITERATIONS: u32 = 2;
/// Argon2id degree of parallelism (OWASP: 1).
pub const PARALLELISM: u32 = 1;

/// Stored hashes asking for more memory than this (KiB, 1 GiB) are refused as corrupt rather
/// than letting a damaged or tampered record make every login allocate without bound.
pub const MAX_STORED_MEMORY_KIB: u32 = 1_048_576;
/// Stored hashes asking for more passes than this are refused as corrupt, for the same reason.
pub const MAX_STORED_ITERATIONS: u32 = 64;

/// Shortest password the policy accepts, in Unicode characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password the policy accepts, in Unicode characters (a bound on work per login; any
/// passphrase a person types is shorter).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Why hashing or verifying a password failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// The argon2 implementation refused to hash; with the fixed parameters this does not
    /// happen in practice.
    #[error("password hashing failed")]
    Hashing,
    /// The stored hash is not a readable argon2id PHC string with sane parameters.
    #[error("the stored password hash is corrupt or not an argon2id hash: an admin must set a new password for this user")]
    CorruptHash,
}

/// Why a new password does not meet the minimum policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("the password is too short: use at least {min} characters (a few unrelated words make a good one)")]
    TooShort {
        /// The minimum length in characters.
        min: usize,
    },
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    #[error("the password is too long: use at most {max} characters")]
    TooLong {
        /// The maximum length in characters.
        max: usize,
    },
    /// The whole password is one character repeated ("aaaaaaaaaa").
    #[error("the password repeats a single character: choose one that is harder to guess")]
    SingleCharacterRepeated,
}

/// The minimum password policy for new passwords:
/// - at least [`MIN_PASSWORD_CHARS`] (10) and at most [`MAX_PASSWORD_CHARS`] (1024) Unicode
///   characters, counted after NFKC normalisation (spaces count; passphrases are welcome);
/// - not a single character repeated.
///
/// Deliberately no composition rules (digits, symbols), following NIST SP 800-63B: length is
/// what resists guessing; the lockout policy resists online guessing.
pub fn check_password_policy(password: &str) -> Result<(), PasswordPolicyError> {
    let normalised = Zeroizing::new(password.nfkc().collect::<String>());
    let count = normalised.chars().count();
    if count < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooShort { min: MIN_PASSWORD_CHARS });
    }
    if count > MAX_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooLong { max: MAX_PASSWORD_CHARS });
    }
    let mut chars = normalised.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return Err(PasswordPolicyError::SingleCharacterRepeated);
        }
    }
    Ok(())
}

/// Hashes a password into an argon2id PHC string with a fresh random salt. Does not apply the
/// policy: call [`check_password_policy`] first for new passwords.
pub fn hash_password(rng: &mut impl CryptoRngCore, password: &str) -> Result<String, PasswordError> {
    let normalised = Zeroizing::new(password.nfkc().collect::<String>());
    let salt = SaltString::generate(rng);
    hasher()?.hash_password(normalised.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|_| PasswordError::Hashing)
}

/// Checks a password against a stored PHC string: `Ok(true)` if it is the password,
/// `Ok(false)` if not, [`PasswordError::CorruptHash`] if the stored string is unusable. Hashes
/// made with other (older) argon2id parameters verify with their own parameters; see
/// [`needs_rehash`].
pub fn verify_password(password: &str, stored_phc: &str) -> Result<bool, PasswordError> {
    let hash = parse_stored(stored_phc)?;
    let normalised = Zeroizing::new(password.nfkc().collect::<String>());
    match Argon2::default().verify_password(normalised.as_bytes(), &hash) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(_) => Err(PasswordError::CorruptHash),
    }
}

/// Whether a stored hash was made with weaker or other parameters than the current ones, so the
/// caller should re-hash the password after the next successful login. Unreadable hashes also
/// need it.
pub fn needs_rehash(stored_phc: &str) -> bool {
    let Ok(hash) = parse_stored(stored_phc) else {
        return true;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return true;
    };
    hash.version != Some(Version::V0x13.into())
        || params.m_cost() != MEMORY_KIB
        || params.t_cost() != ITERATIONS
        || params.p_cost() != PARALLELISM
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_err(|_| PasswordError::Hashing)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Parses a stored PHC string, accepting only argon2id with bounded costs.
fn parse_stored(stored_phc: &str) -> Result<PasswordHash<'_>, PasswordError> {
    let hash = PasswordHash::new(stored_phc).map_err(|_| PasswordError::CorruptHash)?;
    if hash.algorithm != Algorithm::Argon2id.ident() || hash.hash.is_none() {
        return Err(PasswordError::CorruptHash);
    }
    let params = Params::try_from(&hash).map_err(|_| PasswordError::CorruptHash)?;
    if params.m_cost() > MAX_STORED_MEMORY_KIB || params.t_cost() > MAX_STORED_ITERATIONS {
        return Err(PasswordError::CorruptHash);
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn hash_is_argon2id_phc_with_owasp_parameters() {
        let phc = hash_password(&mut OsRng, "correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!needs_rehash(&phc));
    }

    #[test]
    fn right_password_verifies_and_wrong_does_not() {
        let phc = hash_password(&mut OsRng, "correct horse battery staple").unwrap();
        assert_eq!(verify_password("correct horse battery staple", &phc), Ok(true));
        assert_eq!(verify_password("correct horse battery stapler", &phc), Ok(false));
        assert_eq!(verify_password("", &phc), Ok(false));
        assert_eq!(verify_password("Correct horse battery staple", &phc), Ok(false));
    }

    #[test]
    fn salts_differ_between_hashes_of_the_same_password() {
        let a = hash_password(&mut OsRng, "correct horse battery staple").unwrap();
        let b = hash_password(&mut OsRng, "correct horse battery staple").unwrap();
        assert_ne!(a, b);
        assert_eq!(verify_password("correct horse battery staple", &b), Ok(true));
    }

    #[test]
    fn composed_and_decomposed_accents_are_the_same_password() {
        let phc = hash_password(&mut OsRng, "Kennwort für Müller").unwrap();
        assert_eq!(verify_password("Kennwort fu\u{308}r Mu\u{308}ller", &phc), Ok(true));
    }

    #[test]
    fn corrupt_stored_hashes_are_an_error_not_a_wrong_password() {
        let phc = hash_password(&mut OsRng, "correct horse battery staple").unwrap();
        let truncated = &phc[..phc.len() - 10];
        for bad in [
            "",
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            truncated,
            // argon2i and bcrypt are not accepted.
            "$argon2i$v=19$m=16,t=2,p=1$c29tZXNhbHQ$2NqyXeNQsxnKLm1LZjZrhw",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            // Absurd memory cost (4 TiB).
            "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$2NqyXeNQsxnKLm1LZjZrhw",
        ] {
            assert_eq!(verify_password("correct horse battery staple", bad), Err(PasswordError::CorruptHash), "{bad:?}");
            assert!(needs_rehash(bad));
        }
    }

    #[test]
    fn older_parameters_verify_but_need_rehash() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap());
        let salt = SaltString::generate(&mut OsRng);
        let phc = weak.hash_password(b"correct horse battery staple", &salt).unwrap().to_string();
        assert_eq!(verify_password("correct horse battery staple", &phc), Ok(true));
        assert!(needs_rehash(&phc));
    }

    #[test]
    fn policy_requires_ten_characters() {
        assert_eq!(check_password_policy(""), Err(PasswordPolicyError::TooShort { min: 10 }));
        assert_eq!(check_password_policy("abcdefghi"), Err(PasswordPolicyError::TooShort { min: 10 }));
        assert_eq!(check_password_policy("abcdefghij"), Ok(()));
        // Characters, not bytes: nine two-byte letters are still too short.
        assert_eq!(check_password_policy("ääääääääb"), Err(PasswordPolicyError::TooShort { min: 10 }));
        assert_eq!(check_password_policy("çğışöüÇĞİŞ"), Ok(()));
    }

    #[test]
    fn policy_refuses_one_repeated_character() {
        assert_eq!(check_password_policy("aaaaaaaaaa"), Err(PasswordPolicyError::SingleCharacterRepeated));
        assert_eq!(check_password_policy("            "), Err(PasswordPolicyError::SingleCharacterRepeated));
        assert_eq!(check_password_policy("ßßßßßßßßßßßß"), Err(PasswordPolicyError::SingleCharacterRepeated));
        assert_eq!(check_password_policy("aaaaaaaaab"), Ok(()));
    }

    #[test]
    fn policy_caps_length() {
        assert_eq!(check_password_policy(&"ab".repeat(512)), Ok(()));
        assert_eq!(check_password_policy(&"ab".repeat(513)), Err(PasswordPolicyError::TooLong { max: 1024 }));
    }

    #[test]
    fn policy_messages_never_contain_the_password() {
        for pw in ["secret", "xxxxxxxxxxxx"] {
            let message = check_password_policy(pw).unwrap_err().to_string();
            assert!(!message.contains(pw), "{message}");
        }
    }
}
