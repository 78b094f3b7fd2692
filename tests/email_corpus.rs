//! The email-evidence corpus: every `tests/data/email/NAME.eml` is assessed against one fixed
//! context (the partner Globex Corporation) and must give exactly the findings its sidecar
//! `NAME.expect` lists. Sidecar lines:
//!
//! - `# …`: what the message shows and why it exists;
//! - `expect: CODE`: a warning with this reason code;
//! - `info: CODE`: an informational finding with this reason code;
//! - `error: unparseable` or `error: too_large`: the message is refused with that error;
//! - `message: TEXT`: some finding's sentence contains TEXT (the header and value a clerk sees).
//!
//! Codes are compared as a set (several findings of one code count once). The files are plain
//! RFC 5322 messages, so another implementation can run the same corpus.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use countersign_core::assess::domain_name::DomainName;
use countersign_core::assess::email::{assess_email, EmailContext, EmailError, EmailEvidence, MAX_EMAIL_SIZE};
use countersign_core::assess::findings::Severity;
use proptest::prelude::*;

struct Fixture {
    partner_domains: Vec<DomainName>,
    contacts: Vec<String>,
    ours: Vec<DomainName>,
    others: Vec<DomainName>,
}

fn domains(list: &[&str]) -> Vec<DomainName> {
    list.iter().map(|d| DomainName::parse(d).unwrap()).collect()
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            partner_domains: domains(&["globex.com", "globex.de"]),
            contacts: vec!["Hank Scorpio".to_string(), "Maria Lopez".to_string()],
            ours: domains(&["initech.com"]),
            others: domains(&["umbrella-corp.com", "acme-tekstil.com.tr"]),
        }
    }

    fn ctx(&self) -> EmailContext<'_> {
        EmailContext {
            partner_name: "Globex Corporation",
            partner_domains: &self.partner_domains,
            partner_contacts: &self.contacts,
            our_domains: &self.ours,
            other_partner_domains: &self.others,
            partner_numbers: &[],
            partner_country: None,
        }
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/email")
}

fn corpus() -> Vec<(String, Vec<u8>, String)> {
    let mut files: Vec<_> =
        fs::read_dir(corpus_dir()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let expect =
                fs::read_to_string(p.with_extension("expect")).unwrap_or_else(|_| panic!("{} has no .expect sidecar", p.display()));
            (p.file_stem().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap(), expect)
        })
        .collect()
}

fn outcome(result: &Result<EmailEvidence, EmailError>) -> BTreeSet<String> {
    match result {
        Ok(e) => e
            .findings
            .iter()
            .map(|f| match f.severity {
                Severity::Info => format!("info: {}", f.code),
                _ => format!("expect: {}", f.code),
            })
            .collect(),
        Err(EmailError::TooLarge { .. }) => BTreeSet::from(["error: too_large".to_string()]),
        Err(EmailError::Unparseable(_)) => BTreeSet::from(["error: unparseable".to_string()]),
    }
}

