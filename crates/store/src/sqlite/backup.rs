//! Backups of a workspace database. A backup is an online, consistent copy of the open database
//! made with SQLite's backup API: every page in one step, under one read transaction, so in WAL
//! mode other processes keep writing meanwhile and the copy is the database as it stood at one
//! commit. A copy (a backup, or a file being restored) is written to a temporary file beside its
//! destination ([`PendingCopy`]) and placed only when it is complete and the caller has checked it,
//! never over an existing file; dropped unplaced, it is removed.
//!
//! A copy is a single self-contained file (rollback journal mode, no `-wal` beside it), passes
//! `PRAGMA integrity_check`, and has exactly the schema this build's migrations make for its
//! version ([`check_copy`]): a trigger dropped, a table altered or an object added by hand is
//! named.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, OpenFlags};

use super::{migrations, SqliteStore};
use crate::{StoreError, StoreResult};

/// How long a backup waits for a source that reports itself busy, and between its tries.
const BUSY_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);
const BUSY_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A copy of a workspace database in a temporary file beside its destination, mode 0600. It is
/// removed when dropped, unless [`PendingCopy::place`] put it in place.
#[derive(Debug)]
pub struct PendingCopy {
    tmp: PathBuf,
    dest: PathBuf,
}

/// Distinguishes the temporary files of one process.
static NEXT_COPY: AtomicU64 = AtomicU64::new(0);

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// Flushes a directory's entries to disk, so a file just placed survives a power cut.
fn sync_dir(dir: &Path) -> StoreResult<()> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_error(dir))?;
    Ok(())
}

impl PendingCopy {
    /// An empty temporary file (created new, mode 0600) beside `dest`, which must not exist and
    /// whose directory must.
    pub fn beside(dest: &Path) -> StoreResult<PendingCopy> {
        if dest.exists() {
            return Err(StoreError::Io { path: dest.to_path_buf(), source: io::ErrorKind::AlreadyExists.into() });
        }
        let name = dest.file_name().ok_or_else(|| StoreError::Io {
            path: dest.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
        })?;
        let n = NEXT_COPY.fetch_add(1, Ordering::Relaxed);
        let tmp = dest.with_file_name(format!(".{}.{}-{n}.tmp", name.to_string_lossy(), std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&tmp).map_err(io_error(&tmp))?;
        Ok(PendingCopy { tmp, dest: dest.to_path_buf() })
    }

    /// The temporary file.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Where the copy goes.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Fills the temporary file with the bytes of `from`, which must be a regular file (a FIFO
    /// or a device is refused before it is opened, and checked again on what was opened).
    pub fn fill_from(&self, from: &Path) -> StoreResult<()> {
        let not_a_file = || StoreError::Io { path: from.to_path_buf(), source: io::Error::other("not a regular file") };
        if !fs::metadata(from).map_err(io_error(from))?.is_file() {
            return Err(not_a_file());
        }
        let mut source = File::open(from).map_err(io_error(from))?;
        if !source.metadata().map_err(io_error(from))?.is_file() {
            return Err(not_a_file());
        }
        let mut target = OpenOptions::new().write(true).truncate(true).open(&self.tmp).map_err(io_error(&self.tmp))?;
        io::copy(&mut source, &mut target).map_err(io_error(&self.tmp))?;
        target.sync_all().map_err(io_error(&self.tmp))
    }

    /// The copy's size in bytes.
    pub fn size(&self) -> StoreResult<u64> {
        Ok(fs::metadata(&self.tmp).map_err(io_error(&self.tmp))?.len())
    }

    /// Puts the copy at its destination, atomically and never over a file that appeared there
    /// meanwhile (a hard link fails if the name is taken; the temporary name is removed after).
    pub fn place(self) -> StoreResult<()> {
        File::open(&self.tmp).and_then(|f| f.sync_all()).map_err(io_error(&self.tmp))?;
        fs::hard_link(&self.tmp, &self.dest).map_err(io_error(&self.dest))?;
        fs::remove_file(&self.tmp).map_err(io_error(&self.tmp))?;
        match self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) => sync_dir(dir),
            None => sync_dir(Path::new(".")),
        }
    }
}

impl Drop for PendingCopy {
    fn drop(&mut self) {
        // Whatever SQLite may have left beside the temporary file goes with it.
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut path = self.tmp.clone().into_os_string();
            path.push(suffix);
            let _ = fs::remove_file(PathBuf::from(path));
        }
    }
}

/// What a file offered as a workspace copy turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyCheck {
    /// A workspace database of schema `version` (at most this build's), intact, with exactly the
    /// schema this build makes for that version.
    Workspace {
        /// Its schema version.
        version: i64,
    },
    /// Not a SQLite database at all.
    NotSqlite,
    /// A SQLite database, but not a Countersign workspace.
    NotWorkspace,
    /// A workspace written by a newer Countersign (schema `found`).
    Newer {
        /// The schema version found.
        found: i64,
    },
    /// A workspace whose file is damaged or whose schema was altered outside Countersign; says
    /// what is wrong.
    Damaged(String),
}

