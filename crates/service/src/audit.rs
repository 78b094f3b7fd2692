//! The auditor's side of the verification log: signed checkpoints written with approvals,
//! releases and exports; the full check (chain, tree, checkpoints, and a checkpoint kept
//! outside the database); the evidence bundle; the readable listing. The checks themselves are
//! pure ([`countersign_core::audit::check`], [`countersign_core::audit::bundle`]); this module reads the store and
//! decides who may do what.

use serde_json::json;

use super::keyring::AUDIT_KEY;

/// Settings key of the Merkle frontier of the log at the newest checkpoint.
const AUDIT_FRONTIER: &str = "audit_frontier";
use super::{now, ErrorText, Permission, ServiceError, ServiceResult, Session, Workspace, AUDIT_ORIGIN, ORG_FINGERPRINT};
use countersign_core::audit::bundle::{build, BundleParts};
use countersign_core::audit::check::{check_against, check_log, Consistency, LogReport, Problem, SigningKeys, Tampering};
use countersign_core::audit::checkpoint::{origin_for, Checkpoint};
use countersign_core::audit::log::{EventFilter, LoggedCheckpoint, LoggedEvent};
use countersign_core::audit::merkle::{leaf_hash, Frontier};
use countersign_core::audit::state::{ImpliedState, StateMismatch, StatementProblem, AUTHORITY_ACTIONS};
use countersign_core::encoding::{format_utc, parse_utc};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::keys::PublicKey;
use countersign_core::paging::{Page, Paged};
use countersign_store::prelude::*;
use countersign_store::{StoreError, Tx};

/// What `audit verify` found.
#[derive(Debug)]
pub struct AuditReport {
    /// The check of the events and stored checkpoints.
    pub log: LogReport,
    /// The organisation's audit keys' fingerprints (current last).
    pub audit_keys: Vec<Fingerprint>,
    /// The comparison with a kept checkpoint, when one was given and it held.
    pub against: Option<Consistency>,
    /// The statements that do not count (a signature that does not verify, a decision the
    /// signer's role did not allow), oldest first.
    pub statements: Vec<StatementProblem>,
    /// The rows that differ from the state the signed statements imply.
    pub state: Vec<StateMismatch>,
}

impl AuditReport {
    /// The first problem, from the log or the kept checkpoint.
    pub fn problem(&self) -> Option<&Problem> {
        self.log.problem.as_ref()
    }
}

/// The action of the events that log a user's new personal key.
const USER_KEY_CREATE: &str = "user.key_create";

/// The `user.key_create` events, for [`signing_keys`] when the log is not read anyway.
fn key_events(tx: &dyn Tx) -> ServiceResult<Vec<LoggedEvent>> {
    Ok(tx.events_matching(&EventFilter { action: Some(USER_KEY_CREATE.into()), ..Default::default() })?)
}

/// The keys that sign checkpoints and countersignatures, read from the store. Users' keys are
/// every personal key each user has had as the log records it (`user.key_create` among
/// `events`), never the `users` table's, and not only the current one: a password reset gives a new key, and the approvals countersigned with the
/// old one must still verify.
fn signing_keys<'a>(tx: &dyn Tx, events: impl IntoIterator<Item = &'a LoggedEvent>) -> ServiceResult<SigningKeys> {
    let corrupt = |what: &str| ServiceError::Store(StoreError::Corrupt(format!("{what} is not a valid public key")));
    let audit = tx
        .org_public_keys(AUDIT_KEY)?
        .into_iter()
        .map(|(k, _, _)| PublicKey::from_bytes(&k).ok_or_else(|| corrupt("an audit key")))
        .collect::<ServiceResult<Vec<_>>>()?;
    // Only the keys the log records count: the `users` table is a row like any other, and a key
    // replaced there must not make a re-signed countersignature pass (issue 16). Every personal
    // key is logged by `user.key_create` in the transaction that stores it.
    Ok(SigningKeys { audit, users: logged_user_keys(events) })
}

