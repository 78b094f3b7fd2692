//! The case state machine (pure): which action each user may take on a case in each state, and
//! what it leads to. The service applies the outcome in one transaction with its audit event.
//!
//! ```text
//! accepted ──(release; approval first when over the threshold)──────────────────▶ released
//! hold ──callback confirmed──▶ callback_confirmed ──approve──▶ approved ──release──▶ released
//! hold ──callback denied──▶ quarantined
//! any open state ──reject──▶ rejected
//! ```
//!
//! Dual control: an approver may never approve a case they received or called back on; three
//! wrong challenge responses lock the callback until an approver reopens or rejects the case.
//!
//! Cooling-off (issue 20): a payment to an account that became its partner's current one in place
//! of another less than the policy's `cooling_off_hours` ago is not released
//! ([`Refusal::CoolingOff`]), unless [`EARLY_RELEASE_APPROVERS`] approvers who took no part in the
//! change nor in the case each asked to release it early, with a written reason
//! ([`CaseAction::ReleaseEarly`]).
//!
//! A bank's name check (issue 20, [`CaseAction::AttachNameCheck`]) is attached by an approver, to a
//! case in any state: a no-match puts an accepted, confirmed or approved case back on hold (the
//! approval was given without that fact), and from then on the case needs an approval whatever its
//! verdict and amount (`CaseFacts::bank_no_match`); a released or closed case only records it.
//!
//! A file of format v2 has a response only the partner's key or our callback secret gives
//! (format §3.7). A clerk holds no callback secret, so their confirmation is recorded with the
//! response *unchecked*; the approver checks it when approving (`ApproveCheckingResponse`): a
//! wrong one sends the case back to `hold` and counts as a wrong response.

use time::{Duration, OffsetDateTime};

use crate::assess::findings::Verdict;
use crate::auth::Role;
use crate::cases::policy::Policy;

/// Wrong callback responses that lock a case.
pub const MAX_WRONG_RESPONSES: u32 = 3;

/// Distinct approvers who must ask to release a payment early, inside its cooling-off.
pub const EARLY_RELEASE_APPROVERS: usize = 2;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CaseStatus {
    /// Valid and consistent: may be released (with approval over the threshold).
    Accepted,
    /// Needs a callback and an approval.
    Hold,
    /// The partner confirmed on a callback to an on-file number.
    CallbackConfirmed,
    /// A second person approved.
    Approved,
    /// Paid out.
    Released,
    /// Will not be paid.
    Rejected,
    /// The partner denied the instruction: fraud.
    Quarantined,
}

impl CaseStatus {
    /// Every status, in the order a case usually goes through them.
    pub const ALL: [Self; 7] =
        [Self::Accepted, Self::Hold, Self::CallbackConfirmed, Self::Approved, Self::Released, Self::Rejected, Self::Quarantined];

    /// The contract's string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Hold => "hold",
            Self::CallbackConfirmed => "callback_confirmed",
            Self::Approved => "approved",
            Self::Released => "released",
            Self::Rejected => "rejected",
            Self::Quarantined => "quarantined",
        }
    }

    /// Parses the contract's string.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for CaseStatus {
    type Err = UnknownStatus;

    fn from_str(text: &str) -> Result<Self, UnknownStatus> {
        Self::parse(text).ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

/// A status name that is none of the contract's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}: use accepted, hold, callback_confirmed, approved, released, rejected or quarantined")]
pub struct UnknownStatus(pub String);

impl CaseStatus {
    /// Whether the case can still move (not released, rejected or quarantined).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Accepted | Self::Hold | Self::CallbackConfirmed | Self::Approved)
    }
}

/// The outcome of a callback as the clerk records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CallbackOutcome {
    /// The partner read back the right response and confirmed the details.
    Confirmed,
    /// The partner says they did not send this instruction.
    Denied,
    /// Nobody could be reached.
    Unreachable,
}

impl CallbackOutcome {
    /// The CLI's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Denied => "denied",
            Self::Unreachable => "unreachable",
        }
    }

    /// Parses the CLI's word.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "confirmed" => Some(Self::Confirmed),
            "denied" => Some(Self::Denied),
            "unreachable" => Some(Self::Unreachable),
            _ => None,
        }
    }
}

/// What is known about a case, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// Current status.
    pub status: CaseStatus,
    /// Verdict at receipt.
    pub verdict: Verdict,
    /// Who received it.
    pub received_by: String,
    /// Everyone who started or recorded a callback on it.
    pub called_by: Vec<String>,
    /// Amount in minor units, if any.
    pub amount_minor: Option<u64>,
    /// Consecutive wrong responses since the last reopen.
    pub wrong_responses: u32,
    /// The file is of format v2: its callback response can be checked only with the callback secret.
    pub response_needs_callback_key: bool,
    /// A confirmed callback's response was recorded unchecked: the approval must check it.
    pub response_unchecked: bool,
    /// Who approved it, once approved.
    pub approved_by: Option<String>,
    /// The cooling-off of the account it pays, when that account replaced another as the
    /// partner's current one (none otherwise).
    pub cooling_off: Option<CoolingOff>,
    /// The approvers who asked to release it early, in order, without repeats.
    pub early_release_by: Vec<String>,
    /// A bank's name check attached to it answered no match (issue 20): it needs an approval.
    pub bank_no_match: bool,
    /// The partner's freeze that holds this payment at the time of the decision (issue 20): a
    /// sentence naming it. Nothing is released while it stands.
    pub partner_frozen: Option<String>,
}

/// The cooling-off of a changed account (issue 20), as it stands at the time of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoolingOff {
    /// When the account became its partner's current one in place of another: the start.
    pub since: OffsetDateTime,
    /// The time of the decision: the service's clock, or a replayed statement's own time.
    pub at: OffsetDateTime,
    /// Who received, called back on or approved the case that made the change: none of them may
    /// ask to release early.
    pub change_made_by: Vec<String>,
}

impl CoolingOff {
    /// When the cooling-off ends under `policy`.
    pub fn until(&self, policy: &Policy) -> OffsetDateTime {
        self.since + Duration::hours(i64::from(policy.cooling_off_hours))
    }

    /// The time left at [`CoolingOff::at`]; `None` once it is over (at once with 0 hours).
    pub fn left(&self, policy: &Policy) -> Option<Duration> {
        let until = self.until(policy);
        (self.at < until).then(|| until - self.at)
    }
}

impl CaseFacts {
    /// Whether the callback is locked after too many wrong responses.
    pub fn locked(&self) -> bool {
        self.wrong_responses >= MAX_WRONG_RESPONSES
    }

    /// Whether an accepted case needs an approval before release (amount over the threshold).
    pub fn needs_approval(&self, policy: &Policy) -> bool {
        self.bank_no_match || self.verdict != Verdict::Accepted || self.amount_minor.is_some_and(|a| a > policy.approval_threshold_minor)
    }
}

