//! Four eyes on the registry and the controls (issue 15): the changes that could send money
//! somewhere new or weaken a control are *pending changes*. One person (the maker) proposes one;
//! it takes effect only when a second person with the approver or admin role (the checker, never
//! the maker) approves it. Changes in the safe direction (revoking a key, disabling a user,
//! tightening the policy, suspecting an account) take effect at once.
//!
//! A proposal is a signed statement (`change.propose`) naming the statements that applying it
//! will write (its *effects*) and the SHA-256 of the request the service keeps to apply it; the
//! approval (`change.approve`) is signed by the checker and followed, in the same transaction, by
//! exactly those effects, each carrying `"change": ID` and signed by the checker. The replay
//! ([`crate::audit::state`]) counts an effect of a four-eyes change only in that position, so a
//! row written by one person alone, or an effect that differs from what the maker proposed, never
//! counts.
//!
//! Until the workspace has two people who can check (enabled approvers and admins with a personal
//! key), it is in *setup mode*: changes apply at once and every view says so. Once it has two, it
//! stays in four-eyes mode: disabling a checker so that fewer than two remain is refused.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::Role;

/// The roles that may check (approve or reject) another person's change.
pub const CHECKER_ROLES: &[Role] = &[Role::Approver, Role::Admin];

/// How many people who can check a workspace needs to leave setup mode.
pub const CHECKERS_FOR_FOUR_EYES: usize = 2;

/// The member of an effect's details naming the change it applies.
pub const CHANGE_MEMBER: &str = "change";

/// The subject of an effect whose row does not exist until the change is applied (a new
/// partner's id is given then): `partner:new`.
pub const NEW_ROW: &str = "new";

/// What a change does, as `change list` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Onboarding a partner: pinning its key, its numbers, domains and contract account.
    PartnerAdd,
    /// Accepting a partner's key rotation.
    PartnerRotateKey,
    /// Putting one more number on file for a partner (issue 20).
    PartnerAddPhone,
    /// Adding a user with the approver or admin role.
    UserAdd,
    /// Resetting another user's password (and so their key and second factor).
    UserResetPassword,
    /// Enabling again a disabled approver or admin.
    UserEnable,
    /// Loosening the policy.
    PolicySet,
    /// Changing our own account.
    OrgAccount,
    /// Clearing a suspected or fraudulent account's mark.
    AccountClear,
    /// Lifting a partner's freeze after a callback to a number on file (issue 20).
    PartnerUnfreeze,
}

impl ChangeKind {
    /// Every kind.
    pub const ALL: [ChangeKind; 10] = [
        ChangeKind::PartnerAdd,
        ChangeKind::PartnerRotateKey,
        ChangeKind::PartnerAddPhone,
        ChangeKind::UserAdd,
        ChangeKind::UserResetPassword,
        ChangeKind::UserEnable,
        ChangeKind::PolicySet,
        ChangeKind::OrgAccount,
        ChangeKind::AccountClear,
        ChangeKind::PartnerUnfreeze,
    ];

    /// The stable name, as in the log and the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::PartnerAdd => "partner_add",
            ChangeKind::PartnerRotateKey => "partner_rotate_key",
            ChangeKind::PartnerAddPhone => "partner_add_phone",
            ChangeKind::UserAdd => "user_add",
            ChangeKind::UserResetPassword => "user_reset_password",
            ChangeKind::UserEnable => "user_enable",
            ChangeKind::PolicySet => "policy_set",
            ChangeKind::OrgAccount => "org_account",
            ChangeKind::AccountClear => "account_clear",
            ChangeKind::PartnerUnfreeze => "partner_unfreeze",
        }
    }

    /// Parses a stable name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Who may propose it: the role the change's own operation needs.
    pub fn proposer_roles(self) -> &'static [Role] {
        match self {
            ChangeKind::AccountClear => CHECKER_ROLES,
            _ => &[Role::Admin],
        }
    }

    /// The actions of the statements applying it may write, in order (a user's addition or
    /// reset also gives them a personal key).
    pub fn effect_actions(self) -> &'static [&'static str] {
        match self {
            ChangeKind::PartnerAdd => &["partner.add"],
            ChangeKind::PartnerRotateKey => &["partner.rotate_key"],
            ChangeKind::PartnerAddPhone => &["partner.add_phone"],
            ChangeKind::UserAdd => &["user.add", "user.key_create"],
            ChangeKind::UserResetPassword => &["user.reset_password", "user.key_create"],
            ChangeKind::UserEnable => &["user.enable"],
            ChangeKind::PolicySet => &["policy.set"],
            ChangeKind::OrgAccount => &["org.account"],
            ChangeKind::AccountClear => &["account.clear"],
            ChangeKind::PartnerUnfreeze => &["partner.unfreeze"],
        }
    }
}

