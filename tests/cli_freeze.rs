//! CLI scenario of freeze notices (issue 20, item 2): a partner signs a freeze notice with
//! `countersign freeze`; one `receive` applies it at once, holding every open case of that partner
//! (a release is refused with `partner_frozen`, exit 1) and every later instruction; receiving it
//! again changes nothing and says so; one signed with a revoked key is `key_revoked` and one by a
//! stranger's key `unknown_signer`, and neither changes anything. The freeze is lifted by a
//! callback to a number on file and a second person (`partner unfreeze`, `change approve`); a
//! lift notice is refused while the partner has no recovery key. A partner whose card names a
//! recovery key freezes and lifts with it: a freeze that key signed holds every open case in one
//! receive, and its lift notice lifts the freeze. `audit verify` replays all of it.

mod util;

use serde_json::Value;
use util::{
    details, KeyFiles, TestDir, Workspace, DEFAULT_PHONE, FAILED, GLOBEX_CONTRACT_IBAN, GLOBEX_NEW_IBAN, HOLD, NOT_PERMITTED, OK, USAGE,
};

/// alice (admin), clara (clerk), dave and erin (approvers): two people can check, so four eyes
/// hold; our account on file.
fn office(dir: &TestDir) -> Workspace<'_> {
    let ws = dir.office(&["dave", "erin"]);
    ws.set_our_account();
    ws
}

/// `countersign freeze` with the partner's key, writing `out`.
fn freeze(dir: &TestDir, key: &KeyFiles, out: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--json", "freeze", "--key", &key.key, "--reason", "Our mail server was compromised", "--out", out];
    args.extend_from_slice(extra);
    dir.countersign(&args).passphrase().run().assert_code(OK).json()
}

/// The done-when line of issue 20: a freeze notice holds every case of that partner within one
/// receive; the next instruction is held; a release is refused; a replay is harmless.
#[test]
fn a_freeze_notice_holds_every_open_case_and_the_next_instruction_within_one_receive() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let (partner, id) = ws.add_globex();
    // Two open cases: one to the contract account (accepted), one to a new account (held).
    let paid = ws.sign(&partner, &details("Globex Corporation", GLOBEX_CONTRACT_IBAN, "COBADEFFXXX", "120.00"), "a.csi");
    let accepted = ws.receive("clara", &[&paid.file]).assert_received(OK, "accepted", None);
    let accepted_id = accepted["case_id"].as_i64().unwrap().to_string();
    let changed = ws.sign(&partner, &details("Globex Corporation", GLOBEX_NEW_IBAN, "BYLADEM1001", "48250.00"), "b.csi");
    let held = ws.receive("clara", &[&changed.file]).assert_received(HOLD, "hold", Some("bank_details_changed"));
    let held_id = held["case_id"].as_i64().unwrap();

    let notice = freeze(&dir, &partner, "freeze.csf", &[]);
    let freeze_id = notice["id"].as_str().unwrap().to_string();
    assert_eq!(notice["scope"], "all");

    // One receive: applied at once, every open case held, a hold-like exit.
    let out = ws.receive("clara", &["freeze.csf"]).assert_code(HOLD);
    let result = out.one_result();
    assert_eq!(
        (result["kind"].as_str(), result["outcome"].as_str(), result["verdict"].as_str()),
        (Some("freeze_notice"), Some("applied"), Some("hold")),
        "{result:#}"
    );
    assert_eq!(result["partner"]["id"].as_i64(), Some(id));
    assert_eq!(result["freeze"]["id"].as_str(), Some(freeze_id.as_str()));
    assert_eq!(result["held_cases"], serde_json::json!([accepted_id.parse::<i64>().unwrap(), held_id]));
    assert_eq!(util::codes_of(&result["findings"]), ["partner_frozen"]);

    // The case says why it is held, and its release is refused with its own code.
    let shown = ws.run("dave", &["--json", "case", "show", &accepted_id]).assert_code(OK).json();
    assert_eq!(shown["partner_frozen"]["code"], "partner_frozen", "{shown:#}");
    assert!(!shown["next_steps"].as_array().unwrap().iter().any(|s| s == "release"), "no release offered: {shown:#}");
    let refused = ws.run("dave", &["--json", "case", "release", &accepted_id]).assert_code(FAILED);
    refused.ensure(refused.error_code() == "partner_frozen", "the refusal's code is partner_frozen");
    let text = ws.run("dave", &["case", "show", &accepted_id]).assert_code(OK);
    text.ensure(text.stdout().contains("FROZEN BY THE PARTNER"), "case show says it in words");

    // The partner's page says so.
    let partner_view = ws.partner_show(id);
    assert_eq!((partner_view["frozen"].as_bool(), partner_view["freezes"][0]["id"].as_str()), (Some(true), Some(freeze_id.as_str())));
    let text = ws.run("clara", &["partner", "show", &id.to_string()]).assert_code(OK);
    text.ensure(text.stdout().contains("FROZEN"), "partner show says it");

    // The next instruction, even to the contract account, is held.
    let next = ws.sign(&partner, &details("Globex Corporation", GLOBEX_CONTRACT_IBAN, "COBADEFFXXX", "130.00"), "c.csi");
    ws.receive("clara", &[&next.file]).assert_received(HOLD, "hold", Some("partner_frozen"));

    // Received again: harmless, and said so.
    let again = ws.receive("clara", &["freeze.csf"]).assert_code(HOLD).one_result();
    assert_eq!(again["outcome"], "already_applied", "{again:#}");
    let log = ws.admin(&["--json", "audit", "log"]).assert_code(OK).stdout();
    for action in ["partner.freeze", "case.frozen", "partner.freeze_repeated"] {
        assert!(log.contains(&format!("\"{action}\"")), "{action} logged");
    }
    ws.admin(&["--json", "audit", "verify"]).assert_code(OK);
}