/// Something a user wants to do to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    /// Start a callback attempt (a fresh challenge).
    StartCallback,
    /// Record a callback's outcome; `response_correct` says whether the response heard matched.
    RecordCallback {
        /// What the clerk records.
        outcome: CallbackOutcome,
        /// Whether the response read back matched the one expected (only for `Confirmed`).
        response_correct: bool,
    },
    /// Record a confirmed callback of a v2 file whose response the recorder cannot check (they
    /// hold no callback secret): it is checked at approval.
    ConfirmUnchecked,
    /// Second approval.
    Approve,
    /// Second approval of a case whose response was recorded unchecked, after checking it with the
    /// callback secret: right approves, wrong sends the case back to `hold` as a wrong response.
    ApproveCheckingResponse {
        /// Whether the recorded response is the one expected.
        response_correct: bool,
    },
    /// Refuse payment.
    Reject,
    /// Release the payment.
    Release,
    /// Unlock a callback locked after wrong responses.
    Reopen,
    /// An approver's request, with a written reason, to release a payment inside its account's
    /// cooling-off; [`EARLY_RELEASE_APPROVERS`] of them let it be released.
    ReleaseEarly,
    /// An approver attaches a bank's name check (issue 20); `no_match` when its answer holds the
    /// case ([`crate::cases::name_check::Outcome::holds`]).
    AttachNameCheck {
        /// The answer is a no match.
        no_match: bool,
    },
}

/// What a permitted action changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The new status.
    pub status: CaseStatus,
    /// Wrong responses after the action.
    pub wrong_responses: u32,
    /// Mark the case's account fraudulent for every partner.
    pub mark_fraudulent: bool,
    /// The case's account becomes the partner's current one.
    pub make_account_current: bool,
    /// The confirmed callback's response is unchecked after the action.
    pub response_unchecked: bool,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The user's role or dual control forbids it (exit 4).
    #[error("{0}")]
    NotPermitted(Refused),
    /// The case's state does not allow it (exit 1).
    #[error("{0}")]
    NotAllowed(Refused),
    /// The response read back did not match: recorded as a failed attempt (exit 1).
    #[error("{0}")]
    WrongResponse(Refused),
    /// The payment waits for its account's cooling-off (exit 1, `cooling_off`).
    #[error("{0}")]
    CoolingOff(Refused),
    /// The partner froze its payments (issue 20): nothing is released until the freeze is
    /// lifted (exit 1, `partner_frozen`).
    #[error("{0}")]
    PartnerFrozen(Refused),
}

impl Refusal {
    /// The sentence and the particulars it names.
    pub fn refused(&self) -> &Refused {
        match self {
            Refusal::NotPermitted(r)
            | Refusal::NotAllowed(r)
            | Refusal::WrongResponse(r)
            | Refusal::CoolingOff(r)
            | Refusal::PartnerFrozen(r) => r,
        }
    }
}

/// Every refusal [`decide`] gives, by its stable `detail`, with the names of the values it
/// carries, so a shell words each one in the user's language (issue 19); the service lists them
/// among its error details.
pub const REFUSAL_DETAILS: &[(&str, &[&str])] = &[
    ("callback_role", &["user", "role"]),
    ("clerk_holds_no_callback_key", &["user"]),
    ("approve_role", &["user", "role"]),
    ("approver_received_it", &["user"]),
    ("approver_called_back", &["user"]),
    ("reject_role", &["user", "role"]),
    ("release_role", &["user", "role"]),
    ("early_release_role", &["user", "role"]),
    ("name_check_role", &["user", "role"]),
    ("early_release_took_part", &["user", "approvers"]),
    ("reopen_role", &["user", "role"]),
    ("not_on_hold", &["status"]),
    ("callback_locked", &["status", "max"]),
    ("response_checked_at_callback", &["status"]),
    ("response_unchecked", &["status"]),
    ("no_unchecked_response", &["status"]),
    ("needs_no_approval", &["status"]),
    ("callback_first", &["status"]),
    ("cannot_approve", &["status"]),
    ("closed", &["status"]),
    ("not_cooling_off", &["status"]),
    ("asked_early_already", &["status", "user"]),
    ("released_twice", &["status"]),
    ("cannot_release", &["status"]),
    ("over_threshold", &["status"]),
    ("callback_and_approval_first", &["status"]),
    ("approval_first", &["status"]),
    ("not_locked", &["status"]),
    ("response_mismatch", &["left"]),
    ("response_mismatch_locked", &[]),
    ("cooling_off", &["since", "hours", "hours_left", "minutes_left", "until", "approvers", "asked"]),
    ("partner_frozen", &[]),
];

/// A refusal's English sentence (what the CLI prints), which of [`REFUSAL_DETAILS`] it is, and
/// the particulars it names by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    message: String,
    detail: &'static str,
    values: Vec<(&'static str, String)>,
}

impl Refused {
    fn new(detail: &'static str, message: String) -> Self {
        debug_assert!(REFUSAL_DETAILS.iter().any(|(d, _)| *d == detail), "the refusal {detail} is not in REFUSAL_DETAILS");
        Refused { message, detail, values: Vec::new() }
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        debug_assert!(
            REFUSAL_DETAILS.iter().any(|(d, names)| *d == self.detail && names.contains(&name)),
            "the refusal {} carries no value {name}",
            self.detail
        );
        self.values.push((name, value.to_string()));
        self
    }

    /// The English sentence.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Which refusal it is (one of [`REFUSAL_DETAILS`]).
    pub fn detail(&self) -> &'static str {
        self.detail
    }

    /// The particulars it names, by name.
    pub fn values(&self) -> &[(&'static str, String)] {
        &self.values
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The refusal, by role, of an action only `roles` take: names the user and their role.
fn role_refusal(r: &Request<'_>, detail: &'static str, message: String) -> Refusal {
    Refusal::NotPermitted(Refused::new(detail, message).with("user", r.who).with("role", r.role.as_str()))
}

fn unchanged(facts: &CaseFacts) -> Transition {
    Transition {
        status: facts.status,
        wrong_responses: facts.wrong_responses,
        mark_fraudulent: false,
        make_account_current: false,
        response_unchecked: facts.response_unchecked,
    }
}

/// Decides whether `who` (with `role`) may take `action` on a case, and what follows.
pub fn decide(facts: &CaseFacts, who: &str, role: Role, action: CaseAction, policy: &Policy) -> Result<Transition, Refusal> {
    let request = Request { facts, who, role, policy };
    match action {
        CaseAction::StartCallback => start_callback(&request),
        CaseAction::RecordCallback { outcome, response_correct } => record_callback(&request, outcome, response_correct),
        CaseAction::ConfirmUnchecked => confirm_unchecked(&request),
        CaseAction::Approve => approve(&request),
        CaseAction::ApproveCheckingResponse { response_correct } => approve_checking_response(&request, response_correct),
        CaseAction::Reject => reject(&request),
        CaseAction::Release => release(&request),
        CaseAction::Reopen => reopen(&request),
        CaseAction::ReleaseEarly => release_early(&request),
        CaseAction::AttachNameCheck { no_match } => attach_name_check(&request, no_match),
    }
}

/// Who asks for an action on which case, under which policy: what every rule looks at.
struct Request<'a> {
    facts: &'a CaseFacts,
    who: &'a str,
    role: Role,
    policy: &'a Policy,
}

impl Request<'_> {
    /// The refusal of an action the case's state does not allow, naming the state.
    fn not_allowed<T>(&self, detail: &'static str, what: &str) -> Result<T, Refusal> {
        Err(self.not_allowed_with(detail, what, &[]))
    }

    /// The same, with more particulars than the state.
    fn not_allowed_with(&self, detail: &'static str, what: &str, values: &[(&'static str, String)]) -> Refusal {
        let status = self.facts.status.as_str();
        let refused = Refused::new(detail, format!("the case is {status}: {what}")).with("status", status);
        Refusal::NotAllowed(values.iter().fold(refused, |r, (name, value)| r.with(name, value)))
    }
}

