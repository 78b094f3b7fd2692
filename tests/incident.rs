//! The reported incident, end to end through the CLI (issue 3, item 7).
//!
//! Initech GmbH pays three suppliers, Globex (DE), Acme (FR) and Hooli (NL), who mail invoices
//! to Initech and to each other. Each is onboarded with the fingerprint read back on the phone,
//! the numbers and the account from its contract. A fraudster who reads the mail thread inserts
//! a bank-detail change four ways: unsigned (a hand-written "instruction", a forged envelope),
//! signed with a key of their own under Globex's name, as a replay of an old genuine file, and
//! finally signed with Globex's real key, stolen. The first three are rejected; the last is
//! validly signed and must come out `hold`, never `accepted`, until Globex, called back on the
//! number on file, denies it.
//!
//! Then a payment run: 1,000 files in one `receive`, and the same run interrupted after 500 and
//! run again. The files are signed with the library (1,000 `sign` calls would each derive a
//! key); everything else goes through the binary.

mod util;

use serde_json::{json, Value};
use time::OffsetDateTime;

use countersign_core::encoding::{b64_decode, b64_encode};

use util::{codes_of, library_instruction, KeyFiles, TestDir, Workspace};

/// Exit codes of CONTRACT.md.
const OK: i32 = 0;
const FAILED: i32 = 1;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

/// The suppliers: name, file base, country, on-file number, IBAN and BIC from the contract.
const GLOBEX: (&str, &str, &str, &str, &str, &str) =
    ("Globex Corporation", "globex/globex", "DE", "+49 30 1234567", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX");
const ACME: (&str, &str, &str, &str, &str, &str) =
    ("Acme SARL", "acme/acme", "FR", "+33 1 23 45 67 89", "FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPPXXX");
const HOOLI: (&str, &str, &str, &str, &str, &str) =
    ("Hooli BV", "hooli/hooli", "NL", "+31 20 123 4567", "NL91 ABNA 0417 1643 00", "ABNANL2A");

/// The money mule's account the fraudster wants paid: German, like Globex's, so that the change
/// of country does not give it away.
const MULE_IBAN: &str = "DE02 1203 0000 0000 2020 51";
const MULE_BIC: &str = "BYLADEM1001";
/// The number in the signature of the fraudster's email.
const EMAIL_NUMBER: &str = "+44 20 7946 0018";

fn details(name: &str, iban: &str, bic: &str, amount: &str, reference: &str) -> Value {
    json!({ "beneficiary_name": name, "iban": iban, "bic": bic, "currency": "EUR", "amount": amount, "reference": reference })
}

struct Supplier {
    keys: KeyFiles,
    id: i64,
    phone: &'static str,
    iban: &'static str,
    bic: &'static str,
}

/// `keygen` for the supplier and `partner add` at Initech with its contract's number and account.
fn onboard(dir: &TestDir, ws: &Workspace<'_>, s: (&str, &str, &str, &'static str, &'static str, &'static str)) -> Supplier {
    let (name, base, country, phone, iban, bic) = s;
    dir.mkdir(base.split('/').next().unwrap());
    let keys = dir.keygen_with(name, base, &["--country", country]);
    let id = ws.add_partner(&keys, &["--phone", phone, "--iban", iban, "--bic", bic]);
    Supplier { keys, id, phone, iban, bic }
}

