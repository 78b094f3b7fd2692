//! A test directory kept as files and copied into other test directories: a workspace built once
//! through the binary (slow: every command derives a password key) serves every test of a suite.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::{TestDir, Workspace};

/// The files of a test directory: path relative to it, mode, contents (`None`: a directory).
pub struct Snapshot {
    files: Vec<(PathBuf, u32, Option<Vec<u8>>)>,
}

impl Snapshot {
    /// Everything in `dir`, in a stable order.
    pub fn of(dir: &TestDir) -> Snapshot {
        fn walk(root: &Path, here: &Path, out: &mut Vec<(PathBuf, u32, Option<Vec<u8>>)>) {
            let mut entries: Vec<_> = fs::read_dir(here).unwrap().map(|e| e.unwrap()).collect();
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let path = entry.path();
                let meta = entry.metadata().unwrap();
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                let mode = meta.permissions().mode() & 0o777;
                if meta.is_dir() {
                    out.push((rel, mode, None));
                    walk(root, &path, out);
                } else {
                    out.push((rel, mode, Some(fs::read(&path).unwrap())));
                }
            }
        }
        let mut files = Vec::new();
        walk(dir.path(), dir.path(), &mut files);
        Snapshot { files }
    }

    /// Writes the files into `dir` and returns the workspace made by
    /// `init_workspace("ws", org_name, admin)` among them, whose fingerprint is `fingerprint`.
    pub fn restore_workspace<'d>(&self, dir: &'d TestDir, org_name: &str, admin: &str, fingerprint: &str) -> Workspace<'d> {
        self.restore(dir);
        Workspace {
            dir,
            data_dir: "ws".into(),
            org_name: org_name.into(),
            admin: admin.into(),
            card: "ws.card".into(),
            fingerprint: fingerprint.into(),
            database: None,
        }
    }

    /// Writes the files into `dir`, with their modes.
    pub fn restore(&self, dir: &TestDir) {
        for (rel, mode, contents) in &self.files {
            let path = dir.join(rel);
            match contents {
                None => fs::create_dir_all(&path).unwrap(),
                Some(bytes) => fs::write(&path, bytes).unwrap(),
            }
            fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).unwrap();
        }
    }
}
