//! CLI tests of the partner commands, which need no workspace: `keygen`, `fingerprint`, `sign`,
//! `respond` and `verify --signer` (CONTRACT.md, issue 2).
//!
//! Behaviour is asserted through exit codes, the `--json` documents and the files on disk. Every
//! command runs in a fresh directory with a clean environment and no terminal (see `util`), and
//! a failing assertion prints the command, its output and the directory listing.

mod util;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use countersign_core::encoding::format_utc;
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::instruction::Details;
use countersign_core::format::keys::SecretKeyFile;

use util::{default_details, KeyFiles, TestDir, KEY_PASSPHRASE, PASSPHRASE};

/// Exit codes of CONTRACT.md.
const OK: i32 = 0;
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

/// Two partners: Globex (who signs) and Acme (the recipient).
fn partners(dir: &TestDir) -> (KeyFiles, KeyFiles) {
    (dir.keygen("Globex Corporation", "globex"), dir.keygen("Acme GmbH", "acme"))
}

/// `countersign --json verify --signer CARD FILE`.
fn verify(dir: &TestDir, card: &str, file: &str) -> util::Output {
    dir.countersign(&["--json", "verify", "--signer", card, file]).run()
}

/// Six groups of five digits separated by single spaces.
fn is_fingerprint(text: &str) -> bool {
    let groups: Vec<&str> = text.split(' ').collect();
    groups.len() == 6 && groups.iter().all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Four digits, a space, four digits.
fn is_response(text: &str) -> bool {
    let groups: Vec<&str> = text.split(' ').collect();
    groups.len() == 2 && groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()))
}

fn b64_decode(value: &Value) -> Vec<u8> {
    STANDARD.decode(value.as_str().expect("a base64 string")).expect("valid base64")
}

fn b64_encode(bytes: &[u8]) -> Value {
    Value::String(STANDARD.encode(bytes))
}

/// Every string in a JSON document, with the key it is under.
fn strings<'a>(value: &'a Value, key: &'a str, out: &mut Vec<(&'a str, &'a str)>) {
    match value {
        Value::String(s) => out.push((key, s)),
        Value::Array(items) => items.iter().for_each(|v| strings(v, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| strings(v, k, out)),
        _ => {}
    }
}

/// Signs `details` with the library, as if at `now`, bypassing the checks of `sign`; for files
/// `sign` rightly refuses to make (already expired, not valid yet).
fn sign_with_library(dir: &TestDir, from: &KeyFiles, to: &KeyFiles, details: Value, now: OffsetDateTime, out: &str) {
    let key_file = SecretKeyFile::from_bytes(&dir.read(&from.key)).expect("keygen wrote a valid key file");
    let pair = key_file.unlock(PASSPHRASE).expect("the helpers' passphrase unlocks it");
    let recipient = Fingerprint::parse_canonical(&to.fingerprint).expect("keygen printed a canonical fingerprint");
    let details = Details::from_json(details.to_string().as_bytes()).expect("valid details");
    let instruction = details
        .to_instruction(format!("library-{}", now.unix_timestamp()), pair.fingerprint(), recipient, now)
        .expect("the details make an instruction");
    let envelope = Envelope::sign(FileKind::Instruction, &pair, instruction.to_payload_bytes());
    dir.write(out, envelope.to_bytes());
}

// ---------------------------------------------------------------------------------------------
// keygen

#[test]
fn keygen_writes_a_key_and_a_card_and_prints_the_fingerprint() {
    let dir = TestDir::new();
    let out = dir
        .countersign(&["keygen", "--name", "Globex Corporation", "--out", "globex", "--country", "DE", "--domain", "globex.com"])
        .passphrase()
        .run()
        .assert_code(OK);
    out.ensure(dir.exists("globex.key") && dir.exists("globex.card"), "expected globex.key and globex.card");
    let printed = out.stdout();
    let fingerprint =
        printed.lines().find_map(|l| l.strip_prefix("Fingerprint: ")).unwrap_or_else(|| out.fail("expected a line `Fingerprint: …`"));
    out.ensure(is_fingerprint(fingerprint), "expected six groups of five digits");
    out.ensure(printed.contains("globex.key") && printed.contains("globex.card"), "expected both files named");
    out.ensure(!printed.contains(PASSPHRASE) && !out.stderr().contains(PASSPHRASE), "the passphrase was printed");
}

#[test]
fn keygen_json_prints_the_fingerprint_in_six_groups_of_five_digits() {
    let dir = TestDir::new();
    let out = dir.countersign(&["--json", "keygen", "--name", "Globex Corporation", "--out", "globex"]).passphrase().run();
    let out = out.assert_code(OK);
    let fingerprint = out.json_str("fingerprint");
    out.ensure(is_fingerprint(&fingerprint), "expected six groups of five digits");
}

