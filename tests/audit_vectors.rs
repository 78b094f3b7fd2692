//! Audit format test vectors (docs/audit-format.md §10): tests/vectors/audit-* hold a small log's
//! events with their encodings and hashes, its Merkle roots and proofs, a countersigned
//! checkpoint note, evidence bundles (one intact, some tampered, with the verdict expected), the
//! small log with rows edited in the database (the tamper kind and first bad event expected) and a
//! log of signed statements (§12, §13: each one's signed message, and whether it counts or why not).
//! This test checks every file against the implementation, and checks that the files are exactly
//! what the generator below makes (fixed RFC 8032 keys, fixed times; Ed25519 is deterministic),
//! so they cannot drift from the code. tests/independent/verify_audit.py checks the same files
//! from the specification alone.
//!
//! To regenerate after a deliberate format change:
//! `COUNTERSIGN_REGENERATE_VECTORS=1 cargo test --test audit_vectors`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use countersign_core::audit::bundle::{build, verify_bundle, BundleParts};
use countersign_core::audit::chain::{canonical_json, event_hash, hex, EventFields, EVENT_CONTEXT, GENESIS};
use countersign_core::audit::check::{check_chain, leaves, Tampering};
use countersign_core::audit::checkpoint::{origin_for, Checkpoint};
use countersign_core::audit::log::{EventFilter, LoggedCheckpoint, LoggedEvent};
use countersign_core::audit::merkle::{consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion, Hash};
use countersign_core::audit::state::{ImpliedState, StatementFault, SYSTEM};
use countersign_core::audit::statement::{sign, signed_message, StatementFields};
use countersign_core::auth::Role;
use countersign_core::cases::flow::CaseStatus;
use countersign_core::cases::policy::Policy;
use countersign_core::encoding::{b64_decode, b64_encode, parse_utc};
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::keys::KeyPair;
use countersign_core::format::recovery::KeyRevocation;
use countersign_core::registry::{AccountStatus, KeyStatus};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// RFC 8032 test 1 secret key: the organisation's key (its card; the log's origin).
const ORG_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// RFC 8032 test 2 secret key: the organisation's audit key.
const AUDIT_SEED: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
/// RFC 8032 test 3 secret key: carol's own key, which countersigns her approval.
const CAROL_SEED: &str = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7";

