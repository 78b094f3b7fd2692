//! Benchmarks of issue 17, item 7: team workspaces on PostgreSQL.
//!
//! Run with `make bench-team` (or `cargo bench --bench team`): it uses the server named by
//! `COUNTERSIGN_TEST_POSTGRES`, else starts its own with `scripts/test-postgres.sh` and stops it at
//! the end. Optional: `COUNTERSIGN_BENCH_RUNS=N` (default 5).
//!
//! 1. **The payment run into PostgreSQL**: the 10,000 files from 1,000 partners of
//!    `benches/receive.rs` (`payment_run`), received end to end into a team workspace on the
//!    server (set-up untimed: the SQLite template moved to a fresh schema with
//!    `Workspace::move_to_team`), against (a) the raw single-threaded signature checks of the same
//!    files in the same run (the ratio method of the SQLite bench), and against the same receive
//!    into SQLite in the same run.
//! 2. **Five desktops at once**: five threads, each with its own connection and data directory as
//!    a desktop has, each receiving its own 200 files one at a time (a clerk) and releasing each
//!    accepted case (an approver). Throughput of case transitions (receipts and releases) and the
//!    p50/p99 latency of each kind.

// Amounts in minor units are written as units_cents, as in the library.
#![allow(clippy::inconsistent_digit_grouping)]

mod payment_run;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use countersign_core::bank::Country;
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::keys::KeyPair;
use countersign_service::{Credentials, DatabaseUrl, InitRequest, Location, NewPartner, OsRng, Role, Workspace};
use payment_run::*;
use time::OffsetDateTime;

const DESKTOPS: usize = 5;
const FILES_PER_DESKTOP: usize = 200;
const DESKTOP_PARTNERS: usize = 50;

/// The PostgreSQL server of the run: the one named in the environment, or one of our own.
struct Server {
    base: String,
    own: Option<PathBuf>,
}

impl Server {
    fn start() -> Server {
        if let Ok(base) = std::env::var("COUNTERSIGN_TEST_POSTGRES") {
            return Server { base, own: None };
        }
        let dir = tempfile::Builder::new().prefix("countersign-bench-pg-").tempdir_in("/tmp").expect("a directory").keep();
        let out = std::process::Command::new("scripts/test-postgres.sh").arg("start").arg(&dir).output().expect("scripts/test-postgres.sh");
        assert!(out.status.success(), "the server did not start: {}", String::from_utf8_lossy(&out.stderr));
        Server { base: String::from_utf8(out.stdout).expect("a URL").trim().to_string(), own: Some(dir) }
    }

    fn url(&self, schema: &str) -> DatabaseUrl {
        DatabaseUrl::parse(&self.base).expect("the server's URL").with_schema(schema).expect("a schema name")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(dir) = &self.own {
            let _ = std::process::Command::new("scripts/test-postgres.sh").arg("stop").arg(dir).status();
        }
    }
}

fn login(ws: &mut Workspace, user: &str, password: &str) -> countersign_service::Session {
    ws.login(&Credentials { user, password, totp: None }).expect("login")
}

fn percentile(mut values: Vec<Duration>, p: f64) -> Duration {
    values.sort();
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let runs: usize = std::env::var("COUNTERSIGN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    let server = Server::start();
    let root = tempfile::Builder::new().prefix("countersign-bench-").tempdir().expect("temporary directory");
    println!("countersign team benchmark: PostgreSQL at {}, {runs} runs", server.url("countersign"));
    payment_run_into_postgres(&server, root.path(), runs);
    five_desktops(&server, root.path());
}

/// Part 1: (a) raw, (b) into PostgreSQL, (c) into SQLite, each run in that order.
fn payment_run_into_postgres(server: &Server, root: &Path, runs: usize) {
    let setup = setup(root);
    let _ = raw_verify(&setup.files);
    println!();
    println!("run | (a) raw, 1 thread | (b) into PostgreSQL          | (c) into SQLite | (b)/(a) | (b)/(c) | waited for a core: (b)");
    let (mut raws, mut pgs, mut sqlites, mut ratios) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        let (raw, _) = raw_verify(&setup.files);
        let run_dir = root.join(format!("pg-run-{run}"));
        copy_dir(&setup.template, &run_dir);
        let mut ws = Workspace::open(&run_dir).expect("open");
        let admin = login(&mut ws, ADMIN, ADMIN_PASSWORD);
        ws.move_to_team(&admin, &server.url(&format!("bench_run_{}_{run}", std::process::id())), None).expect("move to the server");
        let pg = receive_all(&setup, ws);
        let sqlite_dir = root.join(format!("sqlite-run-{run}"));
        let sqlite = whole_receive(&setup, &sqlite_dir);
        let _ = std::fs::remove_dir_all(&sqlite_dir);
        let ratio = pg.total().as_secs_f64() / raw.as_secs_f64();
        let versus = pg.total().as_secs_f64() / sqlite.total().as_secs_f64();
        println!(
            "{run:>3} | {:>8.1} ms       | {:>7.1} ms ({:>5.0} files/s) | {:>8.1} ms     | {ratio:>6.2}x | {versus:>6.2}x | {:>4.0} ms",
            ms(raw),
            ms(pg.total()),
            per_second(pg.total()),
            ms(sqlite.total()),
            ms(pg.waited)
        );
        raws.push(raw);
        pgs.push(pg.total());
        sqlites.push(sqlite.total());
        ratios.push(ratio);
    }
    ratios.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    println!(
        "median: (a) {:.1} ms, (b) PostgreSQL {:.1} ms ({:.0} files/s), (c) SQLite {:.1} ms; (b)/(a) {:.2}x (median of the runs' ratios)",
        ms(median(raws)),
        ms(median(pgs.clone())),
        per_second(median(pgs)),
        ms(median(sqlites)),
        ratios[ratios.len() / 2]
    );
}

