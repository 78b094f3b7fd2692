//! CLI scenario of the cooling-off (issue 20, item 3): after a change of account is called back
//! and approved, the payment to the new account waits the policy's `cooling_off_hours` before
//! release. Inside the period `case release` is refused (`cooling_off`, exit 1), also after one
//! early-release request; an approver who called back on or approved the change may not ask
//! (exit 4); two other approvers, each with a reason, release it (the second one's command
//! releases, with its bank file); after the period (the debug build's clock moved a day ahead with
//! `COUNTERSIGN_TEST_CLOCK_AHEAD`, never a sleep) it is released at once, and with
//! `cooling_off_hours` 0 there is no wait at all. `case show` gives the time left, the log the
//! signed requests with their reasons, and `audit verify` replays them.

mod util;

use serde_json::Value;
use util::{details, TestDir, Workspace, DEFAULT_PHONE, FAILED, GLOBEX_CONTRACT_IBAN, GLOBEX_NEW_IBAN, HOLD, NOT_PERMITTED, OK, USAGE};

const ACME_CONTRACT_IBAN: &str = "FR1420041010050500013M02606";
const ACME_NEW_IBAN: &str = "DE94100700000000000002";

/// alice (admin), clara (clerk), and four approvers: dave, erin, gina, hank; our account on file.
fn office(dir: &TestDir) -> Workspace<'_> {
    let ws = dir.office(&["dave", "erin", "gina", "hank"]);
    ws.set_our_account();
    ws
}

/// A partner named `name` with `contract` on file sends `new` instead: received by clara (held,
/// `bank_details_changed`), called back by dave, approved by erin. Returns the case id.
fn changed_and_approved(dir: &TestDir, ws: &Workspace<'_>, name: &str, contract: &str, new: &str) -> String {
    let base = name.split_whitespace().next().unwrap_or(name).to_lowercase();
    let partner = dir.keygen(name, &base);
    ws.add_partner(&partner, &["--iban", contract, "--bic", "COBADEFFXXX"]);
    let signed = ws.sign(&partner, &details(name, new, "BYLADEM1001", "48250.00"), &format!("{base}.csi"));
    let copy = signed.json["outbox"].as_str().map(String::from).unwrap_or_else(|| signed.file.clone());
    let result = ws.receive("clara", &[&signed.file]).assert_received(HOLD, "hold", Some("bank_details_changed"));
    let id = result["case_id"].as_i64().expect("a case id").to_string();
    ws.callback("dave", id.parse().unwrap(), &copy, DEFAULT_PHONE, "confirmed").assert_code(OK);
    ws.run("erin", &["--json", "case", "approve", &id]).assert_code(OK);
    id
}

fn early(ws: &Workspace<'_>, user: &str, id: &str, reason: &str) -> util::Output {
    ws.run(user, &["--json", "case", "release", id, "--early", "--reason", reason])
}

/// Those who called back on or approved the change may not release it early, nor may a clerk;
/// a request needs `--early` and its reason together, and a reason that is not blank.
fn refused_early_requests(ws: &Workspace<'_>, id: &str) {
    for (user, why) in [("dave", "called back"), ("erin", "approved")] {
        let out = early(ws, user, id, "the supplier calls every day").assert_code(NOT_PERMITTED);
        out.ensure(out.error_code() == "not_permitted", why);
    }
    // Nor may a clerk; and a request needs its reason.
    early(ws, "clara", id, "urgent").assert_code(NOT_PERMITTED);
    ws.run("gina", &["case", "release", id, "--early"]).assert_code(USAGE);
    ws.run("gina", &["case", "release", id, "--reason", "why not"]).assert_code(USAGE);
    early(ws, "gina", id, "   ").assert_code(USAGE);
}

/// `user`'s queue lists case `id` apart, waiting for the clock until `until`, and not as work.
fn queue_lists_it_waiting(ws: &Workspace<'_>, user: &str, id: &str, until: &Value) {
    let queue = ws.run(user, &["--json", "case", "queue"]).assert_code(OK).json();
    assert_eq!(queue["cooling_off"]["count"], 1, "{queue:#}");
    assert_eq!(queue["cooling_off"]["cases"][0]["case"]["id"].to_string(), id);
    assert_eq!(&queue["cooling_off"]["cases"][0]["until"], until);
    let release = queue["queue"].as_array().unwrap().iter().find(|g| g["step"] == "release").unwrap();
    assert_eq!(release["count"], 0, "not work before the period ends");
    let text = ws.run(user, &["case", "queue"]).assert_code(OK);
    text.ensure(text.stdout().contains("Waiting out the cooling-off of a changed account (to release after it): 1"), "the text lists it");
}

