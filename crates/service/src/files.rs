//! Reading and writing the files people exchange (keys, cards, instructions, exports): size
//! limits on read, and atomic writes (temporary file, fsync, rename) so that a crash never
//! leaves half a file; secret files are created with mode 0600 from the start.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be read or written; names the path.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading failed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The path names something other than a regular file (a FIFO, a device, a directory), which
    /// could block a read forever or never end.
    #[error("{} is not a regular file; give the path of a file", .0.display())]
    NotAFile(PathBuf),
    /// The file exists and overwriting was not asked for.
    #[error("{} already exists; choose another name or remove it first", .0.display())]
    Exists(PathBuf),
    /// The directory a new file would go into does not exist.
    #[error("{} is not a directory", .0.display())]
    NoDirectory(PathBuf),
}

impl FileError {
    /// Every code [`FileError::code`] gives (`tests/codes.rs` checks).
    pub const CODES: &'static [&'static str] = &["file_exists", "no_directory", "not_a_file", "io_error"];

    /// A stable code for the shells: `file_exists`, `no_directory`, `not_a_file` or `io_error`.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Exists(_) => "file_exists",
            FileError::NoDirectory(_) => "no_directory",
            FileError::NotAFile(_) => "not_a_file",
            FileError::Read { .. } | FileError::Write { .. } => "io_error",
        }
    }
}

/// Checks, before anything is done, that a new file can be written at `path`: nothing is there
/// (a bank file is never overwritten: issue 16) and its directory exists. The shells call it
/// before a release, so a release never commits with nowhere to put its file.
pub fn check_new_file(path: &Path) -> Result<(), FileError> {
    if path.exists() {
        return Err(FileError::Exists(path.to_path_buf()));
    }
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if !dir.is_dir() => Err(FileError::NoDirectory(dir.to_path_buf())),
        _ => Ok(()),
    }
}

/// Whether the file may hold secrets (created 0600) or not (0644 minus the umask).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    /// Anyone may read it.
    Public,
    /// Only the owner may read it.
    Secret,
}

/// Reads at most `limit + 1` bytes, so that the caller can tell "too large" without reading a
/// huge file into memory. Only regular files (or links to one) are read: a FIFO would block the
/// open forever and a device such as `/dev/urandom` would never end (issue 16).
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, FileError> {
    let err = |source| FileError::Read { path: path.to_path_buf(), source };
    if !fs::metadata(path).map_err(err)?.is_file() {
        return Err(FileError::NotAFile(path.to_path_buf()));
    }
    let file = File::open(path).map_err(err)?;
    // Checked again on what was opened, in case the path was replaced in between.
    if !file.metadata().map_err(err)?.is_file() {
        return Err(FileError::NotAFile(path.to_path_buf()));
    }
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(err)?;
    Ok(bytes)
}

/// Writes `bytes` to `path` atomically. With `overwrite: false`, an existing file is an error.
pub fn write_atomic(path: &Path, bytes: &[u8], sensitivity: Sensitivity, overwrite: bool) -> Result<(), FileError> {
    let err = |source| FileError::Write { path: path.to_path_buf(), source };
    if !overwrite && path.exists() {
        return Err(FileError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| err(io::Error::new(io::ErrorKind::InvalidInput, "not a file name")))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if sensitivity == Sensitivity::Secret { 0o600 } else { 0o644 });
        }
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if overwrite {
            fs::rename(&tmp, path)
        } else {
            // A hard link fails if the target appeared meanwhile: no silent overwrite.
            fs::hard_link(&tmp, path).and_then(|()| fs::remove_file(&tmp))
        }
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    match result {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(FileError::Exists(path.to_path_buf())),
        other => other.map_err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_refuse_to_overwrite_and_protect_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.key");
        write_atomic(&path, b"one", Sensitivity::Secret, false).unwrap();
        assert!(matches!(write_atomic(&path, b"two", Sensitivity::Secret, false), Err(FileError::Exists(_))));
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"two", Sensitivity::Secret, true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary files left");
        assert_eq!(read_limited(&path, 1).unwrap(), b"tw");
    }

    /// Regression (issue 16): a FIFO blocked every command that reads files forever, and a
    /// device such as `/dev/urandom` was read up to the limit; both are refused at once.
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read_limited(dir.path(), 10), Err(FileError::NotAFile(_))));
        assert!(matches!(read_limited(Path::new("/dev/urandom"), 1 << 30), Err(FileError::NotAFile(_))));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo (coreutils) runs");
            assert!(made.success());
            assert!(matches!(read_limited(&fifo, 10), Err(FileError::NotAFile(_))));
        }
        let missing = dir.path().join("missing");
        assert!(matches!(read_limited(&missing, 10), Err(FileError::Read { .. })));
    }
}
