//! Passwords through the CLI: an admin's `user reset-password` (admin only; the old password
//! stops working, the new one works, a second factor is cleared, and the new keyring still
//! holds the organisation's audit key, so the user can approve and release, and the approvals
//! they countersigned before still verify) and a user's own `user password` (the current
//! password checked, the old one refused afterwards, the second factor kept).

mod util;

use std::time::{SystemTime, UNIX_EPOCH};

use countersign_core::auth::totp::{code_at, TotpSecret, STEP_SECONDS};
use serde_json::Value;

use util::{details, password_of, KeyFiles, TestDir, Workspace, NEW_PASSWORD_ENV, PASSWORD_ENV};

const OK: i32 = 0;
const USAGE: i32 = 2;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

const CONTRACT_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const CONTRACT_BIC: &str = "COBADEFFXXX";
/// The accounts instructions change it to, one per case.
const CHANGED: [(&str, &str); 2] = [("DE02 1203 0000 0000 2020 51", "BYLADEM1001"), ("DE44 5001 0517 5407 3249 31", "INGDDEFFXXX")];

/// alice (admin), clara (clerk), anna (approver); partner Globex with its contract account.
fn office(dir: &TestDir) -> (Workspace<'_>, KeyFiles) {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    // No cooling-off (issue 20): these tests release a change at once; tests/cli_cooling_off.rs has the wait.
    ws.admin(&["--json", "policy", "set", "cooling_off_hours", "0"]).assert_code(OK);
    ws.add_user("clara", "clerk");
    ws.add_user("anna", "approver");
    let globex = dir.keygen("Globex Corporation", "globex");
    ws.add_partner(&globex, &["--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
    (ws, globex)
}

/// A held case (Globex changes its account to `CHANGED[n]`), called back by clara. Returns
/// its id.
fn called_back(ws: &Workspace<'_>, globex: &KeyFiles, n: usize) -> String {
    let (iban, bic) = CHANGED[n];
    let signed = ws.sign(globex, &details("Globex Corporation", iban, bic, "48250.00"), &format!("case{n}.csi"));
    let copy = signed.json["outbox"].as_str().map(String::from).unwrap_or_else(|| signed.file.clone());
    let result = ws.receive("clara", &[&signed.file]).assert_received(HOLD, "hold", Some("bank_details_changed"));
    let id = result["case_id"].as_i64().expect("a case id");
    ws.callback("clara", id, &copy, "+49 30 1234567", "confirmed").assert_code(OK);
    id.to_string()
}

/// `ARGS…` as `user` with `password` (and a one-time code, if given).
fn as_user(ws: &Workspace<'_>, user: &str, password: &str, totp: Option<&str>, args: &[&str]) -> util::TestCommand {
    let mut cmd = ws.cmd(user, args);
    cmd.env(PASSWORD_ENV, password);
    if let Some(code) = totp {
        cmd.env("COUNTERSIGN_TOTP", code);
    }
    cmd
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Enrols `user` in TOTP (no second factor yet) and returns the secret.
fn enrol(ws: &Workspace<'_>, user: &str) -> TotpSecret {
    let out = ws.run(user, &["--json", "user", "totp-enrol"]).assert_code(OK);
    TotpSecret::from_base32(&out.json_str("secret")).unwrap_or_else(|e| out.fail(&format!("the secret does not parse: {e}")))
}

/// The events `audit log --json` lists for the filter, as the admin.
fn log(ws: &Workspace<'_>, filter: &[&str]) -> Vec<Value> {
    let mut args = vec!["--json", "audit", "log"];
    args.extend_from_slice(filter);
    ws.admin(&args).assert_code(OK).json().as_array().unwrap().clone()
}

#[test]
fn an_admin_resets_a_password_the_old_one_stops_working_and_the_user_can_still_approve() {
    let dir = TestDir::new();
    let (ws, globex) = office(&dir);
    // anna approves and releases a first case with her first password and keyring.
    let first = called_back(&ws, &globex, 0);
    ws.run("anna", &["--json", "case", "approve", &first]).assert_code(OK);
    ws.run("anna", &["--json", "case", "release", &first]).assert_code(OK);
    ws.add_user("erin", "approver");
    let secret = enrol(&ws, "anna");

    // Only admins reset passwords, and not their own.
    let new_password = "anna's second password";
    ws.cmd("clara", &["user", "reset-password", "--name", "anna"]).env(NEW_PASSWORD_ENV, new_password).run().assert_code(NOT_PERMITTED);
    ws.cmd("alice", &["user", "reset-password", "--name", "alice"]).env(NEW_PASSWORD_ENV, new_password).run().assert_code(USAGE);
    ws.cmd("alice", &["user", "reset-password", "--name", "anna"]).env(NEW_PASSWORD_ENV, "short").run().assert_code(USAGE);
    // Whoever sets a password can act as that user: the reset is a pending change (issue 15),
    // which alice (its maker) may not approve, nor anna (whom it is about: the service's unit
    // tests show that refusal); erin does.
    let out =
        ws.cmd("alice", &["--json", "user", "reset-password", "--name", "anna"]).env(NEW_PASSWORD_ENV, new_password).run().assert_code(OK);
    let change = out.json()["pending_change"]["id"].as_i64().expect("a pending change").to_string();
    ws.run("alice", &["change", "approve", &change]).assert_code(NOT_PERMITTED).assert_stderr_contains("another approver");
    let login = ws.cmd("anna", &["case", "list"]).env(PASSWORD_ENV, new_password).run();
    login.assert_code(NOT_PERMITTED);
    let out = ws.run("erin", &["--json", "change", "approve", &change]).assert_code(OK);
    assert_eq!(out.json()["applied"]["name"], "anna", "{}", out.stdout());

    // The old password no longer works, even with her one-time code.
    let code = code_at(&secret, now());
    as_user(&ws, "anna", &password_of("anna"), Some(&code), &["case", "list"]).run().assert_code(NOT_PERMITTED);
    // The new one does, with no second factor: the enrolment was cleared.
    as_user(&ws, "anna", new_password, None, &["case", "list"]).run().assert_code(OK);

    // Her new keyring holds the audit key: she approves and releases (both write checkpoints).
    let second = called_back(&ws, &globex, 1);
    as_user(&ws, "anna", new_password, None, &["--json", "case", "approve", &second]).run().assert_code(OK);
    let released = as_user(&ws, "anna", new_password, None, &["--json", "case", "release", &second]).run().assert_code(OK);
    assert_eq!(released.json()["status"], "released");

    // The log is intact: her first approval's countersignature (by her old key) and her second
    // (by her new key) both verify.
    let report = ws.admin(&["--json", "audit", "verify"]).assert_code(OK);
    report.ensure(report.json()["intact"] == true && report.json()["checkpoints"] == 4, "expected an intact log with 4 checkpoints");

    // The reset is logged, with the second factor cleared, and a new key for anna.
    let resets = log(&ws, &["--action", "user.reset_password"]);
    assert_eq!(resets.len(), 1);
    // Written when erin approved alice's change, signed by erin, naming the change.
    assert_eq!((resets[0]["actor"].as_str(), resets[0]["subject"].as_str()), (Some("erin"), Some("user:anna")));
    assert_eq!(resets[0]["details"]["change"].as_i64(), change.parse().ok());
    assert_eq!(resets[0]["details"]["second_factor_cleared"], true);
    let keys = log(&ws, &["--action", "user.key_create"]);
    let anna_keys: Vec<&Value> = keys.iter().filter(|e| e["subject"] == "user:anna").collect();
    assert_eq!(anna_keys.len(), 2, "her first key and the one made at the reset");
    assert_eq!(anna_keys[1]["details"]["holds_audit_key"], true);
    assert_eq!(anna_keys[1]["details"]["why"], "password reset");
}

#[test]
fn a_user_changes_their_own_password_and_keeps_their_second_factor() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let secret = enrol(&ws, "clara");
    let old = password_of("clara");
    let new_password = "clara's second password";

    // One code of this 30-second step and one of the next: each is accepted for at least the
    // next 30 seconds (one step of clock skew either side), and only once, in this order.
    let step = now() / STEP_SECONDS;
    let this_step = code_at(&secret, step * STEP_SECONDS);
    let next_step = code_at(&secret, (step + 1) * STEP_SECONDS);

    // A wrong current password: refused, and logged.
    as_user(&ws, "clara", "not clara's password", Some(&this_step), &["user", "password"])
        .env(NEW_PASSWORD_ENV, new_password)
        .run()
        .assert_code(NOT_PERMITTED);
    let failed = log(&ws, &["--actor", "clara", "--action", "login.failed"]);
    assert_eq!(failed.len(), 1, "{failed:#?}");

    // The change, with this step's code; it is logged.
    let out = as_user(&ws, "clara", &old, Some(&this_step), &["--json", "user", "password"])
        .env(NEW_PASSWORD_ENV, new_password)
        .run()
        .assert_code(OK);
    assert_eq!((out.json()["name"].as_str(), out.json()["changed"].as_bool()), (Some("clara"), Some(true)));
    assert_eq!(log(&ws, &["--actor", "clara", "--action", "user.password_change"]).len(), 1);

    // The old password is refused; the new one still needs her second factor, which still works.
    as_user(&ws, "clara", &old, Some(&next_step), &["case", "list"]).run().assert_code(NOT_PERMITTED);
    as_user(&ws, "clara", new_password, None, &["case", "list"])
        .run()
        .assert_code(NOT_PERMITTED)
        .assert_stderr_contains("COUNTERSIGN_TOTP");
    as_user(&ws, "clara", new_password, Some(&next_step), &["case", "list"]).run().assert_code(OK);
}

#[test]
fn after_changing_their_password_an_approver_still_approves_and_releases() {
    let dir = TestDir::new();
    let (ws, globex) = office(&dir);
    let first = called_back(&ws, &globex, 0);
    ws.run("anna", &["--json", "case", "approve", &first]).assert_code(OK);
    let new_password = "anna's second password";
    ws.cmd("anna", &["user", "password"]).env(NEW_PASSWORD_ENV, "short").run().assert_code(USAGE);
    ws.cmd("anna", &["--json", "user", "password"]).env(NEW_PASSWORD_ENV, new_password).run().assert_code(OK);
    ws.run("anna", &["case", "list"]).assert_code(NOT_PERMITTED);
    // Her keyring, sealed again under the new password, still holds her key and the audit key.
    as_user(&ws, "anna", new_password, None, &["--json", "case", "release", &first]).run().assert_code(OK);
    let second = called_back(&ws, &globex, 1);
    as_user(&ws, "anna", new_password, None, &["--json", "case", "approve", &second]).run().assert_code(OK);
    let report = ws.admin(&["--json", "audit", "verify"]).assert_code(OK);
    report.ensure(report.json()["intact"] == true && report.json()["checkpoints"] == 3, "expected an intact log with 3 checkpoints");
    // Changing one's own password makes no new key: only the one from `user add`.
    let keys = log(&ws, &["--action", "user.key_create"]);
    assert_eq!(keys.iter().filter(|e| e["subject"] == "user:anna").count(), 1);
}