#[test]
fn keygen_key_file_is_private_and_holds_no_plain_secret() {
    let dir = TestDir::new();
    let globex = dir.keygen("Globex Corporation", "globex");
    let text = dir.read_string(&globex.key);
    let key = dir.read_json(&globex.key);
    assert!(!text.contains(PASSPHRASE), "the passphrase is in the key file:\n{text}");
    // The sealed seed: 32 bytes plus a 16-byte AEAD tag.
    assert_eq!(b64_decode(&key["ciphertext"]).len(), 48, "{text}");
    // No other value is 32 bytes (a plain seed) in base64 or hex; only the public key is.
    let mut all = Vec::new();
    strings(&key, "", &mut all);
    for (field, value) in all {
        if field == "public_key" {
            continue;
        }
        let as_b64 = STANDARD.decode(value).map(|b| b.len()).unwrap_or(0);
        let as_hex = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
        assert!(as_b64 != 32 && !as_hex, "field {field:?} looks like a 32-byte secret: {value}\n{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(&globex.key)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "BASE.key must be readable by its owner only\n{}", dir.listing());
    }
    // And it is a real key: the passphrase unlocks it, another does not.
    let file = SecretKeyFile::from_bytes(text.as_bytes()).unwrap();
    assert_eq!(file.unlock(PASSPHRASE).unwrap().fingerprint().to_string(), globex.fingerprint);
    assert!(file.unlock("not the passphrase at all").is_err());
}

#[test]
fn keygen_refuses_to_overwrite_a_key_or_a_card() {
    let dir = TestDir::new();
    dir.keygen("Globex Corporation", "globex");
    let key_before = dir.read("globex.key");
    let card_before = dir.read("globex.card");
    let out = dir.countersign(&["keygen", "--name", "Someone Else", "--out", "globex"]).passphrase().run();
    out.assert_code(USAGE).assert_stderr_contains("globex.key");
    assert_eq!(dir.read("globex.key"), key_before, "the key was overwritten");
    assert_eq!(dir.read("globex.card"), card_before, "the card was overwritten");

    // Only the card exists: still refused, and no key is written next to it.
    dir.write("acme.card", "an existing card");
    let out = dir.countersign(&["keygen", "--name", "Acme GmbH", "--out", "acme"]).passphrase().run();
    let out = out.assert_code(USAGE).assert_stderr_contains("acme.card");
    out.ensure(!dir.exists("acme.key"), "a key was written although the card exists");
    assert_eq!(dir.read("acme.card"), b"an existing card");
}

#[test]
fn keygen_refuses_a_passphrase_shorter_than_ten_characters() {
    let dir = TestDir::new();
    let out = dir.countersign(&["keygen", "--name", "Globex Corporation", "--out", "globex"]).env(KEY_PASSPHRASE, "123456789").run();
    let out = out.assert_code(USAGE).assert_stderr_contains("10");
    out.ensure(!dir.exists("globex.key") && !dir.exists("globex.card"), "files were written for a weak passphrase");
    // Ten characters are enough.
    dir.countersign(&["keygen", "--name", "Globex Corporation", "--out", "globex"]).env(KEY_PASSPHRASE, "1234567890").run().assert_code(OK);
}

#[test]
fn keygen_without_passphrase_variable_or_terminal_names_the_variable() {
    let dir = TestDir::new();
    let out = dir.countersign(&["keygen", "--name", "Globex Corporation", "--out", "globex"]).run();
    let out = out.assert_code(USAGE).assert_stderr_contains("COUNTERSIGN_KEY_PASSPHRASE");
    out.ensure(!dir.exists("globex.key") && !dir.exists("globex.card"), "files were written without a passphrase");
}

#[test]
fn keygen_refuses_an_invalid_country_or_domain() {
    let dir = TestDir::new();
    for bad in [&["--country", "XX"][..], &["--country", "DEU"], &["--domain", "not a domain"], &["--domain", "-globex.com"]] {
        let mut cmd = dir.countersign(&["keygen", "--name", "Globex Corporation", "--out", "globex"]);
        let out = cmd.args(bad).passphrase().run().assert_code(USAGE);
        out.ensure(!out.stderr().trim().is_empty(), "expected an error message");
        out.ensure(dir.entries(".") == ["home"], "files were written for an invalid argument");
    }
}

// ---------------------------------------------------------------------------------------------
// fingerprint

#[test]
fn fingerprint_of_card_key_and_signed_instruction_agree() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let signed = dir.sign_default(&globex, &acme, "instr.csi");
    for (file, kind) in [(&globex.card, "card"), (&globex.key, "key"), (&signed.file, "instruction")] {
        // No passphrase is given: reading a key file's fingerprint needs none.
        let out = dir.countersign(&["--json", "fingerprint", file]).run().assert_code(OK);
        let json = out.json();
        out.ensure(json["fingerprint"] == globex.fingerprint.as_str(), "expected the fingerprint keygen printed");
        out.ensure(json["kind"] == kind, &format!("expected kind {kind:?}"));
    }
    // The human form starts with the fingerprint.
    let out = dir.countersign(&["fingerprint", &globex.card]).run().assert_code(OK);
    out.ensure(out.stdout().starts_with(&globex.fingerprint), "expected the fingerprint first");
}

#[test]
fn fingerprint_of_a_key_file_needs_no_passphrase() {
    let dir = TestDir::new();
    let globex = dir.keygen("Globex Corporation", "globex");
    let out = dir.countersign(&["fingerprint", &globex.key]).run().assert_code(OK);
    out.assert_stdout_contains(&globex.fingerprint);
}

