//! First run and sign-in: which workspace the app is on, creating one, login, logout.

use countersign_service::{Credentials, InitRequest, Permission, Role, Workspace};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::state::{blocking, AppState, Inner};
use crate::team::{TeamView, PASSWORD_CODE};
use crate::CommandResult;

/// The signed-in user as the UI shows them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UserView {
    /// Login name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// Present (and `true`) when the policy requires a second factor this user has not enrolled
    /// yet: the session may only enrol one, on the My account screen.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub must_enrol_totp: Option<bool>,
    /// What the role may do outside the case steps (the core's table): the controls and
    /// screens the app offers. A session that must enrol a second factor has none.
    pub permissions: Vec<Permission>,
}

impl UserView {
    /// The view of a session's user.
    pub(crate) fn of(session: &countersign_service::Session) -> Self {
        let must_enrol = session.must_enrol_totp();
        UserView {
            name: session.user().into(),
            role: session.role(),
            must_enrol_totp: must_enrol.then_some(true),
            permissions: if must_enrol { vec![] } else { Permission::of(session.role()) },
        }
    }
}

/// Where the app stands: is there a workspace, and who is signed in.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkspaceStatus {
    /// The workspace directory.
    pub dir: String,
    /// Whether a workspace exists there.
    pub exists: bool,
    /// Our organisation's name, when it exists.
    pub org_name: Option<String>,
    /// The signed-in user.
    pub user: Option<UserView>,
    /// The team workspace on a server this desktop uses; absent for a workspace on this computer.
    pub team: Option<TeamView>,
    /// True when the team workspace's server asks for a database password this desktop does not
    /// have (or refused the one it has): the app asks for it.
    pub needs_password: bool,
}

/// What creating a workspace needs.
#[derive(Debug, Deserialize, TS)]
pub struct NewWorkspace {
    /// Our organisation's legal name.
    pub org_name: String,
    /// The first admin's login name.
    pub admin: String,
    /// Seals the organisation's signing key.
    pub passphrase: String,
    /// The first admin's password.
    pub password: String,
}

/// A login attempt.
#[derive(Debug, Deserialize, TS)]
pub struct LoginRequest {
    /// Login name.
    pub user: String,
    /// Password.
    pub password: String,
    /// The current one-time code, for users who enrolled one.
    pub totp: Option<String>,
}

/// Which workspace the app is on and who is signed in. A team workspace whose server is
/// unreachable, or whose log was rolled back, is an error whose message says so.
#[tauri::command]
pub async fn workspace_status(state: State<'_, AppState>) -> CommandResult<WorkspaceStatus> {
    blocking(|| status_of(&mut state.lock()))
}

/// Where the app stands, with the state locked (the workspace is opened if it is not yet).
pub(crate) fn status_of(inner: &mut Inner) -> CommandResult<WorkspaceStatus> {
    let dir = inner.dir.display().to_string();
    let user = inner.session.as_ref().map(UserView::of);
    let team = TeamView::of_location(inner.location()?);
    let on_server = team.is_some();
    let status = |exists, org_name, user, needs_password| WorkspaceStatus { dir, exists, org_name, user, team, needs_password };
    match inner.workspace() {
        Ok(ws) => Ok(status(true, Some(ws.org_name()?), user, false)),
        Err(e) if e.code() == "no_workspace" && !on_server => Ok(status(false, None, None, false)),
        Err(e) if e.code() == PASSWORD_CODE => Ok(status(false, None, None, true)),
        Err(e) => Err(e),
    }
}

/// Creates the workspace (first run); nobody is signed in afterwards.
#[tauri::command]
pub async fn create_workspace(state: State<'_, AppState>, request: NewWorkspace) -> CommandResult<WorkspaceStatus> {
    blocking(|| {
        let mut inner = state.lock();
        let init = InitRequest {
            org_name: &request.org_name,
            admin_name: request.admin.trim(),
            org_passphrase: &request.passphrase,
            admin_password: &request.password,
        };
        let mut ws = Workspace::init(&inner.dir, &init)?;
        // The admin who just chose the password is signed in straight away.
        let session = ws.login(&Credentials { user: init.admin_name, password: &request.password, totp: None })?;
        inner.use_workspace(ws);
        inner.session = Some(session);
        status_of(&mut inner)
    })
}

/// Signs a user in (replacing whoever was signed in).
#[tauri::command]
pub async fn login(state: State<'_, AppState>, request: LoginRequest) -> CommandResult<UserView> {
    blocking(|| {
        let mut inner = state.lock();
        inner.signed_out();
        let totp = request.totp.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let session = inner.workspace()?.login(&Credentials { user: request.user.trim(), password: &request.password, totp })?;
        let user = UserView::of(&session);
        inner.session = Some(session);
        Ok(user)
    })
}

/// "Switch user": another person signs in over the open window (the approver after a clerk's
/// callback). The service's login decides, with its lockout and second-factor rules unchanged;
/// only a login that succeeds replaces the session (nothing of the last user's is kept), so a
/// refused attempt leaves the window with the user who was signed in.
#[tauri::command]
pub async fn switch_user(state: State<'_, AppState>, request: LoginRequest) -> CommandResult<UserView> {
    blocking(|| {
        let mut inner = state.lock();
        inner.signed_in()?;
        let totp = request.totp.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let session = inner.workspace()?.login(&Credentials { user: request.user.trim(), password: &request.password, totp })?;
        inner.signed_out();
        let user = UserView::of(&session);
        inner.session = Some(session);
        Ok(user)
    })
}

/// Signs the current user out.
#[tauri::command]
pub async fn logout(state: State<'_, AppState>) -> CommandResult<()> {
    blocking(|| {
        state.lock().signed_out();
        Ok(())
    })
}
