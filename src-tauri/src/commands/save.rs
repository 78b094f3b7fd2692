//! Where a file the app writes goes (a bank file, a signed instruction, a key backup, an
//! evidence bundle), asked before anything happens so that cancelling does nothing: with
//! `COUNTERSIGN_EXPORT_DIR` set (unattended runs, the e2e tests), a new file there; otherwise the
//! native save dialog; where there is no dialog, the downloads folder or `exports/` in the
//! workspace. A file the app picks itself never replaces an existing one.

use std::path::{Path, PathBuf};

use countersign_service::Permission;
use tauri::{Runtime, State, WebviewWindow};

use crate::dialog;
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// The chosen path, and whether the user chose it in the dialog (and so confirmed replacing a
/// file that was there).
pub(crate) struct Target {
    /// Where to write.
    pub path: PathBuf,
    /// Chosen by the user rather than picked by the app.
    pub chosen: bool,
}

/// `STEM.EXT` in `dir`, or `STEM-2.EXT` and so on: never an existing file.
pub(crate) fn free_name(dir: &Path, stem: &str, ext: &str) -> CommandResult<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| {
        let message = format!("The folder {} cannot be made: {e}", dir.display());
        CommandError::detailed("export_failed", "folder_not_made", message, &[("folder", dir.display().to_string())])
    })?;
    (1..1000)
        .map(|n| dir.join(if n == 1 { format!("{stem}.{ext}") } else { format!("{stem}-{n}.{ext}") }))
        .find(|p| !p.exists())
        .ok_or_else(|| {
            let message = format!("No free file name in {}", dir.display());
            CommandError::detailed("export_failed", "no_free_name", message, &[("folder", dir.display().to_string())])
        })
}

/// Whether the signed-in user may do `operation`, asked before a save dialog opens so that a
/// refusal comes before anything is chosen (the core logs it).
pub(crate) fn check_allowed(state: &State<'_, AppState>, operation: Permission) -> CommandResult<()> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.check_allowed(session, operation)?)
    })
}

/// Asks where `STEM.EXT` goes (see the module docs); `cancelled` is the message when the user
/// closes the dialog without choosing.
pub(crate) async fn save_target<R: Runtime>(
    window: &WebviewWindow<R>,
    state: &State<'_, AppState>,
    title: &'static str,
    stem: &str,
    ext: &str,
    cancelled: &str,
) -> CommandResult<Target> {
    if let Some(dir) = std::env::var_os("COUNTERSIGN_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return Ok(Target { path: free_name(&PathBuf::from(dir), stem, ext)?, chosen: false });
    }
    match dialog::ask(window, dialog::Ask::SaveFile { title, name: format!("{stem}.{ext}") }).await {
        Ok(chosen) => chosen
            .into_iter()
            .next()
            .map(|path| Target { path, chosen: true })
            .ok_or_else(|| CommandError::new("cancelled", cancelled.to_string())),
        Err(e) if e.code() == "unsupported" => {
            let dir = std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join("Downloads"))
                .filter(|d| d.is_dir())
                .unwrap_or_else(|| state.lock().dir.join("exports"));
            Ok(Target { path: free_name(&dir, stem, ext)?, chosen: false })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_names_never_replace_a_file() {
        let dir = std::env::temp_dir().join(format!("countersign-free-name-{}", std::process::id()));
        let first = free_name(&dir, "case-3-pain001", "xml").unwrap();
        assert_eq!(first.file_name().unwrap(), "case-3-pain001.xml");
        std::fs::write(&first, b"x").unwrap();
        assert_eq!(free_name(&dir, "case-3-pain001", "xml").unwrap().file_name().unwrap(), "case-3-pain001-2.xml");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
