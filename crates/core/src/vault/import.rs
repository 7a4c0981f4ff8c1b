//! `vault import`: plain keys out of the files, into the keychain, with a
//! `credential_process` line left in their place.
//!
//! Nothing leaves the files until every check passed: the line to leave parses back to
//! Lanyard's own command for this profile (as botocore and `sh -c` split it), the profile's
//! keys are declared once (a duplicated section would lose the copy the SDKs ignore), and the
//! keychain gave the key back through a fresh lookup.

use lanyard_ini::{Document, Kind, SectionId};

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

/// How many lines declare `key` in the section, duplicated sections included.
fn declarations(doc: &Document, id: &SectionId, key: &str) -> usize {
    let mut probe = doc.clone();
    let before = probe.line_count();
    match probe.unset(id, key) {
        Ok(true) => {
            let probe = Document::parse(&probe.render(), doc.kind());
            before - probe.line_count()
        }
        _ => 0,
    }
}

/// Moves profile `name`'s keys into the vault, then replaces them in the files with
/// `credential_process = COMMAND`. The files are changed only after the keychain gave the key
/// back intact; with `dry_run`, neither is changed and the changes are returned.
pub fn import(
    files: &AwsFiles,
    vault: Option<&Vault<'_>>,
    name: &str,
    command: &str,
    dry_run: bool,
    force: bool,
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
        .fix(format!(
            "`lanyard show {name}` shows where its credentials come from"
        )));
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
    if crate::lanyard_command::served_name(command).as_deref() != Some(name) {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("the credential_process line for `{name}` would not run Lanyard as the SDKs split it"),
        )
        .fix("install lanyard in a folder on PATH and run the import again"));
    }
    for kind in [Kind::Credentials, Kind::Config] {
        let doc = snapshot.document(kind);
        for key in KEYS {
            if declarations(doc, &id, key) > 1 {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!("profile `{name}` declares `{key}` more than once (the SDKs use the last one); importing would remove every copy but keep only that one"),
                )
                .at(files.store().path(kind), doc.section_line(&id))
                .fix("remove the copies you no longer need (`lanyard doctor` shows them), then import again"));
            }
        }
    }
    let key = AccessKey {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: profile.get("aws_session_token").map(Secret::new),
    };
    if !dry_run {
        let vault = vault.ok_or_else(|| Error::new(ErrorKind::Keychain, "no keychain is open"))?;
        vault.add(name, &key, force)?;
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
            let edit = |doc: &mut Document| -> Result<(), lanyard_ini::EditError> {
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
