//! The state the log's signed statements imply (pure): who the users are, with which role, whether
//! enabled and with which personal key; each partner's pinned keys and their status, on-file
//! numbers, domains and accounts; the accounts marked fraudulent; every case's status and the
//! facts the dual-control rules read; the policy; our account and domains. The service compares
//! the rows it is about to act on with this state (a row with no valid statement behind it is
//! refused as `state_unverified`); `audit verify` compares every row (`state_mismatch`).
//!
//! Replay is a fold over the events in order. A statement counts only if it is signed by the
//! current personal key of its actor (by the organisation key for `system` at `init`), that actor
//! is enabled, and the actor's role, as the statements before it gave it, allowed the decision:
//! case decisions are put through [`crate::cases::flow::decide`] exactly as the service did.
//! A statement that fails is reported as a [`StatementProblem`] and changes nothing.
//!
//! A workspace from before signed statements carries a `workspace.upgrade` statement: the events
//! up to the one it names (by sequence number and hash) are taken as they stand, unsigned.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use time::OffsetDateTime;

use super::freezes::FreezeState;
use super::log::LoggedEvent;
use super::statement::{fields_of, signature_of, verify};
use crate::assess::findings::Verdict;
use crate::auth::Role;
use crate::cases::flow::{decide, CallbackOutcome, CaseAction, CaseFacts, CaseStatus, CoolingOff, Refusal};
use crate::cases::name_check::{AttachedNameCheck, NameCheck};
use crate::cases::policy::Policy;
use crate::changes::{ChangeStatus, Proposal};
use crate::encoding::parse_utc;
use crate::format::keys::PublicKey;
use crate::registry::{AccountStatus, KeyStatus, NumberProvenance, NumberSource};

/// The statement that upgrades a workspace from before signed statements: it names the last event
/// of the old log (its legacy boundary).
pub const UPGRADE_ACTION: &str = "workspace.upgrade";

/// The actions whose events are signed statements.
pub const STATEMENT_ACTIONS: &[&str] = &[
    "workspace.init",
    UPGRADE_ACTION,
    "audit.key_create",
    "user.add",
    "user.key_create",
    "user.disable",
    "user.enable",
    "user.reset_password",
    "policy.set",
    "org.account",
    "org.domains",
    "org.rotate_key",
    "partner.add",
    "partner.add_phone",
    "partner.rotate_key",
    "partner.revoke_key",
    "partner.recovery_revoke_key",
    "partner.freeze",
    "partner.unfreeze",
    "instruction.receive",
    "case.challenge",
    "case.callback",
    "case.callback_wrong_response",
    "case.response_check_failed",
    "org.callback_key",
    "case.approve",
    "case.reject",
    "case.reopen",
    "case.release",
    "case.release_early",
    "case.export",
    "case.name_check",
    "change.propose",
    "change.approve",
    "change.reject",
    "account.confirm_fraud",
    "account.clear",
    "payment_file.screen",
];

/// The statements every signer's key and role, and the policy the case rules read, rest on: an
/// evidence bundle carries them whatever events it was asked for, so that the statements it holds
/// can be checked offline.
/// The decisions on pending changes are among them: an approver added, or a policy loosened,
/// counts only right after its approval (issue 15).
pub const AUTHORITY_ACTIONS: &[&str] = &[
    "workspace.init",
    UPGRADE_ACTION,
    "user.add",
    "user.key_create",
    "user.disable",
    "user.enable",
    "policy.set",
    "change.propose",
    "change.approve",
    "change.reject",
];

/// Whether events with this action must be signed.
pub fn is_statement(action: &str) -> bool {
    STATEMENT_ACTIONS.contains(&action)
}

/// The recovery key a `partner.add` or `partner.rotate_key` pins (`recovery_key`, base64), if any.
fn recovery_member(d: &Value) -> Result<Option<PublicKey>, Fault> {
    match &d["recovery_key"] {
        Value::Null => Ok(None),
        v => Ok(Some(v.as_str().and_then(PublicKey::from_base64).ok_or("its recovery_key is not a valid public key")?)),
    }
}

/// The key a `partner.recovery_revoke_key` revokes: its `statement` must verify with the partner's
/// pinned recovery key and name the `fingerprint` revoked.
fn recovery_revocation(partner: &PartnerState, d: &Value) -> Result<String, Fault> {
    let fingerprint = d["fingerprint"].as_str().ok_or("it names no key")?;
    let recovery = partner.recovery_key.ok_or_else(|| Fault::new(StatementFault::Rules, "the partner has no recovery key".into()))?;
    let bytes = d["statement"].as_str().and_then(crate::encoding::b64_decode).ok_or("its statement is not base64")?;
    let revocation = crate::format::recovery::KeyRevocation::verify(&bytes, &recovery)
        .map_err(|e| Fault::new(StatementFault::Signature, format!("its recovery statement: {e}")))?;
    match revocation.revoked_key().to_string() == fingerprint {
        true => Ok(fingerprint.to_string()),
        false => Err(Fault::new(StatementFault::Rules, "it names another key than its recovery statement".into())),
    }
}

/// The actor of the statements that the organisation key signs at `init`.
pub const SYSTEM: &str = "system";

/// A user as the statements make them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    /// The role granted.
    pub role: Role,
    /// Not disabled.
    pub enabled: bool,
    /// The current personal key, once one was created.
    pub key: Option<PublicKey>,
}

/// A partner as the statements make it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerState {
    /// The legal name recorded at onboarding.
    pub name: String,
    /// Pinned keys by canonical fingerprint, with their status.
    pub keys: BTreeMap<String, KeyStatus>,
    /// On-file numbers, E.164.
    pub phones: BTreeSet<String>,
    /// Where each on-file number came from, by E.164 (issue 20).
    pub numbers: BTreeMap<String, NumberProvenance>,
    /// Registered email domains.
    pub domains: BTreeSet<String>,
    /// The offline recovery key the partner's pinned card names (format §4.2, issue 20): once
    /// pinned, only statements it signs replace or revoke the partner's signing key.
    pub recovery_key: Option<PublicKey>,
}

/// A case as the statements make it: what the dual-control rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    /// Its status.
    pub status: CaseStatus,
    /// The verdict at receipt.
    pub verdict: Verdict,
    /// The partner whose key signed the file.
    pub partner: Option<i64>,
    /// The account paid (`BankAccount::key`).
    pub account_key: Option<String>,
    /// The amount in minor units.
    pub amount_minor: Option<u64>,
    /// The currency.
    pub currency: Option<String>,
    /// The creditor's BIC.
    pub account_bic: Option<String>,
    /// SHA-256 of the received file, hex.
    pub file_sha256: String,
    /// Who received it.
    pub received_by: String,
    /// Who started callbacks on it, in order, without repeats.
    pub called_by: Vec<String>,
    /// Who started the newest callback attempt, while it is open: only they may record it.
    pub open_attempt_by: Option<String>,
    /// Consecutive wrong responses.
    pub wrong_responses: u32,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
    /// Who released it.
    pub released_by: Option<String>,
    /// SHA-256 of its one bank file (hex), as its release or first export stated it.
    pub bank_file_sha256: Option<String>,
    /// The file is of format v2 (its receipt named a callback key): see [`CaseFacts`].
    pub response_needs_callback_key: bool,
    /// A confirmed callback's response awaits the approver's check.
    pub response_unchecked: bool,
    /// The position in the log of its receipt: numbers put on file after it are not offered for
    /// its callback (issue 20).
    pub received_seq: u64,
    /// The numbers the email that came with it gives, E.164: none of them is offered for its
    /// callback (issue 20).
    pub email_numbers: Vec<String>,
    /// The approvers who asked to release it early (issue 20), in order, without repeats.
    pub early_release_by: Vec<String>,
    /// The bank name checks attached to it (issue 20), oldest first.
    pub name_checks: Vec<AttachedNameCheck>,
}

impl CaseState {
    /// The facts [`decide`] reads, short of the cooling-off (which needs the partner's accounts
    /// and a time: [`ImpliedState::case_facts`]).
    fn facts_without_cooling_off(&self) -> CaseFacts {
        CaseFacts {
            status: self.status,
            verdict: self.verdict,
            received_by: self.received_by.clone(),
            called_by: self.called_by.clone(),
            amount_minor: self.amount_minor,
            wrong_responses: self.wrong_responses,
            response_needs_callback_key: self.response_needs_callback_key,
            response_unchecked: self.response_unchecked,
            approved_by: match self.status {
                CaseStatus::Approved | CaseStatus::Released => self.decided_by.clone(),
                _ => None,
            },
            cooling_off: None,
            early_release_by: self.early_release_by.clone(),
            bank_no_match: self.name_checks.iter().any(|c| c.check.outcome().holds()),
            partner_frozen: None,
        }
    }
}

/// Everything the statements imply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImpliedState {
    /// The organisation key named by `workspace.init`: the root of trust.
    pub org_key: Option<PublicKey>,
    /// Users by name.
    pub users: BTreeMap<String, UserState>,
    /// Partners by id.
    pub partners: BTreeMap<i64, PartnerState>,
    /// Accounts in partners' histories: (partner, account key) → status.
    pub accounts: BTreeMap<(i64, String), AccountStatus>,
    /// When an account became its partner's current one in place of another (the time of the
    /// statement that made it so): where a change's cooling-off starts.
    pub account_changed_at: BTreeMap<(i64, String), String>,
    /// Who received, called back on or approved the case that made that change (issue 20: none
    /// of them may release a payment to the account early).
    pub account_changed_by: BTreeMap<(i64, String), Vec<String>>,
    /// Accounts marked after a denied callback, for every partner: suspected at once, confirmed
    /// fraudulent by a second person, or cleared with four eyes.
    pub marks: BTreeMap<String, AccountMark>,
    /// Cases by id.
    pub cases: BTreeMap<i64, CaseState>,
    /// The policy.
    pub policy: Policy,
    /// Our account, as `org.account` gave it (without the signature).
    pub org_account: Option<Value>,
    /// Our email domains.
    pub org_domains: Option<Value>,
    /// Our callback public key (base64), as the last `org.callback_key` gave it.
    pub callback_key: Option<String>,
    /// The events up to this sequence number predate signed statements (0: none do).
    pub legacy_through: u64,
    /// The sequence number and hash of the last event replayed.
    pub last: Option<(u64, [u8; 32])>,
    /// The hash of event `legacy_through`, once replayed.
    pub legacy_hash: Option<[u8; 32]>,
    /// The statements that did not count, oldest first.
    pub problems: Vec<StatementProblem>,
    /// For each row the statements shape (`TABLE:ROW`), the last statement that did.
    pub sources: BTreeMap<String, u64>,
    /// The last statement that pinned, retired or revoked a partner key (0: none): a payment run
    /// that loaded the keys before it loads them again.
    pub keys_changed_at: u64,
    /// Pending changes by id (issue 15).
    pub changes: BTreeMap<i64, ChangeState>,
    /// The statement from which the workspace had two people who can check: four-eyes mode
    /// (`None`: still in setup mode).
    pub four_eyes_since: Option<u64>,
    /// Each partner's freezes (issue 20), in the order received, lifted ones included: each rests
    /// on the partner's signed notice, which the replay verifies again with the partner's keys.
    pub freezes: BTreeMap<i64, Vec<FreezeState>>,
    /// The change whose effects the events right after its approval are writing.
    pub(super) applying: Option<Applying>,
    /// While an effect of a change is applied: its maker, whose role the effect rests on.
    pub(super) acting_for: Option<String>,
}

