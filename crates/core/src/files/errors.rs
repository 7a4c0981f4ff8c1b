//! The errors of reading and writing the files, in the user's words: each names the file
//! the user knows (the configured path, not a temporary file or a link's target) and the fix.

use std::path::Path;

use crate::error::{Error, ErrorKind};

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
