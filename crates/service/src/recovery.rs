//! Partners' offline recovery keys (issue 20, format §4.2): which recovery key is pinned for a
//! partner (as the signed statements say: the one its last pinned card named), the check of a
//! rotation the recovery key signed, and the revocation of a signing key by its recovery key, which
//! applies at once. The recovery key never signs instructions: it is never pinned as a signing key,
//! and no signing key may be another partner's recovery key.
//!
//! [`pinned_recovery_key`] (inside a transaction, from the implied state) and
//! [`Workspace::partner_recovery_key`] are the one place that says which recovery key a partner
//! has; anything else a recovery key may sign (freeze notices) looks it up there.

use serde_json::json;

use super::{now, Permission, ServiceError, ServiceResult, Session, Workspace};
use crate::ErrorText;
use countersign_core::audit::state::ImpliedState;
use countersign_core::encoding::{b64_encode, format_utc};
use countersign_core::format::card::PartnerCard;
use countersign_core::format::envelope::FileKind;
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::keys::PublicKey;
use countersign_core::format::recovery::{claimed_signer, KeyRevocation, RecoveryRotation};
use countersign_core::paging::Page;
use countersign_core::registry::KeyStatus;
use countersign_store::prelude::*;
use countersign_store::Tx;

/// A partner's pinned recovery key: the key and its fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedRecoveryKey {
    /// The Ed25519 public key.
    pub public_key: PublicKey,
    /// Its fingerprint (format §1).
    pub fingerprint: Fingerprint,
}

/// The recovery key pinned for partner `partner_id`, as the signed statements give it (the one the
/// card of its last pinned key named); `None` when it has none (a card of version 1 or 2).
pub fn pinned_recovery_key(state: &ImpliedState, partner_id: i64) -> Option<PinnedRecoveryKey> {
    let public_key = state.partners.get(&partner_id)?.recovery_key?;
    Some(PinnedRecoveryKey { public_key, fingerprint: public_key.fingerprint() })
}

/// Refuses a card whose signing key is some partner's recovery key, or whose recovery key is a
/// signing key pinned somewhere: a recovery key is never an instruction signer.
pub(super) fn refuse_recovery_as_signer(tx: &dyn Tx, state: &ImpliedState, card: &PartnerCard) -> ServiceResult<()> {
    let fingerprint = card.fingerprint();
    if state.partners.values().any(|p| p.recovery_key.is_some_and(|k| k.fingerprint() == fingerprint)) {
        let text = format!("the key {fingerprint} is a partner's recovery key: a recovery key never signs instructions");
        return Err(ServiceError::InvalidInput(ErrorText::detailed("recovery_key_as_signer", text).with("fingerprint", fingerprint)));
    }
    if let Some(recovery) = card.recovery_key() {
        if tx.key_by_fingerprint(&recovery.fingerprint().to_string())?.is_some() {
            let text =
                format!("the card's recovery key {} is pinned as a signing key: a recovery key must be kept apart", recovery.fingerprint());
            return Err(ServiceError::InvalidInput(
                ErrorText::detailed("recovery_key_pinned_as_signer", text).with("fingerprint", recovery.fingerprint()),
            ));
        }
    }
    Ok(())
}

/// Whether `statement` is a rotation signed by a recovery key (`countersign/recovery-rotation/v1`)
/// rather than by the old key: its signer, when it is.
pub(super) fn recovery_rotation_signer(statement: &[u8]) -> Option<Fingerprint> {
    claimed_signer(statement, FileKind::RecoveryRotation).ok()
}

/// A recovery-signed rotation checked against the partner's pinned recovery key and keys: the old
/// key must be its active key, or a revoked one when it has no active key left (the signing key
/// revoked first, then replaced).
pub(super) fn check_recovery_rotation(
    tx: &dyn Tx,
    partner_id: i64,
    statement: &[u8],
    recovery: Option<PublicKey>,
) -> ServiceResult<RecoveryRotation> {
    let signer = recovery_rotation_signer(statement)
        .ok_or_else(|| ServiceError::InvalidInput(ErrorText::detailed("statement_invalid", "not a recovery-signed rotation")))?;
    let recovery = recovery.ok_or_else(|| {
        let text = format!("the statement is signed by the recovery key {signer}, but partner {partner_id} has no recovery key pinned");
        ServiceError::CheckFailed(
            ErrorText::detailed("recovery_signed_none_pinned", text).with("fingerprint", signer).with("partner", partner_id),
        )
    })?;
    if recovery.fingerprint() != signer {
        let text = format!("the statement is signed by {signer}, not by partner {partner_id}'s recovery key {}", recovery.fingerprint());
        return Err(not_the_recovery_key(text, signer, partner_id, recovery.fingerprint()));
    }
    let rotation = RecoveryRotation::verify(statement, &recovery).map_err(unverified)?;
    let old = rotation.old_key().to_string();
    let keys = tx.partner_keys(partner_id, &Page::default())?;
    let any_active = keys.iter().any(|k| k.status == KeyStatus::Active);
    let replaceable = |status: KeyStatus| status == KeyStatus::Active || (status == KeyStatus::Revoked && !any_active);
    if !keys.iter().any(|k| k.fingerprint == old && replaceable(k.status)) {
        let text =
            format!("the statement replaces {old}, which is not partner {partner_id}'s current key (nor a revoked one with none current)");
        return Err(ServiceError::CheckFailed(
            ErrorText::detailed("replaces_no_current_key", text).with("fingerprint", &old).with("partner", partner_id),
        ));
    }
    Ok(rotation)
}