/// Part 2: five desktops receiving and releasing at once.
// Long: the set-up (workspace, partners, users, files), the five desktops and the report.
fn five_desktops(server: &Server, root: &Path) {
    let url = server.url(&format!("bench_desktops_{}", std::process::id()));
    let request =
        InitRequest { org_name: "Bench Buyer AG", admin_name: ADMIN, org_passphrase: ORG_PASSPHRASE, admin_password: ADMIN_PASSWORD };
    let mut ws = Workspace::init_team(&url, &root.join("admin-desk"), None, &request).expect("init");
    let admin = login(&mut ws, ADMIN, ADMIN_PASSWORD);
    let us = ws.org_fingerprint().expect("fingerprint");
    let germany = Country::parse("DE").expect("DE");
    let mut keys = Vec::new();
    for p in 0..DESKTOP_PARTNERS {
        let key = KeyPair::generate(&mut OsRng);
        let details = CardDetails { name: partner_name(p), country: Some(germany), ..Default::default() };
        let card = PartnerCard::create(&key, details, OffsetDateTime::now_utc()).expect("card");
        let (typed, iban, phones) = (card.fingerprint().to_string(), known_iban(p), [format!("+49 30 {}", 2_000_000 + p)]);
        let partner = NewPartner {
            card: &card.to_bytes(),
            confirm_fingerprint: &typed,
            phones: &phones.iter().map(|p| countersign_service::NewNumber::plain(p)).collect::<Vec<_>>(),
            card_numbers: false,
            domains: &[],
            country: None,
            known_account: Some((&iban, BIC)),
        };
        ws.add_partner(&admin, &partner).expect("add_partner");
        keys.push(key);
    }
    ws.add_user(&admin, "clerk", Role::Clerk, "bench clerk password").expect("clerk");
    ws.add_user(&admin, "approver", Role::Approver, "bench approver password").expect("approver");
    drop(ws);
    let issued = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    let files: Vec<Vec<(String, Vec<u8>)>> = (0..DESKTOPS)
        .map(|d| {
            (0..FILES_PER_DESKTOP)
                .map(|i| {
                    let p = (d * FILES_PER_DESKTOP + i) % DESKTOP_PARTNERS;
                    let details = payment_details(p, known_iban(p), 1_000_00 + i as u64, format!("D{d}-{i}"));
                    let instruction =
                        details.to_instruction(format!("desk-{d}-{i}"), keys[p].fingerprint(), us, issued).expect("instruction");
                    (
                        format!("desk-{d}-{i}.csi"),
                        Envelope::sign(FileKind::Instruction, &keys[p], instruction.to_payload_bytes()).to_bytes(),
                    )
                })
                .collect()
        })
        .collect();
    println!();
    println!("{DESKTOPS} desktops at once, {FILES_PER_DESKTOP} files each: receive one (clerk), release it (approver)");
    let started = Instant::now();
    let desks: Vec<_> = files
        .into_iter()
        .enumerate()
        .map(|(d, files)| {
            let location = Location::Team { url: url.clone(), local: root.join(format!("desk-{d}")) };
            std::thread::spawn(move || {
                let mut ws = Workspace::open_at(&location).expect("open");
                let clerk = login(&mut ws, "clerk", "bench clerk password");
                let approver = login(&mut ws, "approver", "bench approver password");
                let (mut receipts, mut releases) = (Vec::new(), Vec::new());
                for file in files {
                    let t = Instant::now();
                    let result = ws.receive(&clerk, &[file], None, &mut |_, _| {}).expect("receive");
                    receipts.push(t.elapsed());
                    let case = result[0].case_id.expect("a case");
                    let t = Instant::now();
                    ws.release(&approver, case, None).expect("release");
                    releases.push(t.elapsed());
                }
                (receipts, releases)
            })
        })
        .collect();
    let (mut receipts, mut releases) = (Vec::new(), Vec::new());
    for desk in desks {
        let (r, l) = desk.join().expect("a desktop");
        receipts.extend(r);
        releases.extend(l);
    }
    let wall = started.elapsed();
    let transitions = receipts.len() + releases.len();
    println!("{transitions} case transitions in {:.2} s: {:.0} transitions/s", wall.as_secs_f64(), transitions as f64 / wall.as_secs_f64());
    for (what, values) in [("receipt", receipts), ("release", releases)] {
        println!(
            "{what:>8}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(percentile(values.clone(), 0.5)),
            ms(percentile(values.clone(), 0.99)),
            ms(percentile(values, 1.0))
        );
    }
}
