//! Benchmark of issue 18: screening an ERP payment run of 100,000 credit transfers (about 73 MB of
//! pain.001.001.09 as ERPs write it) against 10,000 partners, compared with merely parsing the same
//! bytes with quick-xml, in the same run.
//!
//! Run with `cargo bench --bench screen` (a release build; `make bench` runs it too). No
//! criterion: plain `Instant` timings, printed with the ratios. Optional:
//! `COUNTERSIGN_BENCH_RUNS=N` (default 7), `COUNTERSIGN_BENCH_LINES=N` (default 100,000),
//! `COUNTERSIGN_BENCH_PARTNERS=N` (default 10,000).
//!
//! Set-up (not timed): the file from `screen::sample` (every line a SEPA transfer with a postal
//! address and remittance, to the partners in turn; one line in 1,000 to a stranger), and the
//! facts of those partners, each with a signed current account and earlier amounts.
//!
//! Each run measures:
//! - (a) parse: every event of the file read with quick-xml and dropped, the floor for any reader;
//! - (b) read: `read_payment_file`, the guarded reader, the schema check and the extraction of
//!   every line in one pass;
//! - (c) screen: (b) and the rules on every line (`screen::rules::screen`).
//!
//! Prints every run, the medians, lines and megabytes per second, and the median ratios (b)/(a)
//! and (c)/(a).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use countersign_core::assess::history::EarlierAmounts;
use countersign_core::cases::policy::Policy;
use countersign_core::registry::AccountStatus;
use countersign_core::screen::read_payment_file;
use countersign_core::screen::rules::{screen, PartnerAccount, PartnerFacts, PartnerRef, ScreenFacts};
use countersign_core::screen::sample::{SampleFile, SampleLine};
use countersign_core::screen::Pain001Version;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A valid German IBAN for partner `i` (check digits computed).
fn iban(i: usize) -> String {
    let bban = format!("37040044{:010}", 532_013_000 + i);
    let numeric: String = format!("{bban}131400").chars().collect();
    let remainder = numeric.bytes().fold(0u64, |r, b| (r * 10 + u64::from(b - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - remainder)
}

fn payment_run(lines: usize, partners: usize) -> Vec<u8> {
    let transfers = (0..lines)
        .map(|i| {
            let p = i % partners;
            let (name, account) = match i % 1000 == 999 {
                true => ("Hooli Ltd".to_string(), "GB29NWBK60161331926819".to_string()),
                false => (format!("Supplier {p} GmbH"), iban(p)),
            };
            let mut line =
                SampleLine::sepa(&format!("RUN-{i}"), &format!("{}.{:02}", 100 + i % 4000, i % 100), &name, &account, "COBADEFFXXX");
            line.structured_reference = Some(format!("RF{:02}{i:08}", i % 90 + 10));
            line
        })
        .collect();
    SampleFile::one_block(Pain001Version::V09, "BENCH-RUN", "DE75512108001245126199", transfers).xml().into_bytes()
}

fn facts(partners: usize) -> ScreenFacts {
    let partners = (0..partners)
        .map(|p| PartnerFacts {
            partner: PartnerRef { id: p as i64 + 1, name: format!("Supplier {p} GmbH") },
            has_active_key: true,
            accounts: vec![PartnerAccount {
                key: format!("iban:{}", iban(p)),
                status: AccountStatus::Current,
                signed: true,
                changed_at: None,
            }],
            amounts: BTreeMap::from([("EUR".to_string(), EarlierAmounts::of(&[400_000, 300_000, 350_000]))]),
            freezes: vec![],
        })
        .collect();
    ScreenFacts {
        partners,
        marks: BTreeMap::new(),
        our_accounts: vec!["iban:DE75512108001245126199".into()],
        policy: Policy::default(),
        now: time::OffsetDateTime::now_utc(),
    }
}

fn parse_only(bytes: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return events,
            Ok(_) => events += 1,
            Err(e) => panic!("the benchmark's file does not parse: {e}"),
        }
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let runs = env_number("COUNTERSIGN_BENCH_RUNS", 7).max(1);
    let lines = env_number("COUNTERSIGN_BENCH_LINES", 100_000);
    let partners = env_number("COUNTERSIGN_BENCH_PARTNERS", 10_000).max(1);
    let bytes = payment_run(lines, partners);
    let facts = facts(partners);
    let mb = bytes.len() as f64 / 1e6;
    println!("screen benchmark: {lines} credit transfers, {mb:.1} MB of pain.001.001.09, {partners} partners, {runs} runs");
    let (mut parse, mut read, mut full) = (vec![], vec![], vec![]);
    for run in 1..=runs {
        let t = Instant::now();
        std::hint::black_box(parse_only(&bytes));
        parse.push(t.elapsed());
        let t = Instant::now();
        let file = read_payment_file(&bytes).expect("the benchmark's file is valid");
        read.push(t.elapsed());
        let t = Instant::now();
        let file2 = read_payment_file(&bytes).expect("valid");
        let report = screen(&file2, &facts);
        full.push(t.elapsed());
        assert_eq!((file.lines.len(), report.counts.lines), (lines, lines));
        assert_eq!(report.counts.hold, lines / 1000, "one line in 1,000 is a stranger's");
        assert_eq!(report.counts.ok, lines - lines / 1000, "every other line pays its partner's signed account");
        println!(
            "run {run}: (a) parse {:>8.1} ms   (b) read {:>8.1} ms   (c) screen {:>8.1} ms",
            parse[run - 1].as_secs_f64() * 1e3,
            read[run - 1].as_secs_f64() * 1e3,
            full[run - 1].as_secs_f64() * 1e3
        );
    }
    let (a, b, c) = (median(&mut parse), median(&mut read), median(&mut full));
    println!("median: (a) {:.1} ms, (b) {:.1} ms, (c) {:.1} ms", a.as_secs_f64() * 1e3, b.as_secs_f64() * 1e3, c.as_secs_f64() * 1e3);
    println!(
        "screen: {:.0} lines/s, {:.1} MB/s; read/parse {:.2}x, screen/parse {:.2}x",
        lines as f64 / c.as_secs_f64(),
        mb / c.as_secs_f64(),
        b.as_secs_f64() / a.as_secs_f64(),
        c.as_secs_f64() / a.as_secs_f64()
    );
}
