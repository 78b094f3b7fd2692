//! The app's one piece of state: the open workspace and the signed-in user's session.
//!
//! The core's `Workspace` holds a database connection, which is `Send` but not `Sync`, so it lives
//! behind a `Mutex` together with the `Session` it belongs to. Commands lock it for the few
//! milliseconds a core call takes; the long one (receiving a payment run) runs on a blocking
//! thread, never on the UI thread.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use countersign_service::{ServiceError, Session, Workspace};
use tauri::ipc::Channel;

use crate::{CommandError, CommandResult};

/// Managed by Tauri; see the module docs.
pub struct AppState {
    inner: Mutex<Inner>,
    /// Where paths of files dropped on the window go (the inbox's channel), kept apart from the
    /// workspace lock so a drop never waits for a payment run.
    drops: Mutex<Option<Channel<Vec<String>>>>,
}

/// What the lock guards.
pub(crate) struct Inner {
    /// Where the workspace is (or will be created).
    pub dir: PathBuf,
    /// The workspace, once opened or created.
    pub workspace: Option<Workspace>,
    /// The signed-in user, if any.
    pub session: Option<Session>,
}

impl AppState {
    /// State for the workspace in `dir` (opened lazily: it may not exist yet).
    pub fn new(dir: PathBuf) -> Self {
        Self { inner: Mutex::new(Inner { dir, workspace: None, session: None }), drops: Mutex::new(None) }
    }

    /// The directory the CLI would use too: `COUNTERSIGN_DATA_DIR`, else the platform data
    /// directory (`~/.local/share/countersign` on Linux).
    pub fn from_env() -> Self {
        let dir = std::env::var_os("COUNTERSIGN_DATA_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(countersign_service::default_data_dir)
            .unwrap_or_else(|| PathBuf::from("countersign-data"));
        Self::new(dir)
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

    /// Hands dropped paths to the UI, if it listens; the UI only fills them into the inbox form.
    pub fn files_dropped(&self, paths: &[PathBuf]) {
        if let Some(channel) = self.drops.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = channel.send(paths.iter().map(|p| p.display().to_string()).collect());
        }
    }
}

impl Inner {
    /// The workspace, opened on first use.
    pub fn workspace(&mut self) -> CommandResult<&mut Workspace> {
        if self.workspace.is_none() {
            self.workspace = Some(Workspace::open(&self.dir)?);
        }
        Ok(self.workspace.as_mut().expect("just opened"))
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
        CommandError::new(error.code(), message)
    }
}