#[test]
fn fingerprint_writes_qr_codes_as_svg_and_png() {
    let dir = TestDir::new();
    let globex = dir.keygen("Globex Corporation", "globex");
    dir.countersign(&["fingerprint", &globex.card, "--qr-out", "globex.svg"]).run().assert_code(OK);
    let svg = dir.read_string("globex.svg");
    assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");

    let out = dir.countersign(&["--json", "fingerprint", &globex.key, "--qr-out", "globex.png"]).run().assert_code(OK);
    out.ensure(out.json()["fingerprint"] == globex.fingerprint.as_str(), "expected the fingerprint");
    let png = dir.read("globex.png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG magic bytes");
    // It decodes, is square and has both dark and light modules.
    let mut reader = png::Decoder::new(std::io::Cursor::new(&png)).read_info().expect("a decodable PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("a decodable PNG frame");
    assert_eq!(info.width, info.height);
    assert!(info.width >= 21, "smaller than the smallest QR code");
    let pixels = &pixels[..info.buffer_size()];
    assert!(pixels.contains(&0) && pixels.contains(&255), "expected black and white pixels");
}

#[test]
fn fingerprint_refuses_a_qr_file_that_is_not_svg_or_png() {
    let dir = TestDir::new();
    let globex = dir.keygen("Globex Corporation", "globex");
    let out = dir.countersign(&["fingerprint", &globex.card, "--qr-out", "globex.txt"]).run();
    let out = out.assert_code(USAGE).assert_stderr_contains(".svg");
    out.ensure(!dir.exists("globex.txt"), "a .txt file was written");
}

#[test]
fn fingerprint_of_a_missing_file_exits_2() {
    let dir = TestDir::new();
    dir.countersign(&["fingerprint", "nowhere.card"]).run().assert_code(USAGE).assert_stderr_contains("nowhere.card");
}

#[test]
fn fingerprint_of_a_file_that_is_no_card_key_or_instruction_exits_2() {
    let dir = TestDir::new();
    let globex = dir.keygen("Globex Corporation", "globex");
    // A card whose signed name was changed: its self-signature no longer verifies.
    let mut card = dir.read_json(&globex.card);
    let payload = String::from_utf8(b64_decode(&card["payload"])).unwrap().replace("Globex", "Globax");
    card["payload"] = b64_encode(payload.as_bytes());
    dir.write("altered.card", serde_json::to_vec_pretty(&card).unwrap());
    dir.write("garbage.txt", "this is not a card\n");
    dir.write("empty.card", "");
    dir.write("binary.card", [0xff, 0xfe, 0x00, 0x01]);
    dir.write("object.json", "{}");
    dir.write("fake.card", r#"{"format":"countersign/card/v1","hello":"world"}"#);
    for file in ["altered.card", "garbage.txt", "empty.card", "binary.card", "object.json", "fake.card"] {
        let out = dir.countersign(&["--json", "fingerprint", file]).run().assert_code(USAGE);
        out.ensure(out.stderr().contains(file), "expected the error to name the file");
        let error = &out.json()["error"];
        out.ensure(error["code"].is_string() && error["message"].is_string(), "expected {\"error\": {code, message}}");
    }
}

// ---------------------------------------------------------------------------------------------
// sign

#[test]
fn sign_prints_code_and_id_and_the_file_verifies_with_the_signers_card() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let signed = dir.sign_default(&globex, &acme, "instr.csi");
    let code = &signed.confirmation_code;
    assert!(code.len() >= 14 && code.chars().all(|c| c.is_ascii_digit() || c == ' '), "confirmation code {code:?}");
    assert!(!signed.id.is_empty(), "{}", signed.json);

    let out = verify(&dir, &globex.card, "instr.csi").assert_verdict(OK, "accepted", None);
    let json = out.json();
    out.ensure(json["confirmation_code"] == code.as_str(), "verify and sign disagree on the confirmation code");
    out.ensure(json["instruction"]["id"] == signed.id.as_str(), "verify and sign disagree on the id");
    out.ensure(json["partner"]["name"] == "Globex Corporation", "expected partner.name from the card");
    out.ensure(json["instruction"]["account"]["iban"] == "DE89370400440532013000", "expected the IBAN in electronic form");
}

#[test]
fn sign_keeps_a_byte_identical_copy_in_the_outbox_beside_the_key() {
    let dir = TestDir::new();
    dir.mkdir("keys");
    let globex = dir.keygen("Globex Corporation", "keys/globex");
    let acme = dir.keygen("Acme GmbH", "acme");
    let signed = dir.sign_default(&globex, &acme, "instr.csi");
    let copy = format!("keys/outbox/{}.csi", signed.id);
    assert!(dir.exists(&copy), "expected {copy}\n{}", dir.listing());
    assert_eq!(dir.read(&copy), dir.read("instr.csi"), "the outbox copy differs from the signed file");
    assert!(!dir.exists("outbox"), "the outbox must be beside the key, not in the current directory\n{}", dir.listing());
    assert_eq!(signed.json["outbox"], copy.as_str());
}

#[test]
fn sign_with_a_wrong_passphrase_exits_4_and_writes_nothing() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.write_details("DETAILS.json", &default_details());
    let mut cmd = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi");
    let out = cmd.env(KEY_PASSPHRASE, "not the right passphrase").run().assert_code(NOT_PERMITTED);
    out.ensure(out.stderr().contains("globex.key"), "expected the error to name the key file");
    out.ensure(!dir.exists("instr.csi") && dir.entries("outbox").is_empty(), "a file was written");
}

#[test]
fn sign_without_passphrase_variable_or_terminal_exits_2_naming_the_variable() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.write_details("DETAILS.json", &default_details());
    let out = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi").run();
    let out = out.assert_code(USAGE).assert_stderr_contains("COUNTERSIGN_KEY_PASSPHRASE");
    out.ensure(!dir.exists("instr.csi"), "a file was written");
}

#[test]
fn sign_refuses_invalid_bank_details_naming_the_field_and_writes_nothing() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let cases = [
        ("iban", json!("DE00 3704 0044 0532 0130 00")),
        ("iban", json!("DE89 3704 0044")),
        ("bic", json!("COBADEF")),
        ("bic", json!("COBAZZFFXXX")),
        ("currency", json!("EURO")),
        ("currency", json!("XYZ")),
        ("amount", json!("12,50")),
        ("amount", json!("-5")),
        ("amount", json!("1.234")),
        ("amount", json!("0")),
    ];
    for (field, value) in cases {
        let mut details = default_details();
        details[field] = value.clone();
        dir.write_details("DETAILS.json", &details);
        let out = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi").passphrase().run();
        let out = out.assert_code(USAGE);
        let message = out.stderr().to_lowercase();
        out.ensure(message.contains(field), &format!("{field} = {value}: expected the message to name `{field}`"));
        out.ensure(message.contains("details.json"), "expected the message to name the details file");
        out.ensure(!dir.exists("instr.csi") && dir.entries("outbox").is_empty(), &format!("{field} = {value}: a file was written"));
    }
}

