//! Signed decisions where they are written and where they are used (issue 14). Every statement
//! event (see [`countersign_core::audit::state::STATEMENT_ACTIONS`]) is signed with the acting
//! user's personal key in the transaction that makes its effect; before the service acts on a
//! row, it compares the row with the state the signed statements imply, and refuses a row with no
//! valid statement behind it (`state_unverified`, logged). `audit verify` compares every row
//! ([`compare_all`]).
//!
//! The implied state is replayed once per process and then brought up to date with the events
//! written since (by this process or another); the replay checks every signature.

use crate::ErrorText;
use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::{ServiceError, ServiceResult, Session, Workspace};
use countersign_core::audit::log::{EventFilter, LoggedEvent};
use countersign_core::audit::state::{legacy_boundary, ImpliedState, StateMismatch, SYSTEM, UPGRADE_ACTION};
use countersign_core::audit::statement::{sign, StatementFields};
use countersign_core::auth::Role;
use countersign_core::cases::flow::CaseFacts;
use countersign_core::cases::policy::Policy;
use countersign_core::cases::record::Case;
use countersign_core::encoding::sha256_hex;
use countersign_core::format::keys::KeyPair;
use countersign_core::paging::Page;
use countersign_core::registry::{AccountRecord, PinnedKey};
use countersign_store::prelude::*;
use countersign_store::{Tx, UserRow};

/// Appends a statement signed by `key` for `actor`; returns its sequence number.
pub(super) fn append_signed(
    tx: &dyn Tx,
    key: &KeyPair,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    details: Value,
) -> ServiceResult<u64> {
    let fields = StatementFields { at, actor, action, subject };
    let signed = sign(key, &fields, details);
    Ok(tx.append_event(at, actor, action, subject, &signed)?)
}

/// Appends a statement by the session's user, signed with their personal key.
pub(super) fn append_statement(
    tx: &dyn Tx,
    session: &Session,
    at: &str,
    action: &str,
    subject: &str,
    details: Value,
) -> ServiceResult<u64> {
    append_signed(tx, &session.keys().personal, at, session.user(), action, subject, details)
}

/// Who signs a statement written by code shared between `init`, an admin's session and the
/// upgrade of an old workspace.
pub(super) enum Signer<'a> {
    /// The system at `init`, with the organisation key.
    System(&'a KeyPair),
    /// A user of a workspace that predates signed statements, not yet upgraded: unsigned, and
    /// counted only through the upgrade statement that follows.
    Legacy(&'a str),
}

impl Signer<'_> {
    /// Appends the statement, signed as this signer signs.
    pub(super) fn append(&self, tx: &dyn Tx, at: &str, action: &str, subject: &str, details: Value) -> ServiceResult<u64> {
        match self {
            Signer::System(key) => append_signed(tx, key, at, SYSTEM, action, subject, details),
            Signer::Legacy(name) => Ok(tx.append_event(at, name, action, subject, &details)?),
        }
    }
}

/// Brings `state` up to date with the events in `tx` after the last one it saw.
pub(super) fn refresh(tx: &dyn Tx, state: &mut ImpliedState) -> ServiceResult<()> {
    let next = state.last.map_or(1, |(seq, _)| seq + 1);
    if next == 1 {
        // The whole log (as `events_from(1)` reads it: sequence numbers from 1), replayed a row at
        // a time as the store reads it, never held at once (issue 19: 100,000 events at sign-in
        // kept the app's memory high); the same state as `ImpliedState::replay` of them all.
        let whole = EventFilter { page: Page { limit: None, after: Some(0) }, ..Default::default() };
        // The boundary is the first upgrade statement's: one row is all that is asked for.
        let first = Page { limit: Some(1), after: Some(0) };
        let upgrades = tx.events_matching(&EventFilter { action: Some(UPGRADE_ACTION.into()), page: first, ..Default::default() })?;
        let mut replayed = ImpliedState::taking_as_legacy(legacy_boundary(upgrades.iter()));
        tx.visit_events_matching(&whole, &mut |event| replayed.apply(&event))?;
        *state = replayed;
        return Ok(());
    }
    let events: Vec<LoggedEvent> = tx.events_from(next)?;
    state.apply_all(events.iter());
    Ok(())
}

/// A row that differs from the statements: the table, the row and how.
#[derive(Debug)]
pub(super) struct Difference {
    table: &'static str,
    row: String,
    what: String,
}

