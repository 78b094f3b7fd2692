//! A workspace of many cases for the scale tests and measurements (issue 19): not part of the
//! product. Made through the public service API, as `benches/receive.rs` makes its own: a new
//! workspace (alice, admin, password "TEST-ONLY alice demo"; organisation passphrase
//! "TEST-ONLY org demo"), 20 partners with fresh keys, and N signed instructions received in one
//! payment run (default 10,000): every amount different, every hundredth file to a new account of
//! its own (held: `bank_details_changed`). With `--events M`, the months of work that follow, until
//! the log holds M events (see [`activity`]). It then writes `scale.json` beside the workspace with
//! the facts a test looks for: a case to find by number, one by its new account, one by its amount.
//!
//!     cargo run --release --example scale_workspace -- DIR [--cases N] [--events M]
//!
//! The workspace is DIR/workspace (open it with `COUNTERSIGN_DATA_DIR` or `--data-dir`). About
//! 10 s in a release build on 2 cores, half a minute in a debug one.

use std::path::{Path, PathBuf};
use std::time::Instant;

use countersign_core::audit::log::EventFilter;
use countersign_core::bank::Country;
use countersign_core::cases::flow::{CallbackOutcome, CaseStatus};
use countersign_core::cases::policy::Policy;
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::codes::ChallengeResponse;
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::instruction::Details;
use countersign_core::format::keys::KeyPair;
use countersign_core::paging::Page;
use countersign_service::{CallbackReport, Credentials, ExportFormat, InitRequest, NewPartner, OsRng, Role, Session, Workspace};
use serde_json::json;
use time::OffsetDateTime;

/// The partners the files come from.
const PARTNERS: usize = 20;
/// Every this many files, one goes to a new account of its own.
const NEW_ACCOUNT_EVERY: usize = 100;
const BIC: &str = "COBADEFFXXX";

/// A valid German IBAN for a bank code and an account number (ISO 13616 check digits).
fn german_iban(bank_code: u32, account: u64) -> String {
    let bban = format!("{bank_code:08}{account:010}");
    let digits = format!("{bban}131400");
    let remainder = digits.bytes().fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - remainder)
}

