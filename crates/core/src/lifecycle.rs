//! Renaming and removing a profile with everything that hangs on it: its key in the vault,
//! every `credential_process` line that runs `lanyard credential-process NAME`, and the
//! `[default]` that `lanyard use` manages. A rename never leaves a line pointing at the old
//! name (a later `vault add OLD` would then serve a different key under the new one), and a
//! removal never leaves a `[default]` that fails.

use lanyard_ini::{SectionId, SectionKind};
use serde::Serialize;

use crate::default_profile;
use crate::error::{Error, ErrorKind, Warning};
use crate::files::Change;
use crate::vault::mask_key_id;
use crate::workspace::Workspace;

/// What a rename or removal did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Outcome {
    /// The file changes, in the order they were made.
    #[serde(skip)]
    pub changes: Vec<Change>,
    /// What else happened, for the user to know.
    pub notes: Vec<Warning>,
}

fn served_names(ws: &Workspace, name: &str) -> Result<bool, Error> {
    let snapshot = ws.files().load()?;
    Ok(snapshot.profiles.sections().profiles.values().any(|p| {
        p.get("credential_process")
            .and_then(crate::lanyard_command::served_name)
            .as_deref()
            == Some(name)
    }))
}

/// Renames a section. For a profile whose key is in the vault, the key is stored under the
/// new name and read back before the files change, and the old entry goes only after they
/// did; if the files cannot be written, the new entry is taken back.
pub fn rename(ws: &Workspace, id: &SectionId, new: &str, dry_run: bool) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    let moves_key = id.kind == SectionKind::Profile && !dry_run && served_names(ws, &id.name)?;
    let mut moved = None;
    if moves_key {
        let vault = ws.vault()?;
        if let Some(key) = vault.get(&id.name)? {
            vault.add(new, &key, false)?;
            moved = Some(key);
        }
    }
    match ws.files().rename(id, new, dry_run) {
        Ok(changes) => outcome.changes = changes,
        Err(error) => {
            if moved.is_some() {
                let _ = ws.vault()?.remove(new);
            }
            return Err(error);
        }
    }
    if let Some(key) = moved {
        ws.vault()?.remove(&id.name)?;
        outcome.notes.push(Warning::new(
            "vault-key-moved",
            format!(
                "the key of `{}` ({}) is now stored as `{new}`",
                id.name,
                mask_key_id(&key.access_key_id)
            ),
        ));
    }
    Ok(outcome)
}

/// Removes a section. A profile that `lanyard use` made the default gives the default back
/// first; a profile whose key is in the vault takes the key along unless `keep_key` (or
/// another profile still runs it, with `force`).
pub fn remove(
    ws: &Workspace,
    id: &SectionId,
    force: bool,
    keep_key: bool,
    dry_run: bool,
) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    if id.kind != SectionKind::Profile {
        outcome.changes = ws.files().remove(id, force, dry_run)?;
        return Ok(outcome);
    }
    if id.name == default_profile::STASH {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!(
                "`{}` is your own [default], kept while `lanyard use` is on",
                id.name
            ),
        )
        .fix("run `lanyard use --reset` to get it back first"));
    }
    let snapshot = ws.files().load()?;
    let is_default = default_profile::active_in(&snapshot, ws.data_dir())
        .is_some_and(|state| state.profile == id.name);
    // The refusals of a plain removal come first: nothing changes when one applies.
    if !force && snapshot.profiles.profile(&id.name).is_some() {
        ws.files().remove(id, false, true)?;
    }
    if is_default {
        outcome.changes = default_profile::reset(ws.files(), dry_run)?;
        outcome.notes.push(Warning::new(
            "default-reset",
            format!(
                "`{}` was the default `lanyard use` set: the default is your own [default] again",
                id.name
            ),
        ));
    }
    let owns_key = snapshot
        .profiles
        .profile(&id.name)
        .and_then(|p| p.get("credential_process"))
        .and_then(crate::lanyard_command::served_name)
        .as_deref()
        == Some(id.name.as_str());
    outcome
        .changes
        .extend(ws.files().remove(id, force, dry_run)?);
    if owns_key && !dry_run {
        let still_served = served_names(ws, &id.name)?;
        let vault = ws.vault()?;
        match vault.get(&id.name)? {
            Some(key) if keep_key || still_served => outcome.notes.push(Warning::new(
                "vault-key-kept",
                format!(
                    "the key of `{}` ({}) stays in the {}; `lanyard vault remove {}` deletes it",
                    id.name,
                    mask_key_id(&key.access_key_id),
                    vault.store_name(),
                    id.name
                ),
            )),
            Some(key) => {
                vault.remove(&id.name)?;
                outcome.notes.push(Warning::new(
                    "vault-key-removed",
                    format!(
                        "removed the key of `{}` ({}) from the {}",
                        id.name,
                        mask_key_id(&key.access_key_id),
                        vault.store_name()
                    ),
                ));
            }
            None => {}
        }
    }
    Ok(outcome)
}
