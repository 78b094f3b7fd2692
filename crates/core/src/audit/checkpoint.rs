//! Signed checkpoints of the audit log, in the C2SP tlog-checkpoint / signed-note format: a
//! note whose body is the log's origin line, the tree size, the root hash (base64) and the time,
//! signed with the organisation's audit key. An auditor who keeps one can later demand a
//! consistency proof that the log only grew from it. Pure.
//!
//! ```text
//! countersign/audit/516287444502994655811307674161  ← origin: "countersign/audit/" + org fingerprint digits
//! 1234                                                ← tree size
//! 3q2+7w…=                                            ← root hash, base64
//! time 2026-11-23T09:00:00Z                           ← extension line
//! mode setup                                          ← only while in setup mode (issue 15)
//!
//! — countersign-audit-<audit key digits> AbCd…=      ← key name, base64(key id ‖ signature)
//! — countersign-user:carol EfGh…=                     ← an approver's countersignature
//! ```
//!
//! The signature is Ed25519 over the body (every line up to and including the blank line's
//! preceding newline), as signed-note specifies; the key id is the first four bytes of
//! SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key).

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::audit::merkle::Hash;
use crate::encoding::{b64_decode, b64_encode, format_utc, parse_utc};
use crate::format::keys::{KeyPair, PublicKey};

/// A checkpoint's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Which log: `countersign/audit/<org fingerprint digits>`.
    pub origin: String,
    /// Number of events covered.
    pub size: u64,
    /// Merkle root over those events.
    pub root: Hash,
    /// When it was made.
    pub time: OffsetDateTime,
    /// Made while the workspace was in setup mode: fewer than two people could ever check
    /// changes, so one person set its registry and controls alone (issue 15). Signed as the
    /// extension line `mode setup`.
    pub setup_mode: bool,
}

/// The extension line of a checkpoint made in setup mode.
pub const SETUP_MODE_LINE: &str = "mode setup";

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text is not a checkpoint note.
    #[error("not a checkpoint: {0}")]
    Malformed(String),
    /// No signature by the expected key, or it does not verify.
    #[error("the checkpoint is not signed by the organisation's audit key (or was altered)")]
    BadSignature,
}

/// The key name used in signature lines.
pub fn key_name(public_key: &PublicKey) -> String {
    format!("countersign-audit-{}", public_key.fingerprint().digits())
}

/// The key name of a user's own signing key, which countersigns checkpoints when they approve.
pub fn user_key_name(user: &str) -> String {
    format!("countersign-user:{user}")
}

/// The origin line of an organisation's log.
pub fn origin_for(org_fingerprint_digits: &str) -> String {
    format!("countersign/audit/{org_fingerprint_digits}")
}

fn key_id(name: &str, public_key: &PublicKey) -> [u8; 4] {
    let h =
        Sha256::new().chain_update(name.as_bytes()).chain_update(b"\n").chain_update([1u8]).chain_update(public_key.to_bytes()).finalize();
    [h[0], h[1], h[2], h[3]]
}

impl Checkpoint {
    /// The note body (each line ends in a newline).
    pub fn body(&self) -> String {
        let mode = if self.setup_mode { format!("{SETUP_MODE_LINE}\n") } else { String::new() };
        format!("{}\n{}\n{}\ntime {}\n{mode}", self.origin, self.size, b64_encode(&self.root), format_utc(self.time))
    }

    /// The signed note.
    pub fn sign(&self, key: &KeyPair) -> String {
        let body = self.body();
        format!("{body}\n{}", signature_line(&body, &key_name(&key.public_key()), key))
    }

    /// Adds a user's countersignature to a signed note (another signature line over the same
    /// body, as signed-note allows). The note must be well formed.
    pub fn cosign(note: &str, user: &str, key: &KeyPair) -> Result<String, CheckpointError> {
        let (body, _) = split_note(note)?;
        Ok(format!("{note}{}", signature_line(&body, &user_key_name(user), key)))
    }

