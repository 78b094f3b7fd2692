//! The format test vectors of `tests/vectors/*.vector` (age testkit style: header lines, a blank
//! line, the raw signed file) put through [`check_instruction_file`] in the core's own tests, so
//! that mutation testing of the core (which runs only these) sees what they pin: each file's
//! verdict, reason codes, confirmation code and challenge responses. The root package's
//! `tests/vectors.rs` generates them and checks the files against the generator; a new vector
//! goes into [`VECTORS`] too. The files are compiled in (`include_bytes!`): the core reads no files.

use std::collections::BTreeMap;

use crate::audit::chain::hex;
use crate::encoding::{b64_decode, parse_utc};
use crate::format::callback_key::{partner_shared_secret, CallbackSecret};
use crate::format::codes::{Challenge, ChallengeResponse, ConfirmationCode};
use crate::format::keys::KeyPair;
use crate::format::verify::{check_instruction_file, CheckOptions, FileCheck, SingleSigner};

/// RFC 8032 test 1 secret key: the vectors' signer.
const SIGNER_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// RFC 8032 test 2 secret key: the vectors' recipient.
const RECIPIENT_SEED: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
/// TEST-ONLY: the recipient's callback secret, RFC 7748 §6.1 Alice's X25519 private key.
const CALLBACK_SECRET: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";

macro_rules! vectors {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_bytes!(concat!("../../../../tests/vectors/", $name, ".vector")) as &[u8])),*]
    };
}

/// Every `.vector` file, by name.
const VECTORS: [(&str, &[u8]); 31] = vectors![
    "bic-invalid",
    "expired",
    "file-too-large",
    "iban-bic-country-mismatch",
    "iban-invalid",
    "malformed-duplicate-field",
    "malformed-float-amount",
    "malformed-invalid-utf8",
    "malformed-issuer-mismatch",
    "malformed-noncanonical-base64",
    "malformed-not-json",
    "malformed-null-field",
    "malformed-truncated",
    "malformed-unknown-payload-field",
    "not-yet-valid",
    "signature-invalid-other-context",
    "signature-invalid-payload-changed",
    "signer-replaced",
    "unknown-signer",
    "unsupported-version-new-member",
    "unsupported-version",
    "v1-with-callback-key",
    "v2-low-order-callback-key",
    "v2-missing-callback-key",
    "v2-other-callback-key",
    "v2-signed-as-v1",
    "v2-valid-iban",
    "valid-iban",
    "valid-local-account",
    "valid-unicode-name",
    "wrong-recipient",
];

fn hex32(hex: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
    bytes.try_into().unwrap()
}

fn key(seed_hex: &str) -> KeyPair {
    KeyPair::from_seed(&hex32(seed_hex))
}

fn check(file: &[u8], now: &str) -> FileCheck {
    let options = CheckOptions {
        expected_recipient: Some(key(RECIPIENT_SEED).fingerprint()),
        expected_callback_key: Some(CallbackSecret::from_bytes(&hex32(CALLBACK_SECRET)).public_key()),
        ..CheckOptions::at(parse_utc(now).unwrap())
    };
    check_instruction_file(file, &SingleSigner(key(SIGNER_SEED).public_key()), &options)
}

/// Splits a vector file into its headers and the raw signed file.
fn parse_vector(bytes: &[u8]) -> (BTreeMap<&str, &str>, &[u8]) {
    let split = bytes.windows(2).position(|w| w == b"\n\n").expect("blank line after headers");
    let headers = std::str::from_utf8(&bytes[..split])
        .unwrap()
        .lines()
        .map(|l| l.split_once(": ").unwrap_or_else(|| l.split_once(':').unwrap()))
        .collect();
    (headers, &bytes[split + 2..])
}

