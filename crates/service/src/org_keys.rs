//! The organisation key after `init`: a backup of its sealed key file, and its rotation to a new
//! key pair announced to partners by a key-rotation statement that the old key signs.
//!
//! The rule for instructions still addressed to a previous key: they are refused as
//! `wrong_recipient`, as any file addressed to a key that is not our active one. An instruction
//! names its recipient so that a file meant for one organisation (or one key) cannot be replayed
//! to another; keeping a retired key acceptable would keep that door open for as long as the
//! grace period lasts, and the rotation statement already tells every partner which key to
//! address. The finding's message says that the key was ours and when it was retired, so the
//! clerk knows to ask the partner to accept our statement and sign again.

use crate::ErrorText;
use rand_core::OsRng;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{file_error, key_not_made, now, Permission, ServiceError, ServiceResult, Session, Workspace, ORG_FINGERPRINT};
use crate::files::{write_atomic, Sensitivity};
use countersign_core::encoding::format_utc;
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::keys::{KeyPair, SecretKeyFile};
use countersign_core::format::rotation::RotationStatement;
use countersign_store::prelude::*;
use countersign_store::StoreError;

/// Settings key: the organisation keys retired by rotation, oldest first (JSON list of
/// [`RetiredOrgKey`]).
const RETIRED_ORG_KEYS: &str = "org_retired_keys";

/// An organisation key that a rotation retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredOrgKey {
    /// Its fingerprint, canonical text.
    pub fingerprint: String,
    /// When the rotation retired it (UTC).
    pub retired_at: String,
}

/// What a rotation of the organisation key needs.
pub struct OrgKeyRotationRequest<'a> {
    /// The current passphrase, which must open the current key.
    pub passphrase: &'a str,
    /// The passphrase that seals the new key (it may be the current one).
    pub new_passphrase: &'a str,
    /// Where to write the rotation statement for partners (must not exist).
    pub statement_out: &'a Path,
    /// Where to write the new key's card, if wanted (must not exist).
    pub card_out: Option<&'a Path>,
}

/// The result of a rotation.
#[derive(Debug, Clone)]
pub struct OrgKeyRotation {
    /// The retired key.
    pub old_fingerprint: Fingerprint,
    /// The key now active.
    pub new_fingerprint: Fingerprint,
    /// When it happened.
    pub rotated_at: String,
}

fn refuse_existing(path: &Path) -> ServiceResult<()> {
    if path.exists() {
        let text = format!("{} already exists; choose another file", path.display());
        return Err(ServiceError::InvalidInput(ErrorText::detailed("file_exists_already", text).with("file", path.display())));
    }
    Ok(())
}