/// The personal keys logged by the `user.key_create` events among `events`, oldest first. An
/// event whose details were edited is skipped here; the chain check reports the edit.
fn logged_user_keys<'a>(events: impl IntoIterator<Item = &'a LoggedEvent>) -> Vec<(String, PublicKey)> {
    let mut keys: Vec<(String, PublicKey)> = Vec::new();
    for e in events.into_iter().filter(|e| e.action == USER_KEY_CREATE) {
        let Some(name) = e.subject.strip_prefix("user:") else { continue };
        let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
        let Some(key) = details["public_key"].as_str().and_then(PublicKey::from_base64) else { continue };
        let entry = (name.to_string(), key);
        if !keys.contains(&entry) {
            keys.push(entry);
        }
    }
    keys
}

/// The log's origin line, fixed at the first checkpoint.
fn origin(tx: &dyn Tx) -> ServiceResult<String> {
    if let Some(origin) = tx.setting(AUDIT_ORIGIN)? {
        return Ok(origin);
    }
    let fingerprint = tx.setting(ORG_FINGERPRINT)?.ok_or_else(|| StoreError::Corrupt("organisation fingerprint".into()))?;
    let fingerprint = Fingerprint::parse_canonical(&fingerprint).ok_or_else(|| StoreError::Corrupt("organisation fingerprint".into()))?;
    let origin = origin_for(fingerprint.digits());
    tx.set_setting(AUDIT_ORIGIN, &origin)?;
    Ok(origin)
}

/// The root over events 1..=size, from the stored frontier plus the events after it (O(new
/// events + log n)); rebuilt from every event when there is none or it does not fit. A frontier
/// altered outside Countersign only yields a checkpoint that `audit verify` reports as wrong.
fn tree_root(tx: &dyn Tx, size: u64) -> ServiceResult<[u8; 32]> {
    let mut frontier = tx.setting(AUDIT_FRONTIER)?.and_then(|t| Frontier::decode(&t)).filter(|f| f.size() <= size).unwrap_or_default();
    for hash in tx.event_hashes_between(frontier.size() + 1, size)? {
        frontier.push(leaf_hash(&hash));
    }
    tx.set_setting(AUDIT_FRONTIER, &frontier.encode())?;
    Ok(frontier.root())
}

