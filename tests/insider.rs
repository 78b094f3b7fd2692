//! The insider attacks of issue 15, each tried through the CLI as the reviewers tried
//! them on the demo workspace, and each refused: no single user, whatever their role, can create,
//! approve or release a payment to an account that no second person has seen.
//!
//! The office: alice (admin), dave (approver), clara (clerk), and Globex and Acme onboarded while
//! alice was alone (setup mode). From dave's key on, two people can check: pinning, rotations,
//! approvers, resets, our account, a looser policy and clearing a mark are pending changes.

mod util;

use serde_json::Value;

use util::{details, KeyFiles, TestDir, Workspace, DEFAULT_PHONE, NEW_PASSWORD_ENV, PASSWORD_ENV};

/// Exit codes of CONTRACT.md.
const OK: i32 = 0;
const FAILED: i32 = 1;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

const GLOBEX_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const GLOBEX_BIC: &str = "COBADEFFXXX";
const ACME_IBAN: &str = "FR14 2004 1010 0505 0001 3M02 606";
const ACME_BIC: &str = "PSSTFRPPXXX";
const ACME_PHONE: &str = "+33 1 23 45 67 89";
/// alice's own account, where she would like to be paid.
const ALICE_IBAN: &str = "DE02 1203 0000 0000 2020 51";
const ALICE_BIC: &str = "BYLADEM1001";

struct Office<'d> {
    ws: Workspace<'d>,
    globex: KeyFiles,
    acme: KeyFiles,
    acme_id: i64,
}

fn office(dir: &TestDir) -> Office<'_> {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE", "--domain", "globex.example"]);
    ws.add_partner(&globex, &["--iban", GLOBEX_IBAN, "--bic", GLOBEX_BIC]);
    let acme = dir.keygen_with("Acme SARL", "acme", &["--country", "FR"]);
    let acme_id = ws.add_partner(&acme, &["--phone", ACME_PHONE, "--iban", ACME_IBAN, "--bic", ACME_BIC]);
    ws.add_user("clara", "clerk");
    ws.add_user("dave", "approver");
    ws.add_user("frank", "auditor");
    // A second approver once two can check: a change alice proposes and dave approves.
    ws.add_user("erin", "approver");
    let mode = ws.admin(&["--json", "change", "list"]).assert_code(OK).json();
    assert_eq!(mode["setup_mode"], false, "two people can check from dave on");
    Office { ws, globex, acme, acme_id }
}

/// The pending change a command's JSON names.
#[track_caller]
fn pending(out: &util::Output) -> String {
    let json = out.json();
    json["pending_change"]["id"].as_i64().unwrap_or_else(|| out.fail("expected a pending change")).to_string()
}

