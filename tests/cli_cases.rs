//! CLI tests of what happens to an instruction after `receive` (issue 4): the callback to an
//! on-file number with a challenge and the partner's `respond`, dual-control approval, rejection,
//! the three-strike lock and reopening, release exactly once (even by two processes at the same
//! moment), the denial that quarantines a case and marks its account fraudulent for every
//! partner, and our own side: `org account` and `issue`.
//!
//! Each test builds a workspace from nothing through the binary, as people would: `init`, `user
//! add`, `card export`, the partner's `keygen`, `partner add` with the fingerprint read back, the
//! partner's `sign`, then `receive` and the `case` commands. Behaviour is asserted through exit
//! codes (CONTRACT.md), the `--json` documents and the timeline of `case show`.
//!
//! Secrets come from the environment only; every user's password is [`workspace::password`].

mod util;

use util::details;

use std::process::{Command, Stdio};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use util::{codes_of, pairs, KeyFiles, Output, TestDir};

use workspace::{respond, wrong_response, Office, Ws};

/// Exit codes of CONTRACT.md.
const OK: i32 = 0;
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const HOLD: i32 = 3;
const NOT_PERMITTED: i32 = 4;

/// The partner's account as known from the contract (`partner add --iban/--bic`).
const CONTRACT_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const CONTRACT_BIC: &str = "COBADEFFXXX";
/// The account the fraudster's instruction changes it to.
const CHANGED_IBAN: &str = "DE02 1203 0000 0000 2020 51";
const CHANGED_BIC: &str = "BYLADEM1001";
/// A second partner's own account, from its contract.
const UMBRELLA_IBAN: &str = "DE44 5001 0517 5407 3249 31";
const UMBRELLA_BIC: &str = "INGDDEFFXXX";
/// Our organisation's own account (`org account`).
const OUR_IBAN: &str = "DE75 5121 0800 1245 1261 99";
const OUR_BIC: &str = "SOGEDEFFXXX";

/// The partner's number from the contract, the only one to call back.
const ON_FILE_NUMBER: &str = "+49 30 1234567";
/// The same number as a clerk in Germany would dial it.
const ON_FILE_NUMBER_NATIONAL: &str = "030 1234567";
/// The number in the signature of the (fraudulent) email that carried the instruction.
const EMAIL_NUMBER: &str = "+44 20 7946 0018";