/// Looks at the copy `path` (read-only): a SQLite database, a Countersign schema version this
/// build knows, `PRAGMA integrity_check`, and the schema objects (tables, indexes, triggers)
/// compared with those the migrations make for that version.
pub fn check_copy(path: &Path) -> StoreResult<CopyCheck> {
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    let file = File::open(path).map_err(io_error(path))?;
    io::Read::read_to_end(&mut io::Read::take(file, SQLITE_HEADER.len() as u64), &mut header).map_err(io_error(path))?;
    if header != SQLITE_HEADER {
        return Ok(CopyCheck::NotSqlite);
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let version: i64 = match conn.query_row("PRAGMA user_version", [], |r| r.get(0)) {
        Ok(v) => v,
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => return Ok(CopyCheck::NotSqlite),
        Err(e) => return Err(e.into()),
    };
    if version > migrations::latest() {
        return Ok(CopyCheck::Newer { found: version });
    }
    let found = schema_objects(&conn)?;
    if version < 1 || !found.iter().any(|(kind, name, _)| kind == "table" && name == "audit_events") {
        return Ok(CopyCheck::NotWorkspace);
    }
    let integrity: Vec<String> = conn.prepare("PRAGMA integrity_check")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if integrity != ["ok"] {
        return Ok(CopyCheck::Damaged(format!("the database file is damaged: {}", integrity.join("; "))));
    }
    let expected = {
        let fresh = Connection::open_in_memory()?;
        for sql in &migrations::MIGRATIONS[..version as usize] {
            fresh.execute_batch(sql)?;
        }
        schema_objects(&fresh)?
    };
    Ok(match schema_difference(&expected, &found) {
        Some(what) => CopyCheck::Damaged(format!("its schema was altered outside Countersign: {what}")),
        None => CopyCheck::Workspace { version },
    })
}

/// The schema's own objects (SQLite's internal ones left out): (type, name, SQL), sorted.
fn schema_objects(conn: &Connection) -> StoreResult<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The first difference between the expected schema and the one found, in words.
fn schema_difference(expected: &[(String, String, String)], found: &[(String, String, String)]) -> Option<String> {
    for (kind, name, sql) in expected {
        match found.iter().find(|(k, n, _)| k == kind && n == name) {
            None => return Some(format!("the {kind} {name} is missing")),
            Some((_, _, other)) if other != sql => return Some(format!("the {kind} {name} differs")),
            Some(_) => {}
        }
    }
    let extra = found.iter().find(|(k, n, _)| !expected.iter().any(|(ek, en, _)| ek == k && en == n));
    extra.map(|(kind, name, _)| format!("a {kind} {name} was added"))
}

impl SqliteStore {
    /// Writes an online, consistent copy of the open database into the empty file `copy`: all
    /// pages in one step of SQLite's backup API (one read transaction, so writers in other
    /// processes carry on in WAL mode), then the copy is made a self-contained file (rollback
    /// journal mode) and synced.
    pub(super) fn backup_to_file(&self, copy: &Path) -> StoreResult<()> {
        let mut target = Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        {
            use rusqlite::backup::{Backup, StepResult};
            let backup = Backup::new(&self.conn, &mut target)?;
            // -1: every page in one step. The source is busy only while another connection
            // changes the journal mode or checkpoints in truncate mode; that passes.
            let mut waited = std::time::Duration::ZERO;
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    _ if waited >= BUSY_LIMIT => {
                        return Err(StoreError::Corrupt("the database stayed locked; try the backup again".into()))
                    }
                    _ => {
                        std::thread::sleep(BUSY_PAUSE);
                        waited += BUSY_PAUSE;
                    }
                }
            }
        }
        let mode: String = target.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(StoreError::Corrupt(format!("the copy stayed in journal mode {mode}")));
        }
        target.close().map_err(|(_, e)| e)?;
        File::open(copy).and_then(|f| f.sync_all()).map_err(io_error(copy))
    }

    /// Opens a copy that [`check_copy`] found to be a workspace, to read it: one of an older
    /// schema is brought up to date first (the copy is a temporary file of ours), and it stays a
    /// self-contained file in rollback journal mode.
    pub fn open_copy(path: &Path) -> StoreResult<SqliteStore> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(StoreError::Corrupt(format!("the copy stayed in journal mode {mode}")));
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = SqliteStore { conn, moved_to: None };
        store.migrate()?;
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::super::DATABASE_FILE;
    use super::*;
    use crate::{Store, StoreExt};

    fn workspace(dir: &Path) -> SqliteStore {
        let mut store = SqliteStore::create(&dir.join("ws")).unwrap();
        store.write(|tx| tx.set_setting("org_name", "Initech GmbH")).unwrap();
        store
    }

    /// Names of the files in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_backup_taken_while_another_connection_writes_is_one_consistent_commit() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = workspace(dir.path());
        // Another writer adds two settings per transaction; a consistent copy has both or neither.
        const ROUNDS: i64 = 2000;
        let ws = dir.path().join("ws");
        let (started, first_commit) = std::sync::mpsc::channel();
        let writer = std::thread::spawn(move || {
            let mut other = SqliteStore::open(&ws).unwrap();
            for i in 0..ROUNDS {
                other
                    .write(|tx| {
                        tx.set_setting(&format!("a{i}"), "x")?;
                        tx.set_setting(&format!("b{i}"), "x")
                    })
                    .unwrap();
                let _ = started.send(());
            }
        });
        first_commit.recv().unwrap();
        let mut counts = Vec::new();
        for n in 0.. {
            let path = dir.path().join(format!("backup-{n}.db"));
            let copy = PendingCopy::beside(&path).unwrap();
            store.write_backup(copy.path()).unwrap();
            copy.place().unwrap();
            assert_eq!(check_copy(&path).unwrap(), CopyCheck::Workspace { version: migrations::latest() });
            let copy = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let count = |prefix: &str| -> i64 {
                copy.query_row("SELECT COUNT(*) FROM settings WHERE key GLOB ?1", [format!("{prefix}[0-9]*")], |r| r.get(0)).unwrap()
            };
            assert_eq!(count("a"), count("b"), "{} holds half a transaction", path.display());
            counts.push(count("a"));
            let mode: String = copy.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
            assert_eq!(mode, "delete", "a backup is one self-contained file");
            if writer.is_finished() {
                break;
            }
        }
        writer.join().unwrap();
        assert!(counts.iter().any(|c| (1..ROUNDS).contains(c)), "no copy was taken while the writer wrote: {counts:?}");
        assert!(!names(dir.path()).iter().any(|n| n.ends_with(".tmp") || n.ends_with("-wal")), "{:?}", names(dir.path()));
    }

    #[test]
    fn a_copy_is_never_placed_over_a_file_and_is_removed_unless_placed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = workspace(dir.path());
        let dest = dir.path().join("backup.db");
        fs::write(&dest, b"mine").unwrap();
        assert!(matches!(PendingCopy::beside(&dest), Err(StoreError::Io { .. })));
        fs::remove_file(&dest).unwrap();
        let copy = PendingCopy::beside(&dest).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(copy.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
        store.write_backup(copy.path()).unwrap();
        // The name was taken while the copy was being made: the copy is not put over it.
        fs::write(&dest, b"mine").unwrap();
        assert!(copy.place().is_err());
        assert_eq!(fs::read(&dest).unwrap(), b"mine");
        assert_eq!(names(dir.path()), ["backup.db", "ws"], "the temporary file went with the refusal");
        let copy = PendingCopy::beside(&dir.path().join("other.db")).unwrap();
        store.write_backup(copy.path()).unwrap();
        drop(copy);
        assert_eq!(names(dir.path()), ["backup.db", "ws"]);
    }

    #[test]
    fn only_an_intact_workspace_of_a_known_schema_passes_the_check() {
        let dir = tempfile::tempdir().unwrap();
        drop(workspace(dir.path()));
        let original = dir.path().join("ws").join(DATABASE_FILE);
        let variant = |name: &str, sql: &str| -> PathBuf {
            let path = dir.path().join(name);
            fs::copy(&original, &path).unwrap();
            Connection::open(&path).unwrap().execute_batch(sql).unwrap();
            path
        };
        assert_eq!(check_copy(&variant("same.db", "")).unwrap(), CopyCheck::Workspace { version: migrations::latest() });
        let dropped = variant("dropped.db", "DROP TRIGGER audit_events_no_update;");
        assert_eq!(
            check_copy(&dropped).unwrap(),
            CopyCheck::Damaged("its schema was altered outside Countersign: the trigger audit_events_no_update is missing".into())
        );
        let added = variant("added.db", "CREATE TRIGGER quiet AFTER INSERT ON audit_events BEGIN SELECT 1; END;");
        assert!(matches!(check_copy(&added).unwrap(), CopyCheck::Damaged(m) if m.contains("a trigger quiet was added")));
        let newer = variant("newer.db", "PRAGMA user_version = 99;");
        assert_eq!(check_copy(&newer).unwrap(), CopyCheck::Newer { found: 99 });
        let text = dir.path().join("notes.txt");
        fs::write(&text, b"not a database at all, just some text").unwrap();
        assert_eq!(check_copy(&text).unwrap(), CopyCheck::NotSqlite);
        let other = dir.path().join("other.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); PRAGMA user_version = 3;").unwrap();
        assert_eq!(check_copy(&other).unwrap(), CopyCheck::NotWorkspace);
    }

    #[test]
    fn a_copy_of_an_older_schema_is_known_and_brought_up_to_date_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = Connection::open(&path).unwrap();
        for sql in &migrations::MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        drop(conn);
        assert_eq!(check_copy(&path).unwrap(), CopyCheck::Workspace { version: 3 });
        let mut store = SqliteStore::open_copy(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::latest());
        drop(store);
        assert_eq!(check_copy(&path).unwrap(), CopyCheck::Workspace { version: migrations::latest() });
        assert_eq!(names(dir.path()), ["old.db"], "no journal left beside it");
    }
}
