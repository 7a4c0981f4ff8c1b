//! `lanyard use NAME`: what a new terminal or SDK gets when no `AWS_PROFILE` is set.
//!
//! The user's own `[default]` sections are not edited: they are renamed, in place, to
//! [`STASH`] (comments, order and keys untouched), and a `[default]` that Lanyard manages is
//! added: `credential_process` pointing at the chosen profile, with its region and output.
//! `use --reset` removes the managed section and renames the stash back. Which profile is the
//! default is kept in `use.json` in Lanyard's data folder.

use std::path::{Path, PathBuf};

use lanyard_ini::{Kind, SectionId};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::files::AwsFiles;
use crate::files::Change;
use crate::plan::{plan, Step};
use crate::resolve::vault_profile_of;

/// The name the user's own `[default]` is kept under while Lanyard manages the default.
pub const STASH: &str = "lanyard-saved-default";

/// What `use` did, so that `use --reset` can undo it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultState {
    /// The profile `[default]` points at.
    pub profile: String,
    /// Whether the config file's own `[default]` was stashed.
    pub stashed_config: bool,
    /// Whether the credentials file's own `[default]` was stashed.
    pub stashed_credentials: bool,
}

fn state_path(data_dir: &Path) -> PathBuf {
    data_dir.join("use.json")
}

/// The profile made default with `lanyard use`, if any.
pub fn active(data_dir: &Path) -> Option<DefaultState> {
    let text = std::fs::read_to_string(state_path(data_dir)).ok()?;
    serde_json::from_str(&text).ok()
}

fn save(data_dir: &Path, state: Option<&DefaultState>) -> Result<(), Error> {
    let path = state_path(data_dir);
    match state {
        Some(state) => {
            let text = serde_json::to_string_pretty(state).expect("serialises");
            crate::files::write_private_file(&path, &text)?;
        }
        None => match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &path, &e)),
        },
    }
    Ok(())
}

/// Makes `name` the default profile. `command` is the `credential_process` line that runs
/// Lanyard's `credential-process NAME`.
pub fn use_profile(
    files: &AwsFiles,
    name: &str,
    command: &str,
    dry_run: bool,
) -> Result<Vec<Change>, Error> {
    let data_dir = files.store().data_dir().to_path_buf();
    let snapshot = files.load()?;
    if name == "default" || name == STASH {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("`{name}` cannot be made the default"),
        )
        .fix("name the profile you want new terminals to use"));
    }
    let Some(profile) = snapshot.profiles.profile(name) else {
        return Err(crate::files::not_found(
            &snapshot,
            &SectionId::profile(name),
        ));
    };
    let servable = match plan(&snapshot.profiles, name) {
        Ok(plan) => {
            plan.steps.len() == 1
                && match &plan.steps[0] {
                    Step::AccessKey { .. } => true,
                    Step::Process { command, .. } => vault_profile_of(command).is_some(),
                    _ => false,
                }
        }
        Err(_) => false,
    };
    if !servable {
        return Err(Error::new(ErrorKind::Invalid, format!("profile `{name}` is not one Lanyard can serve as the default"))
            .fix("make a profile with static keys or a vault key the default; `lanyard explain NAME` shows how a profile resolves"));
    }
    let previous = active(&data_dir);
    let stash = SectionId::profile(STASH);
    let default = SectionId::profile("default");
    let managed = previous.is_some();
    if !managed
        && (snapshot.config.contains_section(&stash)
            || snapshot.credentials.contains_section(&stash))
    {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("a profile named `{STASH}` exists already"),
        )
        .fix("rename it: Lanyard keeps your own [default] under that name while `use` is on"));
    }
    let region = profile.get("region").map(str::to_owned);
    let output = profile.get("output").map(str::to_owned);
    let mut state = previous.clone().unwrap_or(DefaultState {
        profile: name.to_owned(),
        stashed_config: snapshot.config.contains_section(&default),
        stashed_credentials: snapshot.credentials.contains_section(&default),
    });
    state.profile = name.to_owned();

    let mut changes = Vec::new();
    if !managed && state.stashed_credentials {
        changes.push(files.store().edit(Kind::Credentials, dry_run, |doc| {
            doc.rename_section(&default, STASH)
                .map(|_| ())
                .map_err(|e| crate::error::edit_error(files.store().path(Kind::Credentials), e))
        })?);
    }
    changes.push(files.store().edit(Kind::Config, dry_run, |doc| {
        let path = files.store().path(Kind::Config);
        let fail = |e| crate::error::edit_error(path, e);
        if !managed && state.stashed_config {
            doc.rename_section(&default, STASH).map_err(fail)?;
        }
        doc.set(&default, "credential_process", command)
            .map_err(fail)?;
        for (key, value) in [("region", &region), ("output", &output)] {
            match value {
                Some(value) => doc.set(&default, key, value).map(|_| ()).map_err(fail)?,
                None => doc.unset(&default, key).map(|_| ()).map_err(fail)?,
            }
        }
        Ok(())
    })?);
    if !dry_run {
        save(&data_dir, Some(&state))?;
    }
    Ok(changes)
}

/// Undoes `use`: removes the managed `[default]` and gives the user's own back.
pub fn reset(files: &AwsFiles, dry_run: bool) -> Result<Vec<Change>, Error> {
    let data_dir = files.store().data_dir().to_path_buf();
    let Some(state) = active(&data_dir) else {
        return Err(
            Error::new(ErrorKind::NotFound, "no default was set with `lanyard use`")
                .fix("nothing to reset; `lanyard use NAME` sets one"),
        );
    };
    let stash = SectionId::profile(STASH);
    let default = SectionId::profile("default");
    let mut changes = Vec::new();
    changes.push(files.store().edit(Kind::Config, dry_run, |doc| {
        let fail = |e| crate::error::edit_error(files.store().path(Kind::Config), e);
        doc.remove_section(&default).map_err(fail)?;
        if state.stashed_config {
            doc.rename_section(&stash, "default").map_err(fail)?;
        }
        Ok(())
    })?);
    if state.stashed_credentials {
        changes.push(files.store().edit(Kind::Credentials, dry_run, |doc| {
            doc.rename_section(&stash, "default")
                .map(|_| ())
                .map_err(|e| crate::error::edit_error(files.store().path(Kind::Credentials), e))
        })?);
    }
    if !dry_run {
        save(&data_dir, None)?;
    }
    Ok(changes)
}