/// The `(actor, action)` pairs of a `case show --json` timeline, in order.
fn steps(show: &Value) -> Vec<(String, String)> {
    show["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("`case show` has no timeline array:\n{show:#}"))
        .iter()
        .map(|e| (e["actor"].as_str().unwrap_or("").to_string(), e["action"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// A small workspace toolkit on top of `util`: a workspace in a subdirectory of the test
/// directory, users whose passwords follow one pattern, and the steps of a case.
mod workspace {
    use super::*;
    use util::TestCommand;

    /// Every user's password: at least ten characters, derived from the name.
    pub fn password(user: &str) -> String {
        format!("{user} password 1")
    }

    /// A workspace in `dir/data_dir`, created with `init`.
    pub struct Ws<'d> {
        pub dir: &'d TestDir,
        pub data_dir: String,
        pub admin: String,
        pub passphrase: String,
    }

    impl<'d> Ws<'d> {
        /// `init --org-name ORG --admin ADMIN` in `dir/data_dir`.
        #[track_caller]
        pub fn init(dir: &'d TestDir, data_dir: &str, org: &str, admin: &str, passphrase: &str) -> Ws<'d> {
            dir.countersign(&["--json", "--data-dir", data_dir, "init", "--org-name", org, "--admin", admin])
                .env("COUNTERSIGN_PASSPHRASE", passphrase)
                .env("COUNTERSIGN_PASSWORD", password(admin))
                .run()
                .assert_code(OK);
            Ws { dir, data_dir: data_dir.into(), admin: admin.into(), passphrase: passphrase.into() }
        }

        /// `countersign --data-dir DIR --as USER ARGS…` with USER's password.
        pub fn cmd(&self, user: &str, args: &[&str]) -> TestCommand {
            let mut full = vec!["--data-dir", self.data_dir.as_str(), "--as", user];
            full.extend_from_slice(args);
            let mut cmd = self.dir.countersign(&full);
            cmd.env("COUNTERSIGN_PASSWORD", password(user));
            cmd
        }

        /// Runs `cmd` to completion.
        pub fn run(&self, user: &str, args: &[&str]) -> Output {
            self.cmd(user, args).run()
        }

        /// Runs `--json ARGS…`.
        pub fn json(&self, user: &str, args: &[&str]) -> Output {
            let mut full = vec!["--json"];
            full.extend_from_slice(args);
            self.run(user, &full)
        }

        /// `out` as it is, or, if the admin's command proposed a pending change (issue 15), that
        /// change approved by another approver or admin who is not `about`, and the approval's
        /// output.
        #[track_caller]
        pub fn applied(&self, about: Option<&str>, out: Output) -> Output {
            let Some(id) = serde_json::from_str::<Value>(&out.stdout()).ok().and_then(|j| j["pending_change"]["id"].as_i64()) else {
                return out;
            };
            let users = self.json(&self.admin, &["user", "list"]).assert_code(OK).json();
            let checker = users["users"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|u| u["disabled"] == false && (u["role"] == "approver" || u["role"] == "admin"))
                .filter_map(|u| u["name"].as_str())
                .find(|n| *n != self.admin && Some(*n) != about)
                .unwrap_or_else(|| out.fail("no second person to approve the change"))
                .to_string();
            self.json(&checker, &["change", "approve", &id.to_string()]).assert_code(OK)
        }

        /// `user add` by the admin (approved by a second person if it is a pending change).
        #[track_caller]
        pub fn add_user(&self, name: &str, role: &str) {
            let out = self
                .cmd(&self.admin, &["--json", "user", "add", "--name", name, "--role", role])
                .env("COUNTERSIGN_NEW_PASSWORD", password(name))
                .run()
                .assert_code(OK);
            self.applied(Some(name), out);
        }

        /// `policy set NAME VALUE` by the admin (approved by a second person if it loosens).
        #[track_caller]
        pub fn set_policy(&self, name: &str, value: &str) {
            let out = self.json(&self.admin, &["policy", "set", name, value]).assert_code(OK);
            self.applied(None, out);
        }

        /// `card export` to `out`: our card, as a partner would keep it (no key file).
        #[track_caller]
        pub fn export_card(&self, org: &str, out: &str) -> KeyFiles {
            let run = self.json(&self.admin, &["card", "export", "--out", out]).assert_code(OK);
            KeyFiles { name: org.into(), key: String::new(), card: out.into(), fingerprint: run.json_str("fingerprint") }
        }

        /// `partner add` by the admin: the fingerprint is read back from the card with
        /// `fingerprint` (as the partner would read it out on the phone) and typed with dashes.
        /// Returns the partner id.
        #[track_caller]
        pub fn add_partner(&self, card: &KeyFiles, phone: &str, account: Option<(&str, &str)>) -> i64 {
            let read_back = self.dir.countersign(&["--json", "fingerprint", &card.card]).run().assert_code(OK);
            let read_back = read_back.json_str("fingerprint");
            assert_eq!(read_back, card.fingerprint, "`fingerprint` reads back what keygen/card export printed");
            let typed = read_back.replace(' ', "-");
            let mut args = vec!["partner", "add", "--card", &card.card, "--confirm-fingerprint", &typed, "--phone", phone];
            if let Some((iban, bic)) = account {
                args.extend_from_slice(&["--iban", iban, "--bic", bic]);
            }
            let out = self.applied(None, self.json(&self.admin, &args).assert_code(OK));
            match out.json()["id"].as_i64().or(out.json()["applied"]["partner_id"].as_i64()) {
                Some(id) => id,
                None => out.fail("`partner add --json` printed no numeric id"),
            }
        }

        /// `--json receive FILE` (exit code not checked).
        pub fn receive(&self, user: &str, file: &str) -> Output {
            self.json(user, &["receive", file])
        }

        /// `--json case show ID` (must succeed).
        #[track_caller]
        pub fn show(&self, user: &str, id: i64) -> Value {
            self.json(user, &["case", "show", &id.to_string()]).assert_code(OK).json()
        }

        /// `--json case challenge ID` (must succeed): the challenge to read out.
        #[track_caller]
        pub fn challenge(&self, user: &str, id: i64) -> String {
            let out = self.json(user, &["case", "challenge", &id.to_string()]).assert_code(OK);
            let challenge = out.json_str("challenge");
            let digits: String = challenge.chars().filter(char::is_ascii_digit).collect();
            out.ensure(digits.len() == 6, "a challenge is six digits");
            challenge
        }

        /// `--json case callback ID --dialed NUM --reached "Hans Meier" [--code C] --outcome O`.
        pub fn callback(&self, user: &str, id: i64, dialed: &str, code: Option<&str>, outcome: &str) -> Output {
            let id = id.to_string();
            let mut args = vec!["case", "callback", &id, "--dialed", dialed, "--reached", "Hans Meier (accounts receivable)"];
            if let Some(code) = code {
                args.extend_from_slice(&["--code", code]);
            }
            args.extend_from_slice(&["--outcome", outcome]);
            self.json(user, &args)
        }

        /// `--json case ACTION ID [EXTRA…]`.
        pub fn case(&self, user: &str, action: &str, id: i64, extra: &[&str]) -> Output {
            let id = id.to_string();
            let mut args = vec!["case", action, &id];
            args.extend_from_slice(extra);
            self.json(user, &args)
        }
    }

    /// The partner's side of the call: `respond --challenge C FILE` on their own copy.
    #[track_caller]
    pub fn respond(dir: &TestDir, challenge: &str, file: &str) -> String {
        dir.respond(challenge, file).assert_code(OK).json_str("response")
    }

    /// A response that is certainly not `right`.
    pub fn wrong_response(right: &str) -> String {
        if right == "0000 0000" { "1111 1111" } else { "0000 0000" }.to_string()
    }

    /// The case id of the only result of `receive --json`.
    #[track_caller]
    pub fn case_id(out: &Output) -> i64 {
        match out.json()["results"][0]["case_id"].as_i64() {
            Some(id) => id,
            None => out.fail("expected results[0].case_id"),
        }
    }

    /// Initech GmbH's workspace, with its partner Globex Corporation onboarded: alice (admin),
    /// clara (clerk), anna (approver), carl (a second clerk).
    pub struct Office<'d> {
        pub ws: Ws<'d>,
        /// Our card, as exported for partners.
        pub us: KeyFiles,
        /// Globex's key pair (the partner side).
        pub globex: KeyFiles,
        /// Globex's partner id.
        pub globex_id: i64,
    }

    impl<'d> Office<'d> {
        /// Builds the office; Globex's known account is the one from the contract.
        #[track_caller]
        pub fn new(dir: &'d TestDir) -> Office<'d> {
            let ws = Ws::init(dir, "ws", "Initech GmbH", "alice", "initech organisation passphrase");
            // No cooling-off (issue 20): these tests release a change at once; tests/cli_cooling_off.rs has the wait.
            ws.set_policy("cooling_off_hours", "0");
            ws.add_user("clara", "clerk");
            ws.add_user("anna", "approver");
            ws.add_user("carl", "clerk");
            let us = ws.export_card("Initech GmbH", "initech.card");
            let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE", "--domain", "globex.com"]);
            let globex_id = ws.add_partner(&globex, ON_FILE_NUMBER, Some((CONTRACT_IBAN, CONTRACT_BIC)));
            Office { ws, us, globex, globex_id }
        }

        /// Globex signs `details` (written to `name.json`) into `name.csi`; returns what `sign`
        /// printed and Globex's own copy (the outbox beside its key), which it answers callbacks
        /// from.
        #[track_caller]
        pub fn globex_signs(&self, name: &str, details: &Value) -> (util::Signed, String) {
            let dir = self.ws.dir;
            let spec = dir.write_details(&format!("{name}.json"), details);
            let signed = dir.sign(&self.globex, &self.us, &spec, &format!("{name}.csi"));
            let copy = signed.json["outbox"].as_str().map(String::from).unwrap_or_else(|| signed.file.clone());
            (signed, copy)
        }

        /// Receives `file` as `user`; asserts exit code and verdict; returns the case id.
        #[track_caller]
        pub fn receive_as(&self, user: &str, file: &str, exit: i32, verdict: &str) -> i64 {
            let out = self.ws.receive(user, file).assert_code(exit);
            let result = &out.json()["results"][0];
            out.ensure(result["verdict"] == verdict, &format!("expected verdict {verdict}"));
            case_id(&out)
        }

        /// A held case: Globex's instruction changing the account (`bank_details_changed`),
        /// received by clara. Returns the case id and Globex's copy of the file.
        #[track_caller]
        pub fn held_case(&self, name: &str) -> (i64, String) {
            let (signed, copy) = self.globex_signs(name, &details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "48250.00"));
            (self.receive_as("clara", &signed.file, HOLD, "hold"), copy)
        }

        /// An accepted case: Globex's instruction to the account from the contract, 1250.00 EUR.
        #[track_caller]
        pub fn accepted_case(&self, name: &str, receiver: &str) -> i64 {
            let (signed, _) = self.globex_signs(name, &details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "1250.00"));
            self.receive_as(receiver, &signed.file, OK, "accepted")
        }

        /// Our account set (the debtor of bank files), then a held case called back by clara and
        /// approved by anna: ready to release. Returns its id.
        #[track_caller]
        pub fn approved_case_with_a_debtor(&self) -> i64 {
            let ws = &self.ws;
            ws.applied(
                None,
                ws.json("alice", &["org", "account", "--iban", "DE44 5001 0517 5407 3249 31", "--bic", "INGDDEFFXXX"]).assert_code(OK),
            );
            let (id, copy) = self.held_case("held");
            self.confirm_callback("clara", id, &copy);
            ws.case("anna", "approve", id, &[]).assert_code(OK);
            id
        }

        /// A full good callback by `user`: challenge, the partner's response, confirmed.
        #[track_caller]
        pub fn confirm_callback(&self, user: &str, id: i64, copy: &str) {
            let challenge = self.ws.challenge(user, id);
            let response = respond(self.ws.dir, &challenge, copy);
            let out = self.ws.callback(user, id, ON_FILE_NUMBER, Some(&response), "confirmed").assert_code(OK);
            out.ensure(out.json()["status"] == "callback_confirmed", "expected status callback_confirmed");
        }
    }
}

/// `--json` status of a case action that succeeded.
#[track_caller]
fn status_of(out: Output) -> String {
    let out = out.assert_code(OK);
    match out.json()["status"].as_str() {
        Some(s) => s.to_string(),
        None => out.fail("expected a `status` string"),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. The incident

/// The incident of issue 4 end to end: a signed instruction from a pinned partner changes the
/// account; it is held; a callback to the number in the email is refused; a wrong response is
/// refused; the partner's own `respond` confirms; neither the clerk who called nor another clerk
/// can approve; the approver approves and releases, once. The timeline records every step.
#[test]
// Long: one payment from receipt to release, each step asserted where it happens.
fn incident_a_changed_account_is_held_called_back_on_file_approved_by_a_second_person_and_released_once() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;

    // The partner signs a changed account for us.
    let changed = details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "48250.00");
    let (signed, partner_copy) = office.globex_signs("changed", &changed);

    // receive → hold (exit 3), bank_details_changed.
    let received = ws.receive("clara", &signed.file).assert_code(HOLD);
    let result = received.json()["results"][0].clone();
    received.ensure(result["verdict"] == "hold", "expected verdict hold");
    received.ensure(codes_of(&result["findings"]).contains(&"bank_details_changed".into()), "expected bank_details_changed");
    received
        .ensure(result["confirmation_code"] == signed.confirmation_code.as_str(), "the confirmation code is the one the partner signed");
    received.ensure(result["partner"]["id"] == office.globex_id, "the case names the pinned partner");
    let id = workspace::case_id(&received);

    // The clerk starts the callback: a challenge to read out.
    let first = ws.challenge("clara", id);

    // The number from the email is refused (exit 4), and the refusal is logged on the case.
    let refused = ws.callback("clara", id, EMAIL_NUMBER, Some("1234 5678"), "confirmed").assert_code(NOT_PERMITTED);
    refused.ensure(refused.json()["error"]["code"] == "not_permitted", "expected error code not_permitted");
    refused.ensure(
        refused.stderr().contains("Never use a number given in the request or the email"),
        "the refusal says never to use a number from the request or the email",
    );
    let show = ws.show("clara", id);
    assert_eq!(show["status"], "hold", "{show:#}");
    let refusal = show["timeline"].as_array().unwrap().iter().find(|e| e["action"] == "case.callback_refused");
    let refusal = refusal.unwrap_or_else(|| panic!("no case.callback_refused event:\n{show:#}"));
    assert_eq!(refusal["actor"], "clara");
    assert_eq!(refusal["details"]["dialed"], "+442079460018", "the number dialled is logged, normalised");

    // On file, but the response read back is wrong. The file is v2 (our card carries a callback
    // key): a clerk holds no callback key, so the response is recorded unchecked (issue 15)...
    let right = respond(&dir, &first, &partner_copy);
    let unchecked = ws.callback("clara", id, ON_FILE_NUMBER, Some(&wrong_response(&right)), "confirmed").assert_code(OK);
    assert_eq!(unchecked.json()["status"], "callback_confirmed");
    assert_eq!(ws.show("clara", id)["callback_response_checked"], false);
    // ...and the approver's check refuses it (exit 1): back on hold, counted.
    ws.case("anna", "approve", id, &[]).assert_code(FAILED).assert_stderr_contains("back on hold");
    let show = ws.show("clara", id);
    assert_eq!((show["status"].as_str(), show["wrong_responses"].as_i64()), (Some("hold"), Some(1)), "{show:#}");

    // Each attempt uses a fresh challenge; the partner answers it from their own copy, with their key.
    let second = ws.challenge("clara", id);
    assert_ne!(first, second, "a fresh challenge for every attempt");
    let response = respond(&dir, &second, &partner_copy);
    let confirmed = ws.callback("clara", id, ON_FILE_NUMBER_NATIONAL, Some(&response), "confirmed").assert_code(OK);
    assert_eq!(confirmed.json()["status"], "callback_confirmed");

    // The clerk who called cannot approve; nor can the second clerk (not an approver).
    ws.case("clara", "approve", id, &[]).assert_code(NOT_PERMITTED);
    ws.case("carl", "approve", id, &[]).assert_code(NOT_PERMITTED).assert_stderr_contains("not an approver");
    assert_eq!(ws.show("anna", id)["status"], "callback_confirmed", "refused approvals change nothing");

    // The approver, who neither received nor called, checks the response, approves and releases.
    assert_eq!(status_of(ws.case("anna", "approve", id, &[])), "approved");
    let released = ws.case("anna", "release", id, &[]).assert_code(OK).json();
    assert_eq!((released["status"].as_str(), released["released_by"].as_str()), (Some("released"), Some("anna")), "{released:#}");

    // The record: what CONTRACT.md promises, and every step with its actor, in order.
    let show = ws.show("anna", id);
    assert_eq!(show["id"], id);
    assert_eq!(show["status"], "released");
    assert_eq!(show["verdict"], "hold");
    assert!(codes_of(&show["findings"]).contains(&"bank_details_changed".to_string()), "{show:#}");
    assert_eq!(show["received_by"], "clara");
    assert_eq!(show["decided_by"], "anna");
    assert_eq!(show["account"], CHANGED_IBAN);
    assert_eq!(
        steps(&show),
        pairs(&[
            ("clara", "instruction.receive"),
            ("clara", "case.challenge"),
            ("clara", "case.callback_refused"),
            ("clara", "case.callback"),
            ("anna", "case.response_check_failed"),
            ("clara", "case.challenge"),
            ("clara", "case.callback"),
            ("clara", "permission.denied"),
            ("carl", "permission.denied"),
            ("anna", "case.approve"),
            ("anna", "case.release"),
        ]),
        "{show:#}"
    );
    let timeline = show["timeline"].as_array().unwrap();
    assert!(timeline.windows(2).all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()), "seq increases:\n{show:#}");
    assert!(timeline.iter().all(|e| e["at"].as_str().is_some_and(|t| t.ends_with('Z'))), "every step has its time:\n{show:#}");
    assert_eq!(timeline[1]["details"]["challenge"], first.as_str());
    assert_eq!(timeline[3]["details"]["response_checked"], false);
    assert_eq!(timeline[4]["details"]["response_correct"], false);
    assert_eq!(timeline[6]["details"]["challenge"], second.as_str());
    assert_eq!(timeline[6]["details"]["response_checked"], false);
    assert_eq!(timeline[6]["details"]["dialed"], "+49301234567");
    assert_eq!(timeline[7]["details"]["attempted"], "case.approve");
    assert_eq!(timeline[9]["details"]["response_checked"], true);
    assert_eq!(show["callback_response_checked"], true);
    assert_eq!(show["callback_response_version"], 2);

    // Never twice.
    ws.case("anna", "release", id, &[]).assert_code(FAILED).assert_stderr_contains("already released");
    let show = ws.show("anna", id);
    assert_eq!(show["status"], "released");
    let releases = steps(&show).iter().filter(|(_, action)| action == "case.release").count();
    assert_eq!(releases, 1, "{show:#}");

    // The human view tells the same story.
    let text = ws.run("anna", &["case", "show", &id.to_string()]).assert_code(OK).stdout();
    assert!(text.contains(&format!("Case {id}: RELEASED (verdict hold)")), "{text}");
    assert!(text.contains("timeline:") && text.contains("case.callback_refused") && text.contains("case.release"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// 2. The denial

/// The partner denies on the callback: the case is quarantined, the account marked fraudulent
/// for every partner, `case list` flags it, and the account is rejected from then on, from
/// whichever partner it comes.
#[test]
fn denial_quarantines_and_the_account_is_then_rejected_from_another_partner() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let umbrella = dir.keygen_with("Umbrella Ltd", "umbrella", &["--country", "DE"]);
    ws.add_partner(&umbrella, "+49 89 7654321", Some((UMBRELLA_IBAN, UMBRELLA_BIC)));

    let (id, _) = office.held_case("fraud");
    ws.challenge("clara", id);
    let denied = ws.callback("clara", id, ON_FILE_NUMBER, None, "denied");
    assert_eq!(status_of(denied), "quarantined");

    let show = ws.show("clara", id);
    assert_eq!((show["status"].as_str(), show["account_fraudulent"].as_bool()), (Some("quarantined"), Some(true)), "{show:#}");
    let last = show["timeline"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!((last["actor"].as_str(), last["action"].as_str()), (Some("clara"), Some("case.callback")), "{show:#}");
    assert_eq!(last["details"]["outcome"], "denied");
    assert!(last["details"]["marked_fraudulent"].is_string(), "the event names the account marked: {last:#}");

    // case list flags it, in JSON and for people.
    let list = ws.json("clara", &["case", "list"]).assert_code(OK).json();
    let listed = list["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).cloned();
    let listed = listed.unwrap_or_else(|| panic!("case {id} not listed:\n{list:#}"));
    assert_eq!((listed["status"].as_str(), listed["account_fraudulent"].as_bool()), (Some("quarantined"), Some(true)));
    let text = ws.run("clara", &["case", "list"]).assert_code(OK).stdout();
    let line = text.lines().find(|l| l.trim_start().starts_with(&format!("{id} "))).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("quarantined") && line.contains("FRAUDULENT"), "{text}");

    // A quarantined case is closed.
    ws.case("anna", "approve", id, &[]).assert_code(FAILED);
    ws.case("anna", "release", id, &[]).assert_code(FAILED);

    // The same account from another partner: rejected, account_suspected (a second person has
    // not confirmed the mark yet: issue 15).
    dir.write_details("umbrella.json", &details("Umbrella Ltd", CHANGED_IBAN, CHANGED_BIC, "500.00"));
    let signed = dir.sign(&umbrella, &office.us, "umbrella.json", "umbrella.csi");
    let out = ws.receive("clara", &signed.file).assert_code(FAILED);
    let result = &out.json()["results"][0];
    out.ensure(result["verdict"] == "rejected", "expected verdict rejected");
    let fraud = result["findings"].as_array().unwrap().iter().find(|f| f["code"] == "account_suspected").cloned();
    let fraud = fraud.unwrap_or_else(|| out.fail("expected account_suspected"));
    assert_eq!(fraud["severity"], "critical");
    let other = workspace::case_id(&out);
    let show = ws.show("clara", other);
    assert_eq!((show["status"].as_str(), show["account_fraudulent"].as_bool()), (Some("rejected"), Some(true)), "{show:#}");
    ws.case("anna", "release", other, &[]).assert_code(FAILED);

    // And from the same partner again.
    let (again, _) = office.globex_signs("again", &details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "100.00"));
    let out = ws.receive("clara", &again.file).assert_code(FAILED);
    assert!(codes_of(&out.json()["results"][0]["findings"]).contains(&"account_suspected".into()), "{out}");

    // anna, a second person, confirms it: from then on it is account_known_fraudulent; clearing it
    // is a change that alice proposes and another approver must check (issue 15).
    ws.json("anna", &["account", "confirm-fraud", CHANGED_IBAN, "--reason", "the partner never sent it"]).assert_code(OK);
    let (third, _) = office.globex_signs("third", &details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "100.00"));
    let out = ws.receive("clara", &third.file).assert_code(FAILED);
    assert!(codes_of(&out.json()["results"][0]["findings"]).contains(&"account_known_fraudulent".into()), "{out}");
    let marks = ws.json("clara", &["account", "list"]).assert_code(OK).json();
    assert_eq!((marks["accounts"][0]["status"].as_str(), marks["accounts"][0]["marked_by"].as_str()), (Some("fraudulent"), Some("clara")));
}

// ---------------------------------------------------------------------------------------------
// 3. Three wrong responses

/// Three wrong responses lock the callback: no fourth challenge, a clerk cannot reopen, an
/// approver can, and then a good callback confirms. The calls are an approver's (arne), who
/// holds the callback key, so each v2 response is checked as it is recorded (issue 15).
#[test]
fn three_wrong_responses_lock_the_case_until_an_approver_reopens_it() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    ws.add_user("arne", "approver");
    let (id, copy) = office.held_case("held");

    for attempt in 1..=3 {
        let challenge = ws.challenge("arne", id);
        let wrong = wrong_response(&respond(&dir, &challenge, &copy));
        let out = ws.callback("arne", id, ON_FILE_NUMBER, Some(&wrong), "confirmed").assert_code(FAILED);
        if attempt == 3 {
            out.assert_stderr_contains("locked");
        }
    }
    let show = ws.show("clara", id);
    assert_eq!((show["status"].as_str(), show["wrong_responses"].as_i64()), (Some("hold"), Some(3)), "{show:#}");

    ws.case("clara", "challenge", id, &[]).assert_code(FAILED).assert_stderr_contains("locked");
    ws.case("clara", "reopen", id, &[]).assert_code(NOT_PERMITTED);
    assert_eq!(status_of(ws.case("anna", "reopen", id, &[])), "hold");
    assert_eq!(ws.show("clara", id)["wrong_responses"], 0);

    office.confirm_callback("clara", id, &copy);
    let show = ws.show("clara", id);
    assert_eq!(show["status"], "callback_confirmed");
    let actions: Vec<String> = steps(&show).into_iter().map(|(_, a)| a).collect();
    assert_eq!(actions.iter().filter(|a| *a == "case.callback_wrong_response").count(), 3, "{show:#}");
    assert!(actions.contains(&"case.reopen".to_string()), "{show:#}");
    // Reopening is not working on the case: the approver who reopened may approve.
    assert_eq!(status_of(ws.case("anna", "approve", id, &[])), "approved");
}

// ---------------------------------------------------------------------------------------------
// 4. The rules, one by one

/// `case queue --json` as `user`: each step's count and case ids, and the changes to check.
#[track_caller]
fn queue_of(ws: &Ws<'_>, user: &str) -> (Vec<(String, u64, Vec<i64>)>, u64) {
    let queue = ws.json(user, &["case", "queue"]).assert_code(OK).json();
    let groups = queue["queue"]
        .as_array()
        .unwrap_or_else(|| panic!("no queue array:\n{queue:#}"))
        .iter()
        .map(|g| {
            let ids = g["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
            (g["step"].as_str().unwrap().to_string(), g["count"].as_u64().unwrap(), ids)
        })
        .collect();
    (groups, queue["changes_to_check"].as_u64().unwrap())
}

fn group(step: &str, ids: &[i64]) -> (String, u64, Vec<i64>) {
    (step.to_string(), ids.len() as u64, ids.to_vec())
}

/// The work queue lists, for each user, the cases waiting for a step the rules would let them
/// take, and `case show` offers exactly those steps: the approver who called back is offered no
/// approval, an auditor nothing, and each step offered succeeds when taken.
#[test]
fn the_queue_and_the_next_steps_are_what_the_rules_let_each_user_do() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    ws.add_user("arne", "approver");
    ws.add_user("otto", "auditor");
    let (held, copy) = office.held_case("held");
    let small = office.accepted_case("small", "clara");

    let (clara, _) = queue_of(ws, "clara");
    assert_eq!(clara, vec![group("call_back", &[held]), group("approve", &[]), group("release", &[small]), group("reopen", &[])]);
    let (otto, otto_changes) = queue_of(ws, "otto");
    assert!(otto.iter().all(|(_, count, _)| *count == 0) && otto_changes == 0, "an auditor has no work: {otto:?}");
    assert_eq!(ws.show("otto", held)["next_steps"], json!([]));
    assert_eq!(ws.show("clara", held)["next_steps"], json!(["call_back"]));
    assert_eq!(ws.show("anna", held)["next_steps"], json!(["call_back", "reject"]));

    office.confirm_callback("anna", held, &copy);
    let (anna, _) = queue_of(ws, "anna");
    assert_eq!(anna[1], group("approve", &[]), "anna called back: the approval is not hers");
    assert_eq!(ws.show("anna", held)["next_steps"], json!(["reject"]));
    let (arne, _) = queue_of(ws, "arne");
    assert_eq!(arne[1], group("approve", &[held]));
    assert_eq!(ws.show("arne", held)["next_steps"], json!(["approve", "reject"]));
    assert_eq!(status_of(ws.case("arne", "approve", held, &[])), "approved");
    assert_eq!(queue_of(ws, "clara").0[2], group("release", &[small]), "an approved case is released by approvers");
    assert_eq!(queue_of(ws, "anna").0[2], group("release", &[held, small]), "oldest first");
    assert_eq!(status_of(ws.case("anna", "release", held, &[])), "released");
    assert_eq!(ws.show("clara", held)["next_steps"], json!(["export_bank_file"]));

    // A change alice proposes waits for the other checkers, not for her.
    ws.json("alice", &["policy", "set", "approval_threshold_minor", "99999999"]).assert_code(OK);
    assert_eq!((queue_of(ws, "alice").1, queue_of(ws, "anna").1, queue_of(ws, "clara").1), (0, 1, 0));
}

/// Approval comes after the callback, never instead of it.
#[test]
fn approving_a_case_still_on_hold_fails() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let (id, _) = office.held_case("held");
    office.ws.case("anna", "approve", id, &[]).assert_code(FAILED).assert_stderr_contains("called back");
    assert_eq!(office.ws.show("anna", id)["status"], "hold");
}

/// Accepted and under the approval threshold: the clerk may release it alone.
#[test]
fn a_clerk_releases_an_accepted_case_under_the_threshold() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let id = office.accepted_case("small", "clara");
    let released = office.ws.case("clara", "release", id, &[]).assert_code(OK).json();
    assert_eq!((released["status"].as_str(), released["released_by"].as_str()), (Some("released"), Some("clara")));
    office.ws.case("anna", "release", id, &[]).assert_code(FAILED).assert_stderr_contains("already released");
}

/// Accepted but over the threshold (policy `approval_threshold_minor`): a clerk may not release
/// it, an approver not before an approval, and the approval must come from an approver who did
/// not receive it.
#[test]
fn an_accepted_case_over_the_threshold_needs_an_approval_by_an_approver_who_did_not_receive_it() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    ws.add_user("arne", "approver");
    ws.set_policy("approval_threshold_minor", "100000"); // 1000.00
    let id = office.accepted_case("big", "arne"); // 1250.00 EUR, received by an approver

    ws.case("clara", "release", id, &[]).assert_code(NOT_PERMITTED);
    ws.case("anna", "release", id, &[]).assert_code(FAILED).assert_stderr_contains("approval");
    ws.case("arne", "approve", id, &[]).assert_code(NOT_PERMITTED).assert_stderr_contains("received");
    assert_eq!(status_of(ws.case("anna", "approve", id, &[])), "approved");
    ws.case("clara", "release", id, &[]).assert_code(NOT_PERMITTED);
    assert_eq!(status_of(ws.case("anna", "release", id, &[])), "released");
}

