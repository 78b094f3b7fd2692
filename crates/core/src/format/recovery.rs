//! Statements signed by a partner's offline recovery key (format §4.2, issue 20): a rotation that
//! replaces the signing key (`countersign/recovery-rotation/v1`) and a revocation of the signing
//! key (`countersign/key-revocation/v1`). A stolen signing key can sign a `key-rotation/v1`, so
//! once a partner's pinned card names a recovery key, only these replace or revoke its key. This
//! module checks the files against a given recovery key; which recovery key is pinned for a
//! partner is the service's to say.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::encoding::{b64_decode, b64_encode, format_utc, parse_utc, whole_seconds_utc};
use crate::format::card::{CardError, PartnerCard};
use crate::format::envelope::{Envelope, EnvelopeError, FileKind};
use crate::format::fingerprint::Fingerprint;
use crate::format::instruction::is_short_text;
use crate::format::keys::{KeyPair, PublicKey};

/// Longest reason of a revocation, in characters.
pub const MAX_REASON_CHARS: usize = 500;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotationWire {
    recovery_key: String,
    old_key: String,
    new_card: String,
    issued_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevocationWire {
    recovery_key: String,
    revoked_key: String,
    reason: String,
    issued_at: String,
}

/// Why a recovery statement was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecoveryError {
    /// Not a statement of the expected kind, or a malformed envelope.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The signature does not verify with the recovery key.
    #[error("the statement's signature is invalid: it is not signed by the partner's recovery key")]
    BadSignature,
    /// The payload is not as format §4.2 says; the text says why.
    #[error("the statement is not valid: {0}")]
    Invalid(String),
    /// The new card embedded in a rotation is invalid.
    #[error("the new key's card: {0}")]
    Card(#[from] CardError),
}

fn invalid(what: impl Into<String>) -> RecoveryError {
    RecoveryError::Invalid(what.into())
}

/// Parses `bytes` as a statement of `kind` and verifies it with `recovery_key`; returns the
/// payload bytes, verified.
fn verified_payload(bytes: &[u8], kind: FileKind, recovery_key: &PublicKey) -> Result<Vec<u8>, RecoveryError> {
    let envelope = Envelope::parse(bytes, kind)?;
    if !envelope.verify_with(recovery_key) {
        return Err(RecoveryError::BadSignature);
    }
    Ok(envelope.payload().to_vec())
}

/// A fingerprint member in canonical form.
fn fingerprint(member: &str, text: &str) -> Result<Fingerprint, RecoveryError> {
    Fingerprint::parse_canonical(text).ok_or_else(|| invalid(format!("`{member}` is not a fingerprint in canonical form")))
}

/// The `recovery_key` member, which must name the signer.
fn check_recovery_member(text: &str, recovery_key: &PublicKey) -> Result<(), RecoveryError> {
    match fingerprint("recovery_key", text)? == recovery_key.fingerprint() {
        true => Ok(()),
        false => Err(invalid("`recovery_key` is not the signing key")),
    }
}

fn issued_at(text: &str) -> Result<OffsetDateTime, RecoveryError> {
    parse_utc(text).ok_or_else(|| invalid("`issued_at` is not a UTC time"))
}

/// The fingerprint a statement file claims as its signer, to find the recovery key it needs.
pub fn claimed_signer(bytes: &[u8], kind: FileKind) -> Result<Fingerprint, RecoveryError> {
    Ok(Envelope::parse(bytes, kind)?.signer())
}

/// A rotation whose signature has been checked against a recovery key.
#[derive(Debug, Clone)]
pub struct RecoveryRotation {
    recovery_key: Fingerprint,
    old_key: Fingerprint,
    new_card: PartnerCard,
    issued_at: OffsetDateTime,
}

impl RecoveryRotation {
    /// Makes a statement: `recovery` names the key of `new_card` as the successor of `old_key`.
    pub fn create(recovery: &KeyPair, old_key: Fingerprint, new_card: &PartnerCard, now: OffsetDateTime) -> Result<Vec<u8>, RecoveryError> {
        Self::check_card(new_card, old_key, recovery.fingerprint())?;
        let wire = RotationWire {
            recovery_key: recovery.fingerprint().to_string(),
            old_key: old_key.to_string(),
            new_card: b64_encode(&new_card.to_bytes()),
            issued_at: format_utc(whole_seconds_utc(now)),
        };
        let payload = serde_json::to_vec(&wire).expect("serialises");
        Ok(Envelope::sign(FileKind::RecoveryRotation, recovery, payload).to_bytes())
    }

    /// The new card must name a recovery key, and its signing key must be neither the old key nor
    /// the recovery key that signs the rotation.
    fn check_card(card: &PartnerCard, old_key: Fingerprint, recovery: Fingerprint) -> Result<(), RecoveryError> {
        if card.recovery_key().is_none() {
            return Err(invalid("the new card names no recovery key: a recovery rotation needs a version-3 card"));
        }
        if card.fingerprint() == old_key {
            return Err(invalid("the new card's key is the key being replaced"));
        }
        if card.fingerprint() == recovery {
            return Err(invalid("the new card's signing key is the recovery key"));
        }
        Ok(())
    }

    /// Verifies a statement with `recovery_key` and parses it.
    pub fn verify(bytes: &[u8], recovery_key: &PublicKey) -> Result<Self, RecoveryError> {
        let payload = verified_payload(bytes, FileKind::RecoveryRotation, recovery_key)?;
        let wire: RotationWire = serde_json::from_slice(&payload).map_err(|e| invalid(e.to_string()))?;
        check_recovery_member(&wire.recovery_key, recovery_key)?;
        let old_key = fingerprint("old_key", &wire.old_key)?;
        let card_bytes = b64_decode(&wire.new_card).ok_or_else(|| invalid("`new_card` is not canonical base64"))?;
        let new_card = PartnerCard::parse(&card_bytes)?;
        Self::check_card(&new_card, old_key, recovery_key.fingerprint())?;
        let issued_at = issued_at(&wire.issued_at)?;
        Ok(RecoveryRotation { recovery_key: recovery_key.fingerprint(), old_key, new_card, issued_at })
    }

    /// The recovery key that signed it.
    pub fn recovery_key(&self) -> Fingerprint {
        self.recovery_key
    }

    /// The signing key being replaced.
    pub fn old_key(&self) -> Fingerprint {
        self.old_key
    }

    /// The successor's card (version 3: it names the recovery key from now on).
    pub fn new_card(&self) -> &PartnerCard {
        &self.new_card
    }

    /// When the statement was made.
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }
}

