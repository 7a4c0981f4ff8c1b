//! The errors of reading and writing the files, in the user's words: each names the file
//! the user knows (the configured path, not a temporary file or a link's target) and the fix.

use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

/// A write of the file at `path` that failed in the folder `dir` (the file's own, or the
/// backups'): the file is unchanged, whatever the cause.
pub(super) fn write_failed(path: &Path, dir: &Path, error: &std::io::Error) -> Error {
    let (message, fix) = match error.kind() {
        IoKind::StorageFull | IoKind::QuotaExceeded => (
            "the disk is full",
            format!(
                "free some space on the disk that holds {} (`df -h {}`), then try again",
                dir.display(),
                dir.display()
            ),
        ),
        IoKind::ReadOnlyFilesystem => (
            "the disk is mounted read-only",
            format!("remount the disk that holds {} read-write", dir.display()),
        ),
        IoKind::FileTooLarge => (
            "the new text is larger than this process or disk may write",
            "raise the file size limit (`ulimit -f`), then try again".to_owned(),
        ),
        IoKind::PermissionDenied => (
            "Lanyard may not create files in its folder",
            format!(
                "check the folder's owner and mode (`ls -ld {}`)",
                dir.display()
            ),
        ),
        _ => (
            "the write failed",
            "check the disk and try again".to_owned(),
        ),
    };
    Error::new(
        ErrorKind::Io,
        format!("cannot write the file: {message} ({error}); the file is unchanged"),
    )
    .at(path, None)
    .fix(fix)
}

/// A write in place that failed half-way and could not be undone.
pub(super) fn half_written(path: &Path, backup: &Path, error: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!(
            "writing the file in place failed half-way ({error}); the version before is kept at {}",
            backup.display()
        ),
    )
    .at(path, None)
    .fix(format!(
        "put it back with `cat {} > {}` once the disk has room",
        backup.display(),
        path.display()
    ))
}

/// Symlinks that lead back to one of themselves: `chain` is the configured path, then each
/// link's target as written, up to the one seen before.
pub(super) fn link_loop(path: &Path, chain: &[PathBuf]) -> Error {
    let chain: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
    Error::new(
        ErrorKind::Unreadable,
        format!("the symbolic link loops ({})", chain.join(" → ")),
    )
    .at(path, None)
    .fix(format!(
        "point the link at the real file (`ln -sfn FILE {}`), or put the file itself there",
        path.display()
    ))
}

/// A symlink loop somewhere on the way to the file (a folder of its path, say).
pub(super) fn loop_on_the_way(path: &Path) -> Error {
    Error::new(
        ErrorKind::Unreadable,
        "a symbolic link on the way to the file loops",
    )
    .at(path, None)
    .fix(format!(
        "find the link that leads back to itself (`namei -l {}`) and point it at a real folder or file",
        path.display()
    ))
}

/// A file the user made read-only (no write bit): replacing it, which the folder allows,
/// would go behind their back.
pub(super) fn read_only(path: &Path, mode: u32) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("the file is read-only (mode {mode:04o}); Lanyard does not replace a file made read-only"),
    )
    .at(path, None)
    .fix(format!(
        "if it may change, make it writable with `chmod u+w {}` and try again",
        path.display()
    ))
}

/// A file this user may not write in place; a rename would replace it all the same.
pub(super) fn not_writable(path: &Path, mode: u32) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("you may not write this file (mode {mode:04o}); Lanyard leaves it as it is"),
    )
    .at(path, None)
    .fix(format!(
        "check its owner and mode (`ls -l {}`)",
        path.display()
    ))
}

/// The error for a file that changed in a way Lanyard cannot combine with its edit.
pub(super) fn lost_race(path: &Path, kept: &Path) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!(
            "another program rewrote the file while Lanyard replaced it; Lanyard's edit is written, and the other program's version is kept at {}",
            kept.display()
        ),
    )
    .at(path, None)
    .fix(format!(
        "compare them (`diff {} {}`) and copy over what is missing",
        kept.display(),
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_names_the_file_and_the_disk() {
        let path = Path::new("/home/me/.aws/config");
        for kind in [IoKind::StorageFull, IoKind::QuotaExceeded] {
            let error = write_failed(path, Path::new("/home/me/.aws"), &kind.into());
            let text = error.to_string();
            assert!(text.starts_with("/home/me/.aws/config: "), "{text}");
            assert!(text.contains("the disk is full"), "{text}");
            assert!(text.contains("`df -h /home/me/.aws`"), "{text}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_names_each_link() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::os::unix::fs::symlink("./b", &config).unwrap();
        std::os::unix::fs::symlink("config", dir.path().join("b")).unwrap();
        let error = super::super::read::resolve_link(&config).unwrap_err();
        assert_eq!(
            error.message,
            format!(
                "the symbolic link loops ({} → ./b → config)",
                config.display()
            )
        );
        assert_eq!(error.location, Some(config.display().to_string()));
    }
}
