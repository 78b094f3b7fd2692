//! Reading the email that carried an instruction: the context the pure rules of
//! [`countersign_core::assess::email`] need (the partner's registered domains, numbers on file and
//! contacts, ours, every other partner's), gathered from the workspace.

use super::statements::differs;
use super::{ServiceError, ServiceResult};
use crate::ErrorText;
use countersign_core::assess::domain_name::DomainName;
use countersign_core::assess::email::{assess_email, EmailContext, EmailEvidence, MAX_EMAIL_SIZE};
use countersign_core::audit::state::ImpliedState;
use countersign_core::paging::Page;
use countersign_store::Tx;

/// The setting holding our organisation's email domains (a JSON array of strings).
pub(super) const ORG_DOMAINS: &str = "org_domains";

fn domains(texts: Vec<String>) -> Vec<DomainName> {
    texts.iter().filter_map(|d| DomainName::parse(d).ok()).collect()
}

/// Reads `raw` as the email that carried an instruction from `partner_id` (or from an unknown
/// sender, when the signer is not a pinned partner).
///
/// The domains are the rows checked against the signed statements (issue 14): a domain added by
/// hand would silence `email_unregistered_domain`.
pub(super) fn read_email(tx: &dyn Tx, state: &ImpliedState, partner_id: Option<i64>, raw: &[u8]) -> ServiceResult<EmailEvidence> {
    let (partner, own, others, numbers) = match partner_id {
        Some(id) => {
            let partner = tx.partner(id)?;
            let own = tx.partner_domains(id)?;
            let signed = state.partners.get(&id).map(|p| &p.domains);
            if let Some(extra) = own.iter().find(|d| !signed.is_some_and(|s| s.contains(*d))) {
                return Ok(differs("partner_domains", format!("{id} {extra}"), "no signed statement registered this domain")?);
            }
            // The numbers it gives are compared with those on file, checked against the statements.
            let numbers: Vec<String> = tx.partner_phones(id, &Page::default())?.into_iter().map(|n| n.e164).collect();
            super::statements::check_phones(state, id, &numbers)?;
            (partner, domains(own), domains(tx.other_partners_domains(id)?), numbers)
        }
        None => (None, vec![], domains(tx.other_partners_domains(-1)?), vec![]),
    };
    let name = partner.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    let stored = tx.setting(ORG_DOMAINS)?.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    if stored.is_some() && stored != state.org_domains {
        return Ok(differs("settings", "org_domains", "our domains differ from the ones a signed statement set")?);
    }
    let ours: Vec<String> = stored.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let ours = domains(ours);
    let context = EmailContext {
        partner_name: &name,
        partner_domains: &own,
        partner_contacts: &[],
        our_domains: &ours,
        other_partner_domains: &others,
        partner_numbers: &numbers,
        partner_country: partner.as_ref().and_then(|p| p.country.as_deref()),
    };
    assess_email(raw, &context).map_err(email_unreadable)
}

/// An email that cannot be read as one.
pub(super) fn email_unreadable(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::InvalidInput(ErrorText::detailed("email_unreadable", format!("the email: {e}")))
}

/// Refuses an email larger than the email rules read ([`MAX_EMAIL_SIZE`]): the one place the
/// limit is checked, before anything is verified or recorded, for every shell alike.
pub(super) fn check_email_size(raw: Option<&[u8]>) -> ServiceResult<()> {
    match raw {
        Some(raw) if raw.len() > MAX_EMAIL_SIZE => {
            let limit = MAX_EMAIL_SIZE >> 20;
            let text = format!(
                "the email is larger than {limit} MiB: attach the single message (.eml) that carried the instruction, saved without attachments"
            );
            Err(ServiceError::TooLarge(ErrorText::detailed("email", text).with("limit", limit)))
        }
        _ => Ok(()),
    }
}
