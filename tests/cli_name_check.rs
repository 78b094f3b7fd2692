//! CLI scenario of bank name checks as evidence (issue 20, item 5): an approver attaches the
//! answer of the payee's bank to a Verification-of-Payee (or Confirmation-of-Payee) request with
//! `case name-check`. A no match (`NMTC`) holds the case, and an approved case goes back to hold
//! (its approval was given without that fact); a close match shows the bank's name beside ours; a
//! clerk or an admin is refused (exit 4), an account other than the case's is refused (exit 1),
//! bad input is a usage error (exit 2), and none of them changes anything; `audit verify` replays
//! the signed statement and detects a hand-edited name-check row.

mod util;

use serde_json::{json, Value};
use sha2::Digest;
use util::{details, TestDir, Workspace, DEFAULT_PHONE, FAILED, GLOBEX_CONTRACT_IBAN, GLOBEX_NEW_IBAN, HOLD, NOT_PERMITTED, OK, USAGE};

/// alice (admin), clara (clerk), dave and erin (approvers), and Globex with its contract account.
fn office(dir: &TestDir) -> (Workspace<'_>, util::KeyFiles) {
    let ws = dir.office(&["dave", "erin"]);
    let (globex, _) = ws.add_globex();
    (ws, globex)
}

/// Globex's instruction paying `iban`, received by clara: the case id and the partner's copy.
fn received(ws: &Workspace<'_>, globex: &util::KeyFiles, iban: &str, exit: i32, verdict: &str, out: &str) -> (String, String) {
    let code = (verdict == "hold").then_some("bank_details_changed");
    let signed = ws.sign(globex, &details("Globex Corporation", iban, "COBADEFFXXX", "1250.00"), out);
    let copy = signed.json["outbox"].as_str().map(String::from).unwrap_or_else(|| signed.file.clone());
    let result = ws.receive("clara", &[&signed.file]).assert_received(exit, verdict, code);
    (result["case_id"].as_i64().expect("a case id").to_string(), copy)
}

/// `case name-check` by `user` on case `id` sending `account`, answering `answer`; `extra` adds
/// options or replaces the defaults (a VoP answer through the API, asked and answered in 2025).
fn name_check(ws: &Workspace<'_>, user: &str, id: &str, account: &str, answer: &str, extra: &[&str]) -> util::Output {
    let defaults = [
        ("--scheme", "vop"),
        ("--request-id", "VOP-8c1f2a"),
        ("--requested-at", "2025-11-03T09:30:00Z"),
        ("--answered-at", "2025-11-03T09:30:02Z"),
        ("--name-sent", "Globex Corporation"),
        ("--account-sent", account),
        ("--answer", answer),
        ("--obtained", "api"),
    ];
    let mut args = vec!["--json", "case", "name-check", id];
    for (flag, value) in defaults.into_iter().filter(|(flag, _)| !extra.contains(flag)) {
        args.extend([flag, value]);
    }
    args.extend_from_slice(extra);
    ws.run(user, &args)
}

fn shown(ws: &Workspace<'_>, id: &str) -> Value {
    ws.run("dave", &["--json", "case", "show", id]).assert_code(OK).json()
}

fn finding<'a>(case: &'a Value, code: &str) -> Option<&'a Value> {
    case["findings"].as_array()?.iter().find(|f| f["code"] == code)
}

