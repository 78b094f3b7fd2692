//! Model-based test of the case state machine (issue 21, item 3).
//!
//! Random sequences of receipts (each verdict, v1 and v2 files, amounts around the approval
//! threshold), challenges, callbacks (confirmed with the right or a wrong response, confirmed
//! unchecked, denied, unreachable), approvals (with and without the response check), rejections,
//! reopenings, releases and exports, by random users of every role, are put through
//! [`decide`] and checked step by step against a reference model written from docs/cli-cases.md
//! alone (`expect` below). Each step the model accepts is also written to a log as the signed
//! statement the service would write, and replayed ([`ImpliedState`]): the replay must give the
//! model's case, step by step (every change logged once, and counted once). Each step the model
//! refuses is written to a copy of the log as a forged statement: the replay must not count it
//! (a refused step changes nothing, even when someone signs it anyway).
//!
//! Besides agreeing with the model, every state reached must keep the controls: no release
//! without the callback and approval the policy asks for, never the same person in two roles on
//! one case, closed states stay closed, a payment released at most once.
//!
//! Cooling-off (issue 20): every case pays one of a few accounts of one partner, whose contract
//! account is on file; an account that becomes current in place of another starts a cooling-off
//! of the policy's hours, during which a release is refused unless two approvers who took no part
//! in the change or the case asked to release early. Time passes between steps (`Op::Wait`), so
//! releases land inside and after the period.
//!
//! Bank name checks (issue 20): approvers attach them to a case in any state; a no match sends an
//! accepted, confirmed or approved case back to hold, and the case then needs a new callback and
//! approval.

use std::sync::OnceLock;

use countersign_core::assess::findings::Verdict;
use countersign_core::audit::chain::{canonical_json, event_hash, EventFields, GENESIS};
use countersign_core::audit::log::LoggedEvent;
use countersign_core::audit::state::{ImpliedState, SYSTEM};
use countersign_core::audit::statement::{sign, StatementFields};
use countersign_core::auth::Role;
use countersign_core::cases::flow::{decide, CallbackOutcome, CaseAction, CaseFacts, CaseStatus, CoolingOff, Refusal, Transition};
use countersign_core::cases::policy::Policy;
use countersign_core::encoding::{format_utc, parse_utc};
use countersign_core::format::keys::KeyPair;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Several users of every role. `alice` is the first admin; `anna` the first approver.
const USERS: [(&str, Role); 10] = [
    ("clara", Role::Clerk),
    ("carl", Role::Clerk),
    ("cleo", Role::Clerk),
    ("anna", Role::Approver),
    ("arne", Role::Approver),
    ("ava", Role::Approver),
    ("alice", Role::Admin),
    ("adam", Role::Admin),
    ("otto", Role::Auditor),
    ("olga", Role::Auditor),
];

/// The policy's approval threshold: the default one.
fn threshold() -> u64 {
    Policy::default().approval_threshold_minor
}

// ---------------------------------------------------------------------------------------------
// The reference model, from docs/cli-cases.md ("The path of a case", "Who may do what").

/// A case as the model keeps it.
#[derive(Debug, Clone, PartialEq)]
struct Case {
    status: CaseStatus,
    verdict: Verdict,
    received_by: String,
    amount: Option<u64>,
    /// Format v2: only the callback key checks the response; clerks hold none.
    v2: bool,
    /// Everyone who started a callback on it.
    called_by: Vec<String>,
    /// Who started the newest callback attempt, while it is open.
    open_attempt: Option<String>,
    wrong: u32,
    unchecked: bool,
    /// Who recorded the confirmed callback the case rests on.
    confirmed_by: Option<String>,
    approved_by: Option<String>,
    decided_by: Option<String>,
    released_by: Option<String>,
    releases: u32,
    bank_file: Option<String>,
    /// The account it pays (an index into [`ACCOUNTS`]).
    account: usize,
    /// The approvers who asked to release it early.
    early: Vec<String>,
    /// A bank's name check attached to it answered no match.
    no_match: bool,
}

/// The accounts cases pay: the partner's contract account first.
const ACCOUNTS: [&str; 3] = ["iban:DE00CONTRACT", "iban:DE01NEW", "iban:DE02OTHER"];

/// The partner's accounts as the model keeps them: which one is current, and the cooling-off of
/// one that replaced another (its start and who made the change).
#[derive(Debug, Clone, PartialEq, Default)]
struct Accounts {
    /// Per account: in the history, current.
    known: [Option<bool>; 3],
    /// Per account: when it replaced another as current, and who received, called back on or
    /// approved the case that made it so.
    changed: [Option<(i64, Vec<String>)>; 3],
}

impl Accounts {
    /// The office's partner: the contract account on file and current, no change.
    fn contract() -> Self {
        Accounts { known: [Some(true), None, None], changed: Default::default() }
    }