/// A revocation whose signature has been checked against a recovery key.
#[derive(Debug, Clone)]
pub struct KeyRevocation {
    recovery_key: Fingerprint,
    revoked_key: Fingerprint,
    reason: String,
    issued_at: OffsetDateTime,
}

/// The reason: 1 to [`MAX_REASON_CHARS`] printable characters without surrounding spaces.
fn check_reason(reason: &str) -> Result<(), RecoveryError> {
    if !is_short_text(reason, MAX_REASON_CHARS) {
        return Err(invalid(format!("`reason` must be 1 to {MAX_REASON_CHARS} printable characters without surrounding spaces")));
    }
    Ok(())
}

impl KeyRevocation {
    /// Makes a statement: `recovery` revokes the signing key `revoked_key` for `reason`.
    pub fn create(recovery: &KeyPair, revoked_key: Fingerprint, reason: &str, now: OffsetDateTime) -> Result<Vec<u8>, RecoveryError> {
        check_reason(reason)?;
        if revoked_key == recovery.fingerprint() {
            return Err(invalid("a recovery key does not revoke itself: name the signing key"));
        }
        let wire = RevocationWire {
            recovery_key: recovery.fingerprint().to_string(),
            revoked_key: revoked_key.to_string(),
            reason: reason.to_string(),
            issued_at: format_utc(whole_seconds_utc(now)),
        };
        let payload = serde_json::to_vec(&wire).expect("serialises");
        Ok(Envelope::sign(FileKind::KeyRevocation, recovery, payload).to_bytes())
    }