/// Dual control on a held case: the approver who made the callback cannot approve it, nor can an
/// auditor; another approver can.
#[test]
fn the_approver_who_called_back_and_auditors_cannot_approve() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    ws.add_user("arne", "approver");
    ws.add_user("otto", "auditor");
    let (id, copy) = office.held_case("held");
    office.confirm_callback("anna", id, &copy);

    ws.case("anna", "approve", id, &[]).assert_code(NOT_PERMITTED).assert_stderr_contains("callback");
    ws.case("otto", "approve", id, &[]).assert_code(NOT_PERMITTED);
    ws.case("otto", "challenge", id, &[]).assert_code(NOT_PERMITTED);
    assert_eq!(status_of(ws.case("arne", "approve", id, &[])), "approved");
    let show = ws.show("otto", id);
    let denied: Vec<&str> = show["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "permission.denied")
        .filter_map(|e| e["actor"].as_str())
        .collect();
    assert_eq!(denied, ["anna", "otto", "otto"], "every refusal is on the case's timeline:\n{show:#}");
}

/// An approver rejects with a reason; the case is closed for good.
#[test]
fn a_rejected_case_cannot_be_released() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let (id, _) = office.held_case("held");
    ws.case("clara", "reject", id, &["--reason", "not ours"]).assert_code(NOT_PERMITTED);
    let reason = "the partner's AR team knows nothing of a new account";
    assert_eq!(status_of(ws.case("anna", "reject", id, &["--reason", reason])), "rejected");
    let show = ws.show("anna", id);
    assert_eq!((show["status"].as_str(), show["decided_by"].as_str()), (Some("rejected"), Some("anna")));
    assert_eq!(show["decision_reason"], reason);
    ws.case("anna", "release", id, &[]).assert_code(FAILED);
    ws.case("clara", "challenge", id, &[]).assert_code(FAILED);
    ws.case("anna", "reject", id, &["--reason", "again"]).assert_code(FAILED);
}