/// A mark on an account after a denied callback (issue 15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountMark {
    /// Confirmed fraudulent by a second person (otherwise suspected).
    pub confirmed: bool,
    /// Who recorded the denied callback that marked it.
    pub marked_by: String,
}

/// A pending change as the statements make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeState {
    /// What the maker proposed.
    pub proposal: Proposal,
    /// The maker.
    pub proposed_by: String,
    /// Where it stands.
    pub status: ChangeStatus,
    /// The checker who approved or rejected it (or the maker who withdrew it).
    pub decided_by: Option<String>,
}

/// An approved change whose effects are being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Applying {
    /// The change.
    pub change: i64,
    /// The checker, who signs the effects.
    pub checker: String,
    /// How many of its effects were written.
    pub written: usize,
}

/// A statement that does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementProblem {
    /// Its position in the log.
    pub seq: u64,
    /// Its action.
    pub action: String,
    /// Its subject.
    pub subject: String,
    /// What kind of fault.
    pub kind: StatementFault,
    /// What is wrong with it.
    pub why: String,
}

/// Why a statement does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementFault {
    /// Unsigned, signed by another key than the one it must be, or changed after it was signed.
    Signature,
    /// Its signer is not a user the statements made, was disabled, or their role does not allow it.
    Authority,
    /// The rules refuse it (a case decision, a second receipt of one case, a key pinned twice).
    Rules,
    /// It is about something no earlier statement made (a partner, a user, a case): in a whole log,
    /// tampering; in an evidence bundle, which holds part of the log, expected.
    Missing,
    /// Its details lack what it must say.
    Malformed,
}

/// A statement's fault and its explanation, while it is applied.
pub(super) struct Fault {
    kind: StatementFault,
    why: String,
}

impl Fault {
    pub(super) fn new(kind: StatementFault, why: String) -> Self {
        Fault { kind, why }
    }
}

impl From<String> for Fault {
    fn from(why: String) -> Self {
        Fault::new(StatementFault::Malformed, why)
    }
}

impl From<&str> for Fault {
    fn from(why: &str) -> Self {
        Fault::new(StatementFault::Malformed, why.to_string())
    }
}

impl std::fmt::Display for StatementProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event {} ({} {}): {}", self.seq, self.action, self.subject, self.why)
    }
}

/// A row that differs from the state the statements imply, as `audit verify` reports it
/// (`state_mismatch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMismatch {
    /// The table.
    pub table: String,
    /// The row (its id, name, fingerprint or key).
    pub row: String,
    /// How it differs.
    pub what: String,
    /// The statement that should have produced the row as it is meant to be (None: no event).
    pub event: Option<u64>,
}

impl std::fmt::Display for StateMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let event = self.event.map_or("no event".to_string(), |seq| format!("event {seq}"));
        write!(f, "{} row {}: {} ({})", self.table, self.row, self.what, event)
    }
}

/// The boundary a `workspace.upgrade` statement among `events` names: the events up to it are
/// taken unsigned. Looked for before the replay, which then checks the statement itself.
pub fn legacy_boundary<'a>(events: impl IntoIterator<Item = &'a LoggedEvent>) -> u64 {
    events
        .into_iter()
        .find(|e| e.action == UPGRADE_ACTION)
        .and_then(|e| serde_json::from_str::<Value>(&e.details).ok())
        .and_then(|d| d["legacy_through"].as_u64())
        .unwrap_or(0)
}