/// Whether the user may start or record a callback on the case now (clerks and approvers, a case on hold, not locked).
fn may_call_back(r: &Request<'_>) -> Result<(), Refusal> {
    let who = r.who;
    if !matches!(r.role, Role::Clerk | Role::Approver) {
        return Err(role_refusal(r, "callback_role", format!("{who} is not a clerk or approver: only they make callbacks")));
    }
    if r.facts.status != CaseStatus::Hold {
        return r.not_allowed("not_on_hold", "only a case on hold needs a callback");
    }
    if r.facts.locked() {
        let what = format!("the callback is locked after {MAX_WRONG_RESPONSES} wrong responses; an approver must reopen or reject it");
        return Err(r.not_allowed_with("callback_locked", &what, &[("max", MAX_WRONG_RESPONSES.to_string())]));
    }
    Ok(())
}

/// Starting a callback attempt: permitted on a case on hold, and changes nothing.
fn start_callback(r: &Request<'_>) -> Result<Transition, Refusal> {
    may_call_back(r)?;
    Ok(unchanged(r.facts))
}

/// Recording a callback's outcome: a confirmation with the right response, a wrong response, a denial, or nobody reached.
fn record_callback(r: &Request<'_>, outcome: CallbackOutcome, response_correct: bool) -> Result<Transition, Refusal> {
    may_call_back(r)?;
    let confirmed = Transition { status: CaseStatus::CallbackConfirmed, wrong_responses: 0, ..unchanged(r.facts) };
    match outcome {
        // Only the holder of the callback secret can have checked a v2 response; clerks hold none.
        CallbackOutcome::Confirmed if response_correct && r.facts.response_needs_callback_key && r.role == Role::Clerk => {
            Err(Refusal::NotPermitted(
                Refused::new(
                    "clerk_holds_no_callback_key",
                    format!("{} is a clerk and holds no callback key: the response to a v2 file is checked at approval", r.who),
                )
                .with("user", r.who),
            ))
        }
        CallbackOutcome::Confirmed if response_correct => Ok(Transition { response_unchecked: false, ..confirmed }),
        CallbackOutcome::Confirmed => Err(wrong_response(r.facts)),
        CallbackOutcome::Denied => Ok(Transition { status: CaseStatus::Quarantined, mark_fraudulent: true, ..unchanged(r.facts) }),
        CallbackOutcome::Unreachable => Ok(unchanged(r.facts)),
    }
}

/// Recording a confirmation of a v2 file with the response unchecked (the recorder holds no
/// callback secret): the case is confirmed, and its approval must check the response.
fn confirm_unchecked(r: &Request<'_>) -> Result<Transition, Refusal> {
    may_call_back(r)?;
    if !r.facts.response_needs_callback_key {
        return r.not_allowed("response_checked_at_callback", "the response to a version-1 file is checked when the callback is recorded");
    }
    // The count stands: whether this response is right is known only at approval, where a
    // wrong one counts towards the lock like any other.
    Ok(Transition { status: CaseStatus::CallbackConfirmed, response_unchecked: true, ..unchanged(r.facts) })
}

/// The refusal of a wrong response read back, saying how many more lock the case.
fn wrong_response(facts: &CaseFacts) -> Refusal {
    let wrong = facts.wrong_responses + 1;
    let left = MAX_WRONG_RESPONSES.saturating_sub(wrong);
    let said = "the response does not match the instruction we received: the caller may hold a different file, or it is not the partner. Do not confirm.";
    Refusal::WrongResponse(if left == 0 {
        Refused::new("response_mismatch_locked", format!("{said} The callback is now locked: an approver must reopen or reject the case."))
    } else {
        Refused::new("response_mismatch", format!("{said} {left} more wrong response(s) lock the case.")).with("left", left)
    })
}

/// The second approval: by an approver who neither received the case nor called back on it, once the state needs it.
fn approve(r: &Request<'_>) -> Result<Transition, Refusal> {
    may_approve(r)?;
    if r.facts.response_unchecked {
        return r.not_allowed(
            "response_unchecked",
            "the partner's response was recorded unchecked: the approval must check it with the callback key",
        );
    }
    Ok(Transition { status: CaseStatus::Approved, make_account_current: true, ..unchanged(r.facts) })
}

/// The second approval of a case whose response was recorded unchecked: the approver's session
/// checked it; right approves, wrong sends the case back to `hold` for another call.
fn approve_checking_response(r: &Request<'_>, response_correct: bool) -> Result<Transition, Refusal> {
    may_approve(r)?;
    if !r.facts.response_unchecked {
        return r.not_allowed("no_unchecked_response", "it has no unchecked response to check");
    }
    match response_correct {
        true => {
            Ok(Transition { status: CaseStatus::Approved, make_account_current: true, response_unchecked: false, ..unchanged(r.facts) })
        }
        false => Ok(Transition {
            status: CaseStatus::Hold,
            wrong_responses: r.facts.wrong_responses + 1,
            response_unchecked: false,
            ..unchanged(r.facts)
        }),
    }
}

/// Whether the user may approve the case now: an approver who neither received nor called back on it, a state that needs it.
fn may_approve(r: &Request<'_>) -> Result<(), Refusal> {
    use CaseStatus::*;
    let who = r.who;
    if r.role != Role::Approver {
        return Err(role_refusal(r, "approve_role", format!("{who} is not an approver: only approvers approve")));
    }
    if r.facts.received_by == who {
        let message = format!("{who} received this case: a second person must approve it");
        return Err(Refusal::NotPermitted(Refused::new("approver_received_it", message).with("user", who)));
    }
    if r.facts.called_by.iter().any(|c| c == who) {
        let message = format!("{who} made the callback on this case: a second person must approve it");
        return Err(Refusal::NotPermitted(Refused::new("approver_called_back", message).with("user", who)));
    }
    match r.facts.status {
        CallbackConfirmed => {}
        Accepted if r.facts.needs_approval(r.policy) => {}
        Accepted => return r.not_allowed("needs_no_approval", "it needs no approval; it can be released"),
        Hold => return r.not_allowed("callback_first", "the partner must first be called back on an on-file number"),
        _ => return r.not_allowed("cannot_approve", "it cannot be approved"),
    }
    Ok(())
}

