//! Reading the files: text that is UTF-8 or an error naming the line, and the file a
//! configured path leads to through symlinks.

use std::fs;
use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};

use super::errors;
use crate::error::{Error, ErrorKind};

/// Reads a file as UTF-8; a missing file is empty.
pub fn read_text(path: &Path) -> Result<String, Error> {
    match fs::read(path) {
        Ok(bytes) => utf8(path, bytes),
        Err(error) if error.kind() == IoKind::NotFound => Ok(String::new()),
        Err(error) => Err(read_error(path, &error)),
    }
}

/// `bytes` as text, or the error that names the first line that is not UTF-8.
pub(super) fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let line = error.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::new(
            ErrorKind::Unreadable,
            "the file is not valid UTF-8; Lanyard reads and writes only UTF-8 and leaves this file untouched",
        )
        .at(path, Some(line))
        .fix("save the file as UTF-8 (for example with `iconv -t UTF-8`)")
    })
}

/// The error for a file that cannot be read.
pub(super) fn read_error(path: &Path, error: &std::io::Error) -> Error {
    if error.kind() == IoKind::IsADirectory {
        return Error::new(ErrorKind::Unreadable, "this is a folder, not a file")
            .at(path, None)
            .fix("point AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE at a file");
    }
    if is_loop(error) {
        return match resolve_link(path) {
            Err(error) => error,
            Ok(_) => errors::loop_on_the_way(path),
        };
    }
    Error::io("read", path, error)
}

#[cfg(unix)]
fn is_loop(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_error: &std::io::Error) -> bool {
    false
}

/// Follows a symlink (chains too) to the file that holds the data, so that the link stays a
/// link. A dangling link resolves to where it points; links that lead back to one of
/// themselves are an error naming each.
pub(super) fn resolve_link(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    let mut seen = vec![normal(&current)];
    let mut chain = vec![path.to_path_buf()];
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current)
                    .map_err(|e| Error::io("follow the link", &current, &e))?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(&target),
                    _ => target.clone(),
                };
                chain.push(target);
                if seen.contains(&normal(&current)) {
                    return Err(errors::link_loop(path, &chain));
                }
                seen.push(normal(&current));
            }
            _ => return Ok(current),
        }
    }
    Err(Error::new(
        ErrorKind::Unreadable,
        "the symbolic links lead through more than 40 links",
    )
    .at(path, None)
    .fix("point the link straight at the real file"))
}

/// `path` with `.` components dropped, to tell that two spellings name one link.
fn normal(path: &Path) -> PathBuf {
    path.components().collect()
}
