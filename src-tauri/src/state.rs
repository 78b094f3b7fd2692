//! The app's one piece of state: where the workspace is, the open workspace and the signed-in
//! user's session.
//!
//! The core's `Workspace` holds a database connection, which is `Send` but not `Sync`, so it lives
//! behind a `Mutex` together with the `Session` it belongs to. Commands lock it for the few
//! milliseconds a core call takes; the long one (receiving a payment run) runs on a blocking
//! thread, never on the UI thread.
//!
//! The data directory stands for a [`Location`]: the workspace in it, or the team workspace its
//! `team.json` names (issue 17), with the database password held in memory only (from
//! `COUNTERSIGN_DATABASE_PASSWORD` or typed in the app). While a team workspace is open, its live
//! queue runs on a thread of its own ([`crate::live`]); after that thread lost and regained the
//! server, the next command opens the workspace's connection again, keeping the session.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use countersign_service::{Location, ServiceError, Session, Workspace};
use tauri::ipc::Channel;

use crate::commands::screening::HeldCopy as ScreenedCopy;
use crate::live::{self, LiveWatch, Sink};
use crate::team::team_error;
use crate::{CommandError, CommandResult};

/// Managed by Tauri; see the module docs.
pub struct AppState {
    inner: Mutex<Inner>,
    /// Where paths of files dropped on the window go (the inbox's channel), kept apart from the
    /// workspace lock so a drop never waits for a payment run.
    drops: Mutex<Option<Channel<Vec<String>>>>,
    /// The UI's channel for the live queue, also kept apart from the workspace lock.
    sink: Sink,
}

/// What the lock guards.
pub(crate) struct Inner {
    /// This desktop's data directory: the workspace's, or the one that names a team workspace.
    pub dir: PathBuf,
    /// The database password from the environment, if any (held in memory only).
    pub env_password: Option<String>,
    /// What `dir` stands for, once read (with the password typed or from the environment).
    location: Option<Location>,
    /// The workspace, once opened or created.
    pub workspace: Option<Workspace>,
    /// The signed-in user, if any.
    pub session: Option<Session>,
    /// The approved copy of the last payment file screened, to save, until another file is
    /// screened or the user signs out (`commands::screening`).
    pub screened_copy: Option<ScreenedCopy>,
    /// The live queue of the open team workspace.
    live: Option<LiveWatch>,
    /// Where the live queue's events go (the UI's channel).
    sink: Sink,
    /// Set by the live queue when it regained the server: the workspace's own connection is
    /// opened again before the next command uses it.
    reopen: Arc<AtomicBool>,
}

impl AppState {
    /// State for the workspace in `dir` (opened lazily: it may not exist yet).
    pub fn new(dir: PathBuf) -> Self {
        Self::with_password(dir, None)
    }

    /// State for `dir`, with the database password of a team workspace.
    pub fn with_password(dir: PathBuf, env_password: Option<String>) -> Self {
        let sink = Sink::default();
        let inner = Inner {
            dir,
            env_password,
            location: None,
            workspace: None,
            session: None,
            screened_copy: None,
            live: None,
            sink: sink.clone(),
            reopen: Arc::new(AtomicBool::new(false)),
        };
        Self { inner: Mutex::new(inner), drops: Mutex::new(None), sink }
    }

    /// The directory the CLI would use too: `--data-dir DIR` on the command line, else
    /// `COUNTERSIGN_DATA_DIR`, else the platform data directory (`~/.local/share/countersign` on
    /// Linux); the database password from `COUNTERSIGN_DATABASE_PASSWORD`, if set.
    pub fn from_env() -> Self {
        let dir = data_dir_arg(std::env::args().skip(1))
            .or_else(|| std::env::var_os("COUNTERSIGN_DATA_DIR").filter(|d| !d.is_empty()).map(PathBuf::from))
            .or_else(countersign_service::default_data_dir)
            .unwrap_or_else(|| PathBuf::from("countersign-data"));
        let password = std::env::var(crate::team::PASSWORD_ENV).ok().filter(|p| !p.is_empty());
        Self::with_password(dir, password)
    }

    /// Locks the state. A panic while it was held leaves nothing half-written (the core writes
    /// in transactions), so a poisoned lock is taken over.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl AppState {
    /// The UI's channel for dropped files (replaces the previous one).
    pub(crate) fn set_drop_listener(&self, channel: Channel<Vec<String>>) {
        *self.drops.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }

    /// The UI's channel for the live queue (replaces the previous one).
    pub(crate) fn set_live_listener(&self, channel: Channel<crate::live::LiveEvent>) {
        self.sink.set(channel);
    }

    /// Hands dropped paths to the UI, if it listens; the UI only fills them into the inbox form.
    pub fn files_dropped(&self, paths: &[PathBuf]) {
        if let Some(channel) = self.drops.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = channel.send(paths.iter().map(|p| p.display().to_string()).collect());
        }
    }
}