/// The difference `what` in row `row` of `table`.
pub(super) fn differs<T>(table: &'static str, row: impl std::fmt::Display, what: impl Into<String>) -> Result<T, Difference> {
    Err(Difference { table, row: row.to_string(), what: what.into() })
}

impl From<Difference> for ServiceError {
    /// The refusal of a row with no valid statement behind it (`state_unverified`).
    fn from(d: Difference) -> Self {
        let text = format!(
            "the {} row {} is not backed by a signed statement: {}. Nothing was done; run `countersign audit verify` and restore the workspace from a backup",
            d.table, d.row, d.what
        );
        ServiceError::StateUnverified(ErrorText::detailed("row_unbacked", text).with("table", d.table).with("row", d.row))
    }
}

/// The user row compared with the statements: role and enabled state, and the personal key.
pub(super) fn check_user(state: &ImpliedState, row: &UserRow) -> Result<Role, Difference> {
    let name = &row.name;
    let Some(signed) = state.user(name) else {
        return differs("users", name, "no signed statement added this user");
    };
    if row.role != signed.role.as_str() {
        return differs("users", name, format!("its role is {}, the statements give {}", row.role, signed.role.as_str()));
    }
    if row.disabled == signed.enabled {
        let said = if signed.enabled { "enabled" } else { "disabled" };
        return differs("users", name, format!("its enabled state differs from the statements, which say {said}"));
    }
    if let (Some(stored), Some(key)) = (row.public_key, signed.key) {
        if stored != key.to_bytes() {
            return differs("users", name, "its personal key is not the one an admin's statement gave");
        }
    }
    Ok(signed.role)
}

/// The case row compared with the statements: status, partner, account, amount, currency,
/// BIC and receiver.
pub(super) fn check_case(state: &ImpliedState, case: &Case) -> Result<(), Difference> {
    let id = case.id;
    let Some(signed) = state.cases.get(&id) else {
        return differs("cases", id, "no signed receipt opened this case");
    };
    let other = |what: &str| differs("cases", id, format!("its {what} differs from the signed statements"));
    if case.status != signed.status {
        return differs("cases", id, format!("its status is {}, the signed statements give {}", case.status, signed.status));
    }
    if case.partner_id != signed.partner {
        return other("partner");
    }
    if case.account_key != signed.account_key {
        return other("account");
    }
    if case.amount_minor != signed.amount_minor || case.currency != signed.currency {
        return other("amount");
    }
    if case.account_bic != signed.account_bic {
        return other("BIC");
    }
    if case.received_by != signed.received_by {
        return other("receiver");
    }
    if case.wrong_responses != signed.wrong_responses {
        return differs("cases", id, "its count of wrong responses differs from the signed statements");
    }
    Ok(())
}

/// A pinned key row compared with the statements.
pub(super) fn check_key(state: &ImpliedState, key: &PinnedKey) -> Result<(), Difference> {
    match state.partners.get(&key.partner_id).and_then(|p| p.keys.get(&key.fingerprint)) {
        Some(status) if *status == key.status => Ok(()),
        Some(status) => differs("partner_keys", &key.fingerprint, format!("its status is {}, the statements give {status}", key.status)),
        None => differs("partner_keys", &key.fingerprint, format!("no signed statement pinned it for partner {}", key.partner_id)),
    }
}

/// An account row compared with the statements.
pub(super) fn check_account(state: &ImpliedState, account: &AccountRecord) -> Result<(), Difference> {
    let row = format!("{}:{}", account.partner_id, account.account_key);
    match state.accounts.get(&(account.partner_id, account.account_key.clone())) {
        Some(status) if *status == account.status => Ok(()),
        Some(status) => differs("accounts", row, format!("its status is {}, the statements give {status}", account.status)),
        None => differs("accounts", row, "no signed statement or accepted instruction put it in the history"),
    }
}

/// The on-file numbers of a partner, checked: every row must be one a signed statement put on file.
pub(super) fn check_phones(state: &ImpliedState, partner_id: i64, rows: &[String]) -> Result<(), Difference> {
    let signed = state.partners.get(&partner_id);
    match rows.iter().find(|n| !signed.is_some_and(|p| p.phones.contains(*n))) {
        Some(extra) => differs("partner_phones", format!("{partner_id} {extra}"), "no signed statement put this number on file"),
        None => Ok(()),
    }
}

