//! Four eyes (issue 15): the pending changes a second approver or admin checks, the workspace's
//! mode (setup, or four eyes), and the shape in which a command that may need a second person
//! says what happened ([`Outcome`]: applied, or pending as change N). Who may propose, approve or
//! reject, and whether a change applies at once, is the core's; this module converts, and lays a
//! change's before and after side by side, field by field, for the checker.

use std::collections::BTreeMap;

use countersign_service::core::changes::{ChangeKind, ChangeStatus};
use countersign_service::core::paging::Page;
use countersign_service::{ChangeView, PendingChange, WorkspaceMode};
use serde::Serialize;
use serde_json::Value;
use tauri::State;
use ts_rs::TS;

use crate::error::page_error;
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// What a command that may need four eyes did: applied at once (setup mode, or a change in the
/// safe direction), with what it made; or pending, waiting for another approver or admin.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome<T: TS> {
    /// It took effect.
    Applied {
        /// What the command made, as the command's own view.
        value: T,
    },
    /// It waits for a second person.
    Pending {
        /// The pending change.
        change: PendingView,
    },
}

impl<T: TS> Outcome<T> {
    /// Converts the core's outcome; `applied` turns what it made into the command's view.
    pub(crate) fn from_service(
        outcome: countersign_service::Outcome,
        applied: impl FnOnce(Value) -> CommandResult<T>,
    ) -> CommandResult<Self> {
        Ok(match outcome {
            countersign_service::Outcome::Applied(value) => Outcome::Applied { value: applied(value)? },
            countersign_service::Outcome::Pending(change) => Outcome::Pending { change: change.into() },
        })
    }
}

/// A reason for the checker to look twice (look-alike names or domains, an account used
/// elsewhere or suspected).
#[derive(Debug, Clone, Serialize, TS)]
pub struct FlagView {
    /// A stable code.
    pub code: String,
    /// What it means here.
    pub message: String,
}

/// A change just proposed, as the command that proposed it reports it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PendingView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// What it does.
    pub kind: ChangeKind,
    /// One line for people.
    pub summary: String,
    /// What the checker will be asked to look at twice.
    pub flags: Vec<FlagView>,
}

impl From<PendingChange> for PendingView {
    fn from(p: PendingChange) -> Self {
        PendingView {
            id: p.id,
            kind: p.kind,
            summary: p.summary,
            flags: p.flags.into_iter().map(|f| FlagView { code: f.code, message: f.message }).collect(),
        }
    }
}

/// One field of a change, before and after (absent on a side that has no such field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldChange {
    /// The field's path (`known_account.iban`, `phones`).
    pub name: String,
    /// Its value before, as text.
    pub before: Option<String>,
    /// Its value after, as text.
    pub after: Option<String>,
    /// Whether the two differ.
    pub changed: bool,
}

/// A change as the checker sees it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ChangeEntry {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// What it does.
    pub kind: ChangeKind,
    /// Where it stands.
    pub status: ChangeStatus,
    /// One line for people.
    pub summary: String,
    /// The maker.
    pub proposed_by: String,
    /// When (UTC).
    pub proposed_at: String,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
    /// When (UTC).
    pub decided_at: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// What to look at twice.
    pub flags: Vec<FlagView>,
    /// The difference, field by field.
    pub fields: Vec<FieldChange>,
    /// The signed statements applying it writes (action and subject).
    pub effects: Vec<String>,
}

impl From<ChangeView> for ChangeEntry {
    fn from(c: ChangeView) -> Self {
        ChangeEntry {
            id: c.id,
            kind: c.kind,
            status: c.status,
            fields: fields(&c.before, &c.after),
            summary: c.summary,
            proposed_by: c.proposed_by,
            proposed_at: c.proposed_at,
            decided_by: c.decided_by,
            decided_at: c.decided_at,
            reason: c.reason,
            flags: c.flags.into_iter().map(|f| FlagView { code: f.code, message: f.message }).collect(),
            effects: c.effects.into_iter().map(|e| format!("{} {}", e.action, e.subject)).collect(),
        }
    }
}

/// Whether the workspace checks changes with four eyes yet.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkspaceModeView {
    /// Setup mode: fewer than two people can check changes, so changes apply at once.
    pub setup: bool,
    /// The people who can check changes now.
    pub checkers: Vec<String>,
}

impl From<WorkspaceMode> for WorkspaceModeView {
    fn from(m: WorkspaceMode) -> Self {
        WorkspaceModeView { setup: m.setup, checkers: m.checkers }
    }
}