/// Where a change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Waiting for a second person.
    Pending,
    /// Approved by a second person and applied.
    Approved,
    /// Rejected (or withdrawn by its maker); nothing was applied.
    Rejected,
}

impl ChangeStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Pending => "pending",
            ChangeStatus::Approved => "approved",
            ChangeStatus::Rejected => "rejected",
        }
    }

    /// Parses a stable name.
    pub fn parse(text: &str) -> Option<Self> {
        [ChangeStatus::Pending, ChangeStatus::Approved, ChangeStatus::Rejected].into_iter().find(|s| s.as_str() == text)
    }
}

/// One statement a change will write when it is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposedEffect {
    /// The statement's action.
    pub action: String,
    /// Its subject; `partner:new` for a row the application creates.
    pub subject: String,
    /// Its details, without `change` and the signature.
    pub details: Value,
}

impl ProposedEffect {
    /// Whether a written statement is this effect: the same action and details, and the same
    /// subject (or, for a row created on application, a subject of the same table).
    pub fn matches(&self, action: &str, subject: &str, details: &Value) -> bool {
        let subject_matches = match self.subject.strip_suffix(NEW_ROW) {
            Some(table) if table.ends_with(':') => subject.starts_with(table),
            _ => self.subject == subject,
        };
        self.action == action && subject_matches && &self.details == details
    }
}

/// A reason a checker should look twice at a change, found when it was proposed (look-alike
/// names, accounts used elsewhere: issue 15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeFlag {
    /// A stable code.
    pub code: String,
    /// What it means here.
    pub message: String,
}

/// The signed proposal's details (`change.propose`), without its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// What the change does.
    pub kind: ChangeKind,
    /// One line saying it to a person.
    pub summary: String,
    /// The statements applying it writes.
    pub effects: Vec<ProposedEffect>,
    /// SHA-256 (hex) of the request the service keeps to apply it.
    pub request_sha256: String,
    /// What the checker should look at twice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<ChangeFlag>,
    /// What it changes from (shown to the checker), when there was something before.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub before: Value,
    /// What it changes to.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub after: Value,
}

impl Proposal {
    /// Whether the change is about `user` (adds, resets or enables them): they cannot check it,
    /// as no one approves a change to themselves.
    pub fn is_about(&self, user: &str) -> bool {
        let subject = format!("user:{user}");
        self.effects.iter().any(|e| e.subject == subject)
    }