/// Signs a checkpoint of the whole log as it stands in `tx` (after the caller's events) and
/// stores it; with `countersign`, the acting user adds their own signature (approvals). Fails,
/// and so rolls the caller's change back, if the user holds no copy of the audit key.
/// `setup_mode`: the workspace is still in setup mode, which the checkpoint then says (issue 15).
pub(super) fn append_checkpoint(
    tx: &dyn Tx,
    session: &Session,
    reason: &str,
    at: &str,
    countersign: bool,
    setup_mode: bool,
) -> ServiceResult<LoggedCheckpoint> {
    let Some(audit) = session.keys().audit.as_ref() else {
        let text = format!(
            "{0}'s account holds no copy of the organisation's audit key, which signs the log's checkpoints; an admin gives it by resetting the password (countersign user reset-password --name {0})",
            session.user()
        );
        return Err(ServiceError::NotPermitted(ErrorText::detailed("no_audit_key", text).with("user", session.user())));
    };
    let size = tx.event_count()?;
    let time = parse_utc(at)
        .ok_or_else(|| ServiceError::InvalidInput(ErrorText::detailed("time_invalid", format!("bad time {at}")).with("time", at)))?;
    let checkpoint = Checkpoint { origin: origin(tx)?, size, root: tree_root(tx, size)?, time, setup_mode };
    let mut note = checkpoint.sign(audit);
    if countersign {
        note = Checkpoint::cosign(&note, session.user(), &session.keys().personal).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    let id = tx.insert_checkpoint(size, &checkpoint.root, at, reason, session.user(), &note)?;
    Ok(LoggedCheckpoint {
        id,
        size,
        root: checkpoint.root,
        at: at.to_string(),
        reason: reason.to_string(),
        signer: session.user().to_string(),
        note,
    })
}

pub(super) fn check_filter(filter: &EventFilter) -> ServiceResult<()> {
    for (what, field, value) in [("--from", "from", &filter.from), ("--until", "until", &filter.until)] {
        if let Some(v) = value {
            if parse_utc(v).is_none() {
                let text = format!("{what} {v:?} is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
                return Err(ServiceError::InvalidInput(
                    ErrorText::detailed("filter_time_invalid", text).with("field", field).with("time", v),
                ));
            }
        }
    }
    Ok(())
}

/// The first problem of the statements or the rows, as the report's problem: statements that
/// do not count first (`statement_invalid`), then rows that differ (`state_mismatch`).
fn statement_or_state_problem(statements: &[StatementProblem], state: &[StateMismatch]) -> Option<Problem> {
    let listed = |items: Vec<String>| {
        let more = if items.len() > 5 { format!("; and {} more", items.len() - 5) } else { String::new() };
        format!("{}{more}", items.into_iter().take(5).collect::<Vec<_>>().join("; "))
    };
    if let Some(first) = statements.first() {
        return Some(Problem {
            kind: Tampering::StatementInvalid,
            seq: Some(first.seq),
            message: format!(
                "{} signed statement(s) do not count: {}",
                statements.len(),
                listed(statements.iter().map(ToString::to_string).collect())
            ),
        });
    }
    state.first().map(|first| Problem {
        kind: Tampering::StateMismatch,
        seq: first.event,
        message: format!(
            "{} row(s) differ from what the signed statements imply: {}",
            state.len(),
            listed(state.iter().map(ToString::to_string).collect())
        ),
    })
}

/// The check of `audit verify` on any store, with no session: the chain, the tree, every stored
/// checkpoint and, if given, a kept one; then the signed statements and every row against the
/// state they imply. Reads only; the caller decides who may ask and logs it (or, for a copy of a
/// workspace being backed up or restored, checks it before putting it in place).
pub(super) fn check_store(store: &mut dyn Store, kept: Option<&str>) -> ServiceResult<AuditReport> {
    let (events, stray, checkpoints, keys) = store.read(|tx| -> ServiceResult<_> {
        let events = tx.events_from(1)?;
        let keys = signing_keys(tx, &events)?;
        Ok((events, tx.stray_event_seqs()?, tx.checkpoints()?, keys))
    })?;
    let mut log = check_log(&events, &checkpoints, &keys);
    // Every row is accounted for: one numbered below 1 was never appended, whatever the
    // chain from 1 on says (issue 16).
    if let (Some(seq), None) = (stray.first(), &log.problem) {
        log.problem = Some(Problem {
            kind: Tampering::Inserted,
            seq: None,
            message: format!(
                "a row numbered {seq} was inserted into the log table: events are numbered from 1, and {} such row(s) were found",
                stray.len()
            ),
        });
    }
    let mut against = None;
    if let (Some(kept), None) = (kept, &log.problem) {
        match check_against(kept, &log.tree, &keys) {
            Ok(c) => against = Some(c),
            Err(p) => log.problem = Some(p),
        }
    }
    // The rows against the state the signed statements imply (issue 14).
    let implied = ImpliedState::replay(events.iter());
    let state = store.read(|tx| super::statements::compare_all(tx, &implied))?;
    let statements = implied.problems.clone();
    if log.problem.is_none() {
        log.problem = statement_or_state_problem(&statements, &state);
    }
    let audit_keys = keys.audit.iter().map(|k| k.fingerprint()).collect();
    Ok(AuditReport { log, audit_keys, against, statements, state })
}

impl Workspace {
    /// Checks the whole log: every event, the tree, every stored checkpoint and, if given, a
    /// checkpoint the auditor kept (auditors and admins). The check itself is logged after it.
    pub fn verify_audit(&mut self, session: &Session, kept: Option<&str>) -> ServiceResult<AuditReport> {
        self.authorize(session, Permission::VerifyAuditLog, "audit")?;
        let report = check_store(&mut *self.store, kept)?;
        let log = &report.log;
        let at = format_utc(now());
        let details = json!({
            "events": log.events,
            "checkpoints": log.checkpoints,
            "against": report.against.as_ref().map(|c| c.old_size),
            "intact": log.problem.is_none(),
            "problem": log.problem.as_ref().map(|p| p.kind.code()),
            "first_bad_seq": log.problem.as_ref().and_then(|p| p.seq),
        });
        match self.store.write(|tx| tx.append_event(&at, session.user(), "audit.verify", "audit", &details)) {
            // A workspace that moved to a team server is kept read-only: checked, not logged.
            Err(StoreError::Moved(_)) => {}
            other => drop(other?),
        }
        Ok(report)
    }

    /// Signs a checkpoint of the log now and returns it, for an auditor to keep outside the
    /// workspace and compare with later (`audit verify --against`). Auditors and admins.
    pub fn save_checkpoint(&mut self, session: &Session) -> ServiceResult<String> {
        self.check_allowed(session, Permission::SaveCheckpoints)?;
        let at = format_utc(now());
        let setup_mode = self.implied_state()?.in_setup_mode();
        let checkpoint = self.store.write(|tx| -> ServiceResult<LoggedCheckpoint> {
            tx.append_event(&at, session.user(), "audit.checkpoint", "audit", &json!({}))?;
            append_checkpoint(tx, session, "saved", &at, false, setup_mode)
        })?;
        Ok(checkpoint.note)
    }

    /// The evidence bundle of the events `filter` chooses (auditors only): the export is logged
    /// and a checkpoint signed over the log including that event, which the bundle's proofs use.
    pub fn export_audit(&mut self, session: &Session, filter: &EventFilter) -> ServiceResult<Vec<u8>> {
        self.check_allowed(session, Permission::ExportEvidence)?;
        check_filter(filter)?;
        // A bundle holds every event the filter chooses, oldest first: it is never a page.
        let whole = EventFilter { page: Page::default(), newest_first: false, ..filter.clone() };
        let filter = &whole;
        let at = format_utc(now());
        let card = self.org_card(session)?;
        let setup_mode = self.implied_state()?.in_setup_mode();
        self.store.write(|tx| -> ServiceResult<Vec<u8>> {
            let stored = tx.checkpoints()?;
            let filter_json = serde_json::to_value(countersign_core::audit::bundle::BundleFilter::from(filter)).expect("serialises");
            tx.append_event(&at, session.user(), "audit.export", "audit", &json!({ "filter": filter_json }))?;
            let head = append_checkpoint(tx, session, "audit.export", &at, false, setup_mode)?;
            let keys = signing_keys(tx, &key_events(tx)?)?;
            let all_hashes = tx.event_hashes(head.size)?;
            // The chosen events, and the statements every signer's key and role rest on, so that
            // the bundle's statements can be checked offline (issue 14).
            let mut events = tx.events_matching(filter)?;
            for action in AUTHORITY_ACTIONS {
                events.extend(tx.events_matching(&EventFilter { action: Some((*action).into()), ..Default::default() })?);
            }
            events.sort_by_key(|e| e.seq);
            events.dedup_by_key(|e| e.seq);
            events.retain(|e| e.seq <= head.size);
            let bundle = build(&BundleParts {
                origin: &origin(tx)?,
                exported_at: &at,
                exported_by: session.user(),
                org_card: &card,
                audit_keys: &keys.audit,
                users: &keys.users,
                filter,
                all_hashes: &all_hashes,
                checkpoint: &head.note,
                events: &events,
                checkpoints: &stored,
            });
            Ok(bundle.to_bytes())
        })
    }

    /// Events chosen by `filter`, oldest first or, when the filter says, newest first (auditors
    /// and admins); a page of them when the filter names one (`next`: the `after` of the next
    /// page), read as a page from the store.
    pub fn audit_log(&mut self, session: &Session, filter: &EventFilter) -> ServiceResult<Paged<LoggedEvent>> {
        self.check_allowed(session, Permission::ReadAuditLog)?;
        check_filter(filter)?;
        let rows = self.store.read(|tx| tx.events_matching(filter))?;
        Ok(Paged::of(rows, &filter.page, |e| i64::try_from(e.seq).unwrap_or(i64::MAX)))
    }

    /// How many events `filter` chooses, its page aside (auditors and admins): the total beside
    /// a page of [`Workspace::audit_log`], counted in the store.
    pub fn count_audit_events(&mut self, session: &Session, filter: &EventFilter) -> ServiceResult<u64> {
        self.check_allowed(session, Permission::ReadAuditLog)?;
        check_filter(filter)?;
        Ok(self.store.read(|tx| tx.count_events_matching(filter))?)
    }

    /// The stored checkpoints (auditors and admins).
    pub fn checkpoints(&mut self, session: &Session) -> ServiceResult<Vec<LoggedCheckpoint>> {
        self.check_allowed(session, Permission::ReadAuditLog)?;
        Ok(self.store.read(|tx| tx.checkpoints())?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Credentials, InitRequest};
    use super::*;
    use crate::Role;
    use countersign_core::audit::check::Tampering;

    fn workspace(dir: &std::path::Path) -> (Workspace, Session) {
        let mut ws = Workspace::init(
            dir,
            &InitRequest {
                org_name: "Initech GmbH",
                admin_name: "alice",
                org_passphrase: "organisation passphrase",
                admin_password: "alice password 1",
            },
        )
        .unwrap();
        let session = ws.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
        (ws, session)
    }

    /// Issue 19: the app's view asks for the newest page and the count, both read in the store.
    #[test]
    fn the_newest_page_and_the_count_follow_the_filter_and_the_role() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ws, admin) = workspace(dir.path());
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        ws.add_user(&admin, "frank", Role::Auditor, "frank password 1").unwrap();
        let clara = ws.login(&Credentials { user: "clara", password: "clara password 1", totp: None }).unwrap();
        let all = ws.audit_log(&admin, &EventFilter::default()).unwrap().items;
        let newest = |limit, after| EventFilter { page: Page::new(Some(limit), after).unwrap(), newest_first: true, ..Default::default() };
        let first = ws.audit_log(&admin, &newest(2, None)).unwrap();
        let seqs = |items: &[LoggedEvent]| items.iter().map(|e| e.seq).collect::<Vec<_>>();
        let last = all.last().unwrap().seq;
        assert_eq!(seqs(&first.items), [last, last - 1]);
        assert_eq!(first.next, Some(last as i64 - 1));
        let second = ws.audit_log(&admin, &newest(2, first.next)).unwrap();
        assert_eq!(seqs(&second.items), [last - 2, last - 3]);
        assert_eq!(ws.count_audit_events(&admin, &newest(2, first.next)).unwrap(), all.len() as u64, "the page aside");
        let theirs = EventFilter { actor: Some("clara".into()), ..Default::default() };
        assert_eq!(ws.count_audit_events(&admin, &theirs).unwrap(), ws.audit_log(&admin, &theirs).unwrap().items.len() as u64);
        assert!(matches!(ws.count_audit_events(&clara, &EventFilter::default()), Err(ServiceError::NotPermitted(_))));
        let bad = EventFilter { until: Some("soon".into()), ..Default::default() };
        assert!(matches!(ws.count_audit_events(&admin, &bad), Err(ServiceError::InvalidInput(_))));
        // The chart counts every event the filter chooses, whatever page it names.
        let refused: u32 = ws.activity(&admin, &newest(1, Some(1))).unwrap().iter().map(|d| d.refused).sum();
        assert_eq!(refused, 1, "clara's refused read of the log");
    }

    #[test]
    fn checkpoints_follow_the_log_and_a_kept_one_catches_a_rollback() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ws, admin) = workspace(dir.path());
        ws.add_user(&admin, "frank", Role::Auditor, "frank password 1").unwrap();
        let frank = ws.login(&Credentials { user: "frank", password: "frank password 1", totp: None }).unwrap();
        let first = ws.save_checkpoint(&frank).unwrap();
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        let second = ws.save_checkpoint(&frank).unwrap();
        let report = ws.verify_audit(&frank, Some(&first)).unwrap();
        assert!(report.problem().is_none(), "{:?}", report.problem());
        assert_eq!(report.log.checkpoints, 2);
        let size = |note: &str| Checkpoint::parse_unverified(note).unwrap().size;
        assert_eq!(report.log.witnessed, size(&second));
        assert_eq!(report.against.unwrap().old_size, size(&first));
        // The incremental root (frontier) equals a root over every event.
        let events = ws.store.read(|tx| tx.events_from(1)).unwrap();
        let leaves = countersign_core::audit::check::leaves(&events[..size(&second) as usize]);
        assert_eq!(Checkpoint::parse_unverified(&second).unwrap().root, countersign_core::audit::merkle::root(&leaves));

        // Clerks may not; auditors may export, admins may not.
        let clara = ws.login(&Credentials { user: "clara", password: "clara password 1", totp: None }).unwrap();
        assert!(matches!(ws.verify_audit(&clara, None), Err(ServiceError::NotPermitted(_))));
        // The same rules, asked beforehand (a shell does before it opens a save dialog).
        assert!(matches!(ws.check_allowed(&clara, Permission::ReadAuditLog), Err(ServiceError::NotPermitted(_))));
        assert!(matches!(ws.check_allowed(&admin, Permission::ExportEvidence), Err(ServiceError::NotPermitted(_))));
        assert!(ws.check_allowed(&frank, Permission::ExportEvidence).is_ok());
        assert!(ws.check_allowed(&admin, Permission::RotateOrgKey).is_ok());
        assert!(matches!(ws.check_allowed(&frank, Permission::BackUpOrgKey), Err(ServiceError::NotPermitted(_))));
        assert!(matches!(ws.export_audit(&admin, &EventFilter::default()), Err(ServiceError::NotPermitted(_))));
        let bundle = ws.export_audit(&frank, &EventFilter { actor: Some("alice".into()), ..Default::default() }).unwrap();
        let checked = countersign_core::audit::bundle::verify_bundle(&bundle, None, Some(&second)).unwrap();
        assert_eq!(checked.problem, None);

        // Another workspace's checkpoint is refused as foreign.
        let newest = ws.save_checkpoint(&frank).unwrap();
        let old_dir = tempfile::tempdir().unwrap();
        let (mut other, other_admin) = workspace(old_dir.path());
        let foreign = other.verify_audit(&other_admin, Some(&newest)).unwrap();
        assert_eq!(foreign.problem().unwrap().kind, Tampering::ForeignCheckpoint);
    }

    #[test]
    fn a_users_old_keys_still_count_after_a_password_reset() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ws, admin) = workspace(dir.path());
        ws.add_user(&admin, "anna", Role::Approver, "anna password 1").unwrap();
        let anna = ws.login(&Credentials { user: "anna", password: "anna password 1", totp: None }).unwrap();
        let before = anna.keys().personal.public_key();
        // Two people can check now: a second approver, erin, is a change anna approves; anna's
        // reset is one she cannot approve herself, and erin does.
        let erin = ws.add_user(&admin, "erin", Role::Approver, "erin password 1").unwrap();
        ws.approve_change(&anna, erin.pending().unwrap().id).unwrap();
        let erin = ws.login(&Credentials { user: "erin", password: "erin password 1", totp: None }).unwrap();
        let reset = ws.reset_password(&admin, "anna", "anna password 2").unwrap();
        let reset = reset.pending().unwrap().id;
        assert_eq!(ws.approve_change(&anna, reset).unwrap_err().code(), "not_permitted", "a change about herself");
        ws.approve_change(&erin, reset).unwrap();
        let after = ws.login(&Credentials { user: "anna", password: "anna password 2", totp: None }).unwrap().keys().personal.public_key();
        assert_ne!(before, after, "a reset makes a new personal key");
        let keys = ws.store.read(|tx| signing_keys(tx, &key_events(tx)?)).unwrap();
        let annas: Vec<&PublicKey> = keys.users.iter().filter(|(n, _)| n == "anna").map(|(_, k)| k).collect();
        assert_eq!(annas, [&before, &after], "her approvals countersigned before the reset still verify");
        assert_eq!(keys.users.iter().filter(|(n, _)| n == "alice").count(), 1);
        assert!(ws.verify_audit(&admin, None).unwrap().problem().is_none());
    }

    /// A personal key is only ever given by an admin's statement (issue 14): a user whose keyring
    /// row was removed by hand does not get a new one of their own making at the next login, as a
    /// user from before keyrings did; an admin's reset gives one, with the audit key.
    #[test]
    fn a_user_whose_keyring_was_removed_is_refused_until_an_admin_resets_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ws, admin) = workspace(dir.path());
        ws.add_user(&admin, "frank", Role::Auditor, "frank password 1").unwrap();
        let file = dir.path().join(countersign_store::sqlite::DATABASE_FILE);
        rusqlite::Connection::open(file)
            .unwrap()
            .execute("UPDATE users SET keyring = NULL, public_key = NULL WHERE name = 'frank'", [])
            .unwrap();
        let before = ws.store.read(|tx| tx.event_count()).unwrap();
        match ws.login(&Credentials { user: "frank", password: "frank password 1", totp: None }) {
            Err(ServiceError::AuthenticationFailed(message)) => assert!(message.contains("reset the password"), "{message}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(ws.store.read(|tx| tx.event_count()).unwrap(), before, "no key of his own making was logged");
        // An admin's reset gives him the key.
        ws.reset_password(&admin, "frank", "frank password 2").unwrap();
        let frank = ws.login(&Credentials { user: "frank", password: "frank password 2", totp: None }).unwrap();
        assert!(ws.save_checkpoint(&frank).is_ok());
        assert!(ws.verify_audit(&frank, None).unwrap().problem().is_none());
    }
}
