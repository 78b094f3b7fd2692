//! The auditor's evidence bundle (pure): a self-contained JSON file with the chosen events, an
//! inclusion proof of each in a checkpoint signed at export, the stored checkpoints with
//! consistency proofs to it, the keys that sign, and the organisation's public card. It is
//! checked offline, with no workspace: `audit verify --bundle`. Specified in
//! docs/audit-format.md for verifiers written in other languages.

use serde::{Deserialize, Serialize};

use crate::audit::chain::{event_hash, EventFields};
use crate::audit::check::{Problem, Tampering};
use crate::audit::checkpoint::Checkpoint;
use crate::audit::log::{EventFilter, LoggedCheckpoint, LoggedEvent};
use crate::audit::merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash, MerkleTree};
use crate::audit::state::{ImpliedState, StatementFault};
use crate::encoding::{b64_decode, b64_decode_array, b64_encode};
use crate::format::card::PartnerCard;
use crate::format::fingerprint::Fingerprint;
use crate::format::keys::PublicKey;

/// The format identifier, first field of every bundle.
pub const BUNDLE_FORMAT: &str = "countersign/audit-bundle/v1";
/// The largest bundle read (events are small; a million fit well within this).
pub const MAX_BUNDLE_SIZE: usize = 1 << 30;

/// A bundle as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The log's origin line (as in its checkpoints).
    pub origin: String,
    /// When the bundle was made (UTC).
    pub exported_at: String,
    /// Who made it.
    pub exported_by: String,
    /// The organisation's partner card, base64.
    pub org_card: String,
    /// The organisation's audit public keys (current and retired), base64.
    pub audit_keys: Vec<String>,
    /// Users' public keys, which countersign approvals' checkpoints.
    pub users: Vec<BundleUser>,
    /// How the events were chosen.
    pub filter: BundleFilter,
    /// Events in the whole log at export.
    pub log_size: u64,
    /// The checkpoint of the whole log signed at export.
    pub checkpoint: String,
    /// The chosen events, oldest first.
    pub events: Vec<BundleEvent>,
    /// Every checkpoint stored before the export, oldest first.
    pub checkpoints: Vec<BundleCheckpoint>,
}

/// A user's public key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleUser {
    /// Login name.
    pub name: String,
    /// Ed25519 public key, base64.
    pub public_key: String,
}

/// The filter, each field present only when used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Case id.
    pub case: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Partner id.
    pub partner: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Acting user.
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Action or action prefix.
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// From (inclusive, UTC).
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Until (exclusive, UTC).
    pub until: Option<String>,
}

impl From<&EventFilter> for BundleFilter {
    fn from(f: &EventFilter) -> Self {
        BundleFilter {
            case: f.case,
            partner: f.partner,
            actor: f.actor.clone(),
            action: f.action.clone(),
            from: f.from.clone(),
            until: f.until.clone(),
        }
    }
}

/// One event with its inclusion proof.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleEvent {
    /// Sequence number, from 1.
    pub seq: u64,
    /// UTC time.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// Canonical JSON particulars.
    pub details: String,
    /// The previous event's hash, base64.
    pub prev_hash: String,
    /// This event's hash, base64.
    pub hash: String,
    /// Its inclusion proof in the export checkpoint's tree, base64 hashes.
    pub inclusion_proof: Vec<String>,
}

/// A stored checkpoint with its consistency proof to the export checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleCheckpoint {
    /// Why it was written.
    pub reason: String,
    /// Whose session signed it.
    pub signer: String,
    /// The signed note.
    pub note: String,
    /// RFC 6962 consistency proof from its size to `log_size`, base64 hashes.
    pub consistency_proof: Vec<String>,
}

/// Everything [`build`] needs.
pub struct BundleParts<'a> {
    /// Origin line.
    pub origin: &'a str,
    /// Export time.
    pub exported_at: &'a str,
    /// Exporter.
    pub exported_by: &'a str,
    /// The organisation's card file.
    pub org_card: &'a [u8],
    /// Audit public keys.
    pub audit_keys: &'a [PublicKey],
    /// Users' public keys.
    pub users: &'a [(String, PublicKey)],
    /// The filter used.
    pub filter: &'a EventFilter,
    /// The hashes of every event of the log, in order.
    pub all_hashes: &'a [Hash],
    /// The signed note over all of them.
    pub checkpoint: &'a str,
    /// The chosen events.
    pub events: &'a [LoggedEvent],
    /// The stored checkpoints.
    pub checkpoints: &'a [LoggedCheckpoint],
}

