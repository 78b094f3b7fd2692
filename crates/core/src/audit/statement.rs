//! Signed statements (pure): the events that move money or change who may act or where money may
//! go carry, inside their details, an Ed25519 signature by the acting user's personal key (by the
//! organisation key for the first events of `init`). The log's hash chain says in what order
//! things were written; a statement's signature says who decided them, and cannot be made by
//! someone who holds the database file but no password.
//!
//! The signed message (docs/audit-format.md §12.2):
//! `"countersign/statement/v1" ‖ 0x00 ‖ lp(at) ‖ lp(actor) ‖ lp(action) ‖ lp(subject) ‖
//! lp(canonical JSON of the details without their "signature" member)`, where `lp(s)` is a
//! 4-byte big-endian length and the UTF-8 bytes. The details then carry
//! `"signature": {"by": FINGERPRINT, "ed25519": BASE64}`.

use serde_json::{json, Map, Value};

use super::chain::canonical_json;
use super::log::LoggedEvent;
use crate::encoding::{b64_decode_array, b64_encode};
use crate::format::fingerprint::Fingerprint;
use crate::format::keys::{KeyPair, PublicKey};

/// Domain-separation prefix of statement signatures.
pub const STATEMENT_CONTEXT: &[u8] = b"countersign/statement/v1\0";
/// The member of an event's details that holds its signature.
pub const SIGNATURE_MEMBER: &str = "signature";

/// The fields of a statement, as they are written to the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementFields<'a> {
    /// UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: &'a str,
    /// Who decided (a user name, or `system` at `init`).
    pub actor: &'a str,
    /// What (`case.approve`, `partner.add`, …).
    pub action: &'a str,
    /// To what (`case:17`, `partner:3`, `user:alice`).
    pub subject: &'a str,
}

/// The bytes a statement's signature covers: the fields and the details without their signature.
pub fn signed_message(fields: &StatementFields<'_>, details: &Value) -> Vec<u8> {
    let unsigned = without_signature(details);
    let details_text = canonical_json(&unsigned);
    let mut message = STATEMENT_CONTEXT.to_vec();
    for part in [fields.at, fields.actor, fields.action, fields.subject, details_text.as_str()] {
        message.extend_from_slice(&(part.len() as u32).to_be_bytes());
        message.extend_from_slice(part.as_bytes());
    }
    message
}

fn without_signature(details: &Value) -> Value {
    match details {
        Value::Object(map) => {
            Value::Object(map.iter().filter(|(k, _)| *k != SIGNATURE_MEMBER).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    }
}

/// `details` (an object) with the signature of `key` over the statement added.
pub fn sign(key: &KeyPair, fields: &StatementFields<'_>, details: Value) -> Value {
    let mut map = match details {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    map.remove(SIGNATURE_MEMBER);
    let unsigned = Value::Object(map);
    let signature = key.sign_raw(&signed_message(fields, &unsigned));
    let Value::Object(mut map) = unsigned else { unreachable!("built as an object") };
    map.insert(SIGNATURE_MEMBER.into(), json!({ "by": key.fingerprint().to_string(), "ed25519": b64_encode(&signature) }));
    Value::Object(map)
}

/// What is wrong with a statement's signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// The details carry no signature.
    #[error("it is not signed")]
    Unsigned,
    /// The signature member is not `{"by": FINGERPRINT, "ed25519": 64 bytes in base64}`.
    #[error("its signature is malformed")]
    Malformed,
    /// It is signed by a key that is not the one it must be signed with.
    #[error("it is signed by {found}, not by {expected}")]
    WrongKey {
        /// The key it names.
        found: String,
        /// The key it must name.
        expected: String,
    },
    /// The signature does not verify: the statement was changed after it was signed.
    #[error("its signature does not verify (it was changed after it was signed)")]
    BadSignature,
}

/// The signature a statement's details carry: the signer's fingerprint and the signature bytes.
pub fn signature_of(details: &Value) -> Result<(Fingerprint, [u8; 64]), StatementError> {
    let member = details.get(SIGNATURE_MEMBER).ok_or(StatementError::Unsigned)?;
    let by = member.get("by").and_then(Value::as_str).and_then(Fingerprint::parse_canonical).ok_or(StatementError::Malformed)?;
    let bytes = member.get("ed25519").and_then(Value::as_str).and_then(b64_decode_array::<64>).ok_or(StatementError::Malformed)?;
    Ok((by, bytes))
}

/// Checks that the statement `fields` + `details` is signed by `key`.
pub fn verify(fields: &StatementFields<'_>, details: &Value, key: &PublicKey) -> Result<(), StatementError> {
    let (by, signature) = signature_of(details)?;
    if by != key.fingerprint() {
        return Err(StatementError::WrongKey { found: by.to_string(), expected: key.fingerprint().to_string() });
    }
    if key.verify_raw(&signed_message(fields, details), &signature) {
        Ok(())
    } else {
        Err(StatementError::BadSignature)
    }
}

/// A logged event's statement fields.
pub fn fields_of(event: &LoggedEvent) -> StatementFields<'_> {
    StatementFields { at: &event.at, actor: &event.actor, action: &event.action, subject: &event.subject }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: StatementFields<'static> =
        StatementFields { at: "2026-12-03T09:00:00Z", actor: "alice", action: "case.approve", subject: "case:7" };

    #[test]
    fn a_signed_statement_verifies_and_any_change_breaks_it() {
        let key = KeyPair::from_seed(&[7; 32]);
        let details = sign(&key, &FIELDS, json!({ "from": "hold", "to": "approved" }));
        assert_eq!(verify(&FIELDS, &details, &key.public_key()), Ok(()));
        let mut edited = details.clone();
        edited["to"] = json!("released");
        assert_eq!(verify(&FIELDS, &edited, &key.public_key()), Err(StatementError::BadSignature));
        for other in [
            StatementFields { actor: "bob", ..FIELDS },
            StatementFields { subject: "case:8", ..FIELDS },
            StatementFields { action: "case.release", ..FIELDS },
            StatementFields { at: "2026-12-03T09:00:01Z", ..FIELDS },
        ] {
            assert_eq!(verify(&other, &details, &key.public_key()), Err(StatementError::BadSignature), "{other:?}");
        }
    }

    #[test]
    fn the_signer_must_be_the_expected_key() {
        let key = KeyPair::from_seed(&[7; 32]);
        let other = KeyPair::from_seed(&[8; 32]);
        let details = sign(&other, &FIELDS, json!({}));
        assert!(matches!(verify(&FIELDS, &details, &key.public_key()), Err(StatementError::WrongKey { .. })));
        assert_eq!(verify(&FIELDS, &json!({}), &key.public_key()), Err(StatementError::Unsigned));
        assert_eq!(verify(&FIELDS, &json!({ "signature": { "by": "x" } }), &key.public_key()), Err(StatementError::Malformed));
    }

    #[test]
    fn signing_again_replaces_the_signature_and_key_order_does_not_matter() {
        let key = KeyPair::from_seed(&[7; 32]);
        let once = sign(&key, &FIELDS, json!({ "b": 1, "a": 2 }));
        let twice = sign(&key, &FIELDS, once.clone());
        assert_eq!(once, twice, "Ed25519 is deterministic and the old signature is not signed");
        let reordered: Value = serde_json::from_str(&canonical_json(&once)).unwrap();
        assert_eq!(verify(&FIELDS, &reordered, &key.public_key()), Ok(()));
    }
}