/// A confirmation needs a challenge first and the response read back: a "yes" on the phone is
/// not enough. Both are usage errors that change nothing. Nobody answering is an attempt too.
#[test]
fn a_callback_needs_a_challenge_first_and_a_confirmation_needs_the_response() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let (id, copy) = office.held_case("held");

    ws.callback("clara", id, ON_FILE_NUMBER, Some("1234 5678"), "confirmed").assert_code(USAGE).assert_stderr_contains("case challenge");
    let challenge = ws.challenge("clara", id);
    ws.callback("clara", id, ON_FILE_NUMBER, None, "confirmed").assert_code(USAGE).assert_stderr_contains("--code");
    let show = ws.show("clara", id);
    assert_eq!((show["status"].as_str(), show["wrong_responses"].as_i64()), (Some("hold"), Some(0)), "{show:#}");

    // The challenge is still open: nobody answered this time. An unreachable attempt is
    // recorded with its time and leaves the case on hold.
    assert_eq!(status_of(ws.callback("clara", id, ON_FILE_NUMBER, None, "unreachable")), "hold");
    let show = ws.show("clara", id);
    let attempts = show["callbacks"].as_array().unwrap();
    assert_eq!(attempts.len(), 1, "{show:#}");
    assert_eq!((attempts[0]["challenge"].as_str(), attempts[0]["outcome"].as_str()), (Some(challenge.as_str()), Some("unreachable")));
    assert!(attempts[0]["recorded_at"].is_string(), "{show:#}");

    // The next attempt: a new challenge, and the partner's response to it confirms.
    let challenge = ws.challenge("clara", id);
    let response = respond(&dir, &challenge, &copy);
    assert_eq!(status_of(ws.callback("clara", id, ON_FILE_NUMBER, Some(&response), "confirmed")), "callback_confirmed");
}

