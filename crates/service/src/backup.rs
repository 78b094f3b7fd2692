//! Backing up and restoring a SQLite workspace (issue 17). A backup is an online, consistent copy
//! of the workspace database ([`countersign_store::Store::write_backup`]) taken while other
//! processes keep working; a restore puts such a copy in place as the workspace of an empty
//! directory. Either way the copy is checked before it is put in place, with the same check as
//! `audit verify` ([`super::audit::check_store`]: chain, tree, checkpoints, signed statements
//! against every row), after the store's own check that it is an intact workspace of a schema this
//! build knows; a copy that fails is removed and nothing is left behind.
//!
//! The backup is logged in the source workspace (`workspace.backup`, naming the copy's SHA-256
//! and the events it holds) in the transaction that puts the file in place; the copy itself ends
//! just before that event, since a file cannot hold its own hash. A restore is not logged in the
//! restored workspace: nobody is signed in to it yet, and its log is exactly the backup's, which
//! `audit verify` then shows.

use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest, Sha256};

use super::{file_error, now, ErrorText, Permission, ServiceError, ServiceResult, Session, Workspace};
use crate::files::{check_new_file, FileError};
use countersign_core::audit::chain::hex;
use countersign_core::encoding::format_utc;
use countersign_store::prelude::*;
use countersign_store::sqlite::backup::{check_copy, CopyCheck, PendingCopy};
use countersign_store::sqlite::{migrations, SqliteStore, DATABASE_FILE};
use countersign_store::StoreError;

/// What a backup or a restore put in place, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The file written: the backup, or the restored workspace's database.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of the file as placed.
    pub sha256: [u8; 32],
    /// The events in its audit log.
    pub events: u64,
    /// The Merkle root of its audit log (docs/audit-format.md §4).
    pub root: [u8; 32],
}

/// What a restore put in place: the same facts as a backup's.
pub type RestoreReport = BackupReport;

/// The SHA-256 of a file, read in pieces.
fn sha256_of(path: &Path) -> ServiceResult<[u8; 32]> {
    let mut file = std::fs::File::open(path).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })?;
    Ok(hasher.finalize().into())
}

/// Checks a copy before it is placed: an intact workspace of a schema this build knows (the
/// store's check), then its audit log as `audit verify` checks it. `what` names the copy in
/// messages ("the backup", "FILE"); `file` is the file it is of (the restored one) or for (the
/// backup), which the error names for the shells' words.
fn check_pending(copy: &PendingCopy, what: &str, file: &Path) -> ServiceResult<BackupReport> {
    match check_copy(copy.path())? {
        CopyCheck::Workspace { .. } => {}
        CopyCheck::NotSqlite => {
            let text = format!("{what} is not a Countersign workspace (not a SQLite database)");
            return Err(ServiceError::InvalidInput(ErrorText::detailed("not_sqlite", text).with("file", file.display())));
        }
        CopyCheck::NotWorkspace => {
            let text = format!("{what} is a SQLite database but not a Countersign workspace");
            return Err(ServiceError::InvalidInput(ErrorText::detailed("sqlite_not_workspace", text).with("file", file.display())));
        }
        CopyCheck::Newer { found } => return Err(StoreError::NewerSchema { found, supported: migrations::latest() }.into()),
        CopyCheck::Damaged(why) => {
            let text = format!("{what} cannot be trusted: {why}");
            return Err(ServiceError::CheckFailed(ErrorText::detailed("copy_untrusted", text).with("file", file.display())));
        }
    }
    let mut store: Box<dyn Store> = Box::new(SqliteStore::open_copy(copy.path())?);
    let audit = super::audit::check_store(&mut *store, None)?;
    drop(store);
    if let Some(problem) = audit.problem() {
        let text = format!("the audit log of {what} does not verify ({}): {}", problem.kind.code(), problem.message);
        return Err(ServiceError::CheckFailed(ErrorText::detailed("copy_log_unverified", text).with("file", file.display())));
    }
    Ok(BackupReport {
        path: copy.dest().to_path_buf(),
        size: copy.size()?,
        sha256: sha256_of(copy.path())?,
        events: audit.log.events,
        root: audit.log.root,
    })
}

/// Refuses a directory that already holds a workspace, or the journal of one (a `-wal` left
/// beside no database would be read into the restored one).
fn check_empty_place(into_dir: &Path) -> ServiceResult<()> {
    if Workspace::exists(into_dir) {
        return Err(StoreError::AlreadyExists(into_dir.display().to_string()).into());
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let leftover = into_dir.join(format!("{DATABASE_FILE}{suffix}"));
        if leftover.exists() {
            let text = format!("{} is left from an earlier workspace: remove it (and restore into an empty directory)", leftover.display());
            return Err(ServiceError::InvalidInput(ErrorText::detailed("leftover_journal", text).with("file", leftover.display())));
        }
    }
    Ok(())
}