impl Workspace {
    /// The implied state, brought up to date (a read transaction).
    pub(super) fn implied_state(&mut self) -> ServiceResult<&ImpliedState> {
        let state = &mut self.implied;
        self.store.read(|tx| refresh(tx, state))?;
        Ok(&self.implied)
    }

    /// Logs a `state_unverified` refusal in a transaction of its own and returns it.
    pub(super) fn refuse_unverified<T>(&mut self, actor: &str, subject: &str, error: ServiceError) -> ServiceResult<T> {
        self.refuse(actor, "state.unverified", subject, json!({}), error)
    }

    /// `result`, with a `state_unverified` failure logged as `actor`'s refusal.
    pub(super) fn log_unverified<T>(&mut self, actor: &str, subject: &str, result: ServiceResult<T>) -> ServiceResult<T> {
        match result {
            Err(e @ ServiceError::StateUnverified(_)) => self.refuse_unverified(actor, subject, e),
            other => other,
        }
    }

    /// Runs `check` against the up-to-date state; a `state_unverified` failure is logged.
    pub(super) fn verified<T>(
        &mut self,
        actor: &str,
        subject: &str,
        check: impl FnOnce(&dyn Tx, &ImpliedState) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let state = &mut self.implied;
        let result = self.store.read(|tx| -> ServiceResult<T> {
            refresh(tx, state)?;
            check(tx, state)
        });
        match result {
            Err(e @ ServiceError::StateUnverified(_)) => self.refuse_unverified(actor, subject, e),
            other => other,
        }
    }
}

/// Collects the rows that differ from the implied state, with the statement behind each.
struct Mismatches<'s> {
    state: &'s ImpliedState,
    found: Vec<StateMismatch>,
}