#[test]
fn every_vector_yields_its_expected_verdict_codes_and_responses() {
    for (name, bytes) in VECTORS {
        let (headers, file) = parse_vector(bytes);
        let check = check(file, headers["now"]);
        assert_eq!(check.verdict().as_str(), headers["expect"], "{name}: {:?}", check.findings);
        let codes: Vec<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes.join(" "), headers["codes"], "{name}");
        assert_eq!(check.confirmation_code().map(|c| c.to_string()), headers.get("confirmation-code").map(|c| c.to_string()), "{name}");
        let Some(v) = &check.verified else { continue };
        assert_eq!(ConfirmationCode::of_payload(v.payload()).to_string(), headers["confirmation-code"], "{name}");
        assert_eq!(v.signer_key(), key(SIGNER_SEED).public_key(), "{name}");
        assert_eq!(v.signer(), key(SIGNER_SEED).fingerprint(), "{name}");
        let challenge = Challenge::parse(headers["challenge"]).unwrap();
        let response = match v.instruction().callback_key {
            Some(named) => {
                let shared = partner_shared_secret(&key(SIGNER_SEED), &named).unwrap();
                assert_eq!(hex(shared.as_bytes()), headers["shared-secret"], "{name}");
                let ours = CallbackSecret::from_bytes(&hex32(headers["callback-secret"]));
                // When the file names our callback key, our side gives the same secret.
                if ours.public_key() == named {
                    assert_eq!(ours.shared_secret(&v.signer_key()).unwrap().as_bytes(), shared.as_bytes(), "{name}");
                }
                assert_eq!(v.version(), 2, "{name}");
                ChallengeResponse::compute_v2(&shared, challenge, v.payload())
            }
            None => {
                assert_eq!(v.version(), 1, "{name}");
                ChallengeResponse::compute(challenge, v.payload())
            }
        };
        assert_eq!(response.to_string(), headers["response"], "{name}");
        assert!(b64_decode(headers["signer-public-key"]).is_some());
    }
}

/// `tests/vectors/callback-responses.txt`: the version-2 derivation of format §3.7 step by step.
#[test]
fn the_callback_response_vectors_derive_as_written() {
    let text = include_str!("../../../../tests/vectors/callback-responses.txt");
    let blocks: Vec<BTreeMap<&str, &str>> =
        text.split("\n\n").skip(1).map(|block| block.lines().map(|l| l.split_once(": ").unwrap()).collect()).collect();
    assert_eq!(blocks.len(), 3);
    for v in blocks {
        let partner = key(v["partner-seed"]);
        let ours = CallbackSecret::from_bytes(&hex32(v["callback-secret"]));
        assert_eq!(partner.public_key().to_base64(), v["partner-public-key"]);
        assert_eq!(hex(&crate::format::callback_key::x25519_public_of(&partner.public_key())), v["partner-x25519-public-key"]);
        assert_eq!(ours.public_key().to_base64(), v["callback-public-key"]);
        let shared = partner_shared_secret(&partner, &ours.public_key()).unwrap();
        assert_eq!(hex(shared.as_bytes()), v["shared-secret"]);
        assert_eq!(hex(ours.shared_secret(&partner.public_key()).unwrap().as_bytes()), v["shared-secret"]);
        let payload = b64_decode(v["payload-base64"]).unwrap();
        let response = ChallengeResponse::compute_v2(&shared, Challenge::parse(v["challenge"]).unwrap(), &payload);
        assert_eq!(response.to_string(), v["response"]);
    }
}

/// `tests/vectors/callback-card.txt`: a version-2 card carries the callback key it was made with.
#[test]
fn the_callback_card_vector_parses_with_its_key() {
    let (headers, card) = parse_vector(include_bytes!("../../../../tests/vectors/callback-card.txt"));
    let card = crate::format::card::PartnerCard::parse(card).unwrap();
    assert_eq!(card.public_key().to_base64(), headers["public-key"]);
    assert_eq!(card.fingerprint().to_string(), headers["fingerprint"]);
    assert_eq!(card.callback_key().map(|k| k.to_base64()).as_deref(), Some(headers["callback-key"]));
    assert_eq!(card.details().name, "Initech GmbH");
}
