//! The checks a new partner gets before it is proposed (issue 15): look-alike and duplicate names
//! and domains (the rules in `countersign_core::assess::lookalike`), and a contract account that
//! belongs to another partner or is marked. They become flags on the pending change, which the
//! checker sees; an account confirmed fraudulent is refused outright.

use countersign_core::assess::domain_name::DomainName;
use countersign_core::assess::lookalike::{partner_lookalikes, PartnerOnFile};
use countersign_core::audit::state::ImpliedState;
use countersign_core::bank::BankAccount;
use countersign_core::changes::ChangeFlag;
use countersign_store::Tx;

use super::marks::check_mark;
use super::{ErrorText, ServiceError, ServiceResult};

/// The flags for onboarding `name` with `domains` and the contract `account`; an account
/// confirmed fraudulent is refused (`check_failed`).
pub(super) fn onboarding_flags(
    tx: &dyn Tx,
    state: &ImpliedState,
    name: &str,
    domains: &[DomainName],
    account: Option<&BankAccount>,
) -> ServiceResult<Vec<ChangeFlag>> {
    // The partners as the signed statements have them (names and domains), not as rows say.
    let on_file: Vec<PartnerOnFile> = state
        .partners
        .iter()
        .map(|(id, p)| PartnerOnFile { id: *id, name: p.name.clone(), domains: p.domains.iter().cloned().collect() })
        .collect();
    let domains: Vec<String> = domains.iter().map(|d| d.as_str().to_string()).collect();
    let mut flags = partner_lookalikes(name, &domains, &on_file);
    let Some(account) = account else { return Ok(flags) };
    let (key, shown) = (account.key(), account.display_number());
    // The mark as the statements have it: a mark removed or forged by hand is refused here too.
    let mark = tx.fraud_mark(&key)?;
    check_mark(state, &key, mark.as_ref())?;
    if let Some(mark) = mark {
        if mark.confirmed.is_some() {
            let text = format!("the account {shown} is confirmed fraudulent ({}): it cannot be a partner's contract account", mark.reason);
            return Err(ServiceError::CheckFailed(ErrorText::detailed("contract_account_fraudulent", text).with("account", shown)));
        }
        flags.push(ChangeFlag {
            code: "account_suspected".into(),
            message: format!("The account {shown} is suspected after a denied callback: {}.", mark.reason.trim_end_matches('.')),
        });
    }
    let others = tx.other_partners_with_account(0, &key)?;
    if !others.is_empty() {
        flags.push(ChangeFlag {
            code: "account_used_by_other_partner".into(),
            message: format!("The account {shown} belongs to {} already.", others.join(", ")),
        });
    }
    Ok(flags)
}