fn b64_list(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(|h| b64_encode(h)).collect()
}

/// Builds a bundle: proofs for every chosen event and stored checkpoint.
pub fn build(parts: &BundleParts<'_>) -> Bundle {
    let size = parts.all_hashes.len();
    let tree = MerkleTree::new(parts.all_hashes.iter().map(|h| leaf_hash(h)).collect());
    let events = parts
        .events
        .iter()
        .map(|e| BundleEvent {
            seq: e.seq,
            at: e.at.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            details: e.details.clone(),
            prev_hash: b64_encode(&e.prev_hash),
            hash: b64_encode(&e.hash),
            inclusion_proof: b64_list(&tree.inclusion_proof(e.seq as usize - 1, size).unwrap_or_default()),
        })
        .collect();
    let checkpoints = parts
        .checkpoints
        .iter()
        .filter(|c| c.size as usize <= size)
        .map(|c| BundleCheckpoint {
            reason: c.reason.clone(),
            signer: c.signer.clone(),
            note: c.note.clone(),
            consistency_proof: b64_list(&tree.consistency_proof(c.size as usize, size).unwrap_or_default()),
        })
        .collect();
    Bundle {
        format: BUNDLE_FORMAT.into(),
        origin: parts.origin.into(),
        exported_at: parts.exported_at.into(),
        exported_by: parts.exported_by.into(),
        org_card: b64_encode(parts.org_card),
        audit_keys: parts.audit_keys.iter().map(|k| k.to_base64()).collect(),
        users: parts.users.iter().map(|(name, k)| BundleUser { name: name.clone(), public_key: k.to_base64() }).collect(),
        filter: parts.filter.into(),
        log_size: size as u64,
        checkpoint: parts.checkpoint.into(),
        events,
        checkpoints,
    }
}

impl Bundle {
    /// The file's bytes (pretty JSON, a newline at the end).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("serialises");
        bytes.push(b'\n');
        bytes
    }
}

/// Why a file could not be read as a bundle at all (as opposed to a bundle that shows tampering).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an audit bundle: {0}")]
pub struct BundleError(pub String);

/// What checking a bundle found.
#[derive(Debug, Clone)]
pub struct BundleReport {
    /// The organisation named on the card.
    pub org_name: String,
    /// The card's fingerprint.
    pub org_fingerprint: Fingerprint,
    /// The audit key that signed the export checkpoint.
    pub audit_key: Fingerprint,
    /// Events in the whole log at export.
    pub log_size: u64,
    /// Its root.
    pub root: Hash,
    /// When it was exported.
    pub exported_at: String,
    /// Events in the bundle.
    pub events: usize,
    /// Checkpoints in the bundle.
    pub checkpoints: usize,
    /// The first problem found, if any.
    pub problem: Option<Problem>,
    /// Whether the signed statements were checked (the bundle carries `workspace.init`, as
    /// bundles exported since issue 14 do).
    pub statements_checked: bool,
    /// Whether the workspace was still in setup mode at the bundle's last event (issue 15), when
    /// its statements are checked.
    pub setup_mode: Option<bool>,
}

/// Whether a bundle holds the log's first event, `workspace.init`, which names the root key of the
/// signed statements.
fn carries_root(bundle: &Bundle) -> bool {
    bundle.events.first().is_some_and(|e| e.seq == 1 && e.action == "workspace.init")
}

fn hash_field(text: &str, what: &str) -> Result<Hash, BundleError> {
    b64_decode_array::<32>(text).ok_or_else(|| BundleError(format!("{what} is not 32 bytes of base64")))
}

fn proof_field(list: &[String], what: &str) -> Result<Vec<Hash>, BundleError> {
    list.iter().map(|h| hash_field(h, what)).collect()
}

fn problem(kind: Tampering, seq: Option<u64>, message: String) -> Option<Problem> {
    Some(Problem { kind, seq, message })
}

