//! A team workspace on a PostgreSQL server (issue 17), as one desktop sees it. Whoever
//! administers the server can edit any row, so each desktop keeps, in its own data directory,
//! what it last saw of the server's log (its size and Merkle root) and checks the server against
//! it on every connect: a log rolled back (fewer events than this desktop saw) or rewritten (the
//! first events no longer hash to the root it kept) is refused, and named, before anyone acts on
//! it. The events added since are re-hashed from their contents; a full `audit verify` checks the
//! rest (every event's content, the signed statements against the rows).
//!
//! The first connect of a desktop trusts what it finds (and checks the whole chain); from then on
//! the server can only extend what this desktop saw.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use countersign_core::audit::chain::{event_hash, hex, EventFields, GENESIS};
use countersign_core::audit::merkle::{leaf_hash, Frontier};
use countersign_core::encoding::format_utc;
use countersign_store::postgres::DatabaseUrl;
use countersign_store::prelude::*;

use crate::files::{write_atomic, FileError, Sensitivity};
use crate::{file_error, now, ErrorText, ServiceError, ServiceResult};

/// The file in a desktop's data directory naming the team workspace it joined.
pub const TEAM_FILE: &str = "team.json";

/// What [`TEAM_FILE`] holds: the URL without its password.
#[derive(Debug, Serialize, Deserialize)]
struct TeamFile {
    database: String,
}

/// Records in `local` that this desktop uses the team workspace at `url` (never its password),
/// so that opening `local` again connects there.
pub(crate) fn remember_team(local: &Path, url: &DatabaseUrl) -> ServiceResult<()> {
    let bytes = serde_json::to_vec_pretty(&TeamFile { database: url.without_password().to_string() }).expect("serialises");
    write_kept(local, &local.join(TEAM_FILE), &bytes)
}

/// Writes `bytes` to `path` in the directory `local` (made if need be).
fn write_kept(local: &Path, path: &Path, bytes: &[u8]) -> ServiceResult<()> {
    std::fs::create_dir_all(local).map_err(|e| {
        let text = format!("cannot use {}: {e}", local.display());
        ServiceError::InvalidInput(ErrorText::detailed("folder_unusable", text).with("folder", local.display()))
    })?;
    write_atomic(path, bytes, Sensitivity::Public, true).map_err(file_error)
}

/// A file this desktop keeps could not be read.
fn not_read(path: &Path, source: std::io::Error) -> ServiceError {
    file_error(FileError::Read { path: path.to_path_buf(), source })
}

/// The team workspace a desktop directory joined, if it did ([`TEAM_FILE`]).
pub(crate) fn joined_team(local: &Path) -> ServiceResult<Option<DatabaseUrl>> {
    let path = local.join(TEAM_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(not_read(&path, e)),
    };
    let file: TeamFile = serde_json::from_slice(&bytes).map_err(|e| {
        let text = format!("{} does not name a team workspace ({e})", path.display());
        ServiceError::InvalidInput(ErrorText::detailed("not_a_team_file", text).with("file", path.display()))
    })?;
    Ok(Some(DatabaseUrl::parse(&file.database)?))
}

/// Waits for what other desktops write to a team workspace (issue 17: a live queue), over a
/// connection of its own (LISTEN/NOTIFY). Notifications sent while it is disconnected are lost:
/// after an error, reconnect with [`ChangeWatcher::connect`] and re-read what is shown.
pub struct ChangeWatcher {
    listener: countersign_store::postgres::Listener,
}

impl ChangeWatcher {
    /// Starts listening to the workspace at `url`.
    pub fn connect(url: &DatabaseUrl) -> ServiceResult<Self> {
        Ok(ChangeWatcher { listener: countersign_store::postgres::listen(url)? })
    }

    /// Waits up to `timeout`; true when another desktop (or this one) wrote to the workspace.
    pub fn wait(&mut self, timeout: std::time::Duration) -> ServiceResult<bool> {
        Ok(self.listener.wait(timeout)?)
    }
}

