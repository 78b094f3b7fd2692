//! The payment run shared by the benchmarks (`benches/receive.rs` into SQLite, `benches/team.rs`
//! into PostgreSQL): 1,000 partners onboarded in a template workspace, 10,000 signed files of a
//! known mix, (a) the raw single-threaded signature checks and (b) the whole receive, with the
//! machine's noise (CPU time, time spent waiting for a core) beside each figure.

// Not every bench uses every item.
#![allow(dead_code)]

use countersign_service::OsRng;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use countersign_core::bank::Country;
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::envelope::{Envelope, FileKind, MAX_FILE_SIZE};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::instruction::Details;
use countersign_core::format::keys::{signing_message, KeyPair};
use countersign_service::files::read_limited;
use countersign_service::{Credentials, InitRequest, NewPartner, Workspace};
use ed25519_dalek::{Signature, VerifyingKey};
use time::OffsetDateTime;

pub const PARTNERS: usize = 1_000;
pub const FILES_PER_PARTNER: usize = 10;
pub const FILES: usize = PARTNERS * FILES_PER_PARTNER;
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "bench admin password 2026";
pub const ORG_PASSPHRASE: &str = "bench organisation passphrase";
pub const BIC: &str = "COBADEFFXXX";

pub const TARGET_WHOLE: Duration = Duration::from_millis(1_500);
pub const TARGET_RATIO: f64 = 3.0;

/// A valid German IBAN for a bank code and an account number (ISO 13616 check digits).
pub fn german_iban(bank_code: u32, account: u64) -> String {
    let bban = format!("{bank_code:08}{account:010}");
    // Rearranged: BBAN, then "DE00" with D = 13, E = 14.
    let digits = format!("{bban}131400");
    let remainder = digits.bytes().fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - remainder)
}

/// What partner `p` asks to be paid: `amount_minor` EUR to `iban`, with `reference`.
pub fn payment_details(p: usize, iban: String, amount_minor: u64, reference: String) -> Details {
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
        reference: Some(reference),
        due_date: None,
        valid_from: None,
        valid_until: None,
    }
}

pub fn partner_name(p: usize) -> String {
    format!("Bench Supplier {p:04} GmbH")
}

pub fn known_iban(p: usize) -> String {
    german_iban(37040044, 1_000_000 + p as u64)
}

pub fn changed_iban(p: usize) -> String {
    german_iban(50040000, 2_000_000 + p as u64)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expected {
    Accepted,
    Hold,
    Rejected,
}

impl Expected {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Hold => "hold",
            Self::Rejected => "rejected",
        }
    }
}

/// One signed file: where it is, what (a) needs, and the verdict it should get.
pub struct SignedFile {
    pub path: PathBuf,
    pub key: VerifyingKey,
    pub message: Vec<u8>,
    pub signature: Signature,
    pub expected: Expected,
}

/// The template workspace and the signed files, made once.
pub struct Setup {
    pub template: PathBuf,
    pub files: Vec<SignedFile>,
}