#[test]
fn every_corpus_message_gives_its_expected_findings() {
    let fixture = Fixture::new();
    let corpus = corpus();
    assert!(corpus.len() >= 20, "the corpus holds {} messages", corpus.len());
    let mut failures = Vec::new();
    for (name, raw, expect) in &corpus {
        let result = assess_email(raw, &fixture.ctx());
        let wanted: BTreeSet<String> = expect
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("expect:") || l.starts_with("info:") || l.starts_with("error:"))
            .map(|l| {
                let (kind, code) = l.split_once(':').unwrap();
                format!("{kind}: {}", code.trim())
            })
            .collect();
        let got = outcome(&result);
        let mut problems = Vec::new();
        if got != wanted {
            problems.push(format!("expected {wanted:?}\n   got {got:?}"));
        }
        for needle in expect.lines().filter_map(|l| l.strip_prefix("message:")).map(str::trim) {
            let found = result.as_ref().is_ok_and(|e| e.findings.iter().any(|f| f.message.contains(needle)));
            if !found {
                problems.push(format!("no finding says {needle:?}"));
            }
        }
        if let Ok(e) = &result {
            for f in &e.findings {
                if f.severity == Severity::Critical || f.message.trim().is_empty() {
                    problems.push(format!("bad finding {f:?}"));
                }
            }
        }
        if !problems.is_empty() {
            let detail = match &result {
                Ok(e) => e
                    .findings
                    .iter()
                    .map(|f| format!("   {} [{}] {}", f.code, f.severity.as_str(), f.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Err(e) => format!("   error: {e}"),
            };
            failures.push(format!("{name}:\n {}\n findings:\n{detail}", problems.join("\n ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn the_evidence_records_hash_sender_and_subject() {
    let fixture = Fixture::new();
    let raw = fs::read(corpus_dir().join("clean.eml")).unwrap();
    let e = assess_email(&raw, &fixture.ctx()).unwrap();
    assert_eq!(e.sha256.len(), 64);
    assert!(e.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert_eq!(e.from.as_deref(), Some("Hank Scorpio <hank@globex.com>"));
    assert_eq!(e.subject.as_deref(), Some("Signed payment instruction, invoice 2026-118"));
    let other = assess_email(&raw[..raw.len() - 1], &fixture.ctx()).unwrap();
    assert_ne!(other.sha256, e.sha256);
}

/// An oversized message is generated here rather than kept in the repository.
#[test]
fn an_oversized_message_is_refused_before_parsing() {
    let fixture = Fixture::new();
    let mut raw = fs::read(corpus_dir().join("clean.eml")).unwrap();
    raw.resize(MAX_EMAIL_SIZE, b'x');
    assert!(assess_email(&raw, &fixture.ctx()).is_ok(), "exactly the limit is accepted");
    raw.push(b'x');
    let err = assess_email(&raw, &fixture.ctx()).unwrap_err();
    assert_eq!(err, EmailError::TooLarge { size: MAX_EMAIL_SIZE + 1, limit: MAX_EMAIL_SIZE });
    assert!(err.to_string().contains("more than the 10485760 bytes accepted"), "{err}");
}

/// Hostile headers within the size limit: thousands of recipients and a huge display name.
#[test]
fn huge_headers_stay_bounded() {
    let fixture = Fixture::new();
    let mut raw = String::from("From: hank@globex.com\r\nCc: ");
    for i in 0..5000 {
        raw.push_str(&format!("u{i}@d{i}-globex.com, "));
    }
    raw.push_str("x@initech.com\r\nTo: \"");
    raw.push_str(&"Globex ".repeat(100_000));
    raw.push_str("\" <a@b.example>\r\n\r\n");
    let e = assess_email(raw.as_bytes(), &fixture.ctx()).unwrap();
    assert!(e.findings.iter().any(|f| f.message.contains("only the first 1000 were checked")), "{:?}", e.findings);
    assert!(e.findings.len() < 60, "{} findings", e.findings.len());
    assert!(e.findings.iter().all(|f| f.message.chars().count() < 1000));
}

/// A full-size message of 10 MiB of recipients, each with the partner's name, is assessed in
/// bounded time (the address cap keeps name and domain comparisons to a few thousand).
#[test]
fn a_full_size_hostile_message_is_assessed_quickly() {
    let fixture = Fixture::new();
    let mut raw = String::from("From: hank@globex.com\r\nCc: ");
    let mut i = 0;
    while raw.len() < MAX_EMAIL_SIZE - 100 {
        raw.push_str(&format!("\"Globex Corp {i}\" <a{i}@globex{i}.example>,\r\n "));
        i += 1;
    }
    raw.push_str("x@initech.com\r\n\r\n");
    let started = std::time::Instant::now();
    let e = assess_email(raw.as_bytes(), &fixture.ctx()).unwrap();
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
    assert!(e.findings.len() < 60, "{} findings", e.findings.len());
}

fn mutate(raw: &[u8], ops: &[(u8, usize, u8)]) -> Vec<u8> {
    let mut out = raw.to_vec();
    for &(op, at, byte) in ops {
        let at = if out.is_empty() { 0 } else { at % out.len() };
        match op % 4 {
            0 => {
                if let Some(b) = out.get_mut(at) {
                    *b = byte;
                }
            }
            1 => out.insert(at.min(out.len()), byte),
            2 => {
                if at < out.len() {
                    out.remove(at);
                }
            }
            _ => out.truncate(at),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_corpus_messages_never_panic(
        index in 0usize..64,
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..12),
    ) {
        let fixture = Fixture::new();
        let corpus = corpus();
        let (_, raw, _) = &corpus[index % corpus.len()];
        let mutated = mutate(raw, &ops);
        if let Ok(e) = assess_email(&mutated, &fixture.ctx()) {
            prop_assert!(e.findings.iter().all(|f| f.severity != Severity::Critical));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let fixture = Fixture::new();
        let _ = assess_email(&raw, &fixture.ctx());
    }
}