    /// The account becomes current, the others retired; it starts a cooling-off when it replaced
    /// another. `insert`: a receipt adds it to the history when missing.
    fn make_current(&mut self, account: usize, insert: bool, at: i64, people: Vec<String>) {
        let replaced = (0..3).any(|a| a != account && self.known[a] == Some(true));
        for a in 0..3 {
            if a != account && self.known[a] == Some(true) {
                self.known[a] = Some(false);
            }
        }
        if self.known[account].is_some() || insert {
            self.known[account] = Some(true);
        }
        if replaced && self.known[account] == Some(true) {
            self.changed[account] = Some((at, people));
        }
    }
}

/// What the model says of a step.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// Refused by role or dual control (exit 4).
    NotPermitted,
    /// Refused by the case's state (exit 1).
    NotAllowed,
    /// A wrong response: refused, and counted.
    WrongResponse,
    /// Refused: the payment waits for its account's cooling-off (exit 1, `cooling_off`).
    CoolingOff,
    /// Done: the case afterwards.
    Moves(Box<Case>),
}

impl Case {
    fn open(&self) -> bool {
        matches!(self.status, CaseStatus::Accepted | CaseStatus::Hold | CaseStatus::CallbackConfirmed | CaseStatus::Approved)
    }

    fn over_threshold(&self) -> bool {
        self.amount.is_some_and(|a| a > threshold())
    }

    fn locked(&self) -> bool {
        self.wrong >= 3
    }

    /// The cooling-off in effect at `at` (seconds), with who made the change; `None` when the
    /// account is not current, did not replace another, or the period is over.
    fn cooling_off(&self, accounts: &Accounts, at: i64) -> Option<Vec<String>> {
        let (since, people) = accounts.changed[self.account].as_ref().filter(|_| accounts.known[self.account] == Some(true))?;
        (at < since + i64::from(Policy::default().cooling_off_hours) * 3600).then(|| people.clone())
    }

    fn facts(&self, accounts: &Accounts, at: i64) -> CaseFacts {
        let current = accounts.known[self.account] == Some(true);
        let cooling_off = accounts.changed[self.account].as_ref().filter(|_| current).map(|(since, people)| CoolingOff {
            since: time_of(*since),
            at: time_of(at),
            change_made_by: people.clone(),
        });
        CaseFacts {
            status: self.status,
            verdict: self.verdict,
            received_by: self.received_by.clone(),
            called_by: self.called_by.clone(),
            amount_minor: self.amount,
            wrong_responses: self.wrong,
            response_needs_callback_key: self.v2,
            response_unchecked: self.unchecked,
            approved_by: self.approved_by.clone().filter(|_| matches!(self.status, CaseStatus::Approved | CaseStatus::Released)),
            cooling_off,
            early_release_by: self.early.clone(),
            bank_no_match: self.no_match,
            partner_frozen: None,
        }
    }
}

/// A model time (seconds from the start of the log) as the log spells it.
fn time_of(seconds: i64) -> time::OffsetDateTime {
    parse_utc("2026-12-03T08:00:00Z").expect("a time") + time::Duration::seconds(seconds)
}

/// The model of one step by `who` (with `role`), at `at` seconds, with the partner's accounts.
fn expect(c: &Case, who: &str, role: Role, action: CaseAction, accounts: &Accounts, at: i64) -> Expect {
    use CaseAction::*;
    match action {
        StartCallback | RecordCallback { .. } | ConfirmUnchecked => expect_callback(c, who, role, action),
        Approve | ApproveCheckingResponse { .. } => expect_approval(c, who, role, action),
        Reject if role != Role::Approver => Expect::NotPermitted,
        Reject if !c.open() => Expect::NotAllowed,
        Reject => moved(Case { status: CaseStatus::Rejected, decided_by: Some(who.into()), ..c.clone() }),
        Reopen if role != Role::Approver => Expect::NotPermitted,
        Reopen if c.status != CaseStatus::Hold || !c.locked() => Expect::NotAllowed,
        Reopen => moved(Case { wrong: 0, ..c.clone() }),
        Release => match expect_release(c, who, role) {
            Expect::Moves(_) if c.cooling_off(accounts, at).is_some() && c.early.len() < 2 => Expect::CoolingOff,
            other => other,
        },
        ReleaseEarly => expect_early_release(c, who, role, accounts, at),
        AttachNameCheck { .. } if role != Role::Approver => Expect::NotPermitted,
        AttachNameCheck { no_match } => {
            let back = no_match && matches!(c.status, CaseStatus::Accepted | CaseStatus::CallbackConfirmed | CaseStatus::Approved);
            let status = if back { CaseStatus::Hold } else { c.status };
            let unchecked = c.unchecked && !back;
            moved(Case { status, unchecked, no_match: c.no_match || no_match, ..c.clone() })
        }
    }
}

