//! Scenario tests of the receiving side through the CLI (issue 3): the workspace, its users,
//! the partner registry with pinned keys, and the verdict of `verify` and `receive` for every
//! reason code of the first two groups of CONTRACT.md ("format and identity", "bank details").
//!
//! Each scenario builds its situation for real, as people would: `init` and `card export` for
//! our organisation (Initech GmbH), `keygen` for the partner, `partner add` with the fingerprint
//! read back, `sign` for the partner's files, `rotate`, `partner rotate-key` and `revoke-key`
//! for key changes, and the `case` commands where an account has to become current (callback
//! confirmed, second approval) or fraudulent (callback denied). Only files that `sign` rightly
//! refuses to make (an already-ended window, an invalid IBAN or BIC) are signed with the library,
//! with the partner's real key file.
//!
//! Every assertion is on the contract: the exit code (0 accepted, 3 hold, 1 rejected, 2 usage,
//! 4 not permitted), the `verdict` and the `findings` codes of the `--json` document, which must
//! be exactly one JSON document on stdout (`Output::json` fails the test otherwise).

mod util;

use util::details;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use countersign_core::bank::AccountDetails;
use countersign_core::encoding::format_utc;

use util::{codes_of, default_details, library_instruction, pairs, password_of, KeyFiles, Output, TestDir, Workspace, DEFAULT_PHONE};

/// Exit codes of CONTRACT.md.
const OK: i32 = 0;
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

/// Globex's account as known from the contract (`partner add --iban/--bic`).
const CONTRACT_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const CONTRACT_BIC: &str = "COBADEFFXXX";
/// Another German account (a change of account that stays in the country).
const CHANGED_IBAN: &str = "DE02 1203 0000 0000 2020 51";
const CHANGED_BIC: &str = "BYLADEM1001";
/// A third German account.
const THIRD_IBAN: &str = "DE44 5001 0517 5407 3249 31";
const THIRD_BIC: &str = "INGDDEFFXXX";
/// A French account.
const FRENCH_IBAN: &str = "FR14 2004 1010 0505 0001 3M02 606";
const FRENCH_BIC: &str = "PSSTFRPPXXX";

/// Our organisation with one partner, Globex Corporation (DE), onboarded with its contract
/// account.
struct Scene<'a> {
    ws: Workspace<'a>,
    globex: KeyFiles,
    globex_id: i64,
}

/// `init` (admin alice), `card export`, Globex's `keygen` and `partner add --iban --bic`.
fn scene(dir: &TestDir) -> Scene<'_> {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE", "--domain", "globex.com"]);
    let globex_id = ws.add_partner(&globex, &["--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
    Scene { ws, globex, globex_id }
}

impl Scene<'_> {
    /// Globex signs `details` for us with `sign`.
    fn sign(&self, details: &Value, out: &str) -> util::Signed {
        self.ws.sign(&self.globex, details, out)
    }

    /// `verify` (read-only) and then `receive` of one file as alice: both must give `exit`,
    /// `verdict` and the finding `code`. Returns the received result.
    #[track_caller]
    fn verify_and_receive(&self, file: &str, exit: i32, verdict: &str, code: Option<&str>) -> Value {
        self.ws.verify("alice", file).assert_verdict(exit, verdict, code);
        self.ws.receive("alice", &[file]).assert_received(exit, verdict, code)
    }
}

/// The finding with `code` in a result, or a panic showing the result.
fn finding<'v>(result: &'v Value, code: &str) -> &'v Value {
    result["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == code))
        .unwrap_or_else(|| panic!("no finding {code:?} in\n{result:#}"))
}