/// What a desktop keeps of a team workspace's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptLog {
    /// The server and schema, as shown (never a password).
    pub server: String,
    /// How many events the log had.
    pub size: u64,
    /// The Merkle root over those events (hex).
    pub root: String,
    /// When this desktop saw it.
    pub seen_at: String,
}

/// The file in `local` where this desktop keeps what it saw of the workspace at `url`.
pub fn kept_log_path(local: &Path, url: &DatabaseUrl) -> PathBuf {
    let digest = Sha256::digest(url.to_string().as_bytes());
    local.join(format!("team-log-{}.json", &hex(&digest)[..16]))
}

/// Checks the server's log against what this desktop kept, then keeps the log as it is now.
/// Returns what is now kept.
pub(crate) fn check_server_log(store: &mut dyn Store, local: &Path, url: &DatabaseUrl) -> ServiceResult<KeptLog> {
    let path = kept_log_path(local, url);
    let kept = read_kept(&path)?;
    let server = url.to_string();
    let refuse = |what: String| {
        let text = format!(
            "the log of the team workspace at {server} {what}: it was rolled back or rewritten on the server; nothing was changed. \
             Tell your administrator and auditor; this desktop's record of the log is {}",
            path.display()
        );
        ServiceError::CheckFailed(ErrorText::detailed("team_log_rewritten", text).with("server", &server).with("file", path.display()))
    };
    // The hashes of what this desktop saw, and the events after it whole (their hashes among
    // them): each row is read once.
    let kept_size = kept.as_ref().map_or(0, |k| k.size);
    let (seen, count, recent) = store.read(|tx| -> ServiceResult<_> {
        let count = tx.event_count()?;
        Ok((tx.event_hashes(kept_size.min(count))?, count, tx.events_from(kept_size + 1)?))
    })?;
    if let Some(kept) = &kept {
        if count < kept.size {
            return Err(refuse(format!("has {count} events, fewer than the {} this desktop saw on {}", kept.size, kept.seen_at)));
        }
    }
    if seen.len() as u64 + recent.len() as u64 != count {
        return Err(refuse(format!("numbers its last event {count} but holds {} events", seen.len() + recent.len())));
    }
    let mut frontier = Frontier::default();
    for hash in &seen {
        frontier.push(leaf_hash(hash));
    }
    if let Some(kept) = &kept {
        check_kept_root(kept, &frontier).map_err(&refuse)?;
    }
    let mut prev = seen.last().copied().unwrap_or(GENESIS);
    for e in &recent {
        let fields = EventFields { seq: e.seq, at: &e.at, actor: &e.actor, action: &e.action, subject: &e.subject, details: &e.details };
        if e.prev_hash != prev || event_hash(&prev, &fields) != e.hash {
            return Err(refuse(format!("holds an event {} that does not follow from the one before it", e.seq)));
        }
        frontier.push(leaf_hash(&e.hash));
        prev = e.hash;
    }
    let now_kept = KeptLog { server, size: count, root: hex(&frontier.root()), seen_at: format_utc(now()) };
    let bytes = serde_json::to_vec_pretty(&now_kept).expect("serialises");
    write_kept(local, &path, &bytes)?;
    Ok(now_kept)
}

fn check_kept_root(kept: &KeptLog, frontier: &Frontier) -> Result<(), String> {
    if hex(&frontier.root()) == kept.root {
        Ok(())
    } else {
        Err(format!("no longer begins with the {} events this desktop saw on {} (their root differs)", kept.size, kept.seen_at))
    }
}