/// `case release --early`: an approver; a case that could be released but for the cooling-off
/// of its account; who took no part in the change or the case (received, called back on,
/// approved); once each.
fn expect_early_release(c: &Case, who: &str, role: Role, accounts: &Accounts, at: i64) -> Expect {
    if role != Role::Approver {
        return Expect::NotPermitted;
    }
    match expect_release(c, who, role) {
        Expect::Moves(_) => {}
        refused => return refused,
    }
    let Some(change_made_by) = c.cooling_off(accounts, at) else { return Expect::NotAllowed };
    let approved_by = c.approved_by.iter().filter(|_| matches!(c.status, CaseStatus::Approved | CaseStatus::Released));
    let took_part = change_made_by.iter().chain(&c.called_by).chain(approved_by).any(|u| u == who) || c.received_by == who;
    if took_part {
        return Expect::NotPermitted;
    }
    if c.early.iter().any(|u| u == who) {
        return Expect::NotAllowed;
    }
    let mut early = c.early.clone();
    early.push(who.into());
    moved(Case { early, ..c.clone() })
}

fn moved(c: Case) -> Expect {
    Expect::Moves(Box::new(c))
}

/// `case challenge` and `case callback`: a clerk or an approver; a case on hold, not locked.
fn expect_callback(c: &Case, who: &str, role: Role, action: CaseAction) -> Expect {
    if !matches!(role, Role::Clerk | Role::Approver) {
        return Expect::NotPermitted;
    }
    if c.status != CaseStatus::Hold || c.locked() {
        return Expect::NotAllowed;
    }
    let mut next = Case { open_attempt: None, ..c.clone() };
    match action {
        CaseAction::StartCallback => {
            if !next.called_by.iter().any(|u| u == who) {
                next.called_by.push(who.into());
            }
            next.open_attempt = Some(who.into());
        }
        CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: true } => {
            // Clerks hold no callback key: they cannot have checked a v2 response.
            if c.v2 && role == Role::Clerk {
                return Expect::NotPermitted;
            }
            next.status = CaseStatus::CallbackConfirmed;
            (next.wrong, next.unchecked, next.confirmed_by) = (0, false, Some(who.into()));
        }
        CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: false } => return Expect::WrongResponse,
        CaseAction::RecordCallback { outcome: CallbackOutcome::Denied, .. } => next.status = CaseStatus::Quarantined,
        CaseAction::RecordCallback { outcome: CallbackOutcome::Unreachable, .. } => {}
        CaseAction::ConfirmUnchecked if !c.v2 => return Expect::NotAllowed,
        // The count of wrong responses stands until the approver's check: each one counts.
        CaseAction::ConfirmUnchecked => {
            (next.status, next.unchecked, next.confirmed_by) = (CaseStatus::CallbackConfirmed, true, Some(who.into()))
        }
        _ => unreachable!("callbacks only"),
    }
    moved(next)
}

/// `case approve`: an approver who neither received the case nor started a callback on it;
/// `callback_confirmed`, or `accepted` over the threshold; a v2 response recorded unchecked is
/// checked, and a wrong one sends the case back to hold as a wrong response.
fn expect_approval(c: &Case, who: &str, role: Role, action: CaseAction) -> Expect {
    if role != Role::Approver || c.received_by == who || c.called_by.iter().any(|u| u == who) {
        return Expect::NotPermitted;
    }
    let needed = c.status == CaseStatus::CallbackConfirmed || (c.status == CaseStatus::Accepted && c.over_threshold());
    if !needed {
        return Expect::NotAllowed;
    }
    let approved =
        Case { status: CaseStatus::Approved, unchecked: false, approved_by: Some(who.into()), decided_by: Some(who.into()), ..c.clone() };
    match action {
        CaseAction::Approve if c.unchecked => Expect::NotAllowed,
        CaseAction::Approve => moved(approved),
        CaseAction::ApproveCheckingResponse { .. } if !c.unchecked => Expect::NotAllowed,
        CaseAction::ApproveCheckingResponse { response_correct: true } => moved(approved),
        CaseAction::ApproveCheckingResponse { response_correct: false } => {
            moved(Case { status: CaseStatus::Hold, wrong: c.wrong + 1, unchecked: false, confirmed_by: None, ..c.clone() })
        }
        _ => unreachable!("approvals only"),
    }
}

/// `case release`: never twice; an approver, `approved` or `accepted` up to the threshold; a
/// clerk, `accepted` up to the threshold.
fn expect_release(c: &Case, who: &str, role: Role) -> Expect {
    if !c.open() {
        return Expect::NotAllowed;
    }
    let within = c.status == CaseStatus::Accepted && !c.over_threshold();
    if !(role == Role::Approver || (role == Role::Clerk && within)) {
        return Expect::NotPermitted;
    }
    if !(c.status == CaseStatus::Approved || within) {
        return Expect::NotAllowed;
    }
    moved(Case { status: CaseStatus::Released, released_by: Some(who.into()), releases: c.releases + 1, ..c.clone() })
}