    /// Verifies a statement with `recovery_key` and parses it.
    pub fn verify(bytes: &[u8], recovery_key: &PublicKey) -> Result<Self, RecoveryError> {
        let payload = verified_payload(bytes, FileKind::KeyRevocation, recovery_key)?;
        let wire: RevocationWire = serde_json::from_slice(&payload).map_err(|e| invalid(e.to_string()))?;
        check_recovery_member(&wire.recovery_key, recovery_key)?;
        let revoked_key = fingerprint("revoked_key", &wire.revoked_key)?;
        if revoked_key == recovery_key.fingerprint() {
            return Err(invalid("`revoked_key` is the recovery key"));
        }
        check_reason(&wire.reason)?;
        let issued_at = issued_at(&wire.issued_at)?;
        Ok(KeyRevocation { recovery_key: recovery_key.fingerprint(), revoked_key, reason: wire.reason, issued_at })
    }

    /// The recovery key that signed it.
    pub fn recovery_key(&self) -> Fingerprint {
        self.recovery_key
    }

    /// The signing key revoked.
    pub fn revoked_key(&self) -> Fingerprint {
        self.revoked_key
    }

    /// The partner's reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// When the statement was made.
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::card::{CardDetails, CardKeys};

    fn at() -> OffsetDateTime {
        parse_utc("2026-11-23T09:00:00Z").unwrap()
    }

    fn card(key: &KeyPair, recovery: Option<&KeyPair>) -> PartnerCard {
        let keys = CardKeys { callback_key: None, recovery_key: recovery.map(KeyPair::public_key) };
        PartnerCard::create_with_keys(key, CardDetails { name: "Globex".into(), ..Default::default() }, keys, at()).unwrap()
    }

    #[test]
    fn a_rotation_verifies_with_the_recovery_key_only() {
        let (old, new, recovery) = (KeyPair::from_seed(&[1; 32]), KeyPair::from_seed(&[2; 32]), KeyPair::from_seed(&[3; 32]));
        let bytes = RecoveryRotation::create(&recovery, old.fingerprint(), &card(&new, Some(&recovery)), at()).unwrap();
        assert_eq!(claimed_signer(&bytes, FileKind::RecoveryRotation).unwrap(), recovery.fingerprint());
        let rotation = RecoveryRotation::verify(&bytes, &recovery.public_key()).unwrap();
        assert_eq!((rotation.old_key(), rotation.new_card().fingerprint()), (old.fingerprint(), new.fingerprint()));
        assert_eq!((rotation.recovery_key(), rotation.issued_at()), (recovery.fingerprint(), at()));
        assert_eq!(RecoveryRotation::verify(&bytes, &old.public_key()).unwrap_err(), RecoveryError::BadSignature);
        // A rotation by the old key is another file type altogether.
        assert!(matches!(RecoveryRotation::verify(&bytes, &recovery.public_key()).map(|_| ()), Ok(())));
        assert!(matches!(Envelope::parse(&bytes, FileKind::KeyRotation), Err(EnvelopeError::Malformed(_))));
    }

