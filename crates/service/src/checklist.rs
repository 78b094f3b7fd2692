//! The first-run checklist (issue 19): what a new workspace still lacks before it protects
//! payments as it should: our own account (the debtor of every bank file), a first partner, a
//! second person who can check changes (until then one person changes everything alone: setup
//! mode), and a backup of the current organisation key. Read from the signed statements and the
//! log, never from a flag a shell keeps.

use super::{ServiceResult, Session, Workspace};
use countersign_core::audit::log::EventFilter;
use countersign_store::prelude::*;

/// What a new workspace has done of its set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupChecklist {
    /// Our organisation's account is set (a signed statement).
    pub our_account: bool,
    /// At least one partner is pinned.
    pub first_partner: bool,
    /// Two people can check changes: four eyes are in force (setup mode is over).
    pub second_checker: bool,
    /// The current organisation key was backed up (a backup of a key rotated away does not count).
    pub key_backed_up: bool,
}

impl SetupChecklist {
    /// Whether every item is done.
    pub fn done(&self) -> bool {
        self.our_account && self.first_partner && self.second_checker && self.key_backed_up
    }
}

impl Workspace {
    /// What the workspace has done of its set-up (any signed-in user may ask).
    pub fn setup_checklist(&mut self, session: &Session) -> ServiceResult<SetupChecklist> {
        self.require_signed_in(session)?;
        let state = self.implied_state()?;
        let (our_account, first_partner, second_checker) =
            (state.org_account.is_some(), !state.partners.is_empty(), !state.in_setup_mode());
        let current = self.active_org_key_file()?.0.fingerprint;
        let filter = EventFilter { action: Some("org.key_backup".into()), ..EventFilter::default() };
        let backups = self.store.read(|tx| tx.events_matching(&filter))?;
        let key_backed_up = backups.iter().any(|e| {
            serde_json::from_str::<serde_json::Value>(&e.details).is_ok_and(|d| d["fingerprint"].as_str() == Some(current.as_str()))
        });
        Ok(SetupChecklist { our_account, first_partner, second_checker, key_backed_up })
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{admin_workspace, ORG_PASSPHRASE};
    use crate::{Credentials, OrgKeyRotationRequest, Role};

    #[test]
    fn a_new_workspace_lacks_everything_and_each_step_ticks_its_item() {
        let (dir, mut ws, alice) = admin_workspace();
        let list = ws.setup_checklist(&alice).unwrap();
        assert_eq!((list.our_account, list.first_partner, list.second_checker, list.key_backed_up), (false, false, false, false));
        assert!(!list.done());

        ws.set_org_account(&alice, None, "DE02 1203 0000 0000 2020 51", "BYLADEM1001", "EUR").unwrap();
        assert!(ws.setup_checklist(&alice).unwrap().our_account);
        ws.backup_org_key(&alice, ORG_PASSPHRASE, &dir.path().join("org-backup.key")).unwrap();
        assert!(ws.setup_checklist(&alice).unwrap().key_backed_up);
        ws.add_user(&alice, "anna", Role::Approver, "anna password 1").unwrap();
        let anna = ws.login(&Credentials { user: "anna", password: "anna password 1", totp: None }).unwrap();
        assert!(ws.setup_checklist(&anna).unwrap().second_checker, "alice and anna can check: four eyes");

        // A rotated key needs a backup of its own.
        let statement_out = dir.path().join("rotation.csr");
        let rotation = OrgKeyRotationRequest {
            passphrase: ORG_PASSPHRASE,
            new_passphrase: "a new organisation passphrase",
            statement_out: &statement_out,
            card_out: None,
        };
        ws.rotate_org_key(&alice, &rotation).unwrap();
        assert!(!ws.setup_checklist(&alice).unwrap().key_backed_up);
    }
}