/// Whether `decide`'s answer is the model's.
fn agrees(expected: &Expect, before: &Case, action: CaseAction, got: &Result<Transition, Refusal>) -> bool {
    match (expected, got) {
        (Expect::NotPermitted, Err(Refusal::NotPermitted(_)))
        | (Expect::NotAllowed, Err(Refusal::NotAllowed(_)))
        | (Expect::WrongResponse, Err(Refusal::WrongResponse(_)))
        | (Expect::CoolingOff, Err(Refusal::CoolingOff(_))) => true,
        (Expect::Moves(next), Ok(t)) => {
            let denied = matches!(action, CaseAction::RecordCallback { outcome: CallbackOutcome::Denied, .. });
            let becomes_current = (next.status == CaseStatus::Approved && before.status != CaseStatus::Approved)
                || (next.status == CaseStatus::Released && before.status == CaseStatus::Accepted);
            t.status == next.status
                && t.wrong_responses == next.wrong
                && t.response_unchecked == next.unchecked
                && t.mark_fraudulent == denied
                && t.make_account_current == becomes_current
        }
        _ => false,
    }
}

/// The controls every reachable case keeps, whatever the path.
fn keeps_the_controls(before: &Case, after: &Case) -> Result<(), String> {
    if !before.open() && after.status != before.status {
        return Err(format!("a closed case moved from {} to {}", before.status, after.status));
    }
    if after.releases > 1 {
        return Err("released twice".into());
    }
    // An approval in force: a bank's no match sends an approved case back to hold for a new
    // callback and a new approval, and the approver of before may then make that callback.
    let in_force = matches!(after.status, CaseStatus::Approved | CaseStatus::Released);
    if let Some(approver) = after.approved_by.as_ref().filter(|_| in_force) {
        if *approver == after.received_by || after.called_by.contains(approver) {
            return Err(format!("{approver} approved a case they received or called back on"));
        }
    }
    if after.status == CaseStatus::Released && before.status != CaseStatus::Released {
        let needs_approval = after.verdict != Verdict::Accepted || after.over_threshold();
        if needs_approval && after.approved_by.is_none() {
            return Err("released without the approval the policy asks for".into());
        }
        if after.verdict == Verdict::Hold && (after.confirmed_by.is_none() || after.unchecked) {
            return Err("a held case released without a confirmed, checked callback".into());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The log of signed statements, as the service writes it, and its replay.

fn key_of(user: usize) -> &'static KeyPair {
    static KEYS: OnceLock<Vec<KeyPair>> = OnceLock::new();
    &KEYS.get_or_init(|| (0..USERS.len()).map(|i| KeyPair::from_seed(&[i as u8 + 10; 32])).collect())[user]
}

fn org_key() -> &'static KeyPair {
    static ORG: OnceLock<KeyPair> = OnceLock::new();
    ORG.get_or_init(|| KeyPair::from_seed(&[1; 32]))
}

/// The log and the state its replay gives, kept up to date event by event.
#[derive(Clone)]
struct Log {
    events: Vec<LoggedEvent>,
    state: ImpliedState,
    /// Seconds waited between steps so far (`Op::Wait`).
    waited: i64,
}

impl Log {
    /// The time of the next event, in seconds from 08:00: one second per event, plus the waits.
    fn next_at(&self) -> i64 {
        self.waited + self.events.len() as i64 + 1
    }

    fn event(&self, key: &KeyPair, actor: &str, action: &str, subject: &str, details: Value) -> LoggedEvent {
        let seq = self.events.len() as u64 + 1;
        let at = format_utc(time_of(self.next_at()));
        let details = canonical_json(&sign(key, &StatementFields { at: &at, actor, action, subject }, details));
        let prev = self.events.last().map_or(GENESIS, |e| e.hash);
        let hash = event_hash(&prev, &EventFields { seq, at: &at, actor, action, subject, details: &details });
        LoggedEvent { seq, at, actor: actor.into(), action: action.into(), subject: subject.into(), details, prev_hash: prev, hash }
    }

    fn push(&mut self, key: &KeyPair, actor: &str, action: &str, subject: &str, details: Value) {
        let event = self.event(key, actor, action, subject, details);
        self.state.apply(&event);
        self.events.push(event);
    }

    /// Pushes `user`'s statement.
    fn by(&mut self, user: usize, action: &str, subject: &str, details: Value) {
        self.push(key_of(user), USERS[user].0, action, subject, details);
    }

    /// Whether `user`'s statement, appended to a copy of the log, is refused by the replay and
    /// leaves the copy's cases as they were.
    fn refuses(&self, user: usize, action: &str, subject: &str, details: Value) -> bool {
        let mut forged = self.clone();
        forged.by(user, action, subject, details);
        forged.state.problems.len() == self.state.problems.len() + 1 && forged.state.cases == self.state.cases
    }
}

fn user_index(name: &str) -> usize {
    USERS.iter().position(|(n, _)| *n == name).expect("a user of the test")
}

/// The office: `init`, alice (admin); clerks and auditors added by alice alone, the first
/// approver too (setup mode), the other approvers and admins as four-eyes changes.
fn office() -> &'static Log {
    static OFFICE: OnceLock<Log> = OnceLock::new();
    OFFICE.get_or_init(|| {
        let mut log = Log { events: vec![], state: ImpliedState::default(), waited: 0 };
        let init = json!({ "org_public_key": org_key().public_key().to_base64(), "policy": Policy::default() });
        log.push(org_key(), SYSTEM, "workspace.init", "workspace", init);
        log.push(org_key(), SYSTEM, "user.add", "user:alice", json!({ "role": "admin" }));
        let alice = user_index("alice");
        let key = |u: usize| json!({ "public_key": key_of(u).public_key().to_base64() });
        log.push(org_key(), SYSTEM, "user.key_create", "user:alice", key(alice));
        // The one partner every case pays, its contract account on file (setup mode: alice alone).
        let partner = json!({ "fingerprint": "11111", "name": "Globex Corporation", "known_account": ACCOUNTS[0] });
        log.by(alice, "partner.add", "partner:1", partner);
        for name in ["clara", "carl", "cleo", "otto", "olga", "anna"] {
            let u = user_index(name);
            log.by(alice, "user.add", &format!("user:{name}"), json!({ "role": USERS[u].1.as_str() }));
            log.by(alice, "user.key_create", &format!("user:{name}"), key(u));
        }
        for (change, name) in ["arne", "ava", "adam"].into_iter().enumerate() {
            let (u, subject, id) = (user_index(name), format!("user:{name}"), change as i64 + 1);
            let role = json!({ "role": USERS[u].1.as_str() });
            let effects = json!([
                { "action": "user.add", "subject": subject, "details": role },
                { "action": "user.key_create", "subject": subject, "details": key(u) },
            ]);
            let proposal = json!({ "kind": "user_add", "summary": "s", "request_sha256": "aa", "effects": effects });
            log.by(alice, "change.propose", &format!("change:{id}"), proposal);
            let anna = user_index("anna");
            log.by(anna, "change.approve", &format!("change:{id}"), json!({ "request_sha256": "aa" }));
            let mut with_change = |mut d: Value, action: &str| {
                d["change"] = json!(id);
                log.by(anna, action, &subject, d);
            };
            with_change(role.clone(), "user.add");
            with_change(key(u), "user.key_create");
        }
        assert!(log.state.problems.is_empty(), "{:?}", log.state.problems);
        assert_eq!(log.state.users.len(), USERS.len());
        log
    })
}