/// The accounts of `partner show --json`, as (account, status) pairs, oldest first.
fn accounts(show: &Value) -> Vec<(String, String)> {
    show["accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("no accounts array in\n{show:#}"))
        .iter()
        .map(|a| (a["account"].as_str().unwrap_or("").to_string(), a["status"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// Adds clara (clerk) and anna (approver), who take a held case through the callback and the
/// second approval.
fn add_clerk_and_approver(ws: &Workspace<'_>) {
    ws.add_user("clara", "clerk");
    ws.add_user("anna", "approver");
}

/// Makes a new account Globex's current one, the way it really happens: Globex signs it, clara
/// receives it (hold: the account changed), calls Globex back on the on-file number and gets the
/// right response from Globex's own outbox copy, and anna approves. Returns the case id.
fn change_account_through_callback(s: &Scene<'_>, details: &Value, out: &str) -> i64 {
    let signed = s.sign(details, out);
    let result = s.ws.receive("clara", &[out]).assert_received(HOLD, "hold", Some("bank_details_changed"));
    let case_id = result["case_id"].as_i64().expect("a case id");
    let globex_copy = format!("outbox/{}.csi", signed.id);
    let callback = s.ws.callback("clara", case_id, &globex_copy, DEFAULT_PHONE, "confirmed").assert_code(OK);
    callback.ensure(callback.json()["status"] == "callback_confirmed", "expected the callback confirmed");
    let approve = s.ws.run("anna", &["--json", "case", "approve", &case_id.to_string()]).assert_code(OK);
    approve.ensure(approve.json()["status"] == "approved", "expected the case approved");
    case_id
}

// ---------------------------------------------------------------------------------------------
// The baseline: a genuine instruction to the known account

#[test]
fn a_genuine_instruction_to_the_known_account_is_accepted_with_the_signers_code() {
    let dir = TestDir::new();
    let s = scene(&dir);
    let signed = s.sign(&default_details(), "invoice.csi");
    let out = s.ws.verify("alice", "invoice.csi").assert_verdict(OK, "accepted", None);
    let json = out.json();
    out.ensure(json["confirmation_code"] == signed.confirmation_code.as_str(), "verify and sign disagree on the code");
    out.ensure(json["partner"] == json!({ "id": s.globex_id, "name": "Globex Corporation" }), "expected partner id and name");
    out.ensure(json["case_id"].is_null(), "verify is read-only: no case");
    let result = s.ws.receive("alice", &["invoice.csi"]).assert_received(OK, "accepted", None);
    assert_eq!(result["confirmation_code"], signed.confirmation_code.as_str(), "{result:#}");
    assert_eq!(result["partner"]["id"], s.globex_id, "{result:#}");
}

#[test]
fn verify_changes_nothing_so_a_verified_file_is_still_new_to_receive() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "10.00"), "changed.csi");
    for _ in 0..2 {
        s.ws.verify("alice", "changed.csi").assert_verdict(HOLD, "hold", Some("bank_details_changed"));
    }
    let cases = s.ws.admin(&["--json", "case", "list"]).assert_code(OK);
    cases.ensure(cases.json()["cases"] == json!([]), "verify opened a case");
    assert_eq!(accounts(&s.ws.partner_show(s.globex_id)), pairs(&[(CONTRACT_IBAN, "current")]), "verify recorded an account");
    s.ws.receive("alice", &["changed.csi"]).assert_received(HOLD, "hold", Some("bank_details_changed"));
}

// ---------------------------------------------------------------------------------------------
// Format and identity

#[test]
fn malformed_file_garbage_hand_written_json_and_truncated_files_are_rejected() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let genuine = dir.read("invoice.csi");
    dir.write("garbage.csi", "Please pay the attached invoice to our new account.\n");
    dir.write("binary.csi", [0xff, 0xfe, 0x00, 0x01, 0x02]);
    dir.write("empty.csi", "");
    dir.write("details.csi", serde_json::to_vec_pretty(&default_details()).unwrap());
    dir.write("truncated.csi", &genuine[..genuine.len() / 2]);
    let files = ["garbage.csi", "binary.csi", "empty.csi", "details.csi", "truncated.csi", &s.globex.card];
    for file in files {
        s.ws.verify("alice", file).assert_verdict(FAILED, "rejected", Some("malformed_file"));
    }
    let out = s.ws.receive("alice", &files).assert_code(FAILED);
    let results = out.results();
    assert_eq!(results.len(), files.len(), "{out}");
    for (result, file) in results.iter().zip(files) {
        assert_eq!(result["file"], file, "{out}");
        assert_eq!(result["verdict"], "rejected", "{file}: {result:#}");
        assert_eq!(codes_of(&result["findings"]), ["malformed_file"], "{file}: {result:#}");
        assert!(result["confirmation_code"].is_null() && result["partner"].is_null(), "{file}: {result:#}");
        assert!(result["case_id"].is_i64(), "a rejected file is recorded too: {result:#}");
    }
}

#[test]
fn unsupported_version_of_the_format_is_rejected() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let mut envelope = dir.read_json("invoice.csi");
    envelope["format"] = json!("countersign/instruction/v3");
    dir.write("v3.csi", serde_json::to_vec_pretty(&envelope).unwrap());
    s.verify_and_receive("v3.csi", FAILED, "rejected", Some("unsupported_version"));
}

#[test]
fn file_too_large_is_rejected_without_reading_on() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let mut padded = dir.read("invoice.csi");
    padded.resize(64 * 1024 + 1, b' ');
    dir.write("padded.csi", &padded);
    dir.write("huge.csi", vec![b'{'; 4 * 1024 * 1024]);
    for file in ["padded.csi", "huge.csi"] {
        let result = s.verify_and_receive(file, FAILED, "rejected", Some("file_too_large"));
        assert_eq!(codes_of(&result["findings"]), ["file_too_large"], "{result:#}");
    }
}

#[test]
fn signature_invalid_when_the_iban_was_changed_after_signing() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let mut envelope = dir.read_json("invoice.csi");
    let payload = countersign_core::encoding::b64_decode(envelope["payload"].as_str().unwrap()).unwrap();
    let payload = String::from_utf8(payload).unwrap().replace("DE89370400440532013000", "DE02120300000000202051");
    envelope["payload"] = json!(countersign_core::encoding::b64_encode(payload.as_bytes()));
    dir.write("altered.csi", serde_json::to_vec_pretty(&envelope).unwrap());
    let result = s.verify_and_receive("altered.csi", FAILED, "rejected", Some("signature_invalid"));
    assert!(result["confirmation_code"].is_null(), "no code without a valid signature: {result:#}");
}

#[test]
fn unknown_signer_a_key_that_is_not_pinned_even_under_the_partners_name() {
    let dir = TestDir::new();
    let s = scene(&dir);
    let impostor = dir.keygen_with("Globex Corporation", "impostor", &["--country", "DE", "--domain", "globex.com"]);
    s.ws.sign(&impostor, &default_details(), "impostor.csi");
    let result = s.verify_and_receive("impostor.csi", FAILED, "rejected", Some("unknown_signer"));
    assert!(result["partner"].is_null(), "an unpinned key names no partner: {result:#}");
    assert_eq!(result["signer"], impostor.fingerprint.as_str(), "{result:#}");
}

#[test]
fn key_revoked_a_revoked_key_never_verifies_a_new_instruction() {
    let dir = TestDir::new();
    let s = scene(&dir);
    // Signed before the revocation, not yet received: still refused afterwards.
    s.sign(&default_details(), "before.csi");
    let id = s.globex_id.to_string();
    let out = s.ws.admin(&["--json", "partner", "revoke-key", &id, "--reason", "laptop stolen"]).assert_code(OK);
    out.ensure(out.json()["revoked"] == s.globex.fingerprint.as_str(), "expected the revoked fingerprint");
    s.sign(&default_details(), "after.csi");
    for file in ["before.csi", "after.csi"] {
        let result = s.verify_and_receive(file, FAILED, "rejected", Some("key_revoked"));
        let message = finding(&result, "key_revoked")["message"].as_str().unwrap().to_string();
        assert!(message.contains("laptop stolen"), "the reason should be shown: {message}");
    }
    let show = s.ws.partner_show(s.globex_id);
    assert_eq!(show["keys"][0]["status"], "revoked", "{show:#}");
    assert!(show["keys"][0]["status_reason"].as_str().unwrap().contains("laptop stolen"), "{show:#}");
}

