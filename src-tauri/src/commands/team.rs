//! Team workspaces on a PostgreSQL server (issue 17): joining one, creating one, the database
//! password a server asks for, the CA file of a server's certificate, and the live queue the UI
//! listens to. The password is held in memory only and never sent back.

use countersign_service::{InitRequest, Location, Workspace};
use serde::Deserialize;
use tauri::ipc::Channel;
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use crate::commands::session::{status_of, NewWorkspace, WorkspaceStatus};
use crate::live::LiveEvent;
use crate::state::{blocking, AppState, Inner};
use crate::team::{server_url, team_error, ServerRequest};
use crate::{dialog, CommandError, CommandResult};

/// What creating a team workspace needs: where, and the workspace itself.
#[derive(Deserialize, TS)]
pub struct NewTeamWorkspace {
    /// The server, database, schema and user (the schema's owner).
    pub server: ServerRequest,
    /// The organisation, its first admin and the passphrase, as for a workspace on this computer.
    pub workspace: NewWorkspace,
}

/// The database password a team workspace's server asks for.
#[derive(Deserialize, TS)]
pub struct DatabasePassword {
    /// Held in memory only.
    pub password: String,
}

/// Refuses to join or create when this desktop already works on a workspace.
fn check_first_run(inner: &Inner) -> CommandResult<()> {
    if Workspace::exists(&inner.dir) || inner.dir.join(countersign_service::TEAM_FILE).exists() {
        let message = format!("This computer already has a workspace in {}: open it instead.", inner.dir.display());
        let folder = [("folder", inner.dir.display().to_string())];
        return Err(CommandError::detailed("workspace_exists", "workspace_on_this_computer", message, &folder));
    }
    Ok(())
}

/// Joins the team workspace on a server (first run): this desktop remembers where it is (never
/// the password); nobody is signed in afterwards.
#[tauri::command]
pub async fn join_team(state: State<'_, AppState>, request: ServerRequest) -> CommandResult<WorkspaceStatus> {
    blocking(|| {
        let mut inner = state.lock();
        check_first_run(&inner)?;
        let url = server_url(&request, inner.env_password.as_deref())?;
        let ws = Workspace::open_at(&Location::Team { url: url.clone(), local: inner.dir.clone() }).map_err(|e| team_error(&url, e))?;
        inner.use_workspace(ws);
        status_of(&mut inner)
    })
}

/// Creates a new team workspace on a server (first run), connected as the role that will own its
/// schema; nobody is signed in afterwards.
#[tauri::command]
pub async fn create_team_workspace(state: State<'_, AppState>, request: NewTeamWorkspace) -> CommandResult<WorkspaceStatus> {
    blocking(|| {
        let mut inner = state.lock();
        check_first_run(&inner)?;
        let url = server_url(&request.server, inner.env_password.as_deref())?;
        let w = &request.workspace;
        let init =
            InitRequest { org_name: &w.org_name, admin_name: w.admin.trim(), org_passphrase: &w.passphrase, admin_password: &w.password };
        let ws = Workspace::init_team(&url, &inner.dir, None, &init).map_err(|e| team_error(&url, e))?;
        inner.use_workspace(ws);
        status_of(&mut inner)
    })
}

/// Opens the team workspace this desktop joined with the database password its server asks for.
#[tauri::command]
pub async fn unlock_team(state: State<'_, AppState>, request: DatabasePassword) -> CommandResult<WorkspaceStatus> {
    blocking(|| {
        let mut inner = state.lock();
        let Location::Team { url, local } = inner.location()?.clone() else {
            let message = "This desktop's workspace is on this computer: it needs no database password.";
            return Err(CommandError::detailed("invalid_input", "no_database_password_needed", message, &[]));
        };
        if request.password.is_empty() {
            return Err(CommandError::detailed("invalid_input", "database_password_needed", "Type the database password.", &[]));
        }
        let mut url = url;
        url.set_password(request.password.as_bytes());
        let ws = Workspace::open_at(&Location::Team { url: url.clone(), local }).map_err(|e| team_error(&url, e))?;
        inner.use_workspace(ws);
        status_of(&mut inner)
    })
}

/// The live queue of a team workspace: what happens on the server is told to `channel`
/// (replacing the channel registered before). Nothing is told for a workspace on this computer.
#[tauri::command]
pub async fn watch_workspace(state: State<'_, AppState>, channel: Channel<LiveEvent>) -> CommandResult<()> {
    state.set_live_listener(channel);
    Ok(())
}

/// Opens the file chooser for the CA certificate that signs the server's certificate; `None`
/// when cancelled.
#[tauri::command]
pub async fn pick_ca_file<R: Runtime>(window: WebviewWindow<R>) -> CommandResult<Option<String>> {
    let chosen = dialog::ask(&window, dialog::Ask::OpenFile("Choose the server's CA certificate")).await?;
    Ok(chosen.into_iter().next().map(|p| p.display().to_string()))
}