impl Workspace {
    /// The active organisation key's sealed file, parsed, and its card.
    pub(super) fn active_org_key_file(&mut self) -> ServiceResult<(SecretKeyFile, Option<Vec<u8>>)> {
        let (sealed, card) =
            self.store.read(|tx| tx.active_org_key("signing"))?.ok_or_else(|| StoreError::Corrupt("no organisation key".into()))?;
        let file = SecretKeyFile::from_bytes(sealed.as_bytes()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok((file, card))
    }

    /// Unlocks the active organisation key for `action`; a wrong passphrase is logged (as
    /// `ACTION_refused`: a refusal is never a statement).
    pub(super) fn unlock_org_key_for(&mut self, session: &Session, passphrase: &str, action: &str) -> ServiceResult<KeyPair> {
        match self.unlock_org_key(passphrase) {
            Err(e @ ServiceError::AuthenticationFailed(_)) => {
                self.refuse(session.user(), &format!("{action}_refused"), "organisation", json!({}), e)
            }
            other => other,
        }
    }

    /// Writes a backup of the organisation key to `out` (admin only): the sealed key file as the
    /// workspace keeps it (the `BASE.key` format, still encrypted under the passphrase), after
    /// checking that `passphrase` opens it, so the backup is known to be usable. The file is
    /// written (mode 0600, never over an existing file) in the transaction of its audit event.
    pub fn backup_org_key(&mut self, session: &Session, passphrase: &str, out: &Path) -> ServiceResult<Fingerprint> {
        self.check_allowed(session, Permission::BackUpOrgKey)?;
        refuse_existing(out)?;
        let key = self.unlock_org_key_for(session, passphrase, "org.key_backup")?;
        let fingerprint = key.fingerprint();
        drop(key);
        let (file, _) = self.active_org_key_file()?;
        if file.fingerprint != fingerprint.to_string() {
            return Err(ServiceError::CheckFailed(ErrorText::detailed(
                "changed_meanwhile",
                "the organisation key changed meanwhile; try again",
            )));
        }
        let bytes = file.to_bytes();
        let at = format_utc(now());
        self.store.write(|tx| -> ServiceResult<()> {
            tx.append_event(
                &at,
                session.user(),
                "org.key_backup",
                "organisation",
                &json!({ "fingerprint": fingerprint.to_string(), "out": out.display().to_string() }),
            )?;
            write_atomic(out, &bytes, Sensitivity::Secret, false).map_err(file_error)
        })?;
        Ok(fingerprint)
    }

    /// Rotates the organisation key (admin only): a new key pair sealed under the new
    /// passphrase, its card (with the details of the current card), and a key-rotation
    /// statement signed by the current key naming the new card, written to
    /// `request.statement_out` for every partner. The new key becomes the active one, the old
    /// one is retired, `org_fingerprint` names the new key, and the event is logged, all in one
    /// transaction (the files are written inside it, so a failed write changes nothing).
    pub fn rotate_org_key(&mut self, session: &Session, request: &OrgKeyRotationRequest<'_>) -> ServiceResult<OrgKeyRotation> {
        self.check_allowed(session, Permission::RotateOrgKey)?;
        refuse_existing(request.statement_out)?;
        if let Some(card_out) = request.card_out {
            refuse_existing(card_out)?;
            if card_out == request.statement_out {
                return Err(ServiceError::InvalidInput(ErrorText::detailed(
                    "two_files_needed",
                    "the statement and the card need two different files",
                )));
            }
        }
        countersign_core::format::keys::check_new_passphrase(request.new_passphrase)
            .map_err(super::weak_passphrase(("new_passphrase", "the new passphrase")))?;
        let old = self.unlock_org_key_for(session, request.passphrase, "org.rotate_key")?;
        let (_, old_card) = self.active_org_key_file()?;
        let org_name = self.org_name()?;
        let details = match old_card {
            Some(bytes) => PartnerCard::parse(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?.details().clone(),
            None => CardDetails { name: org_name.clone(), ..Default::default() },
        };
        let at = now();
        let at_text = format_utc(at);
        let new = KeyPair::generate(&mut OsRng);
        // The new card names our current callback key (a v2 card), so partners who accept the
        // rotation sign v2 instructions (format §3.7).
        let callback = self.callback_public_key(session.user())?;
        let new_card = PartnerCard::create_with_callback_key(&new, details, callback, at).map_err(key_not_made)?;
        let statement = RotationStatement::create(&old, &new_card, at).map_err(key_not_made)?;
        let sealed = new.seal(&mut OsRng, &org_name, request.new_passphrase).map_err(key_not_made)?;

        let sealed_json = String::from_utf8(sealed.to_bytes()).expect("JSON is UTF-8");
        let (old_fp, new_fp) = (old.fingerprint(), new.fingerprint());
        drop(old);
        let card_bytes = new_card.to_bytes();
        let mut retired = self.retired_org_keys()?;
        retired.push(RetiredOrgKey { fingerprint: old_fp.to_string(), retired_at: at_text.clone() });
        let retired_json = serde_json::to_string(&retired).expect("serialises");
        let result = self.store.write(|tx| -> ServiceResult<()> {
            if tx.setting(ORG_FINGERPRINT)?.as_deref() != Some(old_fp.to_string().as_str()) {
                return Err(ServiceError::CheckFailed(ErrorText::detailed(
                    "changed_meanwhile",
                    "the organisation key changed meanwhile; try again",
                )));
            }
            tx.insert_org_key("signing", &new_fp.to_string(), &new.public_key().to_bytes(), &sealed_json, Some(&card_bytes), &at_text)?;
            tx.set_setting(ORG_FINGERPRINT, &new_fp.to_string())?;
            tx.set_setting(RETIRED_ORG_KEYS, &retired_json)?;
            super::statements::append_statement(
                tx,
                session,
                &at_text,
                "org.rotate_key",
                "organisation",
                json!({
                    "old": old_fp.to_string(),
                    "new": new_fp.to_string(),
                    "statement": request.statement_out.display().to_string(),
                    "passphrase_changed": request.new_passphrase != request.passphrase,
                }),
            )?;
            write_atomic(request.statement_out, &statement, Sensitivity::Public, false).map_err(file_error)?;
            if let Some(card_out) = request.card_out {
                if let Err(e) = write_atomic(card_out, &card_bytes, Sensitivity::Public, false) {
                    let _ = std::fs::remove_file(request.statement_out);
                    return Err(file_error(e));
                }
            }
            Ok(())
        });
        result?;
        Ok(OrgKeyRotation { old_fingerprint: old_fp, new_fingerprint: new_fp, rotated_at: at_text })
    }

    /// The organisation keys retired by rotation, oldest first.
    pub fn retired_org_keys(&mut self) -> ServiceResult<Vec<RetiredOrgKey>> {
        let text = self.store.read(|tx| tx.setting(RETIRED_ORG_KEYS))?;
        match text {
            None => Ok(Vec::new()),
            Some(t) => serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("retired organisation keys: {e}")).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, Role};

    use crate::test_support::ORG_PASSPHRASE as PASSPHRASE;

    use crate::test_support::admin_workspace as workspace;

    /// The organisation's audit events as (action, details).
    fn events(ws: &mut Workspace) -> Vec<(String, serde_json::Value)> {
        let events = ws.store.read(|tx| tx.events_for_subject("organisation")).unwrap();
        events.into_iter().map(|e| (e.action, serde_json::from_str(&e.details).unwrap())).collect()
    }

    #[test]
    fn a_backup_is_the_sealed_key_and_opens_with_the_passphrase() {
        let (dir, mut ws, alice) = workspace();
        let out = dir.path().join("org.key");
        let fp = ws.backup_org_key(&alice, PASSPHRASE, &out).unwrap();
        assert_eq!(fp, ws.org_fingerprint().unwrap());
        let file = SecretKeyFile::from_bytes(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(file.unlock(PASSPHRASE).unwrap().fingerprint(), fp);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let (action, details) = events(&mut ws).pop().unwrap();
        assert_eq!(action, "org.key_backup");
        assert_eq!(details["fingerprint"], fp.to_string());
        assert_eq!(details["out"], out.display().to_string());
        // Never over an existing file.
        assert_eq!(ws.backup_org_key(&alice, PASSPHRASE, &out).unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn a_wrong_passphrase_writes_no_backup() {
        let (dir, mut ws, alice) = workspace();
        let out = dir.path().join("org.key");
        let err = ws.backup_org_key(&alice, "not the passphrase", &out).unwrap_err();
        assert_eq!(err.code(), "authentication_failed");
        assert!(!out.exists());
        let (action, details) = events(&mut ws).pop().unwrap();
        assert_eq!((action.as_str(), &details["refused"]), ("org.key_backup_refused", &serde_json::json!("authentication_failed")));
    }

    #[test]
    fn only_an_admin_may_back_up_or_rotate() {
        let (dir, mut ws, alice) = workspace();
        ws.add_user(&alice, "clara", Role::Clerk, "clara password 1").unwrap();
        let clara = ws.login(&Credentials { user: "clara", password: "clara password 1", totp: None }).unwrap();
        let out = dir.path().join("org.key");
        assert_eq!(ws.backup_org_key(&clara, PASSPHRASE, &out).unwrap_err().code(), "not_permitted");
        let request = OrgKeyRotationRequest { passphrase: PASSPHRASE, new_passphrase: PASSPHRASE, statement_out: &out, card_out: None };
        assert_eq!(ws.rotate_org_key(&clara, &request).unwrap_err().code(), "not_permitted");
        assert!(!out.exists());
    }

    #[test]
    fn rotation_makes_a_new_active_key_announced_by_the_old_one() {
        let (dir, mut ws, alice) = workspace();
        let old_card = PartnerCard::parse(&ws.org_card(&alice).unwrap()).unwrap();
        let statement_out = dir.path().join("rotation.json");
        let card_out = dir.path().join("new.card");
        let new_passphrase = "a new organisation passphrase";
        let rotation = ws
            .rotate_org_key(
                &alice,
                &OrgKeyRotationRequest { passphrase: PASSPHRASE, new_passphrase, statement_out: &statement_out, card_out: Some(&card_out) },
            )
            .unwrap();
        assert_eq!(rotation.old_fingerprint, old_card.fingerprint());
        assert_ne!(rotation.new_fingerprint, rotation.old_fingerprint);
        assert_eq!(ws.org_fingerprint().unwrap(), rotation.new_fingerprint);
        let statement = RotationStatement::verify(&std::fs::read(&statement_out).unwrap(), &old_card.public_key()).unwrap();
        assert_eq!(statement.new_card().fingerprint(), rotation.new_fingerprint);
        assert_eq!(statement.new_card().details(), old_card.details());
        assert_eq!(std::fs::read(&card_out).unwrap(), ws.org_card(&alice).unwrap());
        assert_eq!(ws.unlock_org_key(new_passphrase).unwrap().fingerprint(), rotation.new_fingerprint);
        assert_eq!(ws.unlock_org_key(PASSPHRASE).err().map(|e| e.code()), Some("authentication_failed"));
        let (action, details) = events(&mut ws).pop().unwrap();
        assert_eq!(action, "org.rotate_key");
        assert_eq!(details["old"], rotation.old_fingerprint.to_string());
        assert_eq!(details["new"], rotation.new_fingerprint.to_string());
        assert_eq!(details["passphrase_changed"], true);
        assert_eq!(
            ws.retired_org_keys().unwrap(),
            vec![RetiredOrgKey { fingerprint: rotation.old_fingerprint.to_string(), retired_at: rotation.rotated_at.clone() }]
        );
    }

    #[test]
    fn a_failed_rotation_changes_nothing() {
        let (dir, mut ws, alice) = workspace();
        let before = ws.org_fingerprint().unwrap();
        let statement_out = dir.path().join("rotation.json");
        let weak = OrgKeyRotationRequest { passphrase: PASSPHRASE, new_passphrase: "short", statement_out: &statement_out, card_out: None };
        assert_eq!(ws.rotate_org_key(&alice, &weak).unwrap_err().code(), "invalid_input");
        let wrong = OrgKeyRotationRequest {
            passphrase: "not the passphrase",
            new_passphrase: PASSPHRASE,
            statement_out: &statement_out,
            card_out: None,
        };
        assert_eq!(ws.rotate_org_key(&alice, &wrong).unwrap_err().code(), "authentication_failed");
        // A statement file that cannot be written rolls the rotation back.
        let unwritable = dir.path().join("no-such-directory").join("rotation.json");
        let request =
            OrgKeyRotationRequest { passphrase: PASSPHRASE, new_passphrase: PASSPHRASE, statement_out: &unwritable, card_out: None };
        assert!(ws.rotate_org_key(&alice, &request).is_err());
        assert_eq!(ws.org_fingerprint().unwrap(), before);
        assert_eq!(ws.unlock_org_key(PASSPHRASE).unwrap().fingerprint(), before);
        assert!(ws.retired_org_keys().unwrap().is_empty());
        assert!(!statement_out.exists());
        assert!(events(&mut ws).iter().all(|(action, _)| action != "org.rotate_key"));
    }
}