    /// The users whose countersignature on `note` verifies, among `users` (name, key).
    pub fn cosigners(note: &str, users: &[(String, PublicKey)]) -> Vec<String> {
        let Ok((body, signatures)) = split_note(note) else { return vec![] };
        users
            .iter()
            .filter(|(name, key)| has_signature(&body, signatures, &user_key_name(name), key))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The names on a note's signature lines, signed or not (to report unknown signers).
    pub fn signature_names(note: &str) -> Vec<String> {
        let Ok((_, signatures)) = split_note(note) else { return vec![] };
        signatures
            .lines()
            .filter_map(|l| l.strip_prefix("\u{2014} "))
            .filter_map(|l| l.split_once(' ').map(|(n, _)| n.to_string()))
            .collect()
    }

    /// Parses a note's body without checking any signature.
    pub fn parse_unverified(note: &str) -> Result<Self, CheckpointError> {
        let (body, _) = split_note(note)?;
        Self::parse_body(&body)
    }

    /// Parses a signed note and verifies its signature by `key`.
    pub fn verify(note: &str, key: &PublicKey) -> Result<Self, CheckpointError> {
        let (body, signatures) = split_note(note)?;
        let checkpoint = Self::parse_body(&body)?;
        if !has_signature(&body, signatures, &key_name(key), key) {
            return Err(CheckpointError::BadSignature);
        }
        Ok(checkpoint)
    }

    fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::Malformed(m.to_string());
        let lines: Vec<&str> = body.lines().collect();
        let setup_mode = match lines.get(4) {
            None => false,
            Some(&SETUP_MODE_LINE) if lines.len() == 5 => true,
            Some(_) => return Err(bad("the body must have four lines, origin, size, root, time, and `mode setup` only in setup mode")),
        };
        if lines.len() < 4 {
            return Err(bad("the body must have four lines: origin, size, root, time"));
        }
        let size: u64 = lines[1].parse().map_err(|_| bad("the size is not a number"))?;
        if lines[1] != size.to_string() {
            return Err(bad("the size is not in canonical decimal"));
        }
        let root: Hash = b64_decode(lines[2]).and_then(|v| v.try_into().ok()).ok_or_else(|| bad("the root is not 32 bytes of base64"))?;
        let time =
            lines[3].strip_prefix("time ").and_then(parse_utc).ok_or_else(|| bad("the time line is not `time YYYY-MM-DDTHH:MM:SSZ`"))?;
        Ok(Checkpoint { origin: lines[0].to_string(), size, root, time, setup_mode })
    }
}

/// Splits a note into its body (ending in a newline) and its signature lines.
fn split_note(note: &str) -> Result<(String, &str), CheckpointError> {
    let (body, signatures) =
        note.split_once("\n\n").ok_or_else(|| CheckpointError::Malformed("no blank line before the signatures".into()))?;
    Ok((format!("{body}\n"), signatures))
}

/// One signature line: `— NAME base64(key id ‖ signature)` and a newline. signed-note signs
/// the body bytes themselves (no extra context); the key id and the origin line separate this
/// from any other use of the key, which signs only notes.
fn signature_line(body: &str, name: &str, key: &KeyPair) -> String {
    let signature = key.sign_raw(body.as_bytes());
    let mut blob = key_id(name, &key.public_key()).to_vec();
    blob.extend_from_slice(&signature);
    format!("\u{2014} {name} {}\n", b64_encode(&blob))
}

