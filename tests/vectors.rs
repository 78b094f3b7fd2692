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
use countersign_core::format::callback_key::{partner_shared_secret, x25519_public_of, CallbackSecret};
use countersign_core::format::card::{CardDetails, PartnerCard};
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
/// TEST-ONLY: the recipient's callback secret, RFC 7748 §6.1 Alice's X25519 private key.
const CALLBACK_SECRET: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
/// TEST-ONLY: another callback secret (RFC 7748 §6.1 Bob's): a v2 file naming its public key is
/// addressed to a callback key that is not the recipient's.
const OTHER_CALLBACK_SECRET: &str = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";

fn hex32(hex: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
    bytes.try_into().unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn callback_secret(hex_text: &str) -> CallbackSecret {
    CallbackSecret::from_bytes(&hex32(hex_text))
}

fn key(seed_hex: &str) -> KeyPair {
    KeyPair::from_seed(&hex32(seed_hex))
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
        good_text.replace("countersign/instruction/v1", "countersign/instruction/v3").into_bytes(),
    );
    add(
        "unsupported-version-new-member",
        "A future version of the format that adds an envelope member: still unsupported_version, not malformed.",
        "rejected",
        vec![UnsupportedVersion],
        good_text
            .replace("countersign/instruction/v1", "countersign/instruction/v3")
            .replacen("\"signer\"", "\"signers_v3\": [],\n  \"signer\"", 1)
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
    v.extend(generate_v2(&signer, &recipient));
    v
}

/// The version-2 vectors of format §3.7, in the order docs/format.md lists them.
fn generate_v2(signer: &KeyPair, recipient: &Fingerprint) -> Vec<Vector> {
    use ReasonCode::*;
    let ours = callback_secret(CALLBACK_SECRET).public_key().to_base64();
    let theirs = callback_secret(OTHER_CALLBACK_SECRET).public_key().to_base64();
    let v2 = |key: &str| payload(signer, recipient, &[("callback_key", &format!("\"{key}\""))]);
    let sign_v2 = |payload: Vec<u8>| Envelope::sign_version(FileKind::Instruction, 2, signer, payload).to_bytes();
    let mut v = Vec::new();
    let mut add = |name, comment, expect, codes: Vec<ReasonCode>, file: Vec<u8>| v.push(Vector { name, comment, expect, codes, file });
    add("v2-valid-iban", "A valid version-2 instruction naming the recipient's callback key.", "accepted", vec![], sign_v2(v2(&ours)));
    add(
        "v2-other-callback-key",
        "Version 2, addressed to the recipient but naming another callback key: nobody there could check its response.",
        "rejected",
        vec![WrongRecipient],
        sign_v2(v2(&theirs)),
    );
    add(
        "v2-missing-callback-key",
        "Validly signed as version 2, but the payload has no callback_key.",
        "rejected",
        vec![MalformedFile],
        sign_v2(payload(signer, recipient, &[])),
    );
    add(
        "v2-low-order-callback-key",
        "Validly signed as version 2, but the callback key is a low-order point (u = 0).",
        "rejected",
        vec![MalformedFile],
        sign_v2(v2(&b64_encode(&[0; 32]))),
    );
    add(
        "v1-with-callback-key",
        "Validly signed as version 1, but the payload has callback_key, a member of version 2 only.",
        "rejected",
        vec![MalformedFile],
        Envelope::sign(FileKind::Instruction, signer, v2(&ours)).to_bytes(),
    );
    add(
        "v2-signed-as-v1",
        "A version-2 file whose signature was made over the version-1 context.",
        "rejected",
        vec![SignatureInvalid],
        String::from_utf8(Envelope::sign(FileKind::Instruction, signer, v2(&ours)).to_bytes())
            .unwrap()
            .replace("countersign/instruction/v1", "countersign/instruction/v2")
            .into_bytes(),
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
    if vector.name.starts_with("v2-") {
        headers += &format!(
            "recipient-callback-key: {}\ncallback-secret: {CALLBACK_SECRET}\n",
            callback_secret(CALLBACK_SECRET).public_key().to_base64()
        );
    }
    if let Some(verified) = &check.verified {
        let challenge = Challenge::parse(CHALLENGE).unwrap();
        headers += &format!("confirmation-code: {}\nchallenge: {}\n", verified.confirmation_code(), challenge);
        headers += &match verified.instruction().callback_key {
            Some(named) => {
                let shared = partner_shared_secret(&signer, &named).unwrap();
                let response = ChallengeResponse::compute_v2(&shared, challenge, verified.payload());
                format!("shared-secret: {}\nresponse: {response}\n", hex(shared.as_bytes()))
            }
            None => format!("response: {}\n", ChallengeResponse::compute(challenge, verified.payload())),
        };
    }
    let mut out = headers.into_bytes();
    out.push(b'\n');
    out.extend_from_slice(&vector.file);
    out
}

fn check(file: &[u8]) -> countersign_core::format::verify::FileCheck {
    let options = CheckOptions {
        expected_recipient: Some(key(RECIPIENT_SEED).fingerprint()),
        expected_callback_key: Some(callback_secret(CALLBACK_SECRET).public_key()),
        ..CheckOptions::at(parse_utc(NOW).unwrap())
    };
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

/// The vector files of tests/vectors with extension `ext`, each read: its path, headers and file.
fn vector_files(ext: &str) -> Vec<(std::path::PathBuf, BTreeMap<String, String>, Vec<u8>)> {
    let mut paths: Vec<_> =
        std::fs::read_dir(vectors_dir()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == ext)).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let (headers, file) = parse_vector(&std::fs::read(&path).unwrap());
            (path, headers, file)
        })
        .collect()
}