/// A statement signed by another key than the partner's pinned recovery key.
fn not_the_recovery_key(text: String, signer: Fingerprint, partner_id: i64, recovery: Fingerprint) -> ServiceError {
    let text = ErrorText::detailed("signed_not_by_recovery_key", text).with("fingerprint", signer).with("partner", partner_id);
    ServiceError::CheckFailed(text.with("recovery", recovery))
}

/// A statement whose signature does not verify with the key it names.
pub(super) fn unverified(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::CheckFailed(ErrorText::detailed("statement_unverified", e.to_string()))
}

/// The refusal of a rotation signed by the old key of a partner that has a recovery key.
pub(super) fn recovery_key_required(partner: &str, recovery: &PinnedRecoveryKey) -> ServiceError {
    let text = format!(
        "{partner}'s pinned card names a recovery key ({}): only a rotation signed by that key (`countersign rotate --with-recovery`) can replace its signing key; a rotation signed by the old key is what a thief of that key would send. Nothing was changed",
        recovery.fingerprint
    );
    ServiceError::RecoveryKeyRequired(
        ErrorText::detailed("recovery_key_required", text).with("partner", partner).with("fingerprint", recovery.fingerprint),
    )
}

impl Workspace {
    /// The recovery key pinned for partner `partner_id` (any signed-in user): the public key and its
    /// fingerprint, or `None` when its card names none. A statement it signs (a rotation, a
    /// revocation, a freeze notice) is checked against this key and no other.
    pub fn partner_recovery_key(&mut self, session: &Session, partner_id: i64) -> ServiceResult<Option<PinnedRecoveryKey>> {
        self.require_signed_in(session)?;
        self.verified(session.user(), &format!("partner:{partner_id}"), |tx, state| {
            super::partners::existing_partner(tx, partner_id)?;
            Ok(pinned_recovery_key(state, partner_id))
        })
    }