/// Checks a bundle offline. `expected_audit_key`: the audit key fingerprint the auditor pinned
/// (otherwise the report names the key, for the auditor to compare). `kept`: a checkpoint the
/// auditor kept earlier, which the exported log must extend.
pub fn verify_bundle(bytes: &[u8], expected_audit_key: Option<&Fingerprint>, kept: Option<&str>) -> Result<BundleReport, BundleError> {
    let bundle: Bundle = serde_json::from_slice(bytes).map_err(|e| BundleError(e.to_string()))?;
    if bundle.format != BUNDLE_FORMAT {
        return Err(BundleError(format!("format {:?}; this version reads {BUNDLE_FORMAT}", bundle.format)));
    }
    let card = decode_org_card(&bundle.org_card)?;
    let audit_keys = decode_audit_keys(&bundle.audit_keys)?;
    let users = decode_users(&bundle.users)?;
    let report = |audit_key: Fingerprint, root: Hash, problem: Option<Problem>| BundleReport {
        org_name: card.details().name.clone(),
        org_fingerprint: card.fingerprint(),
        audit_key,
        log_size: bundle.log_size,
        root,
        exported_at: bundle.exported_at.clone(),
        events: bundle.events.len(),
        checkpoints: bundle.checkpoints.len(),
        problem,
        statements_checked: carries_root(&bundle),
        setup_mode: setup_mode(&bundle),
    };

    // The export checkpoint: signed by one of the bundle's audit keys, and by the pinned one.
    let signed = audit_keys.iter().find_map(|k| Checkpoint::verify(&bundle.checkpoint, k).ok().map(|c| (k, c)));
    let Some((key, head)) = signed else {
        let fp = audit_keys.first().map(|k| k.fingerprint()).ok_or_else(|| BundleError("no audit key".into()))?;
        return Ok(report(
            fp,
            [0; 32],
            problem(Tampering::BadCheckpoint, None, "the export checkpoint is not signed by the bundle's audit key".into()),
        ));
    };
    let fp = key.fingerprint();
    let root = head.root;
    let checks = BundleChecks { bundle: &bundle, audit_keys: &audit_keys, users: &users, head };
    Ok(report(fp, root, checks.first_problem(&fp, expected_audit_key, kept)?))
}

/// The bundle's events as the log hands them over.
fn logged_events(bundle: &Bundle) -> Result<Vec<LoggedEvent>, BundleError> {
    let mut events = Vec::with_capacity(bundle.events.len());
    for e in &bundle.events {
        events.push(LoggedEvent {
            seq: e.seq,
            at: e.at.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            details: e.details.clone(),
            prev_hash: hash_field(&e.prev_hash, "prev_hash")?,
            hash: hash_field(&e.hash, "hash")?,
        });
    }
    Ok(events)
}

/// Whether the bundle's statements leave the workspace in setup mode (issue 15: fewer than two
/// people could ever check changes, so one person set its registry and controls alone); `None`
/// when its statements are not checked.
fn setup_mode(bundle: &Bundle) -> Option<bool> {
    let events = logged_events(bundle).ok().filter(|_| carries_root(bundle))?;
    Some(ImpliedState::replay(events.iter()).in_setup_mode())
}

/// The organisation's card, decoded and parsed.
fn decode_org_card(org_card: &str) -> Result<PartnerCard, BundleError> {
    let card_bytes = b64_decode(org_card).ok_or_else(|| BundleError("org_card is not base64".into()))?;
    PartnerCard::parse(&card_bytes).map_err(|e| BundleError(format!("org_card: {e}")))
}

/// The audit public keys, decoded.
fn decode_audit_keys(audit_keys: &[String]) -> Result<Vec<PublicKey>, BundleError> {
    audit_keys
        .iter()
        .map(|k| PublicKey::from_base64(k).ok_or_else(|| BundleError("an audit key is not an Ed25519 public key".into())))
        .collect()
}

/// The users' names and public keys, decoded.
fn decode_users(users: &[BundleUser]) -> Result<Vec<(String, PublicKey)>, BundleError> {
    users
        .iter()
        .map(|u| {
            PublicKey::from_base64(&u.public_key)
                .map(|k| (u.name.clone(), k))
                .ok_or_else(|| BundleError(format!("{}'s key is not an Ed25519 public key", u.name)))
        })
        .collect()
}

