//! What a write prints: with `--dry-run`, the diff of the lines it would change.

use std::process::ExitCode;

use lanyard_core::{Change, Error, Workspace};

use crate::cli::WriteFlags;
use crate::output::{note, Output};

/// With `--dry-run`, prints the unified diff of each change (secrets masked unless
/// `--reveal`); otherwise nothing: the files say it.
pub fn report(
    ws: &Workspace,
    out: &mut Output,
    changes: &[Change],
    write: WriteFlags,
) -> Result<ExitCode, Error> {
    if write.dry_run {
        let mut text = String::new();
        for change in changes {
            text.push_str(&ws.change_report(change, write.reveal).diff);
        }
        if text.is_empty() {
            note("nothing would change");
        }
        out.emit(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
