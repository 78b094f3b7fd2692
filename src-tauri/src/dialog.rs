//! Native file dialogs, opened on the Rust side (no dialog or fs plugin: the web view never
//! gets a file-system capability). On Linux they are GTK's own file choosers, run on the GTK
//! main thread while the calling command waits on a blocking thread; elsewhere there is no
//! dialog yet and callers fall back (paths typed or dropped; exports to the downloads folder).

use std::path::PathBuf;

use tauri::{Runtime, WebviewWindow};

use crate::{CommandError, CommandResult};

/// What to ask for.
#[derive(Debug, Clone)]
pub enum Ask {
    /// One or more existing files to open.
    OpenFiles,
    /// One existing file to open, under this title (a partner card, a rotation statement).
    OpenFile(&'static str),
    /// A file to save under this title, proposing this name (an outgoing instruction).
    SaveFile {
        /// The dialog's title.
        title: &'static str,
        /// The proposed file name.
        name: String,
    },
}

/// Shows the dialog over `window`; the chosen paths, empty when cancelled. Waits without
/// holding the UI thread.
pub async fn ask<R: Runtime>(window: &WebviewWindow<R>, ask: Ask) -> CommandResult<Vec<PathBuf>> {
    let rx = show(window, ask)?;
    tauri::async_runtime::spawn_blocking(move || rx.recv().unwrap_or_default())
        .await
        .map_err(|e| CommandError::new("internal_error", format!("the file dialog failed: {e}")))
}

#[cfg(target_os = "linux")]
fn show<R: Runtime>(window: &WebviewWindow<R>, ask: Ask) -> CommandResult<std::sync::mpsc::Receiver<Vec<PathBuf>>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let parent = window.clone();
    window
        .run_on_main_thread(move || {
            use gtk::prelude::*;
            let parent = parent.gtk_window().ok();
            let (title, action, accept) = match &ask {
                Ask::OpenFiles => ("Choose instruction files", gtk::FileChooserAction::Open, "Choose"),
                Ask::OpenFile(title) => (*title, gtk::FileChooserAction::Open, "Choose"),
                Ask::SaveFile { title, .. } => (*title, gtk::FileChooserAction::Save, "Save"),
            };
            let dialog = gtk::FileChooserNative::new(Some(title), parent.as_ref(), action, Some(accept), Some("Cancel"));
            dialog.set_modal(true);
            match &ask {
                Ask::OpenFiles => dialog.set_select_multiple(true),
                Ask::SaveFile { name, .. } => {
                    dialog.set_current_name(name);
                    dialog.set_do_overwrite_confirmation(true);
                }
                Ask::OpenFile(_) => dialog.set_select_multiple(false),
            }
            let chosen = if dialog.run() == gtk::ResponseType::Accept { dialog.filenames() } else { vec![] };
            dialog.destroy();
            let _ = tx.send(chosen);
        })
        .map_err(|e| CommandError::new("internal_error", format!("the file dialog could not open: {e}")))?;
    Ok(rx)
}

#[cfg(not(target_os = "linux"))]
fn show<R: Runtime>(_window: &WebviewWindow<R>, _ask: Ask) -> CommandResult<std::sync::mpsc::Receiver<Vec<PathBuf>>> {
    Err(CommandError::new("unsupported", "File dialogs are not available on this platform yet: type or drop the paths."))
}
