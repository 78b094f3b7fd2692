//! The fuzzing targets, shared by the driver (`examples/fuzz.rs`, `make fuzz`) and the regression
//! test (`tests/fuzz_regressions.rs`, part of `make test`): one per parser of untrusted input.
//! A target takes arbitrary bytes and must return, whatever they are; a panic is a finding.
//!
//! Mutated signed files no longer verify, so the parsers behind the signature are reached by the
//! `*-payload` targets, which sign the mutated payload with the vectors' TEST-ONLY signer key.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use countersign_core::assess::domain_name::DomainName;
use countersign_core::assess::email::{assess_email, EmailContext};
use countersign_core::audit::bundle::verify_bundle;
use countersign_core::audit::checkpoint::Checkpoint;
use countersign_core::encoding::parse_utc;
use countersign_core::format::card::PartnerCard;
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::instruction::Details;
use countersign_core::format::keys::KeyPair;
use countersign_core::format::rotation::RotationStatement;
use countersign_core::format::verify::{check_instruction_file, CheckOptions, SingleSigner};
use countersign_core::screen::pain001::approved_copy;
use countersign_core::screen::read_payment_file;
use countersign_core::screen::rules::{screen, ScreenFacts};
use countersign_core::screen::sample::{SampleFile, SampleLine};
use countersign_core::screen::Pain001Version;

/// One parser under test.
pub struct Target {
    /// Its name: the folder of its corpus and crashes.
    pub name: &'static str,
    /// Runs the parser on `input`; must not panic.
    pub run: fn(&[u8]),
    /// Where its seed inputs come from, besides `fuzz/corpus/NAME/`.
    pub seeds: fn(&Path) -> Vec<Vec<u8>>,
}

