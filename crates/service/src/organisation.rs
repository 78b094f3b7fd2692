//! Our organisation's own side: its bank account (the debtor in exports, the details `issue`
//! signs) and outgoing signed instructions to partners, made with the organisation key, so
//! partners that run Countersign can verify us the same way we verify them.

use crate::ErrorText;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::changes::{Applier, ChangeRequest, Outcome};
use super::{invalid, invalid_value, now, Permission, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::bank::{AccountDetails, Bic, Currency, Iban};
use countersign_core::changes::{ChangeKind, ProposedEffect};
use countersign_core::encoding::{b64_encode, format_utc};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::instruction::{Instruction, DEFAULT_VALIDITY};
use countersign_core::format::signing::sign_instruction;
use countersign_store::prelude::*;
use countersign_store::{StoreError, Tx};

pub(super) const ORG_ACCOUNT: &str = "org_account";

/// Our organisation's bank account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgAccount {
    /// The account holder's name (the organisation's legal name unless told otherwise).
    pub name: String,
    /// IBAN, electronic format.
    pub iban: String,
    /// BIC.
    pub bic: String,
    /// The currency of the account.
    pub currency: String,
}

/// A signed outgoing instruction.
#[derive(Debug, Clone)]
pub struct IssuedInstruction {
    /// The file.
    pub bytes: Vec<u8>,
    /// Its id.
    pub id: String,
    /// Its confirmation code.
    pub confirmation_code: String,
    /// The partner's name.
    pub partner_name: String,
}

/// Applies our own account from a change's request (an `org_account` change).
pub(super) fn apply_org_account(tx: &dyn Tx, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let _: OrgAccount = serde_json::from_value(request.clone()).map_err(|e| StoreError::Corrupt(format!("the change's account: {e}")))?;
    tx.set_setting(ORG_ACCOUNT, &request.to_string())?;
    applier.write(tx, 0, "organisation")?;
    Ok(request.clone())
}

impl Workspace {
    /// Sets our organisation's account (admin only): where partners pay us and the debtor of our
    /// bank files, so a change needs a second person once the workspace has two who can check.
    pub fn set_org_account(
        &mut self,
        session: &Session,
        name: Option<&str>,
        iban: &str,
        bic: &str,
        currency: &str,
    ) -> ServiceResult<Outcome> {
        self.authorize(session, Permission::SetOrgAccount, "organisation")?;
        let iban = Iban::parse(iban).map_err(invalid_value("iban_invalid", "iban", iban))?;
        let bic = Bic::parse(&bic.trim().to_ascii_uppercase()).map_err(invalid_value("bic_invalid", "bic", bic))?;
        let currency =
            Currency::parse(&currency.trim().to_ascii_uppercase()).map_err(invalid_value("currency_invalid", "currency", currency))?;
        let name = match name {
            Some(n) if !n.trim().is_empty() && n.trim().chars().count() <= 140 => n.trim().to_string(),
            Some(_) => {
                let text = "the account name must have 1 to 140 characters";
                return Err(ServiceError::InvalidInput(ErrorText::detailed("account_name_length", text)));
            }
            None => self.org_name()?,
        };
        let account = OrgAccount { name, iban: iban.electronic().into(), bic: bic.as_str().into(), currency: currency.code().into() };
        let value = serde_json::to_value(&account).expect("serialises");
        let before = self.org_account()?.map(|a| serde_json::to_value(a).expect("serialises")).unwrap_or(Value::Null);
        self.submit(
            session,
            ChangeRequest {
                kind: ChangeKind::OrgAccount,
                summary: format!("Set our own account to {} ({})", account.iban, account.bic),
                request: value.clone(),
                effects: vec![ProposedEffect { action: "org.account".into(), subject: "organisation".into(), details: value.clone() }],
                flags: vec![],
                before,
                after: value,
            },
        )
    }