#[test]
fn wrong_recipient_a_file_signed_for_another_organisation() {
    let dir = TestDir::new();
    let s = scene(&dir);
    let umbrella = dir.init_workspace("umbrella", "Umbrella plc", "uma");
    dir.write_details("DETAILS.json", &default_details());
    let out = dir
        .countersign(&[
            "--json",
            "sign",
            "--key",
            &s.globex.key,
            "--to",
            &umbrella.card,
            "--details",
            "DETAILS.json",
            "--out",
            "for-umbrella.csi",
        ])
        .passphrase()
        .run()
        .assert_code(OK);
    out.ensure(out.json()["recipient"]["name"] == "Umbrella plc", "expected Umbrella as recipient");
    let result = s.verify_and_receive("for-umbrella.csi", FAILED, "rejected", Some("wrong_recipient"));
    assert_eq!(codes_of(&result["findings"]), ["wrong_recipient"], "{result:#}");
    // The file itself is genuine: in the workspace it was meant for, it is accepted.
    umbrella.add_partner(&s.globex, &["--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
    umbrella.verify("uma", "for-umbrella.csi").assert_verdict(OK, "accepted", None);
}

#[test]
fn expired_an_instruction_whose_window_has_ended() {
    let dir = TestDir::new();
    let s = scene(&dir);
    // `sign` refuses an already-ended window, so the partner's key signs it with the library,
    // as of 60 days ago with the default 30-day window.
    let key = dir.unlock(&s.globex);
    let signed_at = OffsetDateTime::now_utc() - Duration::days(60);
    dir.write("expired.csi", library_instruction(&key, &s.ws.fingerprint, &default_details(), "old-0001", signed_at, |_| {}));
    let result = s.verify_and_receive("expired.csi", FAILED, "rejected", Some("expired"));
    assert_eq!(codes_of(&result["findings"]), ["expired"], "{result:#}");
    assert!(result["confirmation_code"].is_string(), "the signature is valid: {result:#}");
}

#[test]
fn not_yet_valid_an_instruction_for_a_future_account_change() {
    let dir = TestDir::new();
    let s = scene(&dir);
    let now = OffsetDateTime::now_utc();
    let mut future = default_details();
    future["valid_from"] = json!(format_utc(now + Duration::days(2)));
    future["valid_until"] = json!(format_utc(now + Duration::days(32)));
    s.sign(&future, "future.csi");
    let result = s.verify_and_receive("future.csi", FAILED, "rejected", Some("not_yet_valid"));
    assert_eq!(codes_of(&result["findings"]), ["not_yet_valid"], "{result:#}");
    // Within the 10 minutes of clock skew, it is valid.
    let mut soon = default_details();
    soon["valid_from"] = json!(format_utc(now + Duration::minutes(5)));
    s.sign(&soon, "soon.csi");
    s.ws.verify("alice", "soon.csi").assert_verdict(OK, "accepted", None);
}

#[test]
fn replayed_the_same_file_received_twice() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let first = s.ws.receive("alice", &["invoice.csi"]).assert_received(OK, "accepted", None);
    let second = s.ws.receive("alice", &["invoice.csi"]).assert_received(FAILED, "rejected", Some("replayed"));
    assert_eq!(codes_of(&second["findings"]), ["replayed"], "{second:#}");
    let message = finding(&second, "replayed")["message"].as_str().unwrap();
    assert!(message.contains(&format!("case {}", first["case_id"])), "expected the earlier case named: {message}");
    assert_ne!(first["case_id"], second["case_id"], "the replay is recorded as a case of its own");
    // verify (read-only) sees it as a replay too, and a copy under another name is the same file.
    s.ws.verify("alice", "invoice.csi").assert_verdict(FAILED, "rejected", Some("replayed"));
    dir.write("copy-of-invoice.csi", dir.read("invoice.csi"));
    s.ws.receive("alice", &["copy-of-invoice.csi"]).assert_received(FAILED, "rejected", Some("replayed"));
}

#[test]
fn replayed_the_same_file_twice_in_one_batch() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let out = s.ws.receive("alice", &["invoice.csi", "invoice.csi"]).assert_code(FAILED);
    let results = out.results();
    assert_eq!(results[0]["verdict"], "accepted", "{out}");
    assert_eq!(codes_of(&results[1]["findings"]), ["replayed"], "{out}");
}

#[test]
fn replayed_superseded_an_older_genuine_file_after_a_newer_one_was_accepted() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "older.csi");
    // Issue times have whole seconds: make sure the newer one is issued later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    s.sign(&default_details(), "newer.csi");
    s.ws.receive("alice", &["newer.csi"]).assert_received(OK, "accepted", None);
    let older = s.ws.receive("alice", &["older.csi"]).assert_received(FAILED, "rejected", Some("replayed"));
    let message = finding(&older, "replayed")["message"].as_str().unwrap().to_lowercase();
    assert!(message.contains("superseded"), "expected the message to say superseded: {message}");
}

#[test]
fn iban_invalid_in_a_signed_file() {
    let dir = TestDir::new();
    let s = scene(&dir);
    // `sign` refuses an invalid IBAN; the partner's key signs one with the library.
    let key = dir.unlock(&s.globex);
    let bad_iban = |i: &mut countersign_core::format::instruction::Instruction| {
        i.account = AccountDetails::Iban { iban: "DE00370400440532013000".into(), bic: CONTRACT_BIC.into() };
    };
    let bytes = library_instruction(&key, &s.ws.fingerprint, &default_details(), "bad-iban-1", OffsetDateTime::now_utc(), bad_iban);
    dir.write("bad-iban.csi", bytes);
    let result = s.verify_and_receive("bad-iban.csi", FAILED, "rejected", Some("iban_invalid"));
    assert!(result["confirmation_code"].is_string(), "the signature is valid: {result:#}");
}

#[test]
fn bic_invalid_in_a_signed_file() {
    let dir = TestDir::new();
    let s = scene(&dir);
    let key = dir.unlock(&s.globex);
    let bad_bic = |i: &mut countersign_core::format::instruction::Instruction| {
        i.account = AccountDetails::Iban { iban: "DE89370400440532013000".into(), bic: "COBAZZFFXXX".into() };
    };
    let bytes = library_instruction(&key, &s.ws.fingerprint, &default_details(), "bad-bic-1", OffsetDateTime::now_utc(), bad_bic);
    dir.write("bad-bic.csi", bytes);
    let result = s.verify_and_receive("bad-bic.csi", FAILED, "rejected", Some("bic_invalid"));
    assert_eq!(codes_of(&result["findings"]), ["bic_invalid"], "{result:#}");
}

#[test]
fn iban_bic_country_mismatch_is_held() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&details("Globex Corporation", CONTRACT_IBAN, "BNPAFRPPXXX", "1250.00"), "mixed.csi");
    let result = s.verify_and_receive("mixed.csi", HOLD, "hold", Some("iban_bic_country_mismatch"));
    assert_eq!(finding(&result, "iban_bic_country_mismatch")["severity"], "warning", "{result:#}");
}