/// The done-when line of issue 20: a release inside the cooling-off is refused unless two other
/// approvers override; after the period it goes at once.
#[test]
fn a_release_inside_the_cooling_off_is_refused_unless_two_other_approvers_release_it_early() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let id = changed_and_approved(&dir, &ws, "Globex Corporation", GLOBEX_CONTRACT_IBAN, GLOBEX_NEW_IBAN);

    // Inside the period: refused with its own code, the time left said; nothing changes.
    let refused = ws.run("erin", &["--json", "case", "release", &id]).assert_code(FAILED);
    refused.ensure(refused.error_code() == "cooling_off", "the refusal's code is cooling_off");
    let message = refused.json()["error"]["message"].as_str().unwrap_or_default().to_string();
    refused.ensure(message.contains("24 hours") && message.contains(" h ") && message.contains("0 asked"), "the message says how long");
    let text = ws.run("erin", &["case", "release", &id]).assert_code(FAILED);
    text.ensure(text.stderr().contains("min left"), "the text says the time left");

    let shown = ws.run("gina", &["--json", "case", "show", &id]).assert_code(OK).json();
    assert_eq!(shown["status"], "approved");
    let cooling = &shown["cooling_off"];
    assert_eq!((cooling["hours"].as_u64(), cooling["needed"].as_u64()), (Some(24), Some(2)), "{shown:#}");
    let left = cooling["left_seconds"].as_i64().unwrap();
    assert!((23 * 3600..=24 * 3600).contains(&left), "{left} seconds left");
    assert_eq!(shown["next_steps"], serde_json::json!(["release_early", "reject"]), "gina may release early, not release");
    queue_lists_it_waiting(&ws, "erin", &id, &cooling["until"]);
    let erin_sees = ws.run("erin", &["--json", "case", "show", &id]).assert_code(OK).json();
    assert_eq!(erin_sees["next_steps"], serde_json::json!(["reject"]), "erin approved it: no early release for her");
    let text = ws.run("gina", &["case", "show", &id]).assert_code(OK);
    text.ensure(text.stdout().contains("cooling-off   release waits until") && text.stdout().contains("0 of 2"), "case show says it");

    refused_early_requests(&ws, &id);

    // One early release is not enough.
    let first = early(&ws, "gina", &id, "payroll of the supplier's staff is due today").assert_code(OK).json();
    assert_eq!((first["released"].as_bool(), first["status"].as_str()), (Some(false), Some("approved")), "{first:#}");
    assert_eq!(first["early_release"]["asked_by"], serde_json::json!(["gina"]));
    let still = ws.run("erin", &["--json", "case", "release", &id]).assert_code(FAILED);
    still.ensure(still.error_code() == "cooling_off" && still.stdout().contains("1 asked"), "refused with one request");
    early(&ws, "gina", &id, "again").assert_code(FAILED);
    let shown = ws.run("hank", &["--json", "case", "show", &id]).assert_code(OK).json();
    let asked = &shown["cooling_off"]["early_releases"][0];
    assert_eq!((asked["by"].as_str(), asked["reason"].as_str()), (Some("gina"), Some("payroll of the supplier's staff is due today")));

    // The second approver's request releases it, with its bank file.
    let out = ws
        .run(
            "hank",
            &[
                "--json",
                "case",
                "release",
                &id,
                "--early",
                "--reason",
                "confirmed again in person",
                "--export",
                "pain001",
                "--out",
                "pay.xml",
            ],
        )
        .assert_code(OK)
        .json();
    assert_eq!(
        (out["released"].as_bool(), out["status"].as_str(), out["released_by"].as_str()),
        (Some(true), Some("released"), Some("hank"))
    );
    assert!(dir.read_string("pay.xml").contains(GLOBEX_NEW_IBAN));
    let shown = ws.run("alice", &["--json", "case", "show", &id]).assert_code(OK).json();
    let requests: Vec<(String, String)> = shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "case.release_early")
        .map(|e| (e["actor"].as_str().unwrap().to_string(), e["details"]["reason"].as_str().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(
        requests,
        [("gina".into(), "payroll of the supplier's staff is due today".into()), ("hank".into(), "confirmed again in person".into())]
    );
    ws.run("alice", &["--json", "audit", "verify"]).assert_code(OK);
}

/// After the period (the debug build's clock a day and an hour ahead, never a sleep), a change's
/// payment goes at once and an early release is refused as pointless.
#[test]
fn after_the_cooling_off_a_changed_accounts_payment_is_released_at_once() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let acme = changed_and_approved(&dir, &ws, "Acme SA", ACME_CONTRACT_IBAN, ACME_NEW_IBAN);
    ws.run("erin", &["--json", "case", "release", &acme]).assert_code(FAILED);
    let later = |user: &str, args: &[&str]| ws.cmd(user, args).env("COUNTERSIGN_TEST_CLOCK_AHEAD", "90000").run();
    let shown = later("erin", &["--json", "case", "show", &acme]).assert_code(OK).json();
    assert_eq!((&shown["cooling_off"], &shown["next_steps"]), (&Value::Null, &serde_json::json!(["release", "reject"])));
    later("gina", &["--json", "case", "release", &acme, "--early", "--reason", "no need"]).assert_code(FAILED);
    let released = later("erin", &["--json", "case", "release", &acme]).assert_code(OK).json();
    assert_eq!(released["status"], "released");
    later("alice", &["--json", "audit", "verify"]).assert_code(OK);
}

/// `cooling_off_hours` 0 (a loosening, so a pending change a second person approves): no wait,
/// and `policy show` says so.
#[test]
fn with_zero_hours_a_changed_accounts_payment_is_released_at_once() {
    let dir = TestDir::new();
    let ws = office(&dir);
    let shown = ws.run("clara", &["policy", "show"]).assert_code(OK);
    shown.ensure(shown.stdout().contains("wait 24 hours before release; 0 would mean no wait"), "policy show says what the hours mean");
    ws.admin_applied(&["--json", "policy", "set", "cooling_off_hours", "0"]).assert_code(OK);
    let shown = ws.run("clara", &["policy", "show"]).assert_code(OK);
    shown.ensure(shown.stdout().contains("no cooling-off: a payment to a changed account may be released at once"), "0 said");
    let id = changed_and_approved(&dir, &ws, "Globex Corporation", GLOBEX_CONTRACT_IBAN, GLOBEX_NEW_IBAN);
    let shown = ws.run("erin", &["--json", "case", "show", &id]).assert_code(OK).json();
    assert_eq!(shown["cooling_off"], Value::Null);
    ws.run("gina", &["--json", "case", "release", &id, "--early", "--reason", "no need"]).assert_code(FAILED);
    assert_eq!(ws.run("erin", &["--json", "case", "release", &id]).assert_code(OK).json()["status"], "released");
}
