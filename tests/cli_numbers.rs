//! Where each number on file came from, through the CLI (issue 20): `partner show` and `case show
//! --json` say each number's source, label, who recorded and who approved it, and when; a number
//! that appears in the instruction's email, or was put on file after the instruction arrived, is
//! not offered for that case's callback and a callback to it is refused (`number_withheld`, exit
//! 4); numbers and domains the email gives that are not on file are findings.

mod util;

use serde_json::Value;
use util::{codes_of, default_details, KeyFiles, TestDir};

/// The email that came with the instruction: its signature gives one number on file, one that is
/// not, and an address on a domain that is not the partner's.
const EMAIL: &str = "From: Hank Scorpio <hank@globex.com>\r\nTo: ap@initech.example\r\nSubject: new bank details\r\n\r\n\
    Please pay the attached instruction.\r\n\r\n-- \r\nHank Scorpio, Globex\r\n\
    Tel. +44 20 7946 0958 | Mobile +33 1 23 45 67 89\r\nPayments: pay@globex-payments.example\r\n";

/// Initech in four-eyes mode (alice, dave), clerk clara, and Globex onboarded with two typed,
/// labelled numbers and the number its card lists. Returns the workspace and Globex's keys.
fn office(dir: &TestDir) -> (util::Workspace<'_>, KeyFiles) {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    ws.add_user("dave", "approver");
    let globex =
        dir.keygen_with("Globex Corporation", "globex", &["--country", "DE", "--domain", "globex.com", "--phone", "+49 30 5550100"]);
    let phones = ["--phone", "+49 30 1234567=Accounts receivable", "--phone", "+44 20 7946 0958=London office", "--card-phones"];
    ws.add_partner(&globex, &phones);
    (ws, globex)
}

fn number<'v>(numbers: &'v Value, e164: &str) -> &'v Value {
    numbers.as_array().and_then(|a| a.iter().find(|n| n["number"] == e164)).unwrap_or(&Value::Null)
}

#[test]
fn partner_show_says_where_each_number_came_from() {
    let dir = TestDir::new();
    let (ws, _) = office(&dir);
    let out = ws.run("clara", &["--json", "partner", "show", "1"]).assert_code(0);
    let contacts = &out.json()["contacts"];
    let typed = number(contacts, "+49301234567");
    out.ensure(typed["source"] == "onboarding" && typed["label"] == "Accounts receivable", &format!("typed at onboarding: {typed}"));
    out.ensure(typed["recorded_by"] == "alice" && typed["approved_by"] == "dave", "typed by alice, approved by dave");
    out.ensure(typed["recorded_at"].is_string(), "and when");
    let card = number(contacts, "+49305550100");
    out.ensure(card["source"] == "partner_card", &format!("from the card: {card}"));
    let text = ws.run("clara", &["partner", "show", "1"]).assert_code(0);
    let stdout = text.stdout();
    text.ensure(stdout.contains("(Accounts receivable)"), "the label in the text");
    text.ensure(stdout.contains("typed at onboarding by alice") && stdout.contains("approved by dave"), "the provenance in the text");
    text.ensure(stdout.contains("from the partner's signed card"), "the card's number said so");
}

#[test]
fn a_number_from_the_email_or_added_after_the_instruction_is_not_offered_and_a_callback_to_it_is_refused() {
    let dir = TestDir::new();
    let (ws, globex) = office(&dir);
    let recipient = KeyFiles { card: ws.card.clone(), ..globex.clone() };
    let mut details = default_details();
    details["iban"] = "FR14 2004 1010 0505 0001 3M02 606".into();
    details["bic"] = "PSSTFRPPLIL".into();
    let file = dir.sign(&globex, &recipient, &dir.write_details("d.json", &details), "invoice.csi").file;
    let eml = dir.write("incident.eml", EMAIL).display().to_string();
    let out = ws.run("clara", &["--json", "receive", &file, "--email", &eml]).assert_code(3);
    let result = &out.results()[0];
    let codes = codes_of(&result["findings"]);
    for expected in ["email_number_not_on_file", "email_domain_not_on_file"] {
        out.ensure(codes.iter().any(|c| c == expected), &format!("expected {expected} in {codes:?}"));
    }
    let number_finding = result["findings"].as_array().unwrap().iter().find(|f| f["code"] == "email_number_not_on_file").unwrap();
    out.ensure(number_finding["message"].as_str().unwrap_or_default().contains("+33 1 23 45 67 89"), "the number not on file is named");
    let id = result["case_id"].as_i64().unwrap().to_string();

    // A number put on file after the instruction arrived: alice proposes it, dave approves.
    let added = ws.admin(&["--json", "partner", "add-phone", "1", "--phone", "+49 30 7654321=Treasury"]).assert_code(0);
    added.ensure(added.json()["pending_change"]["kind"] == "partner_add_phone", "a four-eyes change");
    ws.applied("alice", None, added);

    let show = ws.run("clara", &["--json", "case", "show", &id]).assert_code(0);
    let numbers = &show.json()["callback_numbers"];
    let offered = number(numbers, "+49301234567");
    show.ensure(offered["offered"] == true && offered.get("withheld").is_none(), &format!("on file before, not in the email: {offered}"));
    show.ensure(offered["source"] == "onboarding" && offered["label"] == "Accounts receivable", "with its provenance");
    let in_email = number(numbers, "+442079460958");
    show.ensure(in_email["offered"] == false && in_email["withheld"] == "in_email", &format!("in the email: {in_email}"));
    show.ensure(in_email["withheld_reason"].as_str().unwrap_or_default().contains("appears in the email"), "the reason said");
    let later = number(numbers, "+49307654321");
    show.ensure(later["withheld"] == "added_after_instruction", &format!("added after: {later}"));
    show.ensure(later["source"] == "change" && later["recorded_by"] == "alice" && later["approved_by"] == "dave", "an approved change");
    let text = ws.run("clara", &["case", "show", &id]).assert_code(0);
    text.ensure(text.stdout().contains("not offered:"), "case show says which numbers are not offered and why");

    ws.run("clara", &["case", "challenge", &id]).assert_code(0);
    for dialed in ["+44 20 7946 0958", "+49 30 7654321"] {
        let args = ["--json", "case", "callback", &id, "--dialed", dialed, "--reached", "Hank", "--outcome", "unreachable"];
        let refused = ws.run("clara", &args).assert_code(4);
        refused.ensure(refused.stdout().contains("number_withheld") || refused.stderr().contains("number_withheld"), "number_withheld");
    }
    let log = ws.run("clara", &["--json", "case", "show", &id]).assert_code(0).json();
    let refusals = log["timeline"].as_array().unwrap().iter().filter(|e| e["action"] == "case.callback_refused").count();
    assert_eq!(refusals, 2, "each refusal is logged");
    let args = ["case", "callback", &id, "--dialed", "+49 30 1234567", "--reached", "Maria", "--outcome", "unreachable"];
    let called = ws.run("clara", &args);
    called.ensure(called.code() != 4, "the number on file before the instruction, not in its email, may be called");
}