// ---------------------------------------------------------------------------------------------
// Bank details

#[test]
fn first_instruction_from_a_partner_without_a_known_account_is_held() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let acme = dir.keygen_with("Acme GmbH", "acme", &["--country", "DE"]);
    let id = ws.add_partner(&acme, &[]);
    let list = ws.admin(&["--json", "partner", "list"]).assert_code(OK);
    list.ensure(list.json()["partners"][0]["current_account"].is_null(), "expected no known account");
    ws.sign(&acme, &details("Acme GmbH", CHANGED_IBAN, CHANGED_BIC, "99.00"), "first.csi");
    ws.verify("alice", "first.csi").assert_verdict(HOLD, "hold", Some("first_instruction"));
    let result = ws.receive("alice", &["first.csi"]).assert_received(HOLD, "hold", Some("first_instruction"));
    assert_eq!(codes_of(&result["findings"]), ["first_instruction"], "{result:#}");
    // Held, the account is seen but not trusted yet.
    assert_eq!(accounts(&ws.partner_show(id)), pairs(&[(CHANGED_IBAN, "pending")]));
}

#[test]
fn bank_details_changed_is_held_and_the_account_recorded_as_pending() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "1250.00"), "changed.csi");
    let result = s.verify_and_receive("changed.csi", HOLD, "hold", Some("bank_details_changed"));
    assert_eq!(codes_of(&result["findings"]), ["bank_details_changed"], "{result:#}");
    let message = finding(&result, "bank_details_changed")["message"].as_str().unwrap();
    assert!(message.contains(CONTRACT_IBAN) && message.contains(CHANGED_IBAN), "expected both accounts named: {message}");
    let show = s.ws.partner_show(s.globex_id);
    assert_eq!(accounts(&show), pairs(&[(CONTRACT_IBAN, "current"), (CHANGED_IBAN, "pending")]));
    assert_eq!(show["accounts"][1]["cases"], json!([result["case_id"]]), "{show:#}");
}

#[test]
fn account_previously_retired_going_back_to_an_account_that_was_replaced() {
    let dir = TestDir::new();
    let s = scene(&dir);
    add_clerk_and_approver(&s.ws);
    change_account_through_callback(&s, &details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "1250.00"), "changed.csi");
    let show = s.ws.partner_show(s.globex_id);
    assert_eq!(accounts(&show), pairs(&[(CONTRACT_IBAN, "retired"), (CHANGED_IBAN, "current")]), "{show:#}");
    // Now an instruction goes back to the contract account.
    s.sign(&default_details(), "back.csi");
    let result = s.verify_and_receive("back.csi", HOLD, "hold", Some("account_previously_retired"));
    let codes = codes_of(&result["findings"]);
    assert!(codes.contains(&"bank_details_changed".to_string()), "{result:#}");
}

#[test]
fn frequent_changes_a_second_change_of_account_within_90_days() {
    let dir = TestDir::new();
    let s = scene(&dir);
    add_clerk_and_approver(&s.ws);
    change_account_through_callback(&s, &details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "1250.00"), "changed.csi");
    s.sign(&details("Globex Corporation", THIRD_IBAN, THIRD_BIC, "1250.00"), "again.csi");
    let result = s.verify_and_receive("again.csi", HOLD, "hold", Some("frequent_changes"));
    assert_eq!(codes_of(&result["findings"]), ["bank_details_changed", "frequent_changes"], "{result:#}");
}

#[test]
fn account_known_fraudulent_after_a_denied_callback_is_rejected_for_every_partner() {
    let dir = TestDir::new();
    let s = scene(&dir);
    add_clerk_and_approver(&s.ws);
    let acme = dir.keygen_with("Acme GmbH", "acme", &["--country", "DE"]);
    s.ws.add_partner(&acme, &["--iban", THIRD_IBAN, "--bic", THIRD_BIC]);
    let signed = s.sign(&details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "9800.00"), "changed.csi");
    let held = s.ws.receive("clara", &["changed.csi"]).assert_received(HOLD, "hold", Some("bank_details_changed"));
    let case_id = held["case_id"].as_i64().unwrap();
    // Globex, called on the number on file, did not send it.
    let globex_copy = format!("outbox/{}.csi", signed.id);
    let out = s.ws.callback("clara", case_id, &globex_copy, DEFAULT_PHONE, "denied").assert_code(OK);
    out.ensure(out.json()["status"] == "quarantined", "expected the case quarantined");
    // The account is suspected at once (issue 15): the next instruction to it, from Globex's key
    // or from another partner's, is rejected.
    s.sign(&details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "9800.00"), "again.csi");
    let result = s.verify_and_receive("again.csi", FAILED, "rejected", Some("account_suspected"));
    assert_eq!(finding(&result, "account_suspected")["severity"], "critical", "{result:#}");
    // clara, who recorded the denial, cannot confirm it; anna, an approver, does.
    let key = format!("iban:{}", CHANGED_IBAN.replace(' ', ""));
    s.ws.run("clara", &["account", "confirm-fraud", CHANGED_IBAN, "--reason", "denied"]).assert_code(NOT_PERMITTED);
    let confirmed = s.ws.run("anna", &["--json", "account", "confirm-fraud", CHANGED_IBAN, "--reason", "Globex denied it"]).assert_code(OK);
    assert_eq!((confirmed.json()["account_key"].as_str(), confirmed.json()["status"].as_str()), (Some(key.as_str()), Some("fraudulent")));
    s.ws.sign(&acme, &details("Acme GmbH", CHANGED_IBAN, CHANGED_BIC, "120.00"), "acme.csi");
    let result = s.verify_and_receive("acme.csi", FAILED, "rejected", Some("account_known_fraudulent"));
    assert_eq!(finding(&result, "account_known_fraudulent")["severity"], "critical", "{result:#}");
    let show = s.ws.partner_show(s.globex_id);
    assert_eq!(accounts(&show), pairs(&[(CONTRACT_IBAN, "current"), (CHANGED_IBAN, "fraudulent")]), "{show:#}");
}