/// The done-when line of issue 20: "a `NMTC` answer holds the case"; and an approved case goes
/// back to hold, to be called back and approved again with the bank's answer in the file.
#[test]
fn a_no_match_holds_the_case_and_an_approved_case_goes_back_to_hold() {
    let dir = TestDir::new();
    let (ws, globex) = office(&dir);

    // An accepted case a clerk could release: held by the bank's no match.
    let (accepted, _) = received(&ws, &globex, GLOBEX_CONTRACT_IBAN, OK, "accepted", "first.csi");
    let out = name_check(&ws, "dave", &accepted, "DE89 3704 0044 0532 0130 00", "NMTC", &[]).assert_code(OK).json();
    assert_eq!((out["status"].as_str(), out["outcome"].as_str()), (Some("hold"), Some("no_match")), "{out:#}");
    let case = shown(&ws, &accepted);
    assert_eq!(case["status"], "hold");
    let f = finding(&case, "vop_no_match").expect("a vop_no_match finding");
    assert_eq!(f["severity"], "critical");
    assert_eq!(case["name_checks"][0]["attached_by"], "dave");
    ws.run("clara", &["--json", "case", "release", &accepted]).assert_code(NOT_PERMITTED);

    // An approved case (a change of account, called back and approved) goes back to hold.
    let (approved, copy) = received(&ws, &globex, GLOBEX_NEW_IBAN, HOLD, "hold", "second.csi");
    ws.callback("dave", approved.parse().unwrap(), &copy, DEFAULT_PHONE, "confirmed").assert_code(OK);
    ws.run("erin", &["--json", "case", "approve", &approved]).assert_code(OK);
    assert_eq!(shown(&ws, &approved)["status"], "approved");
    name_check(&ws, "erin", &approved, GLOBEX_NEW_IBAN, "NMTC", &[]).assert_code(OK);
    let case = shown(&ws, &approved);
    assert_eq!(case["status"], "hold", "{case:#}");
    let release = ws.run("erin", &["--json", "case", "release", &approved]).assert_code(FAILED);
    release.ensure(release.json()["error"]["code"] == "check_failed", "a held case is not released");
    let text = ws.run("dave", &["case", "show", &approved]).assert_code(OK);
    text.ensure(text.stdout().contains("vop_no_match") && text.stdout().contains("name check    VOP NMTC (no match)"), "case show says it");
    assert_eq!(ws.run("alice", &["--json", "audit", "verify"]).code(), OK, "the replay agrees");
}

#[test]
fn a_close_match_shows_the_banks_name_beside_ours_and_keeps_the_files_hash() {
    let dir = TestDir::new();
    let (ws, globex) = office(&dir);
    let (id, _) = received(&ws, &globex, GLOBEX_CONTRACT_IBAN, OK, "accepted", "first.csi");
    let screenshot = dir.write("vop-answer.png", b"\x89PNG a screenshot of the bank's answer");
    let sha = format!("{:x}", sha2::Sha256::digest(std::fs::read(&screenshot).unwrap()));
    let evidence = screenshot.to_str().unwrap();
    let extra = ["--matched-name", "Globex Corp Ltd", "--obtained", "screenshot", "--evidence", evidence];
    name_check(&ws, "dave", &id, GLOBEX_CONTRACT_IBAN, "CMTC", &extra).assert_code(OK);
    let case = shown(&ws, &id);
    assert_eq!(case["status"], "accepted", "a close match holds nothing by itself");
    let f = finding(&case, "vop_close_match").expect("a vop_close_match finding");
    assert_eq!((f["severity"].as_str(), f["values"]["bank_name"].as_str()), (Some("warning"), Some("Globex Corp Ltd")));
    assert_eq!(f["values"]["our_name"], "Globex Corporation");
    let check = &case["name_checks"][0];
    assert_eq!((check["obtained"].as_str(), check["evidence_sha256"].as_str()), (Some("screenshot"), Some(sha.as_str())));
    let text = ws.run("clara", &["case", "show", &id]).assert_code(OK);
    text.ensure(text.stdout().contains("the bank holds \"Globex Corp Ltd\"; we pay \"Globex Corporation\""), "both names side by side");
    text.ensure(text.stdout().contains(&sha), "the evidence's hash");
    assert!(!dir.entries("ws").iter().any(|e| e.ends_with(".png")), "the screenshot is not kept");

    // A match is supporting evidence, and `NOAP` says no check was possible; neither holds.
    name_check(&ws, "dave", &id, GLOBEX_CONTRACT_IBAN, "MTCH", &[]).assert_code(OK);
    name_check(&ws, "dave", &id, GLOBEX_CONTRACT_IBAN, "NOAP", &[]).assert_code(OK);
    let case = shown(&ws, &id);
    assert_eq!(case["status"], "accepted");
    assert_eq!(finding(&case, "vop_match").map(|f| f["severity"].clone()), Some(json!("info")));
    assert_eq!(finding(&case, "vop_not_possible").map(|f| f["severity"].clone()), Some(json!("info")));
}

