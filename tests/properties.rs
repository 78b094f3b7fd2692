//! Property tests of the signed format as a whole (issue 2): a signed instruction always
//! verifies; any single-byte change of a signed file is rejected; no input makes the checker
//! panic.

#![allow(clippy::inconsistent_digit_grouping)]

use countersign_core::assess::findings::{ReasonCode, Verdict};
use countersign_core::encoding::parse_utc;
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::instruction::Details;
use countersign_core::format::keys::KeyPair;
use countersign_core::format::verify::{check_instruction_file, CheckOptions, SingleSigner};
use proptest::prelude::*;

fn now() -> time::OffsetDateTime {
    parse_utc("2026-11-23T09:00:00Z").unwrap()
}

fn options(recipient: &KeyPair) -> CheckOptions {
    CheckOptions { expected_recipient: Some(recipient.fingerprint()), ..CheckOptions::at(now()) }
}

/// Signs an instruction made from generated details.
fn signed(seed: [u8; 32], recipient: &KeyPair, name: &str, amount_minor: u64, reference: &str) -> (KeyPair, Vec<u8>) {
    let key = KeyPair::from_seed(&seed);
    let details = Details::from_json(
        serde_json::json!({
            "beneficiary_name": name,
            "iban": "DE89370400440532013000",
            "bic": "COBADEFFXXX",
            "currency": "EUR",
            "amount_minor": amount_minor,
            "reference": reference,
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let instruction = details.to_instruction("prop-1".into(), key.fingerprint(), recipient.fingerprint(), now()).unwrap();
    let bytes = Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes();
    (key, bytes)
}

fn name_strategy() -> impl Strategy<Value = String> {
    "[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 .&-]{0,60}[A-Za-zÀ-ÿ0-9.]"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn signed_instructions_verify(seed in any::<[u8; 32]>(), name in name_strategy(), amount in 1u64..1_000_000_000_00, reference in "[A-Z0-9-]{1,20}") {
        let recipient = KeyPair::from_seed(&[200; 32]);
        let (key, bytes) = signed(seed, &recipient, &name, amount, &reference);
        let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &options(&recipient));
        prop_assert_eq!(check.verdict(), Verdict::Accepted, "{:?}", check.findings);
        let verified = check.verified.unwrap();
        prop_assert_eq!(verified.instruction().beneficiary_name.as_str(), name.as_str());
        prop_assert_eq!(verified.instruction().amount.unwrap().minor_units(), amount);
    }

    #[test]
    fn any_single_byte_change_is_rejected(seed in any::<[u8; 32]>(), position in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let recipient = KeyPair::from_seed(&[200; 32]);
        let (key, bytes) = signed(seed, &recipient, "Globex Corporation", 125_000, "INV-1");
        let mut changed = bytes.clone();
        let i = position.index(changed.len());
        changed[i] ^= flip;
        let check = check_instruction_file(&changed, &SingleSigner(key.public_key()), &options(&recipient));
        // A change in insignificant JSON white space (a space becoming another white-space
        // byte) leaves the signed content intact; everything else must be refused.
        let whitespace = |b: u8| matches!(b, b' ' | b'\n' | b'\t' | b'\r');
        if whitespace(bytes[i]) && whitespace(changed[i]) {
            prop_assert_eq!(check.verdict(), Verdict::Accepted);
        } else {
            prop_assert_eq!(check.verdict(), Verdict::Rejected, "byte {} changed and still {:?}", i, check.findings);
            let code = check.findings[0].code;
            prop_assert!(matches!(code, ReasonCode::SignatureInvalid | ReasonCode::MalformedFile | ReasonCode::UnknownSigner | ReasonCode::UnsupportedVersion), "{:?}", code);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let key = KeyPair::from_seed(&[1; 32]);
        let check = check_instruction_file(&bytes, &SingleSigner(key.public_key()), &CheckOptions::at(now()));
        prop_assert_eq!(check.verdict(), Verdict::Rejected);
    }

    #[test]
    fn arbitrary_json_envelopes_never_panic(format in "countersign/instruction/v[0-9]{1,2}|[a-z/]{0,20}", signer in "[0-9 ]{0,40}", payload in "[A-Za-z0-9+/=]{0,200}", signature in "[A-Za-z0-9+/=]{0,100}") {
        let key = KeyPair::from_seed(&[1; 32]);
        let text = serde_json::json!({ "format": format, "signer": signer, "payload": payload, "signature": signature }).to_string();
        let check = check_instruction_file(text.as_bytes(), &SingleSigner(key.public_key()), &CheckOptions::at(now()));
        prop_assert_eq!(check.verdict(), Verdict::Rejected);
    }
}

/// Issue 20 (format §4.2): a recovery rotation and a revocation, signed by the recovery key of
/// `seed`, for the key of seed 1 and a successor card of seed 2 that names the same recovery key.
fn recovery_statements(seed: [u8; 32], reason: &str) -> (KeyPair, Vec<u8>, Vec<u8>) {
    use countersign_core::format::card::{CardDetails, CardKeys, PartnerCard};
    use countersign_core::format::recovery::{KeyRevocation, RecoveryRotation};
    let (recovery, old, new) = (KeyPair::from_seed(&seed), KeyPair::from_seed(&[1; 32]), KeyPair::from_seed(&[2; 32]));
    let keys = CardKeys { callback_key: None, recovery_key: Some(recovery.public_key()) };
    let card = PartnerCard::create_with_keys(&new, CardDetails { name: "Globex".into(), ..Default::default() }, keys, now()).unwrap();
    let rotation = RecoveryRotation::create(&recovery, old.fingerprint(), &card, now()).unwrap();
    let revocation = KeyRevocation::create(&recovery, old.fingerprint(), reason, now()).unwrap();
    (recovery, rotation, revocation)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any single-byte change of a recovery-signed statement is refused, unless it changes one
    /// white-space byte into another: then it is refused (inside a string) or says exactly the same.
    #[test]
    fn any_single_byte_change_of_a_recovery_statement_is_refused(
        seed in any::<[u8; 32]>().prop_filter("another key than the signing keys", |s| s[0] > 2),
        reason in "[A-Za-z][A-Za-z0-9 ]{0,40}[a-z]",
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        use countersign_core::format::recovery::{KeyRevocation, RecoveryRotation};
        let (recovery, rotation, revocation) = recovery_statements(seed, &reason);
        let key = recovery.public_key();
        let whitespace = |b: u8| matches!(b, b' ' | b'\n' | b'\t' | b'\r');
        let said = |bytes: &[u8]| match RecoveryRotation::verify(bytes, &key) {
            Ok(r) => Some(format!("{} {} {}", r.old_key(), r.new_card().fingerprint(), r.recovery_key())),
            Err(_) => KeyRevocation::verify(bytes, &key).ok().map(|r| format!("{} {} {}", r.revoked_key(), r.reason(), r.recovery_key())),
        };
        for bytes in [rotation, revocation] {
            let original = said(&bytes);
            prop_assert!(original.is_some());
            let mut changed = bytes.clone();
            let i = position.index(changed.len());
            changed[i] ^= flip;
            let now_says = said(&changed);
            if whitespace(bytes[i]) && whitespace(changed[i]) {
                prop_assert!(now_says.is_none() || now_says == original, "byte {} changed: {:?}", i, now_says);
            } else {
                prop_assert!(now_says.is_none(), "byte {} changed and still verifies: {:?}", i, now_says);
            }
        }
    }

    /// No input makes the recovery statements' parsers panic; none verifies without the key.
    #[test]
    fn arbitrary_recovery_statements_never_panic(format in "countersign/(recovery-rotation|key-revocation)/v[0-9]|[a-z/]{0,20}", payload in "[A-Za-z0-9+/=]{0,200}", signature in "[A-Za-z0-9+/=]{0,100}") {
        use countersign_core::format::recovery::{KeyRevocation, RecoveryRotation};
        let key = KeyPair::from_seed(&[3; 32]);
        let text = serde_json::json!({ "format": format, "signer": key.fingerprint().to_string(), "payload": payload, "signature": signature }).to_string();
        prop_assert!(RecoveryRotation::verify(text.as_bytes(), &key.public_key()).is_err());
        prop_assert!(KeyRevocation::verify(text.as_bytes(), &key.public_key()).is_err());
    }
}