/// Rejecting: by an approver, on any open case.
fn reject(r: &Request<'_>) -> Result<Transition, Refusal> {
    let who = r.who;
    if r.role != Role::Approver {
        return Err(role_refusal(r, "reject_role", format!("{who} is not an approver: only approvers reject")));
    }
    if !r.facts.status.is_open() {
        return r.not_allowed("closed", "it is closed");
    }
    Ok(Transition { status: CaseStatus::Rejected, ..unchanged(r.facts) })
}

/// Releasing the payment: never twice; by an approver once approved, or by a clerk for an
/// accepted case within the threshold; not inside its account's cooling-off unless enough
/// approvers asked to release it early.
fn release(r: &Request<'_>) -> Result<Transition, Refusal> {
    let t = may_release(r)?;
    not_frozen(r)?;
    if let Some(left) = cooling_off_left(r) {
        let asked = r.facts.early_release_by.len();
        if asked < EARLY_RELEASE_APPROVERS {
            return Err(Refusal::CoolingOff(cooling_off_refusal(r, left, asked)));
        }
    }
    Ok(t)
}

/// Refuses a release (early or not) while the partner's freeze holds the payment.
fn not_frozen(r: &Request<'_>) -> Result<(), Refusal> {
    match &r.facts.partner_frozen {
        Some(freeze) => Err(Refusal::PartnerFrozen(Refused::new("partner_frozen", format!("the partner froze its payments: {freeze}")))),
        None => Ok(()),
    }
}

/// The time left of the cooling-off of the account the case pays, if it is not over.
fn cooling_off_left(r: &Request<'_>) -> Option<Duration> {
    r.facts.cooling_off.as_ref()?.left(r.policy)
}

/// Why a release waits: since when, how long, how much is left, and who may release it early.
fn cooling_off_refusal(r: &Request<'_>, left: Duration, asked: usize) -> Refused {
    let c = r.facts.cooling_off.as_ref().expect("a cooling-off is in effect");
    let (since, until) = (crate::encoding::format_utc(c.since), crate::encoding::format_utc(c.until(r.policy)));
    let (hours, hours_left, minutes_left) = (r.policy.cooling_off_hours, left.whole_hours(), left.whole_minutes() % 60);
    let message = format!(
        "the account it pays became the partner's current one on {since} and the policy holds the first payments to a changed account for {hours} hours: {hours_left} h {minutes_left:02} min left (until {until}). {EARLY_RELEASE_APPROVERS} approvers who took no part in the change may release it early, each with a reason; {asked} asked so far",
    );
    Refused::new("cooling_off", message)
        .with("since", since)
        .with("hours", hours)
        .with("hours_left", hours_left)
        .with("minutes_left", format!("{minutes_left:02}"))
        .with("until", until)
        .with("approvers", EARLY_RELEASE_APPROVERS)
        .with("asked", asked)
}

/// An approver's request to release early: the case could be released but for its cooling-off,
/// and the approver took no part in the change or the case and has not asked already.
fn release_early(r: &Request<'_>) -> Result<Transition, Refusal> {
    let who = r.who;
    if r.role != Role::Approver {
        return Err(role_refusal(r, "early_release_role", format!("{who} is not an approver: only approvers release a payment early")));
    }
    // Only a case that could be released but for its cooling-off; the request moves nothing.
    may_release(r)?;
    not_frozen(r)?;
    if cooling_off_left(r).is_none() {
        return r.not_allowed("not_cooling_off", "its account is not in a cooling-off period: release it");
    }
    let c = r.facts.cooling_off.as_ref().expect("a cooling-off is in effect");
    let took_part =
        c.change_made_by.iter().chain(&r.facts.called_by).chain(&r.facts.approved_by).any(|u| u == who) || r.facts.received_by == who;
    if took_part {
        let message = format!(
            "{who} received, called back on or approved this case or the change of its account: {EARLY_RELEASE_APPROVERS} other approvers must release it early"
        );
        let refused = Refused::new("early_release_took_part", message).with("user", who).with("approvers", EARLY_RELEASE_APPROVERS);
        return Err(Refusal::NotPermitted(refused));
    }
    if r.facts.early_release_by.iter().any(|u| u == who) {
        let what = format!("{who} asked to release it early already; another approver must ask too");
        return Err(r.not_allowed_with("asked_early_already", &what, &[("user", who.to_string())]));
    }
    Ok(unchanged(r.facts))
}

/// The rules of a release apart from the cooling-off: never twice; by an approver once
/// approved, or by a clerk for an accepted case within the threshold.
fn may_release(r: &Request<'_>) -> Result<Transition, Refusal> {
    use CaseStatus::*;
    let (who, status) = (r.who, r.facts.status);
    // The state first: releasing twice is "already released" for everyone (exit 1).
    if status == Released {
        return r.not_allowed("released_twice", "it was already released; a payment is never released twice");
    }
    if !status.is_open() {
        return r.not_allowed("cannot_release", "it cannot be released");
    }
    let clerk_may = r.role == Role::Clerk && status == Accepted && !r.facts.needs_approval(r.policy);
    if r.role != Role::Approver && !clerk_may {
        let message =
            format!("{who} may not release this case: approvers release; clerks only accepted cases up to the approval threshold");
        return Err(role_refusal(r, "release_role", message));
    }
    match status {
        Approved => {}
        Accepted if !r.facts.needs_approval(r.policy) => {}
        Accepted => return r.not_allowed("over_threshold", "its amount is over the approval threshold: it needs an approval first"),
        Hold => return r.not_allowed("callback_and_approval_first", "it needs a callback and an approval first"),
        CallbackConfirmed => return r.not_allowed("approval_first", "it needs an approval first"),
        _ => return r.not_allowed("cannot_release", "it cannot be released"),
    }
    let current = status == Accepted;
    Ok(Transition { status: Released, make_account_current: current, ..unchanged(r.facts) })
}

/// Attaching a bank's name check: by an approver (the role that approves; admins do not approve,
/// so they do not attach), to a case in any state. A no match puts an accepted, confirmed or
/// approved case back on hold with its confirmation unchecked no more (a new callback and a new
/// approval follow, now with the bank's answer in the file); a case on hold stays so, and a
/// released, rejected or quarantined one only records it (the payment is out or stopped).
fn attach_name_check(r: &Request<'_>, no_match: bool) -> Result<Transition, Refusal> {
    use CaseStatus::*;
    if r.role != Role::Approver {
        return Err(role_refusal(r, "name_check_role", format!("{} is not an approver: only approvers attach a bank's name check", r.who)));
    }
    match r.facts.status {
        Accepted | CallbackConfirmed | Approved if no_match => {
            Ok(Transition { status: Hold, response_unchecked: false, ..unchanged(r.facts) })
        }
        _ => Ok(unchanged(r.facts)),
    }
}