/// Only approvers attach; an account other than the case's, a wrong answer for the scheme, a time
/// in the future or a screenshot without its file are refused, and nothing changes.
#[test]
fn a_clerk_another_account_or_bad_input_is_refused_and_changes_nothing() {
    let dir = TestDir::new();
    let (ws, globex) = office(&dir);
    let (id, _) = received(&ws, &globex, GLOBEX_CONTRACT_IBAN, OK, "accepted", "first.csi");
    for user in ["clara", "alice"] {
        let out = name_check(&ws, user, &id, GLOBEX_CONTRACT_IBAN, "NMTC", &[]).assert_code(NOT_PERMITTED);
        out.ensure(out.json()["error"]["code"] == "not_permitted", "refused by role");
    }
    let other = name_check(&ws, "dave", &id, GLOBEX_NEW_IBAN, "NMTC", &[]).assert_code(FAILED);
    let error = &other.json()["error"];
    other.ensure(error["code"] == "check_failed", "refused: another account");
    other.ensure(error["message"].as_str().unwrap_or_default().contains("not the account this case pays"), "says why");
    let usage: [(&str, &[&str], &str); 6] = [
        ("ANNM", &[], "answer: \"ANNM\" is not a vop answer"),
        ("NMTC", &["--answered-at", "2999-01-01T00:00:00Z"], "answered-at: it is in the future"),
        ("NMTC", &["--answered-at", "2025-11-03T09:29:00Z"], "answered-at: the bank cannot answer before it was asked"),
        ("NMTC", &["--obtained", "screenshot"], "evidence: an answer obtained as screenshot comes with its file"),
        ("MTCH", &["--matched-name", "Globex"], "matched-name: the bank returns a name only with a close match"),
        ("CMTC", &["--scheme", "cop"], "answer: \"CMTC\" is not a cop answer"),
    ];
    for (answer, extra, says) in usage {
        let out = name_check(&ws, "dave", &id, GLOBEX_CONTRACT_IBAN, answer, extra).assert_code(USAGE);
        let error = &out.json()["error"];
        out.ensure(error["code"] == "invalid_input" && error["message"].as_str().unwrap_or_default().contains(says), says);
    }
    let case = shown(&ws, &id);
    assert_eq!((case["status"].as_str(), case["name_checks"].as_array().map(Vec::len)), (Some("accepted"), Some(0)));
    let log = ws.run("alice", &["--json", "audit", "log", "--case", &id]).assert_code(OK).json();
    let actions: Vec<&str> = log.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(!actions.contains(&"case.name_check"), "{actions:?}");
    assert_eq!(
        actions.iter().filter(|a| **a == "permission.denied").count(),
        2,
        "the clerk's and the admin's refusals are logged: {actions:?}"
    );
}

/// A name-check row edited by hand is no longer the signed statement's: `audit verify` reports
/// it, and `case show` refuses the case (`state_unverified`).
#[test]
fn audit_verify_detects_a_hand_edited_name_check_row() {
    let dir = TestDir::new();
    let (ws, globex) = office(&dir);
    let (id, _) = received(&ws, &globex, GLOBEX_CONTRACT_IBAN, OK, "accepted", "first.csi");
    name_check(&ws, "dave", &id, GLOBEX_CONTRACT_IBAN, "NMTC", &[]).assert_code(OK);
    ws.run("alice", &["--json", "audit", "verify"]).assert_code(OK);

    let db = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    db.execute("UPDATE name_checks SET answer = 'MTCH' WHERE case_id = ?1", [id.parse::<i64>().unwrap()]).unwrap();
    let out = ws.run("alice", &["--json", "audit", "verify"]).assert_code(FAILED);
    let report = out.json();
    let mismatch = report["state_mismatches"].as_array().and_then(|m| m.iter().find(|m| m["table"] == "name_checks").cloned());
    out.ensure(mismatch.is_some_and(|m| m["row"] == id.as_str()), "the name_checks row is reported");
    let show = ws.run("dave", &["--json", "case", "show", &id]).assert_code(FAILED);
    show.ensure(show.json()["error"]["code"] == "state_unverified", "the case is refused, not shown as a match");
}