/// `case list --status` filters; unknown ids and statuses are usage errors.
#[test]
fn case_list_filters_by_status_and_unknown_ids_are_usage_errors() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let accepted = office.accepted_case("small", "clara");
    let (held, _) = office.held_case("held");

    let ids = |status: Option<&str>| -> Vec<i64> {
        let mut args = vec!["case", "list"];
        if let Some(s) = status {
            args.extend_from_slice(&["--status", s]);
        }
        let list = ws.json("clara", &args).assert_code(OK).json();
        list["cases"].as_array().unwrap().iter().filter_map(|c| c["id"].as_i64()).collect()
    };
    assert_eq!(ids(Some("hold")), [held]);
    assert_eq!(ids(Some("accepted")), [accepted]);
    assert_eq!(ids(Some("released")), Vec::<i64>::new());
    let mut all = ids(None);
    all.sort();
    assert_eq!(all, [accepted, held]);

    ws.json("clara", &["case", "list", "--status", "paid"]).assert_code(USAGE);
    ws.case("clara", "show", 999, &[]).assert_code(USAGE);
    ws.case("anna", "approve", 999, &[]).assert_code(USAGE);
    ws.case("anna", "release", 999, &[]).assert_code(USAGE);
    let out = ws.case("clara", "challenge", 999, &[]).assert_code(USAGE);
    out.ensure(out.json()["error"]["code"] == "not_found", "expected error code not_found");
}

// ---------------------------------------------------------------------------------------------
// 5. Two releases at the same moment

/// Two processes release the same approved case at once: one succeeds, the other is told it is
/// already released, and the log holds one release. Repeated a few times to give the race a
/// chance to show.
#[test]
fn two_processes_releasing_the_same_case_at_once_release_it_once() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    ws.set_policy("approval_threshold_minor", "100000");
    for round in 0..3 {
        let id = office.accepted_case(&format!("race{round}"), "clara");
        assert_eq!(status_of(ws.case("anna", "approve", id, &[])), "approved");

        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_countersign"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", dir.home())
                .env("COUNTERSIGN_PASSWORD", workspace::password("anna"))
                .args(["--data-dir", "ws", "--as", "anna", "case", "release", &id.to_string()])
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn countersign")
        };
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let report = || {
            format!(
                "round {round}, case {id}\n--- first: {:?}\n{}\n--- second: {:?}\n{}",
                a.status,
                String::from_utf8_lossy(&a.stderr),
                b.status,
                String::from_utf8_lossy(&b.stderr)
            )
        };
        let mut exits = [a.status.code(), b.status.code()];
        exits.sort();
        assert_eq!(exits, [Some(OK), Some(FAILED)], "exactly one release succeeds:\n{}", report());
        let loser = if a.status.code() == Some(FAILED) { &a } else { &b };
        let message = String::from_utf8_lossy(&loser.stderr);
        assert!(message.contains("already released") || message.contains("changed meanwhile"), "{}", report());

        let show = ws.show("anna", id);
        assert_eq!(show["status"], "released");
        let releases = steps(&show).iter().filter(|(_, action)| action == "case.release").count();
        assert_eq!(releases, 1, "one case.release event:\n{show:#}\n{}", report());
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Our own side: org account and issue