/// The statement the service writes for a step the rules allow (or for a wrong response).
fn statement_of(action: CaseAction, bank_file: Option<&str>, account: &str) -> (&'static str, Value) {
    use CaseAction::*;
    match action {
        AttachNameCheck { no_match } => {
            let (answer, outcome) = if no_match { ("NMTC", "no_match") } else { ("MTCH", "match") };
            let sent = account.strip_prefix("iban:").expect("an IBAN");
            let details = json!({ "scheme": "vop", "request_id": "R1", "requested_at": "2026-12-03T07:00:00Z",
                "answered_at": "2026-12-03T07:00:01Z", "name_sent": "Globex", "account_sent": sent, "answer": answer,
                "outcome": outcome, "obtained": "api" });
            ("case.name_check", details)
        }
        StartCallback => ("case.challenge", json!({ "challenge": "123 456" })),
        RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: false } => ("case.callback_wrong_response", json!({})),
        RecordCallback { outcome, response_correct } => {
            ("case.callback", json!({ "outcome": outcome.as_str(), "response_matched": response_correct }))
        }
        ConfirmUnchecked => ("case.callback", json!({ "outcome": "confirmed", "response_checked": false })),
        Approve => ("case.approve", json!({})),
        ApproveCheckingResponse { response_correct: true } => ("case.approve", json!({ "response_checked": true })),
        ApproveCheckingResponse { response_correct: false } => ("case.response_check_failed", json!({})),
        Reject => ("case.reject", json!({ "reason": "r" })),
        Reopen => ("case.reopen", json!({})),
        ReleaseEarly => ("case.release_early", json!({ "reason": "the supplier's payroll" })),
        Release => ("case.release", bank_file.map_or(json!({}), |f| json!({ "bank_file_sha256": f }))),
    }
}

// ---------------------------------------------------------------------------------------------
// The steps and the run.

/// One step of a random sequence.
#[derive(Debug, Clone)]
enum Op {
    /// `receive` of a new case paying one of [`ACCOUNTS`].
    Receive { by: usize, verdict: Verdict, amount: Option<u64>, v2: bool, account: usize },
    /// Hours pass before the next step.
    Wait { hours: i64 },
    /// `receive` again of a case already received (its id reused): never counts.
    ReceiveAgain { case: usize, by: usize },
    /// A case action; a release may come with its bank file (0: none; 1 or 2: one of two files).
    Act { case: usize, by: usize, action: CaseAction, file: u8 },
    /// `case export` of a released case's bank file (1 or 2).
    Export { case: usize, by: usize, file: u8 },
}

