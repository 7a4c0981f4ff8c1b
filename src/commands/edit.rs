//! `set`, `unset`, `add`, `remove`, `rename`, `copy`, `use`.

use std::process::ExitCode;

use lanyard_core::files::{parse_assignment, Target};
use lanyard_core::{default_profile, lifecycle, Error, Workspace};
use lanyard_ini::SectionId;

use super::report::report;
use crate::cli::WriteFlags;
use crate::output::{note, Output};

pub fn set(
    ws: &Workspace,
    out: &mut Output,
    id: SectionId,
    assignments: &[String],
    credentials_file: bool,
    write: WriteFlags,
    add: bool,
) -> Result<ExitCode, Error> {
    let parsed = assignments
        .iter()
        .map(|a| parse_assignment(id.kind, a))
        .collect::<Result<Vec<_>, _>>()?;
    let target = Target {
        id,
        credentials_file,
    };
    let changes = if add {
        ws.files().add(&target, &parsed, write.dry_run)?
    } else {
        let outcome = ws.files().set(&target, &parsed, write.dry_run)?;
        for (key, warning) in outcome.warnings {
            note(&format!("warning: `{key}`: {warning}"));
        }
        outcome.changes
    };
    report(ws, out, &changes, write)
}

pub fn unset(
    ws: &Workspace,
    out: &mut Output,
    id: SectionId,
    keys: &[String],
    write: WriteFlags,
) -> Result<ExitCode, Error> {
    let target = Target {
        id,
        credentials_file: false,
    };
    let changes = ws.files().unset(&target, keys, write.dry_run)?;
    report(ws, out, &changes, write)
}

pub fn remove(
    ws: &Workspace,
    out: &mut Output,
    id: &SectionId,
    force: bool,
    keep_key: bool,
    write: WriteFlags,
) -> Result<ExitCode, Error> {
    let outcome = lifecycle::remove(ws, id, force, keep_key, write.dry_run)?;
    notes(&outcome.notes);
    report(ws, out, &outcome.changes, write)
}

fn notes(notes: &[lanyard_core::Warning]) {
    for n in notes {
        note(&n.message);
    }
}

pub fn rename(
    ws: &Workspace,
    out: &mut Output,
    id: &SectionId,
    new: &str,
    write: WriteFlags,
) -> Result<ExitCode, Error> {
    let outcome = lifecycle::rename(ws, id, new, write.dry_run)?;
    notes(&outcome.notes);
    report(ws, out, &outcome.changes, write)
}

pub fn copy(
    ws: &Workspace,
    out: &mut Output,
    id: &SectionId,
    new: &str,
    write: WriteFlags,
) -> Result<ExitCode, Error> {
    let changes = ws.files().copy(id, new, write.dry_run)?;
    report(ws, out, &changes, write)
}

pub fn use_default(
    ws: &Workspace,
    out: &mut Output,
    name: Option<String>,
    write: WriteFlags,
) -> Result<ExitCode, Error> {
    let changes = match name {
        Some(name) => {
            let command = crate::program::own_command(ws, &name);
            default_profile::use_profile(ws.files(), &name, &command, write.dry_run)?
        }
        None => default_profile::reset(ws.files(), write.dry_run)?,
    };
    report(ws, out, &changes, write)
}