/// Makes the workspace directory as `init` does (mode 0700); says whether it was made here, so
/// that a failed restore removes it again.
fn make_dir(dir: &Path) -> ServiceResult<bool> {
    if dir.is_dir() {
        return Ok(false);
    }
    std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: dir.to_path_buf(), source })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|source| StoreError::Io { path: dir.to_path_buf(), source })?;
    }
    Ok(true)
}

/// Puts a copy of `from` in place as `into_dir`'s workspace database, checked first.
fn restore_into(from: &Path, into_dir: &Path) -> ServiceResult<RestoreReport> {
    let copy = PendingCopy::beside(&into_dir.join(DATABASE_FILE))?;
    copy.fill_from(from)?;
    let report = check_pending(&copy, &from.display().to_string(), from)?;

    copy.place()?;
    Ok(report)
}

impl Workspace {
    /// Writes a backup of the workspace to `dest` (admins and auditors): an online, consistent
    /// copy taken while others keep working, checked (an intact workspace whose audit log
    /// verifies) before it is put in place, never over an existing file. A copy that fails the
    /// check is removed, the refusal logged, and nothing is written. The backup is logged
    /// (`workspace.backup`: the copy's SHA-256, size and events) in the transaction that places it.
    pub fn backup(&mut self, session: &Session, dest: &Path) -> ServiceResult<BackupReport> {
        self.authorize(session, Permission::BackUpWorkspace, "workspace")?;
        check_new_file(dest).map_err(file_error)?;
        let copy = PendingCopy::beside(dest)?;
        self.store.write_backup(copy.path())?;
        let report = match check_pending(&copy, "the backup", dest) {
            Ok(report) => report,
            Err(e @ ServiceError::CheckFailed(_)) => {
                drop(copy);
                let details = json!({ "file": dest.display().to_string() });
                return self.refuse(session.user(), "workspace.backup_refused", "workspace", details, e);
            }
            Err(e) => return Err(e),
        };
        let at = format_utc(now());
        let details = json!({
            "file": dest.display().to_string(),
            "sha256": hex(&report.sha256),
            "size": report.size,
            "events": report.events,
            "root": hex(&report.root),
        });
        self.store.write(|tx| -> ServiceResult<()> {
            tx.append_event(&at, session.user(), "workspace.backup", "workspace", &details)?;
            copy.place()?;
            Ok(())
        })?;
        Ok(report)
    }

