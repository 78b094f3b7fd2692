//! The replay's part of four eyes (issue 15, [`crate::changes`]): proposals, approvals and
//! rejections of pending changes; the effects of an approved change, which count only right
//! after its approval, signed by its checker and exactly as its maker proposed them; the
//! statements that need a second person once the workspace has left setup mode; and the rule
//! that a workspace in four-eyes mode never falls back to fewer than two people who can check.

use serde_json::Value;

use super::log::LoggedEvent;
use super::state::{id_subject, unsigned, Applying, ChangeState, Fault, ImpliedState, StatementFault};
use crate::auth::Role;
use crate::cases::policy::Policy;
use crate::changes::{ChangeStatus, Proposal, CHANGE_MEMBER, CHECKERS_FOR_FOUR_EYES, CHECKER_ROLES};

impl ImpliedState {
    /// The effect of a statement whose signature was checked.
    pub(super) fn effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let result = match (event.action.as_str(), d.get(CHANGE_MEMBER)) {
            ("change.propose" | "change.approve" | "change.reject", _) => {
                self.applying = None;
                self.change_effect(event, d)
            }
            (_, Some(change)) => self.applied_effect(event, d, change),
            _ => {
                self.applying = None;
                self.refuse_one_person(event, d)?;
                self.decision_effect(event, d)
            }
        };
        if result.is_ok() && event.action.starts_with("user.") {
            self.note_checkers(event.seq);
        }
        result
    }

    /// Whether the workspace is still in setup mode: it never had two people who can check.
    pub fn in_setup_mode(&self) -> bool {
        self.four_eyes_since.is_none()
    }

    /// The people who can check a change now: enabled approvers and admins with a personal key.
    pub fn checkers(&self) -> Vec<&str> {
        let can_check = |u: &super::state::UserState| u.enabled && u.key.is_some() && CHECKER_ROLES.contains(&u.role);
        self.users.iter().filter(|(_, u)| can_check(u)).map(|(name, _)| name.as_str()).collect()
    }

    fn note_checkers(&mut self, seq: u64) {
        if self.four_eyes_since.is_none() && self.checkers().len() >= CHECKERS_FOR_FOUR_EYES {
            self.four_eyes_since = Some(seq);
        }
    }

    /// Whether a statement, given the state before it, changes something that only two people
    /// together may change: what could send money somewhere new or weaken a control.
    pub fn needs_four_eyes(&self, action: &str, subject: &str, details: &Value) -> bool {
        let user = || subject.strip_prefix("user:").and_then(|name| self.users.get(name));
        let checker_role = |role: Role| CHECKER_ROLES.contains(&role);
        match action {
            "partner.add" | "partner.add_phone" | "partner.rotate_key" | "user.reset_password" | "org.account" | "account.clear" => true,
            // Lifting a freeze without the partner's recovery key: a callback and a second person.
            "partner.unfreeze" => details.get("lift_notice").is_none(),
            "user.add" => details["role"].as_str().and_then(|r| Role::parse(r).ok()).is_some_and(checker_role),
            "user.enable" => user().is_some_and(|u| checker_role(u.role)),
            // A first key for a new clerk or auditor comes with their addition; any other key
            // lets its holder act as that user.
            "user.key_create" => user().is_some_and(|u| u.key.is_some() || checker_role(u.role)),
            "policy.set" => {
                serde_json::from_value::<Policy>(details["new"].clone()).map_or(true, |new| !new.loosened_from(&self.policy).is_empty())
            }
            _ => false,
        }
    }

    /// Refuses a statement one person wrote alone where two are needed, and the disabling of a
    /// person who can check when fewer than two would remain.
    fn refuse_one_person(&self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        if self.in_setup_mode() || event.seq <= self.legacy_through {
            return Ok(());
        }
        if self.needs_four_eyes(&event.action, &event.subject, d) {
            return Err(Fault::new(
                StatementFault::Authority,
                format!("{} needs a second person's approval, and {} wrote it alone", event.action, event.actor),
            ));
        }
        let checkers = self.checkers();
        let disables_checker =
            event.action == "user.disable" && event.subject.strip_prefix("user:").is_some_and(|name| checkers.contains(&name));
        if disables_checker && checkers.len() <= CHECKERS_FOR_FOUR_EYES {
            return Err(Fault::new(
                StatementFault::Rules,
                format!("disabling {} would leave fewer than two people who can check changes", event.subject),
            ));
        }
        Ok(())
    }

    /// `change.propose`, `change.approve`, `change.reject`.
    fn change_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let id = id_subject(event, "change:")?;
        if event.action == "change.propose" {
            let proposal = Proposal::from_details(d)?;
            self.require(event, proposal.kind.proposer_roles())?;
            if self.changes.contains_key(&id) {
                return Err(Fault::new(StatementFault::Rules, format!("change {id} was proposed already")));
            }
            let change = ChangeState { proposal, proposed_by: event.actor.clone(), status: ChangeStatus::Pending, decided_by: None };
            self.changes.insert(id, change);
        } else {
            let change =
                self.changes.get(&id).ok_or_else(|| Fault::new(StatementFault::Missing, format!("change {id} was never proposed")))?;
            if change.status != ChangeStatus::Pending {
                return Err(Fault::new(StatementFault::Rules, format!("change {id} is {} already", change.status.as_str())));
            }
            let by_maker = event.actor == change.proposed_by;
            let approve = event.action == "change.approve";
            if approve && by_maker {
                return Err(Fault::new(StatementFault::Authority, format!("{} cannot approve their own change", event.actor)));
            }
            if approve && change.proposal.is_about(&event.actor) {
                return Err(Fault::new(StatementFault::Authority, format!("change {id} is about {}, who cannot approve it", event.actor)));
            }
            if approve && d["request_sha256"].as_str() != Some(change.proposal.request_sha256.as_str()) {
                return Err(Fault::new(StatementFault::Rules, format!("it approves another request than change {id} proposed")));
            }
            if !by_maker {
                self.require(event, CHECKER_ROLES)?;
            }
            let change = self.changes.get_mut(&id).expect("looked up above");
            change.status = if approve { ChangeStatus::Approved } else { ChangeStatus::Rejected };
            change.decided_by = Some(event.actor.clone());
            if approve {
                self.applying = Some(Applying { change: id, checker: event.actor.clone(), written: 0 });
            }
        }
        self.shaped("pending_changes", id, event.seq);
        Ok(())
    }

    /// An effect of an approved change: the next statement its maker proposed, right after the
    /// approval, signed by the checker; it rests on the maker's role.
    fn applied_effect(&mut self, event: &LoggedEvent, d: &Value, change: &Value) -> Result<(), Fault> {
        let id = change.as_i64().ok_or("its change is not a number")?;
        let applying =
            self.applying.clone().filter(|a| a.change == id).ok_or_else(|| {
                Fault::new(StatementFault::Rules, format!("it applies change {id}, which was not approved right before it"))
            })?;
        if applying.checker != event.actor {
            return Err(Fault::new(
                StatementFault::Authority,
                format!("change {id} was approved by {}, not {}", applying.checker, event.actor),
            ));
        }
        let change = &self.changes[&id];
        let plain = unsigned(d);
        let expected = change.proposal.effects.get(applying.written);
        if !expected.is_some_and(|e| e.matches(&event.action, &event.subject, &plain)) {
            return Err(Fault::new(StatementFault::Rules, format!("it is not the statement change {id} proposed")));
        }
        let maker = change.proposed_by.clone();
        if !self.users.get(&maker).is_some_and(|u| u.enabled) {
            return Err(Fault::new(StatementFault::Authority, format!("{maker}, who proposed change {id}, was disabled")));
        }
        self.acting_for = Some(maker);
        let result = self.decision_effect(event, d);
        self.acting_for = None;
        if let (Ok(()), Some(applying)) = (&result, self.applying.as_mut()) {
            applying.written += 1;
        }
        result
    }
}