#[test]
fn sign_refuses_an_unknown_field_in_details() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let mut details = default_details();
    details["colour"] = json!("red");
    dir.write_details("DETAILS.json", &details);
    let out = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi").passphrase().run();
    let out = out.assert_code(USAGE).assert_stderr_contains("colour");
    out.ensure(!dir.exists("instr.csi"), "a file was written");
}

#[test]
fn sign_refuses_a_missing_details_file() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let out = dir.sign_cmd(&globex, &acme, "NOWHERE.json", "instr.csi").passphrase().run();
    let out = out.assert_code(USAGE).assert_stderr_contains("NOWHERE.json");
    out.ensure(!dir.exists("instr.csi"), "a file was written");
}

#[test]
fn sign_refuses_to_overwrite_out_unless_forced() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let first = dir.sign_default(&globex, &acme, "instr.csi");
    let before = dir.read("instr.csi");

    let out = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi").passphrase().run();
    let out = out.assert_code(USAGE).assert_stderr_contains("instr.csi");
    out.ensure(dir.read("instr.csi") == before, "instr.csi was overwritten without --force");
    out.ensure(dir.entries("outbox").len() == 1, "a refused signing left a copy in the outbox");

    let mut cmd = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi");
    let out = cmd.arg("--force").passphrase().run().assert_code(OK);
    let second_id = out.json_str("id");
    out.ensure(second_id != first.id && dir.read("instr.csi") != before, "--force did not replace the file");
    out.ensure(dir.entries("outbox").len() == 2, "expected both signed files in the outbox");
    let check = verify(&dir, &globex.card, "instr.csi").assert_verdict(OK, "accepted", None);
    check.ensure(check.json()["instruction"]["id"] == second_id.as_str(), "expected the new file");
}

#[test]
fn sign_refuses_a_validity_window_that_has_already_ended() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let windows = [
        json!({ "valid_until": "2020-01-20T00:00:00Z" }),
        json!({ "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2020-01-20T00:00:00Z" }),
        json!({ "valid_from": "2020-01-01T00:00:00+01:00", "valid_until": "2020-01-20T00:00:00+01:00" }),
    ];
    for window in windows {
        let mut details = default_details();
        details.as_object_mut().unwrap().extend(window.as_object().unwrap().clone());
        dir.write_details("DETAILS.json", &details);
        let out = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi").passphrase().run();
        let out = out.assert_code(USAGE).assert_stderr_contains("valid_until");
        out.ensure(!dir.exists("instr.csi"), &format!("{window}: a file was written"));
    }
}

#[test]
fn sign_accepts_a_local_account_with_routing_code_and_country() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let details = json!({
        "beneficiary_name": "Globex Inc.",
        "account_number": "123456789",
        "routing_code": "021000021",
        "country": "US",
        "bic": "CHASUS33",
        "currency": "USD",
        "amount": "10.5"
    });
    dir.write_details("DETAILS.json", &details);
    let signed = dir.sign(&globex, &acme, "DETAILS.json", "instr.csi");
    let out = verify(&dir, &globex.card, "instr.csi").assert_verdict(OK, "accepted", None);
    let json = out.json();
    out.ensure(json["confirmation_code"] == signed.confirmation_code.as_str(), "codes differ");
    let expected = json!({ "account_number": "123456789", "routing_code": "021000021", "country": "US", "bic": "CHASUS33" });
    out.ensure(json["instruction"]["account"] == expected, "expected the local account as signed");
    out.ensure(json["instruction"]["amount"] == "10.50" && json["instruction"]["currency"] == "USD", "expected 10.50 USD");
}

#[test]
fn sign_warns_of_an_iban_bic_country_mismatch_and_verify_holds() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let mut details = default_details();
    details["bic"] = json!("BNPAFRPPXXX");
    dir.write_details("DETAILS.json", &details);
    let out = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi").passphrase().run().assert_code(OK);
    out.ensure(out.stderr().to_lowercase().contains("warning"), "expected a warning on stderr");
    out.json(); // and still exactly one JSON document on stdout
    let out = verify(&dir, &globex.card, "instr.csi").assert_verdict(HOLD, "hold", Some("iban_bic_country_mismatch"));
    let finding = &out.json()["findings"][0];
    out.ensure(finding["severity"] == "warning", "expected a warning, not a critical finding");
    out.ensure(out.json()["confirmation_code"].is_string(), "a valid signature has a confirmation code");
}

// ---------------------------------------------------------------------------------------------
// verify --signer

/// Runs `verify` on `envelope` (written as `tampered.csi`) and requires exit 1 with exactly the
/// finding `code`; `what` says what was changed, for the failure message.
fn expect_rejected(dir: &TestDir, card: &str, envelope: &Value, codes: &[&str], what: &str) {
    dir.write("tampered.csi", serde_json::to_vec_pretty(envelope).unwrap());
    let out = verify(dir, card, "tampered.csi");
    let found = if out.code() == FAILED { out.finding_codes() } else { Vec::new() };
    let ok = out.code() == FAILED
        && out.json()["verdict"] == "rejected"
        && found.len() == 1
        && codes.contains(&found[0].as_str())
        && out.json()["confirmation_code"].is_null();
    out.ensure(ok, &format!("{what}: expected exit 1, verdict rejected, one finding of {codes:?} and no confirmation code"));
}