#[test]
fn account_used_by_other_partner_two_partners_with_the_same_iban() {
    let dir = TestDir::new();
    let s = scene(&dir);
    let acme = dir.keygen_with("Acme GmbH", "acme", &["--country", "DE"]);
    s.ws.add_partner(&acme, &["--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
    s.sign(&default_details(), "globex.csi");
    let result = s.verify_and_receive("globex.csi", HOLD, "hold", Some("account_used_by_other_partner"));
    assert_eq!(codes_of(&result["findings"]), ["account_used_by_other_partner"], "{result:#}");
    let message = finding(&result, "account_used_by_other_partner")["message"].as_str().unwrap();
    assert!(message.contains("Acme GmbH"), "expected the other partner named: {message}");
}

#[test]
fn beneficiary_name_mismatch_no_match_and_look_alikes_are_held_a_close_match_is_noted() {
    let dir = TestDir::new();
    let s = scene(&dir);
    // Case, punctuation and legal-form suffixes are normalised away.
    for (i, name) in ["GLOBEX CORPORATION", "Globex Corp.", "Globex Corporation Ltd"].into_iter().enumerate() {
        let file = format!("same-{i}.csi");
        s.sign(&details(name, CONTRACT_IBAN, CONTRACT_BIC, "1250.00"), &file);
        s.ws.verify("alice", &file).assert_verdict(OK, "accepted", None);
    }
    s.sign(&details("Globex Corporatoin", CONTRACT_IBAN, CONTRACT_BIC, "1250.00"), "close.csi");
    let out = s.ws.verify("alice", "close.csi").assert_verdict(OK, "accepted", Some("beneficiary_name_mismatch"));
    assert_eq!(finding(&out.json(), "beneficiary_name_mismatch")["severity"], "info");
    // A Cyrillic "о" in place of the Latin "o".
    for (file, name) in [("other.csi", "Northwind Traders"), ("lookalike.csi", "Glоbex Corporation")] {
        s.sign(&details(name, CONTRACT_IBAN, CONTRACT_BIC, "1250.00"), file);
        let result = s.verify_and_receive(file, HOLD, "hold", Some("beneficiary_name_mismatch"));
        assert_eq!(codes_of(&result["findings"]), ["beneficiary_name_mismatch"], "{file}: {result:#}");
        assert_eq!(finding(&result, "beneficiary_name_mismatch")["severity"], "warning", "{result:#}");
    }
}

#[test]
fn country_changed_an_account_moving_abroad() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&details("Globex Corporation", FRENCH_IBAN, FRENCH_BIC, "1250.00"), "abroad.csi");
    let result = s.verify_and_receive("abroad.csi", HOLD, "hold", Some("country_changed"));
    assert_eq!(codes_of(&result["findings"]), ["bank_details_changed", "country_changed"], "{result:#}");
}

#[test]
fn country_changed_from_the_registered_country_when_no_account_is_known() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let acme = dir.keygen_with("Acme GmbH", "acme", &["--country", "DE"]);
    ws.add_partner(&acme, &[]);
    ws.sign(&acme, &details("Acme GmbH", FRENCH_IBAN, FRENCH_BIC, "10.00"), "abroad.csi");
    let result = ws.receive("alice", &["abroad.csi"]).assert_received(HOLD, "hold", Some("country_changed"));
    assert_eq!(codes_of(&result["findings"]), ["first_instruction", "country_changed"], "{result:#}");
}

#[test]
fn recent_key_rotation_is_held_and_the_retired_key_verifies_nothing_new() {
    let dir = TestDir::new();
    let s = scene(&dir);
    // Globex makes a new key and a rotation statement signed by the current one.
    let new_key = dir.keygen_with("Globex Corporation", "globex-2026", &["--country", "DE"]);
    let out = dir
        .countersign(&["--json", "rotate", "--key", &s.globex.key, "--new", &new_key.card, "--out", "rotation.json"])
        .passphrase()
        .run()
        .assert_code(OK);
    out.ensure(out.json()["new_key"] == new_key.fingerprint.as_str(), "expected the new key named");
    let id = s.globex_id.to_string();
    // A rotation is a pinning (issue 15): the new key's fingerprint read back on a call to a
    // number on file. A misheard fingerprint or another number is refused and changes nothing.
    let rotate = |typed: &str, dialed: &str| {
        let args =
            ["--json", "partner", "rotate-key", &id, "--statement", "rotation.json", "--confirm-fingerprint", typed, "--dialed", dialed];
        s.ws.admin(&args)
    };
    rotate(&s.globex.fingerprint, DEFAULT_PHONE).assert_code(FAILED).assert_stderr_contains("not that of the new key");
    rotate(&new_key.fingerprint, "+49 30 9999999").assert_code(NOT_PERMITTED).assert_stderr_contains("not a number on file");
    assert_eq!(s.ws.partner_show(s.globex_id)["keys"].as_array().unwrap().len(), 1, "nothing pinned");
    let out = rotate(&new_key.fingerprint.replace(' ', "-"), DEFAULT_PHONE).assert_code(OK);
    out.ensure(out.json()["new_key"] == new_key.fingerprint.as_str(), "expected the new key pinned");
    let show = s.ws.partner_show(s.globex_id);
    let keys: Vec<(&str, &str)> =
        show["keys"].as_array().unwrap().iter().map(|k| (k["fingerprint"].as_str().unwrap(), k["status"].as_str().unwrap())).collect();
    assert_eq!(keys, [(s.globex.fingerprint.as_str(), "retired"), (new_key.fingerprint.as_str(), "active")], "{show:#}");

    s.ws.sign(&new_key, &default_details(), "new-key.csi");
    let result = s.verify_and_receive("new-key.csi", HOLD, "hold", Some("recent_key_rotation"));
    assert_eq!(codes_of(&result["findings"]), ["recent_key_rotation"], "{result:#}");
    s.sign(&default_details(), "old-key.csi");
    s.verify_and_receive("old-key.csi", FAILED, "rejected", Some("key_revoked"));
    // The same statement cannot be accepted twice: its signer is retired now.
    rotate(&new_key.fingerprint, DEFAULT_PHONE).assert_code(FAILED);
}