    /// Restores a backup `from` as the workspace of `into_dir`, which must hold none (it is made
    /// if missing). `from` must be a regular file holding an intact Countersign workspace of a
    /// schema this build knows (an older one is brought up to date), whose audit log verifies as
    /// `audit verify` checks it; only then is it put in place, atomically, mode 0600. Nothing is
    /// left behind when it is refused. Needs no session: the restored workspace's own users sign
    /// in to it afterwards.
    pub fn restore(from: &Path, into_dir: &Path) -> ServiceResult<RestoreReport> {
        check_empty_place(into_dir)?;
        match std::fs::metadata(from) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(file_error(FileError::NotAFile(from.to_path_buf()))),
            Err(source) => return Err(file_error(FileError::Read { path: from.to_path_buf(), source })),
        }
        let made = make_dir(into_dir)?;
        let result = restore_into(from, into_dir);
        if result.is_err() && made {
            let _ = std::fs::remove_dir(into_dir);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sqlite_admin_workspace as admin_workspace;
    use crate::Credentials;
    use crate::Role;

    /// Names of the entries in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    /// Edits the log of the database at `path` by hand, as someone holding the file could.
    fn tamper(path: &Path) {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 2;").unwrap();
        let restored =
            migrations::MIGRATIONS[0].split("CREATE TRIGGER audit_events_no_update").nth(1).unwrap().split(";\nCREATE").next().unwrap();
        conn.execute_batch(&format!("CREATE TRIGGER audit_events_no_update{restored}")).unwrap();
    }

    #[test]
    fn a_backup_verifies_is_logged_with_its_hash_and_restores_to_a_workspace_that_opens() {
        let (dir, mut ws, alice) = admin_workspace();
        ws.add_user(&alice, "frank", Role::Auditor, "frank password 1").unwrap();
        let frank = ws.login(&Credentials { user: "frank", password: "frank password 1", totp: None }).unwrap();
        let out = dir.path().join("backup.db");
        let report = ws.backup(&frank, &out).unwrap();
        assert_eq!(report.path, out);
        assert_eq!(report.size, std::fs::metadata(&out).unwrap().len());
        assert_eq!(report.sha256, sha256_of(&out).unwrap());
        let logged = ws.store.read(|tx| tx.events_from(1)).unwrap();
        let event = logged.last().unwrap();
        assert_eq!((event.action.as_str(), event.actor.as_str()), ("workspace.backup", "frank"));
        let details: serde_json::Value = serde_json::from_str(&event.details).unwrap();
        assert_eq!(details["sha256"], hex(&report.sha256));
        assert_eq!(details["events"], report.events);
        assert_eq!(report.events, event.seq - 1, "the copy holds every event before its own");
        // Never over an existing file.
        assert_eq!(ws.backup(&frank, &out).unwrap_err().code(), "invalid_input");
        assert_eq!(sha256_of(&out).unwrap(), report.sha256);

        let restored = dir.path().join("restored");
        let again = Workspace::restore(&out, &restored).unwrap();
        assert_eq!((again.sha256, again.events, again.root), (report.sha256, report.events, report.root));
        assert_eq!(again.path, restored.join(DATABASE_FILE));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&again.path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(names(&restored), [DATABASE_FILE]);
        let mut copy = Workspace::open(&restored).unwrap();
        let frank = copy.login(&Credentials { user: "frank", password: "frank password 1", totp: None }).unwrap();
        assert!(copy.verify_audit(&frank, None).unwrap().problem().is_none());
    }

    #[test]
    fn a_clerk_may_not_back_up() {
        let (dir, mut ws, alice) = admin_workspace();
        ws.add_user(&alice, "clara", Role::Clerk, "clara password 1").unwrap();
        let clara = ws.login(&Credentials { user: "clara", password: "clara password 1", totp: None }).unwrap();
        assert_eq!(ws.backup(&clara, &dir.path().join("backup.db")).unwrap_err().code(), "not_permitted");
        assert_eq!(names(dir.path()), ["ws"]);
    }

    #[test]
    fn a_workspace_whose_log_was_edited_is_not_backed_up() {
        let (dir, mut ws, alice) = admin_workspace();
        tamper(&dir.path().join("ws").join(DATABASE_FILE));
        let err = ws.backup(&alice, &dir.path().join("backup.db")).unwrap_err();
        assert_eq!(err.code(), "check_failed");
        assert!(err.to_string().contains("does not verify"), "{err}");
        assert_eq!(names(dir.path()), ["ws"], "the copy was removed");
        let last = ws.store.read(|tx| tx.events_from(1)).unwrap().pop().unwrap();
        assert_eq!(last.action, "workspace.backup_refused");
    }

    #[test]
    fn restore_refuses_what_it_cannot_trust_and_leaves_nothing_behind() {
        let (dir, mut ws, alice) = admin_workspace();
        let out = dir.path().join("backup.db");
        ws.backup(&alice, &out).unwrap();
        let into = dir.path().join("restored");
        // A place that holds a workspace already.
        let err = Workspace::restore(&out, &dir.path().join("ws")).unwrap_err();
        assert_eq!(err.code(), "workspace_exists");
        // Not a regular file.
        assert_eq!(Workspace::restore(dir.path(), &into).unwrap_err().code(), "invalid_input");
        // Not a workspace.
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "a shopping list, not a workspace").unwrap();
        let err = Workspace::restore(&text, &into).unwrap_err();
        assert!(err.to_string().contains("not a Countersign workspace"), "{err}");
        // A copy whose log was edited by hand, its trigger put back.
        let edited = dir.path().join("edited.db");
        std::fs::copy(&out, &edited).unwrap();
        tamper(&edited);
        let err = Workspace::restore(&edited, &into).unwrap_err();
        assert_eq!(err.code(), "check_failed");
        assert!(err.to_string().contains("does not verify (changed)"), "{err}");
        // The trigger left dropped is named by the schema check.
        let conn = rusqlite::Connection::open(&edited).unwrap();
        conn.execute_batch("DROP TRIGGER audit_events_no_delete;").unwrap();
        drop(conn);
        let err = Workspace::restore(&edited, &into).unwrap_err();
        assert!(err.to_string().contains("the trigger audit_events_no_delete is missing"), "{err}");
        assert!(!into.exists(), "the directory made for the restore was removed");
        assert_eq!(names(dir.path()), ["backup.db", "edited.db", "notes.txt", "ws"]);
        // A directory that existed stays, empty.
        std::fs::create_dir(&into).unwrap();
        assert_eq!(Workspace::restore(&edited, &into).unwrap_err().code(), "check_failed");
        assert!(names(&into).is_empty());
    }
}