impl Mismatches<'_> {
    fn add_difference(&mut self, d: Difference) {
        self.add(d.table, d.row, d.what);
    }

    fn add(&mut self, table: &str, row: impl std::fmt::Display, what: impl Into<String>) {
        let row = row.to_string();
        let event = self.state.source_of(table, &row);
        self.found.push(StateMismatch { table: table.into(), row, what: what.into(), event });
    }

    fn users(&mut self, tx: &dyn Tx) -> ServiceResult<()> {
        let rows = tx.users(&Page::default())?;
        for row in &rows {
            if let Err(d) = check_user(self.state, row) {
                self.add_difference(d);
            }
        }
        for name in self.state.users.keys().filter(|n| !rows.iter().any(|r| &r.name == *n)) {
            self.add("users", name, "the statements add this user, the table has no row");
        }
        Ok(())
    }

    fn partners(&mut self, tx: &dyn Tx) -> ServiceResult<()> {
        let partners = tx.partners(&Page::default())?;
        for p in &partners {
            let Some(signed) = self.state.partners.get(&p.id) else {
                self.add("partners", p.id, "no signed statement onboarded this partner");
                continue;
            };
            let phones: BTreeSet<String> = tx.partner_phones(p.id, &Page::default())?.into_iter().map(|n| n.e164).collect();
            for extra in phones.difference(&signed.phones) {
                self.add("partner_phones", format!("{} {extra}", p.id), "no signed statement put this number on file");
            }
            for missing in signed.phones.difference(&phones) {
                self.add("partner_phones", format!("{} {missing}", p.id), "a signed statement put this number on file; the row is gone");
            }
            let domains: BTreeSet<String> = tx.partner_domains(p.id)?.into_iter().collect();
            for extra in domains.difference(&signed.domains) {
                self.add("partner_domains", format!("{} {extra}", p.id), "no signed statement registered this domain");
            }
            for missing in signed.domains.difference(&domains) {
                self.add("partner_domains", format!("{} {missing}", p.id), "a signed statement registered this domain; the row is gone");
            }
            for account in tx.partner_accounts(p.id, &Page::default())? {
                if let Err(d) = check_account(self.state, &account) {
                    self.add_difference(d);
                }
            }
        }
        for id in self.state.partners.keys().filter(|id| !partners.iter().any(|p| p.id == **id)) {
            self.add("partners", id, "a signed statement onboarded this partner; the row is gone");
        }
        let keys = tx.all_keys()?;
        for key in &keys {
            if let Err(d) = check_key(self.state, key) {
                self.add_difference(d);
            }
        }
        for (fingerprint, _) in self.state.partners.values().flat_map(|p| p.keys.iter()) {
            if !keys.iter().any(|k| &k.fingerprint == fingerprint) {
                self.add("partner_keys", fingerprint, "a signed statement pinned this key; the row is gone");
            }
        }
        Ok(())
    }

    fn cases(&mut self, tx: &dyn Tx) -> ServiceResult<()> {
        let cases = tx.cases(None, &Page::default())?;
        for case in &cases {
            if let Err(d) = check_case(self.state, case) {
                self.add_difference(d);
            } else if let Some(signed) = self.state.cases.get(&case.id) {
                let mut called: Vec<String> = tx.callbacks(case.id)?.into_iter().map(|c| c.started_by).collect();
                called.dedup();
                let mut expected = signed.called_by.clone();
                expected.sort();
                called.sort();
                called.dedup();
                if called != expected {
                    self.add("callbacks", case.id, "the callback attempts' callers differ from the signed challenges");
                }
                if let Err(d) = super::name_checks::check_name_checks(self.state, case.id, &tx.name_checks(case.id)?) {
                    self.add_difference(d);
                }
            }
        }
        for id in self.state.cases.keys().filter(|id| !cases.iter().any(|c| c.id == **id)) {
            self.add("cases", id, "a signed receipt opened this case; the row is gone");
        }
        for case in &cases {
            let signed = self.state.cases.get(&case.id).and_then(|c| c.bank_file_sha256.clone());
            let kept = tx.bank_file(case.id)?;
            let kept_sha = kept.as_ref().map(|f| sha256_hex(&f.bytes));
            if kept_sha != signed || kept.as_ref().is_some_and(|f| Some(&f.sha256) != signed.as_ref()) {
                self.add("bank_files", case.id, "the kept bank file is not the one its release or export statement names");
            }
        }
        Ok(())
    }

    /// Fraud marks and pending changes (issue 15).
    fn four_eyes(&mut self, tx: &dyn Tx) -> ServiceResult<()> {
        let marks = tx.fraud_marks(&Page::default())?;
        for mark in &marks {
            if let Err(d) = super::marks::check_mark(self.state, &mark.account_key, Some(mark)) {
                self.add_difference(d);
            }
        }
        for key in self.state.marks.keys().filter(|k| !marks.iter().any(|m| &m.account_key == *k)) {
            self.add("fraudulent_accounts", key, "a signed statement marked this account; the mark is gone");
        }
        let changes = tx.changes(None, &Page::default())?;
        for change in &changes {
            if let Err(d) = super::changes::check_change(self.state, change) {
                self.add_difference(d);
            }
        }
        for id in self.state.changes.keys().filter(|id| !changes.iter().any(|c| c.id == **id)) {
            self.add("pending_changes", id, "a signed statement proposed this change; the row is gone");
        }
        Ok(())
    }

    fn settings(&mut self, tx: &dyn Tx) -> ServiceResult<()> {
        let policy = tx.setting(super::POLICY)?.and_then(|t| serde_json::from_str::<Policy>(&t).ok());
        if policy.as_ref() != Some(&self.state.policy) {
            self.add("settings", "policy", "the policy differs from the one the signed statements set");
        }
        let account = tx.setting(super::organisation::ORG_ACCOUNT)?.and_then(|t| serde_json::from_str::<Value>(&t).ok());
        if account != self.state.org_account {
            self.add("settings", "org_account", "our account differs from the one a signed statement set");
        }
        let callback_key = tx.setting(super::keyring::CALLBACK_KEY)?.filter(|v| !v.is_empty());
        if callback_key != self.state.callback_key {
            self.add("settings", "callback_key", "our callback key differs from the one a signed statement set");
        }
        let domains = tx.setting(super::email_evidence::ORG_DOMAINS)?.and_then(|t| serde_json::from_str::<Value>(&t).ok());
        if domains.is_some() && domains != self.state.org_domains {
            self.add("settings", "org_domains", "our domains differ from the ones a signed statement set");
        }
        Ok(())
    }
}