fn read_kept(path: &Path) -> ServiceResult<Option<KeptLog>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            let text = format!("this desktop's record of the team log, {}, is not readable ({e})", path.display());
            ServiceError::CheckFailed(ErrorText::detailed("team_log_record_unreadable", text).with("file", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(not_read(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::team_admin_workspace;
    use crate::{Location, Role, Workspace};
    use countersign_store::postgres::PgStore;

    fn team_url(ws: &Workspace) -> DatabaseUrl {
        match ws.location() {
            Location::Team { url, .. } => url.clone(),
            Location::Directory(_) => panic!("a team workspace"),
        }
    }

    /// Plays the database administrator: raw SQL with the log's guard switched off.
    fn as_dba(url: &DatabaseUrl, sql: &str) {
        let mut store = PgStore::open(url).unwrap();
        store
            .execute_as_administrator(&format!(
                "ALTER TABLE audit_events DISABLE TRIGGER USER; {sql}; ALTER TABLE audit_events ENABLE TRIGGER USER"
            ))
            .unwrap();
    }

    #[test]
    fn each_desktop_keeps_what_it_saw_and_follows_the_log_as_it_grows() {
        if countersign_store::testing::fresh_database().is_none() {
            return;
        }
        let (dir, mut ws, admin) = team_admin_workspace();
        let url = team_url(&ws);
        let local = dir.path().join("desktop");
        let first = read_kept(&kept_log_path(&local, &url)).unwrap().expect("kept at init");
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        drop(ws);
        let ws = Workspace::open_at(&Location::Team { url: url.clone(), local: local.clone() }).unwrap();
        let second = read_kept(&kept_log_path(&local, &url)).unwrap().unwrap();
        assert!(second.size > first.size, "{first:?} {second:?}");
        assert!(!second.server.contains("password") && second.server.contains(url.schema()));
        drop(ws);
        // A desktop that never connected trusts what it finds, and keeps it from then on.
        let other = dir.path().join("other desktop");
        Workspace::open_at(&Location::Team { url: url.clone(), local: other.clone() }).unwrap();
        assert_eq!(read_kept(&kept_log_path(&other, &url)).unwrap().unwrap().root, second.root);
    }

    #[test]
    fn a_desktop_detects_a_log_rolled_back_or_rewritten_on_the_server() {
        if countersign_store::testing::fresh_database().is_none() {
            return;
        }
        let (dir, mut ws, admin) = team_admin_workspace();
        let url = team_url(&ws);
        let location = Location::Team { url: url.clone(), local: dir.path().join("desktop") };
        let size = ws.store.read(|tx| tx.event_count()).unwrap();
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        drop(ws);
        Workspace::open_at(&location).unwrap();

        // Rolled back: the events after `size` removed, as a restore of an older dump would.
        as_dba(
            &url,
            &format!("CREATE TABLE saved AS SELECT * FROM audit_events WHERE seq > {size}; DELETE FROM audit_events WHERE seq > {size}"),
        );
        let e = Workspace::open_at(&location).err().expect("refused").to_string();
        assert!(e.contains("rolled back or rewritten") && e.contains("fewer than the"), "{e}");

        // Put back, then rewritten: an early event edited and the whole chain recomputed after it,
        // which the hashes alone cannot show but the kept root does.
        as_dba(&url, "INSERT INTO audit_events SELECT * FROM saved; DROP TABLE saved");
        Workspace::open_at(&location).unwrap();
        let mut store = PgStore::open(&url).unwrap();
        let events = store.read(|tx| tx.events_from(1)).unwrap();
        let mut prev = GENESIS;
        let mut sql = String::new();
        for e in &events {
            let actor = if e.seq == 2 { "mallory" } else { e.actor.as_str() };
            let fields = EventFields { seq: e.seq, at: &e.at, actor, action: &e.action, subject: &e.subject, details: &e.details };
            let hash = event_hash(&prev, &fields);
            sql.push_str(&format!(
                "UPDATE audit_events SET actor = '{actor}', prev_hash = '\\x{}', hash = '\\x{}' WHERE seq = {};",
                hex(&prev),
                hex(&hash),
                e.seq
            ));
            prev = hash;
        }
        drop(store);
        as_dba(&url, sql.trim_end_matches(';'));
        let e = Workspace::open_at(&location).err().expect("refused").to_string();
        assert!(e.contains("no longer begins with the"), "{e}");
        assert_eq!(Workspace::open_at(&location).err().map(|e| e.code()), Some("check_failed"));
    }
}