#[test]
// Long: the incident report's steps, one after another, as a reader checks them against it.
fn the_reported_incident_every_inserted_change_is_rejected_or_held() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    ws.add_user("anna", "approver");
    let globex = onboard(&dir, &ws, GLOBEX);
    let acme = onboard(&dir, &ws, ACME);
    let hooli = onboard(&dir, &ws, HOOLI);

    // --- Ordinary mail: every supplier invoices Initech; Globex also invoices Acme.
    let october = ws.sign(&globex.keys, &details(GLOBEX.0, globex.iban, globex.bic, "1250.00", "INV-10"), "mail/globex-october.csi");
    // Issue times have whole seconds; November's invoice is issued after October's.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ws.sign(&globex.keys, &details(GLOBEX.0, globex.iban, globex.bic, "1310.00", "INV-11"), "mail/globex-november.csi");
    ws.sign(&acme.keys, &details(ACME.0, acme.iban, acme.bic, "880.00", "F-2026-0042"), "mail/acme.csi");
    ws.sign(&hooli.keys, &details(HOOLI.0, hooli.iban, hooli.bic, "4020.50", "HOO-771"), "mail/hooli.csi");
    dir.write_details("mail/globex-to-acme.json", &details(GLOBEX.0, globex.iban, globex.bic, "77.00", "INV-ACME-3"));
    dir.countersign(&[
        "--json",
        "sign",
        "--key",
        &globex.keys.key,
        "--to",
        &acme.keys.card,
        "--details",
        "mail/globex-to-acme.json",
        "--out",
        "mail/globex-to-acme.csi",
    ])
    .passphrase()
    .run()
    .assert_code(OK);
    let out = ws.receive("clara", &["mail/globex-november.csi", "mail/acme.csi", "mail/hooli.csi"]).assert_code(OK);
    let genuine: Vec<i64> = out.results().iter().map(|r| r["case_id"].as_i64().unwrap()).collect();
    assert!(out.results().iter().all(|r| r["verdict"] == "accepted" && r["findings"] == json!([])), "{out}");

    let mule = details(GLOBEX.0, MULE_IBAN, MULE_BIC, "1310.00", "INV-11 (new bank details, please update)");

    // --- (a) Unsigned: a hand-written "instruction", an email text, a forged envelope.
    let mut hand_written = mule.clone();
    hand_written["format"] = json!("countersign/instruction/v1");
    hand_written["signer"] = json!(globex.keys.fingerprint);
    dir.write("attack/hand-written.csi", serde_json::to_vec_pretty(&hand_written).unwrap());
    dir.write("attack/email.csi", "Dear customer, our bank details have changed. Please pay INV-11 to DE02 1203 0000 0000 2020 51.\n");
    let mut forged = dir.read_json("mail/globex-november.csi");
    let payload = String::from_utf8(b64_decode(forged["payload"].as_str().unwrap()).unwrap())
        .unwrap()
        .replace("DE89370400440532013000", "DE02120300000000202051")
        .replace("COBADEFFXXX", "BYLADEM1001");
    forged["payload"] = json!(b64_encode(payload.as_bytes()));
    dir.write("attack/forged.csi", serde_json::to_vec_pretty(&forged).unwrap());
    let mut zero_signature = forged.clone();
    zero_signature["signature"] = json!(b64_encode(&[0u8; 64]));
    dir.write("attack/zero-signature.csi", serde_json::to_vec_pretty(&zero_signature).unwrap());
    let unsigned = ["attack/hand-written.csi", "attack/email.csi", "attack/forged.csi", "attack/zero-signature.csi"];
    let expected = ["malformed_file", "malformed_file", "signature_invalid", "signature_invalid"];
    let out = ws.receive("clara", &unsigned).assert_code(FAILED);
    for (result, code) in out.results().iter().zip(expected) {
        assert_eq!(result["verdict"], "rejected", "{result:#}");
        assert_eq!(codes_of(&result["findings"]), [code], "{result:#}");
        assert!(result["confirmation_code"].is_null(), "no code without a valid signature: {result:#}");
    }

    // --- (b) Signed with the fraudster's own key, made under Globex's name.
    dir.mkdir("attacker");
    let own = dir.keygen_with(GLOBEX.0, "attacker/globex", &["--country", "DE", "--domain", "globex.com"]);
    ws.sign(&own, &mule, "attack/own-key.csi");
    let out = ws.receive("clara", &["attack/own-key.csi"]);
    let result = out.assert_received(FAILED, "rejected", Some("unknown_signer"));
    assert!(result["partner"].is_null(), "an unpinned key is nobody's: {result:#}");

    // --- (c) Replays of genuine files from the thread: one already received, one superseded.
    let out = ws.receive("clara", &["mail/globex-november.csi"]);
    out.assert_received(FAILED, "rejected", Some("replayed"));
    let out = ws.receive("clara", &[october.file.as_str()]);
    let result = out.assert_received(FAILED, "rejected", Some("replayed"));
    let message = result["findings"][0]["message"].as_str().unwrap().to_lowercase();
    assert!(message.contains("superseded"), "{message}");

    // --- (e) A genuine file Globex sent to Acme, forwarded to us.
    let out = ws.receive("clara", &["mail/globex-to-acme.csi"]);
    out.assert_received(FAILED, "rejected", Some("wrong_recipient"));

    // --- (d) Signed with Globex's real key, stolen (with its passphrase) from Globex.
    dir.write("attacker/stolen.key", dir.read(&globex.keys.key));
    let stolen = KeyFiles { key: "attacker/stolen.key".into(), ..globex.keys.clone() };
    ws.sign(&stolen, &mule, "attack/stolen-key.csi");
    ws.verify("clara", "attack/stolen-key.csi").assert_verdict(HOLD, "hold", Some("bank_details_changed"));
    let out = ws.receive("clara", &["attack/stolen-key.csi"]);
    let result = out.assert_received(HOLD, "hold", Some("bank_details_changed"));
    assert_eq!(result["partner"]["id"], globex.id, "{result:#}");
    assert!(
        result["findings"].as_array().unwrap().iter().all(|f| f["severity"] != "critical"),
        "validly signed by a pinned key: a hold, not a rejection: {result:#}"
    );
    let case_id = result["case_id"].as_i64().unwrap();
    let case = case_id.to_string();

    // Held means held: nobody can release it, and nobody can approve it before a callback.
    ws.run("clara", &["case", "release", &case]).assert_code(NOT_PERMITTED);
    ws.run("anna", &["case", "release", &case]).assert_code(FAILED);
    ws.run("anna", &["case", "approve", &case]).assert_code(FAILED);
    // The number in the fraudster's email is not one to call.
    ws.run("clara", &["--json", "case", "challenge", &case]).assert_code(OK);
    ws.run(
        "clara",
        &[
            "case",
            "callback",
            &case,
            "--dialed",
            EMAIL_NUMBER,
            "--reached",
            "Globex accounts",
            "--outcome",
            "confirmed",
            "--code",
            "1234 5678",
        ],
    )
    .assert_code(NOT_PERMITTED);
    // Globex, called on the number on file, never sent it: its own outbox has no such file.
    let fraud_id = result["instruction"]["id"].as_str().unwrap();
    assert!(dir.entries("globex/outbox").iter().all(|f| !f.contains(fraud_id)), "{}", dir.listing());
    let out = ws.callback("clara", case_id, "(Globex has no copy)", globex.phone, "denied").assert_code(OK);
    out.ensure(out.json()["status"] == "quarantined", "expected the case quarantined");

    // The fraudster tries again, with the stolen key, to the same account: rejected outright.
    ws.sign(&stolen, &details(GLOBEX.0, MULE_IBAN, MULE_BIC, "1310.00", "INV-11 URGENT"), "attack/stolen-again.csi");
    ws.receive("clara", &["attack/stolen-again.csi"]).assert_received(FAILED, "rejected", Some("account_suspected"));
    // Initech's admin revokes the stolen key; whatever it signs next is rejected.
    ws.admin(&["partner", "revoke-key", &globex.id.to_string(), "--reason", "stolen: used for a fraudulent instruction"]).assert_code(OK);
    ws.sign(&stolen, &details(GLOBEX.0, "DE44 5001 0517 5407 3249 31", "INGDDEFFXXX", "1310.00", "INV-11"), "attack/after-revocation.csi");
    ws.receive("clara", &["attack/after-revocation.csi"]).assert_received(FAILED, "rejected", Some("key_revoked"));

    // In the end, only the three genuine invoices were accepted, and the mule account is marked.
    let accepted = ws.admin(&["--json", "case", "list", "--status", "accepted"]).assert_code(OK).json();
    let mut ids: Vec<i64> = accepted["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, genuine, "{accepted:#}");
    let show = ws.partner_show(globex.id);
    let statuses: Vec<(&str, &str)> =
        show["accounts"].as_array().unwrap().iter().map(|a| (a["account"].as_str().unwrap(), a["status"].as_str().unwrap())).collect();
    assert_eq!(statuses, [(GLOBEX.4, "current"), (MULE_IBAN, "fraudulent")], "{show:#}");
}

// ---------------------------------------------------------------------------------------------
// A payment run of 1,000 files

const RUN: usize = 1000;
const INTERRUPTED_AFTER: usize = 500;

/// What file `i` of the run holds: mostly Globex's usual account (accepted); every hundredth a
/// change to another account (hold); two damaged files late in the run (rejected).
fn expected(i: usize) -> (&'static str, Vec<&'static str>) {
    match i {
        777 | 913 => ("rejected", vec!["malformed_file"]),
        i if i % 100 == 42 => ("hold", vec!["bank_details_changed"]),
        _ => ("accepted", vec![]),
    }
}

/// Writes the run's files for the workspace `ws` into `folder`, signed with Globex's key by the
/// library; returns their paths in order.
fn payment_run(dir: &TestDir, ws: &Workspace<'_>, globex: &countersign_core::format::keys::KeyPair, folder: &str) -> Vec<String> {
    let now = OffsetDateTime::now_utc();
    (0..RUN)
        .map(|i| {
            let path = format!("{folder}/{i:04}.csi");
            let (verdict, _) = expected(i);
            let (iban, bic) = if verdict == "hold" { (MULE_IBAN, MULE_BIC) } else { (GLOBEX.4, GLOBEX.5) };
            let amount = format!("{}.{:02}", 100 + i % 50, i % 100);
            let mut bytes = library_instruction(
                globex,
                &ws.fingerprint,
                &details(GLOBEX.0, iban, bic, &amount, &format!("RUN-{i}")),
                &format!("run-{i:04}"),
                now,
                |_| {},
            );
            if verdict == "rejected" {
                bytes.truncate(bytes.len() / 2);
            }
            dir.write(&path, bytes);
            path
        })
        .collect()
}

/// Checks the results of a run against [`expected`] from file `from` on: in order, one per
/// file, the right verdicts and codes.
#[track_caller]
fn check_run(out: &util::Output, files: &[String], from: usize) -> Vec<Value> {
    let results = out.results();
    assert_eq!(results.len(), files.len(), "expected one result per file");
    for (i, (result, file)) in results.iter().zip(files).enumerate().skip(from) {
        assert_eq!(result["file"], file.as_str(), "results out of order at {i}");
        let (verdict, codes) = expected(i);
        assert_eq!(result["verdict"], verdict, "file {i}: {result:#}");
        assert_eq!(codes_of(&result["findings"]), codes, "file {i}: {result:#}");
        if verdict != "rejected" {
            assert_eq!(result["instruction"]["id"], format!("run-{i:04}"), "file {i}");
        }
        assert!(result["case_id"].is_i64(), "file {i}: no case");
    }
    results
}

#[test]
fn a_payment_run_of_1000_files_in_one_receive_and_an_interrupted_run_received_again() {
    let dir = TestDir::new();
    dir.mkdir("globex");
    let globex_keys = dir.keygen_with(GLOBEX.0, GLOBEX.1, &["--country", "DE"]);
    let globex = dir.unlock(&globex_keys);
    let extra = ["--phone", GLOBEX.3, "--iban", GLOBEX.4, "--bic", GLOBEX.5];

    // One run, received in one call: 1,000 results in order; the exit code is the worst verdict.
    let whole = dir.init_workspace("whole", "Initech GmbH", "alice");
    whole.add_partner(&globex_keys, &extra);
    let files = payment_run(&dir, &whole, &globex, "run-whole");
    let paths: Vec<&str> = files.iter().map(String::as_str).collect();
    let out = whole.receive("alice", &paths).assert_code(FAILED);
    let reference = check_run(&out, &files, 0);
    let cases = whole.admin(&["--json", "case", "list"]).assert_code(OK).json();
    assert_eq!(cases["cases"].as_array().unwrap().len(), RUN, "one case per file");

    // The same run, interrupted after 500 files and then run again in full.
    let again = dir.init_workspace("again", "Initech GmbH", "alice");
    again.add_partner(&globex_keys, &extra);
    let files = payment_run(&dir, &again, &globex, "run-again");
    let paths: Vec<&str> = files.iter().map(String::as_str).collect();
    // The first half holds accepted files and holds, no rejection: exit 3.
    let out = again.receive("alice", &paths[..INTERRUPTED_AFTER]).assert_code(HOLD);
    check_run(&out, &files[..INTERRUPTED_AFTER], 0);
    let out = again.receive("alice", &paths).assert_code(FAILED);
    let results = check_run(&out, &files, INTERRUPTED_AFTER);
    for (i, result) in results.iter().enumerate().take(INTERRUPTED_AFTER) {
        assert_eq!(result["file"], files[i].as_str(), "results out of order at {i}");
        assert_eq!(result["verdict"], "rejected", "file {i}: {result:#}");
        // A replay is still assessed: a held file's change of account is reported again.
        let mut codes = vec!["replayed"];
        codes.extend(expected(i).1);
        assert_eq!(codes_of(&result["findings"]), codes, "file {i}: {result:#}");
    }
    // The rest come out as in the uninterrupted run.
    for i in INTERRUPTED_AFTER..RUN {
        assert_eq!(results[i]["verdict"], reference[i]["verdict"], "file {i}");
        assert_eq!(codes_of(&results[i]["findings"]), codes_of(&reference[i]["findings"]), "file {i}");
    }
}

/// Regression (issue 16, item 6): while a 6,000-file `receive` ran, `partner revoke-key` waited
/// 20 s and failed with "database is locked"; with 2,000 files it committed only after the whole
/// run, and the run went on using the keys it loaded at its start. An emergency revocation now
/// commits while the run goes on (the run yields to it between transactions), and every file
/// recorded after it sees it: `rejected`, `key_revoked`.
#[test]
fn an_emergency_revocation_during_a_payment_run_takes_effect_at_once() {
    const FILES: usize = 2_000;
    let dir = TestDir::new();
    dir.mkdir("globex");
    let globex_keys = dir.keygen_with(GLOBEX.0, GLOBEX.1, &["--country", "DE"]);
    let globex = dir.unlock(&globex_keys);
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_partner(&globex_keys, &["--phone", GLOBEX.3, "--iban", GLOBEX.4, "--bic", GLOBEX.5]);
    let now = OffsetDateTime::now_utc();
    let paths: Vec<String> = (0..FILES)
        .map(|i| {
            let path = format!("run/{i:04}.csi");
            let details = details(GLOBEX.0, GLOBEX.4, GLOBEX.5, "120.00", &format!("RUN-{i}"));
            dir.write(&path, library_instruction(&globex, &ws.fingerprint, &details, &format!("run-{i:04}"), now, |_| {}));
            path
        })
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let db = || rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    let count = |sql: &str| db().query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(0);
    let took = std::thread::scope(|scope| {
        let run = scope.spawn(|| ws.receive("alice", &paths));
        let waiting = std::time::Instant::now();
        while count("SELECT COUNT(*) FROM cases") < 100 {
            assert!(waiting.elapsed() < std::time::Duration::from_secs(120), "the run never got going");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let start = std::time::Instant::now();
        ws.admin(&["--json", "partner", "revoke-key", "1", "--reason", "laptop stolen"]).assert_code(OK);
        let took = start.elapsed();
        run.join().unwrap().assert_code(FAILED);
        took
    });
    eprintln!("the revocation, a whole command with its login, took {took:?} during the run");
    let revoked_at = count("SELECT seq FROM audit_events WHERE action = 'partner.revoke_key'");
    let after = count(&format!("SELECT COUNT(*) FROM audit_events WHERE action = 'instruction.receive' AND seq > {revoked_at}"));
    assert!(after > 0, "the revocation committed during the run, not after it");
    let not_revoked = count(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'instruction.receive' AND seq > {revoked_at}
         AND NOT (details LIKE '%\"verdict\":\"rejected\"%' AND details LIKE '%\"key_revoked\"%')"
    ));
    assert_eq!(not_revoked, 0, "every file recorded after the revocation is rejected as key_revoked");
    let before = count(&format!("SELECT COUNT(*) FROM cases WHERE verdict = 'accepted' AND id IN (SELECT CAST(substr(subject, 6) AS INTEGER) FROM audit_events WHERE action = 'instruction.receive' AND seq < {revoked_at})"));
    assert!(before >= 100, "the files before it were accepted");
    // Liveness, not speed: without the yield the revocation queued behind the whole run (10 s
    // of busy timeout, then "database is locked").
    assert!(took < std::time::Duration::from_secs(8), "the revocation waited {took:?}");
}