/// Every row the statements shape compared with `state`: the differences, table by table.
pub(super) fn compare_all(tx: &dyn Tx, state: &ImpliedState) -> ServiceResult<Vec<StateMismatch>> {
    let mut m = Mismatches { state, found: vec![] };
    m.users(tx)?;
    m.partners(tx)?;
    m.cases(tx)?;
    m.four_eyes(tx)?;
    m.settings(tx)?;
    Ok(m.found)
}

impl Workspace {
    /// Upgrades a workspace from before signed statements, at the first login after the upgrade:
    /// a `workspace.upgrade` statement signed by that user names the last event before it (by
    /// number and hash), which with the events before it is then taken as it stands, and lists,
    /// once, the rows the old log does not account for; those stay unverified.
    pub(super) fn upgrade_to_signed_statements(&mut self, session: &Session, at: &str) -> ServiceResult<()> {
        let state = &mut self.implied;
        self.store.write(|tx| -> ServiceResult<()> {
            refresh(tx, state)?;
            if !state.is_legacy() {
                return Ok(());
            }
            let events = tx.events_from(1)?;
            let through = events.last().map_or(0, |e| e.seq);
            let mut legacy = ImpliedState::taking_as_legacy(through);
            legacy.apply_all(events.iter());
            let unproven: Vec<String> = compare_all(tx, &legacy)?.iter().map(ToString::to_string).collect();
            let hash = events.last().map(|e| countersign_core::audit::chain::hex(&e.hash)).unwrap_or_default();
            let details = json!({ "legacy_through": through, "legacy_through_hash": hash, "unproven": unproven });
            append_statement(tx, session, at, UPGRADE_ACTION, "workspace", details)?;
            Ok(())
        })?;
        self.implied = ImpliedState::default();
        Ok(())
    }
}

impl Workspace {
    /// The policy, from its row checked against the signed statements (a workspace not yet
    /// upgraded has none to check against: its first login upgrades it).
    pub(super) fn verified_policy(&mut self, actor: &str) -> ServiceResult<Policy> {
        let row = self.policy()?;
        self.verified(actor, "policy", |_, state| {
            if state.is_legacy() || row == state.policy {
                Ok(row.clone())
            } else {
                Ok(differs("settings", "policy", "it differs from the policy the signed statements set")?)
            }
        })
    }

    /// The on-file numbers of a partner, from their rows checked against the signed statements.
    pub(super) fn verified_phones(&mut self, actor: &str, partner_id: i64) -> ServiceResult<Vec<String>> {
        self.verified(actor, &format!("partner:{partner_id}"), |tx, state| {
            let rows: Vec<String> = tx.partner_phones(partner_id, &Page::default())?.into_iter().map(|p| p.e164).collect();
            check_phones(state, partner_id, &rows)?;
            Ok(rows)
        })
    }
}