    /// Revokes a partner's signing key on a revocation its recovery key signed (admin only;
    /// `partner revoke-key ID --statement FILE`). It applies at once, like any revocation (the safe
    /// direction: it only takes trust away, and waiting for a second person would leave a stolen key
    /// usable); the statement itself is kept in the log, where `audit verify` checks it against the
    /// pinned recovery key. Returns the revoked key's fingerprint.
    pub fn revoke_partner_key_with_recovery(&mut self, session: &Session, partner_id: i64, statement: &[u8]) -> ServiceResult<String> {
        let subject = format!("partner:{partner_id}");
        self.authorize(session, Permission::RevokePartnerKeys, &subject)?;
        let signer = claimed_signer(statement, FileKind::KeyRevocation)
            .map_err(|e| ServiceError::InvalidInput(ErrorText::detailed("revocation_invalid", e.to_string())))?;
        let recovery = self.partner_recovery_key(session, partner_id)?;
        let checked = match recovery {
            None => {
                let text = format!("partner {partner_id} has no recovery key pinned: its card names none, so only `partner revoke-key --reason` revokes its key");
                Err(ServiceError::CheckFailed(ErrorText::detailed("revoke_no_recovery_key", text).with("partner", partner_id)))
            }
            Some(r) if r.fingerprint != signer => {
                let text = format!("the revocation is signed by {signer}, not by partner {partner_id}'s recovery key {}", r.fingerprint);
                Err(not_the_recovery_key(text, signer, partner_id, r.fingerprint))
            }
            Some(r) => KeyRevocation::verify(statement, &r.public_key).map_err(unverified),
        };
        let revocation = match checked {
            Ok(revocation) => revocation,
            Err(e) => {
                return self.refuse(session.user(), "partner.recovery_revoke_refused", &subject, json!({ "signer": signer.to_string() }), e)
            }
        };
        let (at, by) = (format_utc(now()), session.user().to_string());
        let revoked = revocation.revoked_key().to_string();
        // An emergency, as `revoke_partner_key`: a payment run under way yields to it.
        let _urgent = self.store.announce_urgent_write()?;
        self.store.write(|tx| -> ServiceResult<String> {
            let key = tx.key_by_fingerprint(&revoked)?.filter(|k| k.partner_id == partner_id).ok_or_else(|| {
                let text = format!("{revoked} is not a key of partner {partner_id}");
                ServiceError::NotFound(
                    ErrorText::detailed("key_of_partner", text).with("fingerprint", &revoked).with("partner", partner_id),
                )
            })?;
            if key.status == KeyStatus::Revoked {
                let text = format!("the key {revoked} is revoked already");
                return Err(ServiceError::InvalidInput(ErrorText::detailed("revoked_already", text).with("fingerprint", &revoked)));
            }

            let why = format!("revoked by the partner's recovery key {signer}: {} (imported by {by})", revocation.reason());
            tx.set_key_status(key.id, KeyStatus::Revoked, &at, &why)?;
            let details = json!({
                "fingerprint": revoked,
                "reason": revocation.reason(),
                "recovery_key": signer.to_string(),
                "statement": b64_encode(statement),
            });
            super::statements::append_statement(tx, session, &at, "partner.recovery_revoke_key", &subject, details)?;
            Ok(revoked.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::Outcome;
    use crate::{KeyRotation, NewNumber, NewPartner, Role};
    use countersign_core::format::card::{CardDetails, CardKeys};
    use countersign_core::format::keys::KeyPair;
    use countersign_core::format::rotation::RotationStatement;
    use time::OffsetDateTime;

    /// A card of `key` naming `recovery`.
    fn card(key: &KeyPair, recovery: &KeyPair) -> PartnerCard {
        let keys = CardKeys { callback_key: None, recovery_key: Some(recovery.public_key()) };
        let details = CardDetails { name: "Globex Corporation".into(), ..Default::default() };
        PartnerCard::create_with_keys(key, details, keys, OffsetDateTime::now_utc()).unwrap()
    }

    /// Issue 20, on the backend the suite runs on, with four eyes: a rotation by the stolen signing
    /// key is refused (`recovery_key_required`) before anyone is asked; one the recovery key signed
    /// waits for the second person, then pins the new key and the new card's recovery key; the old
    /// recovery key no longer counts; `audit verify` finds every row backed by the statements.
    #[test]
    fn only_the_pinned_recovery_key_replaces_or_revokes_the_signing_key() {
        let (_dir, mut ws, alice) = crate::test_support::admin_workspace();
        let (old, recovery, new, new_recovery) =
            (KeyPair::from_seed(&[11; 32]), KeyPair::from_seed(&[12; 32]), KeyPair::from_seed(&[13; 32]), KeyPair::from_seed(&[14; 32]));
        let card_file = card(&old, &recovery).to_bytes();
        let phones = [NewNumber::plain("+49 30 1234567")];
        let fingerprint = old.fingerprint().to_string();
        let partner = NewPartner {
            card: &card_file,
            confirm_fingerprint: &fingerprint,
            phones: &phones,
            card_numbers: false,
            domains: &[],
            country: None,
            known_account: None,
        };
        let id = ws.add_partner(&alice, &partner).unwrap().applied().unwrap()["partner_id"].as_i64().unwrap();
        assert!(ws.add_user(&alice, "dave", Role::Admin, "dave password 1").unwrap().applied().is_some(), "setup mode");
        let dave = ws.login(&crate::Credentials { user: "dave", password: "dave password 1", totp: None }).unwrap();
        let pinned = ws.partner_recovery_key(&alice, id).unwrap().expect("the card's recovery key is pinned");
        assert_eq!(pinned, PinnedRecoveryKey { public_key: recovery.public_key(), fingerprint: recovery.fingerprint() });
        let new_card = card(&new, &new_recovery);
        let new_fp = new.fingerprint().to_string();
        let stolen = RotationStatement::create(&old, &new_card, OffsetDateTime::now_utc()).unwrap();
        let with = |statement| KeyRotation { statement, confirm_fingerprint: new_fp.as_str(), dialed: "+49 30 1234567" };
        let refused = ws.rotate_partner_key(&alice, id, &with(&stolen)).unwrap_err();
        assert_eq!((refused.code(), refused.detail()), ("recovery_key_required", Some("recovery_key_required")), "{refused}");
        let by_recovery = RecoveryRotation::create(&recovery, old.fingerprint(), &new_card, OffsetDateTime::now_utc()).unwrap();
        let Outcome::Pending(change) = ws.rotate_partner_key(&alice, id, &with(&by_recovery)).unwrap() else { panic!("four eyes") };
        assert_eq!(ws.partner_recovery_key(&alice, id).unwrap(), Some(pinned), "nothing changes before the approval");
        ws.approve_change(&dave, change.id).unwrap();
        let detail = ws.partner(&alice, id).unwrap();
        assert_eq!(detail.summary.active_keys, std::slice::from_ref(&new_fp));
        assert_eq!(detail.recovery_key.map(|r| r.fingerprint), Some(new_recovery.fingerprint()), "the new card's recovery key");
        // The replaced recovery key no longer counts; the one pinned now revokes at once.
        let at = OffsetDateTime::now_utc();
        let by_old = KeyRevocation::create(&recovery, new.fingerprint(), "stolen", at).unwrap();
        assert_eq!(ws.revoke_partner_key_with_recovery(&alice, id, &by_old).unwrap_err().code(), "check_failed");
        let revocation = KeyRevocation::create(&new_recovery, new.fingerprint(), "stolen", at).unwrap();
        assert_eq!(ws.revoke_partner_key_with_recovery(&alice, id, &revocation).unwrap(), new_fp);
        assert!(ws.partner(&alice, id).unwrap().summary.active_keys.is_empty());
        let report = ws.verify_audit(&alice, None).unwrap();
        assert!(report.statements.is_empty() && report.state.is_empty(), "{:?} {:?}", report.statements, report.state);
    }
}
