//! Format test vectors (age testkit style): each file in tests/vectors/*.vector is a few header
//! lines, a blank line, then the raw signed file. This test checks every vector against the
//! implementation, and checks that the vector files are exactly what the generator below makes
//! (deterministic Ed25519, fixed times and ids), so they cannot drift from the code.
//!
//! To regenerate after a deliberate format change: `COUNTERSIGN_REGENERATE_VECTORS=1 cargo test --test vectors`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use countersign_core::assess::findings::ReasonCode;
use countersign_core::encoding::{b64_decode, b64_encode, parse_utc};
use countersign_core::format::codes::{Challenge, ChallengeResponse, ConfirmationCode};
use countersign_core::format::envelope::{Envelope, FileKind, MAX_FILE_SIZE};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::keys::KeyPair;
use countersign_core::format::verify::{check_instruction_file, CheckOptions, SingleSigner};

/// RFC 8032 test 1 secret key: the vectors' signer.
const SIGNER_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// RFC 8032 test 2 secret key: the vectors' recipient.
const RECIPIENT_SEED: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
/// RFC 8032 test 3 secret key: a third party (another partner, another recipient).
const OTHER_SEED: &str = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7";
const NOW: &str = "2026-11-23T09:00:00Z";
const CHALLENGE: &str = "305118";