impl ImpliedState {
    /// The state implied by `events` (a whole log, oldest first).
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a LoggedEvent> + Clone) -> Self {
        let mut state = ImpliedState { legacy_through: legacy_boundary(events.clone()), ..Default::default() };
        state.apply_all(events);
        state
    }

    /// An empty state that will take the events up to `through` as they stand, unsigned (what the
    /// upgrade of a workspace from before signed statements checks its rows against).
    pub fn taking_as_legacy(through: u64) -> Self {
        ImpliedState { legacy_through: through, ..Default::default() }
    }

    /// Applies further events, oldest first (after [`ImpliedState::last`]).
    pub fn apply_all<'a>(&mut self, events: impl IntoIterator<Item = &'a LoggedEvent>) {
        for event in events {
            self.apply(event);
        }
    }

    /// Applies one event: a statement that counts changes the state; one that does not is
    /// recorded as a problem; other events change nothing.
    pub fn apply(&mut self, event: &LoggedEvent) {
        self.last = Some((event.seq, event.hash));
        if event.seq == self.legacy_through {
            self.legacy_hash = Some(event.hash);
        }
        if !is_statement(&event.action) {
            // The effects of an approved change follow its approval without a gap.
            self.applying = None;
            return;
        }
        let details: Value = match serde_json::from_str(&event.details) {
            Ok(v) => v,
            Err(_) => return self.problem(event, Fault::new(StatementFault::Malformed, "its details are not JSON".into())),
        };
        if let Err(fault) = self.check_signature(event, &details).and_then(|()| self.effect(event, &details)) {
            self.problem(event, fault);
        }
    }

    /// Applies a statement that this process has just signed and appended as the event after
    /// [`ImpliedState::last`] (a payment run's receipts), without checking again the signature it
    /// has just made; the authority and the rules are checked as for any statement. `event.hash`
    /// may be zeros: it is only kept as `last`.
    pub fn apply_own(&mut self, event: &LoggedEvent, details: &Value) {
        debug_assert_eq!(self.last.map_or(1, |(seq, _)| seq + 1), event.seq, "the event right after the last one seen");
        self.last = Some((event.seq, event.hash));
        if let Err(fault) = self.effect(event, details) {
            self.problem(event, fault);
        }
    }

    /// Records that the statement `seq` shaped row `row` of `table`.
    pub(super) fn shaped(&mut self, table: &str, row: impl std::fmt::Display, seq: u64) {
        self.sources.insert(format!("{table}:{row}"), seq);
    }

    /// The last statement that shaped row `row` of `table`, if any did.
    pub fn source_of(&self, table: &str, row: impl std::fmt::Display) -> Option<u64> {
        self.sources.get(&format!("{table}:{row}")).copied()
    }

    fn problem(&mut self, event: &LoggedEvent, fault: Fault) {
        let (kind, why) = (fault.kind, fault.why);
        self.problems.push(StatementProblem { seq: event.seq, action: event.action.clone(), subject: event.subject.clone(), kind, why });
    }

    /// The key the actor must have signed with: the organisation key for `system`, the user's
    /// current personal key otherwise (an enabled user's).
    fn check_signature(&self, event: &LoggedEvent, details: &Value) -> Result<(), Fault> {
        let legacy = event.seq <= self.legacy_through && event.action != UPGRADE_ACTION;
        if legacy && signature_of(details).is_err() {
            return Ok(());
        }
        if event.action == "workspace.init" {
            let key = details["org_public_key"].as_str().and_then(PublicKey::from_base64).ok_or("it names no organisation key")?;
            return verify(&fields_of(event), details, &key).map_err(|e| Fault::new(StatementFault::Signature, e.to_string()));
        }
        let key = if event.actor == SYSTEM {
            self.org_key.ok_or("it is signed as the system, but the log has no organisation key")?
        } else {
            let authority = |why: String| Fault::new(StatementFault::Authority, why);
            let user =
                self.users.get(&event.actor).ok_or_else(|| authority(format!("{} is not a user the statements added", event.actor)))?;
            if !user.enabled {
                return Err(authority(format!("{} was disabled", event.actor)));
            }
            user.key.ok_or_else(|| authority(format!("{} has no personal key", event.actor)))?
        };
        verify(&fields_of(event), details, &key).map_err(|e| Fault::new(StatementFault::Signature, e.to_string()))
    }

    /// The role the actor's statements rest on (`system` acts as an admin).
    pub(super) fn role_of(&self, actor: &str) -> Option<Role> {
        if actor == SYSTEM {
            return Some(Role::Admin);
        }
        self.users.get(actor).map(|u| u.role)
    }

    /// The role the statement rests on must be one of `roles`: its signer's, or for an effect of
    /// an approved change, its maker's.
    pub(super) fn require(&self, event: &LoggedEvent, roles: &[Role]) -> Result<Role, Fault> {
        let actor = self.acting_for.as_deref().unwrap_or(&event.actor);
        match self.role_of(actor) {
            Some(role) if roles.contains(&role) => Ok(role),
            Some(role) => Err(Fault::new(StatementFault::Authority, format!("{actor} is {}, which may not do this", role.as_str()))),
            None => Err(Fault::new(StatementFault::Authority, format!("{actor} is not a user the statements added"))),
        }
    }

    /// The effect of a statement that is not about pending changes, under the rules its
    /// signer's role allows (for an effect of an approved change: its maker's role).
    pub(super) fn decision_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let admin = [Role::Admin];
        match event.action.as_str() {
            "workspace.init" => {
                if event.seq != 1 {
                    return Err(Fault::new(StatementFault::Rules, "only the first event may make the workspace".into()));
                }
                self.org_key = d["org_public_key"].as_str().and_then(PublicKey::from_base64);
                if let Some(policy) = d.get("policy") {
                    self.policy = serde_json::from_value(policy.clone()).map_err(|e| format!("its policy: {e}"))?;
                    self.shaped("settings", "policy", event.seq);
                }
                Ok(())
            }
            UPGRADE_ACTION => {
                self.require(event, &[Role::Clerk, Role::Approver, Role::Admin, Role::Auditor])?;
                let named = d["legacy_through_hash"].as_str().unwrap_or_default();
                match &self.legacy_hash {
                    Some(hash) if crate::audit::chain::hex(hash) == named => Ok(()),
                    _ => Err(Fault::new(
                        StatementFault::Signature,
                        "the hash it names is not that of the last event before it: the old log was changed".into(),
                    )),
                }
            }
            "audit.key_create" | "org.rotate_key" | "user.reset_password" => self.require(event, &admin).map(drop),
            // A screening changes no state; only who may screen is checked (issue 18).
            "payment_file.screen" => self.require(event, &[Role::Clerk, Role::Approver, Role::Admin]).map(drop),
            "user.add" | "user.key_create" | "user.disable" | "user.enable" => self.user_effect(event, d),
            "policy.set" => {
                self.require(event, &admin)?;
                self.policy = serde_json::from_value(d["new"].clone()).map_err(|e| format!("its policy: {e}"))?;
                self.shaped("settings", "policy", event.seq);
                Ok(())
            }
            "org.account" => {
                self.require(event, &admin)?;
                self.org_account = Some(unsigned(d));
                self.shaped("settings", "org_account", event.seq);
                Ok(())
            }
            "org.callback_key" => {
                self.require(event, &admin)?;
                self.callback_key = Some(d["public_key"].as_str().ok_or("it names no callback key")?.to_string());
                self.shaped("settings", "callback_key", event.seq);
                Ok(())
            }
            "org.domains" => {
                self.require(event, &admin)?;
                self.org_domains = Some(d["domains"].clone());
                self.shaped("settings", "org_domains", event.seq);
                Ok(())
            }
            "partner.add" | "partner.rotate_key" | "partner.revoke_key" | "partner.recovery_revoke_key" => {
                self.require(event, &admin)?;
                self.partner_effect(event, d)
            }
            "partner.add_phone" => {
                self.require(event, &admin)?;
                self.add_phone_effect(event, d)
            }
            "partner.freeze" | "partner.unfreeze" => self.freeze_effect(event, d),
            "instruction.receive" => {
                self.require(event, &[Role::Clerk, Role::Approver, Role::Admin])?;
                self.receive_effect(event, d)
            }
            "account.confirm_fraud" | "account.clear" => self.mark_effect(event),
            _ => self.case_effect(event, d),
        }
    }

    /// `user.add`, `user.key_create`, `user.disable`, `user.enable`: admins only; a user's own key
    /// is given by an admin (or the organisation key at init), never by themselves.
    fn user_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let admin = [Role::Admin];
        let name = user_subject(event)?;
        let missing = || Fault::new(StatementFault::Missing, format!("{name} is not a user"));
        match event.action.as_str() {
            "user.add" => {
                self.require(event, &admin)?;
                let role = d["role"].as_str().and_then(|r| Role::parse(r).ok()).ok_or("it names no valid role")?;
                if self.users.contains_key(name) {
                    return Err(Fault::new(StatementFault::Rules, format!("{name} exists already")));
                }
                self.users.insert(name.to_string(), UserState { role, enabled: true, key: None });
            }
            "user.key_create" => {
                if event.seq > self.legacy_through {
                    if event.actor == name {
                        return Err(Fault::new(StatementFault::Authority, format!("{name} cannot give themselves a personal key")));
                    }
                    self.require(event, &admin)?;
                }
                let key = d["public_key"].as_str().and_then(PublicKey::from_base64).ok_or("it names no valid public key")?;
                self.users.get_mut(name).ok_or_else(missing)?.key = Some(key);
            }
            _ => {
                self.require(event, &admin)?;
                self.users.get_mut(name).ok_or_else(missing)?.enabled = event.action == "user.enable";
            }
        }
        self.shaped("users", name, event.seq);
        Ok(())
    }

    fn partner_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        self.partner_keys_effect(event, d)?;
        self.keys_changed_at = event.seq;
        Ok(())
    }

    fn partner_keys_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let id = id_subject(event, "partner:")?;
        let text = |v: &Value| v.as_str().map(str::to_string);
        let strings = |v: &Value| v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect::<BTreeSet<_>>());
        match event.action.as_str() {
            "partner.add" => {
                if self.partners.contains_key(&id) {
                    return Err(Fault::new(StatementFault::Rules, format!("partner {id} exists already")));
                }
                let fingerprint = text(&d["fingerprint"]).ok_or("it names no key")?;
                if self.partners.values().any(|p| p.keys.contains_key(&fingerprint)) {
                    return Err(Fault::new(StatementFault::Rules, format!("the key {fingerprint} is pinned for another partner")));
                }
                let phones = strings(&d["phones"]).unwrap_or_default();
                let numbers = self.onboarding_numbers(event, &phones, d);
                let partner = PartnerState {
                    name: text(&d["name"]).unwrap_or_default(),
                    keys: BTreeMap::from([(fingerprint, KeyStatus::Active)]),
                    phones,
                    numbers,
                    domains: strings(&d["domains"]).unwrap_or_default(),
                    recovery_key: recovery_member(d)?,
                };
                for fingerprint in partner.keys.keys() {
                    self.shaped("partner_keys", fingerprint, event.seq);
                }
                self.partners.insert(id, partner);
                self.shaped("partners", id, event.seq);
                if let Some(account) = text(&d["known_account"]) {
                    self.shaped("accounts", format!("{id}:{account}"), event.seq);
                    self.accounts.insert((id, account), AccountStatus::Current);
                }
                Ok(())
            }
            "partner.rotate_key" => self.rotation_effect(event, id, d),
            "partner.recovery_revoke_key" => {
                let partner = self
                    .partners
                    .get_mut(&id)
                    .ok_or_else(|| Fault::new(StatementFault::Missing, format!("partner {id} does not exist")))?;
                let revoked = recovery_revocation(partner, d)?;
                let status = partner
                    .keys
                    .get_mut(&revoked)
                    .ok_or_else(|| Fault::new(StatementFault::Missing, format!("{revoked} is not a key of partner {id}")))?;
                *status = KeyStatus::Revoked;
                self.shaped("partner_keys", revoked, event.seq);
                Ok(())
            }
            _ => {
                let fingerprint = text(&d["fingerprint"]).ok_or("it names no key")?;
                let partner = self
                    .partners
                    .get_mut(&id)
                    .ok_or_else(|| Fault::new(StatementFault::Missing, format!("partner {id} does not exist")))?;
                let status = partner
                    .keys
                    .get_mut(&fingerprint)
                    .ok_or_else(|| Fault::new(StatementFault::Missing, format!("{fingerprint} is not a key of partner {id}")))?;
                *status = KeyStatus::Revoked;
                self.shaped("partner_keys", fingerprint, event.seq);
                Ok(())
            }
        }
    }

    /// `partner.rotate_key`: the old key retired (a revoked one stays revoked) and the new one
    /// pinned with the recovery key its card names. When the partner has a recovery key, only a
    /// rotation that key signed counts (its statement is in `recovery_statement`, checked here);
    /// without one, the old key must be active (format §4.1, §4.2).
    fn rotation_effect(&mut self, event: &LoggedEvent, id: i64, d: &Value) -> Result<(), Fault> {
        let text = |v: &Value| v.as_str().map(str::to_string);
        let (old, new) = (text(&d["old"]).ok_or("it names no old key")?, text(&d["new"]).ok_or("it names no new key")?);
        let partner =
            self.partners.get_mut(&id).ok_or_else(|| Fault::new(StatementFault::Missing, format!("partner {id} does not exist")))?;
        let rules = |why: String| Fault::new(StatementFault::Rules, why);
        match (partner.recovery_key, d["recovery_statement"].as_str()) {
            (Some(recovery), Some(statement)) => {
                let bytes = crate::encoding::b64_decode(statement).ok_or("its recovery statement is not base64")?;
                let rotation = crate::format::recovery::RecoveryRotation::verify(&bytes, &recovery)
                    .map_err(|e| Fault::new(StatementFault::Signature, format!("its recovery statement: {e}")))?;
                if rotation.old_key().to_string() != old || rotation.new_card().fingerprint().to_string() != new {
                    return Err(rules("it names other keys than its recovery statement".into()));
                }
                if !matches!(partner.keys.get(&old), Some(KeyStatus::Active | KeyStatus::Revoked)) {
                    return Err(rules(format!("{old} is not a current or revoked key of partner {id}")));
                }
            }
            (Some(_), None) => {
                return Err(rules(format!("partner {id} has a recovery key: a rotation signed by the old key alone does not count")))
            }
            (None, Some(_)) => return Err(rules(format!("partner {id} has no recovery key to sign a rotation"))),
            (None, None) if partner.keys.get(&old) != Some(&KeyStatus::Active) => {
                return Err(rules(format!("{old} is not an active key of partner {id}")))
            }
            (None, None) => {}
        }
        // Read before anything changes: a statement that does not count changes nothing.
        let recovery_key = recovery_member(d)?;
        if partner.keys.get(&old) == Some(&KeyStatus::Active) {
            partner.keys.insert(old.clone(), KeyStatus::Retired);
        }
        partner.keys.insert(new.clone(), KeyStatus::Active);
        partner.recovery_key = recovery_key;
        self.shaped("partner_keys", old, event.seq);
        self.shaped("partner_keys", new, event.seq);
        Ok(())
    }

    /// The provenance of the numbers a `partner.add` puts on file: as its `numbers` member says
    /// (source and label of each), or typed at onboarding for a statement from before issue 20.
    fn onboarding_numbers(&self, event: &LoggedEvent, phones: &BTreeSet<String>, d: &Value) -> BTreeMap<String, NumberProvenance> {
        let described = |e164: &str| d["numbers"].as_array().and_then(|a| a.iter().find(|n| n["e164"] == e164));
        phones
            .iter()
            .map(|e164| {
                let entry = described(e164);
                let source = entry.and_then(|n| n["source"].as_str()).and_then(NumberSource::parse).unwrap_or(NumberSource::Onboarding);
                let label = entry.and_then(|n| n["label"].as_str()).map(str::to_string);
                (e164.clone(), self.provenance(event, source, label))
            })
            .collect()
    }

    /// A number's provenance from the statement putting it on file: its maker typed or chose it,
    /// and the statement's signer approved it when they are another person (a change's checker).
    fn provenance(&self, event: &LoggedEvent, source: NumberSource, label: Option<String>) -> NumberProvenance {
        let recorded_by = self.acting_for.clone().unwrap_or_else(|| event.actor.clone());
        let approved_by = self.acting_for.as_ref().map(|_| event.actor.clone());
        NumberProvenance { source, label, recorded_by, approved_by, at: event.at.clone(), seq: event.seq }
    }

    /// `partner.add_phone` (issue 20): one more number on file, from an admin's change.
    fn add_phone_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let id = id_subject(event, "partner:")?;
        let e164 = d["e164"].as_str().ok_or("it names no number")?.to_string();
        let label = d["label"].as_str().map(str::to_string);
        let provenance = self.provenance(event, NumberSource::Change, label);
        let partner =
            self.partners.get_mut(&id).ok_or_else(|| Fault::new(StatementFault::Missing, format!("partner {id} does not exist")))?;
        if !partner.phones.insert(e164.clone()) {
            return Err(Fault::new(StatementFault::Rules, format!("{e164} is on file for partner {id} already")));
        }
        partner.numbers.insert(e164.clone(), provenance);
        self.shaped("partner_phones", format!("{id} {e164}"), event.seq);
        Ok(())
    }

    fn receive_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let id = id_subject(event, "case:")?;
        if self.cases.contains_key(&id) {
            return Err(Fault::new(StatementFault::Rules, format!("case {id} was received already")));
        }
        let verdict: Verdict = serde_json::from_value(d["verdict"].clone()).map_err(|_| "it names no verdict")?;
        let partner = d["partner"].as_i64();
        let account_key = d["account_key"].as_str().map(str::to_string);
        let case = CaseState {
            status: CaseStatus::parse(verdict.as_str()).ok_or("its verdict is not a status")?,
            verdict,
            partner,
            account_key: account_key.clone(),
            amount_minor: d["amount_minor"].as_u64(),
            currency: d["currency"].as_str().map(str::to_string),
            account_bic: d["account_bic"].as_str().map(str::to_string),
            file_sha256: d["file_sha256"].as_str().unwrap_or_default().to_string(),
            received_by: event.actor.clone(),
            called_by: vec![],
            open_attempt_by: None,
            wrong_responses: 0,
            decided_by: None,
            released_by: None,
            bank_file_sha256: None,
            response_needs_callback_key: d["callback_key"].is_string(),
            response_unchecked: false,
            received_seq: event.seq,
            email_numbers: d["email_numbers"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
            early_release_by: vec![],
            name_checks: vec![],
        };
        self.cases.insert(id, case);
        self.shaped("cases", id, event.seq);
        if let (Some(partner), Some(key), true) = (partner, account_key, verdict != Verdict::Rejected) {
            if verdict == Verdict::Accepted {
                self.make_current(partner, &key, true, event, vec![event.actor.clone()]);
            } else if !self.accounts.contains_key(&(partner, key.clone())) {
                self.shaped("accounts", format!("{partner}:{key}"), event.seq);
                self.accounts.insert((partner, key), AccountStatus::Pending);
            }
        }
        Ok(())
    }

    /// The account becomes the partner's current one and its other current account is retired;
    /// with `insert`, an account not yet in the history is added (as a receipt does). When it
    /// replaces another, its cooling-off starts, and `people` (who received, called back on or
    /// approved the case) are those who made the change.
    fn make_current(&mut self, partner: i64, key: &str, insert: bool, event: &LoggedEvent, people: Vec<String>) {
        let seq = event.seq;
        let mut shaped = vec![];
        // The partner's accounts only: the keys are ordered by partner first.
        let partners_accounts = self.accounts.range_mut((partner, String::new())..(partner + 1, String::new()));
        for ((_, k), status) in partners_accounts {
            if k != key && *status == AccountStatus::Current {
                *status = AccountStatus::Retired;
                shaped.push(k.clone());
            }
        }
        match self.accounts.get_mut(&(partner, key.to_string())) {
            Some(status) => {
                *status = AccountStatus::Current;
                shaped.push(key.to_string());
            }
            None if insert => {
                self.accounts.insert((partner, key.to_string()), AccountStatus::Current);
                shaped.push(key.to_string());
            }
            None => {}
        }
        let replaced = shaped.iter().any(|k| k != key);
        if replaced && self.accounts.get(&(partner, key.to_string())) == Some(&AccountStatus::Current) {
            self.account_changed_at.insert((partner, key.to_string()), event.at.clone());
            self.account_changed_by.insert((partner, key.to_string()), people);
        }
        for k in shaped {
            self.shaped("accounts", format!("{partner}:{k}"), seq);
        }
    }

    fn case_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let id = id_subject(event, "case:")?;
        let case = self.cases.get(&id).ok_or_else(|| Fault::new(StatementFault::Missing, format!("case {id} was never received")))?;
        let role = self
            .role_of(&event.actor)
            .ok_or_else(|| Fault::new(StatementFault::Authority, format!("{} is not a user the statements added", event.actor)))?;
        if event.action == "case.export" {
            return self.bank_file_effect(event, id, d);
        }
        let at =
            parse_utc(&event.at).ok_or_else(|| Fault::new(StatementFault::Malformed, format!("its time {:?} is not UTC", event.at)))?;
        let name_check = name_check_of(event, d, case.account_key.as_deref(), at)?;
        let action = match &name_check {
            Some(check) => CaseAction::AttachNameCheck { no_match: check.outcome().holds() },
            None => case_action(event, d)?,
        };
        // A callback is recorded by the one who started its attempt (the service's rule too): an
        // approver cannot record a callback they never made, then approve it.
        let records_callback = matches!(action, CaseAction::RecordCallback { .. } | CaseAction::ConfirmUnchecked);
        if records_callback && case.open_attempt_by.as_deref() != Some(event.actor.as_str()) {
            return Err(Fault::new(StatementFault::Rules, format!("{} started no open callback attempt on case {id}", event.actor)));
        }
        let facts = self.case_facts(id, at).expect("looked up above");
        let decision = decide(&facts, &event.actor, role, action, &self.policy);
        let case = self.cases.get_mut(&id).expect("looked up above");
        let transition = match (event.action.as_str(), decision) {
            ("case.callback_wrong_response", Err(Refusal::WrongResponse(_))) => {
                case.wrong_responses += 1;
                case.open_attempt_by = None;
                return Ok(());
            }
            (_, Ok(t)) => t,
            (_, Err(refusal)) => return Err(Fault::new(StatementFault::Rules, format!("the rules refuse it: {refusal}"))),
        };
        if event.action == "case.callback_wrong_response" {
            return Err(Fault::new(StatementFault::Rules, "a wrong response is recorded only when the response did not match".into()));
        }
        self.sources.insert(format!("cases:{id}"), event.seq);
        case.status = transition.status;
        case.wrong_responses = transition.wrong_responses;
        case.response_unchecked = transition.response_unchecked;
        match action {
            CaseAction::StartCallback => {
                case.open_attempt_by = Some(event.actor.clone());
                if !case.called_by.contains(&event.actor) {
                    case.called_by.push(event.actor.clone());
                }
            }
            CaseAction::RecordCallback { .. } | CaseAction::ConfirmUnchecked => case.open_attempt_by = None,
            CaseAction::Approve | CaseAction::ApproveCheckingResponse { response_correct: true } | CaseAction::Reject => {
                case.decided_by = Some(event.actor.clone())
            }
            CaseAction::Release => {
                case.released_by = Some(event.actor.clone());
                case.bank_file_sha256 = d["bank_file_sha256"].as_str().map(str::to_string);
            }
            CaseAction::ReleaseEarly => case.early_release_by.push(event.actor.clone()),
            CaseAction::AttachNameCheck { .. } => {
                let check = name_check.expect("a name check statement");
                case.name_checks.push(AttachedNameCheck { check, attached_by: event.actor.clone(), attached_at: event.at.clone() });
            }
            _ => {}
        }
        let (partner, account) = (case.partner, case.account_key.clone());
        if let CaseAction::AttachNameCheck { .. } = action {
            self.shaped("name_checks", id, event.seq);
        }
        if let (true, Some(key)) = (transition.mark_fraudulent, &account) {
            self.mark_fraudulent(key, &event.actor, event.seq);
        }
        if let (true, Some(partner), Some(key)) = (transition.make_account_current, partner, &account) {
            let case = &self.cases[&id];
            let people = std::iter::once(&case.received_by).chain(&case.called_by).chain(&case.decided_by).cloned().collect();
            self.make_current(partner, key, false, event, people);
        }
        Ok(())
    }

    /// A denied callback's mark: the account is suspected for every partner, and its rows in
    /// partners' histories are marked.
    fn mark_fraudulent(&mut self, key: &str, by: &str, seq: u64) {
        self.marks.entry(key.to_string()).or_insert(AccountMark { confirmed: false, marked_by: by.to_string() });
        self.shaped("fraudulent_accounts", key, seq);
        let mut marked = vec![];
        for ((p, k), status) in self.accounts.iter_mut() {
            if k == key {
                *status = AccountStatus::Fraudulent;
                marked.push(format!("{p}:{k}"));
            }
        }
        for row in marked {
            self.shaped("accounts", row, seq);
        }
    }

    /// `account.confirm_fraud` (an approver or admin other than the one who marked it) and
    /// `account.clear` (four eyes: the mark goes, and the account is only *pending* in every
    /// history, so the next payment to it needs a callback again).
    fn mark_effect(&mut self, event: &LoggedEvent) -> Result<(), Fault> {
        let key = event.subject.strip_prefix("account:").ok_or("its subject is not an account")?.to_string();
        self.require(event, crate::changes::CHECKER_ROLES)?;
        let mark = self.marks.get(&key).ok_or_else(|| Fault::new(StatementFault::Missing, format!("{key} is not marked")))?;
        if event.action == "account.confirm_fraud" {
            if mark.confirmed {
                return Err(Fault::new(StatementFault::Rules, format!("{key} is confirmed fraudulent already")));
            }
            if mark.marked_by == event.actor {
                return Err(Fault::new(StatementFault::Authority, format!("{} marked {key}: a second person confirms it", event.actor)));
            }
            self.marks.get_mut(&key).expect("looked up above").confirmed = true;
        } else {
            self.marks.remove(&key);
            let mut cleared = vec![];
            for ((p, k), status) in self.accounts.iter_mut() {
                if *k == key && *status == AccountStatus::Fraudulent {
                    *status = AccountStatus::Pending;
                    cleared.push(format!("{p}:{k}"));
                }
            }
            for row in cleared {
                self.shaped("accounts", row, event.seq);
            }
        }
        self.shaped("fraudulent_accounts", key, event.seq);
        Ok(())
    }

    /// Whether the log predates signed statements and was not upgraded yet: its first event is
    /// an unsigned `workspace.init` and no `workspace.upgrade` names a boundary.
    pub fn is_legacy(&self) -> bool {
        self.org_key.is_none() && self.legacy_through == 0
    }

    /// An export's bank file: the first one made for a released case is its one bank file; an
    /// export of another file for the same payment does not count. Clerks and approvers export
    /// (docs/cli-cases.md), as the service checks: an admin's or auditor's export, even signed by
    /// their own key, sets no bank file.
    fn bank_file_effect(&mut self, event: &LoggedEvent, id: i64, d: &Value) -> Result<(), Fault> {
        self.require(event, &[Role::Clerk, Role::Approver])?;
        let case = self.cases.get_mut(&id).expect("looked up by the caller");
        if case.status != CaseStatus::Released {
            return Err(Fault::new(StatementFault::Rules, format!("case {id} is not released")));
        }
        let sha256 = d["bank_file_sha256"].as_str().ok_or("it names no bank file")?;
        match &case.bank_file_sha256 {
            None => case.bank_file_sha256 = Some(sha256.to_string()),
            Some(known) if known == sha256 => {}
            Some(known) => return Err(Fault::new(StatementFault::Rules, format!("case {id}'s bank file is {known}, not {sha256}"))),
        }
        self.shaped("bank_files", id, self.last.map_or(0, |(seq, _)| seq));
        Ok(())
    }

    /// The facts [`decide`] reads for case `id` at time `at`, with the cooling-off of the account
    /// it pays when that account replaced another; `None` when no statement received the case.
    pub fn case_facts(&self, id: i64, at: OffsetDateTime) -> Option<CaseFacts> {
        let case = self.cases.get(&id)?;
        let mut facts = case.facts_without_cooling_off();
        if let (Some(partner), Some(key)) = (case.partner, &case.account_key) {
            let account = (partner, key.clone());
            // Only while the account is still the partner's current one: a retired or marked
            // account is refused by other rules.
            let current = self.accounts.get(&account) == Some(&AccountStatus::Current);
            if let (true, Some(since)) = (current, self.account_changed_at.get(&account).and_then(|t| parse_utc(t))) {
                let change_made_by = self.account_changed_by.get(&account).cloned().unwrap_or_default();
                facts.cooling_off = Some(CoolingOff { since, at, change_made_by });
            }
        }
        facts.partner_frozen = case.partner.and_then(|p| self.freeze_holding(p, case.account_key.as_deref(), at)).map(|f| f.describe());
        Some(facts)
    }

    /// A user's role and enabled state, if the statements made them a user.
    pub fn user(&self, name: &str) -> Option<&UserState> {
        self.users.get(name)
    }
}