impl Inner {
    /// What the data directory stands for: read once (its `team.json`, if any), with the
    /// environment's database password.
    pub fn location(&mut self) -> CommandResult<&Location> {
        if self.location.is_none() {
            self.location = Some(Location::of_dir(&self.dir, self.env_password.as_deref())?);
        }
        Ok(self.location.as_ref().expect("just read"))
    }

    /// The workspace, opened on first use (and again after the live queue regained the server).
    pub fn workspace(&mut self) -> CommandResult<&mut Workspace> {
        if self.reopen.swap(false, Ordering::SeqCst) && self.workspace.as_ref().is_some_and(|ws| is_team(ws.location())) {
            self.workspace = None;
        }
        if self.workspace.is_none() {
            let location = self.location()?.clone();
            let ws = Workspace::open_at(&location).map_err(|e| opening_error(&location, e))?;
            self.opened(ws);
        }
        Ok(self.workspace.as_mut().expect("just opened"))
    }

    /// Works on `ws` from now on (one just created or joined, or a team workspace opened with the
    /// password typed in the app); nobody is signed in.
    pub fn use_workspace(&mut self, ws: Workspace) {
        self.signed_out();
        self.opened(ws);
    }

    /// Nobody is signed in, and nothing of the last user's is kept.
    pub fn signed_out(&mut self) {
        self.session = None;
        self.screened_copy = None;
    }

    /// Keeps `ws` open, with its location, and runs the live queue of a team workspace.
    fn opened(&mut self, ws: Workspace) {
        if let Location::Team { url, .. } = ws.location() {
            if self.live.as_ref().is_none_or(|live| live.server != url.to_string()) {
                self.live = Some(live::start(url.clone(), self.sink.clone(), self.reopen.clone()));
            }
        }
        self.location = Some(ws.location().clone());
        self.workspace = Some(ws);
    }

    /// The workspace and the signed-in user's session; `not_signed_in` without one.
    pub fn signed_in(&mut self) -> CommandResult<(&mut Workspace, &Session)> {
        if self.session.is_none() {
            return Err(CommandError::new("not_signed_in", "Sign in first."));
        }
        self.workspace()?;
        match (&mut self.workspace, &self.session) {
            (Some(ws), Some(session)) => Ok((ws, session)),
            _ => unreachable!("checked above"),
        }
    }
}

/// Runs `f` (a command's work on the workspace) on a thread of its own and waits for it.
/// Commands are `async`, so they run on the async runtime's workers, where a team workspace's
/// database client, which blocks on a runtime of its own, would panic ("cannot start a runtime
/// from within a runtime"); a plain thread is outside any runtime. `f` may borrow: the thread is
/// scoped. A panic in `f` is raised again here.
pub(crate) fn blocking<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| scope.spawn(f).join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
}

/// `--data-dir DIR` (or `--data-dir=DIR`) among the app's arguments, as the CLI takes it; two
/// desktops on one computer (the end-to-end tests of a team) each get their own.
fn data_dir_arg(mut args: impl Iterator<Item = String>) -> Option<PathBuf> {
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            return args.next().filter(|d| !d.is_empty()).map(PathBuf::from);
        }
        if let Some(dir) = arg.strip_prefix("--data-dir=").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
    }
    None
}

fn is_team(location: &Location) -> bool {
    matches!(location, Location::Team { .. })
}

/// A failure to open the workspace at `location`, as a sentence.
fn opening_error(location: &Location, error: ServiceError) -> CommandError {
    match location {
        Location::Team { url, .. } => team_error(url, error),
        Location::Directory(_) => error.into(),
    }
}

impl From<ServiceError> for CommandError {
    fn from(error: ServiceError) -> Self {
        let message = match &error {
            _ if error.code() == "no_workspace" => "There is no workspace here yet: create one.".to_string(),
            _ if error.code() == "newer_workspace" => {
                "This workspace was written by a newer version of Countersign: update the app.".to_string()
            }
            ServiceError::Store(_) => format!("The workspace could not be read or written: {error}"),
            other => other.to_string(),
        };
        CommandError::new(error.code(), message).with_detail(error.detail(), error.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter().map(|a| a.to_string()).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn the_data_directory_may_be_given_on_the_command_line() {
        assert_eq!(data_dir_arg(args(&["--data-dir", "/tmp/a b"])), Some(PathBuf::from("/tmp/a b")));
        assert_eq!(data_dir_arg(args(&["-x", "--data-dir=/tmp/b"])), Some(PathBuf::from("/tmp/b")));
        assert_eq!(data_dir_arg(args(&["--data-dir"])), None);
        assert_eq!(data_dir_arg(args(&["--data-dir="])), None);
        assert_eq!(data_dir_arg(args(&[])), None);
    }
}