    /// Reads a proposal's details (the signature member is ignored).
    pub fn from_details(details: &Value) -> Result<Self, String> {
        let mut d = details.clone();
        if let Some(map) = d.as_object_mut() {
            map.remove(crate::audit::statement::SIGNATURE_MEMBER);
        }
        let proposal: Proposal = serde_json::from_value(d).map_err(|e| format!("not a proposal: {e}"))?;
        let allowed = proposal.kind.effect_actions();
        if proposal.effects.is_empty() || proposal.effects.iter().any(|e| !allowed.contains(&e.action.as_str())) {
            return Err(format!("a {} change writes only {}", proposal.kind.as_str(), allowed.join(", ")));
        }
        Ok(proposal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_and_statuses_have_stable_names_that_parse_back() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.as_str()));
        }
        for status in [ChangeStatus::Pending, ChangeStatus::Approved, ChangeStatus::Rejected] {
            assert_eq!(ChangeStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), json!(status.as_str()));
        }
        assert_eq!(ChangeKind::parse("partner.add"), None);
    }

    #[test]
    fn an_effect_matches_only_the_statement_proposed() {
        let effect = ProposedEffect { action: "partner.add".into(), subject: "partner:new".into(), details: json!({ "name": "Globex" }) };
        assert!(effect.matches("partner.add", "partner:7", &json!({ "name": "Globex" })));
        assert!(!effect.matches("partner.add", "user:7", &json!({ "name": "Globex" })), "another table");
        assert!(!effect.matches("partner.add", "partner:7", &json!({ "name": "Gl0bex" })), "other details");
        assert!(!effect.matches("partner.rotate_key", "partner:7", &json!({ "name": "Globex" })));
        let named = ProposedEffect { action: "user.add".into(), subject: "user:bob".into(), details: json!({ "role": "approver" }) };
        assert!(named.matches("user.add", "user:bob", &json!({ "role": "approver" })));
        assert!(!named.matches("user.add", "user:eve", &json!({ "role": "approver" })));
    }

    #[test]
    fn a_subject_ending_in_new_is_a_new_row_only_after_its_table() {
        // "user:renew" names a user called renew, not a row the change creates in "user:re…".
        let named = ProposedEffect { action: "user.enable".into(), subject: "user:renew".into(), details: json!({}) };
        assert!(named.matches("user.enable", "user:renew", &json!({})));
        assert!(!named.matches("user.enable", "user:rex", &json!({})));
    }

    #[test]
    fn only_clearing_an_account_may_be_proposed_by_an_approver() {
        for kind in ChangeKind::ALL {
            let expected: &[Role] = if kind == ChangeKind::AccountClear { &[Role::Approver, Role::Admin] } else { &[Role::Admin] };
            assert_eq!(kind.proposer_roles(), expected, "{kind:?}");
        }
    }

    #[test]
    fn each_kind_writes_its_own_statements() {
        let actions: Vec<(&str, &[&str])> = ChangeKind::ALL.iter().map(|k| (k.as_str(), k.effect_actions())).collect();
        assert_eq!(
            actions,
            [
                ("partner_add", &["partner.add"][..]),
                ("partner_rotate_key", &["partner.rotate_key"]),
                ("partner_add_phone", &["partner.add_phone"]),
                ("user_add", &["user.add", "user.key_create"]),
                ("user_reset_password", &["user.reset_password", "user.key_create"]),
                ("user_enable", &["user.enable"]),
                ("policy_set", &["policy.set"]),
                ("org_account", &["org.account"]),
                ("account_clear", &["account.clear"]),
                ("partner_unfreeze", &["partner.unfreeze"]),
            ]
        );
        assert_eq!(ChangeStatus::parse("withdrawn"), None);
    }

    #[test]
    fn a_change_is_about_the_user_its_effects_name() {
        let details = json!({ "kind": "user_add", "summary": "s", "request_sha256": "00", "signature": "ignored",
            "effects": [{ "action": "user.add", "subject": "user:bob", "details": { "role": "approver" } }] });
        let proposal = Proposal::from_details(&details).expect("the signature member is ignored");
        assert!(proposal.is_about("bob"));
        assert!(!proposal.is_about("bo") && !proposal.is_about("alice"));
    }

    #[test]
    fn a_proposal_writes_at_least_one_statement() {
        let empty = json!({ "kind": "policy_set", "summary": "s", "request_sha256": "00", "effects": [] });
        assert_eq!(Proposal::from_details(&empty).unwrap_err(), "a policy_set change writes only policy.set");
    }

    #[test]
    fn a_proposal_may_only_write_the_statements_of_its_kind() {
        let details = |action: &str| {
            json!({ "kind": "policy_set", "summary": "s", "request_sha256": "00",
                    "effects": [{ "action": action, "subject": "policy", "details": {} }] })
        };
        assert!(Proposal::from_details(&details("policy.set")).is_ok());
        assert!(Proposal::from_details(&details("partner.add")).unwrap_err().contains("policy_set"));
        assert!(Proposal::from_details(&json!({ "kind": "policy_set" })).is_err());
    }
}