/// Whether one of the signature lines is `name`'s valid signature of `body` by `key`.
fn has_signature(body: &str, signatures: &str, name: &str, key: &PublicKey) -> bool {
    let expected_id = key_id(name, key);
    signatures.lines().filter_map(|l| l.strip_prefix("\u{2014} ")).any(|l| {
        let Some((n, sig)) = l.split_once(' ') else { return false };
        let Some(blob) = b64_decode(sig) else { return false };
        n == name
            && blob.len() == 68
            && blob[..4] == expected_id
            && key.verify_raw(body.as_bytes(), blob[4..].try_into().expect("64 bytes"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: origin_for("123"),
            size: 42,
            root: [7; 32],
            time: parse_utc("2026-11-23T09:00:00Z").unwrap(),
            setup_mode: false,
        }
    }

    #[test]
    fn a_checkpoint_made_in_setup_mode_says_so_in_its_signed_body() {
        let key = KeyPair::from_seed(&[5; 32]);
        let setup = Checkpoint { setup_mode: true, ..checkpoint() };
        let note = setup.sign(&key);
        assert!(note.contains("\ntime 2026-11-23T09:00:00Z\nmode setup\n\n"), "{note}");
        assert_eq!(Checkpoint::verify(&note, &key.public_key()).unwrap(), setup);
        // Removing the line breaks the signature; any other fifth line is malformed.
        let hidden = note.replace("mode setup\n", "");
        assert_eq!(Checkpoint::verify(&hidden, &key.public_key()).unwrap_err(), CheckpointError::BadSignature);
        let other = note.replace("mode setup", "mode other");
        assert!(matches!(Checkpoint::verify(&other, &key.public_key()), Err(CheckpointError::Malformed(_))));
    }

    #[test]
    fn sign_and_verify() {
        let key = KeyPair::from_seed(&[5; 32]);
        let note = checkpoint().sign(&key);
        assert!(note.starts_with("countersign/audit/123\n42\n"));
        assert_eq!(Checkpoint::verify(&note, &key.public_key()).unwrap(), checkpoint());
        let other = KeyPair::from_seed(&[6; 32]);
        assert_eq!(Checkpoint::verify(&note, &other.public_key()).unwrap_err(), CheckpointError::BadSignature);
        let altered = note.replace("\n42\n", "\n41\n");
        assert_eq!(Checkpoint::verify(&altered, &key.public_key()).unwrap_err(), CheckpointError::BadSignature);
        assert!(matches!(Checkpoint::verify("nonsense", &key.public_key()), Err(CheckpointError::Malformed(_))));
    }

    /// The note with its first signature line's blob (key id ‖ signature) replaced by `edit`'s.
    fn with_blob(note: &str, edit: impl Fn(&mut Vec<u8>)) -> String {
        let (body, line) = note.split_once("\n\n").unwrap();
        let (name, blob) = line.trim_end().rsplit_once(' ').unwrap();
        let mut bytes = b64_decode(blob).unwrap();
        edit(&mut bytes);
        format!("{body}\n\n{name} {}\n", b64_encode(&bytes))
    }

    #[test]
    fn a_signature_line_carries_the_signed_note_key_id() {
        let key = KeyPair::from_seed(&[5; 32]);
        let note = checkpoint().sign(&key);
        let name = key_name(&key.public_key());
        assert_eq!(name, format!("countersign-audit-{}", key.public_key().fingerprint().digits()));
        let id = Sha256::new().chain_update(format!("{name}\n\u{1}")).chain_update(key.public_key().to_bytes()).finalize();
        let blob = with_blob(&note, |b| assert_eq!(b[..4], id[..4]));
        assert_eq!(blob, note);
        // A valid signature under another key id, or with a byte more, does not count.
        let other_id = with_blob(&note, |b| b[0] ^= 1);
        assert_eq!(Checkpoint::verify(&other_id, &key.public_key()).unwrap_err(), CheckpointError::BadSignature);
        let longer = with_blob(&note, |b| b.push(0));
        assert_eq!(Checkpoint::verify(&longer, &key.public_key()).unwrap_err(), CheckpointError::BadSignature);
        let unreadable = note.replace(&note[note.len() - 5..], "!!!!\n");
        assert_eq!(Checkpoint::verify(&unreadable, &key.public_key()).unwrap_err(), CheckpointError::BadSignature);
    }

    #[test]
    fn a_body_is_four_canonical_lines_and_the_mode() {
        let key = KeyPair::from_seed(&[5; 32]);
        let note = checkpoint().sign(&key);
        // Unverified parsing reads the body whoever signed it.
        assert_eq!(Checkpoint::parse_unverified(&checkpoint().sign(&KeyPair::from_seed(&[6; 32]))).unwrap(), checkpoint());
        let body = checkpoint().body();
        for (bad, why) in [
            (body.replace("\n42\n", "\n042\n"), "size in canonical decimal"),
            (body.replace("\n42\n", "\n+42\n"), "size in canonical decimal"),
            (body.replace("\n42\n", "\nmany\n"), "size a number"),
            (body.replace("time 2026", "at 2026"), "a time line"),
            (body.replace(&b64_encode(&[7; 32]), &b64_encode(&[7; 31])), "a 32-byte root"),
            ("countersign/audit/123\n42\n".to_string() + &b64_encode(&[7; 32]) + "\n", "four lines"),
            (format!("{body}{SETUP_MODE_LINE}\nmore\n"), "nothing after the mode"),
        ] {
            let note = format!("{bad}\n— x y\n");
            assert!(matches!(Checkpoint::parse_unverified(&note), Err(CheckpointError::Malformed(_))), "{why}: {bad:?}");
        }
        assert_eq!(user_key_name("carol"), "countersign-user:carol");
        assert_eq!(
            Checkpoint::signature_names(&Checkpoint::cosign(&note, "carol", &key).unwrap()),
            [key_name(&key.public_key()), user_key_name("carol")]
        );
        assert!(Checkpoint::signature_names("no blank line").is_empty());
        assert!(Checkpoint::cosign("no blank line", "carol", &key).is_err());
    }

    #[test]
    fn countersignatures() {
        let audit = KeyPair::from_seed(&[5; 32]);
        let alice = KeyPair::from_seed(&[7; 32]);
        let bob = KeyPair::from_seed(&[8; 32]);
        let note = Checkpoint::cosign(&checkpoint().sign(&audit), "alice", &alice).unwrap();
        // Still a valid checkpoint for the audit key, now with alice's line too.
        assert_eq!(Checkpoint::verify(&note, &audit.public_key()).unwrap(), checkpoint());
        let users = vec![("alice".to_string(), alice.public_key()), ("bob".to_string(), bob.public_key())];
        assert_eq!(Checkpoint::cosigners(&note, &users), vec!["alice".to_string()]);
        assert_eq!(Checkpoint::signature_names(&note).len(), 2);
        // Alice's line does not verify as bob's, nor for another body.
        let forged = note.replace("countersign-user:alice", "countersign-user:bob");
        assert!(Checkpoint::cosigners(&forged, &users).is_empty());
        let moved = note.replace("\n42\n", "\n43\n");
        assert!(Checkpoint::cosigners(&moved, &users).is_empty());
    }
}