/// Reopening a callback locked after wrong responses: by an approver, and only then.
fn reopen(r: &Request<'_>) -> Result<Transition, Refusal> {
    let who = r.who;
    if r.role != Role::Approver {
        return Err(role_refusal(r, "reopen_role", format!("{who} is not an approver: only approvers reopen a locked callback")));
    }
    if r.facts.status != CaseStatus::Hold || !r.facts.locked() {
        return r.not_allowed("not_locked", "only a case whose callback is locked can be reopened");
    }
    Ok(Transition { status: CaseStatus::Hold, wrong_responses: 0, ..unchanged(r.facts) })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A case received by clara, 100.00, no callback yet: what each test changes.
    pub(crate) fn facts(status: CaseStatus, verdict: Verdict) -> CaseFacts {
        CaseFacts {
            status,
            verdict,
            received_by: "clara".into(),
            called_by: vec![],
            amount_minor: Some(100_00),
            wrong_responses: 0,
            response_needs_callback_key: false,
            response_unchecked: false,
            approved_by: None,
            cooling_off: None,
            early_release_by: vec![],
            bank_no_match: false,
            partner_frozen: None,
        }
    }

    /// A v2 file: the clerk's confirmation is unchecked, the approval checks it; a wrong response
    /// found at approval sends the case back to hold and counts towards the lock.
    #[test]
    fn a_v2_response_recorded_unchecked_is_checked_at_approval() {
        let p = Policy::default();
        let mut f = CaseFacts { response_needs_callback_key: true, ..facts(CaseStatus::Hold, Verdict::Hold) };
        f.called_by.push("clara".into());
        let checked = CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: true };
        assert!(matches!(decide(&f, "clara", Role::Clerk, checked, &p), Err(Refusal::NotPermitted(_))), "a clerk cannot check");
        assert!(!decide(&f, "arne", Role::Approver, checked, &p).unwrap().response_unchecked);
        let t = decide(&f, "clara", Role::Clerk, CaseAction::ConfirmUnchecked, &p).unwrap();
        assert_eq!((t.status, t.response_unchecked), (CaseStatus::CallbackConfirmed, true));
        let confirmed = CaseFacts { status: t.status, response_unchecked: true, ..f.clone() };
        assert!(matches!(decide(&confirmed, "anna", Role::Approver, CaseAction::Approve, &p), Err(Refusal::NotAllowed(_))));
        let wrong = CaseAction::ApproveCheckingResponse { response_correct: false };
        assert!(matches!(decide(&confirmed, "clara", Role::Approver, wrong, &p), Err(Refusal::NotPermitted(_))), "dual control first");
        let back = decide(&confirmed, "anna", Role::Approver, wrong, &p).unwrap();
        assert_eq!((back.status, back.wrong_responses, back.response_unchecked), (CaseStatus::Hold, 1, false));
        let right = decide(&confirmed, "anna", Role::Approver, CaseAction::ApproveCheckingResponse { response_correct: true }, &p).unwrap();
        assert_eq!((right.status, right.make_account_current, right.response_unchecked), (CaseStatus::Approved, true, false));
        let v1 = facts(CaseStatus::Hold, Verdict::Hold);
        assert!(matches!(decide(&v1, "clara", Role::Clerk, CaseAction::ConfirmUnchecked, &p), Err(Refusal::NotAllowed(_))));
    }

    /// Regression (issue 21, found by the model test): an unchecked confirmation reset the count
    /// of wrong responses, so wrong responses found at approval never added up to the lock.
    #[test]
    fn wrong_responses_found_at_approval_add_up_to_the_lock() {
        let p = Policy::default();
        let mut f = CaseFacts { response_needs_callback_key: true, ..facts(CaseStatus::Hold, Verdict::Hold) };
        for n in 1..=MAX_WRONG_RESPONSES {
            let t = decide(&f, "clara", Role::Clerk, CaseAction::ConfirmUnchecked, &p).unwrap();
            assert_eq!(t.wrong_responses, n - 1, "an unchecked confirmation keeps the count");
            f = CaseFacts { status: t.status, response_unchecked: t.response_unchecked, ..f };
            let back = decide(&f, "anna", Role::Approver, CaseAction::ApproveCheckingResponse { response_correct: false }, &p).unwrap();
            f = CaseFacts { status: back.status, wrong_responses: back.wrong_responses, response_unchecked: back.response_unchecked, ..f };
            assert_eq!(f.wrong_responses, n);
        }
        assert!(f.locked());
        assert!(matches!(decide(&f, "clara", Role::Clerk, CaseAction::ConfirmUnchecked, &p), Err(Refusal::NotAllowed(_))));
    }

    /// The contract's names: every status and outcome parses back from its string, shows as it
    /// (padded like any string), and an unknown name is refused with the list of names.
    #[test]
    fn names_parse_back_and_show_as_the_contract_strings() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.as_str().parse::<CaseStatus>(), Ok(s));
            assert_eq!(format!("[{s:<18}]"), format!("[{:<18}]", s.as_str()));
        }
        let names: Vec<&str> = CaseStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["accepted", "hold", "callback_confirmed", "approved", "released", "rejected", "quarantined"]);
        assert_eq!(CaseStatus::parse("paid"), None);
        let unknown = "paid".parse::<CaseStatus>().unwrap_err();
        assert_eq!(unknown, UnknownStatus("paid".into()));
        assert!(unknown.to_string().contains("use accepted, hold"), "{unknown}");
        let open: Vec<CaseStatus> = CaseStatus::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [CaseStatus::Accepted, CaseStatus::Hold, CaseStatus::CallbackConfirmed, CaseStatus::Approved]);
        for (o, name) in
            [(CallbackOutcome::Confirmed, "confirmed"), (CallbackOutcome::Denied, "denied"), (CallbackOutcome::Unreachable, "unreachable")]
        {
            assert_eq!((o.as_str(), CallbackOutcome::parse(name)), (name, Some(o)));
        }
        assert_eq!(CallbackOutcome::parse("wrong_response"), None);
    }

    fn refusal(f: &CaseFacts, who: &str, role: Role, action: CaseAction) -> String {
        match decide(f, who, role, action, &Policy::default()) {
            Err(r) => r.to_string(),
            Ok(t) => panic!("{action:?} by {who} was allowed: {t:?}"),
        }
    }

    /// A refusal names what is missing in the contract's words (docs/cli-cases.md): the user
    /// reads it to know what to do next.
    #[test]
    fn refusals_say_what_is_missing() {
        let release = |status| refusal(&facts(status, Verdict::Hold), "anna", Role::Approver, CaseAction::Release);
        assert!(release(CaseStatus::Released).contains("already released"), "{}", release(CaseStatus::Released));
        assert_eq!(
            refusal(&facts(CaseStatus::Released, Verdict::Accepted), "clara", Role::Clerk, CaseAction::Release),
            "the case is released: it was already released; a payment is never released twice",
            "the state first, whoever asks"
        );
        assert!(release(CaseStatus::Hold).ends_with("it needs a callback and an approval first"));
        assert!(release(CaseStatus::CallbackConfirmed).ends_with(": it needs an approval first"));
        assert!(release(CaseStatus::Rejected).ends_with("it cannot be released"));
        let over = CaseFacts {
            amount_minor: Some(Policy::default().approval_threshold_minor + 1),
            ..facts(CaseStatus::Accepted, Verdict::Accepted)
        };
        assert!(refusal(&over, "anna", Role::Approver, CaseAction::Release)
            .ends_with("over the approval threshold: it needs an approval first"));
        let approve = |status, verdict| refusal(&facts(status, verdict), "anna", Role::Approver, CaseAction::Approve);
        assert!(approve(CaseStatus::Hold, Verdict::Hold).ends_with("must first be called back on an on-file number"));
        assert!(approve(CaseStatus::Accepted, Verdict::Accepted).ends_with("it needs no approval; it can be released"));
        assert!(approve(CaseStatus::Approved, Verdict::Hold).ends_with("it cannot be approved"));
        let wrong = CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: false };
        let said = |n| refusal(&CaseFacts { wrong_responses: n, ..facts(CaseStatus::Hold, Verdict::Hold) }, "clara", Role::Clerk, wrong);
        assert!(said(0).ends_with("2 more wrong response(s) lock the case."), "{}", said(0));
        assert!(said(1).ends_with("1 more wrong response(s) lock the case."), "{}", said(1));
        assert!(said(2).ends_with("The callback is now locked: an approver must reopen or reject the case."), "{}", said(2));
    }

    /// Each refusal names which one it is and its particulars (issue 19), so the app words it in
    /// the user's language; the list of them names each once.
    #[test]
    fn refusals_name_their_detail_and_values() {
        for (i, (detail, names)) in REFUSAL_DETAILS.iter().enumerate() {
            assert!(REFUSAL_DETAILS[..i].iter().all(|(d, _)| d != detail), "{detail} twice");
            assert!(names.iter().enumerate().all(|(j, n)| !names[..j].contains(n)), "{detail}");
        }
        let released =
            decide(&facts(CaseStatus::Released, Verdict::Accepted), "clara", Role::Clerk, CaseAction::Release, &Policy::default());
        let refused = released.unwrap_err();
        assert_eq!((refused.refused().detail(), refused.refused().values()), ("released_twice", &[("status", "released".into())][..]));
        let by_receiver =
            decide(&facts(CaseStatus::CallbackConfirmed, Verdict::Hold), "clara", Role::Approver, CaseAction::Approve, &Policy::default());
        let refused = by_receiver.unwrap_err();
        assert_eq!((refused.refused().detail(), refused.refused().values()), ("approver_received_it", &[("user", "clara".into())][..]));
        let clerk = decide(&facts(CaseStatus::Hold, Verdict::Hold), "clara", Role::Clerk, CaseAction::Reject, &Policy::default());
        assert_eq!(clerk.unwrap_err().refused().values(), &[("user", "clara".into()), ("role", "clerk".into())][..]);
    }

    /// A right response checked at the call ends the run of wrong ones and is checked, whatever
    /// an earlier attempt left: the approval that follows needs no second check.
    #[test]
    fn a_response_checked_at_the_call_leaves_nothing_unchecked() {
        let f = CaseFacts { response_unchecked: true, wrong_responses: 2, ..facts(CaseStatus::Hold, Verdict::Hold) };
        let right = CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: true };
        let t = decide(&f, "arne", Role::Approver, right, &Policy::default()).unwrap();
        assert_eq!((t.status, t.wrong_responses, t.response_unchecked), (CaseStatus::CallbackConfirmed, 0, false));
    }

    /// Reopening unlocks a locked callback on hold, and nothing else: not a closed case that was
    /// locked when it was rejected, not a case on hold short of the lock.
    #[test]
    fn only_a_locked_case_on_hold_is_reopened() {
        let locked = |status| CaseFacts { wrong_responses: MAX_WRONG_RESPONSES, ..facts(status, Verdict::Hold) };
        let reopen = |f: &CaseFacts| decide(f, "anna", Role::Approver, CaseAction::Reopen, &Policy::default());
        assert_eq!(reopen(&locked(CaseStatus::Hold)).unwrap().status, CaseStatus::Hold);
        for status in [CaseStatus::Rejected, CaseStatus::Quarantined, CaseStatus::CallbackConfirmed] {
            assert!(matches!(reopen(&locked(status)), Err(Refusal::NotAllowed(_))), "{status}");
        }
        let short = CaseFacts { wrong_responses: MAX_WRONG_RESPONSES - 1, ..facts(CaseStatus::Hold, Verdict::Hold) };
        assert!(matches!(reopen(&short), Err(Refusal::NotAllowed(_))));
    }

    #[test]
    fn the_happy_path_of_a_hold() {
        let p = Policy::default();
        let mut f = facts(CaseStatus::Hold, Verdict::Hold);
        decide(&f, "clara", Role::Clerk, CaseAction::StartCallback, &p).unwrap();
        f.called_by.push("clara".into());
        let confirm = CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: true };
        f.status = decide(&f, "clara", Role::Clerk, confirm, &p).unwrap().status;
        assert_eq!(f.status, CaseStatus::CallbackConfirmed);
        assert!(matches!(decide(&f, "clara", Role::Approver, CaseAction::Approve, &p), Err(Refusal::NotPermitted(_))));
        assert!(matches!(decide(&f, "clara", Role::Clerk, CaseAction::Release, &p), Err(Refusal::NotPermitted(_))));
        f.status = decide(&f, "anna", Role::Approver, CaseAction::Approve, &p).unwrap().status;
        f.status = decide(&f, "anna", Role::Approver, CaseAction::Release, &p).unwrap().status;
        assert_eq!(f.status, CaseStatus::Released);
        assert!(matches!(decide(&f, "anna", Role::Approver, CaseAction::Release, &p), Err(Refusal::NotAllowed(_))));
    }

    #[test]
    fn three_wrong_responses_lock_until_reopened() {
        let p = Policy::default();
        let mut f = facts(CaseStatus::Hold, Verdict::Hold);
        let wrong = CaseAction::RecordCallback { outcome: CallbackOutcome::Confirmed, response_correct: false };
        for _ in 0..3 {
            assert!(matches!(decide(&f, "clara", Role::Clerk, wrong, &p), Err(Refusal::WrongResponse(_))));
            f.wrong_responses += 1;
        }
        assert!(matches!(decide(&f, "clara", Role::Clerk, CaseAction::StartCallback, &p), Err(Refusal::NotAllowed(_))));
        assert!(matches!(decide(&f, "clara", Role::Clerk, CaseAction::Reopen, &p), Err(Refusal::NotPermitted(_))));
        assert_eq!(decide(&f, "anna", Role::Approver, CaseAction::Reopen, &p).unwrap().wrong_responses, 0);
    }

    #[test]
    fn accepted_cases_over_the_threshold_need_approval() {
        let p = Policy::default();
        let small = facts(CaseStatus::Accepted, Verdict::Accepted);
        assert_eq!(decide(&small, "clara", Role::Clerk, CaseAction::Release, &p).unwrap().status, CaseStatus::Released);
        let big = CaseFacts { amount_minor: Some(p.approval_threshold_minor + 1), ..small };
        assert!(matches!(decide(&big, "clara", Role::Clerk, CaseAction::Release, &p), Err(Refusal::NotPermitted(_))));
        assert!(matches!(decide(&big, "anna", Role::Approver, CaseAction::Release, &p), Err(Refusal::NotAllowed(_))));
        let approved = decide(&big, "anna", Role::Approver, CaseAction::Approve, &p).unwrap();
        assert_eq!(approved.status, CaseStatus::Approved);
    }

    /// An approved case whose account replaced another `hours_ago`, called back by clara and
    /// approved by anna (who made the change).
    fn cooling(hours_ago: i64) -> CaseFacts {
        let at = crate::encoding::parse_utc("2026-12-04T10:00:00Z").unwrap();
        CaseFacts {
            called_by: vec!["clara".into()],
            approved_by: Some("anna".into()),
            cooling_off: Some(CoolingOff {
                since: at - Duration::hours(hours_ago),
                at,
                change_made_by: vec!["carl".into(), "clara".into(), "anna".into()],
            }),
            ..facts(CaseStatus::Approved, Verdict::Hold)
        }
    }

    /// Issue 20: inside the cooling-off a release is refused with the time left; once over (or
    /// with 0 hours) it goes.
    #[test]
    fn a_release_waits_for_the_cooling_off_of_a_changed_account() {
        let p = Policy::default();
        let refused = decide(&cooling(1), "anna", Role::Approver, CaseAction::Release, &p).unwrap_err();
        let Refusal::CoolingOff(refused) = &refused else { panic!("{refused:?}") };
        let message = refused.message();
        assert_eq!(refused.detail(), "cooling_off");
        assert!(refused.values().contains(&("hours_left", "23".into())) && refused.values().contains(&("minutes_left", "00".into())));
        assert!(message.contains("23 h 00 min left (until 2026-12-05T09:00:00Z)") && message.contains("0 asked"), "{message}");
        assert_eq!(decide(&cooling(24), "anna", Role::Approver, CaseAction::Release, &p).unwrap().status, CaseStatus::Released);
        let none = Policy { cooling_off_hours: 0, ..p.clone() };
        assert_eq!(decide(&cooling(0), "anna", Role::Approver, CaseAction::Release, &none).unwrap().status, CaseStatus::Released);
        let c = cooling(1).cooling_off.unwrap();
        assert_eq!((c.left(&p), c.left(&none)), (Some(Duration::hours(23)), None));
        // The state first: a case that could not be released anyway says why, not the wait.
        let hold = CaseFacts { status: CaseStatus::Hold, ..cooling(1) };
        assert!(matches!(decide(&hold, "anna", Role::Approver, CaseAction::Release, &p), Err(Refusal::NotAllowed(_))));
    }

    /// Issue 20: while the partner's freeze holds the payment, neither a release nor a request to
    /// release early goes, whoever asks; the rest of the case's work (callback, approval) does.
    #[test]
    fn nothing_is_released_while_the_partner_is_frozen() {
        let p = Policy { cooling_off_hours: 0, ..Policy::default() };
        let frozen = |f: CaseFacts| CaseFacts { partner_frozen: Some("notice f-1 since 2026-12-04T08:00:00Z".into()), ..f };
        let approved = frozen(cooling(24));
        let refused = decide(&approved, "anna", Role::Approver, CaseAction::Release, &p).unwrap_err();
        assert_eq!(refused.refused().message(), "the partner froze its payments: notice f-1 since 2026-12-04T08:00:00Z");
        assert!(matches!(refused, Refusal::PartnerFrozen(_)), "{refused:?}");
        let cooling_still = frozen(cooling(1));
        let early = decide(&cooling_still, "ava", Role::Approver, CaseAction::ReleaseEarly, &Policy::default());
        assert!(matches!(early, Err(Refusal::PartnerFrozen(_))), "{early:?}");
        let lifted = CaseFacts { partner_frozen: None, ..approved.clone() };
        assert_eq!(decide(&lifted, "anna", Role::Approver, CaseAction::Release, &p).unwrap().status, CaseStatus::Released);
        let held = frozen(facts(CaseStatus::Hold, Verdict::Hold));
        assert!(decide(&held, "carl", Role::Clerk, CaseAction::StartCallback, &p).is_ok());
    }

    /// Two approvers who took no part in the change or the case, each once, let it go early;
    /// no one else may ask, and nobody asks when there is nothing to wait for.
    #[test]
    fn two_other_approvers_release_early() {
        let p = Policy::default();
        let f = cooling(1);
        let early = |f: &CaseFacts, who: &str, role| decide(f, who, role, CaseAction::ReleaseEarly, &p);
        for (who, role) in [("carl", Role::Approver), ("clara", Role::Approver), ("anna", Role::Approver), ("bert", Role::Clerk)] {
            assert!(matches!(early(&f, who, role), Err(Refusal::NotPermitted(_))), "{who}");
        }
        let received = CaseFacts { received_by: "arne".into(), ..f.clone() };
        assert!(matches!(early(&received, "arne", Role::Approver), Err(Refusal::NotPermitted(_))), "arne received it");
        let t = early(&f, "arne", Role::Approver).unwrap();
        assert_eq!(t, unchanged(&f), "a request moves nothing");
        let one = CaseFacts { early_release_by: vec!["arne".into()], ..f.clone() };
        assert!(matches!(early(&one, "arne", Role::Approver), Err(Refusal::NotAllowed(_))), "once each");
        assert!(matches!(decide(&one, "anna", Role::Approver, CaseAction::Release, &p), Err(Refusal::CoolingOff(_))));
        let two = CaseFacts { early_release_by: vec!["arne".into(), "ava".into()], ..f.clone() };
        assert_eq!(decide(&two, "anna", Role::Approver, CaseAction::Release, &p).unwrap().status, CaseStatus::Released);
        assert!(matches!(early(&cooling(25), "arne", Role::Approver), Err(Refusal::NotAllowed(_))), "the period is over");
        let released = CaseFacts { status: CaseStatus::Released, ..f.clone() };
        assert!(matches!(early(&released, "arne", Role::Approver), Err(Refusal::NotAllowed(_))));
    }

    #[derive(Debug, Clone)]
    struct Step {
        user: usize,
        action: CaseAction,
    }

    const USERS: [(&str, Role); 5] =
        [("clara", Role::Clerk), ("carl", Role::Clerk), ("anna", Role::Approver), ("arne", Role::Approver), ("root", Role::Admin)];

    /// Issue 20: only approvers attach a name check; a no match sends an accepted, confirmed or
    /// approved case back to hold, after which it needs a new callback and approval whatever its
    /// amount; other answers and closed cases move nothing.
    #[test]
    fn a_banks_no_match_holds_an_open_case_and_asks_for_an_approval_again() {
        let p = Policy::default();
        let attach = |f: &CaseFacts, who: &str, role, no_match| decide(f, who, role, CaseAction::AttachNameCheck { no_match }, &p);
        let approved =
            CaseFacts { called_by: vec!["bert".into()], approved_by: Some("anna".into()), ..facts(CaseStatus::Approved, Verdict::Hold) };
        for role in [Role::Clerk, Role::Admin, Role::Auditor] {
            assert!(matches!(attach(&approved, "x", role, true), Err(Refusal::NotPermitted(_))), "{role:?}");
        }
        for status in [CaseStatus::Accepted, CaseStatus::CallbackConfirmed, CaseStatus::Approved] {
            let f = CaseFacts { response_unchecked: status == CaseStatus::CallbackConfirmed, ..approved.clone().with_status(status) };
            let t = attach(&f, "arne", Role::Approver, true).unwrap();
            assert_eq!((t.status, t.response_unchecked, t.make_account_current), (CaseStatus::Hold, false, false), "{status:?}");
            assert_eq!(attach(&f, "arne", Role::Approver, false).unwrap().status, status, "a match moves nothing");
        }
        for status in [CaseStatus::Hold, CaseStatus::Released, CaseStatus::Rejected, CaseStatus::Quarantined] {
            assert_eq!(attach(&approved.clone().with_status(status), "anna", Role::Approver, true).unwrap().status, status);
        }
        // A small accepted case a clerk could release needs an approval once the bank said no match.
        let small = CaseFacts { bank_no_match: true, ..facts(CaseStatus::Accepted, Verdict::Accepted) };
        assert!(small.needs_approval(&p));
        assert!(decide(&small, "clara", Role::Clerk, CaseAction::Release, &p).is_err());
    }

    impl CaseFacts {
        fn with_status(self, status: CaseStatus) -> Self {
            CaseFacts { status, ..self }
        }
    }

    fn step() -> impl Strategy<Value = Step> {
        let action = prop_oneof![
            Just(CaseAction::StartCallback),
            (0..3u8, any::<bool>()).prop_map(|(o, ok)| CaseAction::RecordCallback {
                outcome: [CallbackOutcome::Confirmed, CallbackOutcome::Denied, CallbackOutcome::Unreachable][o as usize],
                response_correct: ok
            }),
            Just(CaseAction::ConfirmUnchecked),
            Just(CaseAction::Approve),
            any::<bool>().prop_map(|ok| CaseAction::ApproveCheckingResponse { response_correct: ok }),
            Just(CaseAction::Reject),
            Just(CaseAction::Release),
            Just(CaseAction::Reopen),
            Just(CaseAction::ReleaseEarly),
            any::<bool>().prop_map(|no_match| CaseAction::AttachNameCheck { no_match }),
        ];
        (0..USERS.len(), action).prop_map(|(user, action)| Step { user, action })
    }

    proptest! {
        /// Random sequences of actions by random users never break the invariants of issue 4.
        #[test]
        fn invariants_hold_for_any_sequence(
            verdict in prop_oneof![Just(Verdict::Accepted), Just(Verdict::Hold)],
            receiver in 0..USERS.len(),
            amount in prop_oneof![Just(None), (1u64..2_000_000_00).prop_map(Some)],
            v2 in any::<bool>(),
            steps in proptest::collection::vec(step(), 0..40),
        ) {
            let policy = Policy::default();
            let status = if verdict == Verdict::Accepted { CaseStatus::Accepted } else { CaseStatus::Hold };
            let mut f = CaseFacts {
                status, verdict, received_by: USERS[receiver].0.into(), called_by: vec![], amount_minor: amount, wrong_responses: 0,
                response_needs_callback_key: v2, response_unchecked: false, approved_by: None, cooling_off: None,
                early_release_by: vec![], bank_no_match: false, partner_frozen: None,
            };
            let mut confirmed_by_callback = false;
            let mut approvers: Vec<String> = vec![];
            let mut released = 0;
            let mut approved_since_no_match = true;
            for s in steps {
                let (who, role) = USERS[s.user];
                let before = f.clone();
                match decide(&f, who, role, s.action, &policy) {
                    Ok(t) => {
                        if t.status == CaseStatus::Approved {
                            prop_assert!(!t.response_unchecked, "approved with an unchecked response");
                        }
                        if matches!(s.action, CaseAction::StartCallback | CaseAction::RecordCallback { .. } | CaseAction::ConfirmUnchecked) && !f.called_by.iter().any(|c| c == who) {
                            f.called_by.push(who.into());
                        }
                        if let CaseAction::RecordCallback { outcome: CallbackOutcome::Denied, .. } = s.action {
                            prop_assert_eq!(t.status, CaseStatus::Quarantined);
                            prop_assert!(t.mark_fraudulent);
                        }
                        if t.status == CaseStatus::CallbackConfirmed && before.status == CaseStatus::Hold {
                            confirmed_by_callback = true;
                        }
                        if matches!(s.action, CaseAction::Approve | CaseAction::ApproveCheckingResponse { response_correct: true }) {
                            prop_assert!(who != before.received_by && !before.called_by.iter().any(|c| c == who));
                            prop_assert_eq!(role, Role::Approver);
                            approvers.push(who.into());
                            approved_since_no_match = true;
                        }
                        if let CaseAction::AttachNameCheck { no_match: true } = s.action {
                            prop_assert_eq!(role, Role::Approver);
                            f.bank_no_match = true;
                            if before.status.is_open() {
                                prop_assert_eq!(t.status, CaseStatus::Hold, "a no match holds an open case");
                                approved_since_no_match = false;
                            }
                        }
                        if t.status == CaseStatus::Released && before.status != CaseStatus::Released {
                            released += 1;
                            prop_assert_eq!(released, 1, "released twice");
                            prop_assert!(approved_since_no_match, "released after a bank's no match without a new approval");
                            if verdict == Verdict::Hold {
                                prop_assert!(confirmed_by_callback && !approvers.is_empty(), "a hold released without callback and approval");
                            }
                            if f.needs_approval(&policy) {
                                prop_assert!(!approvers.is_empty(), "released over the threshold without approval");
                            }
                        }
                        f.status = t.status;
                        f.wrong_responses = t.wrong_responses;
                        f.response_unchecked = t.response_unchecked;
                    }
                    Err(Refusal::WrongResponse(_)) => {
                        prop_assert_eq!(f.status, CaseStatus::Hold);
                        f.wrong_responses += 1;
                        if !f.called_by.iter().any(|c| c == who) {
                            f.called_by.push(who.into());
                        }
                    }
                    Err(_) => prop_assert_eq!(&f, &before),
                }
                if !before.status.is_open() {
                    prop_assert_eq!(f.status, before.status, "a closed case moved");
                }
            }
        }
    }
}