fn action() -> impl Strategy<Value = CaseAction> {
    let outcome = prop_oneof![Just(CallbackOutcome::Confirmed), Just(CallbackOutcome::Denied), Just(CallbackOutcome::Unreachable)];
    prop_oneof![
        2 => Just(CaseAction::StartCallback),
        4 => (outcome, any::<bool>()).prop_map(|(outcome, response_correct)| CaseAction::RecordCallback { outcome, response_correct }),
        2 => Just(CaseAction::ConfirmUnchecked),
        2 => Just(CaseAction::Approve),
        2 => any::<bool>().prop_map(|response_correct| CaseAction::ApproveCheckingResponse { response_correct }),
        1 => Just(CaseAction::Reject),
        2 => Just(CaseAction::Release),
        1 => Just(CaseAction::Reopen),
        2 => Just(CaseAction::ReleaseEarly),
        1 => any::<bool>().prop_map(|no_match| CaseAction::AttachNameCheck { no_match }),
    ]
}

fn amount() -> impl Strategy<Value = Option<u64>> {
    let t = threshold();
    prop_oneof![Just(None), Just(Some(t - 1)), Just(Some(t)), Just(Some(t + 1)), (1..3 * t).prop_map(Some)]
}

fn op() -> impl Strategy<Value = Op> {
    let users = 0..USERS.len();
    let verdict = prop_oneof![Just(Verdict::Accepted), Just(Verdict::Hold), Just(Verdict::Rejected)];
    prop_oneof![
        2 => (users.clone(), verdict, amount(), any::<bool>(), 0..ACCOUNTS.len())
            .prop_map(|(by, verdict, amount, v2, account)| Op::Receive { by, verdict, amount, v2, account }),
        1 => (0..30i64).prop_map(|hours| Op::Wait { hours }),
        1 => (0..8usize, users.clone()).prop_map(|(case, by)| Op::ReceiveAgain { case, by }),
        20 => (0..8usize, users.clone(), action(), 0..3u8).prop_map(|(case, by, action, file)| Op::Act { case, by, action, file }),
        1 => (0..8usize, users, 1..3u8).prop_map(|(case, by, file)| Op::Export { case, by, file }),
    ]
}

/// A sequence of steps and the log it writes, checked against the model as it goes.
struct Run {
    log: Log,
    cases: Vec<Case>,
    accounts: Accounts,
}

impl Run {
    fn new() -> Self {
        Run { log: office().clone(), cases: vec![], accounts: Accounts::contract() }
    }

    fn subject(case: usize) -> String {
        format!("case:{}", case + 1)
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match *op {
            Op::Receive { by, verdict, amount, v2, account } => self.receive(by, verdict, amount, v2, account),
            Op::Wait { hours } => {
                self.log.waited += hours * 3600;
                Ok(())
            }
            Op::ReceiveAgain { case, by } if !self.cases.is_empty() => {
                let case = case % self.cases.len();
                let details = json!({ "verdict": "accepted", "amount_minor": 1 });
                prop_assert!(self.log.refuses(by, "instruction.receive", &Self::subject(case), details), "a second receipt counted");
                Ok(())
            }
            Op::Act { case, by, action, file } if !self.cases.is_empty() => self.act(case % self.cases.len(), by, action, file),
            Op::Export { case, by, file } if !self.cases.is_empty() => self.export(case % self.cases.len(), by, file),
            _ => Ok(()),
        }
    }

    /// `receive`: clerks, approvers and admins; the verdict is the first status.
    fn receive(&mut self, by: usize, verdict: Verdict, amount: Option<u64>, v2: bool, account: usize) -> Result<(), TestCaseError> {
        let mut details = json!({ "verdict": verdict.as_str(), "file_sha256": "ab", "partner": 1, "account_key": ACCOUNTS[account] });
        if let Some(a) = amount {
            details["amount_minor"] = json!(a);
        }
        if v2 {
            details["callback_key"] = json!("K");
        }
        let subject = Self::subject(self.cases.len());
        if USERS[by].1 == Role::Auditor {
            prop_assert!(self.log.refuses(by, "instruction.receive", &subject, details), "an auditor's receipt counted");
            return Ok(());
        }
        let at = self.log.next_at();
        self.log.by(by, "instruction.receive", &subject, details);
        match verdict {
            Verdict::Accepted => self.accounts.make_current(account, true, at, vec![USERS[by].0.into()]),
            Verdict::Hold if self.accounts.known[account].is_none() => self.accounts.known[account] = Some(false),
            _ => {}
        }
        let status = CaseStatus::parse(verdict.as_str()).expect("every verdict is a status");
        self.cases.push(Case {
            status,
            verdict,
            received_by: USERS[by].0.into(),
            amount,
            v2,
            called_by: vec![],
            open_attempt: None,
            wrong: 0,
            unchecked: false,
            confirmed_by: None,
            approved_by: None,
            decided_by: None,
            released_by: None,
            releases: 0,
            bank_file: None,
            account,
            early: vec![],
            no_match: false,
        });
        self.replay_agrees(self.cases.len() - 1)
    }

