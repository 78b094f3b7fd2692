//! Moving up (issue 17): a desktop's workspace moved to a team workspace on a PostgreSQL server,
//! `workspace migrate --to URL`. The log is checked before; the copy (every row, the same log and
//! checkpoints, so the same roots) is made under the file's write lock; both sides are checked
//! after; the file is then kept read-only, naming where it went, and this desktop's directory
//! connects to the team workspace from then on.

use std::path::Path;

use serde_json::json;

use countersign_core::encoding::format_utc;
use countersign_store::copy::move_to_postgres;
use countersign_store::postgres::{DatabaseUrl, PgStore};
use countersign_store::sqlite::{SqliteStore, MOVED_TO};

use crate::audit::check_store;
use crate::files::{write_atomic, Sensitivity};
use crate::{now, team, ErrorText, Location, Permission, ServiceError, ServiceResult, Session, Workspace};

/// The note left beside a workspace that moved.
pub const MOVED_NOTE: &str = "MOVED.txt";

/// What `workspace migrate --to` did.
#[derive(Debug, Clone)]
pub struct MoveReport {
    /// The team workspace, as shown (never a password).
    pub to: String,
    /// Rows copied, per table, in copying order.
    pub tables: Vec<(String, u64)>,
    /// Events in the log, the same on both sides.
    pub events: u64,
    /// The log's Merkle root, the same on both sides.
    pub root: [u8; 32],
}

impl Workspace {
    /// Moves this desktop workspace to a new team workspace at `url` (admins), connected as the
    /// role that will own its schema; `app_role` is the desktops' role. Afterwards this workspace
    /// is the team one, and the file stays behind read-only.
    pub fn move_to_team(&mut self, session: &Session, url: &DatabaseUrl, app_role: Option<&str>) -> ServiceResult<MoveReport> {
        self.authorize(session, Permission::MoveWorkspace, "workspace")?;
        let Location::Directory(dir) = self.location.clone() else {
            return Err(ServiceError::InvalidInput(ErrorText::detailed("team_already", "this is already a team workspace")));
        };
        let before = check_store(&mut *self.store, None)?;
        if let Some(problem) = before.problem() {
            let text = format!("the workspace's log is not intact ({}): it was not moved", problem.message);
            return Err(ServiceError::CheckFailed(ErrorText::detailed("log_not_intact_before_move", text)));
        }
        let at = format_utc(now());
        let to = url.without_password().to_string();
        let mut source = SqliteStore::open(&dir)?;
        let details = json!({ "to": to, "by": session.user() });
        let tables = move_to_postgres(
            &mut source,
            url,
            app_role,
            |tx| tx.append_event(&at, session.user(), "workspace.move", "workspace", &details).map(|_| ()),
            |tx| tx.set_setting(MOVED_TO, &to),
        )?;
        drop(source);
        let mut team_store = PgStore::open(url)?;
        let copied = check_store(&mut team_store, None)?;
        let left = check_store(&mut SqliteStore::open(&dir)?, None)?;
        let same = copied.log.root == left.log.root && copied.log.events == left.log.events;
        if let (Some(problem), _) | (None, Some(problem)) = (copied.problem(), left.problem()) {
            let text = format!("after the move, a log is not intact: {}", problem.message);
            return Err(ServiceError::CheckFailed(ErrorText::detailed("log_not_intact_after_move", text)));
        }
        if !same {
            let text = "after the move, the two logs differ: tell your auditor";
            return Err(ServiceError::CheckFailed(ErrorText::detailed("logs_differ_after_move", text)));
        }
        leave_note(&dir, &to, session.user(), &at)?;
        team::check_server_log(&mut team_store, &dir, url)?;
        team::remember_team(&dir, url)?;
        self.store = Box::new(team_store);
        self.location = Location::Team { url: url.clone(), local: dir };
        self.implied = Default::default();
        Ok(MoveReport { to: url.to_string(), tables, events: copied.log.events, root: copied.log.root })
    }
}

fn leave_note(dir: &Path, to: &str, by: &str, at: &str) -> ServiceResult<()> {
    let note = format!(
        "This workspace moved to the team workspace at {to} on {at} ({by}, `countersign workspace migrate --to`).\n\
         The database file beside this note is kept read-only, as it was at the move; its log is the first part of the team's.\n\
         Countersign on this computer opens the team workspace from this directory (team.json).\n"
    );
    write_atomic(&dir.join(MOVED_NOTE), note.as_bytes(), Sensitivity::Public, true).map_err(crate::file_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sqlite_admin_workspace;
    use crate::Credentials;
    use crate::Role;

    #[test]
    fn a_desktop_workspace_moves_with_its_log_and_stays_behind_read_only() {
        let Some(url) = countersign_store::testing::fresh_database() else { return };
        let (dir, mut ws, admin) = sqlite_admin_workspace();
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        ws.save_checkpoint(&admin).unwrap();
        let clara = ws.login(&Credentials { user: "clara", password: "clara password 1", totp: None }).unwrap();
        assert_eq!(ws.move_to_team(&clara, &url, None).unwrap_err().code(), "not_permitted");
        let report = ws.move_to_team(&admin, &url, None).unwrap();
        assert!(report.tables.iter().any(|(t, n)| t == "checkpoints" && *n >= 1), "{:?}", report.tables);
        // The workspace object now works on the server, whose log is the file's.
        assert!(matches!(ws.location(), Location::Team { .. }));
        let verified = ws.verify_audit(&admin, None).unwrap();
        assert!(verified.problem().is_none(), "{:?}", verified.problem());
        assert_eq!(verified.log.events, report.events, "the same events");
        assert_eq!(verified.log.root, report.root, "the same root");
        drop(ws);
        // The file stays behind read-only, with a note; the directory connects to the server.
        let local = dir.path().join("ws");
        assert!(std::fs::read_to_string(local.join(MOVED_NOTE)).unwrap().contains(url.schema()));
        let mut old = Workspace::open(&local).unwrap();
        let admin = old.login(&Credentials { user: "alice", password: "alice password 1", totp: None });
        let refused = admin.and_then(|admin| old.add_user(&admin, "mallory", Role::Clerk, "mallory password 1").map(|_| ()));
        assert_eq!(refused.unwrap_err().code(), "workspace_moved");
        let location = Location::of_dir(&local, None).unwrap();
        assert!(matches!(location, Location::Team { .. }), "{location:?}");
        let mut team = Workspace::open_at(&location).unwrap();
        let admin = team.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
        team.add_user(&admin, "carl", Role::Clerk, "carl password 1").unwrap();
    }

    #[test]
    fn a_workspace_whose_log_was_edited_is_not_moved() {
        let Some(url) = countersign_store::testing::fresh_database() else { return };
        let (dir, mut ws, admin) = sqlite_admin_workspace();
        let file = dir.path().join("ws").join(countersign_store::sqlite::DATABASE_FILE);
        rusqlite::Connection::open(file)
            .unwrap()
            .execute_batch("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
            .unwrap();
        assert_eq!(ws.move_to_team(&admin, &url, None).unwrap_err().code(), "check_failed");
        assert!(matches!(PgStore::open(&url), Err(countersign_store::StoreError::NoWorkspace(_))), "nothing was created on the server");
        assert!(!dir.path().join("ws").join(MOVED_NOTE).exists());
    }
}