/// A bundle whose export checkpoint is signed by one of its audit keys, with the decoded keys: what the
/// checks after that signature look at.
struct BundleChecks<'a> {
    bundle: &'a Bundle,
    audit_keys: &'a [PublicKey],
    users: &'a [(String, PublicKey)],
    /// The export checkpoint.
    head: Checkpoint,
}

impl BundleChecks<'_> {
    /// The first problem of the bundle, checking in order: the export checkpoint's key and contents, the events,
    /// the stored checkpoints, then the kept checkpoint.
    fn first_problem(
        &self,
        fp: &Fingerprint,
        expected_audit_key: Option<&Fingerprint>,
        kept: Option<&str>,
    ) -> Result<Option<Problem>, BundleError> {
        if let Some(found) = self.head_problem(fp, expected_audit_key) {
            return Ok(Some(found));
        }
        if let Some(found) = self.event_problem()? {
            return Ok(Some(found));
        }
        if let Some(found) = self.checkpoint_problem()? {
            return Ok(Some(found));
        }
        if let Some(found) = self.statement_problem()? {
            return Ok(Some(found));
        }
        match kept {
            Some(kept) => self.kept_problem(kept),
            None => Ok(None),
        }
    }

    /// The export checkpoint: signed by the pinned key, when one is, and matching the bundle's log size and origin.
    fn head_problem(&self, fp: &Fingerprint, expected_audit_key: Option<&Fingerprint>) -> Option<Problem> {
        if let Some(expected) = expected_audit_key {
            if fp != expected {
                return problem(
                    Tampering::ForeignCheckpoint,
                    None,
                    format!("the bundle is signed by audit key {fp}, not the one you expect ({expected})"),
                );
            }
        }
        if self.head.size != self.bundle.log_size || self.head.origin != self.bundle.origin {
            return problem(Tampering::BadCheckpoint, None, "the export checkpoint does not match the bundle's log size or origin".into());
        }
        None
    }

    /// Events: each hash recomputed, consecutive ones linked, each in the signed tree.
    fn event_problem(&self) -> Result<Option<Problem>, BundleError> {
        let head = &self.head;
        let mut previous: Option<(u64, Hash)> = None;
        for e in &self.bundle.events {
            let prev_hash = hash_field(&e.prev_hash, "prev_hash")?;
            let hash = hash_field(&e.hash, "hash")?;
            let proof = proof_field(&e.inclusion_proof, "an inclusion proof hash")?;
            let fields =
                EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details };
            if e.seq == 0 || previous.is_some_and(|(seq, _)| e.seq <= seq) {
                return Ok(problem(Tampering::Reordered, Some(e.seq), format!("event {} is out of order in the bundle", e.seq)));
            }
            if event_hash(&prev_hash, &fields) != hash {
                return Ok(problem(
                    Tampering::Changed,
                    Some(e.seq),
                    format!("event {} was changed: its fields do not hash to its hash", e.seq),
                ));
            }
            if let Some((seq, h)) = previous {
                if seq + 1 == e.seq && h != prev_hash {
                    return Ok(problem(Tampering::Inserted, Some(e.seq), format!("event {} does not follow event {seq}", e.seq)));
                }
            }
            if !verify_inclusion(e.seq - 1, head.size, &leaf_hash(&hash), &proof, &head.root) {
                return Ok(problem(
                    Tampering::Changed,
                    Some(e.seq),
                    format!("event {} is not in the signed log of {} events (its inclusion proof fails)", e.seq, head.size),
                ));
            }
            previous = Some((e.seq, hash));
        }
        Ok(None)
    }

    /// The signed statements among the events (docs/audit-format.md §12), replayed as the
    /// workspace replays its whole log: the bundle carries the statements every signer's key and
    /// role rest on. A statement about something the bundle does not hold (a case whose receipt
    /// was not chosen) cannot be judged here and is passed over. A bundle without the log's first
    /// event (`workspace.init`, which names the root key) was exported before statements were
    /// signed, and is not judged ([`BundleReport::statements_checked`]).
    fn statement_problem(&self) -> Result<Option<Problem>, BundleError> {
        if !self.statements_checked() {
            return Ok(None);
        }
        let events = logged_events(self.bundle)?;
        let state = ImpliedState::replay(events.iter());
        let judged: Vec<_> = state.problems.iter().filter(|p| p.kind != StatementFault::Missing).collect();
        Ok(judged.first().map(|first| Problem {
            kind: Tampering::StatementInvalid,
            seq: Some(first.seq),
            message: format!("{} signed statement(s) in the bundle do not count; the first: {first}", judged.len()),
        }))
    }

    /// Whether the bundle carries the root of its statements: the log's first event, `workspace.init`.
    fn statements_checked(&self) -> bool {
        carries_root(self.bundle)
    }

    /// Stored checkpoints: signed, countersigned where an approval, and consistent with the head.
    fn checkpoint_problem(&self) -> Result<Option<Problem>, BundleError> {
        let head = &self.head;
        for (i, c) in self.bundle.checkpoints.iter().enumerate() {
            let Some(old) = self.audit_keys.iter().find_map(|k| Checkpoint::verify(&c.note, k).ok()) else {
                return Ok(problem(
                    Tampering::BadCheckpoint,
                    None,
                    format!("checkpoint {} in the bundle is not signed by an audit key", i + 1),
                ));
            };
            if old.origin != self.bundle.origin {
                return Ok(problem(
                    Tampering::BadCheckpoint,
                    None,
                    format!("checkpoint {} in the bundle is of another log ({})", i + 1, old.origin),
                ));
            }
            if c.reason == "approval" && !self.countersigned(c) {
                return Ok(problem(
                    Tampering::BadCountersignature,
                    Some(old.size),
                    format!("checkpoint {} lacks {}'s countersignature", i + 1, c.signer),
                ));
            }
            let proof = proof_field(&c.consistency_proof, "a consistency proof hash")?;
            let consistent = old.size == 0 || verify_consistency(old.size, head.size, &old.root, &head.root, &proof);
            if old.size > head.size || !consistent {
                return Ok(problem(
                    Tampering::Rewritten,
                    None,
                    format!("the exported log is not an extension of checkpoint {} ({} events)", i + 1, old.size),
                ));
            }
        }
        Ok(None)
    }

    /// Whether a stored checkpoint carries its signer's countersignature.
    fn countersigned(&self, c: &BundleCheckpoint) -> bool {
        let signer: Vec<(String, PublicKey)> = self.users.iter().filter(|(n, _)| n == &c.signer).cloned().collect();
        !Checkpoint::cosigners(&c.note, &signer).is_empty()
    }

    /// A checkpoint the auditor kept: it must be one the exported log extends.
    fn kept_problem(&self, kept: &str) -> Result<Option<Problem>, BundleError> {
        let (bundle, head) = (self.bundle, &self.head);
        let Some(old) = self.audit_keys.iter().find_map(|k| Checkpoint::verify(kept, k).ok()).filter(|c| c.origin == bundle.origin) else {
            return Ok(problem(
                Tampering::ForeignCheckpoint,
                None,
                "the kept checkpoint is not one of this log's (another origin, or not signed by its audit key)".into(),
            ));
        };
        if old.size > head.size {
            return Ok(problem(
                Tampering::Truncated,
                Some(head.size + 1),
                format!("the kept checkpoint covers {} events but the exported log has only {}", old.size, head.size),
            ));
        }
        let matching = bundle.checkpoints.iter().filter_map(|c| Checkpoint::parse_unverified(&c.note).ok()).find(|c| c.size == old.size);
        match matching {
            Some(c) if c.root == old.root => Ok(None),
            Some(_) => Ok(problem(Tampering::Rewritten, None, format!("the first {} events differ from the kept checkpoint's", old.size))),
            None if old.size == head.size && old.root == head.root => Ok(None),
            None if old.size == head.size => Ok(problem(
                Tampering::Rewritten,
                None,
                format!("the exported log of {} events differs from the kept checkpoint of the same size", old.size),
            )),
            None => Err(BundleError(format!(
                "the bundle holds no proof for a checkpoint of {} events; check the kept checkpoint against the workspace (audit verify --against)",
                old.size
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::GENESIS;
    use crate::format::card::CardDetails;
    use crate::format::keys::KeyPair;

    fn events(n: u64) -> Vec<LoggedEvent> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let details = format!("{{\"n\":{seq}}}");
                let f = EventFields {
                    seq,
                    at: "2026-11-23T09:00:00Z",
                    actor: "a",
                    action: "case.approve",
                    subject: "case:1",
                    details: &details,
                };
                let hash = event_hash(&prev, &f);
                let e = LoggedEvent {
                    seq,
                    at: f.at.into(),
                    actor: "a".into(),
                    action: f.action.into(),
                    subject: f.subject.into(),
                    details: details.clone(),
                    prev_hash: prev,
                    hash,
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn note(all: &[Hash], size: usize, key: &KeyPair) -> String {
        let leaves: Vec<Hash> = all[..size].iter().map(|h| leaf_hash(h)).collect();
        Checkpoint {
            origin: "countersign/audit/1".into(),
            size: size as u64,
            root: crate::audit::merkle::root(&leaves),
            time: crate::encoding::parse_utc("2026-11-23T09:00:00Z").unwrap(),
            setup_mode: false,
        }
        .sign(key)
    }

    fn bundle(n: u64, pick: std::ops::Range<usize>) -> (Vec<u8>, KeyPair, Vec<Hash>) {
        let audit = KeyPair::from_seed(&[1; 32]);
        let org = KeyPair::from_seed(&[2; 32]);
        let card = PartnerCard::create(
            &org,
            CardDetails { name: "Example Ltd".into(), ..Default::default() },
            crate::encoding::parse_utc("2026-11-23T09:00:00Z").unwrap(),
        )
        .unwrap();
        let all = events(n);
        let hashes: Vec<Hash> = all.iter().map(|e| e.hash).collect();
        let old = LoggedCheckpoint {
            id: 1,
            size: 3,
            root: [0; 32],
            at: "x".into(),
            reason: "release".into(),
            signer: "a".into(),
            note: note(&hashes, 3, &audit),
        };
        let b = build(&BundleParts {
            origin: "countersign/audit/1",
            exported_at: "2026-11-23T10:00:00Z",
            exported_by: "erin",
            org_card: &card.to_bytes(),
            audit_keys: &[audit.public_key()],
            users: &[],
            filter: &EventFilter::default(),
            all_hashes: &hashes,
            checkpoint: &note(&hashes, n as usize, &audit),
            events: &all[pick],
            checkpoints: &[old],
        });
        (b.to_bytes(), audit, hashes)
    }

    #[test]
    fn a_bundle_verifies_offline_and_edits_are_caught() {
        let (bytes, audit, hashes) = bundle(9, 2..6);
        let report = verify_bundle(&bytes, Some(&audit.fingerprint()), None).unwrap();
        assert_eq!(report.problem, None, "{report:?}");
        assert_eq!((report.events, report.log_size, report.org_name.as_str()), (4, 9, "Example Ltd"));

        let text = String::from_utf8(bytes.clone()).unwrap();
        let edited = text.replacen("{\\\"n\\\":4}", "{\\\"n\\\":40}", 1);
        assert_ne!(edited, text);
        assert_eq!(verify_bundle(edited.as_bytes(), None, None).unwrap().problem.unwrap().kind, Tampering::Changed);

        let stranger = KeyPair::from_seed(&[9; 32]);
        assert_eq!(verify_bundle(&bytes, Some(&stranger.fingerprint()), None).unwrap().problem.unwrap().kind, Tampering::ForeignCheckpoint);

        // A kept checkpoint of 3 events is extended; one of 12 means the log was cut.
        assert_eq!(verify_bundle(&bytes, None, Some(&note(&hashes, 3, &audit))).unwrap().problem, None);
        let mut longer = hashes.clone();
        longer.extend([[7u8; 32]; 3]);
        assert_eq!(verify_bundle(&bytes, None, Some(&note(&longer, 12, &audit))).unwrap().problem.unwrap().kind, Tampering::Truncated);
        assert!(verify_bundle(b"{}", None, None).is_err());
        // A kept checkpoint of the same size with another root: the log was rewritten.
        let mut other = hashes.clone();
        other[0] = [6u8; 32];
        assert_eq!(verify_bundle(&bytes, None, Some(&note(&other, 9, &audit))).unwrap().problem.unwrap().kind, Tampering::Rewritten);
    }
}
