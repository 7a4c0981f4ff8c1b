//! `vault import`: plain keys out of the files, into the keychain, with a
//! `credential_process` line left in their place.

use lanyard_ini::{Kind, SectionId};

use super::{AccessKey, Vault};
use crate::error::{Error, ErrorKind};
use crate::files::AwsFiles;
use crate::files::Change;
use crate::secret::Secret;

const KEYS: [&str; 3] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

/// Profiles whose long-term keys are written in plain text (no session token), sorted.
pub fn plain_key_profiles(files: &AwsFiles) -> Result<Vec<String>, Error> {
    let snapshot = files.load()?;
    Ok(snapshot
        .profiles
        .sections()
        .profiles
        .iter()
        .filter(|(_, p)| {
            p.get("aws_secret_access_key").is_some() && p.get("aws_session_token").is_none()
        })
        .map(|(name, _)| name.clone())
        .collect())
}

/// Moves profile `name`'s keys into the vault, then replaces them in the files with
/// `credential_process = COMMAND`. The files are changed only after the keychain gave the key
/// back intact; with `dry_run`, neither is changed and the changes are returned.
pub fn import(
    files: &AwsFiles,
    vault: Option<&Vault>,
    name: &str,
    command: &str,
    dry_run: bool,
) -> Result<Vec<Change>, Error> {
    let snapshot = files.load()?;
    let id = SectionId::profile(name);
    let Some(profile) = snapshot.profiles.profile(name) else {
        return Err(crate::files::not_found(&snapshot, &id));
    };
    let (Some(access_key_id), Some(secret)) = (
        profile.get("aws_access_key_id"),
        profile.get("aws_secret_access_key"),
    ) else {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("profile `{name}` has no plain keys to import"),
        )
        .fix("`lanyard show NAME` shows where its credentials come from"));
    };
    if profile.get("credential_process").is_some() {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("profile `{name}` already has a credential_process"),
        )
        .fix(format!(
            "remove it first with `lanyard unset {name} credential_process`"
        )));
    }
    let key = AccessKey {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: profile.get("aws_session_token").map(Secret::new),
    };
    if !dry_run {
        let vault = vault.expect("a vault for a real import");
        vault.add(name, &key)?;
    }
    let mut changes = Vec::new();
    for kind in [Kind::Credentials, Kind::Config] {
        if !KEYS
            .iter()
            .any(|k| snapshot.document(kind).get(&id, k).is_some())
        {
            continue;
        }
        let store = files.store();
        let path = store.path(kind).to_path_buf();
        let change = store.edit(kind, dry_run, |doc| {
            let holds_secret = doc.get(&id, "aws_secret_access_key").is_some();
            let edit = |doc: &mut lanyard_ini::Document| -> Result<(), lanyard_ini::EditError> {
                if holds_secret {
                    doc.replace_property(&id, "aws_access_key_id", "credential_process", command)?;
                }
                for key in KEYS {
                    doc.unset(&id, key)?;
                }
                Ok(())
            };
            edit(doc).map_err(|e| crate::error::edit_error(&path, e))
        })?;
        changes.push(change);
    }
    Ok(changes)
}