/// Checks that the files of tests/vectors with extension `ext` are exactly `expected` (name,
/// bytes), no more; with `COUNTERSIGN_REGENERATE_VECTORS` set, writes them first.
fn files_match_the_generator(ext: &str, expected: &[(&str, Vec<u8>)]) {
    let dir = vectors_dir();
    let regenerate = std::env::var_os("COUNTERSIGN_REGENERATE_VECTORS").is_some();
    for (name, bytes) in expected {
        let path = dir.join(format!("{name}.{ext}"));
        if regenerate {
            std::fs::write(&path, bytes).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(on_disk == *bytes, "{} differs from the generator; regenerate deliberately", path.display());
    }
    let on_disk = std::fs::read_dir(&dir).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == ext)).count();
    assert_eq!(on_disk, expected.len(), "a .{ext} file in tests/vectors is not made by the generator");
}

#[test]
fn vector_files_match_the_generator() {
    let vectors = generate();
    files_match_the_generator("vector", &vectors.iter().map(|v| (v.name, render(v))).collect::<Vec<_>>());
    let negative = vectors.iter().filter(|v| v.expect == "rejected").count();
    assert!(negative >= 12, "issue 2 asks for at least 12 negative vectors, one per failure class");
}

#[test]
fn every_vector_yields_its_expected_verdict_and_codes() {
    for (path, headers, file) in vector_files("vector") {
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
                let response = match v.instruction().callback_key {
                    // The partner's response: their key with the callback key the file names; when
                    // that is ours, our side (our callback secret, their public key) gives the same.
                    Some(named) => {
                        let shared = partner_shared_secret(&key(SIGNER_SEED), &named).unwrap();
                        assert_eq!(hex(shared.as_bytes()), headers["shared-secret"], "{name}");
                        let ours = callback_secret(&headers["callback-secret"]);
                        if ours.public_key() == named {
                            assert_eq!(ours.shared_secret(&v.signer_key()).unwrap().as_bytes(), shared.as_bytes(), "{name}");
                        }
                        ChallengeResponse::compute_v2(&shared, challenge, v.payload())
                    }
                    None => ChallengeResponse::compute(challenge, v.payload()),
                };
                assert_eq!(response.to_string(), headers["response"], "{name}");
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

/// The partner card of format §4 with a callback key (version 2): the recipient's key (RFC 8032
/// test 2) and the callback key of [`CALLBACK_SECRET`].
fn callback_card() -> Vec<u8> {
    let recipient = key(RECIPIENT_SEED);
    let callback = callback_secret(CALLBACK_SECRET).public_key();
    let details = CardDetails { name: "Initech GmbH".into(), ..Default::default() };
    let card =
        PartnerCard::create_with_callback_key(&recipient, details, Some(callback), parse_utc("2026-11-20T08:00:00Z").unwrap()).unwrap();
    let mut out = format!(
        "comment: TEST-ONLY. A version-2 partner card (format §4): the recipient key of the vectors with a callback key.\n\
         public-key: {}\nfingerprint: {}\ncallback-key: {}\n\n",
        recipient.public_key().to_base64(),
        recipient.fingerprint(),
        callback.to_base64()
    )
    .into_bytes();
    out.extend_from_slice(&card.to_bytes());
    out
}

/// The version-2 response derivation of format §3.7, step by step, for three key pairs.
fn response_vectors() -> String {
    let mut out = String::from(
        "# TEST-ONLY keys. Version-2 challenge responses (format §3.7): the partner's Ed25519 seed, our callback secret,\n\
         # a challenge and a payload give the shared secret (the same from both sides) and the response.\n",
    );
    let cases = [
        (SIGNER_SEED, CALLBACK_SECRET, "305118", b"{\"id\":\"vector-0001\"}".to_vec()),
        (OTHER_SEED, OTHER_CALLBACK_SECRET, "000000", b"x".to_vec()),
        (RECIPIENT_SEED, CALLBACK_SECRET, "999999", "Zahlungsanweisung für Globex".as_bytes().to_vec()),
    ];
    for (seed, secret, challenge, payload) in cases {
        let partner = key(seed);
        let ours = callback_secret(secret);
        let shared = partner_shared_secret(&partner, &ours.public_key()).unwrap();
        assert_eq!(shared.as_bytes(), ours.shared_secret(&partner.public_key()).unwrap().as_bytes(), "both sides agree");
        let challenge = Challenge::parse(challenge).unwrap();
        out += &format!(
            "\npartner-seed: {seed}\npartner-public-key: {}\npartner-x25519-public-key: {}\ncallback-secret: {secret}\n\
             callback-public-key: {}\nchallenge: {challenge}\npayload-base64: {}\nshared-secret: {}\nresponse: {}\n",
            partner.public_key().to_base64(),
            hex(&x25519_public_of(&partner.public_key())),
            ours.public_key().to_base64(),
            b64_encode(&payload),
            hex(shared.as_bytes()),
            ChallengeResponse::compute_v2(&shared, challenge, &payload)
        );
    }
    out
}

/// The card and response vectors of issue 15 are what the code makes (regenerated like the others).
#[test]
fn the_callback_key_vectors_match() {
    let regenerate = std::env::var_os("COUNTERSIGN_REGENERATE_VECTORS").is_some();
    for (name, expected) in [("callback-card.txt", callback_card()), ("callback-responses.txt", response_vectors().into_bytes())] {
        let path = vectors_dir().join(name);
        if regenerate {
            std::fs::write(&path, &expected).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(on_disk == expected, "{} differs from the generator; regenerate deliberately", path.display());
    }
    let (_, card) = parse_vector(&callback_card());
    assert_eq!(PartnerCard::parse(&card).unwrap().callback_key(), Some(callback_secret(CALLBACK_SECRET).public_key()));
}

// ---------------------------------------------------------------------------------------------
// Recovery keys (issue 20, format §4.2): version-3 cards and the two statements the recovery key
// signs, as `tests/vectors/*.recovery` files. Headers: `kind` (`card`, `recovery-rotation`,
// `key-revocation`), `expect` (`valid`, `malformed`, `unsupported_version`, `signature_invalid`,
// `unknown_signer`), `comment`; statements also `recovery-public-key` (the recovery key pinned
// for the partner, base64); valid ones what they say (`recovery-key`, `old-key`, `new-key`,
// `revoked-key`, `reason`).

mod recovery_vectors {
    use super::*;
    use countersign_core::format::card::{CardError, CardKeys};
    use countersign_core::format::envelope::EnvelopeError;
    use countersign_core::format::recovery::{claimed_signer, KeyRevocation, RecoveryError, RecoveryRotation};

    /// One `.recovery` vector.
    pub(super) struct RecoveryVector {
        pub(super) name: &'static str,
        kind: &'static str,
        expect: &'static str,
        comment: &'static str,
        file: Vec<u8>,
    }

    /// The signing key of the cards (RFC 8032 test 1), the recovery key (test 3), the successor
    /// (test 2).
    fn keys() -> (KeyPair, KeyPair, KeyPair) {
        (key(SIGNER_SEED), key(OTHER_SEED), key(RECIPIENT_SEED))
    }

    fn at(text: &str) -> time::OffsetDateTime {
        parse_utc(text).unwrap()
    }

    fn v3_card(holder: &KeyPair, recovery: &KeyPair) -> PartnerCard {
        let details = CardDetails { name: "Globex Corporation".into(), ..Default::default() };
        let keys = CardKeys { callback_key: None, recovery_key: Some(recovery.public_key()) };
        PartnerCard::create_with_keys(holder, details, keys, at("2026-11-20T08:00:00Z")).unwrap()
    }

    /// A card payload of `holder` with `extra` members, signed as `version`.
    fn card_with(holder: &KeyPair, version: u32, extra: &str) -> Vec<u8> {
        let payload = format!(
            r#"{{"name":"Globex Corporation","public_key":"{}","created_at":"2026-11-20T08:00:00Z","domains":[],"contacts":[]{extra}}}"#,
            holder.public_key().to_base64()
        );
        Envelope::sign_version(FileKind::Card, version, holder, payload.into_bytes()).to_bytes()
    }

    /// `payload` signed by `signer` as `kind`, whose envelope names `named` as its signer and
    /// whose signature is over the identifier `context`.
    fn statement(kind: FileKind, signer: &KeyPair, named: Fingerprint, context: &str, payload: &str) -> Vec<u8> {
        let signature = signer.sign(context, payload.as_bytes());
        let envelope = Envelope::from_parts(kind, named, payload.as_bytes().to_vec(), signature);
        envelope.to_bytes()
    }

    fn rotation_payload(recovery: &Fingerprint, old: &Fingerprint, card: &[u8], extra: &str) -> String {
        format!(
            r#"{{"recovery_key":"{recovery}","old_key":"{old}","new_card":"{}","issued_at":"2026-11-23T09:00:00Z"{extra}}}"#,
            b64_encode(card)
        )
    }

    fn revocation_payload(recovery: &Fingerprint, revoked: &Fingerprint, extra: &str) -> String {
        format!(
            r#"{{"recovery_key":"{recovery}","revoked_key":"{revoked}","reason":"signing key stolen","issued_at":"2026-11-23T09:00:00Z"{extra}}}"#
        )
    }

    fn v(name: &'static str, kind: &'static str, expect: &'static str, comment: &'static str, file: Vec<u8>) -> RecoveryVector {
        RecoveryVector { name, kind, expect, comment, file }
    }

    fn card_vectors() -> Vec<RecoveryVector> {
        let (holder, recovery, _) = keys();
        let rk = recovery.public_key().to_base64();
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let payload = |extra: &str| card_with(&holder, 3, extra);
        let valid = v3_card(&holder, &recovery).to_bytes();
        let as_v2 = String::from_utf8(card_with(&holder, 2, &format!(r#","recovery_key":"{rk}""#)))
            .unwrap()
            .replace("countersign/card/v2", "countersign/card/v3")
            .into_bytes();
        vec![
            v("card-v3-valid", "card", "valid", "A version-3 card naming the recovery key (RFC 8032 test 3's key).", valid),
            v("card-v3-missing-recovery-key", "card", "malformed", "Version 3 without recovery_key.", payload("")),
            v(
                "card-v3-recovery-key-is-the-signing-key",
                "card",
                "malformed",
                "recovery_key equals public_key.",
                payload(&format!(r#","recovery_key":"{}""#, holder.public_key().to_base64())),
            ),
            v(
                "card-v3-small-order-recovery-key",
                "card",
                "malformed",
                "recovery_key is the identity point (small order).",
                payload(&format!(r#","recovery_key":"{}""#, b64_encode(&identity))),
            ),
            v(
                "card-v3-unknown-member",
                "card",
                "malformed",
                "Validly signed version 3 with a member no version defines.",
                payload(&format!(r#","recovery_key":"{rk}","note":"x""#)),
            ),
            v(
                "card-v1-with-recovery-key",
                "card",
                "malformed",
                "Version 1 carrying recovery_key, which only version 3 has.",
                card_with(&holder, 1, &format!(r#","recovery_key":"{rk}""#)),
            ),
            v("card-v3-signed-as-v2", "card", "signature_invalid", "A v3 card whose signature was made over countersign/card/v2.", as_v2),
            v("card-v4", "card", "unsupported_version", "countersign/card/v4, a version no one defines yet.", valid_v4(&holder, &rk)),
        ]
    }

    fn valid_v4(holder: &KeyPair, rk: &str) -> Vec<u8> {
        String::from_utf8(card_with(holder, 3, &format!(r#","recovery_key":"{rk}""#)))
            .unwrap()
            .replace("countersign/card/v3", "countersign/card/v4")
            .into_bytes()
    }

    fn rotation_vectors() -> Vec<RecoveryVector> {
        let (old, recovery, new) = keys();
        let (rfp, ofp) = (recovery.fingerprint(), old.fingerprint());
        let card = v3_card(&new, &recovery).to_bytes();
        let kind = FileKind::RecoveryRotation;
        let id = "countersign/recovery-rotation/v1";
        let signed = |payload: &str| statement(kind, &recovery, rfp, id, payload);
        let valid = RecoveryRotation::create(&recovery, ofp, &PartnerCard::parse(&card).unwrap(), at("2026-11-23T09:00:00Z")).unwrap();
        let plain_card =
            PartnerCard::create(&new, CardDetails { name: "Globex Corporation".into(), ..Default::default() }, at("2026-11-20T08:00:00Z"));
        vec![
            v(
                "recovery-rotation-valid",
                "recovery-rotation",
                "valid",
                "The recovery key names the key of RFC 8032 test 2 in place of test 1's.",
                valid,
            ),
            v(
                "recovery-rotation-signed-by-the-old-key",
                "recovery-rotation",
                "unknown_signer",
                "Signed by the old signing key, which is not the recovery key.",
                statement(kind, &old, ofp, id, &rotation_payload(&ofp, &ofp, &card, "")),
            ),
            v(
                "recovery-rotation-wrong-key",
                "recovery-rotation",
                "signature_invalid",
                "Names the recovery key as signer, but the old key signed it.",
                statement(kind, &old, rfp, id, &rotation_payload(&rfp, &ofp, &card, "")),
            ),
            v(
                "recovery-rotation-signed-as-key-rotation",
                "recovery-rotation",
                "signature_invalid",
                "The recovery key signed it over countersign/key-rotation/v1.",
                statement(kind, &recovery, rfp, "countersign/key-rotation/v1", &rotation_payload(&rfp, &ofp, &card, "")),
            ),
            v(
                "recovery-rotation-unknown-member",
                "recovery-rotation",
                "malformed",
                "Validly signed, with a member the format does not define.",
                signed(&rotation_payload(&rfp, &ofp, &card, r#","note":"x""#)),
            ),
            v(
                "recovery-rotation-new-card-without-recovery-key",
                "recovery-rotation",
                "malformed",
                "The new card is version 1: it names no recovery key.",
                signed(&rotation_payload(&rfp, &ofp, &plain_card.unwrap().to_bytes(), "")),
            ),
            v(
                "recovery-rotation-recovery-key-member-not-the-signer",
                "recovery-rotation",
                "malformed",
                "recovery_key names the old key, not the signer.",
                signed(&rotation_payload(&ofp, &ofp, &card, "")),
            ),
        ]
    }

    fn revocation_vectors() -> Vec<RecoveryVector> {
        let (old, recovery, _) = keys();
        let (rfp, ofp) = (recovery.fingerprint(), old.fingerprint());
        let kind = FileKind::KeyRevocation;
        let id = "countersign/key-revocation/v1";
        let signed = |payload: &str| statement(kind, &recovery, rfp, id, payload);
        let valid = KeyRevocation::create(&recovery, ofp, "signing key stolen", at("2026-11-23T09:00:00Z")).unwrap();
        vec![
            v("key-revocation-valid", "key-revocation", "valid", "The recovery key revokes the signing key of RFC 8032 test 1.", valid),
            v(
                "key-revocation-signed-by-the-old-key",
                "key-revocation",
                "unknown_signer",
                "Signed by the signing key itself, which is not the recovery key.",
                statement(kind, &old, ofp, id, &revocation_payload(&ofp, &ofp, "")),
            ),
            v(
                "key-revocation-wrong-key",
                "key-revocation",
                "signature_invalid",
                "Names the recovery key as signer, but the old key signed it.",
                statement(kind, &old, rfp, id, &revocation_payload(&rfp, &ofp, "")),
            ),
            v(
                "key-revocation-signed-as-recovery-rotation",
                "key-revocation",
                "signature_invalid",
                "The recovery key signed it over countersign/recovery-rotation/v1.",
                statement(kind, &recovery, rfp, "countersign/recovery-rotation/v1", &revocation_payload(&rfp, &ofp, "")),
            ),
            v(
                "key-revocation-unknown-member",
                "key-revocation",
                "malformed",
                "Validly signed, with a member the format does not define.",
                signed(&revocation_payload(&rfp, &ofp, r#","note":"x""#)),
            ),
            v(
                "key-revocation-revokes-the-recovery-key",
                "key-revocation",
                "malformed",
                "revoked_key is the recovery key itself.",
                signed(&revocation_payload(&rfp, &rfp, "")),
            ),
        ]
    }

    pub(super) fn generate() -> Vec<RecoveryVector> {
        let mut all = card_vectors();
        all.extend(rotation_vectors());
        all.extend(revocation_vectors());
        all
    }

    /// What a valid file says, as headers.
    fn described(kind: &str, file: &[u8]) -> String {
        let recovery = key(OTHER_SEED).public_key();
        match kind {
            "card" => {
                let card = PartnerCard::parse(file).unwrap();
                format!("version: {}\nrecovery-key: {}\n", card.version(), card.recovery_key().unwrap().to_base64())
            }
            "recovery-rotation" => {
                let r = RecoveryRotation::verify(file, &recovery).unwrap();
                format!("old-key: {}\nnew-key: {}\n", r.old_key(), r.new_card().fingerprint())
            }
            _ => {
                let r = KeyRevocation::verify(file, &recovery).unwrap();
                format!("revoked-key: {}\nreason: {}\n", r.revoked_key(), r.reason())
            }
        }
    }

    pub(super) fn render(vector: &RecoveryVector) -> Vec<u8> {
        let mut head = format!("kind: {}\nexpect: {}\ncomment: {}\n", vector.kind, vector.expect, vector.comment);
        if vector.kind != "card" {
            head += &format!("recovery-public-key: {}\n", key(OTHER_SEED).public_key().to_base64());
        }
        if vector.expect == "valid" {
            head += &described(vector.kind, &vector.file);
        }
        head += "\n";
        let mut out = head.into_bytes();
        out.extend_from_slice(&vector.file);
        out
    }

    fn envelope_outcome(e: &EnvelopeError) -> &'static str {
        match e {
            EnvelopeError::UnsupportedVersion { .. } => "unsupported_version",
            _ => "malformed",
        }
    }

    fn statement_outcome(result: Result<(), RecoveryError>) -> &'static str {
        match result {
            Ok(()) => "valid",
            Err(RecoveryError::BadSignature) => "signature_invalid",
            Err(RecoveryError::Envelope(e)) => envelope_outcome(&e),
            Err(_) => "malformed",
        }
    }

    /// What this implementation makes of a vector's file, with the pinned recovery key `pinned`.
    pub(super) fn outcome(kind: &str, file: &[u8], pinned: Option<&str>) -> &'static str {
        let pinned = pinned.and_then(countersign_core::format::keys::PublicKey::from_base64);
        match kind {
            "card" => match PartnerCard::parse(file) {
                Ok(_) => "valid",
                Err(CardError::BadSignature) => "signature_invalid",
                Err(CardError::Envelope(e)) => envelope_outcome(&e),
                Err(_) => "malformed",
            },
            _ => {
                let file_kind = if kind == "recovery-rotation" { FileKind::RecoveryRotation } else { FileKind::KeyRevocation };
                let pinned = pinned.expect("a statement vector names the pinned recovery key");
                match claimed_signer(file, file_kind) {
                    Err(e) => statement_outcome(Err(e)),
                    Ok(signer) if signer != pinned.fingerprint() => "unknown_signer",
                    Ok(_) if file_kind == FileKind::RecoveryRotation => {
                        statement_outcome(RecoveryRotation::verify(file, &pinned).map(drop))
                    }
                    Ok(_) => statement_outcome(KeyRevocation::verify(file, &pinned).map(drop)),
                }
            }
        }
    }
}

#[test]
fn recovery_vector_files_match_the_generator_and_yield_what_they_expect() {
    let vectors = recovery_vectors::generate();
    files_match_the_generator("recovery", &vectors.iter().map(|v| (v.name, recovery_vectors::render(v))).collect::<Vec<_>>());
    for (path, headers, file) in vector_files("recovery") {
        let got = recovery_vectors::outcome(&headers["kind"], &file, headers.get("recovery-public-key").map(String::as_str));
        assert_eq!(got, headers["expect"], "{}", path.display());
    }
}
/// The freeze-notice vectors (docs/format.md §4.3): `tests/vectors/*.notice`, headers, a blank
/// line, the raw file. Headers: `expect` (`valid` or `rejected`), `codes`, `comment`, `kind`
/// (`freeze` or `lift`), the partner's keys (`signing-key` and optionally `recovery-key`: base64
/// public key, a space, its status) and, for a valid notice, what it says.
mod notices {
    use super::*;
    use countersign_core::bank::{Country, Iban};
    use countersign_core::format::freeze::{
        sign_freeze, sign_lift, verify_freeze, verify_lift, CandidateKey, ExceptedAccount, FreezeRequest, FreezeScope, KeyRole,
    };
    use countersign_core::registry::KeyStatus;

    /// When every notice was signed.
    const ISSUED: &str = "2026-12-04T09:00:00Z";

    struct Notice {
        name: &'static str,
        comment: &'static str,
        kind: &'static str,
        signing_status: KeyStatus,
        /// The recovery key's status; `None`: the partner has none.
        recovery_status: Option<KeyStatus>,
        file: Vec<u8>,
    }

    fn signing() -> KeyPair {
        key(SIGNER_SEED)
    }

    /// The partner's recovery key: RFC 8032 test 2.
    fn recovery() -> KeyPair {
        key(RECIPIENT_SEED)
    }

    fn request(scope: FreezeScope) -> FreezeRequest {
        FreezeRequest {
            id: "freeze-0001".into(),
            partner_key: signing().fingerprint(),
            scope,
            effective_from: parse_utc("2026-12-04T08:00:00Z").unwrap(),
            reason: "Our mail server was compromised".into(),
        }
    }

    fn freeze_payload(extra: &str, scope: &str) -> Vec<u8> {
        format!(
            r#"{{"id":"freeze-0001","partner_key":"{}","scope":{scope},"effective_from":"2026-12-04T08:00:00Z","reason":"Our mail server was compromised","issued_at":"{ISSUED}"{extra}}}"#,
            signing().fingerprint()
        )
        .into_bytes()
    }

    // Long: writes every notice vector in one pass, in the order docs/format.md lists them.
    fn generate() -> Vec<Notice> {
        let at = parse_utc(ISSUED).unwrap();
        let iban = ExceptedAccount::Iban(Iban::parse_electronic("DE89370400440532013000").unwrap());
        let local = ExceptedAccount::Local {
            account_number: "000123456789".into(),
            routing_code: "021000021".into(),
            country: Country::parse("US").unwrap(),
        };
        let good = sign_freeze(&signing(), &request(FreezeScope::All), at).unwrap();
        let signed_as = |kind: FileKind, key: &KeyPair, payload: Vec<u8>| Envelope::sign(kind, key, payload).to_bytes();
        let lift = |key: &KeyPair| {
            sign_lift(key, "lift-0001", "freeze-0001", signing().fingerprint(), "A new mail server is in place", at).unwrap()
        };
        let mut v = Vec::new();
        let mut add = |name, comment, kind, signing_status, recovery_status, file| {
            v.push(Notice { name, comment, kind, signing_status, recovery_status, file })
        };
        use KeyStatus::{Active, Retired, Revoked};
        add(
            "freeze-valid-all",
            "A freeze of every payment, signed by the partner's active signing key.",
            "freeze",
            Active,
            Some(Active),
            good.clone(),
        );
        add(
            "freeze-valid-all-but-iban",
            "Every payment but those to one IBAN, signed by the signing key.",
            "freeze",
            Active,
            None,
            sign_freeze(&signing(), &request(FreezeScope::AllBut(iban)), at).unwrap(),
        );
        add(
            "freeze-valid-by-recovery-key",
            "Every payment but those to one domestic account, signed by the recovery key on behalf of a revoked signing key.",
            "freeze",
            Revoked,
            Some(Active),
            sign_freeze(&recovery(), &request(FreezeScope::AllBut(local)), at).unwrap(),
        );
        add("freeze-retired-key", "Signed by a signing key that was retired by a rotation.", "freeze", Retired, None, good.clone());
        add(
            "freeze-revoked-recovery-key",
            "Signed by a recovery key that was revoked.",
            "freeze",
            Active,
            Some(Revoked),
            sign_freeze(&recovery(), &request(FreezeScope::All), at).unwrap(),
        );
        add(
            "freeze-unknown-signer",
            "Signed by a key that is none of the partner's (RFC 8032 test 3).",
            "freeze",
            Active,
            Some(Active),
            sign_freeze(&key(OTHER_SEED), &request(FreezeScope::All), at).unwrap(),
        );
        let text = String::from_utf8(good.clone()).unwrap();
        let payload_b64 = b64_encode(&freeze_payload("", r#""all""#));
        let changed = b64_encode(&freeze_payload("", r#""all""#).iter().map(|b| if *b == b'8' { b'7' } else { *b }).collect::<Vec<_>>());
        add(
            "freeze-signature-invalid",
            "Every digit 8 of the signed payload was changed to 7 after signing.",
            "freeze",
            Active,
            None,
            text.replace(&payload_b64, &changed).into_bytes(),
        );
        let as_lift = Envelope::from_parts(
            FileKind::FreezeNotice,
            signing().fingerprint(),
            freeze_payload("", r#""all""#),
            *Envelope::sign(FileKind::FreezeLift, &signing(), freeze_payload("", r#""all""#)).signature(),
        );
        add(
            "freeze-signed-as-lift",
            "A freeze whose signature was made over the lift's identifier.",
            "freeze",
            Active,
            None,
            as_lift.to_bytes(),
        );
        add(
            "freeze-except-with-all",
            "Validly signed; scope all with an except member.",
            "freeze",
            Active,
            None,
            signed_as(FileKind::FreezeNotice, &signing(), freeze_payload(r#","except":{"iban":"DE89370400440532013000"}"#, r#""all""#)),
        );
        add(
            "freeze-except-with-bic",
            "Validly signed; the except account carries a BIC.",
            "freeze",
            Active,
            None,
            signed_as(
                FileKind::FreezeNotice,
                &signing(),
                freeze_payload(r#","except":{"iban":"DE89370400440532013000","bic":"COBADEFFXXX"}"#, r#""all_but""#),
            ),
        );
        add(
            "freeze-unknown-member",
            "Validly signed; a member the format does not define.",
            "freeze",
            Active,
            None,
            signed_as(FileKind::FreezeNotice, &signing(), freeze_payload(r#","note":"call us""#, r#""all""#)),
        );
        add(
            "freeze-partner-key-not-signer",
            "Validly signed by the signing key, but partner_key names another key.",
            "freeze",
            Active,
            None,
            signed_as(
                FileKind::FreezeNotice,
                &signing(),
                String::from_utf8(freeze_payload("", r#""all""#))
                    .unwrap()
                    .replace(&signing().fingerprint().to_string(), &key(OTHER_SEED).fingerprint().to_string())
                    .into_bytes(),
            ),
        );
        add(
            "freeze-unsupported-version",
            "countersign/freeze-notice/v2.",
            "freeze",
            Active,
            None,
            text.replace("countersign/freeze-notice/v1", "countersign/freeze-notice/v2").into_bytes(),
        );
        add("lift-valid", "A lift of freeze-0001 signed by the partner's recovery key.", "lift", Active, Some(Active), lift(&recovery()));
        add(
            "lift-by-signing-key",
            "A lift signed by the signing key: only the recovery key lifts.",
            "lift",
            Active,
            Some(Active),
            lift(&signing()),
        );
        add("lift-no-recovery-key", "A lift from a partner that has no recovery key.", "lift", Active, None, lift(&recovery()));
        v
    }

    fn candidates(n: &Notice) -> Vec<CandidateKey> {
        let mut keys = vec![CandidateKey { public_key: signing().public_key(), role: KeyRole::Signing, status: n.signing_status }];
        if let Some(status) = n.recovery_status {
            keys.push(CandidateKey { public_key: recovery().public_key(), role: KeyRole::Recovery, status });
        }
        keys
    }

    /// The outcome: `valid` with what the notice says, or `rejected` with its code.
    fn outcome(kind: &str, file: &[u8], keys: &[CandidateKey]) -> (String, String, String) {
        let said = |pairs: Vec<(&str, String)>| pairs.iter().map(|(k, v)| format!("{k}: {v}\n")).collect::<String>();
        match kind {
            "freeze" => match verify_freeze(file, keys) {
                Ok(n) => {
                    let scope = match &n.scope {
                        FreezeScope::All => "all".to_string(),
                        FreezeScope::AllBut(a) => format!("all_but {}", a.key()),
                    };
                    let lines = vec![
                        ("id", n.id),
                        ("scope", scope),
                        ("effective-from", countersign_core::encoding::format_utc(n.effective_from)),
                        ("signed-by", n.signed_by.as_str().into()),
                    ];
                    ("valid".into(), String::new(), said(lines))
                }
                Err(e) => ("rejected".into(), e.code().as_str().into(), String::new()),
            },
            _ => match verify_lift(file, keys) {
                Ok(l) => ("valid".into(), String::new(), said(vec![("id", l.id), ("freeze-id", l.freeze_id)])),
                Err(e) => ("rejected".into(), e.code().as_str().into(), String::new()),
            },
        }
    }

    fn status_text(status: KeyStatus) -> &'static str {
        status.as_str()
    }

    fn render(n: &Notice) -> Vec<u8> {
        let (expect, codes, said) = outcome(n.kind, &n.file, &candidates(n));
        let mut headers = format!(
            "expect: {expect}\ncodes: {codes}\ncomment: {}\nkind: {}\nsigning-key: {} {}\n",
            n.comment,
            n.kind,
            signing().public_key().to_base64(),
            status_text(n.signing_status)
        );
        if let Some(status) = n.recovery_status {
            headers += &format!("recovery-key: {} {}\n", recovery().public_key().to_base64(), status_text(status));
        }
        headers += &said;
        let mut out = headers.into_bytes();
        out.push(b'\n');
        out.extend_from_slice(&n.file);
        out
    }

    #[test]
    fn notice_files_match_the_generator() {
        files_match_the_generator("notice", &generate().iter().map(|n| (n.name, render(n))).collect::<Vec<_>>());
    }

    /// Each file, read back with the keys its headers give, yields the outcome its headers say;
    /// every refusal class of §4.3 has a vector.
    #[test]
    fn every_notice_yields_its_expected_outcome() {
        let mut codes_seen = std::collections::BTreeSet::new();
        for (path, headers, file) in vector_files("notice") {
            let key_of = |header: &str, role| {
                headers.get(header).map(|v| {
                    let (pk, status) = v.split_once(' ').unwrap();
                    let public_key = countersign_core::format::keys::PublicKey::from_base64(pk).unwrap();
                    CandidateKey { public_key, role, status: KeyStatus::parse(status).unwrap() }
                })
            };
            let keys: Vec<CandidateKey> =
                [key_of("signing-key", KeyRole::Signing), key_of("recovery-key", KeyRole::Recovery)].into_iter().flatten().collect();
            let (expect, codes, _) = outcome(&headers["kind"], &file, &keys);
            assert_eq!((expect.as_str(), codes.as_str()), (headers["expect"].as_str(), headers["codes"].as_str()), "{}", path.display());
            codes_seen.insert(codes);
        }
        for code in ["", "key_revoked", "unknown_signer", "signature_invalid", "malformed_file", "unsupported_version"] {
            assert!(codes_seen.contains(code), "no notice vector for {code:?}");
        }
    }
}