    /// A case action. A callback by someone with no open attempt of their own on the case is
    /// preceded by their challenge (the service asks for one; the replay refuses it without).
    fn act(&mut self, case: usize, by: usize, action: CaseAction, file: u8) -> Result<(), TestCaseError> {
        let records = matches!(action, CaseAction::RecordCallback { .. } | CaseAction::ConfirmUnchecked);
        let who = USERS[by].0;
        if records && self.cases[case].open_attempt.as_deref() != Some(who) {
            let (statement, details) = statement_of(action, None, ACCOUNTS[self.cases[case].account]);
            prop_assert!(self.log.refuses(by, statement, &Self::subject(case), details), "a callback without an own attempt counted");
            self.decide_and_log(case, by, CaseAction::StartCallback, None)?;
        }
        let bank_file = (file > 0).then(|| format!("{file:064}"));
        self.decide_and_log(case, by, action, bank_file)
    }

    /// One step through `decide` and the model, then through the log and its replay.
    fn decide_and_log(&mut self, case: usize, by: usize, action: CaseAction, bank_file: Option<String>) -> Result<(), TestCaseError> {
        let (who, role) = USERS[by];
        let before = self.cases[case].clone();
        let at = self.log.next_at();
        let expected = expect(&before, who, role, action, &self.accounts, at);
        let got = decide(&before.facts(&self.accounts, at), who, role, action, &Policy::default());
        prop_assert!(
            agrees(&expected, &before, action, &got),
            "{who} ({role:?}) {action:?} on {before:?}: model {expected:?}, decide {got:?}"
        );
        let (statement, details) = statement_of(action, bank_file.as_deref(), ACCOUNTS[before.account]);
        let subject = Self::subject(case);
        let after = match expected {
            Expect::Moves(next) => {
                self.log.by(by, statement, &subject, details);
                Case { bank_file: before.bank_file.clone().or(bank_file.filter(|_| action == CaseAction::Release)), ..*next }
            }
            Expect::WrongResponse => {
                self.log.by(by, statement, &subject, details);
                Case { wrong: before.wrong + 1, open_attempt: None, ..before.clone() }
            }
            Expect::NotPermitted | Expect::NotAllowed | Expect::CoolingOff => {
                prop_assert!(self.log.refuses(by, statement, &subject, details), "{who}'s refused {action:?} counted in the replay");
                before.clone()
            }
        };
        keeps_the_controls(&before, &after).map_err(TestCaseError::fail)?;
        if after.releases > before.releases {
            if let Some(change_made_by) = before.cooling_off(&self.accounts, at) {
                let early = &before.early;
                prop_assert!(early.len() >= 2, "released inside the cooling-off with {} early request(s)", early.len());
                prop_assert!(early.iter().all(|u| !change_made_by.contains(u)), "{early:?} took part in the change {change_made_by:?}");
            }
        }
        self.account_effects(&before, &after, at);
        self.cases[case] = after;
        self.replay_agrees(case)
    }

    /// What a step does to the partner's accounts: an approval (and the release of an accepted
    /// case) makes the case's account current, a denial marks it.
    fn account_effects(&mut self, before: &Case, after: &Case, at: i64) {
        let approved = after.status == CaseStatus::Approved && before.status != CaseStatus::Approved;
        let released_accepted = after.status == CaseStatus::Released && before.status == CaseStatus::Accepted;
        if approved || released_accepted {
            let people = std::iter::once(&after.received_by).chain(&after.called_by).chain(&after.decided_by).cloned().collect();
            self.accounts.make_current(after.account, false, at, people);
        }
        if after.status == CaseStatus::Quarantined
            && before.status != CaseStatus::Quarantined
            && self.accounts.known[after.account].is_some()
        {
            self.accounts.known[after.account] = Some(false);
        }
    }

    /// `case export`: the bank file of a released case; the first one made is its one file.
    fn export(&mut self, case: usize, by: usize, file: u8) -> Result<(), TestCaseError> {
        let sha = format!("{file:064}");
        let c = &self.cases[case];
        let role_may = matches!(USERS[by].1, Role::Clerk | Role::Approver);
        let same_file = c.bank_file.as_ref().is_none_or(|f| *f == sha);
        let details = json!({ "bank_file_sha256": sha, "copy": c.bank_file.is_some() });
        if !role_may || c.status != CaseStatus::Released || !same_file {
            prop_assert!(self.log.refuses(by, "case.export", &Self::subject(case), details), "a refused export counted");
            return Ok(());
        }
        self.log.by(by, "case.export", &Self::subject(case), details);
        self.cases[case].bank_file = Some(sha);
        self.replay_agrees(case)
    }