fn flags(ws: &Workspace<'_>, change: &str) -> Vec<String> {
    let show = ws.run("dave", &["--json", "change", "show", change]).assert_code(OK).json();
    show["flags"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

/// One admin pays herself: her own approver, her own partner with her own IBAN, a reset of the
/// real approver's password, a higher threshold. Each is a pending change she cannot approve,
/// and nothing she signed is accepted.
#[test]
fn one_admin_cannot_pay_herself() {
    let dir = TestDir::new();
    let o = office(&dir);
    let ws = &o.ws;
    // Her own approver: pending, and she cannot approve it.
    let out = ws
        .cmd("alice", &["--json", "user", "add", "--name", "mallory", "--role", "approver"])
        .env(NEW_PASSWORD_ENV, "mallory password 1")
        .run();
    let mallory = pending(&out.assert_code(OK));
    ws.run("alice", &["change", "approve", &mallory]).assert_code(NOT_PERMITTED).assert_stderr_contains("another approver or admin");
    ws.cmd("mallory", &["case", "list"]).env(PASSWORD_ENV, "mallory password 1").run().assert_code(NOT_PERMITTED);
    // Her own key, pinned as a partner with her own IBAN: pending; what she signs is not accepted.
    let own = dir.keygen_with("Alice Consulting", "alice-own", &["--country", "DE"]);
    let args = [
        "--json",
        "partner",
        "add",
        "--card",
        &own.card,
        "--confirm-fingerprint",
        &own.fingerprint,
        "--phone",
        "+49 89 1234567",
        "--iban",
        ALICE_IBAN,
        "--bic",
        ALICE_BIC,
    ];
    let pin = pending(&ws.admin(&args).assert_code(OK));
    ws.run("alice", &["change", "approve", &pin]).assert_code(NOT_PERMITTED);
    ws.sign(&own, &details("Alice Consulting", ALICE_IBAN, ALICE_BIC, "9990.00"), "alice.csi");
    ws.receive("clara", &["alice.csi"]).assert_received(FAILED, "rejected", Some("unknown_signer"));
    // The real approver's password reset: pending; dave's password still works, hers to him does not.
    let reset =
        ws.cmd("alice", &["--json", "user", "reset-password", "--name", "dave"]).env(NEW_PASSWORD_ENV, "alice knows this one").run();
    let reset = pending(&reset.assert_code(OK));
    ws.run("alice", &["change", "approve", &reset]).assert_code(NOT_PERMITTED);
    ws.run("dave", &["change", "approve", &reset]).assert_code(NOT_PERMITTED).assert_stderr_contains("about you");
    ws.cmd("dave", &["case", "list"]).env(PASSWORD_ENV, "alice knows this one").run().assert_code(NOT_PERMITTED);
    ws.run("dave", &["case", "list"]).assert_code(OK);
    // A higher threshold: pending; the policy is unchanged. A lower one applies at once.
    let raised = pending(&ws.admin(&["--json", "policy", "set", "approval_threshold_minor", "99999999"]).assert_code(OK));
    ws.run("alice", &["change", "approve", &raised]).assert_code(NOT_PERMITTED);
    let policy = ws.admin(&["--json", "policy", "show"]).assert_code(OK).json();
    assert_eq!(policy["approval_threshold_minor"], 1_000_000);
    ws.admin(&["--json", "policy", "set", "approval_threshold_minor", "500000"]).assert_code(OK);
    // dave rejects what he did not ask for; the log is intact and says who tried what.
    ws.run("dave", &["--json", "change", "reject", &pin, "--reason", "not a supplier of ours"]).assert_code(OK);
    let listed = ws.run("dave", &["--json", "change", "list"]).assert_code(OK).json();
    let open: Vec<&Value> = listed["changes"].as_array().unwrap().iter().collect();
    assert_eq!(open.len(), 3, "mallory, the reset and the threshold wait; the pinning was rejected: {listed:#}");
    let report = ws.admin(&["--json", "audit", "verify"]).assert_code(OK).json();
    assert_eq!(report["intact"], true, "{report:#}");
}

/// One clerk cuts a partner off: a denied callback on a routine hold makes Acme's real account
/// only *suspected*; the clerk cannot confirm it; clearing it takes two people, after which
/// Acme's next instruction to it is held for a callback instead of rejected.
#[test]
fn one_clerk_cannot_cut_a_partner_off_for_good() {
    let dir = TestDir::new();
    let o = office(&dir);
    let ws = &o.ws;
    for n in 0..3 {
        let usual = ws.sign(&o.acme, &details("Acme SARL", ACME_IBAN, ACME_BIC, "1200.00"), &format!("usual-{n}.csi"));
        ws.receive("clara", &[&usual.file]).assert_received(OK, "accepted", None);
    }
    let signed = ws.sign(&o.acme, &details("Acme SARL", ACME_IBAN, ACME_BIC, "75000.00"), "big.csi");
    let held = ws.receive("clara", &[&signed.file]).assert_received(HOLD, "hold", Some("amount_unusual"));
    let case = held["case_id"].as_i64().unwrap();
    ws.callback("clara", case, &signed.file, ACME_PHONE, "denied").assert_code(OK);
    let next = ws.sign(&o.acme, &details("Acme SARL", ACME_IBAN, ACME_BIC, "120.00"), "next.csi");
    ws.receive("clara", &[&next.file]).assert_received(FAILED, "rejected", Some("account_suspected"));
    // The clerk can neither confirm nor clear it; alice alone cannot clear it.
    ws.run("clara", &["account", "confirm-fraud", ACME_IBAN, "--reason", "sure"]).assert_code(NOT_PERMITTED);
    ws.run("clara", &["account", "clear", ACME_IBAN, "--reason", "sorry"]).assert_code(NOT_PERMITTED);
    let clear =
        pending(&ws.admin(&["--json", "account", "clear", ACME_IBAN, "--reason", "Acme confirmed the account in writing"]).assert_code(OK));
    ws.run("alice", &["change", "approve", &clear]).assert_code(NOT_PERMITTED);
    let marks = ws.run("dave", &["--json", "account", "list"]).assert_code(OK).json();
    assert_eq!(marks["accounts"][0]["status"], "suspected", "{marks:#}");
    ws.run("dave", &["--json", "change", "approve", &clear]).assert_code(OK);
    assert_eq!(ws.run("dave", &["--json", "account", "list"]).assert_code(OK).json()["accounts"], Value::Array(vec![]));
    let after = ws.sign(&o.acme, &details("Acme SARL", ACME_IBAN, ACME_BIC, "120.00"), "after.csi");
    let result = ws.receive("clara", &[&after.file]).assert_code(HOLD).json();
    assert_eq!(result["results"][0]["verdict"], "hold", "a cleared account is seen again through a callback: {result:#}");
    let show = ws.partner_show(o.acme_id);
    assert_eq!(show["accounts"][0]["status"], "pending", "{show:#}");
    // An auditor's bundle of the denied case verifies offline: its statements carry the
    // decisions on changes that erin's approval rests on.
    ws.run("frank", &["--json", "audit", "export", "--out", "case.bundle", "--case", &case.to_string()]).assert_code(OK);
    let report = ws.run("frank", &["--json", "audit", "verify", "--bundle", "case.bundle"]).assert_code(OK).json();
    assert_eq!((report["intact"].as_bool(), report["statements_checked"].as_bool()), (Some(true), Some(true)), "{report:#}");
}

/// A stolen key rotates itself: the rotation statement signed with the stolen Globex key names
/// the attacker's key. Called on the number on file, the real Globex cannot read back the
/// attacker's fingerprint; an admin who types it from the statement anyway only proposes a
/// change, and until a second person approves it the genuine key stays current and the
/// attacker's key verifies nothing.
#[test]
fn a_stolen_key_cannot_rotate_itself() {
    let dir = TestDir::new();
    let o = office(&dir);
    let ws = &o.ws;
    let attacker = dir.keygen_with("Globex Corporation", "attacker", &["--country", "DE"]);
    dir.countersign(&["--json", "rotate", "--key", &o.globex.key, "--new", &attacker.card, "--out", "rotation.json"])
        .passphrase()
        .run()
        .assert_code(OK);
    let rotate = |typed: &str, dialed: &str| {
        ws.admin(&[
            "--json",
            "partner",
            "rotate-key",
            "1",
            "--statement",
            "rotation.json",
            "--confirm-fingerprint",
            typed,
            "--dialed",
            dialed,
        ])
    };
    // What Globex reads back on its number on file is its own genuine fingerprint.
    rotate(&o.globex.fingerprint, DEFAULT_PHONE).assert_code(FAILED).assert_stderr_contains("not that of the new key");
    // The number in the attacker's email is not on file.
    rotate(&attacker.fingerprint, "+44 20 7946 0018").assert_code(NOT_PERMITTED);
    // Typed from the statement itself: only a pending change.
    let change = pending(&rotate(&attacker.fingerprint, DEFAULT_PHONE).assert_code(OK));
    ws.run("alice", &["change", "approve", &change]).assert_code(NOT_PERMITTED);
    let keys = ws.partner_show(1)["keys"].clone();
    assert_eq!(keys.as_array().unwrap().len(), 1, "{keys:#}");
    assert_eq!(keys[0]["status"], "active");
    ws.sign(&attacker, &details("Globex Corporation", ALICE_IBAN, ALICE_BIC, "48200.00"), "attacker.csi");
    let refused = ws.receive("clara", &["attacker.csi"]).assert_received(FAILED, "rejected", Some("unknown_signer"));
    let message = refused["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("change {change}")) && message.contains("second person"), "{message}");
    ws.sign(&o.globex, &details("Globex Corporation", GLOBEX_IBAN, GLOBEX_BIC, "120.00"), "genuine.csi");
    ws.receive("clara", &["genuine.csi"]).assert_received(OK, "accepted", None);
}

/// Look-alike partners at onboarding: the checker sees why to look twice; an account confirmed
/// fraudulent is refused outright.
#[test]
fn look_alike_partners_are_flagged_for_the_checker() {
    let dir = TestDir::new();
    let o = office(&dir);
    let ws = &o.ws;
    let onboard = |card: &KeyFiles, extra: &[&str]| {
        let mut args =
            vec!["--json", "partner", "add", "--card", &card.card, "--confirm-fingerprint", &card.fingerprint, "--phone", "+49 40 7654321"];
        args.extend_from_slice(extra);
        ws.admin(&args)
    };
    let cyrillic = dir.keygen_with("Glоbex Corporation", "cyrillic", &["--country", "DE"]);
    let change = pending(&onboard(&cyrillic, &[]).assert_code(OK));
    assert!(flags(ws, &change).contains(&"partner_name_lookalike".to_string()));
    let duplicate = dir.keygen_with("Globex Corporation", "duplicate", &["--country", "DE", "--domain", "g1obex.example"]);
    let change = pending(&onboard(&duplicate, &[]).assert_code(OK));
    assert_eq!(flags(ws, &change), ["partner_name_duplicate", "partner_domain_lookalike"]);
    let sharer = dir.keygen_with("Initrode AG", "initrode", &["--country", "DE"]);
    let change = pending(&onboard(&sharer, &["--iban", ACME_IBAN, "--bic", ACME_BIC]).assert_code(OK));
    assert_eq!(flags(ws, &change), ["account_used_by_other_partner"]);
    // The pinned key itself again: refused before anything is proposed.
    onboard(&o.globex, &[]).assert_code(2).assert_stderr_contains("already pinned");
    // An account confirmed fraudulent is refused as a contract account.
    let signed = ws.sign(&o.globex, &details("Globex Corporation", ALICE_IBAN, ALICE_BIC, "48200.00"), "mule.csi");
    let held = ws.receive("clara", &[&signed.file]).assert_received(HOLD, "hold", Some("bank_details_changed"));
    ws.callback("clara", held["case_id"].as_i64().unwrap(), &signed.file, DEFAULT_PHONE, "denied").assert_code(OK);
    ws.run("dave", &["account", "confirm-fraud", ALICE_IBAN, "--reason", "Globex never sent it"]).assert_code(OK);
    let mule = dir.keygen_with("Mule Trading GmbH", "mule", &["--country", "DE"]);
    onboard(&mule, &["--iban", ALICE_IBAN, "--bic", ALICE_BIC]).assert_code(FAILED).assert_stderr_contains("confirmed fraudulent");
}

/// Setup mode (issue 15, item 2): a workspace whose changes one person could make alone says so
/// in `change list`, `case show`, its checkpoints and its bundles; once two people can check, it
/// says so no more and cannot fall back.
#[test]
fn setup_mode_is_said_everywhere_until_two_can_check_and_never_comes_back() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    ws.add_user("frank", "auditor");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE"]);
    ws.add_partner(&globex, &["--iban", GLOBEX_IBAN, "--bic", GLOBEX_BIC]);
    let said = |expected: bool| {
        let list = ws.admin(&["--json", "change", "list"]).assert_code(OK).json();
        assert_eq!(list["setup_mode"], expected, "change list");
        assert_eq!(ws.run("clara", &["--json", "case", "show", "1"]).assert_code(OK).json()["setup_mode"], expected, "case show");
        let note = ws.run("frank", &["--json", "audit", "checkpoint"]).assert_code(OK).json_str("checkpoint");
        assert_eq!(note.contains("\nmode setup\n"), expected, "the signed checkpoint: {note}");
        ws.run("frank", &["--json", "audit", "export", "--out", "b.bundle", "--case", "1"]).assert_code(OK);
        let report = ws.run("frank", &["--json", "audit", "verify", "--bundle", "b.bundle"]).assert_code(OK).json();
        assert_eq!(report["setup_mode"], expected, "the bundle: {report:#}");
        std::fs::remove_file(dir.join("b.bundle")).unwrap();
    };
    let signed = ws.sign(&globex, &details("Globex Corporation", GLOBEX_IBAN, GLOBEX_BIC, "120.00"), "small.csi");
    ws.receive("clara", &[&signed.file]).assert_received(OK, "accepted", None);
    said(true);
    let text = ws.run("clara", &["case", "show", "1"]).assert_code(OK).stdout();
    assert!(text.contains("SETUP MODE"), "{text}");
    ws.add_user("dave", "approver");
    said(false);
    ws.run("alice", &["user", "disable", "--name", "dave"]).assert_code(NOT_PERMITTED).assert_stderr_contains("fewer than two");
    said(false);
}