#[test]
fn verify_rejects_a_change_of_any_single_payload_byte() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let original = dir.read_json("instr.csi");
    let payload = b64_decode(&original["payload"]);
    for i in 0..payload.len() {
        for mask in [0x01u8, 0x80] {
            let mut changed = payload.clone();
            changed[i] ^= mask;
            let mut envelope = original.clone();
            envelope["payload"] = b64_encode(&changed);
            let what = format!("payload byte {i} of {} changed from {:#04x} to {:#04x}", payload.len(), payload[i], changed[i]);
            expect_rejected(&dir, &globex.card, &envelope, &["signature_invalid"], &what);
        }
    }
}

#[test]
fn verify_rejects_a_change_of_any_single_signature_byte() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let original = dir.read_json("instr.csi");
    let signature = b64_decode(&original["signature"]);
    assert_eq!(signature.len(), 64);
    for i in 0..signature.len() {
        for mask in [0x01u8, 0x80] {
            let mut changed = signature.clone();
            changed[i] ^= mask;
            let mut envelope = original.clone();
            envelope["signature"] = b64_encode(&changed);
            let what = format!("signature byte {i} changed from {:#04x} to {:#04x}", signature[i], changed[i]);
            expect_rejected(&dir, &globex.card, &envelope, &["signature_invalid"], &what);
        }
    }
}

#[test]
fn verify_rejects_a_file_whose_signer_was_replaced() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let mut envelope = dir.read_json("instr.csi");
    envelope["signer"] = json!(acme.fingerprint);
    // Against the real signer's card, the named key is not that card's.
    expect_rejected(&dir, &globex.card, &envelope, &["signature_invalid", "unknown_signer"], "signer replaced, real signer's card");
    // Against the card of the key it now names, the signature does not verify.
    expect_rejected(&dir, &acme.card, &envelope, &["signature_invalid"], "signer replaced, named signer's card");
}

#[test]
fn verify_against_another_partners_card_is_unknown_signer() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let initech = dir.keygen("Initech LLC", "initech");
    for card in [&acme.card, &initech.card] {
        verify(&dir, card, "instr.csi").assert_verdict(FAILED, "rejected", Some("unknown_signer"));
    }
}

#[test]
fn verify_rejects_a_truncated_file_as_malformed() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let bytes = dir.read("instr.csi");
    // The file ends in "}\n": cutting the newline alone leaves a complete file, so cut at least two.
    for len in [0, 1, 2, 10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 40, bytes.len() - 2] {
        dir.write("truncated.csi", &bytes[..len]);
        let out = verify(&dir, &globex.card, "truncated.csi");
        out.ensure(
            out.code() == FAILED && out.finding_codes() == ["malformed_file"],
            &format!("cut to {len} of {} bytes: expected exit 1 with malformed_file", bytes.len()),
        );
    }
}

#[test]
fn verify_rejects_a_file_larger_than_64_kib() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let bytes = dir.read("instr.csi");
    // A valid file padded with trailing whitespace to exactly 64 KiB is still accepted …
    let mut padded = bytes.clone();
    padded.resize(64 * 1024, b' ');
    dir.write("limit.csi", &padded);
    verify(&dir, &globex.card, "limit.csi").assert_verdict(OK, "accepted", None);
    // … one byte more is too large, as is anything bigger, whatever it holds.
    padded.push(b' ');
    dir.write("over.csi", &padded);
    verify(&dir, &globex.card, "over.csi").assert_verdict(FAILED, "rejected", Some("file_too_large"));
    dir.write("huge.csi", vec![b'x'; 1024 * 1024]);
    let out = verify(&dir, &globex.card, "huge.csi").assert_verdict(FAILED, "rejected", Some("file_too_large"));
    out.ensure(out.finding_codes().len() == 1, "expected only file_too_large");
}

#[test]
fn verify_rejects_an_unsupported_format_version() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let mut envelope = dir.read_json("instr.csi");
    envelope["format"] = json!("countersign/instruction/v3");
    expect_rejected(&dir, &globex.card, &envelope, &["unsupported_version"], "format v3 (v2 is known since issue 15)");
}

#[test]
fn verify_with_signer_does_not_check_the_recipient() {
    // Globex signs for Initech; whoever checks it against Globex's card sees it accepted. Only
    // a workspace knows who "we" are and can report wrong_recipient.
    let dir = TestDir::new();
    let globex = dir.keygen("Globex Corporation", "globex");
    let initech = dir.keygen("Initech LLC", "initech");
    dir.write_details("DETAILS.json", &default_details());
    dir.sign(&globex, &initech, "DETAILS.json", "for-initech.csi");
    let out = verify(&dir, &globex.card, "for-initech.csi").assert_verdict(OK, "accepted", None);
    out.ensure(out.json()["instruction"]["recipient"] == initech.fingerprint.as_str(), "expected Initech as recipient");
}

