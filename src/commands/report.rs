//! What a write prints: with `--dry-run`, the diff of the lines it would change.

use std::process::ExitCode;

use lanyard_core::diff::unified_diff;
use lanyard_core::{Change, Error, Workspace};
use lanyard_ini::Kind;

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
            let kind = if change.path == ws.files().store().path(Kind::Config) {
                Kind::Config
            } else {
                Kind::Credentials
            };
            text.push_str(&unified_diff(change, &ws.path_label(kind), write.reveal));
        }
        if text.is_empty() {
            note("nothing would change");
        }
        out.emit(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