/// A case and the facts the dual-control rules read, from its rows (the case, its callback
/// attempts) checked against the signed statements; the facts are the statements', as they stand
/// now (the cooling-off of the account it pays counts from the service's clock).
pub(super) fn checked_case(tx: &dyn Tx, state: &ImpliedState, id: i64) -> ServiceResult<(Case, CaseFacts)> {
    let case = tx
        .case(id)?
        .ok_or_else(|| ServiceError::NotFound(ErrorText::detailed("case", format!("no case with id {id}")).with("case", id)))?;
    check_case(state, &case)?;
    let signed = state.cases.get(&id).expect("check_case found it");
    let mut called: Vec<String> = tx.callbacks(id)?.into_iter().map(|c| c.started_by).collect();
    called.sort();
    called.dedup();
    let mut expected = signed.called_by.clone();
    expected.sort();
    if called != expected {
        return Ok(differs("callbacks", id, "the callers of its attempts differ from the signed challenges")?);
    }
    let facts = state.case_facts(id, super::now()).expect("check_case found it");
    Ok((case, facts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sqlite_admin_workspace as admin_workspace;
    use crate::{Credentials, ServiceError};
    use countersign_core::audit::chain::{canonical_json, event_hash, EventFields, GENESIS};
    use countersign_core::audit::statement::SIGNATURE_MEMBER;

    /// Turns the workspace in `dir` into one from before signed statements: every event's
    /// signature removed and the chain recomputed, as the old version wrote it (and its
    /// checkpoints, which would no longer match, removed).
    fn make_legacy(dir: &std::path::Path) {
        let db = rusqlite::Connection::open(dir.join("ws").join(countersign_store::sqlite::DATABASE_FILE)).unwrap();
        db.execute_batch("DROP TRIGGER audit_events_no_update; DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints;").unwrap();
        let rows: Vec<(i64, String, String, String, String, String)> = db
            .prepare("SELECT seq, at, actor, action, subject, details FROM audit_events ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut prev = GENESIS;
        for (seq, at, actor, action, subject, details) in rows {
            let mut value: Value = serde_json::from_str(&details).unwrap();
            value.as_object_mut().unwrap().remove(SIGNATURE_MEMBER);
            value.as_object_mut().unwrap().remove("org_public_key");
            let details = canonical_json(&value);
            let fields = EventFields { seq: seq as u64, at: &at, actor: &actor, action: &action, subject: &subject, details: &details };
            let hash = event_hash(&prev, &fields);
            db.execute(
                "UPDATE audit_events SET details = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
                rusqlite::params![details, &prev[..], &hash[..], seq],
            )
            .unwrap();
            prev = hash;
        }
    }

    fn login(ws: &mut Workspace, user: &str, password: &str) -> ServiceResult<Session> {
        ws.login(&Credentials { user, password, totp: None })
    }

    /// Issue 14: an existing workspace is upgraded at its first login by a statement that names the
    /// old log's last event; the old events count as they stand, later ones must be signed.
    #[test]
    fn a_workspace_from_before_signed_statements_is_upgraded_at_its_first_login() {
        let (dir, mut ws, admin) = admin_workspace();
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        drop(ws);
        make_legacy(dir.path());
        let mut ws = Workspace::open(&dir.path().join("ws")).unwrap();
        assert!(ws.implied_state().unwrap().is_legacy());
        let clara = login(&mut ws, "clara", "clara password 1").unwrap();
        let state = ws.implied_state().unwrap();
        assert!(!state.is_legacy());
        assert!(state.problems.is_empty(), "{:?}", state.problems);
        let upgrade = ws.store.read(|tx| {
            tx.events_matching(&countersign_core::audit::log::EventFilter { action: Some(UPGRADE_ACTION.into()), ..Default::default() })
        });
        let upgrade = upgrade.unwrap().pop().expect("one upgrade statement");
        assert_eq!(upgrade.actor, "clara");
        let details: Value = serde_json::from_str(&upgrade.details).unwrap();
        assert_eq!(details["legacy_through"], upgrade.seq - 1);
        assert_eq!(details["unproven"], json!([]));
        // Work goes on, signed; and a second login does not upgrade again.
        assert!(ws.cases(&clara, None).is_ok());
        let admin = login(&mut ws, "alice", "alice password 1").unwrap();
        ws.add_user(&admin, "anna", Role::Approver, "anna password 1").unwrap();
        let report = ws.verify_audit(&admin, None).unwrap();
        assert!(report.statements.is_empty() && report.state.is_empty(), "{:?} {:?}", report.statements, report.state);
    }

    /// A row edited before the upgrade is listed once by the upgrade, and stays refused.
    #[test]
    fn a_row_the_old_log_does_not_account_for_stays_unverified_after_the_upgrade() {
        let (dir, mut ws, admin) = admin_workspace();
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        drop(ws);
        make_legacy(dir.path());
        let db = rusqlite::Connection::open(dir.path().join("ws").join(countersign_store::sqlite::DATABASE_FILE)).unwrap();
        db.execute("UPDATE users SET role = 'approver' WHERE name = 'clara'", []).unwrap();
        let mut ws = Workspace::open(&dir.path().join("ws")).unwrap();
        login(&mut ws, "alice", "alice password 1").unwrap();
        let upgrade = ws.store.read(|tx| tx.events_from(1)).unwrap().into_iter().find(|e| e.action == UPGRADE_ACTION).unwrap();
        let details: Value = serde_json::from_str(&upgrade.details).unwrap();
        let unproven = details["unproven"].as_array().unwrap();
        assert_eq!(unproven.len(), 1, "{unproven:?}");
        assert!(unproven[0].as_str().unwrap().starts_with("users row clara: its role is approver"), "{unproven:?}");
        match login(&mut ws, "clara", "clara password 1") {
            Err(ServiceError::StateUnverified(message)) => assert!(message.contains("users row clara"), "{message}"),
            other => panic!("expected state_unverified, got {other:?}"),
        }
    }
}