/// The done-when line of issue 20: a freeze notice signed with the recovery key (the signing key
/// may be the one stolen) holds every case of that partner within one receive; a lift notice the
/// recovery key signed lifts it, and one the signing key signed does not.
#[test]
fn a_freeze_signed_with_the_recovery_key_holds_every_case_and_its_lift_notice_lifts_it() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let mut made = dir.countersign(&["--json", "keygen", "--recovery", "--name", "Globex Corporation", "--out", "globex-recovery"]);
    made.passphrase().run().assert_code(OK);
    let partner = dir.keygen_with("Globex Corporation", "globex", &["--recovery-key", "globex-recovery.pub"]);
    let id = ws.add_partner(&partner, &["--iban", GLOBEX_CONTRACT_IBAN, "--bic", "COBADEFFXXX"]);
    let paid = ws.sign(&partner, &details("Globex Corporation", GLOBEX_CONTRACT_IBAN, "COBADEFFXXX", "120.00"), "a.csi");
    let case = ws.receive("clara", &[&paid.file]).assert_received(OK, "accepted", None)["case_id"].as_i64().unwrap();

    let by_recovery = ["--partner-key", partner.fingerprint.as_str(), "--key", "globex-recovery.key"];
    let mut args = vec!["--json", "freeze", "--reason", "Our signing key was stolen", "--out", "freeze.csf"];
    args.extend(by_recovery);
    let notice = dir.countersign(&args).passphrase().run().assert_code(OK).json();
    let freeze_id = notice["id"].as_str().unwrap().to_string();
    let result = ws.receive("clara", &["freeze.csf"]).assert_code(HOLD).one_result();
    assert_eq!((result["outcome"].as_str(), &result["held_cases"]), (Some("applied"), &serde_json::json!([case])), "{result:#}");
    let refused = ws.run("dave", &["--json", "case", "release", &case.to_string()]).assert_code(FAILED);
    refused.ensure(refused.error_code() == "partner_frozen", "the release is refused");

    let lift = |key: &str, out: &str| {
        let args = ["--json", "freeze-lift", "--key", key, "--freeze", &freeze_id, "--partner-key", &partner.fingerprint];
        dir.countersign(&args).args(&["--reason", "a new signing key is in place", "--out", out]).passphrase().run()
    };
    lift(&partner.key, "lift-by-signing-key.csf").assert_code(USAGE).assert_stderr_contains("not a recovery key");
    lift("globex-recovery.key", "lift.csf").assert_code(OK);
    let lifted = ws.receive("clara", &["lift.csf"]).assert_code(OK).one_result();
    assert_eq!(lifted["kind"].as_str(), Some("freeze_lift"), "{lifted:#}");
    let view = ws.partner_show(id);
    assert_eq!((view["frozen"].as_bool(), view["freezes"][0]["lifted"]["how"].as_str()), (Some(false), Some("notice")), "{view:#}");
    ws.admin(&["--json", "audit", "verify"]).assert_code(OK);
}