    /// Sets our organisation's email domains (admin only): look-alikes of them in an email that
    /// carried an instruction are flagged.
    pub fn set_org_domains(&mut self, session: &Session, domains: &[String]) -> ServiceResult<Vec<String>> {
        self.authorize(session, Permission::SetOrgDomains, "organisation")?;
        let mut parsed = domains
            .iter()
            .map(|d| {
                countersign_core::assess::domain_name::DomainName::parse(d).map(|d| d.to_string()).map_err(invalid_value(
                    "domain_invalid",
                    "domain",
                    d,
                ))
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        parsed.sort();
        parsed.dedup();
        let at = format_utc(now());
        let value = serde_json::to_value(&parsed).expect("serialises");
        self.store.write(|tx| -> ServiceResult<()> {
            tx.set_setting(super::email_evidence::ORG_DOMAINS, &value.to_string())?;
            super::statements::append_statement(tx, session, &at, "org.domains", "organisation", json!({ "domains": value }))?;
            Ok(())
        })?;
        Ok(parsed)
    }

    /// Our organisation's account, if set.
    pub fn org_account(&mut self) -> ServiceResult<Option<OrgAccount>> {
        let text = self.store.read(|tx| tx.setting(ORG_ACCOUNT))?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("org account: {e}")).into())).transpose()
    }

    /// Whether `issue` could sign for this partner, short of the passphrase: the role (a
    /// refusal is logged), our account, and exactly one active key of the partner. Front ends
    /// ask before they open a save dialog, so nothing is asked that would be refused anyway.
    pub fn check_issue(&mut self, session: &Session, partner_id: i64) -> ServiceResult<()> {
        self.issue_preconditions(session, partner_id).map(|_| ())
    }

    /// The role check, our account, the partner's name and its one active key.
    fn issue_preconditions(&mut self, session: &Session, partner_id: i64) -> ServiceResult<(OrgAccount, String, Fingerprint)> {
        let subject = format!("partner:{partner_id}");
        self.authorize(session, Permission::IssueInstructions, &subject)?;
        let account = self.org_account()?.ok_or_else(|| {
            ServiceError::InvalidInput(ErrorText::detailed(
                "org_account_needed",
                "set our organisation's account first (countersign org account)",
            ))
        })?;
        let (partner_name, recipient) = self.store.read(|tx| -> ServiceResult<(String, Fingerprint)> {
            let partner = super::partners::existing_partner(tx, partner_id)?;
            let active = tx.active_keys(partner_id)?;
            let [key] = active.as_slice() else {
                let text = format!("{} has {} active keys; an instruction is addressed to exactly one", partner.name, active.len());
                return Err(ServiceError::InvalidInput(
                    ErrorText::detailed("active_keys_not_one", text).with("partner", &partner.name).with("keys", active.len()),
                ));
            };
            let fp = Fingerprint::parse_canonical(&key.fingerprint).ok_or_else(|| StoreError::Corrupt("fingerprint".into()))?;
            Ok((partner.name, fp))
        })?;
        Ok((account, partner_name, recipient))
    }

    /// Signs our own bank details for a partner with the organisation key (admin only). The
    /// signed file is kept in the `instruction.issue` event, so the workspace can answer the
    /// partner's callbacks about it ([`Workspace::answer_callback`]).
    pub fn issue(&mut self, session: &Session, partner_id: i64, org_passphrase: &str) -> ServiceResult<IssuedInstruction> {
        let subject = format!("partner:{partner_id}");
        let (account, partner_name, recipient) = self.issue_preconditions(session, partner_id)?;
        let key = self.unlock_org_key(org_passphrase)?;
        let issued_at = now();
        let instruction = Instruction {
            id: uuid::Uuid::new_v4().to_string(),
            issuer: key.fingerprint(),
            recipient,
            callback_key: None,
            issued_at,
            valid_from: issued_at,
            valid_until: issued_at + DEFAULT_VALIDITY,
            beneficiary_name: account.name.clone(),
            account: AccountDetails::Iban { iban: account.iban.clone(), bic: account.bic.clone() },
            currency: Currency::parse(&account.currency).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            amount: None,
            reference: None,
            due_date: None,
        };
        let signed = sign_instruction(&key, &instruction, issued_at).map_err(invalid("instruction_not_signed"))?;

        let code = signed.confirmation_code.to_string();
        let bytes = signed.bytes;
        let at = format_utc(issued_at);
        self.store.write(|tx| -> ServiceResult<()> {
            tx.append_event(
                &at,
                session.user(),
                "instruction.issue",
                &subject,
                &json!({
                    "id": instruction.id,
                    "recipient": recipient.to_string(),
                    "confirmation_code": code,
                    "account": account.iban,
                    // The signed file itself, under the log's hash chain: the copy the workspace
                    // answers the partner's callbacks from (`answering.rs`).
                    "file": b64_encode(&bytes),
                }),
            )?;
            Ok(())
        })?;
        Ok(IssuedInstruction { bytes, id: instruction.id, confirmation_code: code, partner_name })
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{onboard_globex, sqlite_admin_workspace};
    use crate::{Credentials, Role};

    #[test]
    fn issuing_is_checked_short_of_the_passphrase_before_anything_is_asked() {
        let (_dir, mut ws, alice) = sqlite_admin_workspace();
        let id = onboard_globex(&mut ws, &alice);
        assert_eq!(ws.check_issue(&alice, id).unwrap_err().code(), "invalid_input", "our account is not set yet");
        ws.set_org_account(&alice, None, "DE02 1203 0000 0000 2020 51", "BYLADEM1001", "EUR").unwrap();
        ws.check_issue(&alice, id).unwrap();
        assert_eq!(ws.check_issue(&alice, id + 1).unwrap_err().code(), "not_found");

        ws.add_user(&alice, "carol", Role::Clerk, "carol password 1").unwrap();
        let carol = ws.login(&Credentials { user: "carol", password: "carol password 1", totp: None }).unwrap();
        assert_eq!(ws.check_issue(&carol, id).unwrap_err().code(), "not_permitted");

        // What the check passes, issue signs; with no active key, neither goes ahead.
        assert_eq!(ws.issue(&alice, id, "organisation passphrase").unwrap().partner_name, "Globex Corporation");
        ws.revoke_partner_key(&alice, id, None, "lost").unwrap();
        assert_eq!(ws.check_issue(&alice, id).unwrap_err().code(), "invalid_input");
        assert_eq!(ws.issue(&alice, id, "organisation passphrase").unwrap_err().code(), "invalid_input");
    }
}
