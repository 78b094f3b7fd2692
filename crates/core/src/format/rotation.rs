//! Key-rotation statements (`countersign/key-rotation/v1`): a partner's current key names its
//! successor by signing a payload that embeds the new key's self-signed card. The card's own
//! signature proves the new key's holder made it; the envelope's proves the current key
//! approves the change. An admin still has to accept it for a partner.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::encoding::{b64_decode, b64_encode, format_utc, parse_utc, whole_seconds_utc};
use crate::format::card::{CardError, PartnerCard};
use crate::format::envelope::{Envelope, EnvelopeError, FileKind};
use crate::format::fingerprint::Fingerprint;
use crate::format::keys::{KeyPair, PublicKey};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotationWire {
    old_key: String,
    new_card: String,
    issued_at: String,
}

/// Why a statement was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RotationError {
    /// Not a rotation statement.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The signature does not verify with the key it names.
    #[error("the rotation statement's signature is invalid")]
    BadSignature,
    /// The statement's content is invalid.
    #[error("the rotation statement is not valid: {0}")]
    Invalid(String),
    /// The embedded new card is invalid.
    #[error("the new key's card: {0}")]
    Card(#[from] CardError),
    /// Old and new key are the same.
    #[error("the statement names the same key as old and new")]
    SameKey,
}

/// A rotation statement whose signature has been checked against the old key.
#[derive(Debug, Clone)]
pub struct RotationStatement {
    old_key: Fingerprint,
    new_card: PartnerCard,
    issued_at: OffsetDateTime,
}

impl RotationStatement {
    /// Makes a statement: `old` (the current key) names the key of `new_card` as its successor.
    pub fn create(old: &KeyPair, new_card: &PartnerCard, now: OffsetDateTime) -> Result<Vec<u8>, RotationError> {
        if new_card.fingerprint() == old.fingerprint() {
            return Err(RotationError::SameKey);
        }
        let wire = RotationWire {
            old_key: old.fingerprint().to_string(),
            new_card: b64_encode(&new_card.to_bytes()),
            issued_at: format_utc(whole_seconds_utc(now)),
        };
        let payload = serde_json::to_vec(&wire).expect("serialises");
        Ok(Envelope::sign(FileKind::KeyRotation, old, payload).to_bytes())
    }

    /// The fingerprint of the key that signed a statement file, to look it up before verifying.
    pub fn claimed_signer(bytes: &[u8]) -> Result<Fingerprint, RotationError> {
        Ok(Envelope::parse(bytes, FileKind::KeyRotation)?.signer())
    }

    /// Verifies a statement with the old key and parses it.
    pub fn verify(bytes: &[u8], old_key: &PublicKey) -> Result<Self, RotationError> {
        let envelope = Envelope::parse(bytes, FileKind::KeyRotation)?;
        if !envelope.verify_with(old_key) {
            return Err(RotationError::BadSignature);
        }
        let wire: RotationWire = serde_json::from_slice(envelope.payload()).map_err(|e| RotationError::Invalid(e.to_string()))?;
        if wire.old_key != old_key.fingerprint().to_string() {
            return Err(RotationError::Invalid("`old_key` is not the signing key".into()));
        }
        let card_bytes = b64_decode(&wire.new_card).ok_or_else(|| RotationError::Invalid("`new_card` is not canonical base64".into()))?;
        let new_card = PartnerCard::parse(&card_bytes)?;
        if new_card.fingerprint() == old_key.fingerprint() {
            return Err(RotationError::SameKey);
        }
        let issued_at = parse_utc(&wire.issued_at).ok_or_else(|| RotationError::Invalid("`issued_at` is not a UTC time".into()))?;
        Ok(RotationStatement { old_key: old_key.fingerprint(), new_card, issued_at })
    }

    /// The key being replaced.
    pub fn old_key(&self) -> Fingerprint {
        self.old_key
    }

    /// The successor's card.
    pub fn new_card(&self) -> &PartnerCard {
        &self.new_card
    }

    /// When the statement was made.
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::card::CardDetails;
    use rand_core::OsRng;

    /// Settled in format §4.1 (issue 16): exactly `old_key`, `new_card`, `issued_at`; `old_key`
    /// must be the signer; the new card valid and another key.
    #[test]
    fn the_payload_is_exactly_as_specified() {
        let now = parse_utc("2026-11-23T09:00:00Z").unwrap();
        let old = KeyPair::from_seed(&[1; 32]);
        let new = KeyPair::from_seed(&[2; 32]);
        let card = PartnerCard::create(&new, CardDetails { name: "Globex".into(), ..Default::default() }, now).unwrap();
        let signed = |payload: String| Envelope::sign(FileKind::KeyRotation, &old, payload.into_bytes()).to_bytes();
        let members = |old_key: &str, card_b64: &str, extra: &str| {
            format!(r#"{{"old_key":"{old_key}","new_card":"{card_b64}","issued_at":"2026-11-23T09:00:00Z"{extra}}}"#)
        };
        let (fp, card_b64) = (old.fingerprint().to_string(), b64_encode(&card.to_bytes()));
        assert!(RotationStatement::verify(&signed(members(&fp, &card_b64, "")), &old.public_key()).is_ok());
        let other_fp = KeyPair::from_seed(&[3; 32]).fingerprint().to_string();
        let own_card = PartnerCard::create(&old, CardDetails { name: "Globex".into(), ..Default::default() }, now).unwrap();
        for (what, payload) in [
            ("an unknown member", members(&fp, &card_b64, r#","note":"x""#)),
            ("a repeated member", members(&fp, &card_b64, &format!(r#","old_key":"{fp}""#))),
            ("old_key not the signer", members(&other_fp, &card_b64, "")),
            ("new_card not canonical base64", members(&fp, &format!("{card_b64}\n"), "")),
            ("the same key as old and new", members(&fp, &b64_encode(&own_card.to_bytes()), "")),
        ] {
            assert!(RotationStatement::verify(&signed(payload), &old.public_key()).is_err(), "{what} was accepted");
        }
    }

    #[test]
    fn round_trip_and_forgery() {
        let now = OffsetDateTime::now_utc();
        let old = KeyPair::generate(&mut OsRng);
        let new = KeyPair::generate(&mut OsRng);
        let card = PartnerCard::create(&new, CardDetails { name: "Globex".into(), ..Default::default() }, now).unwrap();
        let bytes = RotationStatement::create(&old, &card, now).unwrap();
        assert_eq!(RotationStatement::claimed_signer(&bytes).unwrap(), old.fingerprint());
        let statement = RotationStatement::verify(&bytes, &old.public_key()).unwrap();
        assert_eq!(statement.new_card().fingerprint(), new.fingerprint());
        let mallory = KeyPair::generate(&mut OsRng);
        assert_eq!(RotationStatement::verify(&bytes, &mallory.public_key()).unwrap_err(), RotationError::BadSignature);
        let forged = RotationStatement::create(&mallory, &card, now).unwrap();
        assert_eq!(RotationStatement::verify(&forged, &old.public_key()).unwrap_err(), RotationError::BadSignature);
    }
}
