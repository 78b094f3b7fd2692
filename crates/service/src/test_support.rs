//! Set-up shared by the service's unit tests: a fresh workspace and its first admin signed in,
//! on the backend `COUNTERSIGN_TEST_BACKEND` names (`sqlite`, the default, or `postgres`, on the
//! server `make test` starts), so that the same tests run on both (issue 17).

use crate::{Credentials, InitRequest, Session, Workspace};

/// The organisation passphrase of [`admin_workspace`].
pub(crate) const ORG_PASSPHRASE: &str = "organisation passphrase";

/// The environment variable choosing the backend of [`admin_workspace`].
pub(crate) const BACKEND_ENV: &str = "COUNTERSIGN_TEST_BACKEND";

fn request() -> InitRequest<'static> {
    InitRequest { org_name: "Initech GmbH", admin_name: "alice", org_passphrase: ORG_PASSPHRASE, admin_password: "alice password 1" }
}

/// A new workspace of "Initech GmbH" (its directory, or this desktop's for a team workspace, kept
/// alive by the returned guard), with alice (password "alice password 1") signed in as its admin.
pub(crate) fn admin_workspace() -> (tempfile::TempDir, Workspace, Session) {
    match std::env::var(BACKEND_ENV).as_deref() {
        Ok("postgres") => team_admin_workspace(),
        Ok("sqlite") | Err(_) => sqlite_admin_workspace(),
        Ok(other) => panic!("{BACKEND_ENV}={other}: the backends are sqlite and postgres"),
    }
}

/// [`admin_workspace`] in a SQLite file, whatever the backend chosen: for tests that edit the
/// file as an attacker would, or make it look like one an older version wrote.
pub(crate) fn sqlite_admin_workspace() -> (tempfile::TempDir, Workspace, Session) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws"), &request()).unwrap();
    let session = ws.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
    (dir, ws, session)
}

/// [`admin_workspace`] on the PostgreSQL test server, in a schema of its own.
pub(crate) fn team_admin_workspace() -> (tempfile::TempDir, Workspace, Session) {
    let url = countersign_store::testing::fresh_database()
        .unwrap_or_else(|| panic!("{BACKEND_ENV}=postgres needs a test server: run the tests with `make test`"));
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init_team(&url, &dir.path().join("desktop"), None, &request()).unwrap();
    let session = ws.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
    (dir, ws, session)
}
