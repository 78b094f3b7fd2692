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
//!
//! — countersign-audit-<audit key digits> AbCd…=      ← key name, base64(key id ‖ signature)
//! ```
//!
//! The signature is Ed25519 over the body (every line up to and including the blank line's
//! preceding newline), as signed-note specifies; the key id is the first four bytes of
//! SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key).

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::encoding::{b64_decode, b64_encode, format_utc, parse_utc};
use crate::keys::{KeyPair, PublicKey};
use crate::merkle::Hash;

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
}

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

/// The origin line of an organisation's log.
pub fn origin_for(org_fingerprint_digits: &str) -> String {
    format!("countersign/audit/{org_fingerprint_digits}")
}

fn key_id(name: &str, public_key: &PublicKey) -> [u8; 4] {
    let h = Sha256::new().chain_update(name.as_bytes()).chain_update(b"\n").chain_update([1u8]).chain_update(public_key.to_bytes()).finalize();
    [h[0], h[1], h[2], h[3]]
}

impl Checkpoint {
    /// The note body (each line ends in a newline).
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\ntime {}\n", self.origin, self.size, b64_encode(&self.root), format_utc(self.time))
    }

    /// The signed note.
    pub fn sign(&self, key: &KeyPair) -> String {
        let body = self.body();
        let name = key_name(&key.public_key());
        // signed-note signs the body bytes themselves (no extra context); the key id and the
        // origin line separate this from any other use of the key, which signs only notes.
        let signature = key.sign_raw(body.as_bytes());
        let mut blob = key_id(&name, &key.public_key()).to_vec();
        blob.extend_from_slice(&signature);
        format!("{body}\n\u{2014} {name} {}\n", b64_encode(&blob))
    }

    /// Parses a signed note and verifies its signature by `key`.
    pub fn verify(note: &str, key: &PublicKey) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::Malformed(m.to_string());
        let (body, signatures) = note.split_once("\n\n").ok_or_else(|| bad("no blank line before the signatures"))?;
        let body = format!("{body}\n");
        let lines: Vec<&str> = body.lines().collect();
        if lines.len() != 4 {
            return Err(bad("the body must have four lines: origin, size, root, time"));
        }
        let size: u64 = lines[1].parse().map_err(|_| bad("the size is not a number"))?;
        if lines[1] != size.to_string() {
            return Err(bad("the size is not in canonical decimal"));
        }
        let root: Hash = b64_decode(lines[2]).and_then(|v| v.try_into().ok()).ok_or_else(|| bad("the root is not 32 bytes of base64"))?;
        let time = lines[3].strip_prefix("time ").and_then(parse_utc).ok_or_else(|| bad("the time line is not `time YYYY-MM-DDTHH:MM:SSZ`"))?;
        let name = key_name(key);
        let expected_id = key_id(&name, key);
        let verified = signatures.lines().filter_map(|l| l.strip_prefix("\u{2014} ")).any(|l| {
            let Some((n, sig)) = l.split_once(' ') else { return false };
            let Some(blob) = b64_decode(sig) else { return false };
            n == name
                && blob.len() == 68
                && blob[..4] == expected_id
                && key.verify_raw(body.as_bytes(), blob[4..].try_into().expect("64 bytes"))
        });
        if !verified {
            return Err(CheckpointError::BadSignature);
        }
        Ok(Checkpoint { origin: lines[0].to_string(), size, root, time })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint { origin: origin_for("123"), size: 42, root: [7; 32], time: parse_utc("2026-11-23T09:00:00Z").unwrap() }
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
}