/// The vectors' signer (RFC 8032 test 1; TEST-ONLY, see tests/vectors/keys.txt).
fn signer() -> KeyPair {
    KeyPair::from_seed(&hex32("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
}

fn hex32(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

/// The file of a vector (after its header lines and a blank line).
fn vector_body(bytes: &[u8]) -> Vec<u8> {
    match bytes.windows(2).position(|w| w == b"\n\n") {
        Some(split) => bytes[split + 2..].to_vec(),
        None => bytes.to_vec(),
    }
}

fn files_in(dir: &Path, suffix: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.to_string_lossy().ends_with(suffix)).collect(),
        Err(_) => return vec![],
    };
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn instruction_files(root: &Path) -> Vec<Vec<u8>> {
    files_in(&root.join("tests/vectors"), ".vector").iter().map(|v| vector_body(v)).collect()
}

/// The payloads of the vectors' signed instructions, decoded.
fn instruction_payloads(root: &Path) -> Vec<Vec<u8>> {
    instruction_files(root)
        .iter()
        .filter_map(|file| Envelope::parse(file, FileKind::Instruction).ok().map(|e| e.payload().to_vec()))
        .collect()
}

fn now() -> time::OffsetDateTime {
    parse_utc("2026-11-23T09:00:00Z").expect("a time")
}

fn run_instruction_file(input: &[u8]) {
    let key = signer();
    let options = CheckOptions { expected_recipient: Some(key.fingerprint()), ..CheckOptions::at(now()) };
    let _ = check_instruction_file(input, &SingleSigner(key.public_key()), &options);
}

fn run_instruction_payload(input: &[u8]) {
    let key = signer();
    let file = Envelope::sign(FileKind::Instruction, &key, input.to_vec()).to_bytes();
    for at in [now(), parse_utc("0001-01-01T00:00:00Z").expect("a time"), parse_utc("9999-12-31T23:59:59Z").expect("a time")] {
        let options = CheckOptions { expected_recipient: Some(key.fingerprint()), ..CheckOptions::at(at) };
        let _ = check_instruction_file(&file, &SingleSigner(key.public_key()), &options);
    }
}

fn run_card(input: &[u8]) {
    let _ = PartnerCard::parse(input);
}

fn run_card_payload(input: &[u8]) {
    let file = Envelope::sign(FileKind::Card, &signer(), input.to_vec()).to_bytes();
    let _ = PartnerCard::parse(&file);
}

fn run_rotation(input: &[u8]) {
    let _ = RotationStatement::claimed_signer(input);
    let _ = RotationStatement::verify(input, &signer().public_key());
}

fn run_details(input: &[u8]) {
    if let Ok(details) = Details::from_json(input) {
        let key = signer();
        let _ = details.to_instruction("fuzz".into(), key.fingerprint(), key.fingerprint(), now());
    }
}

fn run_eml(input: &[u8]) {
    let partner = [DomainName::parse("globex.com").expect("a domain")];
    let ours = [DomainName::parse("initech.example").expect("a domain")];
    let others = [DomainName::parse("acme.example").expect("a domain")];
    let ctx = EmailContext {
        partner_name: "Globex Corporation",
        partner_domains: &partner,
        partner_contacts: &[],
        our_domains: &ours,
        other_partner_domains: &others,
        partner_numbers: &[],
        partner_country: None,
    };
    let _ = assess_email(input, &ctx);
}

fn run_bundle(input: &[u8]) {
    let _ = verify_bundle(input, None, None);
}

/// The ERP's payment file: read and schema-checked, and when it reads, screened against no
/// partners and cut to every other line as an approved copy.
fn run_payment_file(input: &[u8]) {
    if let Ok(file) = read_payment_file(input) {
        let facts = ScreenFacts {
            partners: vec![],
            marks: Default::default(),
            our_accounts: vec!["iban:DE75512108001245126199".into()],
            policy: Default::default(),
            now: now(),
        };
        let _ = screen(&file, &facts);
        let _ = approved_copy(input, &file, &|number| number % 2 == 1);
    }
}

/// Payment runs of both versions from the sample writer, besides `fuzz/corpus/payment-file/`.
fn seed_payment_files(_root: &Path) -> Vec<Vec<u8>> {
    let lines = || {
        vec![
            SampleLine::sepa("E2E-1", "1840.00", "Umbrella Logistics S.L.", "ES9121000418450200051332", "CAIXESBBXXX"),
            SampleLine::sepa("E2E-2", "12500.50", "Société Générale & Fils", "FR7630006000011234567890189", "BNPAFRPPXXX"),
        ]
    };
    Pain001Version::ALL
        .into_iter()
        .map(|version| SampleFile::one_block(version, "FUZZ-RUN", "DE75512108001245126199", lines()).xml().into_bytes())
        .collect()
}

fn run_checkpoint(input: &[u8]) {
    if let Ok(text) = std::str::from_utf8(input) {
        let _ = Checkpoint::parse_unverified(text);
        let _ = Checkpoint::verify(text, &signer().public_key());
    }
}

fn seed_cards(root: &Path) -> Vec<Vec<u8>> {
    files_in(&root.join("keys"), ".card")
}

fn seed_card_payloads(root: &Path) -> Vec<Vec<u8>> {
    seed_cards(root).iter().filter_map(|c| Envelope::parse(c, FileKind::Card).ok().map(|e| e.payload().to_vec())).collect()
}

fn seed_rotations(root: &Path) -> Vec<Vec<u8>> {
    let mut seeds = files_in(&root.join("keys"), ".rotation");
    seeds.extend(seed_cards(root));
    seeds
}

fn seed_details(root: &Path) -> Vec<Vec<u8>> {
    let mut seeds = files_in(&root.join("keys"), ".json");
    seeds.push(
        br#"{"beneficiary_name":"Globex Corporation","iban":"DE89 3704 0044 0532 0130 00","bic":"COBADEFFXXX","currency":"EUR","amount":"1250.00","reference":"INV-1","due_date":"2026-12-01","valid_from":"2026-11-23T09:00:00Z","valid_until":"2026-12-23T09:00:00Z"}"#.to_vec(),
    );
    seeds.push(br#"{"beneficiary_name":"ACME Inc","account_number":"000123456789","routing_code":"021000021","country":"US","bic":"CHASUS33","currency":"USD"}"#.to_vec());
    seeds
}

fn seed_emails(root: &Path) -> Vec<Vec<u8>> {
    let mut seeds = files_in(&root.join("tests/data/email"), ".eml");
    seeds.extend(files_in(&root.join("keys"), ".eml"));
    seeds
}

fn seed_bundles(root: &Path) -> Vec<Vec<u8>> {
    files_in(&root.join("tests/vectors"), ".txt")
        .iter()
        .map(|v| vector_body(v))
        .filter(|body| body.starts_with(b"{") && String::from_utf8_lossy(body).contains("audit-bundle"))
        .collect()
}

fn seed_checkpoints(root: &Path) -> Vec<Vec<u8>> {
    files_in(&root.join("tests/vectors"), "audit-checkpoint.txt").iter().map(|v| vector_body(v)).collect()
}

/// Every target, in the order `make fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target { name: "instruction-file", run: run_instruction_file, seeds: instruction_files },
    Target { name: "instruction-payload", run: run_instruction_payload, seeds: instruction_payloads },
    Target { name: "card", run: run_card, seeds: seed_cards },
    Target { name: "card-payload", run: run_card_payload, seeds: seed_card_payloads },
    Target { name: "rotation", run: run_rotation, seeds: seed_rotations },
    Target { name: "details", run: run_details, seeds: seed_details },
    Target { name: "eml", run: run_eml, seeds: seed_emails },
    Target { name: "bundle", run: run_bundle, seeds: seed_bundles },
    Target { name: "checkpoint", run: run_checkpoint, seeds: seed_checkpoints },
    Target { name: "payment-file", run: run_payment_file, seeds: seed_payment_files },
];

/// A small, fast pseudo-random source (xorshift64*): fuzzing needs variety, not secrecy.
pub struct Rng(u64);

impl Rng {
    /// From a seed (0 is replaced: xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Interesting bytes and fragments for the formats here: JSON punctuation, digits, dates near
/// the edges of the years, and values that have broken parsers before.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"0",
    b"-1",
    b"9999-12-31T23:59:59Z",
    b"0000-01-01T00:00:00Z",
    b"0001-01-01T00:00:00Z",
    b"9999999999999999.99",
    b"\\u0000",
    b"\\ud800",
    b"\xff",
    b"\r\n",
    b"=?utf-8?b?",
    b"xn--",
    b"<",
    b"</",
    b"&amp;",
    b"&#0;",
    b"&e;",
    b"<![CDATA[",
    b"]]>",
    b"<!DOCTYPE d [<!ENTITY e \"x\">]>",
    b" xmlns:p=\"urn:p\"",
];

/// One mutation of `input`, guided by `corpus` for splices.
pub fn mutate(input: &[u8], corpus: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                out.drain(start..end);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                out.splice(at..at, token.iter().copied());
            }
            4 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let chunk = out[start..end].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, chunk);
            }
            5 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(128)).min(other.len());
                    let at = rng.below(len + 1);
                    out.splice(at..at, other[start..end].iter().copied());
                }
            }
            _ => {
                // Replace a run of digits with one near an edge.
                if let Some(i) = out.iter().position(|b| b.is_ascii_digit()) {
                    let edge: &[u8] = [b"9".as_slice(), b"0", b"99999999999999999999"][rng.below(3)];
                    let end = out[i..].iter().position(|b| !b.is_ascii_digit()).map_or(out.len(), |n| i + n);
                    out.splice(i..end, edge.iter().copied());
                }
            }
        }
    }
    out
}

/// The seeds of a target: its generated seeds and the files kept in `fuzz/corpus/NAME/`.
pub fn corpus(root: &Path, target: &Target) -> Vec<Vec<u8>> {
    let mut seeds = (target.seeds)(root);
    seeds.extend(files_in(&root.join("fuzz/corpus").join(target.name), ""));
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    seeds
}

/// The inputs that ever crashed a target, kept in `fuzz/crashes/NAME/`.
pub fn crashes(root: &Path, target: &Target) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root.join("fuzz/crashes").join(target.name);
    let Ok(entries) = std::fs::read_dir(&dir) else { return vec![] };
    let mut found: Vec<(PathBuf, Vec<u8>)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    found.sort();
    found
}