#[test]
fn verify_json_is_one_document_with_the_contract_fields() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let signed = dir.sign_default(&globex, &acme, "instr.csi");

    // Accepted: `json()` parses the whole of stdout, so anything else printed there fails.
    let out = verify(&dir, &globex.card, "instr.csi").assert_code(OK);
    let json = out.json();
    out.ensure(json["verdict"] == "accepted", "verdict");
    out.ensure(json["findings"] == json!([]), "findings is an empty array");
    out.ensure(json["confirmation_code"] == signed.confirmation_code.as_str(), "confirmation_code");
    out.ensure(json["partner"]["name"] == "Globex Corporation", "partner.name");
    out.ensure(json["partner"].get("id").is_some(), "partner.id (null without a workspace)");

    // Rejected: every finding has a code, a known severity and a message.
    let out = verify(&dir, &acme.card, "instr.csi").assert_code(FAILED);
    let json = out.json();
    out.ensure(json["verdict"] == "rejected", "verdict");
    for finding in json["findings"].as_array().unwrap_or_else(|| out.fail("findings is not an array")) {
        let severity_ok = ["info", "warning", "critical"].iter().any(|s| finding["severity"] == *s);
        let message_ok = finding["message"].as_str().is_some_and(|m| !m.is_empty());
        out.ensure(finding["code"].is_string() && severity_ok && message_ok, &format!("finding {finding}"));
    }
    out.ensure(json["confirmation_code"].is_null(), "no confirmation code without a valid signature");
}

#[test]
fn verify_human_output_shows_verdict_code_payee_and_findings() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let signed = dir.sign_default(&globex, &acme, "instr.csi");
    let out = dir.countersign(&["verify", "--signer", &globex.card, "instr.csi"]).run().assert_code(OK);
    let text = out.stdout();
    out.ensure(text.to_lowercase().contains("accepted"), "expected the verdict");
    out.ensure(text.contains(&signed.confirmation_code), "expected the confirmation code");
    out.ensure(text.contains("Globex Corporation") && text.contains("1250.00 EUR"), "expected payee and amount");
    let out = dir.countersign(&["verify", "--signer", &acme.card, "instr.csi"]).run().assert_code(FAILED);
    out.ensure(
        out.stdout().to_lowercase().contains("rejected") && out.stdout().contains("unknown_signer"),
        "expected verdict and reason code",
    );
}

#[test]
fn verify_without_signer_and_without_workspace_exits_2() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let out = dir.countersign(&["verify", "instr.csi"]).run().assert_code(USAGE);
    out.ensure(out.stderr().contains("--signer"), "expected a hint to give --signer");
    let out = dir.countersign(&["--json", "verify", "instr.csi"]).run().assert_code(USAGE);
    let error = &out.json()["error"];
    out.ensure(error["code"].is_string() && error["message"].is_string(), "expected {\"error\": {code, message}}");
}

#[test]
fn verify_with_signer_refuses_email_evidence() {
    // --email needs a workspace's registered domains; with --signer there are none.
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    dir.write("msg.eml", "From: billing@globex.com\r\n\r\nhi\r\n");
    dir.countersign(&["verify", "--signer", &globex.card, "instr.csi", "--email", "msg.eml"]).run().assert_code(USAGE);
}

#[test]
fn verify_of_an_unreadable_file_or_card_exits_2() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    dir.mkdir("a-directory.csi");
    for file in ["nowhere.csi", "a-directory.csi"] {
        let out = verify(&dir, &globex.card, file).assert_code(USAGE);
        out.ensure(out.stderr().contains(file), "expected the error to name the file");
    }
    verify(&dir, "nowhere.card", "instr.csi").assert_code(USAGE).assert_stderr_contains("nowhere.card");
    // A signed instruction given as the card is not a card.
    verify(&dir, "instr.csi", "instr.csi").assert_code(USAGE);
}

#[test]
fn verify_rejects_an_expired_instruction() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    // Signed 60 days ago with the default 30-day window.
    sign_with_library(&dir, &globex, &acme, default_details(), OffsetDateTime::now_utc() - Duration::days(60), "expired.csi");
    let out = verify(&dir, &globex.card, "expired.csi").assert_verdict(FAILED, "rejected", Some("expired"));
    out.ensure(out.finding_codes() == ["expired"], "expected only expired");
    out.ensure(out.json()["confirmation_code"].is_string(), "the signature is valid, so the code is shown");
}

#[test]
fn verify_rejects_an_instruction_that_is_not_valid_yet() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let now = OffsetDateTime::now_utc();
    let mut details = default_details();
    details["valid_from"] = json!(format_utc(now + Duration::days(2)));
    details["valid_until"] = json!(format_utc(now + Duration::days(30)));
    sign_with_library(&dir, &globex, &acme, details, now, "future.csi");
    let out = verify(&dir, &globex.card, "future.csi").assert_verdict(FAILED, "rejected", Some("not_yet_valid"));
    out.ensure(out.finding_codes() == ["not_yet_valid"], "expected only not_yet_valid");
}

// ---------------------------------------------------------------------------------------------
// respond

fn respond(dir: &TestDir, challenge: &str, file: &str) -> util::Output {
    dir.countersign(&["--json", "respond", "--challenge", challenge, file]).run()
}

#[test]
fn respond_prints_an_eight_digit_response() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    // No passphrase is needed: the response comes from the file, not the key.
    let out = respond(&dir, "305118", "instr.csi").assert_code(OK);
    let response = out.json_str("response");
    out.ensure(is_response(&response), "expected `dddd dddd`");
}

#[test]
fn respond_depends_only_on_challenge_and_file() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    dir.sign_default(&globex, &acme, "second.csi");
    let response = |challenge: &str, file: &str| respond(&dir, challenge, file).assert_code(OK).json_str("response");
    let first = response("305118", "instr.csi");
    assert_eq!(response("305118", "instr.csi"), first, "the same challenge and file gave another response");
    // The partner's outbox copy is the same file, so it gives the same response.
    let id =
        dir.entries("outbox").into_iter().find(|name| dir.read(format!("outbox/{name}")) == dir.read("instr.csi")).expect("an outbox copy");
    assert_eq!(response("305118", &format!("outbox/{id}")), first);
    assert_ne!(response("305119", "instr.csi"), first, "another challenge gave the same response");
    assert_ne!(response("305118", "second.csi"), first, "another file gave the same response");
}