/// The name check a `case.name_check` statement attaches (none for other statements), checked as
/// the service checked it, at the statement's own time `at`, against the case's account.
fn name_check_of(event: &LoggedEvent, d: &Value, case_account: Option<&str>, at: OffsetDateTime) -> Result<Option<NameCheck>, Fault> {
    if event.action != "case.name_check" {
        return Ok(None);
    }
    NameCheck::from_statement(d, case_account, at)
        .map(Some)
        .map_err(|e| Fault::new(StatementFault::Malformed, format!("its name check: {e}")))
}

/// The case action a case statement (other than `case.export`) asks the rules for.
fn case_action(event: &LoggedEvent, d: &Value) -> Result<CaseAction, Fault> {
    Ok(match event.action.as_str() {
        "case.challenge" => CaseAction::StartCallback,
        // A v2 confirmation the recorder could not check; a denial or no answer is what it says.
        "case.callback" if d["response_checked"] == Value::Bool(false) && d["outcome"] == "confirmed" => CaseAction::ConfirmUnchecked,
        "case.callback" => {
            let outcome = d["outcome"].as_str().and_then(CallbackOutcome::parse).ok_or("it names no outcome")?;
            CaseAction::RecordCallback { outcome, response_correct: d["response_matched"].as_bool().unwrap_or(false) }
        }
        "case.callback_wrong_response" => CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: false },
        "case.approve" if d["response_checked"] == Value::Bool(true) => CaseAction::ApproveCheckingResponse { response_correct: true },
        "case.response_check_failed" => CaseAction::ApproveCheckingResponse { response_correct: false },
        "case.approve" => CaseAction::Approve,
        "case.reject" => CaseAction::Reject,
        "case.reopen" => CaseAction::Reopen,
        "case.release" => CaseAction::Release,
        "case.release_early" => {
            if d["reason"].as_str().is_none_or(|r| r.trim().is_empty()) {
                return Err(Fault::new(StatementFault::Malformed, "an early release gives no reason".into()));
            }
            CaseAction::ReleaseEarly
        }
        other => return Err(format!("{other} is not a statement").into()),
    })
}