/// Our account is set by an admin only; `issue` signs it with the organisation key for a partner
/// that runs Countersign itself, which verifies it against our card and receives it.
#[test]
fn issue_signs_our_account_for_a_partner_whose_own_workspace_receives_it() {
    let dir = TestDir::new();
    let ours = Ws::init(&dir, "ws", "Initech GmbH", "alice", "initech organisation passphrase");
    ours.add_user("clara", "clerk");

    // org account: admin only.
    ours.json("clara", &["org", "account", "--iban", OUR_IBAN, "--bic", OUR_BIC]).assert_code(NOT_PERMITTED);
    let account = ours.json("alice", &["org", "account", "--iban", OUR_IBAN, "--bic", "sogedeffxxx"]).assert_code(OK).json();
    assert_eq!(account, json!({ "name": "Initech GmbH", "iban": "DE75512108001245126199", "bic": "SOGEDEFFXXX", "currency": "EUR" }));

    // The partner runs its own workspace; we pin its organisation card.
    let theirs = Ws::init(&dir, "globex-ws", "Globex Corporation", "gina", "globex organisation passphrase");
    let globex_card = theirs.export_card("Globex Corporation", "globex.card");
    let globex_id = ours.add_partner(&globex_card, ON_FILE_NUMBER, None);
    let us = ours.export_card("Initech GmbH", "initech.card");

    // issue: the organisation passphrase must be right, and only an admin issues.
    let to = globex_id.to_string();
    ours.cmd("alice", &["--json", "issue", "--to", &to, "--out", "ours.csi"])
        .env("COUNTERSIGN_PASSPHRASE", "not the passphrase")
        .run()
        .assert_code(NOT_PERMITTED);
    assert!(!dir.exists("ours.csi"), "nothing is written with a wrong passphrase");
    ours.cmd("clara", &["--json", "issue", "--to", &to, "--out", "ours.csi"])
        .env("COUNTERSIGN_PASSPHRASE", &ours.passphrase)
        .run()
        .assert_code(NOT_PERMITTED);
    let issued = ours
        .cmd("alice", &["--json", "issue", "--to", &to, "--out", "ours.csi"])
        .env("COUNTERSIGN_PASSPHRASE", &ours.passphrase)
        .run()
        .assert_code(OK);
    let code = issued.json_str("confirmation_code");

    // Anyone with our card verifies it (no workspace), and it carries our account.
    let verified = dir.countersign(&["--json", "verify", "--signer", &us.card, "ours.csi"]).run().assert_code(OK);
    let v = verified.json();
    assert_eq!((v["verdict"].as_str(), v["confirmation_code"].as_str()), (Some("accepted"), Some(code.as_str())), "{v:#}");
    let file = dir.read_json("ours.csi");
    assert_eq!(file["signer"], us.fingerprint.as_str());
    let payload: Value = serde_json::from_slice(&STANDARD.decode(file["payload"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(payload["account"]["iban"], "DE75512108001245126199", "{payload:#}");
    assert_eq!(payload["account"]["bic"], "SOGEDEFFXXX");
    assert_eq!(payload["beneficiary_name"], "Initech GmbH");
    assert_eq!(payload["issuer"], us.fingerprint.as_str());
    assert_eq!(payload["recipient"], globex_card.fingerprint.as_str(), "addressed to the partner's pinned key");

    // The partner's workspace pins our card (fingerprint read back) and checks the file.
    theirs.add_partner(&us, "+49 40 1112223", None);
    let checked = theirs.json("gina", &["verify", "ours.csi"]).assert_code(HOLD);
    checked.ensure(checked.json()["verdict"] == "hold", "first instruction: hold under the default policy");
    checked.ensure(checked.finding_codes().contains(&"first_instruction".into()), "expected first_instruction");
    checked.ensure(checked.json()["confirmation_code"] == code.as_str(), "the same confirmation code on both sides");
    // Under a policy that does not call back on a first instruction, it is accepted.
    theirs.set_policy("first_instruction_needs_callback", "false");
    let received = theirs.receive("gina", "ours.csi").assert_code(OK);
    let result = &received.json()["results"][0];
    received.ensure(result["verdict"] == "accepted", "expected verdict accepted");
    received.ensure(codes_of(&result["findings"]) == ["first_instruction"], "first_instruction is still noted");
    received.ensure(result["partner"]["name"] == "Initech GmbH", "the partner is us");
}

/// The partner's side of a callback about an instruction we issued (issue 19): `respond --issued`
/// answers from the workspace's own copy with the organisation key, the response `respond` gives
/// on the file; clerks may answer, auditors may not; the answer is logged with the challenge and
/// without the response.
#[test]
fn respond_issued_answers_from_the_workspaces_copy_with_the_organisation_key() {
    let dir = TestDir::new();
    let ours = Ws::init(&dir, "ws", "Initech GmbH", "alice", "initech organisation passphrase");
    ours.add_user("clara", "clerk");
    ours.add_user("frank", "auditor");
    ours.json("alice", &["org", "account", "--iban", OUR_IBAN, "--bic", OUR_BIC]).assert_code(OK);
    let theirs = Ws::init(&dir, "globex-ws", "Globex Corporation", "gina", "globex organisation passphrase");
    let to = ours.add_partner(&theirs.export_card("Globex Corporation", "globex.card"), ON_FILE_NUMBER, None).to_string();
    let issued = ours
        .cmd("alice", &["--json", "issue", "--to", &to, "--out", "ours.csi"])
        .env("COUNTERSIGN_PASSPHRASE", &ours.passphrase)
        .run()
        .assert_code(OK);
    let id = issued.json_str("id");
    let respond = |user: &str, challenge: &str, passphrase: &str| {
        ours.cmd(user, &["--json", "respond", "--issued", &id, "--challenge", challenge]).env("COUNTERSIGN_PASSPHRASE", passphrase).run()
    };

    let from_file = dir.countersign(&["--json", "respond", "--challenge", "305118", "ours.csi"]).run().assert_code(OK).json_str("response");
    let answered = respond("clara", "305 118", &ours.passphrase).assert_code(OK);
    let answer = answered.json();
    assert_eq!(answer["response"], from_file.as_str(), "{answer:#}");
    assert_eq!((answer["confirmation_code"].clone(), answer["last4"].clone()), (issued.json()["confirmation_code"].clone(), json!("6199")));
    assert_eq!((answer["signature_checked"].clone(), answer["format_version"].clone()), (json!(true), json!(1)));

    respond("clara", "305 118", "not the passphrase").assert_code(NOT_PERMITTED);
    respond("frank", "305 118", &ours.passphrase).assert_code(NOT_PERMITTED);
    respond("clara", "30511", &ours.passphrase).assert_code(USAGE);
    ours.cmd("clara", &["--json", "respond", "--issued", "not-ours", "--challenge", "305118"])
        .env("COUNTERSIGN_PASSPHRASE", &ours.passphrase)
        .run()
        .assert_code(USAGE);

    let logged = ours.json("alice", &["audit", "log", "--action", "instruction.respond"]).assert_code(OK).json();
    let logged = logged.as_array().unwrap();
    assert_eq!(logged.len(), 1, "{logged:#?}");
    assert_eq!((logged[0]["actor"].as_str(), logged[0]["details"]["challenge"].as_str()), (Some("clara"), Some("305 118")));
    assert!(!logged[0].to_string().contains(from_file.as_str()), "the response is never logged: {:#}", logged[0]);
}

/// Regression: a clerk who released an accepted case and tries again is told they are not
/// permitted (exit 4) instead of "already released" (exit 1, CONTRACT.md: releasing twice).
#[test]
fn regression_a_clerk_releasing_an_accepted_case_twice_is_told_it_is_already_released() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let id = office.accepted_case("small", "clara");
    office.ws.case("clara", "release", id, &[]).assert_code(OK);
    office.ws.case("clara", "release", id, &[]).assert_code(FAILED).assert_stderr_contains("already released");
}

/// Regression: two clerks' processes releasing the same accepted case under the threshold at
/// the same moment: the loser must exit 1, not 4.
#[test]
fn regression_two_clerks_releasing_the_same_accepted_case_at_once_one_exits_1() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let id = office.accepted_case("small", "clara");
    let spawn = |user: &str| {
        Command::new(env!("CARGO_BIN_EXE_countersign"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.home())
            .env("COUNTERSIGN_PASSWORD", workspace::password(user))
            .args(["--data-dir", "ws", "--as", user, "case", "release", &id.to_string()])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn countersign")
    };
    let (a, b) = (spawn("clara"), spawn("carl"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let mut exits = [a.status.code(), b.status.code()];
    exits.sort();
    assert_eq!(exits, [Some(OK), Some(FAILED)], "{}\n{}", String::from_utf8_lossy(&a.stderr), String::from_utf8_lossy(&b.stderr));
}

/// Regression: a challenge superseded by a newer one must not confirm. After the latest
/// challenge's attempt ends with a wrong response, the response to the earlier challenge (never
/// read out, or read out on an earlier, abandoned call) confirms the case.
#[test]
fn regression_the_response_to_a_superseded_challenge_does_not_confirm() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    // An approver calls, who holds the callback key: the v2 response is checked at once.
    ws.add_user("arne", "approver");
    let (id, copy) = office.held_case("held");
    let older = ws.challenge("arne", id);
    let latest = ws.challenge("arne", id);
    let wrong = wrong_response(&respond(&dir, &latest, &copy));
    ws.callback("arne", id, ON_FILE_NUMBER, Some(&wrong), "confirmed").assert_code(FAILED);
    // The latest challenge is used up; the older one is not the latest and must not confirm.
    let stale = respond(&dir, &older, &copy);
    let out = ws.callback("arne", id, ON_FILE_NUMBER, Some(&stale), "confirmed");
    assert_ne!(out.code(), OK, "a superseded challenge confirmed the case:\n{out}");
    assert_eq!(ws.show("clara", id)["status"], "hold");
}

/// Issue 4: the release produces a pain.001 credit transfer built from the verified record,
/// valid against the official ISO 20022 schema, and an EPC QR code; a release that cannot build
/// its export (no organisation account yet) changes nothing.
#[test]
fn release_writes_a_schema_valid_pain001_and_an_epc_qr_from_the_verified_record() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let small = office.accepted_case("small", "clara");
    let (id, copy) = office.held_case("held");
    office.confirm_callback("clara", id, &copy);
    ws.case("anna", "approve", id, &[]).assert_code(OK);
    // No debtor account yet: the release is refused and the case stays approved.
    ws.case("anna", "release", id, &["--export", "pain001", "--out", "payment.xml"])
        .assert_code(USAGE)
        .assert_stderr_contains("org account");
    assert_eq!(ws.show("anna", id)["status"], "approved");
    ws.applied(
        None,
        ws.json("alice", &["org", "account", "--iban", "DE44 5001 0517 5407 3249 31", "--bic", "INGDDEFFXXX"]).assert_code(OK),
    );
    ws.case("anna", "release", id, &["--export", "pain001", "--out", "payment.xml"]).assert_code(OK);
    let xml = dir.read_string("payment.xml");
    for expected in ["<IBAN>DE44500105175407324931</IBAN>", "<Nm>Globex Corporation</Nm>", "Ccy=\"EUR\">48250.00</InstdAmt>"] {
        assert!(xml.contains(expected), "{expected} missing from:\n{xml}");
    }
    assert!(xml.contains(&CHANGED_IBAN.replace(' ', "")), "the creditor IBAN is the confirmed one:\n{xml}");
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pain.001.001.09.xsd");
    let check = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(dir.join("payment.xml"))
        .output()
        .expect("xmllint runs (install libxml2-utils; `make deps` does)");
    assert!(check.status.success(), "pain.001 is not schema-valid:\n{}", String::from_utf8_lossy(&check.stderr));
    // Another payment, released with an EPC QR code; exported again as an image of the same code.
    ws.case("anna", "release", small, &["--export", "epc-qr", "--out", "payment.png"]).assert_code(OK);
    assert_eq!(&dir.read("payment.png")[..8], b"\x89PNG\r\n\x1a\n");
    ws.case("anna", "export", small, &["--export", "epc-qr", "--out", "payment.svg"]).assert_code(OK);
    assert!(dir.read_string("payment.svg").contains("<svg"));
}

/// Regression (issue 16): `case export` of a released case gave a new file (fresh MsgId, same
/// EndToEndId and amount: a double payment waiting to happen), `--out` overwrote silently, and a
/// release into a missing directory committed and then failed. A payment's bank file is one
/// artefact whose SHA-256 is in the log: exported again it is the same bytes, said to be a copy
/// and logged; nothing is overwritten; a bad target is refused before anything is released.
#[test]
fn a_released_payment_has_one_bank_file_exported_again_identical_and_never_overwritten() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let id = office.approved_case_with_a_debtor();
    let refused = ws.case("anna", "release", id, &["--export", "pain001", "--out", "missing/payment.xml"]).assert_code(USAGE);
    refused.ensure(refused.json()["error"]["code"] == "no_directory", "a missing directory is named");
    dir.write("taken.xml", "someone else's file");
    let refused = ws.case("anna", "release", id, &["--export", "pain001", "--out", "taken.xml"]).assert_code(USAGE);
    refused.ensure(refused.json()["error"]["code"] == "file_exists", "an existing file is refused");
    assert_eq!(dir.read_string("taken.xml"), "someone else's file");
    assert_eq!(ws.show("anna", id)["status"], "approved", "nothing was released");

    ws.case("anna", "release", id, &["--export", "pain001", "--out", "payment.xml"]).assert_code(OK);
    let again = ws.case("clara", "export", id, &["--export", "pain001", "--out", "again.xml"]).assert_code(OK).json();
    assert_eq!(dir.read("again.xml"), dir.read("payment.xml"), "the same bytes, not a new file");
    assert_eq!(again["copy"], true, "{again}");
    ws.case("clara", "export", id, &["--export", "pain001", "--out", "again.xml"]).assert_code(USAGE);
    let other = ws.case("clara", "export", id, &["--export", "epc-qr", "--out", "payment.png"]).assert_code(USAGE);
    other.ensure(other.stdout().contains("one bank file"), "another format is refused: one payment, one bank file");
    assert!(!dir.exists("payment.png"));
    let log = ws.json("alice", &["audit", "log", "--case", &id.to_string(), "--action", "case.export"]).assert_code(OK).json();
    let exports = log.as_array().unwrap();
    assert_eq!(exports.len(), 1, "{log}");
    assert_eq!(exports[0]["details"]["copy"], true);
    let release = ws.json("alice", &["audit", "log", "--case", &id.to_string(), "--action", "case.release"]).assert_code(OK).json();
    let sha = exports[0]["details"]["bank_file_sha256"].clone();
    assert_eq!(release[0]["details"]["bank_file_sha256"], sha, "the export is the release's file");
}

/// Regression (issue 16): a kill between the release's commit and the file's rename left the case
/// released and no file, silently. The next start says so, and the file can be written again,
/// identical. (The state after such a kill is made directly: the file gone, and no record that
/// it was ever saved.)
#[test]
fn a_release_interrupted_before_its_file_was_written_is_found_at_the_next_start() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let id = office.approved_case_with_a_debtor();
    ws.case("anna", "release", id, &["--export", "pain001", "--out", "payment.xml"]).assert_code(OK);
    let made = dir.read("payment.xml");
    std::fs::remove_file(dir.join("payment.xml")).unwrap();
    let db = rusqlite::Connection::open(dir.join(format!("{}/countersign.db", ws.data_dir))).unwrap();
    db.execute("UPDATE bank_files SET saved_at = NULL", []).unwrap();
    let next = ws.case("clara", "show", id, &[]).assert_code(OK);
    next.ensure(next.stderr().contains(&format!("case {id} was released, but its bank file was never saved")), "the next start says so");
    ws.case("clara", "export", id, &["--export", "pain001", "--out", "payment.xml"]).assert_code(OK);
    assert_eq!(dir.read("payment.xml"), made, "written again, identical");
    let after = ws.case("clara", "show", id, &[]).assert_code(OK);
    after.ensure(!after.stderr().contains("never saved"), "saved now: no more warning");
}

