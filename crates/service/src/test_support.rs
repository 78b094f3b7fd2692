//! Set-up shared by the service's unit tests: a fresh workspace in a temporary directory and its
//! first admin signed in.

use crate::{Credentials, InitRequest, Session, Workspace};

/// The organisation passphrase of [`admin_workspace`].
pub(crate) const ORG_PASSPHRASE: &str = "organisation passphrase";

/// A new workspace of "Initech GmbH" in a temporary directory (kept alive by the returned
/// guard), with alice (password "alice password 1") signed in as its admin.
pub(crate) fn admin_workspace() -> (tempfile::TempDir, Workspace, Session) {
    let dir = tempfile::tempdir().unwrap();
    let request =
        InitRequest { org_name: "Initech GmbH", admin_name: "alice", org_passphrase: ORG_PASSPHRASE, admin_password: "alice password 1" };
    let mut ws = Workspace::init(&dir.path().join("ws"), &request).unwrap();
    let session = ws.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
    (dir, ws, session)
}