/// A JSON value flattened to `path → text`: objects by member (`a.b`), arrays of plain values
/// as one comma-separated text, arrays of objects by index (`a[0].b`); null is no value.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    let name = |member: &str| if prefix.is_empty() { member.to_string() } else { format!("{prefix}.{member}") };
    match value {
        Value::Null => {}
        Value::Object(map) => map.iter().for_each(|(k, v)| flatten(&name(k), v, out)),
        Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            items.iter().enumerate().for_each(|(i, v)| flatten(&format!("{prefix}[{i}]"), v, out))
        }
        Value::Array(items) => {
            out.insert(prefix.to_string(), items.iter().map(text).collect::<Vec<_>>().join(", "));
        }
        plain => {
            out.insert(if prefix.is_empty() { "value".into() } else { prefix.to_string() }, text(plain));
        }
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Before and after, field by field, in the order of the fields' paths.
pub(crate) fn fields(before: &Value, after: &Value) -> Vec<FieldChange> {
    let (mut old, mut new) = (BTreeMap::new(), BTreeMap::new());
    flatten("", before, &mut old);
    flatten("", after, &mut new);
    let mut names: Vec<String> = old.keys().chain(new.keys()).cloned().collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let (before, after) = (old.remove(&name), new.remove(&name));
            FieldChange { changed: before != after, name, before, after }
        })
        .collect()
}

/// Parses a status filter the UI sent.
fn status_filter(status: Option<&str>) -> CommandResult<Option<ChangeStatus>> {
    status
        .map(|s| {
            ChangeStatus::parse(s).ok_or_else(|| {
                CommandError::detailed(
                    "invalid_input",
                    "change_status_unknown",
                    format!("{s} is not a change status"),
                    &[("status", s.into())],
                )
            })
        })
        .transpose()
}

/// Whether the workspace is in setup mode, and who can check changes.
#[tauri::command]
pub async fn workspace_mode(state: State<'_, AppState>) -> CommandResult<WorkspaceModeView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, _) = inner.signed_in()?;
        Ok(ws.workspace_mode()?.into())
    })
}

/// Changes, newest first; only those with `status` when given; all of them, or a page of `limit`
/// older than change `after`.
#[tauri::command]
pub async fn list_changes(
    state: State<'_, AppState>,
    status: Option<String>,
    limit: Option<u32>,
    after: Option<i64>,
) -> CommandResult<Vec<ChangeEntry>> {
    blocking(|| {
        let status = status_filter(status.as_deref())?;
        let page = Page::new(limit, after).map_err(page_error)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.changes_page(session, status, &page)?.items.into_iter().map(ChangeEntry::from).collect())
    })
}

/// One change in full.
#[tauri::command]
pub async fn change_detail(state: State<'_, AppState>, id: i64) -> CommandResult<ChangeEntry> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.change(session, id)?.into())
    })
}

/// Approves another person's change and applies it (the maker is refused, `not_permitted`); the
/// change as it stands afterwards.
#[tauri::command]
pub async fn approve_change(state: State<'_, AppState>, id: i64) -> CommandResult<ChangeEntry> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        ws.approve_change(session, id)?;
        Ok(ws.change(session, id)?.into())
    })
}

/// Rejects a change with a reason (or withdraws one's own); nothing is applied.
#[tauri::command]
pub async fn reject_change(state: State<'_, AppState>, id: i64, reason: String) -> CommandResult<ChangeEntry> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.reject_change(session, id, &reason)?.into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_line_up_before_and_after_and_mark_the_changed_ones() {
        let before = json!({ "iban": "DE02120300000000202051", "bic": "BYLADEM1001", "name": "Initech" });
        let after = json!({ "iban": "DE89370400440532013000", "bic": "BYLADEM1001", "name": "Initech", "currency": "EUR" });
        let got = fields(&before, &after);
        let names: Vec<_> = got.iter().map(|f| (f.name.as_str(), f.changed)).collect();
        assert_eq!(names, [("bic", false), ("currency", true), ("iban", true), ("name", false)]);
        assert_eq!(got[1].before, None);
        assert_eq!(got[1].after.as_deref(), Some("EUR"));
    }

    #[test]
    fn nested_members_and_lists_become_paths_and_text() {
        let after = json!({ "phones": ["+4930", "+4940"], "known_account": { "iban": "X" }, "country": null, "n": 3, "ok": true });
        let got = fields(&Value::Null, &after);
        let pairs: Vec<_> = got.iter().map(|f| (f.name.as_str(), f.after.as_deref().unwrap())).collect();
        assert_eq!(pairs, [("known_account.iban", "X"), ("n", "3"), ("ok", "true"), ("phones", "+4930, +4940")]);
        assert!(got.iter().all(|f| f.changed && f.before.is_none()));
        assert_eq!(fields(&json!("a"), &json!("b"))[0].name, "value");
    }

    #[test]
    fn an_unknown_status_filter_is_refused() {
        assert_eq!(status_filter(Some("pending")).unwrap(), Some(ChangeStatus::Pending));
        assert_eq!(status_filter(None).unwrap(), None);
        assert_eq!(status_filter(Some("done")).unwrap_err().code(), "invalid_input");
    }
}