/// Regression (issue 16): free text had no length limit (120 KB values were stored in the
/// database and the log). Who answered, a note and a reason have documented limits and are
/// refused beyond them, naming the limit, with nothing changed.
#[test]
fn free_text_beyond_its_limit_is_refused_and_changes_nothing() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let (id, _) = office.held_case("held");
    let long_reason = "x".repeat(1001);
    ws.case("anna", "reject", id, &["--reason", &long_reason]).assert_code(USAGE).assert_stderr_contains("at most 1000");
    ws.case("anna", "reject", id, &["--reason", &"y".repeat(1000)]).assert_code(OK);
    assert_eq!(ws.show("anna", id)["decision_reason"].as_str().map(str::len), Some(1000));
    let (held, _) = office.held_case("held-2");
    let challenge = held.to_string();
    ws.json("clara", &["case", "challenge", &challenge]).assert_code(OK);
    let long_name = "z".repeat(201);
    let args = ["case", "callback", &challenge, "--dialed", ON_FILE_NUMBER, "--reached", &long_name, "--outcome", "unreachable"];
    ws.json("clara", &args).assert_code(USAGE).assert_stderr_contains("at most 200");
    let long_note = "n".repeat(1001);
    let args =
        ["case", "callback", &challenge, "--dialed", ON_FILE_NUMBER, "--reached", "Hans", "--outcome", "unreachable", "--note", &long_note];
    ws.json("clara", &args).assert_code(USAGE).assert_stderr_contains("at most 1000");
    assert!(ws.show("clara", held)["callbacks"].as_array().unwrap().iter().all(|c| c["outcome"].is_null()), "no attempt was recorded");
}

