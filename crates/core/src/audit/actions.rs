//! Every kind of event the workspace writes to its log, by its action (`case.callback`, …): the
//! one list the shells name events from (the app words each one in the user's language, and a UI
//! test fails when one has no words). The service's test `every_logged_action_is_listed` fails
//! when the service logs an action missing here.

/// Every action an event of the log can carry, grouped by what it is about.
pub const EVENT_ACTIONS: &[&str] = &[
    // The workspace and its organisation.
    "workspace.init",
    "workspace.upgrade",
    "workspace.backup",
    "workspace.backup_refused",
    "workspace.move",
    "org.account",
    "org.domains",
    "org.callback_key",
    "org.key_backup",
    "org.key_backup_refused",
    "org.rotate_key",
    "org.rotate_key_refused",
    "policy.set",
    // Users, sign-in and keys.
    "user.add",
    "user.disable",
    "user.enable",
    "user.reset_password",
    "user.password_change",
    "user.password_refused",
    "user.totp_enrol",
    "user.key_create",
    "user.locked",
    "user.callback_key_grant",
    "user.callback_key_received",
    "user.callback_key_removed",
    "login.failed",
    "login.locked_out",
    "login.reset_failures",
    "permission.denied",
    "state.unverified",
    // Partners and their accounts.
    "partner.add",
    "partner.add_phone",
    "partner.pin_refused",
    "partner.rotate_key",
    "partner.rotate_key_refused",
    "partner.revoke_key",
    "partner.recovery_revoke_key",
    "partner.recovery_revoke_refused",
    "partner.freeze",
    "partner.freeze_refused",
    "partner.freeze_repeated",
    "partner.unfreeze",
    "case.frozen",
    "account.confirm_fraud",
    "account.clear",
    // Instructions and cases.
    "instruction.receive",
    "instruction.verify",
    "instruction.issue",
    "instruction.respond",
    "case.challenge",
    "case.callback",
    "case.callback_refused",
    "case.callback_wrong_response",
    "case.response_check_failed",
    "case.approve",
    "case.reject",
    "case.reopen",
    "case.release",
    "case.release_early",
    "case.name_check",
    "case.export",
    "case.bank_file_saved",
    // Four eyes.
    "change.propose",
    "change.approve",
    "change.reject",
    // The ERP's payment file.
    "payment_file.screen",
    // The log itself.
    "audit.key_create",
    "audit.verify",
    "audit.checkpoint",
    "audit.export",
];

/// Whether `action` is one the log knows.
pub fn is_event_action(action: &str) -> bool {
    EVENT_ACTIONS.contains(&action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::check::WITNESSED_ACTIONS;
    use crate::audit::state::{AUTHORITY_ACTIONS, STATEMENT_ACTIONS};

    #[test]
    fn every_signed_witnessed_and_authority_action_is_listed_once() {
        for action in STATEMENT_ACTIONS.iter().chain(AUTHORITY_ACTIONS).chain(WITNESSED_ACTIONS.iter().map(|(a, _)| a)) {
            assert!(is_event_action(action), "{action} is not in EVENT_ACTIONS");
        }
        let mut sorted = EVENT_ACTIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), EVENT_ACTIONS.len(), "an action is listed twice");
        assert!(!is_event_action("case.unknown"));
    }
}
