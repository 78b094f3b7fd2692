//! Checks of one signed instruction file that need no history: envelope, signer, signature,
//! payload, recipient, validity window and bank-detail formats. The workspace's assessment
//! (history, other partners, email evidence) builds on the [`VerifiedInstruction`] this yields.
//!
//! Order matters: the signature is verified before the payload is parsed, and a cryptographic
//! failure is reported coarsely (`signature_invalid`), never as an oracle.

use time::{Duration, OffsetDateTime};

use crate::assess::findings::{Finding, ReasonCode, Verdict};
use crate::bank::BankAccount;
use crate::encoding::format_utc;
use crate::format::callback_key::CallbackPublicKey;
use crate::format::codes::ConfirmationCode;
use crate::format::envelope::{Envelope, EnvelopeError, FileKind};
use crate::format::fingerprint::Fingerprint;
use crate::format::instruction::Instruction;
use crate::format::keys::PublicKey;

/// Clock skew allowed on both ends of the validity window.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::minutes(10);

/// What is known about the key a file claims to be signed with.
#[derive(Debug, Clone)]
pub enum SignerStatus {
    /// Pinned and active.
    Active(PublicKey),
    /// Pinned once, revoked since; `why` says when and why, for the clerk.
    Revoked {
        /// The key.
        key: PublicKey,
        /// A sentence: "revoked on 2026-10-01 by admin: laptop stolen".
        why: String,
    },
    /// Not known at all.
    Unknown,
}

/// Where signer keys are looked up: the workspace's pinned keys, or one card given on the
/// command line.
pub trait SignerLookup {
    /// The status of the key with this fingerprint.
    fn lookup(&self, signer: &Fingerprint) -> SignerStatus;
}

/// A single card as the only known signer (`verify --signer CARD`).
pub struct SingleSigner(pub PublicKey);

impl SignerLookup for SingleSigner {
    fn lookup(&self, signer: &Fingerprint) -> SignerStatus {
        if *signer == self.0.fingerprint() {
            SignerStatus::Active(self.0)
        } else {
            SignerStatus::Unknown
        }
    }
}

/// Settings of the checks.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The current time.
    pub now: OffsetDateTime,
    /// Skew allowed at both ends of the validity window.
    pub clock_skew: Duration,
    /// Our own fingerprint, when checking as the recipient; `None` skips the recipient check.
    pub expected_recipient: Option<Fingerprint>,
    /// Our keys retired by a rotation: an instruction still addressed to one is refused as
    /// `wrong_recipient` with a message that names the key and what the partner must do.
    pub retired_recipients: Vec<RetiredRecipient>,
    /// Our current callback key, when checking as the recipient: a v2 instruction naming another
    /// one (or any, when we have none) is refused as `wrong_recipient` (format §3.7).
    pub expected_callback_key: Option<CallbackPublicKey>,
}

/// One of our keys that a rotation retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredRecipient {
    /// The retired key.
    pub fingerprint: Fingerprint,
    /// When the rotation retired it (UTC, as the log writes it).
    pub retired_at: String,
}

impl CheckOptions {
    /// Checks at `now` with the default skew and no recipient check.
    pub fn at(now: OffsetDateTime) -> Self {
        CheckOptions {
            now,
            clock_skew: DEFAULT_CLOCK_SKEW,
            expected_recipient: None,
            retired_recipients: Vec::new(),
            expected_callback_key: None,
        }
    }
}

/// An instruction whose signature has been verified with a known key. Only this module makes
/// one, so holding one proves the check happened.
#[derive(Debug, Clone)]
pub struct VerifiedInstruction {
    instruction: Instruction,
    payload: Vec<u8>,
    signer_key: PublicKey,
    confirmation_code: ConfirmationCode,
    account: Option<BankAccount>,
}

impl VerifiedInstruction {
    /// The parsed payload.
    pub fn instruction(&self) -> &Instruction {
        &self.instruction
    }

    /// The exact signed payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The key that signed it.
    pub fn signer_key(&self) -> PublicKey {
        self.signer_key
    }

    /// The signer's fingerprint.
    pub fn signer(&self) -> Fingerprint {
        self.signer_key.fingerprint()
    }

    /// The format version the file was signed in (2: the callback response needs the partner's key).
    pub fn version(&self) -> u32 {
        self.instruction.version()
    }