// ---------------------------------------------------------------------------------------------
// Issue 15, item 6: a callback that passes without a call

/// Regression (issue 15): the response depended only on the challenge and the file, which the
/// clerk holds, so `respond` on the clerk's own desktop confirmed a callback nobody made. With a
/// v2 file the clerk cannot compute it without the partner's key, a made-up code recorded by the
/// clerk is refused at approval (the case back on hold, one wrong response), and the genuine
/// partner's `respond --key` gets the case approved.
#[test]
fn a_clerk_cannot_confirm_a_v2_callback_without_the_partner_and_a_made_up_code_is_refused_at_approval() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let (id, copy) = office.held_case("held");
    let show = ws.show("clara", id);
    assert_eq!((show["callback_response_version"].as_i64(), show["callback_response_proves_partner_key"].as_bool()), (Some(2), Some(true)));

    // The clerk computes the response herself: refused without the partner's key (exit 2).
    let challenge = ws.challenge("clara", id);
    let own = dir.countersign(&["--json", "respond", "--challenge", &challenge, &copy]).run().assert_code(USAGE);
    assert_eq!(own.json()["error"]["code"], "key_required", "{own}");
    // Nor with a key that did not sign the file (exit 1), before any passphrase is asked.
    let mallory = dir.keygen("Mallory", "mallory");
    let other = dir.countersign(&["--json", "respond", "--key", &mallory.key, "--challenge", &challenge, &copy]).run();
    assert_eq!((other.code(), other.json()["error"]["code"].as_str()), (FAILED, Some("wrong_key")), "{other}");

    // A made-up code: the clerk's session cannot check it, so it is recorded unchecked...
    let recorded = ws.callback("clara", id, ON_FILE_NUMBER, Some("1234 5678"), "confirmed").assert_code(OK);
    assert_eq!(recorded.json()["status"], "callback_confirmed");
    let show = ws.show("clara", id);
    assert_eq!(show["callback_response_checked"], false, "{show:#}");
    let text = ws.run("clara", &["case", "show", &id.to_string()]).assert_code(OK).stdout();
    assert!(text.contains("UNCHECKED"), "{text}");
    // ...and the approver's approval checks it: refused (exit 1), back on hold, counted, logged.
    ws.case("anna", "approve", id, &[]).assert_code(FAILED).assert_stderr_contains("not the one the partner's key gives");
    let show = ws.show("anna", id);
    assert_eq!((show["status"].as_str(), show["wrong_responses"].as_i64()), (Some("hold"), Some(1)), "{show:#}");
    assert!(show.get("callback_response_checked").is_none(), "no confirmed callback any more: {show:#}");
    let failed = show["timeline"].as_array().unwrap().iter().find(|e| e["action"] == "case.response_check_failed");
    assert_eq!(failed.map(|e| e["actor"].clone()), Some(json!("anna")), "{show:#}");

    // The genuine partner answers with their key: recorded unchecked, checked and approved.
    office.confirm_callback("clara", id, &copy);
    assert_eq!(status_of(ws.case("anna", "approve", id, &[])), "approved");
    let show = ws.show("anna", id);
    assert_eq!(show["callback_response_checked"], true, "{show:#}");
    let approval = show["timeline"].as_array().unwrap().iter().rev().find(|e| e["action"] == "case.approve").cloned();
    assert_eq!(approval.map(|e| e["details"]["response_checked"].clone()), Some(json!(true)), "{show:#}");
    // The log's statements still imply every row (the new transitions replay).
    ws.json("alice", &["audit", "verify"]).assert_code(OK);
}

/// Issue 19 reported: "after case #5 approved a new account, held case #2 still says 'On file:
/// the same account'". That is what is on file by then: the account on file is read when a case
/// is shown, never kept from its receipt. Before the other case's approval the held case pays
/// another account than the one on file; afterwards the account on file is the one it pays,
/// current since that approval, while its findings stay those of its receipt.
#[test]
fn the_account_on_file_is_read_when_a_case_is_shown_not_kept_from_its_receipt() {
    let dir = TestDir::new();
    let office = Office::new(&dir);
    let ws = &office.ws;
    let (held, _) = office.held_case("first");
    let show = ws.show("clara", held);
    assert_eq!(show["on_file_account"]["display"], CONTRACT_IBAN, "{show:#}");
    assert_eq!(show["on_file_account"]["same_as_case"], false, "{show:#}");
    ws.run("clara", &["case", "show", &held.to_string()])
        .assert_code(OK)
        .assert_stdout_contains(&format!("on file       {CONTRACT_IBAN} · {CONTRACT_BIC}"))
        .assert_stdout_contains("(this case pays another account)");

    // A later instruction to the same new account is called back and approved: it becomes current.
    let (other, copy) = office.held_case("second");
    office.confirm_callback("clara", other, &copy);
    assert_eq!(status_of(ws.case("anna", "approve", other, &[])), "approved");

    let show = ws.show("clara", held);
    assert_eq!(show["status"], "hold", "the held case still waits for its own callback");
    assert_eq!(show["on_file_account"]["display"], CHANGED_IBAN, "{show:#}");
    assert_eq!(show["on_file_account"]["same_as_case"], true, "{show:#}");
    let approved_at =
        ws.show("clara", other)["timeline"].as_array().unwrap().iter().rev().find(|e| e["action"] == "case.approve").unwrap()["at"].clone();
    assert_eq!(show["on_file_account"]["became_current_at"], approved_at, "current since the other case's approval");
    assert!(codes_of(&show["findings"]).contains(&"bank_details_changed".into()), "the findings are those of the receipt: {show:#}");
    ws.run("clara", &["case", "show", &held.to_string()])
        .assert_code(OK)
        .assert_stdout_contains(&format!("on file       {CHANGED_IBAN} · {CHANGED_BIC}"))
        .assert_stdout_contains("(the account this case pays)");
}