fn key(seed_hex: &str) -> KeyPair {
    let bytes: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&seed_hex[2 * i..2 * i + 2], 16).unwrap()).collect();
    KeyPair::from_seed(&bytes.try_into().unwrap())
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// A payload as the generator writes it; `fields` replace or add fields, `remove` drops them.
fn payload(signer: &KeyPair, recipient: &Fingerprint, edits: &[(&str, &str)]) -> Vec<u8> {
    let mut fields: Vec<(String, String)> = vec![
        ("id".into(), r#""vector-0001""#.into()),
        ("issuer".into(), format!("\"{}\"", signer.fingerprint())),
        ("recipient".into(), format!("\"{recipient}\"")),
        ("issued_at".into(), r#""2026-11-20T08:00:00Z""#.into()),
        ("valid_from".into(), r#""2026-11-20T08:00:00Z""#.into()),
        ("valid_until".into(), r#""2026-12-20T08:00:00Z""#.into()),
        ("beneficiary_name".into(), r#""Globex Corporation""#.into()),
        ("account".into(), r#"{"iban":"DE89370400440532013000","bic":"COBADEFFXXX"}"#.into()),
        ("currency".into(), r#""EUR""#.into()),
        ("amount".into(), r#""1250.00""#.into()),
        ("reference".into(), r#""INV-2026-114""#.into()),
        ("due_date".into(), r#""2026-12-01""#.into()),
    ];
    for (name, value) in edits {
        match (fields.iter().position(|(n, _)| n == name), *value) {
            (Some(i), "-") => {
                fields.remove(i);
            }
            (Some(i), v) => fields[i].1 = v.to_string(),
            (None, v) => fields.push((name.to_string(), v.to_string())),
        }
    }
    let body: Vec<String> = fields.iter().map(|(n, v)| format!("\"{n}\":{v}")).collect();
    format!("{{{}}}", body.join(",")).into_bytes()
}

struct Vector {
    name: &'static str,
    comment: &'static str,
    expect: &'static str,
    codes: Vec<ReasonCode>,
    file: Vec<u8>,
}

// Long: writes every vector file in one pass, in the order docs/format.md lists them.
fn generate() -> Vec<Vector> {
    use ReasonCode::*;
    let signer = key(SIGNER_SEED);
    let recipient = key(RECIPIENT_SEED).fingerprint();
    let other = key(OTHER_SEED);
    let sign = |payload: Vec<u8>| Envelope::sign(FileKind::Instruction, &signer, payload).to_bytes();
    let good = sign(payload(&signer, &recipient, &[]));
    let good_text = String::from_utf8(good.clone()).unwrap();
    let mut v = Vec::new();
    let mut add = |name, comment, expect, codes: Vec<ReasonCode>, file: Vec<u8>| v.push(Vector { name, comment, expect, codes, file });
    add("valid-iban", "A valid instruction: IBAN and BIC, amount, reference and due date.", "accepted", vec![], good.clone());
    add(
        "valid-local-account",
        "A valid instruction for a US account: account number, ABA routing code, country and BIC; no amount.",
        "accepted",
        vec![],
        sign(payload(
            &signer,
            &recipient,
            &[
                ("account", r#"{"account_number":"000123456789","routing_code":"021000021","country":"US","bic":"CHASUS33"}"#),
                ("currency", r#""USD""#),
                ("amount", "-"),
                ("due_date", "-"),
            ],
        )),
    );
    add(
        "valid-unicode-name",
        "A valid instruction whose beneficiary name is not ASCII (Turkish), and whose currency has no minor unit.",
        "accepted",
        vec![],
        sign(payload(
            &signer,
            &recipient,
            &[
                ("beneficiary_name", r#""Acme Tekstil Sanayi ve Ticaret A.Ş.""#),
                ("account", r#"{"iban":"TR330006100519786457841326","bic":"ISBKTRISXXX"}"#),
                ("currency", r#""JPY""#),
                ("amount", r#""150000""#),
            ],
        )),
    );
    add("malformed-truncated", "The file is cut off in the middle.", "rejected", vec![MalformedFile], good[..good.len() / 2].to_vec());
    add("malformed-not-json", "Not JSON at all.", "rejected", vec![MalformedFile], b"IBAN: DE89370400440532013000\n".to_vec());
    add("malformed-invalid-utf8", "A byte that is not valid UTF-8 in the envelope.", "rejected", vec![MalformedFile], {
        let at = good.windows(8).position(|w| w == b"\"format\"").unwrap() + 1;
        let mut bad = good.clone();
        bad.insert(at, 0xFF);
        bad
    });
    add(
        "malformed-duplicate-field",
        "The envelope has `signer` twice (a second one naming another key).",
        "rejected",
        vec![MalformedFile],
        good_text.replacen("\"signer\"", &format!("\"signer\": \"{}\",\n  \"signer\"", other.fingerprint()), 1).into_bytes(),
    );
    add(
        "malformed-noncanonical-base64",
        "The payload's base64 has a line break inserted: only canonical base64 is accepted.",
        "rejected",
        vec![MalformedFile],
        {
            let payload_b64 = b64_encode(Envelope::parse(&good, FileKind::Instruction).unwrap().payload());
            good_text.replace(&payload_b64, &format!("{}\\n{}", &payload_b64[..40], &payload_b64[40..])).into_bytes()
        },
    );
    add(
        "malformed-unknown-payload-field",
        "Validly signed, but the payload has a field the format does not define.",
        "rejected",
        vec![MalformedFile],
        sign(payload(&signer, &recipient, &[("intermediary_bank", r#""EVILGB2L""#)])),
    );
    add(
        "malformed-null-field",
        "Validly signed, but an optional field is null instead of absent.",
        "rejected",
        vec![MalformedFile],
        sign(payload(&signer, &recipient, &[("reference", "null")])),
    );
    add(
        "malformed-float-amount",
        "Validly signed, but the amount is a JSON number, not a decimal string.",
        "rejected",
        vec![MalformedFile],
        sign(payload(&signer, &recipient, &[("amount", "1250.0")])),
    );
    add(
        "malformed-issuer-mismatch",
        "Validly signed, but the payload names another key as its issuer.",
        "rejected",
        vec![MalformedFile],
        sign(payload(&signer, &recipient, &[("issuer", &format!("\"{}\"", other.fingerprint()))])),
    );
    add(
        "unsupported-version",
        "A future version of the format.",
        "rejected",
        vec![UnsupportedVersion],
        good_text.replace("countersign/instruction/v1", "countersign/instruction/v2").into_bytes(),
    );
    add(
        "unsupported-version-new-member",
        "A future version of the format that adds an envelope member: still unsupported_version, not malformed.",
        "rejected",
        vec![UnsupportedVersion],
        good_text
            .replace("countersign/instruction/v1", "countersign/instruction/v2")
            .replacen("\"signer\"", "\"signers_v2\": [],\n  \"signer\"", 1)
            .into_bytes(),
    );
    add("file-too-large", "A signed file padded with spaces beyond 65536 bytes.", "rejected", vec![FileTooLarge], {
        let mut big = good.clone();
        big.resize(MAX_FILE_SIZE + 1, b' ');
        big
    });
    add(
        "signature-invalid-payload-changed",
        "One character of the signed payload (a digit of the IBAN) was changed after signing.",
        "rejected",
        vec![SignatureInvalid],
        {
            let env = Envelope::parse(&good, FileKind::Instruction).unwrap();
            let changed = String::from_utf8(env.payload().to_vec()).unwrap().replace("DE89370400440532013000", "DE89370400440532013001");
            good_text.replace(&b64_encode(env.payload()), &b64_encode(changed.as_bytes())).into_bytes()
        },
    );
    add(
        "signature-invalid-other-context",
        "The payload signed by the right key, but as a partner card (another signing context).",
        "rejected",
        vec![SignatureInvalid],
        {
            let p = payload(&signer, &recipient, &[]);
            let sig = signer.sign(FileKind::Card.format_id(), &p);
            Envelope::from_parts(FileKind::Instruction, signer.fingerprint(), p, sig).to_bytes()
        },
    );
    add(
        "signer-replaced",
        "`signer` replaced by the recipient's fingerprint; the signature is the original signer's.",
        "rejected",
        vec![UnknownSigner],
        good_text.replace(&signer.fingerprint().to_string(), &recipient.to_string()).into_bytes(),
    );
    add(
        "unknown-signer",
        "Validly signed by a key that is not the expected signer's.",
        "rejected",
        vec![UnknownSigner],
        Envelope::sign(FileKind::Instruction, &other, payload(&other, &recipient, &[])).to_bytes(),
    );
    add(
        "wrong-recipient",
        "Validly signed, but addressed to another recipient.",
        "rejected",
        vec![WrongRecipient],
        sign(payload(&signer, &other.fingerprint(), &[])),
    );
    add(
        "expired",
        "Validly signed, but its validity ended on 2026-11-01.",
        "rejected",
        vec![Expired],
        sign(payload(
            &signer,
            &recipient,
            &[
                ("issued_at", r#""2026-10-01T08:00:00Z""#),
                ("valid_from", r#""2026-10-01T08:00:00Z""#),
                ("valid_until", r#""2026-11-01T08:00:00Z""#),
            ],
        )),
    );
    add(
        "not-yet-valid",
        "Validly signed, but valid only from 2026-12-01.",
        "rejected",
        vec![NotYetValid],
        sign(payload(&signer, &recipient, &[("valid_from", r#""2026-12-01T00:00:00Z""#)])),
    );
    add(
        "iban-invalid",
        "Validly signed, but the IBAN's check digits are wrong.",
        "rejected",
        vec![IbanInvalid],
        sign(payload(&signer, &recipient, &[("account", r#"{"iban":"DE88370400440532013000","bic":"COBADEFFXXX"}"#)])),
    );
    add(
        "bic-invalid",
        "Validly signed, but the BIC has an unknown country (ZZ).",
        "rejected",
        vec![BicInvalid],
        sign(payload(&signer, &recipient, &[("account", r#"{"iban":"DE89370400440532013000","bic":"COBAZZFFXXX"}"#)])),
    );
    add(
        "iban-bic-country-mismatch",
        "Validly signed; a German IBAN with a French bank's BIC: held for a callback.",
        "hold",
        vec![IbanBicCountryMismatch],
        sign(payload(&signer, &recipient, &[("account", r#"{"iban":"DE89370400440532013000","bic":"BNPAFRPPXXX"}"#)])),
    );
    v
}

/// Renders a vector file: headers, a blank line, the raw signed file.
fn render(vector: &Vector) -> Vec<u8> {
    let signer = key(SIGNER_SEED);
    let mut headers = format!(
        "expect: {}\ncodes: {}\ncomment: {}\nnow: {NOW}\nsigner-public-key: {}\nrecipient: {}\n",
        vector.expect,
        vector.codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" "),
        vector.comment,
        signer.public_key().to_base64(),
        key(RECIPIENT_SEED).fingerprint(),
    );
    let check = check(&vector.file);
    if let Some(verified) = &check.verified {
        let challenge = Challenge::parse(CHALLENGE).unwrap();
        headers += &format!(
            "confirmation-code: {}\nchallenge: {}\nresponse: {}\n",
            verified.confirmation_code(),
            challenge,
            ChallengeResponse::compute(challenge, verified.payload())
        );
    }
    let mut out = headers.into_bytes();
    out.push(b'\n');
    out.extend_from_slice(&vector.file);
    out
}

fn check(file: &[u8]) -> countersign_core::format::verify::FileCheck {
    let options = CheckOptions { expected_recipient: Some(key(RECIPIENT_SEED).fingerprint()), ..CheckOptions::at(parse_utc(NOW).unwrap()) };
    check_instruction_file(file, &SingleSigner(key(SIGNER_SEED).public_key()), &options)
}

/// Splits a vector file into its headers and the raw signed file.
fn parse_vector(bytes: &[u8]) -> (BTreeMap<String, String>, Vec<u8>) {
    let split = bytes.windows(2).position(|w| w == b"\n\n").expect("blank line after headers");
    let headers = std::str::from_utf8(&bytes[..split])
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap_or_else(|| l.split_once(':').unwrap());
            (k.to_string(), v.to_string())
        })
        .collect();
    (headers, bytes[split + 2..].to_vec())
}

#[test]
fn vector_files_match_the_generator() {
    let dir = vectors_dir();
    let regenerate = std::env::var_os("COUNTERSIGN_REGENERATE_VECTORS").is_some();
    let vectors = generate();
    for vector in &vectors {
        let path = dir.join(format!("{}.vector", vector.name));
        let expected = render(vector);
        if regenerate {
            std::fs::write(&path, &expected).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(on_disk == expected, "{} differs from the generator; regenerate deliberately", path.display());
    }
    let on_disk =
        std::fs::read_dir(&dir).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "vector")).count();
    assert_eq!(on_disk, vectors.len(), "a .vector file in tests/vectors is not made by the generator");
    let negative = vectors.iter().filter(|v| v.expect == "rejected").count();
    assert!(negative >= 12, "issue 2 asks for at least 12 negative vectors, one per failure class");
}

#[test]
fn every_vector_yields_its_expected_verdict_and_codes() {
    for entry in std::fs::read_dir(vectors_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "vector") {
            continue;
        }
        let (headers, file) = parse_vector(&std::fs::read(&path).unwrap());
        let check = check(&file);
        let name = path.display();
        assert_eq!(check.verdict().as_str(), headers["expect"], "{name}: {:?}", check.findings);
        let codes: Vec<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes.join(" "), headers["codes"], "{name}");
        match (headers.get("confirmation-code"), &check.verified) {
            (Some(code), Some(v)) => {
                assert_eq!(&v.confirmation_code().to_string(), code, "{name}");
                assert_eq!(ConfirmationCode::of_payload(v.payload()).to_string(), *code);
                let challenge = Challenge::parse(&headers["challenge"]).unwrap();
                assert_eq!(ChallengeResponse::compute(challenge, v.payload()).to_string(), headers["response"], "{name}");
            }
            (None, None) => {}
            other => panic!("{name}: confirmation code header and verification disagree: {other:?}"),
        }
        assert_eq!(headers["signer-public-key"], key(SIGNER_SEED).public_key().to_base64());
        assert!(b64_decode(&headers["signer-public-key"]).is_some());
    }
}

#[test]
fn the_key_vector_matches() {
    let text = std::fs::read_to_string(vectors_dir().join("keys.txt")).unwrap();
    for (seed, name) in [(SIGNER_SEED, "signer"), (RECIPIENT_SEED, "recipient"), (OTHER_SEED, "other")] {
        let k = key(seed);
        let line = format!("{name} seed={seed} public_key={} fingerprint={}", k.public_key().to_base64(), k.fingerprint());
        assert!(text.lines().any(|l| l == line), "keys.txt lacks: {line}");
    }
}