#[test]
fn amount_unusual_far_above_the_partners_earlier_amounts() {
    let dir = TestDir::new();
    let s = scene(&dir);
    for (i, amount) in ["1000.00", "900.00", "1100.00"].into_iter().enumerate() {
        s.sign(&details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, amount), &format!("earlier-{i}.csi"));
    }
    let out = s.ws.receive("alice", &["earlier-0.csi", "earlier-1.csi", "earlier-2.csi"]).assert_code(OK);
    assert!(out.results().iter().all(|r| r["verdict"] == "accepted"), "{out}");
    // Exactly three times the largest is not unusual; more is.
    s.sign(&details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "3300.00"), "three-times.csi");
    s.ws.verify("alice", "three-times.csi").assert_verdict(OK, "accepted", None);
    s.sign(&details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "48000.00"), "large.csi");
    let result = s.verify_and_receive("large.csi", HOLD, "hold", Some("amount_unusual"));
    assert_eq!(codes_of(&result["findings"]), ["amount_unusual"], "{result:#}");
}

#[test]
fn amount_unusual_needs_three_earlier_amounts() {
    let dir = TestDir::new();
    let s = scene(&dir);
    for (i, amount) in ["1000.00", "1000.00"].into_iter().enumerate() {
        s.sign(&details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, amount), &format!("earlier-{i}.csi"));
    }
    s.ws.receive("alice", &["earlier-0.csi", "earlier-1.csi"]).assert_code(OK);
    s.sign(&details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "48000.00"), "large.csi");
    s.ws.verify("alice", "large.csi").assert_verdict(OK, "accepted", None);
}

// ---------------------------------------------------------------------------------------------
// The workspace: init, schema, users, roles

#[test]
fn init_twice_refuses_and_leaves_the_first_workspace_as_it_was() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let out = dir.init_cmd("ws", "Mallory Ltd", "mallory").run().assert_code(USAGE);
    out.ensure(out.json()["error"]["code"] == "workspace_exists", "expected error code workspace_exists");
    out.ensure(out.stderr().contains("already exists"), "expected a message saying the workspace exists");
    // The first admin still logs in, the second one was never created, and our card is unchanged.
    ws.admin(&["partner", "list"]).assert_code(OK);
    ws.run("mallory", &["partner", "list"]).assert_code(NOT_PERMITTED);
    let out = ws.admin(&["--json", "card", "export", "--out", "again.card"]).assert_code(OK);
    out.ensure(out.json_str("fingerprint") == ws.fingerprint, "the organisation key changed");
}

#[test]
fn init_refuses_weak_secrets_and_creates_nothing() {
    let dir = TestDir::new();
    let mut cmd = dir.init_cmd("ws", "Initech GmbH", "alice");
    cmd.env(util::PASSWORD_ENV, "short");
    cmd.run().assert_code(USAGE);
    let mut cmd = dir.init_cmd("ws2", "Initech GmbH", "alice");
    cmd.env(util::ORG_PASSPHRASE_ENV, "short");
    cmd.run().assert_code(USAGE);
    // The organisation passphrase may not be the admin's password: one secret would hold both.
    let mut cmd = dir.init_cmd("ws3", "Initech GmbH", "alice");
    cmd.env(util::ORG_PASSPHRASE_ENV, "the same long secret").env(util::PASSWORD_ENV, "the same long secret");
    cmd.run().assert_code(USAGE).assert_stderr_contains("must differ from the admin password");
    assert!(
        !dir.exists("ws/countersign.db") && !dir.exists("ws2/countersign.db") && !dir.exists("ws3/countersign.db"),
        "{}",
        dir.listing()
    );
}

/// Every file of a directory with its contents.
fn snapshot(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// The audit log of the workspace in `data_dir`, read directly: (actor, action, subject) per
/// event, oldest first. (The CLI's `audit` commands come with a later issue.)
fn events(dir: &TestDir, data_dir: &str) -> Vec<(String, String, String)> {
    let path = dir.join(format!("{data_dir}/countersign.db"));
    let conn = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn.prepare("SELECT actor, action, subject FROM audit_events ORDER BY seq").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

/// How many events have this actor and action.
fn count(events: &[(String, String, String)], actor: &str, action: &str) -> usize {
    events.iter().filter(|(a, b, _)| a == actor && b == action).count()
}

#[test]
fn a_workspace_written_by_a_newer_schema_is_refused_untouched() {
    let dir = TestDir::new();
    let s = scene(&dir);
    {
        let conn = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        conn.pragma_update(None, "user_version", version + 1).unwrap();
    }
    let before = snapshot(&dir.join("ws"));
    s.sign(&default_details(), "invoice.csi");
    let commands: [&[&str]; 4] = [
        &["--json", "partner", "list"],
        &["--json", "receive", "invoice.csi"],
        &["--json", "verify", "invoice.csi"],
        &["--json", "user", "list"],
    ];
    for args in commands {
        let out = s.ws.admin(args).assert_code(USAGE);
        out.ensure(out.json()["error"]["code"] == "newer_workspace", "expected error code newer_workspace");
        out.ensure(out.stderr().contains("newer"), "expected a message about the newer version");
    }
    // The database is byte for byte what it was. (Opening a WAL database, even read-only, may
    // leave SQLite's empty `-wal` and index `-shm` files beside it; they hold no data.)
    let after = snapshot(&dir.join("ws"));
    assert!(after["countersign.db"] == before["countersign.db"], "the newer workspace was modified\n{}", dir.listing());
    assert!(after.get("countersign.db-wal").is_none_or(|wal| wal.is_empty()), "something was written\n{}", dir.listing());
}

#[test]
fn a_wrong_password_exits_4_and_five_lock_the_account() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let wrong = |user: &str| ws.cmd(user, &["--json", "case", "list"]).env(util::PASSWORD_ENV, "not the password").run();
    let out = wrong("clara").assert_code(NOT_PERMITTED);
    out.ensure(out.json()["error"]["code"] == "authentication_failed", "expected authentication_failed");
    // An unknown user gets the same answer as a wrong password.
    let unknown = wrong("nobody").assert_code(NOT_PERMITTED);
    unknown.ensure(unknown.stderr() == out.stderr(), "an unknown user must look like a wrong password");
    for _ in 1..5 {
        wrong("clara").assert_code(NOT_PERMITTED);
    }
    // The sixth attempt, with the right password, is refused: the account is locked. The answer
    // is the same as for a wrong password or an unknown user, so it reveals nothing; it says an
    // account may be locked, and the log records that this one was.
    let out = ws.run("clara", &["--json", "case", "list"]).assert_code(NOT_PERMITTED);
    out.ensure(out.stderr().contains("locked"), "expected the possible lock named");
    out.ensure(out.stderr() == unknown.stderr(), "a locked account must look like a wrong password");
    // Other users are not affected.
    ws.admin(&["case", "list"]).assert_code(OK);
    // Each failure, the lock and the refused login during the lock are logged.
    let log = events(&dir, "ws");
    assert_eq!(count(&log, "clara", "login.failed"), 5, "{log:#?}");
    assert_eq!(count(&log, "system", "user.locked"), 1, "{log:#?}");
    assert_eq!(count(&log, "clara", "login.locked_out"), 1, "{log:#?}");
    assert_eq!(count(&log, "nobody", "login.failed"), 1, "{log:#?}");
}

#[test]
fn a_clerk_cannot_add_a_partner() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let globex = dir.keygen("Globex Corporation", "globex");
    let out = ws
        .run(
            "clara",
            &["--json", "partner", "add", "--card", &globex.card, "--confirm-fingerprint", &globex.fingerprint, "--phone", DEFAULT_PHONE],
        )
        .assert_code(NOT_PERMITTED);
    out.ensure(out.json()["error"]["code"] == "not_permitted", "expected not_permitted");
    let list = ws.admin(&["--json", "partner", "list"]).assert_code(OK);
    list.ensure(list.json()["partners"] == json!([]), "a partner was added by a clerk");
    let log = events(&dir, "ws");
    assert_eq!(count(&log, "clara", "permission.denied"), 1, "the refusal is logged: {log:#?}");
    assert_eq!(count(&log, "alice", "partner.add"), 0, "{log:#?}");
}