/// A notice signed by a revoked key is `key_revoked`, by a key that is not the partner's
/// `unknown_signer`; neither changes anything.
#[test]
fn a_freeze_notice_signed_with_a_revoked_or_unknown_key_is_rejected_and_changes_nothing() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let (partner, id) = ws.add_globex();
    let stranger = dir.keygen("Mallory Ltd", "mallory");
    freeze(&dir, &stranger, "stranger.csf", &[]);
    let out = ws.receive("clara", &["stranger.csf"]).assert_code(FAILED);
    let result = out.one_result();
    assert_eq!((result["outcome"].as_str(), result["verdict"].as_str()), (Some("refused"), Some("rejected")));
    assert_eq!(util::codes_of(&result["findings"]), ["unknown_signer"]);

    freeze(&dir, &partner, "revoked.csf", &[]);
    ws.admin(&["--json", "partner", "revoke-key", &id.to_string(), "--reason", "stolen"]).assert_code(OK);
    let out = ws.receive("clara", &["revoked.csf"]).assert_code(FAILED);
    assert_eq!(util::codes_of(&out.one_result()["findings"]), ["key_revoked"]);
    let view = ws.partner_show(id);
    assert_eq!((view["frozen"].as_bool(), view["freezes"].as_array().map(Vec::len)), (Some(false), Some(0)), "{view:#}");
    let log = ws.admin(&["--json", "audit", "log"]).assert_code(OK).stdout();
    assert!(log.contains("\"partner.freeze_refused\"") && !log.contains("\"partner.freeze\""), "refusals logged, nothing applied");
    ws.admin(&["--json", "audit", "verify"]).assert_code(OK);
}

/// Lifting by a callback to a number on file needs a second person; until the change is
/// approved the release stays refused. A lift notice is refused: the partner has no recovery key.
#[test]
fn a_freeze_is_lifted_by_a_callback_and_a_second_person() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let (partner, id) = ws.add_globex();
    let paid = ws.sign(&partner, &details("Globex Corporation", GLOBEX_CONTRACT_IBAN, "COBADEFFXXX", "120.00"), "a.csi");
    let case = ws.receive("clara", &[&paid.file]).assert_received(OK, "accepted", None)["case_id"].as_i64().unwrap().to_string();
    let freeze_id = freeze(&dir, &partner, "freeze.csf", &[])["id"].as_str().unwrap().to_string();
    ws.receive("clara", &["freeze.csf"]).assert_code(HOLD);

    // A lift notice: only the recovery key lifts, and the partner has none on file (this one
    // was made but never named on a card we pinned).
    let mut made = dir.countersign(&["--json", "keygen", "--recovery", "--name", "Globex Corporation", "--out", "unpinned-recovery"]);
    made.passphrase().run().assert_code(OK);
    dir.countersign(&[
        "--json",
        "freeze-lift",
        "--key",
        "unpinned-recovery.key",
        "--freeze",
        &freeze_id,
        "--partner-key",
        &partner.fingerprint,
        "--reason",
        "fixed",
        "--out",
        "lift.csf",
    ])
    .passphrase()
    .run()
    .assert_code(OK);
    let lift = ws.receive("clara", &["lift.csf"]).assert_code(FAILED);
    let result = lift.one_result();
    assert_eq!((result["kind"].as_str(), result["outcome"].as_str()), (Some("freeze_lift"), Some("refused")));
    assert!(result["findings"][0]["message"].as_str().unwrap().contains("this partner has no recovery key"), "{result:#}");

    // A number not on file, and a callback that did not confirm, lift nothing.
    let pid = id.to_string();
    ws.admin(&["--json", "partner", "unfreeze", &pid, "--callback-number", "+49 30 9999999", "--outcome", "confirmed"])
        .assert_code(NOT_PERMITTED);
    ws.admin(&["--json", "partner", "unfreeze", &pid, "--callback-number", DEFAULT_PHONE, "--outcome", "denied"]).assert_code(FAILED);
    // Confirmed: a pending change; the release stays refused until a second person approves.
    let asked = ws
        .admin(&["--json", "partner", "unfreeze", &pid, "--callback-number", DEFAULT_PHONE, "--outcome", "confirmed"])
        .assert_code(OK)
        .json();
    let change = asked["pending_change"]["id"].as_i64().unwrap_or_else(|| panic!("a pending change: {asked:#}")).to_string();
    ws.run("dave", &["--json", "case", "release", &case]).assert_code(FAILED);
    ws.run("alice", &["--json", "change", "approve", &change]).assert_code(NOT_PERMITTED);
    ws.run("erin", &["--json", "change", "approve", &change]).assert_code(OK);
    let view = ws.partner_show(id);
    assert_eq!(view["frozen"].as_bool(), Some(false), "{view:#}");
    assert_eq!(
        (view["freezes"][0]["lifted"]["how"].as_str(), view["freezes"][0]["lifted"]["by"].as_str()),
        (Some("callback"), Some("erin"))
    );
    ws.run("dave", &["--json", "case", "release", &case]).assert_code(OK);
    // The lifted freeze's notice received again holds nothing: accepted, and said so.
    let again = ws.receive("clara", &["freeze.csf"]).assert_code(OK).one_result();
    assert_eq!((again["outcome"].as_str(), again["verdict"].as_str()), (Some("already_applied"), Some("accepted")), "{again:#}");
    assert_eq!(ws.partner_show(id)["frozen"].as_bool(), Some(false));
    ws.admin(&["--json", "audit", "verify"]).assert_code(OK);
}