/// The IBAN in groups of four, as people read it.
fn grouped(iban: &str) -> String {
    iban.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

fn partner_name(p: usize) -> String {
    format!("Scale Supplier {p:02} GmbH")
}

/// File `i` (case `i + 1`): its partner, account and amount in cents, each amount different.
fn file_facts(i: usize) -> (usize, String, u64) {
    let p = i % PARTNERS;
    let iban = match i % NEW_ACCOUNT_EVERY == NEW_ACCOUNT_EVERY - 1 {
        true => german_iban(50040000, 3_000_000 + i as u64),
        false => german_iban(37040044, 1_000_000 + p as u64),
    };
    (p, iban, 10_000 + i as u64 * 137)
}

fn details(p: usize, iban: String, amount_minor: u64, i: usize) -> Details {
    Details {
        beneficiary_name: partner_name(p),
        iban: Some(iban),
        account_number: None,
        routing_code: None,
        country: None,
        bic: BIC.into(),
        currency: "EUR".into(),
        amount: None,
        amount_minor: Some(amount_minor),
        reference: Some(format!("SC-{:05}", i + 1)),
        due_date: None,
        valid_from: None,
        valid_until: None,
    }
}

fn onboard(ws: &mut Workspace, session: &countersign_service::Session) -> Vec<KeyPair> {
    let germany = Country::parse("DE").expect("DE");
    let now = OffsetDateTime::now_utc();
    (0..PARTNERS)
        .map(|p| {
            let key = KeyPair::generate(&mut OsRng);
            let card = PartnerCard::create(&key, CardDetails { name: partner_name(p), country: Some(germany), ..Default::default() }, now)
                .expect("card");
            let phones = [format!("+49 30 {}", 3_000_000 + p)];
            let typed = card.fingerprint().to_string();
            let iban = german_iban(37040044, 1_000_000 + p as u64);
            let new = NewPartner {
                card: &card.to_bytes(),
                confirm_fingerprint: &typed,
                phones: &phones.iter().map(|p| countersign_service::NewNumber::plain(p)).collect::<Vec<_>>(),
                card_numbers: false,
                domains: &[],
                country: None,
                known_account: Some((&iban, BIC)),
            };
            ws.add_partner(session, &new).expect("add_partner");
            key
        })
        .collect()
}

/// The directory, how many cases, and how many events the log should hold at least (none: only
/// the receipts).
fn arguments() -> (PathBuf, usize, Option<u64>) {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut cases, mut events) = (None, 10_000, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cases" => cases = args.next().and_then(|n| n.parse().ok()).expect("--cases N"),
            "--events" => events = Some(args.next().and_then(|n| n.parse().ok()).expect("--events M")),
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    (dir.expect("usage: scale_workspace DIR [--cases N] [--events M]"), cases.max(NEW_ACCOUNT_EVERY * 2), events)
}

fn write_facts(dir: &Path, cases: usize) {
    let (_, iban, _) = file_facts(2 * NEW_ACCOUNT_EVERY - 1);
    let amount_case = cases / 2;
    let (_, _, amount) = file_facts(amount_case - 1);
    let facts = json!({
        "cases": cases,
        "user": "alice",
        "by_number": 155,
        "by_iban": { "case": 2 * NEW_ACCOUNT_EVERY, "iban": iban, "display": grouped(&iban) },
        "by_amount": { "case": amount_case, "amount": format!("{}.{:02}", amount / 100, amount % 100), "currency": "EUR" },
    });
    std::fs::write(dir.join("scale.json"), serde_json::to_vec_pretty(&facts).expect("json")).expect("scale.json");
}

fn main() {
    let (dir, cases, events) = arguments();
    let started = Instant::now();
    std::fs::create_dir_all(&dir).expect("the directory");
    let init = InitRequest {
        org_name: "Scale Buyer AG",
        admin_name: "alice",
        org_passphrase: "TEST-ONLY org demo",
        admin_password: "TEST-ONLY alice demo",
    };
    let mut ws = Workspace::init(&dir.join("workspace"), &init).expect("init");
    let session = ws.login(&Credentials { user: "alice", password: "TEST-ONLY alice demo", totp: None }).expect("login");
    let keys = onboard(&mut ws, &session);
    let us = ws.org_fingerprint().expect("our fingerprint");
    // Signed a minute ago, all at once: no file supersedes another, whatever the order.
    let issued = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    let files: Vec<(String, Vec<u8>)> = (0..cases)
        .map(|i| {
            let (p, iban, amount) = file_facts(i);
            let instruction = details(p, iban, amount, i).to_instruction(format!("scale-{i:05}"), keys[p].fingerprint(), us, issued);
            let payload = instruction.expect("instruction").to_payload_bytes();
            (format!("scale-{i:05}.csi"), Envelope::sign(FileKind::Instruction, &keys[p], payload).to_bytes())
        })
        .collect();
    let received = ws.receive(&session, &files, None, &mut |_, _| {}).expect("receive");
    let held = received.iter().filter(|a| a.verdict().as_str() == "hold").count();
    if let Some(target) = events {
        let payloads: Vec<Vec<u8>> = files.iter().map(|(_, bytes)| payload_of(bytes)).collect();
        let log = activity::work(&mut ws, &session, &files, &payloads, target);
        println!("{log}");
    }
    write_facts(&dir, cases);
    println!(
        "{} cases ({held} held) from {PARTNERS} partners in {}: {:.1} s",
        received.len(),
        dir.join("workspace").display(),
        started.elapsed().as_secs_f64()
    );
}

/// The signed payload of an instruction file (the bytes a callback's response is computed from).
fn payload_of(file: &[u8]) -> Vec<u8> {
    Envelope::parse(file, FileKind::Instruction).expect("our own file").payload().to_vec()
}

/// The work that follows a payment run, day after day, until the log holds the events asked for:
/// what a busy accounts-payable team writes. Each day the clerk (carol) checks files before
/// receiving them (`instruction.verify`) and releases the oldest accepted cases with a pain.001
/// (`case.release`, its bank file witnessed by a signed checkpoint), the file recorded as saved
/// (`case.bank_file_saved`); cases above the approval threshold are approved and released by bob,
/// an approver (`case.approve`); one held case gets a callback: an attempt nobody answers, then one
/// confirmed with the partner's response (`case.challenge`, `case.callback`), and bob's approval;
/// and the day ends with a checkpoint of the log (`audit.checkpoint`). Released cases stop
/// waiting, so the queue keeps the rest: at most half of the accepted and half of the held cases
/// are worked, whatever the target; the files checked make up the remainder.
mod activity {
    use super::*;

    /// Files checked per day, cases released per day.
    const CHECKED_PER_DAY: usize = 60;
    const RELEASED_PER_DAY: usize = 10;

    /// The work's events by action, and the log's length at the end.
    pub fn work(ws: &mut Workspace, alice: &Session, files: &[(String, Vec<u8>)], payloads: &[Vec<u8>], target: u64) -> String {
        let started = Instant::now();
        // Our account (the debtor of every bank file), then the clerk: once bob can check changes too, a new user waits for a second person.
        ws.set_org_account(alice, None, "DE02 1203 0000 0000 2020 51", "BYLADEM1001", "EUR").expect("our account");
        // The months of work happen in one sitting here, so no changed account's cooling-off
        // (issue 20) would ever end: the work is done under a policy without one, set while
        // alice still decides alone (setup mode).
        let policy = Policy { cooling_off_hours: 0, ..ws.policy().expect("policy") };
        ws.set_policy(alice, &policy).expect("a policy without cooling-off");
        let carol = user(ws, alice, "carol", Role::Clerk);
        let bob = user(ws, alice, "bob", Role::Approver);
        let threshold = ws.policy().expect("policy").approval_threshold_minor;
        let accepted: Vec<(i64, Option<u64>)> =
            ws.cases(alice, Some(CaseStatus::Accepted)).expect("cases").iter().map(|c| (c.id, c.amount_minor)).collect();
        let held: Vec<i64> = ws.cases(alice, Some(CaseStatus::Hold)).expect("cases").iter().map(|c| c.id).collect();
        let (mut releasing, mut calling) = (accepted[..accepted.len() / 2].iter(), held[..held.len() / 2].iter());
        let mut log = Log::default();
        let (mut day, mut checked) = (0usize, 0usize);
        while log.length(ws, alice) < target {
            for _ in 0..CHECKED_PER_DAY {
                let (name, bytes) = &files[checked % files.len()];
                ws.verify(&carol, name, bytes, None).expect("verify");
                checked += 1;
            }
            for &(id, amount) in releasing.by_ref().take(RELEASED_PER_DAY) {
                // Above the threshold the approver approves and releases; below it the clerk releases.
                let releaser = match amount.is_some_and(|a| a > threshold) {
                    true => {
                        ws.approve(&bob, id).expect("approve");
                        &bob
                    }
                    false => &carol,
                };
                ws.release(releaser, id, Some(ExportFormat::Pain001)).expect("release");
                ws.bank_file_saved(releaser, id, &format!("/payments/case-{id}.xml")).expect("saved");
            }
            if let Some(&id) = calling.next() {
                call_back(ws, &carol, &bob, id, &payloads[(id - 1) as usize]);
            }
            ws.save_checkpoint(alice).expect("checkpoint");
            day += 1;
        }
        format!(
            "{} events in the log after {day} days of work ({checked} files checked): {:.1} s",
            log.seq,
            started.elapsed().as_secs_f64()
        )
    }

    fn user(ws: &mut Workspace, alice: &Session, name: &str, role: Role) -> Session {
        let password = format!("TEST-ONLY {name} demo");
        ws.add_user(alice, name, role, &password).expect("a user");
        ws.login(&Credentials { user: name, password: &password, totp: None }).expect("signs in")
    }

    fn call_back(ws: &mut Workspace, carol: &Session, bob: &Session, id: i64, payload: &[u8]) {
        let number = ws.case(carol, id).expect("case").on_file_numbers.first().expect("a number on file").number.e164.clone();
        let mut report = CallbackReport {
            dialed: &number,
            reached: "nobody (voicemail)",
            response: None,
            outcome: CallbackOutcome::Unreachable,
            note: Some("no answer"),
        };
        ws.start_callback(carol, id).expect("challenge");
        ws.record_callback(carol, id, &report).expect("unreachable");
        let challenge = ws.start_callback(carol, id).expect("challenge");
        let response = ChallengeResponse::compute(challenge, payload).to_string();
        report = CallbackReport {
            reached: "accounts payable",
            response: Some(&response),
            outcome: CallbackOutcome::Confirmed,
            note: None,
            ..report
        };
        ws.record_callback(carol, id, &report).expect("confirmed");
        ws.approve(bob, id).expect("approve");
    }

    /// The log's length, read forward from where it was last read.
    #[derive(Default)]
    struct Log {
        seq: u64,
    }

    impl Log {
        fn length(&mut self, ws: &mut Workspace, alice: &Session) -> u64 {
            loop {
                let after = Some(i64::try_from(self.seq).expect("seq"));
                let page = Page::new(Some(10_000), after).expect("page");
                let events = ws.audit_log(alice, &EventFilter { page, ..Default::default() }).expect("log");
                match events.items.last() {
                    Some(last) => self.seq = last.seq,
                    None => return self.seq,
                }
            }
        }
    }
}