#[test]
fn an_auditor_cannot_receive_but_may_verify() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.ws.add_user("audrey", "auditor");
    s.sign(&default_details(), "invoice.csi");
    s.ws.receive("audrey", &["invoice.csi"]).assert_code(NOT_PERMITTED);
    s.ws.verify("audrey", "invoice.csi").assert_verdict(OK, "accepted", None);
    let cases = s.ws.admin(&["--json", "case", "list"]).assert_code(OK);
    cases.ensure(cases.json()["cases"] == json!([]), "a case was opened for a refused receive");
    // Still new for someone who may receive it.
    s.ws.receive("alice", &["invoice.csi"]).assert_received(OK, "accepted", None);
    let log = events(&dir, "ws");
    assert_eq!(count(&log, "audrey", "permission.denied"), 1, "the refusal is logged: {log:#?}");
    assert_eq!(count(&log, "audrey", "instruction.verify"), 1, "verify logs that it verified: {log:#?}");
    assert_eq!(count(&log, "alice", "instruction.receive"), 1, "{log:#?}");
}

#[test]
fn a_disabled_user_can_neither_verify_nor_receive() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.ws.add_user("clara", "clerk");
    s.sign(&default_details(), "invoice.csi");
    s.ws.admin(&["user", "disable", "--name", "clara"]).assert_code(OK);
    s.ws.verify("clara", "invoice.csi").assert_code(NOT_PERMITTED).assert_stderr_contains("disabled");
    s.ws.receive("clara", &["invoice.csi"]).assert_code(NOT_PERMITTED).assert_stderr_contains("disabled");
}

#[test]
fn verify_with_a_workspace_but_without_as_exits_2() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let out = dir.countersign(&["--json", "--data-dir", "ws", "verify", "invoice.csi"]).run().assert_code(USAGE);
    out.ensure(out.stderr().contains("--as"), "expected a hint to give --as");
    out.ensure(out.json()["error"]["code"].is_string(), "expected {\"error\": {code, message}}");
    // The workspace may also come from COUNTERSIGN_DATA_DIR.
    dir.countersign(&["receive", "invoice.csi"]).env("COUNTERSIGN_DATA_DIR", "ws").run().assert_code(USAGE);
    dir.countersign(&["--json", "verify", "invoice.csi", "--as", "alice"])
        .env("COUNTERSIGN_DATA_DIR", "ws")
        .env(util::PASSWORD_ENV, password_of("alice"))
        .run()
        .assert_verdict(OK, "accepted", None);
}

#[test]
fn a_workspace_command_without_a_password_variable_or_terminal_exits_2() {
    let dir = TestDir::new();
    dir.init_workspace("ws", "Initech GmbH", "alice");
    let out = dir.countersign(&["--data-dir", "ws", "--as", "alice", "partner", "list"]).run().assert_code(USAGE);
    out.ensure(out.stderr().contains("COUNTERSIGN_PASSWORD"), "expected the variable named");
}

// ---------------------------------------------------------------------------------------------
// The partner registry

#[test]
fn partner_add_with_a_wrong_fingerprint_exits_1_and_pins_nothing() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen("Globex Corporation", "globex");
    // One digit wrong, as if misheard on the phone.
    let mut wrong: Vec<char> = globex.fingerprint.chars().collect();
    wrong[0] = if wrong[0] == '1' { '2' } else { '1' };
    let wrong: String = wrong.into_iter().collect();
    let out = ws
        .admin(&["--json", "partner", "add", "--card", &globex.card, "--confirm-fingerprint", &wrong, "--phone", DEFAULT_PHONE])
        .assert_code(FAILED);
    out.ensure(out.json()["error"]["code"] == "check_failed", "expected check_failed");
    out.ensure(out.stderr().contains("nothing was pinned"), "expected the message to say nothing was pinned");
    let list = ws.admin(&["--json", "partner", "list"]).assert_code(OK);
    list.ensure(list.json()["partners"] == json!([]), "a partner was pinned with a wrong fingerprint");
    assert_eq!(count(&events(&dir, "ws"), "alice", "partner.pin_refused"), 1, "the refusal is logged");
    // A file from that key is still unknown.
    ws.sign(&globex, &default_details(), "invoice.csi");
    ws.verify("alice", "invoice.csi").assert_verdict(FAILED, "rejected", Some("unknown_signer"));
}

#[test]
fn partner_add_reads_the_fingerprint_with_dashes_or_without_spaces() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen("Globex Corporation", "globex");
    let acme = dir.keygen("Acme GmbH", "acme");
    for (partner, typed) in [(&globex, globex.fingerprint.replace(' ', "-")), (&acme, acme.fingerprint.replace(' ', ""))] {
        ws.admin(&["--json", "partner", "add", "--card", &partner.card, "--confirm-fingerprint", &typed, "--phone", DEFAULT_PHONE])
            .assert_code(OK);
    }
    let list = ws.admin(&["--json", "partner", "list"]).assert_code(OK);
    let json = list.json();
    let names: Vec<&str> = json["partners"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Globex Corporation", "Acme GmbH"], "{list}");
    // The same key cannot be pinned twice.
    ws.admin(&["partner", "add", "--card", &globex.card, "--confirm-fingerprint", &globex.fingerprint, "--phone", DEFAULT_PHONE])
        .assert_code(USAGE);
}