fn key(seed_hex: &str) -> KeyPair {
    KeyPair::from_seed(&unhex(seed_hex).try_into().unwrap())
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn unhex32(s: &str) -> Hash {
    unhex(s).try_into().unwrap()
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The seven events of the small log: (at, actor, action, subject, details), details already
/// canonical JSON (the store writes `audit::canonical_json` of the service's JSON).
fn event_rows() -> Vec<(&'static str, &'static str, &'static str, &'static str, String)> {
    let audit = key(AUDIT_SEED).public_key();
    let carol = key(CAROL_SEED).public_key();
    vec![
        (
            "2026-11-23T09:00:00Z",
            "alice",
            "audit.key_create",
            "audit",
            format!(r#"{{"fingerprint":"{}","public_key":"{}"}}"#, audit.fingerprint(), audit.to_base64()),
        ),
        (
            "2026-11-23T09:05:00Z",
            "alice",
            "user.key_create",
            "user:carol",
            format!(
                r#"{{"fingerprint":"{}","holds_audit_key":true,"public_key":"{}","why":"new user"}}"#,
                carol.fingerprint(),
                carol.to_base64()
            ),
        ),
        (
            "2026-11-23T10:12:09Z",
            "clara",
            "instruction.receive",
            "case:1",
            r#"{"codes":["bank_details_changed"],"file_name":"Überweisung 114.countersign","partner":3,"verdict":"hold"}"#.into(),
        ),
        ("2026-11-23T10:40:00Z", "carol", "case.approve", "case:1", r#"{"from":"pending_approval","to":"approved"}"#.into()),
        ("2026-11-23T10:41:30Z", "bob", "case.release", "case:1", r#"{"from":"approved","to":"released"}"#.into()),
        ("2026-11-23T11:00:00Z", "mallory", "login.failed", "user:mallory", r#"{"reason":"no such user \"mallory\"\n"}"#.into()),
        ("2026-11-23T11:30:00Z", "frank", "audit.export", "audit", r#"{"filter":{"case":1}}"#.into()),
    ]
}

fn events() -> Vec<LoggedEvent> {
    let mut prev = GENESIS;
    event_rows()
        .into_iter()
        .enumerate()
        .map(|(i, (at, actor, action, subject, details))| {
            let seq = i as u64 + 1;
            let hash = event_hash(&prev, &EventFields { seq, at, actor, action, subject, details: &details });
            let e = LoggedEvent {
                seq,
                at: at.into(),
                actor: actor.into(),
                action: action.into(),
                subject: subject.into(),
                details,
                prev_hash: prev,
                hash,
            };
            prev = hash;
            e
        })
        .collect()
}

fn fields(e: &LoggedEvent) -> EventFields<'_> {
    EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details }
}

/// The exact bytes `event_hash` hashes.
fn encoding(prev: &Hash, e: &EventFields<'_>) -> Vec<u8> {
    let mut out = EVENT_CONTEXT.to_vec();
    out.extend_from_slice(prev);
    out.extend_from_slice(&e.seq.to_be_bytes());
    for part in [e.at, e.actor, e.action, e.subject, e.details] {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

fn origin() -> String {
    origin_for(key(ORG_SEED).fingerprint().digits())
}

/// The log's checkpoint of its first `size` events, signed with the audit key at `at`.
fn note(all: &[LoggedEvent], size: usize, at: &str) -> String {
    let cp = Checkpoint {
        origin: origin(),
        size: size as u64,
        root: root(&leaves(&all[..size])),
        time: parse_utc(at).unwrap(),
        setup_mode: false,
    };
    cp.sign(&key(AUDIT_SEED))
}

/// The stored checkpoints: carol's approval after event 4 (countersigned), bob's release after 5.
fn stored_checkpoints(all: &[LoggedEvent]) -> Vec<LoggedCheckpoint> {
    let approval = Checkpoint::cosign(&note(all, 4, &all[3].at), "carol", &key(CAROL_SEED)).unwrap();
    let release = note(all, 5, &all[4].at);
    [(4usize, approval, "approval", "carol"), (5, release, "release", "bob")]
        .into_iter()
        .enumerate()
        .map(|(i, (size, note, reason, signer))| LoggedCheckpoint {
            id: i as i64 + 1,
            size: size as u64,
            root: root(&leaves(&all[..size])),
            at: all[size - 1].at.clone(),
            reason: reason.into(),
            signer: signer.into(),
            note,
        })
        .collect()
}

/// The intact bundle frank exports at event 7: case 1's events (3, 4, 5).
fn bundle_bytes() -> Vec<u8> {
    let all = events();
    let org = key(ORG_SEED);
    let card = PartnerCard::create(
        &org,
        CardDetails { name: "Initech GmbH".into(), ..Default::default() },
        parse_utc("2026-11-20T08:00:00Z").unwrap(),
    )
    .unwrap();
    let hashes: Vec<Hash> = all.iter().map(|e| e.hash).collect();
    let users =
        vec![("bob".to_string(), KeyPair::from_seed(&[0x0b; 32]).public_key()), ("carol".to_string(), key(CAROL_SEED).public_key())];
    let filter = EventFilter { case: Some(1), ..Default::default() };
    build(&BundleParts {
        origin: &origin(),
        exported_at: &all[6].at,
        exported_by: "frank",
        org_card: &card.to_bytes(),
        audit_keys: &[key(AUDIT_SEED).public_key()],
        users: &users,
        filter: &filter,
        all_hashes: &hashes,
        checkpoint: &note(&all, 7, &all[6].at),
        events: &all[2..5],
        checkpoints: &stored_checkpoints(&all),
    })
    .to_bytes()
}

fn events_file() -> String {
    let mut out = String::new();
    for e in events() {
        out += &format!(
            "seq: {}\nat: {}\nactor: {}\naction: {}\nsubject: {}\ndetails: {}\nprev-hash: {}\nencoding: {}\nhash: {}\nleaf: {}\n\n",
            e.seq,
            e.at,
            e.actor,
            e.action,
            e.subject,
            e.details,
            hex(&e.prev_hash),
            hex(&encoding(&e.prev_hash, &fields(&e))),
            hex(&e.hash),
            hex(&leaf_hash(&e.hash)),
        );
    }
    out
}

fn hex_list(proof: &[Hash]) -> String {
    proof.iter().map(|h| hex(h)).collect::<Vec<_>>().join(",")
}

fn tree_file() -> String {
    let l = leaves(&events());
    let mut out = String::new();
    for n in 0..=l.len() {
        out += &format!("root: size={n} {}\n", hex(&root(&l[..n])));
    }
    for n in 1..=l.len() {
        for i in 0..n {
            out += &format!("inclusion: index={i} size={n} proof={}\n", hex_list(&inclusion_proof(i, &l[..n]).unwrap()));
        }
    }
    for n in 1..=l.len() {
        for m in 1..=n {
            out += &format!("consistency: old={m} new={n} proof={}\n", hex_list(&consistency_proof(m, &l[..n]).unwrap()));
        }
    }
    out
}

fn checkpoint_file() -> String {
    let all = events();
    let audit = key(AUDIT_SEED).public_key();
    let carol = key(CAROL_SEED).public_key();
    let approval = &stored_checkpoints(&all)[0];
    format!(
        "origin: {}\nsize: 4\nroot: {}\naudit-public-key: {}\naudit-key-name: countersign-audit-{}\nuser: carol\nuser-public-key: {}\nuser-key-name: countersign-user:carol\n\n{}",
        origin(),
        hex(&approval.root),
        audit.to_base64(),
        audit.fingerprint().digits(),
        carol.to_base64(),
        approval.note
    )
}

/// A bundle vector: headers, a blank line, the bundle's bytes.
fn bundle_vector(comment: &str, expect: &str, kind: &str, seq: &str, kept: Option<&str>, bundle: &[u8]) -> String {
    let mut headers =
        format!("comment: {comment}\nexpect: {expect}\nkind: {kind}\nseq: {seq}\naudit-key: {}\n", key(AUDIT_SEED).fingerprint());
    if let Some(kept) = kept {
        headers += &format!("kept-checkpoint: {}\n", b64_encode(kept.as_bytes()));
    }
    format!("{headers}\n{}", String::from_utf8(bundle.to_vec()).unwrap())
}

/// A stored log as `name: value` records (the columns of the events table, hashes in hex).
fn log_records(events: &[LoggedEvent]) -> String {
    events
        .iter()
        .map(|e| {
            format!(
                "seq: {}\nat: {}\nactor: {}\naction: {}\nsubject: {}\ndetails: {}\nprev-hash: {}\nhash: {}\n\n",
                e.seq,
                e.at,
                e.actor,
                e.action,
                e.subject,
                e.details,
                hex(&e.prev_hash),
                hex(&e.hash)
            )
        })
        .collect()
}

/// A workspace-log vector: headers, a blank line, the stored events as edited in the database.
fn log_vector(comment: &str, kind: &str, seq: u64, events: &[LoggedEvent]) -> String {
    format!("comment: {comment}\nexpect: tampered\nkind: {kind}\nseq: {seq}\n\n{}", log_records(events))
}

fn renumber(events: &mut [LoggedEvent]) {
    for (i, e) in events.iter_mut().enumerate() {
        e.seq = i as u64 + 1;
    }
}

/// The small log with its rows edited directly in the database, as the tamper kinds of
/// docs/audit-format.md §6.3 step 1 name them.
fn log_vectors() -> Vec<(&'static str, String)> {
    let all = events();
    let mut changed = all.clone();
    changed[2].actor = "mallory".into();
    let mut gap = all.clone();
    gap.remove(4);
    let mut renumbered = all.clone();
    renumbered.remove(4);
    renumber(&mut renumbered);
    let mut inserted = all.clone();
    let mut forged =
        LoggedEvent { actor: "mallory".into(), details: r#"{"from":"pending_approval","to":"approved"}"#.into(), ..all[3].clone() };
    forged.hash = event_hash(&forged.prev_hash, &fields(&forged));
    inserted.insert(3, forged);
    renumber(&mut inserted);
    let mut slipped = all.clone();
    let mut lone = LoggedEvent { actor: "mallory".into(), prev_hash: [9; 32], ..all[3].clone() };
    lone.hash = event_hash(&lone.prev_hash, &fields(&lone));
    slipped[3] = lone;
    let mut swapped = all.clone();
    let (five, six) = (all[4].clone(), all[5].clone());
    swapped[4] = LoggedEvent { seq: 5, ..six };
    swapped[5] = LoggedEvent { seq: 6, ..five };
    vec![
        ("audit-log-changed.txt", log_vector("Event 3's actor was edited.", "changed", 3, &changed)),
        ("audit-log-deleted-gap.txt", log_vector("Event 5's row was deleted.", "deleted", 5, &gap)),
        (
            "audit-log-deleted-renumbered.txt",
            log_vector("Event 5 was deleted and the rows after it renumbered.", "deleted", 5, &renumbered),
        ),
        (
            "audit-log-inserted-renumbered.txt",
            log_vector(
                "A forged event 4, hashed and linked to event 3, was inserted and the rows after it renumbered.",
                "inserted",
                4,
                &inserted,
            ),
        ),
        (
            "audit-log-inserted-unlinked.txt",
            log_vector(
                "Event 4 was replaced by a forged event hashed to fit its own fields but linked to nothing.",
                "inserted",
                4,
                &slipped,
            ),
        ),
        ("audit-log-reordered.txt", log_vector("The contents of rows 5 and 6 were swapped.", "reordered", 5, &swapped)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Signed statements (docs/audit-format.md §12, §13): audit-statements.txt. The organisation key
// (RFC 8032 test 1) signs `init`'s statements as `system`; the audit key is RFC 8032 test 2 and
// carol, the approver, has RFC 8032 test 3 as in audit-events.txt; the other users have the
// fixed seeds below.

/// alice, the first admin, given her key by the organisation key at `init`.
const ALICE_SEED: [u8; 32] = [0xa1; 32];
/// clara, a clerk alice adds.
const CLARA_SEED: [u8; 32] = [0xc1; 32];
/// The key alice tries to give herself.
const ALICE_OWN_SEED: [u8; 32] = [0xa2; 32];
/// Globex's signing key, pinned by `partner.add`.
const GLOBEX_SEED: [u8; 32] = [0x47; 32];
/// Globex's offline recovery key, named by its version-3 card (issue 20).
const GLOBEX_RECOVERY_SEED: [u8; 32] = [0x52; 32];
/// Globex's account known from the contract, and the new one its instruction of case 1 asks for.
const GLOBEX_KNOWN_ACCOUNT: &str = "iban:GB33BUKB20201555555555";
const GLOBEX_NEW_ACCOUNT: &str = "iban:GB94BARC10201530093459";

/// A statement of audit-statements.txt as stored, and what replaying the log must make of it.
struct Statement {
    at: String,
    actor: String,
    action: String,
    subject: String,
    /// As stored: signed, and for one of them edited afterwards.
    details: Value,
    /// `None`: it counts; otherwise it does not, with the fault (`why`) and a comment.
    expect: Option<(&'static str, &'static str)>,
}

impl Statement {
    fn invalid(&mut self, why: &'static str, comment: &'static str) {
        self.expect = Some((why, comment));
    }
}

#[derive(Default)]
struct Statements(Vec<Statement>);

impl Statements {
    /// Appends a statement signed with `key` (not necessarily the actor's), expected to count.
    fn push(&mut self, key: &KeyPair, at: &str, actor: &str, action: &str, subject: &str, details: Value) -> &mut Statement {
        let details = sign(key, &StatementFields { at, actor, action, subject }, details);
        let (at, actor, action, subject) = (at.into(), actor.into(), action.into(), subject.into());
        self.0.push(Statement { at, actor, action, subject, details, expect: None });
        self.0.last_mut().expect("just pushed")
    }
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The details of a `user.key_create`, as the service writes them.
fn key_details(key: &KeyPair, why: &str) -> Value {
    let public = key.public_key();
    json!({ "fingerprint": public.fingerprint().to_string(), "holds_audit_key": true, "public_key": public.to_base64(), "why": why })
}

/// The details of an `instruction.receive` from Globex (partner 1), as the service writes them.
fn receipt(verdict: &str, codes: &[&str], account: &str, bic: &str, amount_minor: u64, file: &str) -> Value {
    json!({
        "account_bic": bic, "account_key": account, "amount_minor": amount_minor, "codes": codes, "currency": "GBP",
        "email_sha256": null, "file_name": file, "file_sha256": sha256_hex(file), "partner": 1,
        "signer": KeyPair::from_seed(&GLOBEX_SEED).fingerprint().to_string(), "verdict": verdict,
    })
}

/// The details of a case decision, as the service writes them.
fn decision(from: &str, to: &str) -> Value {
    json!({ "from": from, "reason": null, "to": to })
}

// Long: the log reads top to bottom as the story docs/audit-format.md §10 tells.
fn statement_log() -> Vec<Statement> {
    let (org, audit, carol) = (key(ORG_SEED), key(AUDIT_SEED), key(CAROL_SEED));
    let (alice, clara) = (KeyPair::from_seed(&ALICE_SEED), KeyPair::from_seed(&CLARA_SEED));
    let threshold = |minor: u64| Policy { approval_threshold_minor: minor, ..Policy::default() };
    let mut log = Statements::default();
    // `init`: the organisation key signs the workspace, the first admin, the audit key and her key.
    let init = "2026-12-01T09:00:00Z";
    let workspace = json!({
        "org_fingerprint": org.fingerprint().to_string(), "org_name": "Initech GmbH",
        "org_public_key": org.public_key().to_base64(), "policy": Policy::default(),
    });
    log.push(&org, init, SYSTEM, "workspace.init", "workspace", workspace);
    log.push(&org, init, SYSTEM, "user.add", "user:alice", json!({ "role": "admin" }));
    let audit_key = json!({ "fingerprint": audit.fingerprint().to_string(), "public_key": audit.public_key().to_base64() });
    log.push(&org, init, SYSTEM, "audit.key_create", "audit", audit_key);
    log.push(&org, init, SYSTEM, "user.key_create", "user:alice", key_details(&alice, "new user"));
    // alice adds a clerk and an approver with their keys, onboards Globex, lowers the threshold.
    log.push(&alice, "2026-12-01T09:10:00Z", "alice", "user.add", "user:clara", json!({ "role": "clerk" }));
    log.push(&alice, "2026-12-01T09:10:05Z", "alice", "user.key_create", "user:clara", key_details(&clara, "new user"));
    log.push(&alice, "2026-12-01T09:12:00Z", "alice", "user.add", "user:carol", json!({ "role": "approver" }));
    log.push(&alice, "2026-12-01T09:12:05Z", "alice", "user.key_create", "user:carol", key_details(&carol, "new user"));
    let globex = json!({
        "country": "GB", "domains": ["globex.example"], "fingerprint": KeyPair::from_seed(&GLOBEX_SEED).fingerprint().to_string(),
        "known_account": GLOBEX_KNOWN_ACCOUNT, "name": "Globex Ltd", "phones": ["+442079460000"],
        "recovery_key": KeyPair::from_seed(&GLOBEX_RECOVERY_SEED).public_key().to_base64(),
    });
    // From carol's key on two people can check: onboarding is a change alice proposes and carol
    // approves, and its statement follows the approval, signed by carol (issue 15).
    log.push(&alice, "2026-12-01T09:19:00Z", "alice", "partner.add", "partner:1", globex.clone())
        .invalid("authority", "alice onboards Globex alone: once two people can check, a pinning needs a second person");
    let proposal = json!({
        "effects": [{ "action": "partner.add", "details": globex, "subject": "partner:new" }], "kind": "partner_add",
        "request_sha256": sha256_hex("the request alice's onboarding keeps"), "summary": "Onboard Globex Ltd and pin its key",
    });
    log.push(&alice, "2026-12-01T09:20:00Z", "alice", "change.propose", "change:1", proposal.clone());
    let approval = json!({ "request_sha256": proposal["request_sha256"] });
    log.push(&alice, "2026-12-01T09:20:30Z", "alice", "change.approve", "change:1", approval.clone())
        .invalid("authority", "alice approves her own change: the checker is never the maker");
    log.push(&carol, "2026-12-01T09:21:00Z", "carol", "change.approve", "change:1", approval);
    let mut pinned = globex.clone();
    pinned["change"] = json!(1);
    log.push(&carol, "2026-12-01T09:21:00Z", "carol", "partner.add", "partner:1", pinned);
    let policy = json!({ "new": threshold(500_000), "old": Policy::default() });
    log.push(&alice, "2026-12-01T09:25:00Z", "alice", "policy.set", "policy", policy);
    // Case 1: Globex asks for a new account; held, called back by clara, approved by carol, and
    // released by her a day later, once the new account's cooling-off (24 hours, issue 20) is over.
    let held = receipt("hold", &["bank_details_changed"], GLOBEX_NEW_ACCOUNT, "BARCGB22", 4_820_000, "globex-114.countersign");
    log.push(&clara, "2026-12-01T10:02:13Z", "clara", "instruction.receive", "case:1", held);
    log.push(&clara, "2026-12-01T10:05:00Z", "clara", "case.challenge", "case:1", json!({ "challenge": "492817" }));
    let callback = json!({
        "challenge": "492817", "dialed": "+442079460000", "marked_fraudulent": null, "note": null, "outcome": "confirmed",
        "reached": "J. Smith, accounts payable", "response_matched": true, "status": "callback_confirmed",
    });
    log.push(&clara, "2026-12-01T10:09:00Z", "clara", "case.callback", "case:1", callback);
    log.push(&clara, "2026-12-01T10:12:00Z", "clara", "case.approve", "case:1", decision("callback_confirmed", "approved")).invalid(
        "rules",
        "clara, a clerk who called back on case 1, approves it: only an approver who neither received nor called back on it may",
    );
    log.push(&carol, "2026-12-01T10:40:00Z", "carol", "case.approve", "case:1", decision("callback_confirmed", "approved"));
    let mut release = decision("approved", "released");
    release["format"] = json!("pain001");
    release["bank_file_sha256"] = json!(sha256_hex("pain.001 of case 1"));
    log.push(&carol, "2026-12-02T10:41:30Z", "carol", "case.release", "case:1", release);
    // What does not count.
    let raised = json!({ "new": threshold(250_000), "old": threshold(500_000) });
    let edited = log.push(&alice, "2026-12-02T11:00:00Z", "alice", "policy.set", "policy", raised);
    edited.details["new"]["approval_threshold_minor"] = json!(9_999_999_999u64);
    edited.invalid("signature", "alice signed a threshold of 250000; the stored details say 9999999999 (edited after signing)");
    log.push(&clara, "2026-12-02T11:05:00Z", "alice", "user.add", "user:mallory", json!({ "role": "admin" }))
        .invalid("signature", "a statement in alice's name signed with clara's key (the wrong key)");
    log.push(&clara, "2026-12-02T11:06:00Z", "clara", "user.add", "user:mallory", json!({ "role": "admin" }))
        .invalid("authority", "clara is a clerk: only admins add users");
    let own = key_details(&KeyPair::from_seed(&ALICE_OWN_SEED), "password reset");
    log.push(&alice, "2026-12-02T11:10:00Z", "alice", "user.key_create", "user:alice", own)
        .invalid("authority", "alice gives herself a personal key: an admin gives keys, never to themselves");
    log.push(&alice, "2026-12-02T11:20:00Z", "alice", "user.disable", "user:clara", json!({}));
    let accepted = receipt("accepted", &[], GLOBEX_NEW_ACCOUNT, "BARCGB22", 120_000, "globex-115.countersign");
    log.push(&clara, "2026-12-02T11:30:00Z", "clara", "instruction.receive", "case:2", accepted)
        .invalid("authority", "clara was disabled at event 25: her statements no longer count");
    // Issue 18: carol screens the ERP's payment file; one line held. A screening changes no state.
    let file_sha256 = sha256_hex("the ERP's pain.001 payment run");
    let screening = json!({
        "file_sha256": file_sha256,
        "file_name": "payment-run.xml",
        "version": "pain.001.001.03",
        "message_id": "ERP-RUN-0042",
        "verdict": "hold",
        "counts": { "lines": 2, "ok": 1, "hold": 1, "blocked": 0 },
        "file_findings": [],
        "lines_not_ok": [{
            "line": 2, "end_to_end_id": "E2", "creditor_name": "Globex Corporation", "account_key": GLOBEX_NEW_ACCOUNT,
            "amount": "48250.00", "currency": "EUR", "verdict": "hold", "reasons": ["account_not_on_file"]
        }],
        "approved_copy": null,
    });
    log.push(&carol, "2026-12-02T11:40:00Z", "carol", "payment_file.screen", &format!("payment_file:{file_sha256}"), screening);
    recovery_revocations(&mut log, &alice);
    // Issue 20: carol attaches the bank's answer to a Confirmation-of-Payee request about the
    // released case 1 (sent as sort code and account number; a match: recorded, nothing moves);
    // one about another account does not count.
    let name_check = |account: &str| {
        json!({
            "scheme": "cop", "request_id": "COP-2026-0091", "requested_at": "2026-12-01T10:30:00Z",
            "answered_at": "2026-12-01T10:30:01Z", "name_sent": "Globex Ltd", "account_sent": account, "answer": "MTCH",
            "outcome": "match", "obtained": "api", "from": "released", "to": "released",
        })
    };
    log.push(&carol, "2026-12-02T11:45:00Z", "carol", "case.name_check", "case:1", name_check("10201530093459"));
    log.push(&carol, "2026-12-02T11:46:00Z", "carol", "case.name_check", "case:1", name_check("10201530093460"))
        .invalid("malformed", "a name check of an account other than the one case 1 pays: no evidence for this payment");
    log.0
}

/// Issue 20: Globex's signing key is revoked by a statement its recovery key signed, which alice
/// imports; one signed by the signing key itself (what a thief holds) does not count.
fn recovery_revocations(log: &mut Statements, alice: &KeyPair) {
    let (globex, recovery) = (KeyPair::from_seed(&GLOBEX_SEED), KeyPair::from_seed(&GLOBEX_RECOVERY_SEED));
    let at = parse_utc("2026-12-02T12:00:00Z").unwrap();
    let revocation = |signer: &KeyPair| {
        let bytes = match signer.fingerprint() == recovery.fingerprint() {
            true => KeyRevocation::create(signer, globex.fingerprint(), "signing key stolen", at).unwrap(),
            false => {
                let payload = format!(
                    r#"{{"recovery_key":"{}","revoked_key":"{}","reason":"signing key stolen","issued_at":"2026-12-02T12:00:00Z"}}"#,
                    signer.fingerprint(),
                    globex.fingerprint()
                );
                Envelope::sign(FileKind::KeyRevocation, signer, payload.into_bytes()).to_bytes()
            }
        };
        json!({
            "fingerprint": globex.fingerprint().to_string(), "reason": "signing key stolen",
            "recovery_key": signer.fingerprint().to_string(), "statement": b64_encode(&bytes),
        })
    };
    log.push(alice, "2026-12-02T12:05:00Z", "alice", "partner.recovery_revoke_key", "partner:1", revocation(&globex))
        .invalid("signature", "the revocation alice imports is signed by Globex's signing key, not by its pinned recovery key");
    log.push(alice, "2026-12-02T12:06:00Z", "alice", "partner.recovery_revoke_key", "partner:1", revocation(&recovery));
}

/// The message M of docs/audit-format.md §12.2, spelled out here from the document (the check
/// below compares it with the implementation's `signed_message`).
fn statement_message(s: &Statement) -> Vec<u8> {
    let mut unsigned = s.details.clone();
    unsigned.as_object_mut().expect("an object").remove("signature");
    let mut out = b"countersign/statement/v1\0".to_vec();
    for part in [s.at.as_str(), &s.actor, &s.action, &s.subject, &canonical_json(&unsigned)] {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

fn statements_file() -> String {
    let mut out = String::new();
    for (i, s) in statement_log().iter().enumerate() {
        out += &format!(
            "seq: {}\nat: {}\nactor: {}\naction: {}\nsubject: {}\ndetails: {}\nsigned-message: {}\n",
            i + 1,
            s.at,
            s.actor,
            s.action,
            s.subject,
            canonical_json(&s.details),
            hex(&statement_message(s))
        );
        out += &match s.expect {
            None => "expect: counts\n\n".to_string(),
            Some((why, comment)) => format!("expect: invalid\nwhy: {why}\ncomment: {comment}\n\n"),
        };
    }
    out
}

// Long: writes every audit vector in one pass, in the order docs/audit-format.md lists them.
fn generate() -> Vec<(&'static str, String)> {
    let all = events();
    let intact = String::from_utf8(bundle_bytes()).unwrap();
    let mut v = vec![
        ("audit-events.txt", events_file()),
        ("audit-tree.txt", tree_file()),
        ("audit-checkpoint.txt", checkpoint_file()),
        (
            "audit-bundle-intact.txt",
            bundle_vector("The intact bundle of case 1 (events 3 to 5) exported at event 7.", "intact", "", "", None, intact.as_bytes()),
        ),
    ];
    // Event 4's details edited in the bundle.
    let changed = intact.replacen(r#"\"to\":\"approved\""#, r#"\"to\":\"released\""#, 1);
    assert_ne!(changed, intact);
    v.push((
        "audit-bundle-changed.txt",
        bundle_vector("Event 4's details were edited after export.", "tampered", "changed", "4", None, changed.as_bytes()),
    ));
    // Carol's countersignature line removed from the approval checkpoint.
    let approval_note = &stored_checkpoints(&all)[0].note;
    let carol_line = approval_note.lines().last().unwrap();
    assert!(carol_line.contains("countersign-user:carol"));
    let uncountersigned = intact.replacen(&format!("{}\\n", carol_line), "", 1);
    assert_ne!(uncountersigned, intact);
    v.push((
        "audit-bundle-bad-countersignature.txt",
        bundle_vector(
            "The approval checkpoint lost carol's countersignature line.",
            "tampered",
            "bad_countersignature",
            "4",
            None,
            uncountersigned.as_bytes(),
        ),
    ));
    // A kept checkpoint of 7 events whose first 5 differ: event 5 rewritten, chain recomputed.
    let mut rewritten = all.clone();
    rewritten[4].details = r#"{"from":"approved","to":"released","amount":"99000.00"}"#.into();
    let mut prev = GENESIS;
    for e in rewritten.iter_mut() {
        e.prev_hash = prev;
        e.hash = event_hash(&prev, &fields(e));
        prev = e.hash;
    }
    let kept_other = note(&rewritten, 5, &all[4].at);
    v.push((
        "audit-bundle-rewritten.txt",
        bundle_vector(
            "The auditor kept a checkpoint of 5 events that the exported log's own checkpoint of 5 contradicts.",
            "tampered",
            "rewritten",
            "",
            Some(&kept_other),
            intact.as_bytes(),
        ),
    ));
    // A kept checkpoint of 9 events: the exported log of 7 was cut.
    let mut longer = all.clone();
    for (i, at) in ["2026-11-23T12:00:00Z", "2026-11-23T12:30:00Z"].into_iter().enumerate() {
        let prev = longer.last().unwrap().hash;
        let seq = 8 + i as u64;
        let mut e = LoggedEvent {
            seq,
            at: at.into(),
            actor: "carol".into(),
            action: "login".into(),
            subject: "user:carol".into(),
            details: "{}".into(),
            prev_hash: prev,
            hash: [0; 32],
        };
        e.hash = event_hash(&prev, &fields(&e));
        longer.push(e);
    }
    let kept_longer = note(&longer, 9, "2026-11-23T12:30:00Z");
    v.push((
        "audit-bundle-truncated.txt",
        bundle_vector(
            "The auditor kept a checkpoint of 9 events; the bundle's log has 7.",
            "tampered",
            "truncated",
            "8",
            Some(&kept_longer),
            intact.as_bytes(),
        ),
    ));
    v.extend(log_vectors());
    v.push(("audit-statements.txt", statements_file()));
    v
}

#[test]
fn audit_vector_files_match_the_generator() {
    let dir = vectors_dir();
    let regenerate = std::env::var_os("COUNTERSIGN_REGENERATE_VECTORS").is_some();
    let vectors = generate();
    for (name, expected) in &vectors {
        let path = dir.join(name);
        if regenerate {
            std::fs::write(&path, expected).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(&on_disk == expected, "{} differs from the generator; regenerate deliberately", path.display());
    }
    let on_disk =
        std::fs::read_dir(&dir).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("audit-")).count();
    assert_eq!(on_disk, vectors.len(), "an audit-* file in tests/vectors is not made by the generator");
}

/// `name: value` records separated by blank lines.
fn records(text: &str) -> Vec<BTreeMap<String, String>> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| block.lines().map(|l| l.split_once(": ").map(|(k, v)| (k.to_string(), v.to_string())).unwrap()).collect())
        .collect()
}

/// A vector file's text; while regenerating, the generator's (the files are being rewritten by
/// the test beside this one).
fn read(name: &str) -> String {
    if std::env::var_os("COUNTERSIGN_REGENERATE_VECTORS").is_some() {
        return generate().into_iter().find(|(n, _)| *n == name).map(|(_, text)| text).unwrap();
    }
    std::fs::read_to_string(vectors_dir().join(name)).unwrap()
}

#[test]
fn event_hashes_recompute() {
    let recs = records(&read("audit-events.txt"));
    assert_eq!(recs.len(), 7);
    let mut prev = GENESIS;
    for (i, r) in recs.iter().enumerate() {
        let seq: u64 = r["seq"].parse().unwrap();
        assert_eq!(seq, i as u64 + 1);
        assert_eq!(unhex32(&r["prev-hash"]), prev, "event {seq} links to the one before");
        let f = EventFields { seq, at: &r["at"], actor: &r["actor"], action: &r["action"], subject: &r["subject"], details: &r["details"] };
        let details: serde_json::Value = serde_json::from_str(&r["details"]).unwrap();
        assert_eq!(countersign_core::audit::chain::canonical_json(&details), r["details"], "details are canonical");
        assert_eq!(hex(&encoding(&prev, &f)), r["encoding"]);
        let hash = event_hash(&prev, &f);
        assert_eq!(hex(&hash), r["hash"]);
        assert_eq!(hex(&leaf_hash(&hash)), r["leaf"]);
        prev = hash;
    }
}

#[test]
fn roots_and_proofs_verify() {
    let l = leaves(&events());
    let text = read("audit-tree.txt");
    let list = |s: &str| -> Vec<Hash> { s.split(',').filter(|h| !h.is_empty()).map(unhex32).collect() };
    let num = |kv: &str, key: &str| -> usize { kv.strip_prefix(key).unwrap().parse().unwrap() };
    let (mut roots, mut proofs) = (0, 0);
    for line in text.lines() {
        let (kind, rest) = line.split_once(": ").unwrap();
        let parts: Vec<&str> = rest.split(' ').collect();
        match kind {
            "root" => {
                let n = num(parts[0], "size=");
                assert_eq!(hex(&root(&l[..n])), parts[1]);
                roots += 1;
            }
            "inclusion" => {
                let (i, n) = (num(parts[0], "index="), num(parts[1], "size="));
                let proof = list(parts[2].strip_prefix("proof=").unwrap());
                assert!(verify_inclusion(i as u64, n as u64, &l[i], &proof, &root(&l[..n])), "{line}");
                assert!(!verify_inclusion(i as u64, n as u64, &leaf_hash(b"x"), &proof, &root(&l[..n])), "{line}");
                proofs += 1;
            }
            "consistency" => {
                let (m, n) = (num(parts[0], "old="), num(parts[1], "new="));
                let proof = list(parts[2].strip_prefix("proof=").unwrap());
                assert!(verify_consistency(m as u64, n as u64, &root(&l[..m]), &root(&l[..n]), &proof), "{line}");
                proofs += 1;
            }
            other => panic!("unknown line kind {other}"),
        }
    }
    assert_eq!((roots, proofs), (8, 28 + 28));
}

#[test]
fn the_checkpoint_note_verifies_with_its_countersignature() {
    let text = read("audit-checkpoint.txt");
    let (headers, note) = text.split_once("\n\n").unwrap();
    let h: BTreeMap<&str, &str> = headers.lines().map(|l| l.split_once(": ").unwrap()).collect();
    let audit = countersign_core::format::keys::PublicKey::from_base64(h["audit-public-key"]).unwrap();
    let carol = countersign_core::format::keys::PublicKey::from_base64(h["user-public-key"]).unwrap();
    let cp = Checkpoint::verify(note, &audit).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size, hex(&cp.root)), (h["origin"], h["size"].parse().unwrap(), h["root"].to_string()));
    assert_eq!(Checkpoint::cosigners(note, &[("carol".into(), carol)]), vec!["carol".to_string()]);
    assert_eq!(Checkpoint::signature_names(note), vec![h["audit-key-name"].to_string(), h["user-key-name"].to_string()]);
    assert!(note.ends_with('\n') && b64_decode(h["audit-public-key"]).is_some());
}

#[test]
fn bundles_get_their_expected_verdicts() {
    let mut seen = 0;
    for (name, _) in generate() {
        if !name.starts_with("audit-bundle-") {
            continue;
        }
        let text = read(name);
        let (headers, bundle) = text.split_once("\n\n").unwrap();
        let h: BTreeMap<&str, &str> =
            headers.lines().map(|l| l.split_once(": ").unwrap_or_else(|| (l.trim_end_matches(':'), ""))).collect();
        let pinned = Fingerprint::parse_canonical(h["audit-key"]).unwrap();
        let kept = h.get("kept-checkpoint").map(|k| String::from_utf8(b64_decode(k).unwrap()).unwrap());
        let report = verify_bundle(bundle.as_bytes(), Some(&pinned), kept.as_deref()).unwrap();
        match h["expect"] {
            "intact" => assert_eq!(report.problem, None, "{name}"),
            "tampered" => {
                let p = report.problem.unwrap_or_else(|| panic!("{name}: no problem found"));
                assert_eq!(p.kind.code(), h["kind"], "{name}: {}", p.message);
                assert_eq!(p.seq.map(|s| s.to_string()).unwrap_or_default(), h["seq"], "{name}");
                assert_ne!(p.kind, Tampering::ForeignCheckpoint);
            }
            other => panic!("{name}: expect {other}"),
        }
        seen += 1;
    }
    assert_eq!(seen, 5);
}

#[test]
fn tampered_logs_get_their_expected_kind_and_seq() {
    let mut seen = 0;
    for (name, _) in generate() {
        if !name.starts_with("audit-log-") {
            continue;
        }
        let text = read(name);
        let (headers, body) = text.split_once("\n\n").unwrap();
        let h: BTreeMap<&str, &str> = headers.lines().map(|l| l.split_once(": ").unwrap()).collect();
        let events: Vec<LoggedEvent> = records(body)
            .iter()
            .map(|r| LoggedEvent {
                seq: r["seq"].parse().unwrap(),
                at: r["at"].clone(),
                actor: r["actor"].clone(),
                action: r["action"].clone(),
                subject: r["subject"].clone(),
                details: r["details"].clone(),
                prev_hash: unhex32(&r["prev-hash"]),
                hash: unhex32(&r["hash"]),
            })
            .collect();
        let p = check_chain(&events).unwrap_or_else(|| panic!("{name}: no problem found"));
        assert_eq!((p.kind.code(), p.seq.unwrap().to_string().as_str()), (h["kind"], h["seq"]), "{name}: {}", p.message);
        seen += 1;
    }
    assert_eq!(seen, 6);
}

/// The `why` of audit-statements.txt for a replay's fault (docs/audit-format.md §10).
fn fault_name(kind: StatementFault) -> &'static str {
    match kind {
        StatementFault::Signature => "signature",
        StatementFault::Authority => "authority",
        StatementFault::Rules => "rules",
        StatementFault::Missing => "missing",
        StatementFault::Malformed => "malformed",
    }
}

#[test]
fn statements_sign_their_message_and_replay_to_the_expected_problems() {
    let recs = records(&read("audit-statements.txt"));
    let (mut events, mut expected, mut prev) = (Vec::new(), Vec::new(), GENESIS);
    for (i, r) in recs.iter().enumerate() {
        let seq: u64 = r["seq"].parse().unwrap();
        assert_eq!(seq, i as u64 + 1);
        let details: Value = serde_json::from_str(&r["details"]).unwrap();
        assert_eq!(canonical_json(&details), r["details"], "event {seq}: details are canonical");
        assert!(details["signature"]["by"].is_string() && details["signature"]["ed25519"].is_string(), "event {seq} is signed");
        let statement = StatementFields { at: &r["at"], actor: &r["actor"], action: &r["action"], subject: &r["subject"] };
        assert_eq!(hex(&signed_message(&statement, &details)), r["signed-message"], "event {seq}: the signed message");
        match r["expect"].as_str() {
            "counts" => assert!(!r.contains_key("why"), "event {seq}"),
            "invalid" => expected.push((seq, r["why"].clone())),
            other => panic!("event {seq}: expect {other}"),
        }
        let e = LoggedEvent {
            seq,
            at: r["at"].clone(),
            actor: r["actor"].clone(),
            action: r["action"].clone(),
            subject: r["subject"].clone(),
            details: r["details"].clone(),
            prev_hash: prev,
            hash: [0; 32],
        };
        prev = event_hash(&prev, &fields(&e));
        events.push(LoggedEvent { hash: prev, ..e });
    }
    assert_eq!(events.len(), 31);
    let state = ImpliedState::replay(events.iter());
    let got: Vec<(u64, String)> = state.problems.iter().map(|p| (p.seq, fault_name(p.kind).to_string())).collect();
    assert_eq!(got, expected, "{:#?}", state.problems);
    // The state the statements that count imply.
    let user = |name: &str| state.users.get(name).map(|u| (u.role, u.enabled, u.key));
    assert_eq!(user("alice"), Some((Role::Admin, true, Some(KeyPair::from_seed(&ALICE_SEED).public_key()))));
    assert_eq!(user("clara"), Some((Role::Clerk, false, Some(KeyPair::from_seed(&CLARA_SEED).public_key()))));
    assert_eq!(user("carol"), Some((Role::Approver, true, Some(key(CAROL_SEED).public_key()))));
    assert_eq!(user("mallory"), None);
    assert_eq!(state.policy.approval_threshold_minor, 500_000);
    assert_eq!(state.cases.keys().collect::<Vec<_>>(), [&1]);
    assert_eq!((state.cases[&1].status, state.cases[&1].called_by.as_slice()), (CaseStatus::Released, ["clara".to_string()].as_slice()));
    let checks: Vec<&str> = state.cases[&1].name_checks.iter().map(|c| c.check.answer()).collect();
    assert_eq!(checks, ["MTCH"], "the name check of the case's account counts, the other one not");
    assert_eq!(state.accounts[&(1, GLOBEX_NEW_ACCOUNT.to_string())], AccountStatus::Current);
    assert_eq!(state.accounts[&(1, GLOBEX_KNOWN_ACCOUNT.to_string())], AccountStatus::Retired);
    let globex = &state.partners[&1];
    assert_eq!(globex.keys[&KeyPair::from_seed(&GLOBEX_SEED).fingerprint().to_string()], KeyStatus::Revoked);
    assert_eq!(globex.recovery_key, Some(KeyPair::from_seed(&GLOBEX_RECOVERY_SEED).public_key()));
}