    /// The confirmation code both sides read on the phone.
    pub fn confirmation_code(&self) -> ConfirmationCode {
        self.confirmation_code
    }

    /// The bank account, when its format is valid.
    pub fn account(&self) -> Option<&BankAccount> {
        self.account.as_ref()
    }
}

/// The result of checking one file.
#[derive(Debug, Clone)]
pub struct FileCheck {
    /// Everything found, in the order checked.
    pub findings: Vec<Finding>,
    /// The instruction, when its signature verified and its payload parsed.
    pub verified: Option<VerifiedInstruction>,
    /// The fingerprint the file claims as signer, when the envelope could be read.
    pub claimed_signer: Option<Fingerprint>,
}

impl FileCheck {
    fn failed(finding: Finding, claimed_signer: Option<Fingerprint>) -> Self {
        FileCheck { findings: vec![finding], verified: None, claimed_signer }
    }

    /// The verdict of these findings alone.
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(&self.findings)
    }

    /// The confirmation code, when the signature is valid.
    pub fn confirmation_code(&self) -> Option<ConfirmationCode> {
        self.verified.as_ref().map(|v| v.confirmation_code)
    }

    /// Whether a finding with this code is present.
    pub fn has(&self, code: ReasonCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// Checks a signed instruction file.
pub fn check_instruction_file(bytes: &[u8], signers: &dyn SignerLookup, options: &CheckOptions) -> FileCheck {
    let envelope = match Envelope::parse(bytes, FileKind::Instruction) {
        Ok(e) => e,
        Err(e) => return FileCheck::failed(envelope_finding(e), None),
    };
    let signer = envelope.signer();
    let (key, revoked) = match lookup_signer(signers, signer) {
        Ok(found) => found,
        Err(finding) => return FileCheck::failed(finding, Some(signer)),
    };
    let instruction = match signed_instruction(&envelope, &key) {
        Ok(i) => i,
        Err(finding) => return FileCheck::failed(finding, Some(signer)),
    };
    let mut findings = Vec::new();
    if let Some(why) = revoked {
        findings.push(
            Finding::critical(ReasonCode::KeyRevoked, format!("Signed with key {signer}, which is no longer valid: {why}."))
                .with("key", signer.to_string()),
        );
    }
    findings.extend(recipient_finding(&instruction, options));
    findings.extend(validity_findings(&instruction, options));
    let account = match instruction.account.validate() {
        Ok((account, warnings)) => {
            findings.extend(warnings);
            Some(account)
        }
        Err(problems) => {
            findings.extend(problems);
            None
        }
    };
    let payload = envelope.payload().to_vec();
    let verified =
        VerifiedInstruction { confirmation_code: ConfirmationCode::of_payload(&payload), instruction, payload, signer_key: key, account };
    FileCheck { findings, verified: Some(verified), claimed_signer: Some(signer) }
}

/// The key the file claims to be signed with and, when it was revoked since, why; an unknown key fails the check.
fn lookup_signer(signers: &dyn SignerLookup, signer: Fingerprint) -> Result<(PublicKey, Option<String>), Finding> {
    match signers.lookup(&signer) {
        SignerStatus::Active(key) => Ok((key, None)),
        SignerStatus::Revoked { key, why } => Ok((key, Some(why))),
        SignerStatus::Unknown => Err(Finding::critical(
            ReasonCode::UnknownSigner,
            format!("Signed with key {signer}, which is not pinned for any partner we know."),
        )
        .with("key", signer.to_string())),
    }
}

/// The instruction in the envelope, once its signature verifies with `key` and it names that key's owner as issuer.
fn signed_instruction(envelope: &Envelope, key: &PublicKey) -> Result<Instruction, Finding> {
    let signer = envelope.signer();
    if !envelope.verify_with(key) {
        return Err(Finding::critical(
            ReasonCode::SignatureInvalid,
            "The signature is invalid: the file was altered after signing, or was not signed by the key it names.",
        ));
    }
    let instruction = Instruction::parse_signed(envelope)
        .map_err(|e| Finding::critical(ReasonCode::MalformedFile, format!("The signed content is not a valid instruction: {e}.")))?;
    if instruction.issuer != signer {
        return Err(Finding::critical(
            ReasonCode::MalformedFile,
            format!("The instruction names issuer {} but was signed by {signer}.", instruction.issuer),
        ));
    }
    Ok(instruction)
}

/// The `wrong_recipient` finding, when we check as the recipient and the instruction is addressed to another key
/// (or to one of ours a rotation retired).
fn recipient_finding(instruction: &Instruction, options: &CheckOptions) -> Option<Finding> {
    let expected = options.expected_recipient?;
    if instruction.recipient == expected {
        return callback_key_finding(instruction, options);
    }
    let message = match options.retired_recipients.iter().find(|k| k.fingerprint == instruction.recipient) {
        Some(retired) => format!(
            "The instruction is addressed to our previous key {}, retired on {} when we rotated our organisation key; \
             ask the partner to accept our key-rotation statement and sign again for our key {expected}.",
            instruction.recipient, retired.retired_at
        ),
        None => format!("The instruction is addressed to key {}, not to us ({expected}).", instruction.recipient),
    };
    Some(Finding::critical(ReasonCode::WrongRecipient, message))
}

/// The `wrong_recipient` finding of a v2 instruction addressed to us whose callback key is not our
/// current one: its callback response could not be checked by anyone here.
fn callback_key_finding(instruction: &Instruction, options: &CheckOptions) -> Option<Finding> {
    let named = instruction.callback_key?;
    if Some(named) == options.expected_callback_key {
        return None;
    }
    let message = match options.expected_callback_key {
        Some(ours) => format!(
            "The instruction names the callback key {}, not ours ({}): the partner signed it for an old or forged card of ours; \
             ask them to sign again with our current card (countersign card export).",
            named.to_base64(),
            ours.to_base64()
        ),
        None => format!(
            "The instruction names the callback key {}, but we have none yet: an admin must sign in once to create it.",
            named.to_base64()
        ),
    };
    Some(Finding::critical(ReasonCode::WrongRecipient, message))
}

/// The `expired` and `not_yet_valid` findings: the validity window, widened by the clock skew at both ends.
fn validity_findings(instruction: &Instruction, options: &CheckOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Near the end of year 9999 the time plus the skew cannot be represented: such a window has
    // not ended, and such a `now` is past every start (a verdict, never an overflow).
    if instruction.valid_until.checked_add(options.clock_skew).is_some_and(|end| options.now > end) {
        findings.push(
            Finding::critical(ReasonCode::Expired, format!("The instruction expired at {}.", format_utc(instruction.valid_until)))
                .with("at", format_utc(instruction.valid_until)),
        );
    }
    if options.now.checked_add(options.clock_skew).is_some_and(|late_now| late_now < instruction.valid_from) {
        findings.push(
            Finding::critical(
                ReasonCode::NotYetValid,
                format!("The instruction is valid only from {}.", format_utc(instruction.valid_from)),
            )
            .with("at", format_utc(instruction.valid_from)),
        );
    }
    findings
}

/// The finding for an envelope that could not be read.
fn envelope_finding(error: EnvelopeError) -> Finding {
    let code = match &error {
        EnvelopeError::TooLarge { .. } => ReasonCode::FileTooLarge,
        EnvelopeError::Malformed(_) => ReasonCode::MalformedFile,
        EnvelopeError::UnsupportedVersion { .. } => ReasonCode::UnsupportedVersion,
    };
    let mut message = error.to_string();
    if let Some(first) = message.get(..1) {
        message = first.to_uppercase() + &message[1..];
    }
    if !message.ends_with('.') {
        message.push('.');
    }
    Finding::critical(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::findings::Severity;
    use crate::encoding::parse_utc;
    use crate::format::instruction::Details;
    use crate::format::keys::KeyPair;

    fn now() -> OffsetDateTime {
        parse_utc("2026-11-23T09:00:00Z").unwrap()
    }

    fn signed(key: &KeyPair, recipient: Fingerprint, iban: &str) -> Vec<u8> {
        let details = Details::from_json(
            format!(r#"{{"beneficiary_name":"Globex","iban":"{iban}","bic":"COBADEFFXXX","currency":"EUR"}}"#).as_bytes(),
        )
        .unwrap();
        let instruction = details.to_instruction("i-1".into(), key.fingerprint(), recipient, now()).unwrap();
        Envelope::sign(FileKind::Instruction, key, instruction.to_payload_bytes()).to_bytes()
    }

    #[test]
    fn a_good_file_is_accepted_with_a_code() {
        let key = KeyPair::from_seed(&[1; 32]);
        let us = KeyPair::from_seed(&[2; 32]).fingerprint();
        let bytes = signed(&key, us, "DE89370400440532013000");
        let options = CheckOptions { expected_recipient: Some(us), ..CheckOptions::at(now()) };
        let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &options);
        assert_eq!(check.findings, vec![]);
        assert_eq!(check.verdict(), Verdict::Accepted);
        assert!(check.confirmation_code().is_some());
    }

    /// Regression (issue 16): a window ending in the last minutes of year 9999 made the validity
    /// check overflow (`valid_until` plus the clock skew) and panic; years up to 9999 are allowed,
    /// so such a file gets a verdict like any other.
    #[test]
    fn a_window_ending_at_the_end_of_year_9999_gets_a_verdict_not_a_panic() {
        let key = KeyPair::from_seed(&[1; 32]);
        let us = KeyPair::from_seed(&[2; 32]).fingerprint();
        let issue = |from: &str, until: &str| {
            let details = Details::from_json(
                format!(
                    r#"{{"beneficiary_name":"Globex","iban":"DE89370400440532013000","bic":"COBADEFFXXX","currency":"EUR","valid_from":"{from}","valid_until":"{until}"}}"#
                )
                .as_bytes(),
            )
            .unwrap();
            let instruction = details.to_instruction("i-9999".into(), key.fingerprint(), us, parse_utc(from).unwrap()).unwrap();
            Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes()
        };
        let bytes = issue("9999-12-01T00:00:00Z", "9999-12-31T23:59:59Z");
        for (at, expect) in
            [("2026-11-23T09:00:00Z", Some(ReasonCode::NotYetValid)), ("9999-12-31T23:55:00Z", None), ("9999-12-31T23:59:59Z", None)]
        {
            let options = CheckOptions { expected_recipient: Some(us), ..CheckOptions::at(parse_utc(at).unwrap()) };
            let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &options);
            assert_eq!(check.findings.first().map(|f| f.code), expect, "at {at}: {:?}", check.findings);
        }
    }

    #[test]
    fn identity_failures() {
        let key = KeyPair::from_seed(&[1; 32]);
        let other = KeyPair::from_seed(&[3; 32]);
        let us = KeyPair::from_seed(&[2; 32]).fingerprint();
        let bytes = signed(&key, us, "DE89370400440532013000");
        let at = |t: &str| CheckOptions { expected_recipient: Some(us), ..CheckOptions::at(parse_utc(t).unwrap()) };
        let check =
            |bytes: &[u8], signer: &KeyPair, opts: &CheckOptions| check_instruction_file(bytes, &SingleSigner(signer.public_key()), opts);
        assert!(check(&bytes, &other, &at("2026-11-23T09:00:00Z")).has(ReasonCode::UnknownSigner));
        assert!(check(&bytes, &key, &at("2026-12-24T09:00:00Z")).has(ReasonCode::Expired));
        assert!(!check(&bytes, &key, &at("2026-12-23T09:09:00Z")).has(ReasonCode::Expired), "skew");
        assert!(check(&bytes, &key, &at("2026-11-23T08:49:00Z")).has(ReasonCode::NotYetValid));
        let not_us = CheckOptions { expected_recipient: Some(other.fingerprint()), ..CheckOptions::at(now()) };
        assert!(check(&bytes, &key, &not_us).has(ReasonCode::WrongRecipient));
        let plain = check(&bytes, &key, &not_us).findings[0].message.clone();
        assert!(plain.contains("not to us"), "{plain}");
        // Addressed to a key of ours that a rotation retired: the same code, a message that says why.
        let retired = RetiredRecipient { fingerprint: us, retired_at: "2026-11-30T10:00:00Z".into() };
        let rotated = CheckOptions { retired_recipients: vec![retired], ..not_us };
        let check_rotated = check(&bytes, &key, &rotated);
        let finding = check_rotated.findings.iter().find(|f| f.code == ReasonCode::WrongRecipient).unwrap();
        assert_eq!(finding.severity, Severity::Critical);
        assert!(finding.message.contains("our previous key") && finding.message.contains("2026-11-30T10:00:00Z"), "{}", finding.message);
        let revoked = check_instruction_file(&bytes, &RevokedSigner(key.public_key()), &CheckOptions::at(now()));
        assert!(revoked.has(ReasonCode::KeyRevoked));
        assert_eq!(revoked.verdict(), Verdict::Rejected);
    }

    /// Format §3.7: a v2 file addressed to us must name our current callback key.
    #[test]
    fn a_v2_file_naming_another_callback_key_is_wrong_recipient() {
        use crate::format::callback_key::CallbackSecret;
        let key = KeyPair::from_seed(&[1; 32]);
        let us = KeyPair::from_seed(&[2; 32]).fingerprint();
        let (ours, theirs) = (CallbackSecret::from_bytes(&[9; 32]).public_key(), CallbackSecret::from_bytes(&[10; 32]).public_key());
        let details =
            Details::from_json(br#"{"beneficiary_name":"Globex","iban":"DE89370400440532013000","bic":"COBADEFFXXX","currency":"EUR"}"#)
                .unwrap();
        let mut instruction = details.to_instruction("i-2".into(), key.fingerprint(), us, now()).unwrap();
        instruction.callback_key = Some(ours);
        let bytes = Envelope::sign_version(FileKind::Instruction, 2, &key, instruction.to_payload_bytes()).to_bytes();
        let at = |callback| CheckOptions { expected_recipient: Some(us), expected_callback_key: callback, ..CheckOptions::at(now()) };
        let check = |opts: &CheckOptions| check_instruction_file(&bytes, &SingleSigner(key.public_key()), opts);
        let good = check(&at(Some(ours)));
        assert_eq!(good.findings, vec![]);
        assert_eq!(good.verified.unwrap().version(), 2);
        for callback in [Some(theirs), None] {
            let found = check(&at(callback));
            assert!(found.has(ReasonCode::WrongRecipient) && found.findings[0].message.contains("callback key"), "{:?}", found.findings);
        }
        assert_eq!(check(&CheckOptions::at(now())).findings, vec![], "without a workspace, no recipient check");
    }

    #[test]
    fn the_window_widened_by_the_skew_is_valid_to_the_second() {
        let key = KeyPair::from_seed(&[1; 32]);
        let bytes = signed(&key, KeyPair::from_seed(&[2; 32]).fingerprint(), "DE89370400440532013000");
        let codes = |at: &str| -> Vec<ReasonCode> {
            let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &CheckOptions::at(parse_utc(at).unwrap()));
            check.findings.iter().map(|f| f.code).collect()
        };
        // Valid from 2026-11-23T09:00:00Z for 30 days; ten minutes' skew at both ends.
        assert_eq!(codes("2026-11-23T08:50:00Z"), []);
        assert_eq!(codes("2026-11-23T08:49:59Z"), [ReasonCode::NotYetValid]);
        assert_eq!(codes("2026-12-23T09:10:00Z"), []);
        assert_eq!(codes("2026-12-23T09:10:01Z"), [ReasonCode::Expired]);
        let late =
            check_instruction_file(&bytes, &SingleSigner(key.public_key()), &CheckOptions::at(parse_utc("2027-01-01T00:00:00Z").unwrap()));
        assert_eq!(late.findings[0].message, "The instruction expired at 2026-12-23T09:00:00Z.");
        let early =
            check_instruction_file(&bytes, &SingleSigner(key.public_key()), &CheckOptions::at(parse_utc("2026-01-01T00:00:00Z").unwrap()));
        assert_eq!(early.findings[0].message, "The instruction is valid only from 2026-11-23T09:00:00Z.");
    }

    #[test]
    fn a_verified_instruction_carries_its_signer_code_and_account() {
        let key = KeyPair::from_seed(&[1; 32]);
        let bytes = signed(&key, KeyPair::from_seed(&[2; 32]).fingerprint(), "DE89370400440532013000");
        let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &CheckOptions::at(now()));
        assert_eq!(check.claimed_signer, Some(key.fingerprint()));
        let v = check.verified.as_ref().unwrap();
        assert_eq!((v.signer(), v.signer_key(), v.version()), (key.fingerprint(), key.public_key(), 1));
        assert_eq!(v.confirmation_code(), ConfirmationCode::of_payload(v.payload()));
        assert_eq!(check.confirmation_code(), Some(v.confirmation_code()));
        assert_eq!(v.instruction().id, "i-1");
        assert!(matches!(v.account(), Some(BankAccount::Iban { iban, .. }) if iban.electronic() == "DE89370400440532013000"));
        // An IBAN with a wrong check digit: the file verifies, the account does not.
        let details =
            Details::from_json(br#"{"beneficiary_name":"Globex","iban":"DE89370400440532013000","bic":"COBADEFFXXX","currency":"EUR"}"#)
                .unwrap();
        let mut instruction =
            details.to_instruction("i-1".into(), key.fingerprint(), KeyPair::from_seed(&[2; 32]).fingerprint(), now()).unwrap();
        instruction.account = crate::bank::AccountDetails::Iban { iban: "DE89370400440532013001".into(), bic: "COBADEFFXXX".into() };
        let bad = Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes();
        let check = check_instruction_file(&bad, &SingleSigner(key.public_key()), &CheckOptions::at(now()));
        assert!(check.has(ReasonCode::IbanInvalid) && check.verified.as_ref().unwrap().account().is_none(), "{:?}", check.findings);
    }

    #[test]
    fn each_failure_is_one_finding_in_a_sentence() {
        let key = KeyPair::from_seed(&[1; 32]);
        let bytes = signed(&key, KeyPair::from_seed(&[2; 32]).fingerprint(), "DE89370400440532013000");
        let only = |bytes: &[u8], signer: &KeyPair| {
            let check = check_instruction_file(bytes, &SingleSigner(signer.public_key()), &CheckOptions::at(now()));
            assert!(check.verified.is_none(), "{:?}", check.findings);
            assert_eq!(check.findings.len(), 1, "{:?}", check.findings);
            (check.findings[0].code, check.findings[0].message.clone(), check.claimed_signer)
        };
        let (code, message, claimed) = only(&vec![b' '; crate::format::envelope::MAX_FILE_SIZE + 1], &key);
        assert_eq!((code, claimed), (ReasonCode::FileTooLarge, None));
        assert_eq!(message, "The file is 65537 bytes; a signed file may have at most 65536.");
        let (code, message, _) = only(b"{\"format\": \"countersign/instruction/v9\"}", &key);
        assert_eq!(code, ReasonCode::UnsupportedVersion);
        assert!(message.starts_with("This is a signed payment instruction in format") && message.ends_with("v1 and v2."), "{message}");
        let (code, message, _) = only(b"{\"format\": 1}", &key);
        assert_eq!((code, message.as_str()), (ReasonCode::MalformedFile, "`format` is missing or not a string."));
        let other = KeyPair::from_seed(&[3; 32]);
        let (code, message, claimed) = only(&bytes, &other);
        assert_eq!((code, claimed), (ReasonCode::UnknownSigner, Some(key.fingerprint())));
        assert_eq!(message, format!("Signed with key {}, which is not pinned for any partner we know.", key.fingerprint()));
        // Signed by the other key in the name of the first: it names an issuer that did not sign it.
        let details =
            Details::from_json(br#"{"beneficiary_name":"Globex","iban":"DE89370400440532013000","bic":"COBADEFFXXX","currency":"EUR"}"#)
                .unwrap();
        let forged = details.to_instruction("i-1".into(), key.fingerprint(), other.fingerprint(), now()).unwrap();
        let mismatched = Envelope::sign(FileKind::Instruction, &other, forged.to_payload_bytes()).to_bytes();
        let (code, message, _) = only(&mismatched, &other);
        assert_eq!(code, ReasonCode::MalformedFile);
        assert_eq!(message, format!("The instruction names issuer {} but was signed by {}.", key.fingerprint(), other.fingerprint()));
        let unsigned = Envelope::sign(FileKind::Instruction, &key, b"{}".to_vec()).to_bytes();
        let (code, message, _) = only(&unsigned, &key);
        assert_eq!(code, ReasonCode::MalformedFile);
        assert!(message.starts_with("The signed content is not a valid instruction: "), "{message}");
    }

    struct RevokedSigner(PublicKey);
    impl SignerLookup for RevokedSigner {
        fn lookup(&self, _: &Fingerprint) -> SignerStatus {
            SignerStatus::Revoked { key: self.0, why: "revoked in a test".into() }
        }
    }
}