    /// Format §4.2: exactly four members; `recovery_key` is the signer; the new card names a
    /// recovery key and another signing key than the old one and the recovery key.
    #[test]
    fn the_rotation_payload_is_exactly_as_specified() {
        let (old, new, recovery) = (KeyPair::from_seed(&[1; 32]), KeyPair::from_seed(&[2; 32]), KeyPair::from_seed(&[3; 32]));
        let signed = |payload: String| Envelope::sign(FileKind::RecoveryRotation, &recovery, payload.into_bytes()).to_bytes();
        let members = |rk: &str, old_key: &str, card: &PartnerCard, extra: &str| {
            format!(
                r#"{{"recovery_key":"{rk}","old_key":"{old_key}","new_card":"{}","issued_at":"2026-11-23T09:00:00Z"{extra}}}"#,
                b64_encode(&card.to_bytes())
            )
        };
        let (rk, old_fp) = (recovery.fingerprint().to_string(), old.fingerprint().to_string());
        let good = card(&new, Some(&recovery));
        assert!(RecoveryRotation::verify(&signed(members(&rk, &old_fp, &good, "")), &recovery.public_key()).is_ok());
        let new_recovery = card(&new, Some(&KeyPair::from_seed(&[4; 32])));
        assert!(RecoveryRotation::verify(&signed(members(&rk, &old_fp, &new_recovery, "")), &recovery.public_key()).is_ok());
        for (what, payload) in [
            ("an unknown member", members(&rk, &old_fp, &good, r#","note":"x""#)),
            ("a repeated member", members(&rk, &old_fp, &good, &format!(r#","old_key":"{old_fp}""#))),
            ("recovery_key not the signer", members(&old_fp, &old_fp, &good, "")),
            ("a new card without a recovery key", members(&rk, &old_fp, &card(&new, None), "")),
            ("the old key again", members(&rk, &old_fp, &card(&old, Some(&recovery)), "")),
            ("the recovery key as signing key", members(&rk, &old_fp, &card(&recovery, Some(&new)), "")),
            ("old_key not canonical", members(&rk, &old_fp.replace(' ', ""), &good, "")),
        ] {
            assert!(RecoveryRotation::verify(&signed(payload), &recovery.public_key()).is_err(), "{what} was accepted");
        }
        let as_revocation = Envelope::sign(FileKind::KeyRevocation, &recovery, members(&rk, &old_fp, &good, "").into_bytes()).to_bytes();
        assert!(RecoveryRotation::verify(&as_revocation, &recovery.public_key()).is_err(), "another identifier");
    }

    #[test]
    fn a_revocation_is_exactly_as_specified() {
        let (old, recovery) = (KeyPair::from_seed(&[1; 32]), KeyPair::from_seed(&[3; 32]));
        let bytes = KeyRevocation::create(&recovery, old.fingerprint(), "signing key stolen", at()).unwrap();
        let revocation = KeyRevocation::verify(&bytes, &recovery.public_key()).unwrap();
        assert_eq!((revocation.revoked_key(), revocation.reason()), (old.fingerprint(), "signing key stolen"));
        assert_eq!((revocation.recovery_key(), revocation.issued_at()), (recovery.fingerprint(), at()));
        assert_eq!(KeyRevocation::verify(&bytes, &old.public_key()).unwrap_err(), RecoveryError::BadSignature);
        assert!(KeyRevocation::create(&recovery, recovery.fingerprint(), "x", at()).is_err());
        assert!(KeyRevocation::create(&recovery, old.fingerprint(), " padded", at()).is_err());
        assert!(KeyRevocation::create(&recovery, old.fingerprint(), &"r".repeat(MAX_REASON_CHARS + 1), at()).is_err());
        let (rk, fp) = (recovery.fingerprint().to_string(), old.fingerprint().to_string());
        let signed = |payload: String| Envelope::sign(FileKind::KeyRevocation, &recovery, payload.into_bytes()).to_bytes();
        let members = |revoked: &str, reason: &str, extra: &str| {
            format!(r#"{{"recovery_key":"{rk}","revoked_key":"{revoked}","reason":"{reason}","issued_at":"2026-11-23T09:00:00Z"{extra}}}"#)
        };
        assert!(KeyRevocation::verify(&signed(members(&fp, "stolen", "")), &recovery.public_key()).is_ok());
        for (what, payload) in [
            ("an unknown member", members(&fp, "stolen", r#","note":"x""#)),
            ("the recovery key revoked", members(&rk, "stolen", "")),
            ("an empty reason", members(&fp, "", "")),
            ("a missing member", format!(r#"{{"recovery_key":"{rk}","revoked_key":"{fp}","reason":"stolen"}}"#)),
        ] {
            assert!(KeyRevocation::verify(&signed(payload), &recovery.public_key()).is_err(), "{what} was accepted");
        }
    }
}
