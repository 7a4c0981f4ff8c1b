//! `lanyard use NAME`: what a new terminal or SDK gets when no `AWS_PROFILE` is set.
//!
//! The user's own `[default]` sections are not edited: they are renamed, in place, to
//! [`STASH`] (comments, order and keys untouched), and a `[default]` that Lanyard manages is
//! added: `credential_process` pointing at the chosen profile, with its region and output.
//! `use --reset` removes the managed section and renames the stash back.
//!
//! Everything `use --reset` needs is in the files themselves: the managed `[default]` carries
//! `lanyard_managed = use` (a key the SDKs ignore and the user can see), its
//! `credential_process` names the profile, and the stashes are the sections named [`STASH`].
//! Losing Lanyard's data folder loses nothing. Keys the user adds to the managed `[default]`
//! while it is on are carried over to their own `[default]` by `--reset`; one that their own
//! `[default]` sets to another value stops the reset, named, rather than being lost.

use std::path::{Path, PathBuf};

use lanyard_ini::{Kind, SectionId};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::files::AwsFiles;
use crate::files::Change;
use crate::plan::{plan, Base};

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

/// The key that marks the `[default]` Lanyard manages.
pub const MARKER: &str = "lanyard_managed";
const MARKER_VALUE: &str = "use";
/// Keys of the managed `[default]` that `use` writes; any other was added by the user.
const MANAGED_KEYS: [&str; 4] = [MARKER, "credential_process", "region", "output"];

/// The profile made default with `lanyard use`, read from the merged view of the files.
pub fn active_in_profiles(set: &crate::model::ProfileSet, data_dir: &Path) -> Option<DefaultState> {
    if let Some(default) = set.profile("default") {
        if default.get(MARKER) == Some(MARKER_VALUE) {
            let profile = default
                .get("credential_process")
                .and_then(crate::lanyard_command::served_name)?;
            let stash = set.profile(STASH);
            let in_file =
                |kind: Kind| stash.is_some_and(|s| s.headers.iter().any(|o| o.kind == kind));
            return Some(DefaultState {
                profile,
                stashed_config: in_file(Kind::Config),
                stashed_credentials: in_file(Kind::Credentials),
            });
        }
    }
    let text = std::fs::read_to_string(state_path(data_dir)).ok()?;
    serde_json::from_str(&text).ok()
}

fn state_path(data_dir: &Path) -> PathBuf {
    data_dir.join("use.json")
}

/// The profile made default with `lanyard use`, read from the files (or, for a default set
/// by an earlier version, from its note in the data folder).
pub fn active_in(snapshot: &crate::files::Snapshot, data_dir: &Path) -> Option<DefaultState> {
    let default = SectionId::profile("default");
    let stash = SectionId::profile(STASH);
    if snapshot.config.get(&default, MARKER) == Some(MARKER_VALUE) {
        let profile = snapshot
            .config
            .get(&default, "credential_process")
            .and_then(crate::lanyard_command::served_name)?;
        return Some(DefaultState {
            profile,
            stashed_config: snapshot.config.contains_section(&stash),
            stashed_credentials: snapshot.credentials.contains_section(&stash),
        });
    }
    let text = std::fs::read_to_string(state_path(data_dir)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Removes the note an earlier version kept in the data folder: the files now say it all.
fn forget_legacy_note(data_dir: &Path) -> Result<(), Error> {
    let path = state_path(data_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove", &path, &e)),
    }
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
    // Whatever `credential-process` serves can be the default: static and vault keys, IAM
    // Identity Center roles, and role chains assumed from them.
    let servable = plan(&snapshot.profiles, name)
        .map(|plan| {
            matches!(
                plan.base,
                Base::AccessKey { .. }
                    | Base::Lanyard { .. }
                    | Base::Sso {
                        sso_account_id: Some(_),
                        sso_role_name: Some(_),
                        ..
                    }
            )
        })
        .unwrap_or(false);
    if !servable {
        return Err(Error::new(ErrorKind::Invalid, format!("profile `{name}` is not one Lanyard can serve as the default"))
            .fix("make a profile with static keys, a vault key, an IAM Identity Center role or a role assumed from one the default; `lanyard explain NAME` shows how a profile resolves"));
    }
    let previous = active_in(&snapshot, &data_dir);
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
        doc.set(&default, MARKER, MARKER_VALUE).map_err(fail)?;
        for (key, value) in [("region", &region), ("output", &output)] {
            match value {
                Some(value) => doc.set(&default, key, value).map(|_| ()).map_err(fail)?,
                None => doc.unset(&default, key).map(|_| ()).map_err(fail)?,
            }
        }
        Ok(())
    })?);
    if !dry_run {
        forget_legacy_note(&data_dir)?;
    }
    Ok(changes)
}

/// Undoes `use`: removes the managed `[default]` and gives the user's own back.
pub fn reset(files: &AwsFiles, dry_run: bool) -> Result<Vec<Change>, Error> {
    let data_dir = files.store().data_dir().to_path_buf();
    let snapshot = files.load()?;
    let Some(state) = active_in(&snapshot, &data_dir) else {
        return Err(
            Error::new(ErrorKind::NotFound, "no default was set with `lanyard use`")
                .fix("nothing to reset; `lanyard use NAME` sets one"),
        );
    };
    let stash = SectionId::profile(STASH);
    let default = SectionId::profile("default");
    // Keys the user added to the managed [default] go to their own [default].
    let added: Vec<(String, String)> = snapshot
        .config
        .sections()
        .ok()
        .and_then(|s| s.profiles.get("default").cloned())
        .map(|section| {
            section
                .properties
                .values()
                .filter(|p| !MANAGED_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&p.key)))
                .filter(|p| !p.is_nested())
                .map(|p| (p.key.clone(), p.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    let clashes: Vec<String> = added
        .iter()
        .filter(|(key, value)| {
            state.stashed_config
                && snapshot
                    .config
                    .get(&stash, key)
                    .is_some_and(|theirs| theirs != value)
        })
        .map(|(key, _)| format!("`{key}`"))
        .collect();
    if !clashes.is_empty() {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "the managed [default] sets {} to another value than your own [default] (kept as `{STASH}`); resetting would lose one of them",
                clashes.join(", ")
            ),
        )
        .fix(format!("set the value you want in `{STASH}` (or unset it from [default]), then reset again")));
    }
    if state.stashed_credentials && snapshot.credentials.contains_section(&default) {
        return Err(Error::new(
            ErrorKind::Conflict,
            "the credentials file has a new [default] since `lanyard use`; giving back your own would hide it",
        )
        .at(files.store().path(Kind::Credentials), snapshot.credentials.section_line(&default))
        .fix(format!("merge it into `[{STASH}]` or remove it, then reset again")));
    }
    let mut changes = Vec::new();
    changes.push(files.store().edit(Kind::Config, dry_run, |doc| {
        let fail = |e| crate::error::edit_error(files.store().path(Kind::Config), e);
        doc.remove_section(&default).map_err(fail)?;
        if state.stashed_config {
            doc.rename_section(&stash, "default").map_err(fail)?;
        }
        for (key, value) in &added {
            doc.set(&default, key, value).map_err(fail)?;
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
        forget_legacy_note(&data_dir)?;
    }
    Ok(changes)
}