#[test]
fn partner_show_lists_keys_on_file_numbers_in_e164_and_the_account_history() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--domain", "globex.com"]);
    let id = ws.add_partner(
        &globex,
        &[
            "--phone",
            "030 1234567",
            "--phone",
            "+44 (0)20 7946 0958",
            "--country",
            "de",
            "--domain",
            "billing.globex.com",
            "--iban",
            "de89370400440532013000",
            "--bic",
            "cobadeffxxx",
        ],
    );
    ws.sign(&globex, &details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "10.00"), "changed.csi");
    let case_id = ws.receive("alice", &["changed.csi"]).assert_received(HOLD, "hold", Some("bank_details_changed"))["case_id"].clone();

    let show = ws.partner_show(id);
    assert_eq!(show["id"], id);
    assert_eq!(show["name"], "Globex Corporation");
    assert_eq!(show["country"], "DE");
    assert_eq!(show["domains"], json!(["billing.globex.com", "globex.com"]), "{show:#}");
    let numbers: Vec<&str> = show["contacts"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["+49301234567", "+442079460958"], "{show:#}");
    let key = &show["keys"][0];
    assert_eq!(key["fingerprint"], globex.fingerprint.as_str(), "{show:#}");
    assert_eq!(key["status"], "active", "{show:#}");
    assert!(key["verified_how"].as_str().unwrap().contains("alice"), "expected how and by whom it was verified: {show:#}");
    assert_eq!(accounts(&show), pairs(&[(CONTRACT_IBAN, "current"), (CHANGED_IBAN, "pending")]), "{show:#}");
    assert_eq!(show["accounts"][0]["source"], "contract", "{show:#}");
    assert_eq!(show["accounts"][1]["source"], "instruction", "{show:#}");
    assert_eq!(show["accounts"][1]["cases"], json!([case_id]), "{show:#}");
    for a in show["accounts"].as_array().unwrap() {
        assert!(a["first_seen"].is_string() && a["last_seen"].is_string(), "{show:#}");
    }
    // The human form shows the same, numbers as people read them.
    let text = ws.admin(&["partner", "show", &id.to_string()]).assert_code(OK).stdout();
    for needle in ["+49 30 1234567", "+44 20 7946 0958", &globex.fingerprint, CONTRACT_IBAN, CHANGED_IBAN, "current", "pending"] {
        assert!(text.contains(needle), "expected {needle:?} in\n{text}");
    }
    // An unknown partner is exit 2.
    ws.admin(&["partner", "show", "99"]).assert_code(USAGE);
}

#[test]
fn partner_add_refuses_without_an_on_file_number() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen("Globex Corporation", "globex");
    let out = ws.admin(&["partner", "add", "--card", &globex.card, "--confirm-fingerprint", &globex.fingerprint]).assert_code(USAGE);
    out.ensure(out.stderr().contains("--phone"), "expected a hint to give --phone");
    let list = ws.admin(&["--json", "partner", "list"]).assert_code(OK);
    list.ensure(list.json()["partners"] == json!([]), "a partner was added without a number");
}

// ---------------------------------------------------------------------------------------------
// JSON documents

#[test]
fn every_json_output_of_the_workspace_commands_is_one_document() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.ws.add_user("clara", "clerk");
    s.sign(&default_details(), "invoice.csi");
    let id = s.globex_id.to_string();
    let runs: Vec<Output> = vec![
        s.ws.admin(&["--json", "user", "list"]),
        s.ws.admin(&["--json", "partner", "list"]),
        s.ws.admin(&["--json", "partner", "show", &id]),
        s.ws.verify("clara", "invoice.csi"),
        s.ws.receive("clara", &["invoice.csi"]),
        s.ws.admin(&["--json", "case", "list"]),
        s.ws.admin(&["--json", "case", "show", "1"]),
        s.ws.admin(&["--json", "card", "export", "--out", "again.card"]),
        // Failures print one document too.
        s.ws.run("clara", &["--json", "partner", "revoke-key", &id, "--reason", "x"]),
        s.ws.admin(&["--json", "partner", "show", "42"]),
        s.ws.admin(&["--json", "receive", "nowhere.csi"]),
    ];
    for out in runs {
        let json = out.json();
        out.ensure(json.is_object(), "expected a JSON object");
        if out.code() == USAGE || out.code() == NOT_PERMITTED {
            out.ensure(json["error"]["code"].is_string() && json["error"]["message"].is_string(), "expected {error: {code, message}}");
        }
    }
    let users = s.ws.admin(&["--json", "user", "list"]).json();
    assert_eq!(
        users["users"],
        json!([{ "id": 1, "name": "alice", "role": "admin", "disabled": false }, { "id": 2, "name": "clara", "role": "clerk", "disabled": false }])
    );
}

#[test]
fn receive_of_a_file_that_cannot_be_read_exits_2_and_records_nothing() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "invoice.csi");
    let out = s.ws.receive("alice", &["invoice.csi", "nowhere.csi"]).assert_code(USAGE);
    out.ensure(out.stderr().contains("nowhere.csi"), "expected the missing file named");
    // Nothing was recorded: the good file is still new.
    s.ws.receive("alice", &["invoice.csi"]).assert_received(OK, "accepted", None);
}

#[test]
fn receive_exits_with_the_worst_verdict_of_its_files() {
    let dir = TestDir::new();
    let s = scene(&dir);
    s.sign(&default_details(), "good.csi");
    s.sign(&details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "10.00"), "changed.csi");
    dir.write("garbage.csi", "not an instruction");
    let out = s.ws.receive("alice", &["good.csi", "changed.csi"]).assert_code(HOLD);
    let verdicts: Vec<Value> = out.results().iter().map(|r| r["verdict"].clone()).collect();
    assert_eq!(verdicts, [json!("accepted"), json!("hold")], "{out}");
    s.ws.receive("alice", &["garbage.csi", "good.csi"]).assert_code(FAILED);
}