/// Scope `all_but`: payments to the one account the notice names are not held by the freeze.
#[test]
fn a_freeze_but_one_account_spares_payments_to_that_account() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let (partner, _) = ws.add_globex();
    let notice = freeze(&dir, &partner, "freeze.csf", &["--except-iban", GLOBEX_CONTRACT_IBAN]);
    assert_eq!(notice["scope"], "all_but");
    ws.receive("clara", &["freeze.csf"]).assert_code(HOLD);
    let spared = ws.sign(&partner, &details("Globex Corporation", GLOBEX_CONTRACT_IBAN, "COBADEFFXXX", "120.00"), "a.csi");
    ws.receive("clara", &[&spared.file]).assert_received(OK, "accepted", None);
    let other = ws.sign(&partner, &details("Globex Corporation", GLOBEX_NEW_IBAN, "BYLADEM1001", "120.00"), "b.csi");
    let result = ws.receive("clara", &[&other.file]).assert_received(HOLD, "hold", Some("partner_frozen"));
    assert!(util::codes_of(&result["findings"]).contains(&"bank_details_changed".to_string()));
}

/// Regression: the doc comment of `partner revoke-key` sat above `partner unfreeze`, so the help
/// of `unfreeze` began "Revoke a partner's key" and `revoke-key`'s left out the --statement way.
#[test]
fn partner_unfreeze_and_revoke_key_each_say_what_they_do_in_their_help() {
    let dir = TestDir::new();
    let unfreeze = dir.countersign(&["partner", "unfreeze", "--help"]).run().assert_code(OK).stdout();
    assert!(unfreeze.starts_with("Lift a partner's freeze") && !unfreeze.contains("Revoke"), "{unfreeze}");
    let revoke = dir.countersign(&["partner", "revoke-key", "--help"]).run().assert_code(OK).stdout();
    assert!(revoke.starts_with("Revoke a partner's key") && revoke.contains("either applies at once"), "{revoke}");
    let partner = dir.countersign(&["partner", "--help"]).run().assert_code(OK).stdout();
    let line = |command: &str| partner.lines().find(|l| l.trim_start().starts_with(command)).unwrap_or_default().to_string();
    assert!(line("unfreeze").contains("Lift a partner's freeze"), "{partner}");
    assert!(line("revoke-key").contains("Revoke a partner's key"), "{partner}");
}
