//! Each user's keyring: their own signing key, which countersigns the log's checkpoint when they
//! approve, and their copy of the organisation's audit key, which signs every checkpoint. Both
//! are sealed together under the user's password ([`countersign_core::auth::sealed`]), so the database alone
//! reveals neither, and no passphrase has to be typed when a checkpoint is due. Login opens the
//! keyring; an admin who adds a user or resets a password seals a new one with the audit key
//! from their own session.

use rand_core::OsRng;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::statements::Signer;
use super::{ServiceError, ServiceResult, Workspace};
use countersign_core::encoding::{b64_decode_array, b64_encode};
use countersign_core::format::keys::KeyPair;
use countersign_store::prelude::*;
use countersign_store::{StoreError, Tx, UserRow};

/// The purpose of the audit key in the organisation's key table.
pub(super) const AUDIT_KEY: &str = "audit";

/// A user's unsealed keys, held by their session.
pub struct UserKeys {
    /// The user's own key.
    pub personal: KeyPair,
    /// The organisation's audit key, if this user holds a copy.
    pub audit: Option<KeyPair>,
}

impl std::fmt::Debug for UserKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserKeys")
            .field("personal", &self.personal.fingerprint().to_string())
            .field("audit", &self.audit.as_ref().map(|k| k.fingerprint().to_string()))
            .finish()
    }
}

/// The sealed form (JSON inside the sealed secret).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringWire {
    personal: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audit: Option<String>,
}

fn context(user: &str) -> String {
    format!("user:{user}/keyring")
}

impl UserKeys {
    /// A new keyring: a fresh personal key and a copy of `audit`, if given.
    pub fn new(audit: Option<&KeyPair>) -> Self {
        UserKeys { personal: KeyPair::generate(&mut OsRng), audit: audit.map(|k| KeyPair::from_seed(&k.secret_seed())) }
    }

    /// Sealed under `password` for `user`.
    pub fn seal(&self, user: &str, password: &str) -> String {
        let wire = KeyringWire {
            personal: b64_encode(self.personal.secret_seed().as_ref()),
            audit: self.audit.as_ref().map(|k| b64_encode(k.secret_seed().as_ref())),
        };
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(&wire).expect("serialises"));
        countersign_core::auth::sealed::seal(&mut OsRng, password, &plain, &context(user))
    }

    /// Opens `user`'s sealed keyring with their password.
    pub fn open(sealed: &str, user: &str, password: &str) -> ServiceResult<Self> {
        let corrupt = |what: &str| ServiceError::Store(StoreError::Corrupt(format!("{user}'s keyring: {what}")));
        let plain = countersign_core::auth::sealed::open(password, sealed, &context(user)).map_err(|e| corrupt(&e.to_string()))?;
        let wire: KeyringWire = serde_json::from_slice(&plain).map_err(|_| corrupt("not a keyring"))?;
        let seed =
            |text: &str| b64_decode_array::<32>(text).map(|s| KeyPair::from_seed(&s)).ok_or_else(|| corrupt("a key is not 32 bytes"));
        Ok(UserKeys { personal: seed(&wire.personal)?, audit: wire.audit.as_deref().map(seed).transpose()? })
    }
}

/// Records a new audit key in the organisation's key table (the secret lives only in keyrings,
/// and, for workspaces made by `init`, sealed under the organisation passphrase).
pub(super) fn record_audit_key(tx: &dyn Tx, key: &KeyPair, escrow: &str, at: &str, by: &Signer<'_>) -> ServiceResult<()> {
    let fingerprint = key.fingerprint().to_string();
    tx.insert_org_key(AUDIT_KEY, &fingerprint, &key.public_key().to_bytes(), escrow, None, at)?;
    by.append(tx, at, "audit.key_create", "audit", json!({ "fingerprint": fingerprint, "public_key": key.public_key().to_base64() }))?;
    Ok(())
}

/// Stores `user`'s sealed keyring and logs its public key in a `user.key_create` statement signed
/// by `by` (the admin who created or reset the user, or the organisation key at `init`): the
/// statement every later one of the user rests on, and what countersignatures are checked with.
pub(super) fn store_keyring(
    tx: &dyn Tx,
    user: &UserRow,
    keys: &UserKeys,
    sealed: &str,
    at: &str,
    by: &Signer<'_>,
    why: &str,
) -> ServiceResult<()> {
    let public = keys.personal.public_key();
    tx.set_keyring(user.id, sealed, &public.to_bytes())?;
    by.append(tx, at, "user.key_create", &format!("user:{}", user.name), key_create_details(keys, why))?;
    Ok(())
}

/// The details of the `user.key_create` statement that gives a user `keys`.
pub(super) fn key_create_details(keys: &UserKeys, why: &str) -> serde_json::Value {
    let public = keys.personal.public_key();
    json!({ "fingerprint": public.fingerprint().to_string(), "public_key": public.to_base64(), "holds_audit_key": keys.audit.is_some(), "why": why })
}

impl Workspace {
    /// Opens `user`'s keyring at login. In a workspace that predates signed statements, a user
    /// without one (their account predates keyrings) gets one now, with a new audit key if the
    /// organisation has none yet; in any other, a personal key is only ever given by an admin.
    pub(super) fn unlock_keyring(&mut self, user: &UserRow, password: &str, at: &str) -> ServiceResult<Arc<UserKeys>> {
        if let Some(sealed) = &user.keyring {
            return Ok(Arc::new(UserKeys::open(sealed, &user.name, password)?));
        }
        if !self.implied_state()?.is_legacy() {
            return Err(ServiceError::AuthenticationFailed(format!(
                "{} has no personal key, which only an admin can give: ask an admin to reset the password (countersign user reset-password --name {})",
                user.name, user.name
            )));
        }
        let keys = self.store.write(|tx| -> ServiceResult<UserKeys> {
            let audit = match tx.active_org_key(AUDIT_KEY)? {
                Some(_) => None,
                None => {
                    let key = KeyPair::generate(&mut OsRng);
                    record_audit_key(tx, &key, "", at, &Signer::Legacy(&user.name))?;
                    Some(key)
                }
            };
            let keys = UserKeys { personal: KeyPair::generate(&mut OsRng), audit };
            let sealed = keys.seal(&user.name, password);
            store_keyring(tx, user, &keys, &sealed, at, &Signer::Legacy(&user.name), "first login with a keyring")?;
            Ok(keys)
        })?;
        Ok(Arc::new(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip() {
        let audit = KeyPair::from_seed(&[3; 32]);
        let keys = UserKeys::new(Some(&audit));
        let sealed = keys.seal("alice", "a long password here");
        let opened = UserKeys::open(&sealed, "alice", "a long password here").unwrap();
        assert_eq!(opened.personal.public_key(), keys.personal.public_key());
        assert_eq!(opened.audit.unwrap().public_key(), audit.public_key());
        assert!(UserKeys::open(&sealed, "alice", "another password").is_err());
        assert!(UserKeys::open(&sealed, "bob", "a long password here").is_err(), "bound to the user name");
        assert!(!sealed.contains(&b64_encode(audit.secret_seed().as_ref())));
        let without = UserKeys::new(None);
        assert!(UserKeys::open(&without.seal("bob", "pw pw pw pw pw"), "bob", "pw pw pw pw pw").unwrap().audit.is_none());
    }
}