pub(super) fn user_subject(event: &LoggedEvent) -> Result<&str, Fault> {
    event.subject.strip_prefix("user:").ok_or_else(|| format!("its subject {:?} is not a user", event.subject).into())
}

pub(super) fn id_subject(event: &LoggedEvent, prefix: &str) -> Result<i64, Fault> {
    event
        .subject
        .strip_prefix(prefix)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("its subject {:?} is not {prefix}ID", event.subject).into())
}

/// Details without their signature member, and without the change they apply (what the row
/// holds).
pub(super) fn unsigned(details: &Value) -> Value {
    let mut d = details.clone();
    if let Some(map) = d.as_object_mut() {
        map.remove(super::statement::SIGNATURE_MEMBER);
        map.remove(crate::changes::CHANGE_MEMBER);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::{canonical_json, event_hash, EventFields, GENESIS};
    use crate::audit::statement::{sign, StatementFields};
    use crate::format::keys::KeyPair;
    use serde_json::json;

    /// A log written the way the service writes it: each statement signed by the key given.
    #[derive(Default)]
    struct Log {
        events: Vec<LoggedEvent>,
        /// Hours waited: later events are this much later.
        waited: i64,
    }

    impl Log {
        fn push(&mut self, key: Option<&KeyPair>, actor: &str, action: &str, subject: &str, details: Value) -> &mut Self {
            let seq = self.events.len() as u64 + 1;
            let start = parse_utc("2026-12-03T09:00:00Z").expect("a time");
            let at = crate::encoding::format_utc(start + time::Duration::minutes(seq as i64 % 60) + time::Duration::hours(self.waited));
            let details = match key {
                Some(key) => sign(key, &StatementFields { at: &at, actor, action, subject }, details),
                None => details,
            };
            let details = canonical_json(&details);
            let prev = self.events.last().map_or(GENESIS, |e| e.hash);
            let fields = EventFields { seq, at: &at, actor, action, subject, details: &details };
            let hash = event_hash(&prev, &fields);
            self.events.push(LoggedEvent {
                seq,
                at: at.clone(),
                actor: actor.into(),
                action: action.into(),
                subject: subject.into(),
                details,
                prev_hash: prev,
                hash,
            });
            self
        }

        fn state(&self) -> ImpliedState {
            ImpliedState::replay(self.events.iter())
        }
    }

    struct Office {
        log: Log,
        org: KeyPair,
        alice: KeyPair,
        clara: KeyPair,
        anna: KeyPair,
    }

    /// `init` (the organisation key signs the first admin, alice), then alice adds clara
    /// (clerk) and anna (approver) with their keys, and onboards partner 1.
    fn office() -> Office {
        let (org, alice, clara, anna) =
            (KeyPair::from_seed(&[1; 32]), KeyPair::from_seed(&[2; 32]), KeyPair::from_seed(&[3; 32]), KeyPair::from_seed(&[4; 32]));
        let mut log = Log::default();
        let init = json!({ "org_public_key": org.public_key().to_base64(), "policy": Policy::default() });
        log.push(Some(&org), SYSTEM, "workspace.init", "workspace", init);
        log.push(Some(&org), SYSTEM, "user.add", "user:alice", json!({ "role": "admin" }));
        log.push(Some(&org), SYSTEM, "user.key_create", "user:alice", json!({ "public_key": alice.public_key().to_base64() }));
        for (name, role, key) in [("clara", "clerk", &clara), ("anna", "approver", &anna)] {
            log.push(Some(&alice), "alice", "user.add", &format!("user:{name}"), json!({ "role": role }));
            log.push(
                Some(&alice),
                "alice",
                "user.key_create",
                &format!("user:{name}"),
                json!({ "public_key": key.public_key().to_base64() }),
            );
        }
        // Two people can check from anna's key on: alice proposes the partner, anna approves.
        let partner = json!({ "name": "Globex", "fingerprint": "F1", "phones": ["+49301234567"], "domains": ["globex.example"], "known_account": "iban:DE1" });
        let mut o = Office { log, org, alice, clara, anna };
        o.change(1, "partner_add", ("partner.add", "partner:new", partner), "partner:1");
        o
    }

    impl Office {
        /// Change `id` of `kind`, one effect: alice proposes it, anna approves it and writes the
        /// effect with `subject`.
        fn change(&mut self, id: i64, kind: &str, effect: (&str, &str, Value), subject: &str) {
            let (action, proposed_subject, details) = effect;
            let proposal = json!({ "kind": kind, "summary": "s", "request_sha256": "aa",
                "effects": [{ "action": action, "subject": proposed_subject, "details": details }] });
            let (alice, anna) = (KeyPair::from_seed(&self.alice.secret_seed()), KeyPair::from_seed(&self.anna.secret_seed()));
            self.log.push(Some(&alice), "alice", "change.propose", &format!("change:{id}"), proposal);
            self.log.push(Some(&anna), "anna", "change.approve", &format!("change:{id}"), json!({ "request_sha256": "aa" }));
            let mut applied = details.clone();
            applied["change"] = json!(id);
            self.log.push(Some(&anna), "anna", action, subject, applied);
        }
    }

    fn receive(o: &mut Office, case: i64, verdict: &str, account: &str) {
        let details = json!({ "verdict": verdict, "partner": 1, "account_key": account, "amount_minor": 4_820_000, "currency": "EUR", "file_sha256": "ab" });
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "instruction.receive", &format!("case:{case}"), details);
    }

    /// Issue 20: a freeze counts only with the partner's notice, verified again here with the
    /// partner's key as the statements give it; it holds the partner's open cases from its
    /// `effective_from`; a lift without the recovery key counts only as an approved change after a
    /// callback to a number on file, never written by one person alone.
    #[test]
    fn a_freeze_counts_only_with_the_partners_notice_and_is_lifted_only_by_a_second_person() {
        use crate::format::freeze::{sign_freeze, FreezeRequest, FreezeScope};
        let mut o = office();
        let partner = KeyPair::from_seed(&[9; 32]);
        let added = json!({ "name": "Initrode", "fingerprint": partner.fingerprint().to_string(), "phones": ["+49301234568"] });
        o.change(2, "partner_add", ("partner.add", "partner:new", added), "partner:2");
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        let receipt = json!({ "verdict": "accepted", "partner": 2, "account_key": "iban:DE3", "file_sha256": "ef" });
        o.log.push(Some(&clara), "clara", "instruction.receive", "case:7", receipt);
        let request = |id: &str| FreezeRequest {
            id: id.into(),
            partner_key: partner.fingerprint(),
            scope: FreezeScope::All,
            effective_from: parse_utc("2026-12-03T08:00:00Z").unwrap(),
            reason: "Mail server compromised".into(),
        };
        let at = parse_utc("2026-12-03T09:30:00Z").unwrap();
        let keys = |k: &KeyPair| json!([{ "public_key": k.public_key().to_base64(), "role": "signing" }]);
        let freeze = |k: &KeyPair, id: &str| json!({ "notice": crate::encoding::b64_encode(&sign_freeze(k, &request(id), at).unwrap()), "keys": keys(k) });
        // A notice a stranger signed, offered with the stranger's key, does not count.
        let mallory = KeyPair::from_seed(&[8; 32]);
        o.log.push(Some(&clara), "clara", "partner.freeze", "partner:2", freeze(&mallory, "f-0"));
        // The partner's own notice counts.
        o.log.push(Some(&clara), "clara", "partner.freeze", "partner:2", freeze(&partner, "f-1"));
        let state = o.log.state();
        assert_eq!(state.problems.len(), 1, "{:?}", state.problems);
        assert!(state.problems[0].why.contains("is not a signing key of partner 2"), "{}", state.problems[0].why);
        assert_eq!(state.standing_freezes(2).map(|f| f.notice.id.as_str()).collect::<Vec<_>>(), ["f-1"]);
        let frozen = state.case_facts(7, at).unwrap().partner_frozen.expect("held by the freeze");
        assert!(frozen.contains("notice f-1 holds every payment"), "{frozen}");
        let before = parse_utc("2026-12-03T07:59:59Z").unwrap();
        assert_eq!(state.case_facts(7, before).unwrap().partner_frozen, None, "not before effective_from");
        // The same notice again does not count twice.
        o.log.push(Some(&clara), "clara", "partner.freeze", "partner:2", freeze(&partner, "f-1"));
        // A lift notice signed by a recovery key no statement pinned for the partner (its card named
        // none) does not count (`recovery_key_status`).
        let recovery = KeyPair::from_seed(&[10; 32]);
        let lift_file = crate::format::freeze::sign_lift(&recovery, "l-1", "f-1", partner.fingerprint(), "fixed", at).unwrap();
        let keys_with_recovery = json!([{ "public_key": partner.public_key().to_base64(), "role": "signing" }, { "public_key": recovery.public_key().to_base64(), "role": "recovery" }]);
        let by_notice = json!({ "freeze_id": "f-1", "lift_notice": crate::encoding::b64_encode(&lift_file), "keys": keys_with_recovery });
        o.log.push(Some(&clara), "clara", "partner.unfreeze", "partner:2", by_notice);
        // A lift by callback that alice writes alone does not count; as an approved change it does.
        let lift = json!({ "freeze_id": "f-1", "how": "callback", "dialed": "+49301234568", "outcome": "confirmed" });
        let alice = KeyPair::from_seed(&o.alice.secret_seed());
        o.log.push(Some(&alice), "alice", "partner.unfreeze", "partner:2", lift.clone());
        assert_eq!(o.log.state().standing_freezes(2).count(), 1);
        o.change(3, "partner_unfreeze", ("partner.unfreeze", "partner:2", lift), "partner:2");
        let state = o.log.state();
        let whys: Vec<&str> = state.problems.iter().map(|p| p.why.as_str()).collect();
        assert_eq!(state.problems.len(), 4, "{whys:?}");
        assert!(whys[1].contains("applied already") && whys[2].contains("is not a recovery key of partner 2"), "{whys:?}");
        assert!(whys[3].contains("needs a second person"), "{whys:?}");
        assert_eq!(state.standing_freezes(2).count(), 0);
        let lifted = state.freezes[&2][0].lifted.clone().unwrap();
        assert_eq!((lifted.how.as_str(), lifted.by.as_str()), ("callback", "anna"));
        assert_eq!(state.case_facts(7, at).unwrap().partner_frozen, None);
    }

    /// A rotation whose `recovery_key` is no public key does not count, and a statement that does
    /// not count changes nothing: the old key stayed retired and the new one active before.
    #[test]
    fn a_rotation_with_an_invalid_recovery_key_changes_no_key() {
        let mut o = office();
        let rotation = json!({ "old": "F1", "new": "F2", "recovery_key": "not a key" });
        o.change(2, "partner_rotate_key", ("partner.rotate_key", "partner:1", rotation), "partner:1");
        let state = o.log.state();
        assert_eq!(state.problems.len(), 1, "{:?}", state.problems);
        assert!(state.problems[0].why.contains("recovery_key is not a valid public key"), "{:?}", state.problems);
        assert_eq!(state.partners[&1].keys, BTreeMap::from([("F1".to_string(), KeyStatus::Active)]));
        assert_eq!(state.partners[&1].recovery_key, None);
    }

    /// Issue 20: where each number on file came from is the statements', and a receipt keeps the
    /// numbers of its email and its place in the log.
    #[test]
    fn each_number_on_file_has_the_provenance_its_statement_gives() {
        let mut o = office();
        let onboarded = &o.log.state().partners[&1].numbers["+49301234567"];
        assert_eq!(onboarded.source, NumberSource::Onboarding, "a partner.add from before issue 20: typed at onboarding");
        assert_eq!(
            (onboarded.recorded_by.as_str(), onboarded.approved_by.as_deref(), onboarded.label.as_deref()),
            ("alice", Some("anna"), None)
        );
        let email =
            json!({ "verdict": "hold", "partner": 1, "account_key": "iban:DE2", "file_sha256": "cd", "email_numbers": ["+442079460999"] });
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "instruction.receive", "case:1", email);
        let received = o.log.events.len() as u64;
        o.change(
            2,
            "partner_add_phone",
            ("partner.add_phone", "partner:1", json!({ "e164": "+442079460958", "label": "Treasury" })),
            "partner:1",
        );
        let state = o.log.state();
        assert!(state.problems.is_empty(), "{:?}", state.problems);
        let case = &state.cases[&1];
        assert_eq!((case.received_seq, case.email_numbers.as_slice()), (received, &["+442079460999".to_string()][..]));
        let added = &state.partners[&1].numbers["+442079460958"];
        assert_eq!(
            (added.source, added.label.as_deref(), added.approved_by.as_deref()),
            (NumberSource::Change, Some("Treasury"), Some("anna"))
        );
        assert!(added.seq > received && state.partners[&1].phones.contains("+442079460958"));
        // One person alone cannot put a number on file once two can check.
        let alice = KeyPair::from_seed(&o.alice.secret_seed());
        o.log.push(Some(&alice), "alice", "partner.add_phone", "partner:1", json!({ "e164": "+442079460000" }));
        let state = o.log.state();
        assert!(!state.partners[&1].phones.contains("+442079460000"));
        assert_eq!(state.problems.last().map(|p| p.action.as_str()), Some("partner.add_phone"));
    }

    #[test]
    fn the_statements_of_an_office_give_its_users_partners_and_accounts() {
        let o = office();
        let state = o.log.state();
        assert!(state.problems.is_empty(), "{:?}", state.problems);
        assert_eq!(state.user("alice").map(|u| (u.role, u.enabled, u.key)), Some((Role::Admin, true, Some(o.alice.public_key()))));
        assert_eq!(state.user("anna").map(|u| u.role), Some(Role::Approver));
        assert_eq!(state.partners[&1].keys["F1"], KeyStatus::Active);
        assert_eq!(state.accounts[&(1, "iban:DE1".to_string())], AccountStatus::Current);
        assert_eq!(state.source_of("users", "clara"), Some(5), "her key_create");
        assert!(!state.is_legacy());
    }

    #[test]
    fn a_statement_signed_by_another_key_or_edited_does_not_count() {
        let mut o = office();
        // Clara's key signs a grant in alice's name.
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "alice", "user.add", "user:mallory", json!({ "role": "approver" }));
        // A genuine statement whose details were edited afterwards.
        o.log.push(Some(&o.alice), "alice", "user.disable", "user:anna", json!({}));
        let last = o.log.events.last_mut().unwrap();
        last.subject = "user:clara".into();
        let state = o.log.state();
        assert!(state.user("mallory").is_none());
        assert!(state.user("clara").unwrap().enabled && state.user("anna").unwrap().enabled);
        let whys: Vec<&str> = state.problems.iter().map(|p| p.why.as_str()).collect();
        assert!(whys[0].contains("is signed by"), "{whys:?}");
        assert!(whys[1].contains("does not verify"), "{whys:?}");
    }

    #[test]
    fn a_decision_the_signers_role_does_not_allow_does_not_count() {
        let mut o = office();
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "user.add", "user:mallory", json!({ "role": "admin" }));
        o.log.push(
            Some(&clara),
            "clara",
            "policy.set",
            "policy",
            json!({ "new": Policy { approval_threshold_minor: u64::MAX, ..Default::default() } }),
        );
        let unsigned = json!({ "role": "approver" });
        o.log.push(None, "alice", "user.add", "user:eve", unsigned);
        let state = o.log.state();
        assert!(state.user("mallory").is_none() && state.user("eve").is_none());
        assert_eq!(state.policy, Policy::default());
        assert_eq!(state.problems.len(), 3, "{:?}", state.problems);
        assert!(state.problems[2].why.contains("not signed"), "{:?}", state.problems);
    }

    #[test]
    fn a_held_case_is_approved_only_after_a_confirmed_callback_by_another_approver() {
        let mut o = office();
        receive(&mut o, 1, "hold", "iban:MULE");
        let anna = KeyPair::from_seed(&o.anna.secret_seed());
        // Approving before the callback: the rules refuse it, so it does not count.
        o.log.push(Some(&anna), "anna", "case.approve", "case:1", json!({}));
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Hold);
        assert_eq!(state.accounts[&(1, "iban:MULE".to_string())], AccountStatus::Pending);
        assert!(state.problems[0].why.contains("the rules refuse it"), "{:?}", state.problems);
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", json!({ "outcome": "confirmed", "response_matched": true }));
        o.log.push(Some(&anna), "anna", "case.approve", "case:1", json!({}));
        // Only approvers release an approved case, and not inside the new account's cooling-off
        // (issue 20).
        o.log.push(Some(&clara), "clara", "case.release", "case:1", json!({}));
        o.log.push(Some(&anna), "anna", "case.release", "case:1", json!({}));
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Approved);
        assert!(state.problems[2].why.contains("24 hours"), "{:?}", state.problems);
        o.log.waited = 24;
        o.log.push(Some(&anna), "anna", "case.release", "case:1", json!({}));
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Released);
        assert_eq!(state.cases[&1].called_by, ["clara"]);
        assert_eq!(state.cases[&1].open_attempt_by, None, "the attempt was recorded");
        assert_eq!(state.accounts[&(1, "iban:MULE".to_string())], AccountStatus::Current);
        assert_eq!(state.accounts[&(1, "iban:DE1".to_string())], AccountStatus::Retired);
        assert_eq!(state.problems.len(), 3, "{:?}", state.problems);
        assert_eq!(state.account_changed_by[&(1, "iban:MULE".to_string())], ["clara", "clara", "anna"], "who made the change");
        // The change dates from the approval that made the new account current (issue 18's
        // cooling-off); the first account, from the contract, was no change.
        let approvals: Vec<&String> = o.log.events.iter().filter(|e| e.action == "case.approve").map(|e| &e.at).collect();
        assert_eq!(state.account_changed_at.get(&(1, "iban:MULE".to_string())), approvals.last().copied());
        assert!(!state.account_changed_at.contains_key(&(1, "iban:DE1".to_string())));
    }

    /// Issue 20: an approver's name check counts as the service wrote it: a no match sends an
    /// approved case back to hold and asks for a new approval; a clerk's, an edited one or one of
    /// another account does not count.
    #[test]
    fn a_banks_no_match_sends_an_approved_case_back_to_hold() {
        let mut o = office();
        receive(&mut o, 1, "hold", "iban:MULE");
        let (anna, clara) = (KeyPair::from_seed(&o.anna.secret_seed()), KeyPair::from_seed(&o.clara.secret_seed()));
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", json!({ "outcome": "confirmed", "response_matched": true }));
        o.log.push(Some(&anna), "anna", "case.approve", "case:1", json!({}));
        let check = json!({ "scheme": "vop", "request_id": "R1", "requested_at": "2026-12-03T08:00:00Z",
            "answered_at": "2026-12-03T08:00:01Z", "name_sent": "Globex", "account_sent": "MULE", "answer": "NMTC",
            "outcome": "no_match", "obtained": "api" });
        o.log.push(Some(&clara), "clara", "case.name_check", "case:1", check.clone());
        let mut edited = check.clone();
        edited["outcome"] = json!("match");
        o.log.push(Some(&anna), "anna", "case.name_check", "case:1", edited);
        let mut other = check.clone();
        other["account_sent"] = json!("DE1");
        o.log.push(Some(&anna), "anna", "case.name_check", "case:1", other);
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Approved);
        assert_eq!(state.problems.len(), 3, "{:?}", state.problems);
        assert!(state.problems[0].why.contains("not an approver"), "{:?}", state.problems);
        o.log.push(Some(&anna), "anna", "case.name_check", "case:1", check);
        let state = o.log.state();
        let case = &state.cases[&1];
        assert_eq!((case.status, case.name_checks.len()), (CaseStatus::Hold, 1));
        assert_eq!(case.name_checks[0].attached_by, "anna");
        assert!(state.case_facts(1, parse_utc("2026-12-04T00:00:00Z").unwrap()).unwrap().bank_no_match);
        assert!(state.source_of("name_checks", 1).is_some());
    }

    /// The service lets only clerks and approvers export; the replay once let any user's signed
    /// `case.export` set a released case's bank file, so an admin or auditor could name one.
    #[test]
    fn an_export_by_an_admin_or_auditor_does_not_set_the_bank_file() {
        let mut o = office();
        let frank = KeyPair::from_seed(&[5; 32]);
        let alice = KeyPair::from_seed(&o.alice.secret_seed());
        o.log.push(Some(&alice), "alice", "user.add", "user:frank", json!({ "role": "auditor" }));
        o.log.push(Some(&alice), "alice", "user.key_create", "user:frank", json!({ "public_key": frank.public_key().to_base64() }));
        receive(&mut o, 1, "hold", "iban:MULE");
        let (clara, anna) = (KeyPair::from_seed(&o.clara.secret_seed()), KeyPair::from_seed(&o.anna.secret_seed()));
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", json!({ "outcome": "confirmed", "response_matched": true }));
        o.log.push(Some(&anna), "anna", "case.approve", "case:1", json!({}));
        o.log.waited = 24;
        o.log.push(Some(&anna), "anna", "case.release", "case:1", json!({}));
        assert!(o.log.state().problems.is_empty(), "{:?}", o.log.state().problems);
        let file = |n: u8| json!({ "format": "pain001", "bank_file_sha256": format!("{n:064}"), "copy": false });
        o.log.push(Some(&alice), "alice", "case.export", "case:1", file(1));
        o.log.push(Some(&frank), "frank", "case.export", "case:1", file(2));
        let state = o.log.state();
        assert_eq!(state.cases[&1].bank_file_sha256, None);
        let problems: Vec<(StatementFault, &str)> = state.problems.iter().map(|p| (p.kind, p.why.as_str())).collect();
        assert_eq!(
            problems,
            [
                (StatementFault::Authority, "alice is admin, which may not do this"),
                (StatementFault::Authority, "frank is auditor, which may not do this")
            ]
        );
        // A clerk's export counts, and later exports must name the same file.
        o.log.push(Some(&clara), "clara", "case.export", "case:1", file(3));
        assert_eq!(o.log.state().cases[&1].bank_file_sha256, Some(format!("{:064}", 3)));
    }

    /// Issue 15: a v2 file's confirmation by a clerk is unchecked; a "checked" one by a clerk does
    /// not count (clerks hold no callback key); the approval checks it, and a failed check sends
    /// the case back to hold as a wrong response.
    #[test]
    fn a_v2_confirmation_is_unchecked_until_the_approval_checks_it() {
        let mut o = office();
        let details = json!({ "verdict": "hold", "partner": 1, "account_key": "iban:NEW", "file_sha256": "ab", "callback_key": "K" });
        let (clara, anna) = (KeyPair::from_seed(&o.clara.secret_seed()), KeyPair::from_seed(&o.anna.secret_seed()));
        o.log.push(Some(&clara), "clara", "instruction.receive", "case:1", details);
        assert!(o.log.state().cases[&1].response_needs_callback_key);
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        let claimed = json!({ "outcome": "confirmed", "response_matched": true });
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", claimed);
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Hold);
        assert!(state.problems[0].why.contains("holds no callback key"), "{:?}", state.problems);
        let unchecked = json!({ "outcome": "confirmed", "response_checked": false });
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", unchecked.clone());
        assert!(o.log.state().cases[&1].response_unchecked);
        // An approval that does not say it checked the response does not count.
        o.log.push(Some(&anna), "anna", "case.approve", "case:1", json!({}));
        assert_eq!(o.log.state().cases[&1].status, CaseStatus::CallbackConfirmed);
        o.log.push(Some(&anna), "anna", "case.response_check_failed", "case:1", json!({}));
        let state = o.log.state();
        assert_eq!((state.cases[&1].status, state.cases[&1].wrong_responses), (CaseStatus::Hold, 1));
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "D" }));
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", unchecked);
        o.log.push(Some(&anna), "anna", "case.approve", "case:1", json!({ "response_checked": true }));
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Approved);
        assert!(!state.cases[&1].response_unchecked);
        assert_eq!(state.problems.len(), 2, "{:?}", state.problems);
    }

    /// The replay keeps the service's rule: a callback is recorded on an attempt its recorder
    /// started. Without it, one approver's password would pay a held case: a callback "recorded"
    /// with no challenge of their own, then their approval.
    #[test]
    fn a_callback_without_an_attempt_of_ones_own_does_not_count() {
        let mut o = office();
        receive(&mut o, 1, "hold", "iban:MULE");
        let anna = KeyPair::from_seed(&o.anna.secret_seed());
        o.log.push(Some(&anna), "anna", "case.callback", "case:1", json!({ "outcome": "confirmed", "response_matched": true }));
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        o.log.push(Some(&anna), "anna", "case.callback", "case:1", json!({ "outcome": "confirmed", "response_matched": true }));
        o.log.push(Some(&anna), "anna", "case.approve", "case:1", json!({}));
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Hold);
        let whys: Vec<&str> = state.problems.iter().map(|p| p.why.as_str()).collect();
        assert_eq!(whys.len(), 3, "{whys:?}");
        assert!(whys[0].contains("started no open callback attempt") && whys[1].contains("started no open callback attempt"), "{whys:?}");
    }

    #[test]
    fn a_denied_callback_marks_the_account_fraudulent_everywhere() {
        let mut o = office();
        receive(&mut o, 1, "hold", "iban:MULE");
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", json!({ "outcome": "denied" }));
        let state = o.log.state();
        assert_eq!(state.cases[&1].status, CaseStatus::Quarantined);
        assert!(state.marks.get("iban:MULE").is_some_and(|m| !m.confirmed && m.marked_by == "clara"));
        assert_eq!(state.accounts[&(1, "iban:MULE".to_string())], AccountStatus::Fraudulent);
    }

    #[test]
    fn a_disabled_users_statements_do_not_count() {
        let mut o = office();
        o.log.push(Some(&o.alice), "alice", "user.disable", "user:clara", json!({}));
        receive(&mut o, 1, "accepted", "iban:DE1");
        let state = o.log.state();
        assert!(!state.cases.contains_key(&1));
        assert!(state.problems[0].why.contains("disabled"), "{:?}", state.problems);
    }

    #[test]
    fn a_user_cannot_give_themselves_a_key_and_a_reset_replaces_it() {
        let mut o = office();
        let own = KeyPair::from_seed(&[9; 32]);
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "user.key_create", "user:clara", json!({ "public_key": own.public_key().to_base64() }));
        assert_eq!(o.log.state().user("clara").unwrap().key, Some(o.clara.public_key()));
        let new_key = json!({ "public_key": own.public_key().to_base64() });
        o.log.push(Some(&o.alice), "alice", "user.key_create", "user:clara", new_key.clone());
        assert_eq!(
            o.log.state().user("clara").unwrap().key,
            Some(o.clara.public_key()),
            "a new key for a user who has one needs four eyes"
        );
        o.change(2, "user_reset_password", ("user.key_create", "user:clara", new_key), "user:clara");
        receive(&mut o, 1, "accepted", "iban:DE1");
        let state = o.log.state();
        assert_eq!(state.user("clara").unwrap().key, Some(own.public_key()));
        assert!(!state.cases.contains_key(&1), "signed with her old key after the reset");
        let _ = &o.org;
    }

    /// A denied callback on a version-2 file, whose response the clerk could not check, is a
    /// denial all the same: the case quarantined and the account suspected.
    #[test]
    fn a_denied_callback_on_a_v2_file_marks_the_account() {
        let mut o = office();
        receive(&mut o, 1, "hold", "iban:MULE");
        let clara = KeyPair::from_seed(&o.clara.secret_seed());
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", json!({ "outcome": "denied", "response_checked": false }));
        let state = o.log.state();
        assert!(state.problems.is_empty(), "{:?}", state.problems);
        assert_eq!(state.cases[&1].status, CaseStatus::Quarantined);
        assert!(state.marks.contains_key("iban:MULE"));
    }

    #[test]
    fn a_workspace_is_in_setup_mode_until_two_people_can_check() {
        let mut log = Log::default();
        let (org, alice, anna) = (KeyPair::from_seed(&[1; 32]), KeyPair::from_seed(&[2; 32]), KeyPair::from_seed(&[4; 32]));
        log.push(Some(&org), SYSTEM, "workspace.init", "workspace", json!({ "org_public_key": org.public_key().to_base64() }));
        log.push(Some(&org), SYSTEM, "user.add", "user:alice", json!({ "role": "admin" }));
        log.push(Some(&org), SYSTEM, "user.key_create", "user:alice", json!({ "public_key": alice.public_key().to_base64() }));
        log.push(Some(&alice), "alice", "partner.add", "partner:1", json!({ "name": "Globex", "fingerprint": "F1" }));
        let state = log.state();
        assert!(state.in_setup_mode() && state.partners.contains_key(&1), "{:?}", state.problems);
        log.push(Some(&alice), "alice", "user.add", "user:anna", json!({ "role": "approver" }));
        log.push(Some(&alice), "alice", "user.key_create", "user:anna", json!({ "public_key": anna.public_key().to_base64() }));
        log.push(Some(&alice), "alice", "partner.add", "partner:2", json!({ "name": "Acme", "fingerprint": "F2" }));
        let state = log.state();
        assert_eq!((state.four_eyes_since, state.checkers()), (Some(6), vec!["alice", "anna"]));
        assert!(!state.partners.contains_key(&2));
        assert!(state.problems[0].why.contains("needs a second person"), "{:?}", state.problems);
    }

    #[test]
    fn one_person_alone_cannot_pin_add_an_approver_reset_or_loosen_once_two_can_check() {
        let mut o = office();
        let alice = KeyPair::from_seed(&o.alice.secret_seed());
        o.log.push(Some(&alice), "alice", "partner.add", "partner:2", json!({ "name": "Alice Ltd", "fingerprint": "F9" }));
        o.log.push(Some(&alice), "alice", "user.add", "user:mallory", json!({ "role": "approver" }));
        o.log.push(Some(&alice), "alice", "user.add", "user:colin", json!({ "role": "clerk" }));
        o.log.push(Some(&alice), "alice", "user.reset_password", "user:anna", json!({}));
        let looser = Policy { approval_threshold_minor: 1_000_000_00, ..Policy::default() };
        o.log.push(Some(&alice), "alice", "policy.set", "policy", json!({ "old": Policy::default(), "new": looser }));
        let tighter = Policy { approval_threshold_minor: 1_00, ..Policy::default() };
        o.log.push(Some(&alice), "alice", "policy.set", "policy", json!({ "old": Policy::default(), "new": tighter }));
        let state = o.log.state();
        let refused: Vec<_> = state.problems.iter().map(|p| p.action.as_str()).collect();
        assert_eq!(refused, ["partner.add", "user.add", "user.reset_password", "policy.set"]);
        assert!(state.user("colin").is_some() && state.user("mallory").is_none(), "a clerk needs no second person");
        assert_eq!(state.policy.approval_threshold_minor, 1_00, "tightening takes effect at once");
    }

    #[test]
    fn a_change_counts_only_when_another_checker_approves_it_and_writes_what_was_proposed() {
        let mut o = office();
        let (alice, anna) = (KeyPair::from_seed(&o.alice.secret_seed()), KeyPair::from_seed(&o.anna.secret_seed()));
        let effect = json!({ "name": "Acme", "fingerprint": "F2" });
        let proposal = |id: i64| {
            json!({ "kind": "partner_add", "summary": "s", "request_sha256": format!("{id:02}"),
            "effects": [{ "action": "partner.add", "subject": "partner:new", "details": effect }] })
        };
        // The maker approves her own change: refused; it stays pending.
        o.log.push(Some(&alice), "alice", "change.propose", "change:2", proposal(2));
        o.log.push(Some(&alice), "alice", "change.approve", "change:2", json!({ "request_sha256": "02" }));
        // Approved, but the effect written differs from the proposal.
        o.log.push(Some(&anna), "anna", "change.approve", "change:2", json!({ "request_sha256": "02" }));
        o.log.push(Some(&anna), "anna", "partner.add", "partner:2", json!({ "name": "Acme", "fingerprint": "F666", "change": 2 }));
        // Approved, then something else, then the effect: not right after its approval.
        o.log.push(Some(&alice), "alice", "change.propose", "change:3", proposal(3));
        o.log.push(Some(&anna), "anna", "change.approve", "change:3", json!({ "request_sha256": "03" }));
        receive(&mut o, 1, "hold", "iban:DE1");
        o.log.push(Some(&anna), "anna", "partner.add", "partner:2", json!({ "name": "Acme", "fingerprint": "F2", "change": 3 }));
        // A change approved for another request.
        o.log.push(Some(&alice), "alice", "change.propose", "change:4", proposal(4));
        o.log.push(Some(&anna), "anna", "change.approve", "change:4", json!({ "request_sha256": "05" }));
        let state = o.log.state();
        let refused: Vec<_> = state.problems.iter().map(|p| (p.action.as_str(), p.subject.as_str())).collect();
        assert_eq!(
            refused,
            [("change.approve", "change:2"), ("partner.add", "partner:2"), ("partner.add", "partner:2"), ("change.approve", "change:4")]
        );
        assert!(!state.partners.contains_key(&2));
        assert_eq!(state.changes[&2].status, ChangeStatus::Approved);
        assert_eq!(state.changes[&4].status, ChangeStatus::Pending);
        o.change(5, "partner_add", ("partner.add", "partner:new", effect.clone()), "partner:2");
        assert_eq!(o.log.state().partners[&2].name, "Acme");
    }

    #[test]
    fn a_workspace_with_two_checkers_cannot_fall_back_to_one() {
        let mut o = office();
        let alice = KeyPair::from_seed(&o.alice.secret_seed());
        o.log.push(Some(&alice), "alice", "user.disable", "user:anna", json!({}));
        o.log.push(Some(&alice), "alice", "user.disable", "user:clara", json!({}));
        let state = o.log.state();
        assert!(state.user("anna").unwrap().enabled && !state.user("clara").unwrap().enabled);
        assert!(state.problems[0].why.contains("fewer than two"), "{:?}", state.problems);
        assert!(!state.in_setup_mode());
    }

    #[test]
    fn a_suspected_account_is_confirmed_by_a_second_person_and_cleared_only_with_four_eyes() {
        let mut o = office();
        receive(&mut o, 1, "hold", "iban:MULE");
        let (clara, alice, anna) = (
            KeyPair::from_seed(&o.clara.secret_seed()),
            KeyPair::from_seed(&o.alice.secret_seed()),
            KeyPair::from_seed(&o.anna.secret_seed()),
        );
        o.log.push(Some(&clara), "clara", "case.challenge", "case:1", json!({ "challenge": "C" }));
        o.log.push(Some(&clara), "clara", "case.callback", "case:1", json!({ "outcome": "denied" }));
        o.log.push(Some(&clara), "clara", "account.confirm_fraud", "account:iban:MULE", json!({ "reason": "r" }));
        o.log.push(Some(&alice), "alice", "account.clear", "account:iban:MULE", json!({ "reason": "r" }));
        assert!(o.log.state().marks.get("iban:MULE").is_some_and(|m| !m.confirmed), "a clerk confirms nothing; one admin clears nothing");
        o.log.push(Some(&anna), "anna", "account.confirm_fraud", "account:iban:MULE", json!({ "reason": "r" }));
        assert!(o.log.state().marks["iban:MULE"].confirmed);
        o.change(2, "account_clear", ("account.clear", "account:iban:MULE", json!({ "reason": "r" })), "account:iban:MULE");
        let state = o.log.state();
        assert!(!state.marks.contains_key("iban:MULE"));
        assert_eq!(state.accounts[&(1, "iban:MULE".to_string())], AccountStatus::Pending);
        assert_eq!(state.problems.len(), 2, "{:?}", state.problems);
    }

    #[test]
    fn events_before_an_upgrade_count_unsigned_and_later_ones_do_not() {
        let alice = KeyPair::from_seed(&[2; 32]);
        let mut log = Log::default();
        log.push(None, SYSTEM, "workspace.init", "workspace", json!({}));
        log.push(None, SYSTEM, "user.add", "user:alice", json!({ "role": "admin" }));
        log.push(None, "alice", "user.key_create", "user:alice", json!({ "public_key": alice.public_key().to_base64() }));
        assert!(log.state().is_legacy());
        let hash = crate::audit::chain::hex(&log.events[2].hash);
        log.push(Some(&alice), "alice", "workspace.upgrade", "workspace", json!({ "legacy_through": 3, "legacy_through_hash": hash }));
        log.push(None, "alice", "user.add", "user:eve", json!({ "role": "admin" }));
        log.push(Some(&alice), "alice", "user.add", "user:bob", json!({ "role": "clerk" }));
        let state = log.state();
        assert!(!state.is_legacy());
        assert_eq!(state.user("alice").map(|u| u.role), Some(Role::Admin));
        assert!(state.user("eve").is_none() && state.user("bob").is_some());
        assert_eq!(state.problems.len(), 1, "{:?}", state.problems);
    }
}
