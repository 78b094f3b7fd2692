//! Signing a payment instruction, shared by the partner's `sign` and the organisation's
//! `issue`: never sign what a verifier would reject, and check what was signed exactly as the
//! recipient will check it.

use time::OffsetDateTime;

use crate::assess::findings::{Finding, Severity};
use crate::format::codes::ConfirmationCode;
use crate::format::envelope::{Envelope, FileKind};
use crate::format::instruction::Instruction;
use crate::format::keys::KeyPair;
use crate::format::verify::{check_instruction_file, CheckOptions, SingleSigner};

/// A signed instruction file.
#[derive(Debug, Clone)]
pub struct SignedInstruction {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its confirmation code.
    pub confirmation_code: ConfirmationCode,
    /// What a verifier will note without rejecting it (an IBAN/BIC country mismatch).
    pub warnings: Vec<Finding>,
}

/// Why an instruction was not signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The content is not acceptable; the text names the problem.
    #[error("{0}")]
    Invalid(String),
    /// The signed file did not verify as the recipient would verify it (an internal fault).
    #[error("the signed file does not verify: {0}")]
    SelfCheck(String),
}

/// The checks that need no key: valid bank details, a window that has not ended, a payload
/// that parses back exactly. Run before asking for a passphrase.
pub fn check_signable(instruction: &Instruction, now: OffsetDateTime) -> Result<(), SignError> {
    Instruction::parse_version(&instruction.to_payload_bytes(), instruction.version()).map_err(|e| SignError::Invalid(e.to_string()))?;
    if let Err(problems) = instruction.account.validate() {
        return Err(SignError::Invalid(problems.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" ")));
    }
    if instruction.valid_until < now {
        return Err(SignError::Invalid("the validity window has already ended".into()));
    }
    Ok(())
}

/// Signs `instruction` with `key` (which must be its issuer) and verifies the result as of
/// when it becomes valid, so signing in advance ("new account from the 1st") is allowed.
pub fn sign_instruction(key: &KeyPair, instruction: &Instruction, now: OffsetDateTime) -> Result<SignedInstruction, SignError> {
    check_signable(instruction, now)?;
    if instruction.issuer != key.fingerprint() {
        return Err(SignError::Invalid("the instruction names another issuer than the signing key".into()));
    }
    let payload = instruction.to_payload_bytes();
    let bytes = Envelope::sign_version(FileKind::Instruction, instruction.version(), key, payload.clone()).to_bytes();
    let options = CheckOptions {
        expected_recipient: Some(instruction.recipient),
        expected_callback_key: instruction.callback_key,
        ..CheckOptions::at(now.max(instruction.valid_from))
    };
    let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &options);
    if check.findings.iter().any(|f| f.severity == Severity::Critical) {
        return Err(SignError::SelfCheck(check.findings.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" ")));
    }
    Ok(SignedInstruction { bytes, confirmation_code: ConfirmationCode::of_payload(&payload), warnings: check.findings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_utc;
    use crate::format::instruction::Details;

    fn instruction(key: &KeyPair, iban: &str, bic: &str) -> Instruction {
        let details =
            Details::from_json(format!(r#"{{"beneficiary_name":"Globex","iban":"{iban}","bic":"{bic}","currency":"EUR"}}"#).as_bytes())
                .unwrap();
        let now = parse_utc("2026-11-23T09:00:00Z").unwrap();
        let mut i = details.to_instruction("i-1".into(), key.fingerprint(), KeyPair::from_seed(&[2; 32]).fingerprint(), now).unwrap();
        if bic == "bad" {
            i.account = crate::bank::AccountDetails::Iban { iban: iban.into(), bic: "NOPE".into() };
        }
        i
    }

    #[test]
    fn signs_valid_instructions_and_refuses_invalid_ones() {
        let key = KeyPair::from_seed(&[1; 32]);
        let now = parse_utc("2026-11-23T09:00:00Z").unwrap();
        let signed = sign_instruction(&key, &instruction(&key, "DE89370400440532013000", "COBADEFFXXX"), now).unwrap();
        assert!(signed.warnings.is_empty());
        let mismatch = sign_instruction(&key, &instruction(&key, "DE89370400440532013000", "BNPAFRPPXXX"), now).unwrap();
        assert_eq!(mismatch.warnings.len(), 1);
        assert!(matches!(sign_instruction(&key, &instruction(&key, "DE89370400440532013000", "bad"), now), Err(SignError::Invalid(_))));
        let later = parse_utc("2027-01-23T09:00:00Z").unwrap();
        assert!(matches!(
            sign_instruction(&key, &instruction(&key, "DE89370400440532013000", "COBADEFFXXX"), later),
            Err(SignError::Invalid(_))
        ));
        let other = KeyPair::from_seed(&[3; 32]);
        assert!(matches!(
            sign_instruction(&other, &instruction(&key, "DE89370400440532013000", "COBADEFFXXX"), now),
            Err(SignError::Invalid(_))
        ));
    }
}
