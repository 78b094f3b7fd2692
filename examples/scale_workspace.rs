//! A workspace of many cases for the scale tests and measurements (issue 19): not part of the
//! product. Made through the public service API, as `benches/receive.rs` makes its own: a new
//! workspace (alice, admin, password "TEST-ONLY alice demo"; organisation passphrase
//! "TEST-ONLY org demo"), 20 partners with fresh keys, and N signed instructions received in one
//! payment run (default 10,000): every amount different, every hundredth file to a new account of
//! its own (held: `bank_details_changed`). It then writes `scale.json` beside the workspace with the
//! facts a test looks for: a case to find by number, one by its new account, one by its amount.
//!
//!     cargo run --release --example scale_workspace -- DIR [--cases N]
//!
//! The workspace is DIR/workspace (open it with `COUNTERSIGN_DATA_DIR` or `--data-dir`). About
//! 10 s in a release build on 2 cores, half a minute in a debug one.

use std::path::{Path, PathBuf};
use std::time::Instant;

use countersign_core::bank::Country;
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::instruction::Details;
use countersign_core::format::keys::KeyPair;
use countersign_service::{Credentials, InitRequest, NewPartner, OsRng, Workspace};
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

fn arguments() -> (PathBuf, usize) {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut cases) = (None, 10_000);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cases" => cases = args.next().and_then(|n| n.parse().ok()).expect("--cases N"),
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    (dir.expect("usage: scale_workspace DIR [--cases N]"), cases.max(NEW_ACCOUNT_EVERY * 2))
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
    let (dir, cases) = arguments();
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
    write_facts(&dir, cases);
    println!(
        "{} cases ({held} held) from {PARTNERS} partners in {}: {:.1} s",
        received.len(),
        dir.join("workspace").display(),
        started.elapsed().as_secs_f64()
    );
}