/// Regression (issue 16, settled in format §3.5): `respond` answers for the partner's own copy
/// without checking its signature, and says so; a copy whose signature was broken gives the same
/// response (the response covers the payload), still marked unchecked.
#[test]
fn respond_says_it_does_not_check_the_signature() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let genuine = respond(&dir, "305118", "instr.csi").assert_code(OK).json();
    assert_eq!(genuine["signature_checked"], false, "{genuine}");
    let mut file: serde_json::Value = dir.read_json("instr.csi");
    let mut signature = countersign_core::encoding::b64_decode(file["signature"].as_str().unwrap()).unwrap();
    signature[0] ^= 1;
    file["signature"] = countersign_core::encoding::b64_encode(&signature).into();
    dir.write("broken.csi", serde_json::to_vec_pretty(&file).unwrap());
    let broken = respond(&dir, "305118", "broken.csi").assert_code(OK).json();
    assert_eq!((broken["response"].clone(), broken["signature_checked"].clone()), (genuine["response"].clone(), false.into()));
    let text = dir.countersign(&["respond", "--challenge", "305118", "instr.csi"]).run().assert_code(OK);
    text.ensure(text.stdout().contains("its signature is not checked here"), "the text says the signature is not checked");
}

#[test]
fn respond_reads_a_challenge_with_spaces_or_dashes() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let plain = respond(&dir, "305118", "instr.csi").assert_code(OK).json_str("response");
    for typed in ["305 118", "305-118", " 305 118 "] {
        assert_eq!(respond(&dir, typed, "instr.csi").assert_code(OK).json_str("response"), plain, "challenge typed as {typed:?}");
    }
}

#[test]
fn respond_refuses_a_challenge_that_is_not_six_digits() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    for bad in ["30511a", "abcdef", "30511", "3051188", "", "305.118"] {
        let out = dir.countersign(&["respond", "--challenge", bad, "instr.csi"]).run();
        let out = out.assert_code(USAGE).assert_stderr_contains("challenge");
        out.ensure(out.stdout().is_empty(), &format!("{bad:?}: a response was printed"));
    }
}

#[test]
fn respond_human_output_shows_confirmation_code_payee_and_amount() {
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let signed = dir.sign_default(&globex, &acme, "instr.csi");
    let response = respond(&dir, "305118", "instr.csi").assert_code(OK).json_str("response");
    let out = dir.countersign(&["respond", "--challenge", "305 118", "instr.csi"]).run().assert_code(OK);
    let text = out.stdout();
    out.ensure(text.contains(&response), "expected the response");
    out.ensure(text.contains(&signed.confirmation_code), "expected the confirmation code");
    out.ensure(text.contains("Globex Corporation"), "expected the payee");
    out.ensure(text.contains("1250.00 EUR"), "expected the amount");
}

#[test]
fn respond_of_a_missing_file_exits_2_and_of_a_non_instruction_exits_1() {
    let dir = TestDir::new();
    let globex = dir.keygen("Globex Corporation", "globex");
    respond(&dir, "305118", "nowhere.csi").assert_code(USAGE).assert_stderr_contains("nowhere.csi");
    let out = respond(&dir, "305118", &globex.card).assert_code(FAILED);
    out.ensure(out.json()["error"]["code"] == "malformed_file", "expected malformed_file");
}

#[test]
fn verify_json_names_no_partner_when_the_card_did_not_sign_the_file() {
    // CONTRACT.md: `partner` (id and name, when known). A file Globex signed, checked against
    // Acme's card, is not from Acme; naming Acme as its partner misattributed it.
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.sign_default(&globex, &acme, "instr.csi");
    let out = verify(&dir, &acme.card, "instr.csi").assert_verdict(FAILED, "rejected", Some("unknown_signer"));
    out.ensure(out.json()["partner"].is_null(), "expected no partner: the card's key did not sign this file");
    dir.write("truncated.csi", &dir.read("instr.csi")[..100]);
    let out = verify(&dir, &globex.card, "truncated.csi").assert_verdict(FAILED, "rejected", Some("malformed_file"));
    out.ensure(out.json()["partner"].is_null(), "expected no partner: nothing was verified");
}

#[test]
fn sign_that_fails_to_keep_its_outbox_copy_leaves_no_signed_file() {
    // sign wrote --out, then failed to create the outbox (a file named `outbox` beside the key)
    // and exited 2: a signed file the partner may send, with no copy to answer callbacks from.
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    dir.write("outbox", "not a directory");
    dir.write_details("DETAILS.json", &default_details());
    let out = dir.sign_cmd(&globex, &acme, "DETAILS.json", "instr.csi").passphrase().run().assert_code(USAGE);
    out.ensure(!dir.exists("instr.csi"), "sign failed but left the signed file behind");
}

#[test]
fn json_usage_errors_print_one_json_document() {
    // CONTRACT.md: --json prints one JSON document on stdout. Parser errors printed nothing there.
    let dir = TestDir::new();
    for args in [&["--json", "keygen", "--out", "globex"][..], &["--json", "no-such-command"], &["--json", "respond", "instr.csi"]] {
        let out = dir.countersign(args).run().assert_code(USAGE);
        let error = &out.json()["error"];
        out.ensure(error["code"].is_string() && error["message"].is_string(), "expected {\"error\": {code, message}}");
    }
}

