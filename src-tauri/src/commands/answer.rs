//! The partner's side of a callback (issue 19): the instructions we issued, to pick from, and the
//! response to a customer's challenge about one of them. The organisation passphrase arrives in
//! the call, goes to the core and is dropped: it is never stored, logged or returned.

use countersign_service::core::paging::Page;
use countersign_service::{CallbackAnswer, IssuedStanding, IssuedSummary};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::page_error;
use crate::state::{blocking, AppState};
use crate::CommandResult;

/// An instruction we issued, as the list shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IssuedEntry {
    /// Its place in the log: the list's cursor.
    #[ts(type = "number")]
    pub seq: u64,
    /// The instruction's id, what `answer_callback` takes.
    pub id: String,
    /// The partner it was issued to.
    pub partner_name: String,
    /// Who issued it.
    pub issued_by: String,
    /// When (UTC).
    pub issued_at: String,
    /// The code both sides read on the phone.
    pub confirmation_code: String,
    /// The last four characters of the account.
    pub account_last4: String,
    /// The account as people read it, from an intact copy.
    pub account: Option<String>,
    /// The amount, when it names one.
    pub amount: Option<String>,
    /// The currency, from an intact copy.
    pub currency: Option<String>,
    /// The end of its validity (UTC), from an intact copy.
    pub valid_until: Option<String>,
    /// Whether it may be answered for.
    #[ts(type = "\"answerable\" | \"retired_key\" | \"altered\"")]
    pub standing: String,
}

impl From<IssuedSummary> for IssuedEntry {
    fn from(s: IssuedSummary) -> Self {
        let standing = match s.standing {
            IssuedStanding::Answerable => "answerable",
            IssuedStanding::RetiredKey => "retired_key",
            IssuedStanding::Altered => "altered",
        };
        IssuedEntry {
            seq: s.seq,
            id: s.id,
            partner_name: s.partner_name,
            issued_by: s.issued_by,
            issued_at: s.issued_at,
            confirmation_code: s.confirmation_code,
            account_last4: s.account_last4,
            account: s.account,
            amount: s.amount,
            currency: s.currency,
            valid_until: s.valid_until,
            standing: standing.into(),
        }
    }
}

/// One page of the instructions we issued, newest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IssuedPage {
    /// The instructions.
    pub items: Vec<IssuedEntry>,
    /// The `after` of the next page; absent on the last one.
    #[ts(type = "number | null")]
    pub next: Option<i64>,
}

/// What the person answering asks for.
#[derive(Deserialize, TS)]
pub struct AnswerRequest {
    /// The instruction's id.
    pub id: String,
    /// The six digits the caller read out.
    pub challenge: String,
    /// The organisation key's passphrase, as typed.
    pub passphrase: String,
}

impl std::fmt::Debug for AnswerRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerRequest").field("id", &self.id).field("challenge", &self.challenge).finish_non_exhaustive()
    }
}

/// The response to read out, with what to check before.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AnswerView {
    /// Eight digits in two groups of four.
    pub response: String,
    /// The challenge it answers, as the core read it.
    pub challenge: String,
    /// The instruction.
    pub instruction: IssuedEntry,
}

impl From<CallbackAnswer> for AnswerView {
    fn from(a: CallbackAnswer) -> Self {
        AnswerView { response: a.response, challenge: a.challenge, instruction: a.instruction.into() }
    }
}

/// The instructions we issued, newest first, narrowed by `query` (partner, id, confirmation code,
/// account or amount); `limit` and `after` page them.
#[tauri::command]
pub async fn list_issued_instructions(
    state: State<'_, AppState>,
    query: Option<String>,
    limit: Option<u32>,
    after: Option<i64>,
) -> CommandResult<IssuedPage> {
    blocking(|| {
        let page = Page::new(limit, after).map_err(page_error)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let paged = ws.issued_instructions(session, query.as_deref().filter(|q| !q.trim().is_empty()), &page)?;
        Ok(IssuedPage { items: paged.items.into_iter().map(IssuedEntry::from).collect(), next: paged.next })
    })
}

/// The response to a customer's challenge about an instruction we issued (clerks, approvers and
/// admins; the core checks the role, the challenge, our copy and the passphrase, and logs it).
#[tauri::command]
pub async fn answer_callback(state: State<'_, AppState>, request: AnswerRequest) -> CommandResult<AnswerView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.answer_callback(session, &request.id, &request.challenge, &request.passphrase)?.into())
    })
}