// Long: builds the benchmark's workspace (partners, keys, history, files) step by step.
pub fn setup(root: &Path) -> Setup {
    let template = root.join("template");
    let started = Instant::now();
    let mut ws = Workspace::init(
        &template,
        &InitRequest { org_name: "Bench Buyer AG", admin_name: ADMIN, org_passphrase: ORG_PASSPHRASE, admin_password: ADMIN_PASSWORD },
    )
    .expect("init");
    let session = ws.login(&Credentials { user: ADMIN, password: ADMIN_PASSWORD, totp: None }).expect("login");
    let us = ws.org_fingerprint().expect("org fingerprint");
    let elsewhere: Fingerprint = KeyPair::generate(&mut OsRng).fingerprint();
    let germany = Country::parse("DE").expect("DE");
    let card_time = OffsetDateTime::now_utc();
    let mut keys = Vec::with_capacity(PARTNERS);
    for p in 0..PARTNERS {
        let key = KeyPair::generate(&mut OsRng);
        let card =
            PartnerCard::create(&key, CardDetails { name: partner_name(p), country: Some(germany), ..Default::default() }, card_time)
                .expect("card");
        let phones = [format!("+49 30 {}", 2_000_000 + p)];
        let typed = card.fingerprint().to_string();
        let iban = known_iban(p);
        ws.add_partner(
            &session,
            &NewPartner {
                card: &card.to_bytes(),
                confirm_fingerprint: &typed,
                phones: &phones.iter().map(|p| countersign_service::NewNumber::plain(p)).collect::<Vec<_>>(),
                card_numbers: false,
                domains: &[],
                country: None,
                known_account: Some((&iban, BIC)),
            },
        )
        .expect("add_partner");
        keys.push(key);
    }
    drop(ws);
    let onboarded = started.elapsed();

    let started = Instant::now();
    let dir = root.join("inbox");
    std::fs::create_dir_all(&dir).expect("inbox");
    // Signed a minute ago, valid for 30 days: all files share the issue time, so none is
    // superseded by another, whatever the order.
    let issued = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    let context = FileKind::Instruction.format_id();
    let mut files = Vec::with_capacity(FILES);
    // Round-robin over partners, as a payment run mixes them.
    for j in 0..FILES_PER_PARTNER {
        for (p, key) in keys.iter().enumerate() {
            let (iban, recipient, expected) = match (j, p % 10) {
                (9, 9) => (changed_iban(p), us, Expected::Hold),
                (9, 4) => (known_iban(p), elsewhere, Expected::Rejected),
                _ => (known_iban(p), us, Expected::Accepted),
            };
            let details = payment_details(p, iban, 1_000_00 + (j as u64) * 10_00 + p as u64, format!("INV-{p:04}-{j}"));
            let id = format!("bench-p{p:04}-{j}");
            let instruction = details.to_instruction(id.clone(), key.fingerprint(), recipient, issued).expect("instruction");
            let envelope = Envelope::sign(FileKind::Instruction, key, instruction.to_payload_bytes());
            let path = dir.join(format!("{id}.csi"));
            std::fs::write(&path, envelope.to_bytes()).expect("write a file");
            files.push(SignedFile {
                path,
                key: VerifyingKey::from_bytes(&key.public_key().to_bytes()).expect("key"),
                message: signing_message(context, envelope.payload()),
                signature: Signature::from_bytes(envelope.signature()),
                expected,
            });
        }
    }
    println!(
        "set-up (untimed): workspace with {PARTNERS} partners in {:.1} s, {FILES} files signed and written in {:.1} s",
        onboarded.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Setup { template, files }
}

/// (a): single-threaded strict verification of every signature. Returns the time taken and the
/// time the thread waited for a core meanwhile.
pub fn raw_verify(files: &[SignedFile]) -> (Duration, Duration) {
    let waited = waited_for_cpu();
    let started = Instant::now();
    let mut valid = 0usize;
    for f in files {
        if std::hint::black_box(&f.key).verify_strict(std::hint::black_box(&f.message), &f.signature).is_ok() {
            valid += 1;
        }
    }
    let elapsed = started.elapsed();
    let waited = waited_for_cpu() - waited;
    assert_eq!(valid, files.len(), "every signature verifies");
    (elapsed, waited)
}

/// CPU time (user + system) of the whole process so far, all threads included (Linux
/// `/proc/self/stat`, in clock ticks of 10 ms); zero where unavailable.
pub fn process_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return Duration::ZERO };
    let Some((_, fields)) = stat.rsplit_once(')') else { return Duration::ZERO };
    let fields: Vec<&str> = fields.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
    // Fields 14 and 15 of stat(5); `fields[0]` is field 3.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// This thread's scheduler statistics so far (Linux `/proc/thread-self/schedstat`): time on a
/// core, and time spent waiting for one while runnable (how much other processes on the
/// machine got in the way). Zero where unavailable.
pub fn thread_sched() -> (Duration, Duration) {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut fields = text.split_whitespace().map(|n| n.parse::<u64>().map(Duration::from_nanos).unwrap_or_default());
    (fields.next().unwrap_or_default(), fields.next().unwrap_or_default())
}

pub fn waited_for_cpu() -> Duration {
    thread_sched().1
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a run directory");
    for entry in std::fs::read_dir(from).expect("read the template") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy the template");
        }
    }
}

pub struct Whole {
    pub read: Duration,
    pub receive: Duration,
    /// CPU time of all threads.
    pub cpu: Duration,
    /// CPU time of this thread, which reads the files and records them one after the other:
    /// the critical path.
    pub recording_cpu: Duration,
    /// Time the recording thread waited for a core.
    pub waited: Duration,
}

impl Whole {
    pub fn total(&self) -> Duration {
        self.read + self.receive
    }
}

/// (b): read the files from disk and receive them into a fresh copy of the template workspace.
pub fn whole_receive(setup: &Setup, run_dir: &Path) -> Whole {
    copy_dir(&setup.template, run_dir);
    receive_all(setup, Workspace::open(run_dir).expect("open"))
}

/// (b) into an open workspace (SQLite or a team one): read the files, receive them as the admin,
/// check every verdict against the mix.
pub fn receive_all(setup: &Setup, mut ws: Workspace) -> Whole {
    let session = ws.login(&Credentials { user: ADMIN, password: ADMIN_PASSWORD, totp: None }).expect("login");

    let cpu = process_cpu();
    let (on_cpu, waited) = thread_sched();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(setup.files.len());
    for f in &setup.files {
        let bytes = read_limited(&f.path, MAX_FILE_SIZE).expect("read a file");
        batch.push((f.path.display().to_string(), bytes));
    }
    let read = started.elapsed();
    let results = ws.receive(&session, &batch, None, &mut |_, _| {}).expect("receive");
    let total = started.elapsed();
    let cpu = process_cpu() - cpu;
    let (on_cpu_after, waited_after) = thread_sched();
    let (recording_cpu, waited) = (on_cpu_after - on_cpu, waited_after - waited);

    assert_eq!(results.len(), setup.files.len());
    for (result, file) in results.iter().zip(&setup.files) {
        assert_eq!(
            result.verdict().as_str(),
            file.expected.as_str(),
            "{}: {:?}",
            result.file_name,
            result.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>()
        );
        assert!(result.case_id.is_some());
    }
    drop(ws);
    Whole { read, receive: total - read, cpu, recording_cpu, waited }
}

pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn per_second(d: Duration) -> f64 {
    FILES as f64 / d.as_secs_f64()
}

// Long: runs each measurement and prints its figures in the order docs/performance.md reports them.