    /// The replay's case is the model's, and no statement the model allowed was refused.
    fn replay_agrees(&self, case: usize) -> Result<(), TestCaseError> {
        let state = &self.log.state;
        prop_assert!(state.problems.is_empty(), "the replay refused a step the model allowed: {:?}", state.problems);
        let (m, r) = (&self.cases[case], &state.cases[&(case as i64 + 1)]);
        prop_assert_eq!((r.status, r.verdict, &r.received_by, r.amount_minor), (m.status, m.verdict, &m.received_by, m.amount));
        prop_assert_eq!((&r.called_by, &r.open_attempt_by, r.wrong_responses), (&m.called_by, &m.open_attempt, m.wrong));
        prop_assert_eq!((r.response_needs_callback_key, r.response_unchecked), (m.v2, m.unchecked));
        prop_assert_eq!((&r.decided_by, &r.released_by, &r.bank_file_sha256), (&m.decided_by, &m.released_by, &m.bank_file));
        prop_assert_eq!(&r.early_release_by, &m.early);
        prop_assert_eq!(r.name_checks.iter().any(|c| c.check.outcome().holds()), m.no_match);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// Random sequences agree with the model at every step, keep the controls, and the log's
    /// replay gives the model's cases.
    #[test]
    fn random_sequences_agree_with_the_model_and_the_replay(
        first in (0..USERS.len(), prop_oneof![Just(Verdict::Accepted), Just(Verdict::Hold)], amount(), any::<bool>()),
        ops in proptest::collection::vec(op(), 1..80),
    ) {
        let mut run = Run::new();
        let (by, verdict, amount, v2) = first;
        run.step(&Op::Receive { by: by % 8, verdict, amount, v2, account: 1 })?;
        for op in &ops {
            run.step(op)?;
        }
        // The whole log replayed from scratch gives the state replayed event by event.
        let again = ImpliedState::replay(run.log.events.iter());
        prop_assert_eq!(&again.cases, &run.log.state.cases);
        prop_assert!(again.problems.is_empty(), "{:?}", again.problems);
    }
}

/// The three-strike lock on a v2 file, through the approver's check: each wrong response found
/// at approval counts, even after an unchecked confirmation (docs/cli-cases.md: "It counts as a
/// wrong response (three lock the callback …)").
#[test]
fn wrong_responses_found_at_approval_lock_the_callback() {
    let mut run = Run::new();
    let (clara, anna) = (user_index("clara"), user_index("anna"));
    run.receive(user_index("carl"), Verdict::Hold, Some(5_00), true, 1).unwrap();
    for _ in 0..3 {
        run.act(0, clara, CaseAction::ConfirmUnchecked, 0).unwrap();
        run.act(0, anna, CaseAction::ApproveCheckingResponse { response_correct: false }, 0).unwrap();
    }
    assert_eq!((run.cases[0].status, run.cases[0].wrong), (CaseStatus::Hold, 3));
    let locked =
        decide(&run.cases[0].facts(&run.accounts, run.log.next_at()), "clara", Role::Clerk, CaseAction::StartCallback, &Policy::default());
    assert!(matches!(locked, Err(Refusal::NotAllowed(_))), "{locked:?}");
}

/// Issue 20: a change of account called back and approved starts a cooling-off; its release is
/// refused (also after one early request, and an early request by those who made the change does
/// not count) until two other approvers asked; after the period a change's payment goes at once.
#[test]
fn a_changed_account_waits_its_cooling_off_unless_two_other_approvers_release_early() {
    let mut run = Run::new();
    let (clara, anna, arne, ava) = (user_index("clara"), user_index("anna"), user_index("arne"), user_index("ava"));
    let confirm = CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: true };
    run.receive(clara, Verdict::Hold, Some(5_00), false, 1).unwrap();
    run.act(0, arne, confirm, 0).unwrap();
    run.act(0, anna, CaseAction::Approve, 0).unwrap();
    let refused = |run: &Run, who: usize, action| {
        let (name, role) = USERS[who];
        decide(&run.cases[0].facts(&run.accounts, run.log.next_at()), name, role, action, &Policy::default())
    };
    assert!(matches!(refused(&run, anna, CaseAction::Release), Err(Refusal::CoolingOff(_))));
    for made_the_change in [arne, anna] {
        assert!(matches!(refused(&run, made_the_change, CaseAction::ReleaseEarly), Err(Refusal::NotPermitted(_))));
        run.act(0, made_the_change, CaseAction::ReleaseEarly, 0).unwrap();
    }
    run.act(0, ava, CaseAction::ReleaseEarly, 0).unwrap();
    assert!(matches!(refused(&run, anna, CaseAction::Release), Err(Refusal::CoolingOff(_))), "one request is not enough");
    assert!(matches!(refused(&run, ava, CaseAction::ReleaseEarly), Err(Refusal::NotAllowed(_))), "once each");
    // The office has three approvers and two made the change: this payment waits the period.
    // A second payment to the same account waits too.
    run.receive(clara, Verdict::Accepted, Some(5_00), false, 1).unwrap();
    run.act(1, ava, CaseAction::ReleaseEarly, 0).unwrap();
    assert!(
        matches!(
            decide(&run.cases[1].facts(&run.accounts, run.log.next_at()), "clara", Role::Clerk, CaseAction::Release, &Policy::default()),
            Err(Refusal::CoolingOff(_))
        ),
        "a second payment to the changed account waits"
    );
    run.step(&Op::Wait { hours: 24 }).unwrap();
    run.act(0, anna, CaseAction::Release, 0).unwrap();
    run.act(1, clara, CaseAction::Release, 0).unwrap();
    assert_eq!((run.cases[0].status, run.cases[1].status), (CaseStatus::Released, CaseStatus::Released));
}
