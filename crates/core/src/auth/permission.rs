//! Who may do what: the one table of the permissions each role has, outside the case state
//! machine (whose rules are in `cases::flow`). The service asks it before every guarded operation
//! and logs a refusal under the permission's code; the shells ask it which controls to show, so a
//! control is offered exactly when the core would allow it.

use crate::auth::Role;
use crate::changes::CHECKER_ROLES;

const ADMIN: &[Role] = &[Role::Admin];
const AUDIT_READERS: &[Role] = &[Role::Auditor, Role::Admin];
const PAYMENT_HANDLERS: &[Role] = &[Role::Clerk, Role::Approver];
const RECEIVERS: &[Role] = &[Role::Clerk, Role::Approver, Role::Admin];
const EVERYONE: &[Role] = &[Role::Clerk, Role::Approver, Role::Admin, Role::Auditor];

/// An operation only some roles may do. Its code is the action a refusal is logged under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Permission {
    /// Check a file without receiving it.
    #[serde(rename = "instruction.verify")]
    VerifyInstructions,
    /// Receive instruction files (opens cases).
    #[serde(rename = "instruction.receive")]
    ReceiveInstructions,
    /// Write the bank file of a released payment.
    #[serde(rename = "case.export")]
    ExportPayments,
    /// Screen the ERP's payment file.
    #[serde(rename = "payment_file.screen")]
    ScreenPaymentFiles,
    /// Onboard a partner (pin its key).
    #[serde(rename = "partner.add")]
    OnboardPartners,
    /// Rotate a partner's key.
    #[serde(rename = "partner.rotate_key")]
    RotatePartnerKeys,
    /// Revoke a partner's key.
    #[serde(rename = "partner.revoke_key")]
    RevokePartnerKeys,
    /// Lift a partner's freeze after a callback (issue 20; proposes a change).
    #[serde(rename = "partner.unfreeze")]
    UnfreezePartners,
    /// Issue our own signed bank details to a partner.
    #[serde(rename = "instruction.issue")]
    IssueInstructions,
    /// Answer a partner's callback about an instruction we issued: the response to its
    /// challenge, computed with the organisation key.
    #[serde(rename = "instruction.respond")]
    AnswerCallbacks,
    /// Set our organisation's account.
    #[serde(rename = "org.account")]
    SetOrgAccount,
    /// Set our organisation's email domains.
    #[serde(rename = "org.domains")]
    SetOrgDomains,
    /// Back up the organisation key.
    #[serde(rename = "org.key_backup")]
    BackUpOrgKey,
    /// Rotate the organisation key.
    #[serde(rename = "org.rotate_key")]
    RotateOrgKey,
    /// Change the policy.
    #[serde(rename = "policy.set")]
    SetPolicy,
    /// Add a user.
    #[serde(rename = "user.add")]
    AddUsers,
    /// Reset a user's password.
    #[serde(rename = "user.reset_password")]
    ResetPasswords,
    /// Disable a user.
    #[serde(rename = "user.disable")]
    DisableUsers,
    /// List the users.
    #[serde(rename = "user.list")]
    ListUsers,
    /// Approve another person's pending change.
    #[serde(rename = "change.approve")]
    ApproveChanges,
    /// Reject another person's pending change.
    #[serde(rename = "change.reject")]
    RejectChanges,
    /// Confirm a suspected account as fraudulent.
    #[serde(rename = "account.confirm_fraud")]
    ConfirmFraudMarks,
    /// Clear a fraud mark (proposes a change).
    #[serde(rename = "account.clear")]
    ClearFraudMarks,
    /// Read the audit log and export it as CSV.
    #[serde(rename = "audit.log")]
    ReadAuditLog,
    /// Verify the audit log's chain and checkpoints.
    #[serde(rename = "audit.verify")]
    VerifyAuditLog,
    /// Save a signed checkpoint.
    #[serde(rename = "audit.checkpoint")]
    SaveCheckpoints,
    /// Export an evidence bundle.
    #[serde(rename = "audit.export")]
    ExportEvidence,
    /// Back up the workspace.
    #[serde(rename = "workspace.backup")]
    BackUpWorkspace,
    /// Move the workspace to a team server.
    #[serde(rename = "workspace.move")]
    MoveWorkspace,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 29] = [
        Permission::VerifyInstructions,
        Permission::ReceiveInstructions,
        Permission::ExportPayments,
        Permission::ScreenPaymentFiles,
        Permission::OnboardPartners,
        Permission::RotatePartnerKeys,
        Permission::RevokePartnerKeys,
        Permission::UnfreezePartners,
        Permission::IssueInstructions,
        Permission::AnswerCallbacks,
        Permission::SetOrgAccount,
        Permission::SetOrgDomains,
        Permission::BackUpOrgKey,
        Permission::RotateOrgKey,
        Permission::SetPolicy,
        Permission::AddUsers,
        Permission::ResetPasswords,
        Permission::DisableUsers,
        Permission::ListUsers,
        Permission::ApproveChanges,
        Permission::RejectChanges,
        Permission::ConfirmFraudMarks,
        Permission::ClearFraudMarks,
        Permission::ReadAuditLog,
        Permission::VerifyAuditLog,
        Permission::SaveCheckpoints,
        Permission::ExportEvidence,
        Permission::BackUpWorkspace,
        Permission::MoveWorkspace,
    ];

    /// The roles that have it, in the order a refusal names them.
    pub fn roles(self) -> &'static [Role] {
        use Permission::*;
        match self {
            VerifyInstructions => EVERYONE,
            ReceiveInstructions | ScreenPaymentFiles | AnswerCallbacks => RECEIVERS,
            ExportPayments => PAYMENT_HANDLERS,
            OnboardPartners | RotatePartnerKeys | RevokePartnerKeys | UnfreezePartners | IssueInstructions => ADMIN,
            SetOrgAccount | SetOrgDomains | BackUpOrgKey | RotateOrgKey | SetPolicy | MoveWorkspace => ADMIN,
            AddUsers | ResetPasswords | DisableUsers => ADMIN,
            ApproveChanges | RejectChanges | ConfirmFraudMarks | ClearFraudMarks => CHECKER_ROLES,
            ListUsers | BackUpWorkspace => &[Role::Admin, Role::Auditor],
            ReadAuditLog | VerifyAuditLog | SaveCheckpoints => AUDIT_READERS,
            ExportEvidence => &[Role::Auditor],
        }
    }

    /// Whether `role` has it.
    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// The code: the action a refusal is logged under (`permission.denied`'s `attempted`).
    pub fn code(self) -> &'static str {
        use Permission::*;
        match self {
            VerifyInstructions => "instruction.verify",
            ReceiveInstructions => "instruction.receive",
            ExportPayments => "case.export",
            ScreenPaymentFiles => "payment_file.screen",
            OnboardPartners => "partner.add",
            RotatePartnerKeys => "partner.rotate_key",
            RevokePartnerKeys => "partner.revoke_key",
            UnfreezePartners => "partner.unfreeze",
            IssueInstructions => "instruction.issue",
            AnswerCallbacks => "instruction.respond",
            SetOrgAccount => "org.account",
            SetOrgDomains => "org.domains",
            BackUpOrgKey => "org.key_backup",
            RotateOrgKey => "org.rotate_key",
            SetPolicy => "policy.set",
            AddUsers => "user.add",
            ResetPasswords => "user.reset_password",
            DisableUsers => "user.disable",
            ListUsers => "user.list",
            ApproveChanges => "change.approve",
            RejectChanges => "change.reject",
            ConfirmFraudMarks => "account.confirm_fraud",
            ClearFraudMarks => "account.clear",
            ReadAuditLog => "audit.log",
            VerifyAuditLog => "audit.verify",
            SaveCheckpoints => "audit.checkpoint",
            ExportEvidence => "audit.export",
            BackUpWorkspace => "workspace.backup",
            MoveWorkspace => "workspace.move",
        }
    }

    /// What it lets one do, for a refusal: "only admins may {what}".
    pub fn what(self) -> &'static str {
        use Permission::*;
        match self {
            VerifyInstructions => "verify",
            ReceiveInstructions => "receive instructions",
            ExportPayments => "export payments",
            ScreenPaymentFiles => "screen payment files",
            OnboardPartners => "onboard partners",
            RotatePartnerKeys => "rotate partner keys",
            RevokePartnerKeys => "revoke partner keys",
            UnfreezePartners => "lift partners' freezes",
            IssueInstructions => "issue our bank details",
            AnswerCallbacks => "answer callbacks about the instructions we issued",
            SetOrgAccount => "set the organisation's account",
            SetOrgDomains => "set the organisation's domains",
            BackUpOrgKey => "back up the organisation key",
            RotateOrgKey => "rotate the organisation key",
            SetPolicy => "change the policy",
            AddUsers => "add users",
            ResetPasswords => "reset passwords",
            DisableUsers => "disable users",
            ListUsers => "list users",
            ApproveChanges | RejectChanges => "check changes",
            ConfirmFraudMarks => "confirm fraud marks",
            ClearFraudMarks => "clear fraud marks",
            ReadAuditLog => "read the audit log",
            VerifyAuditLog => "verify the audit log",
            SaveCheckpoints => "save checkpoints",
            ExportEvidence => "export evidence bundles",
            BackUpWorkspace => "back up the workspace",
            MoveWorkspace => "move the workspace to a team server",
        }
    }

    /// Every permission `role` has, in [`Permission::ALL`]'s order.
    pub fn of(role: Role) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| p.allows(role)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_the_serialised_name_and_each_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), serde_json::Value::from(p.code()), "{p:?}");
            assert!(seen.insert(p.code()), "{p:?} listed twice");
            assert!(!p.roles().is_empty(), "{p:?} is nobody's");
        }
    }

    #[test]
    fn each_role_has_its_permissions_and_no_more() {
        use Permission::*;
        assert_eq!(
            Permission::of(Role::Clerk),
            vec![VerifyInstructions, ReceiveInstructions, ExportPayments, ScreenPaymentFiles, AnswerCallbacks]
        );
        assert_eq!(
            Permission::of(Role::Approver),
            vec![
                VerifyInstructions,
                ReceiveInstructions,
                ExportPayments,
                ScreenPaymentFiles,
                AnswerCallbacks,
                ApproveChanges,
                RejectChanges,
                ConfirmFraudMarks,
                ClearFraudMarks
            ]
        );
        assert_eq!(
            Permission::of(Role::Auditor),
            vec![VerifyInstructions, ListUsers, ReadAuditLog, VerifyAuditLog, SaveCheckpoints, ExportEvidence, BackUpWorkspace]
        );
        let admin = Permission::of(Role::Admin);
        assert!(!admin.contains(&ExportPayments) && !admin.contains(&ExportEvidence));
        assert!(admin.contains(&AnswerCallbacks) && !Permission::of(Role::Auditor).contains(&AnswerCallbacks));
        assert_eq!(admin.len(), Permission::ALL.len() - 2, "an admin has every other permission");
    }
}