#[test]
fn sign_accepts_a_validity_window_that_starts_in_the_future() {
    // DETAILS.json may name `valid_from`; sign refused any start > 10 min ahead (exit 1, self_check_failed).
    let dir = TestDir::new();
    let (globex, acme) = partners(&dir);
    let now = OffsetDateTime::now_utc();
    let mut details = default_details();
    details["valid_from"] = json!(format_utc(now + Duration::days(7)));
    details["valid_until"] = json!(format_utc(now + Duration::days(37)));
    dir.write_details("DETAILS.json", &details);
    dir.sign(&globex, &acme, "DETAILS.json", "future.csi");
    verify(&dir, &globex.card, "future.csi").assert_verdict(FAILED, "rejected", Some("not_yet_valid"));
}

/// With --json, a usage error's message must say what is wrong: the JSON message was only
/// "the following required arguments were not provided:", naming nothing.
#[test]
fn json_usage_error_for_a_missing_argument_names_the_argument() {
    let dir = TestDir::new();
    let out = dir.countersign(&["--json", "keygen", "--out", "globex"]).run().assert_code(2);
    let message = out.json()["error"]["message"].as_str().unwrap().to_string();
    out.ensure(message.contains("--name"), "the JSON message should name the missing argument --name");
}

/// Regression (issue 16): `sign` and `verify` panicked (exit 101, "resulting value is out of
/// range") on a validly signed instruction whose window ends in the last minutes of year 9999.
/// Years up to 9999 are allowed: `sign` makes the file and `verify` gives a verdict.
#[test]
fn a_window_ending_at_the_end_of_year_9999_is_signed_and_verified_without_a_panic() {
    let dir = TestDir::new();
    let (globex, initech) = partners(&dir);
    let mut details = default_details();
    details["valid_from"] = json!("9999-12-30T23:00:00Z");
    details["valid_until"] = json!("9999-12-31T23:59:59Z");
    let file = dir.write_details("late.json", &details);
    // `sign` checks the file as its recipient will, at the start of its window.
    dir.sign_cmd(&globex, &initech, &file, "late.csi").passphrase().run().assert_code(OK);
    let out = verify(&dir, &globex.card, "late.csi");
    out.assert_verdict(FAILED, "rejected", Some("not_yet_valid"));
}

/// Regression (issue 16): a command whose standard output was closed panicked (exit 101) when it
/// printed its result, after doing its work; `receive F | true` then left a recorded case and an
/// exit code that said it had crashed. The output is dropped and the exit code is the command's.
#[test]
fn a_closed_standard_output_drops_the_text_and_keeps_the_exit_code() {
    let dir = TestDir::new();
    let (globex, initech) = partners(&dir);
    let signed = dir.sign(&globex, &initech, &dir.write_details("d.json", &default_details()), "invoice.csi");
    let bin = assert_cmd::cargo::cargo_bin!("countersign");
    for (what, redirect) in [("closed", ">&-"), ("a pipe nobody reads", "| (exec 0<&-; true)")] {
        for json in ["", "--json"] {
            let script = format!(
                "cd {:?} && {{ sleep 0.2; {:?} {json} verify --signer {:?} {:?}; echo \"exit $?\" >&2; }} {redirect}",
                dir.path(),
                bin,
                globex.card,
                signed.file
            );
            let out = std::process::Command::new("bash").args(["-c", &script]).output().expect("bash runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "{what} {json}: {stderr}");
            assert!(stderr.contains("exit 0"), "{what} {json}: the verdict's exit code (accepted): {stderr}");
        }
    }
}

/// Regression (issue 16): a FIFO given as a file blocked `verify` forever; anything that is not
/// a regular file is refused at once with a usage error naming it.
#[test]
fn a_fifo_or_a_device_given_as_a_file_is_refused_at_once() {
    let dir = TestDir::new();
    let (globex, _) = partners(&dir);
    let fifo = dir.path().join("instruction.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs").success());
    for file in [fifo.display().to_string(), "/dev/urandom".to_string()] {
        let out = dir.countersign(&["--json", "verify", "--signer", &globex.card, &file]).run().assert_code(USAGE);
        out.ensure(out.stderr().contains("not a regular file"), "the message says what is wrong");
    }
}

/// `verify --signer CARD FILE --at TIME` checks as of a given time (issue 16: vectors whose
/// times are in the past could not be checked with the CLI). The vectors' own `now` gives their
/// expected verdict; a later time expires the same file; a bad time or `--at` without
/// `--signer` is a usage error.
#[test]
fn verify_at_a_given_time_checks_a_vector_as_it_stood_then() {
    use countersign_core::format::card::{CardDetails, PartnerCard};
    let dir = TestDir::new();
    let vector = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/valid-iban.vector")).unwrap();
    let split = vector.windows(2).position(|w| w == b"\n\n").unwrap();
    dir.write("valid-iban.csi", &vector[split + 2..]);
    let seed: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let key = countersign_core::format::keys::KeyPair::from_seed(&seed.try_into().unwrap());
    let details = CardDetails { name: "Vector Signer".into(), country: None, domains: vec![], contacts: vec![] };
    let card = PartnerCard::create(&key, details, OffsetDateTime::now_utc()).unwrap();
    dir.write("signer.card", card.to_bytes());
    let at = |time: &str| dir.countersign(&["--json", "verify", "--signer", "signer.card", "valid-iban.csi", "--at", time]).run();
    at("2026-11-23T09:00:00Z").assert_verdict(OK, "accepted", None);
    at("2027-01-01T00:00:00Z").assert_verdict(FAILED, "rejected", Some("expired"));
    at("yesterday").assert_code(USAGE);
    dir.countersign(&["verify", "valid-iban.csi", "--at", "2026-11-23T09:00:00Z"]).run().assert_code(USAGE);
}
