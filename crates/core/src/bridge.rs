//! The bridge to tools that read only plain keys: short-lived credentials of an IAM Identity
//! Center or role profile written into the credentials file as `aws_access_key_id`,
//! `aws_secret_access_key` and `aws_session_token`, for SDKs and tools that know nothing newer.
//!
//! A bridged section carries two keys the SDKs ignore and the user can see:
//! `lanyard_bridged_from = SOURCE` and `lanyard_bridge_expires = RFC 3339`. Lanyard rewrites
//! and removes only sections that carry them, and only the keys it wrote: comments, other
//! keys and other profiles stay as they are.

use lanyard_ini::{Document, EditError, Kind, SectionId};
use serde::Serialize;

use crate::credentials::{rfc3339, Credentials};
use crate::error::{Error, ErrorKind};
use crate::files::{AwsFiles, Change};

/// The key naming the profile a bridged section comes from.
pub const FROM: &str = "lanyard_bridged_from";
/// The key holding when the bridged credentials expire.
pub const EXPIRES: &str = "lanyard_bridge_expires";
const WRITTEN: [&str; 5] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    FROM,
    EXPIRES,
];

/// One bridged section, as `bridge --list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bridged {
    /// The section in the credentials file.
    pub name: String,
    /// The profile its credentials come from.
    pub source: String,
    /// When they expire, in Unix seconds.
    pub expires: Option<i64>,
}

/// The bridged sections of the credentials file.
pub fn list(files: &AwsFiles) -> Result<Vec<Bridged>, Error> {
    let doc = files.store().read(Kind::Credentials)?;
    let Ok(sections) = doc.sections() else {
        return Ok(Vec::new());
    };
    Ok(sections
        .profiles
        .iter()
        .filter_map(|(name, section)| {
            Some(Bridged {
                name: name.clone(),
                source: section.get(FROM)?.to_owned(),
                expires: section
                    .get(EXPIRES)
                    .and_then(crate::credentials::parse_rfc3339),
            })
        })
        .collect())
}

fn not_ours(name: &str, files: &AwsFiles) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!("profile `{name}` in the credentials file is not one Lanyard bridged; it stays as it is"),
    )
    .at(files.store().path(Kind::Credentials), None)
    .fix("bridge under another name with --as OTHER")
}

/// Writes `credentials` of profile `source` into section `name` of the credentials file:
/// new, or one Lanyard bridged before. A section of the user's own is refused.
pub fn write(
    files: &AwsFiles,
    name: &str,
    source: &str,
    credentials: &Credentials,
    dry_run: bool,
) -> Result<Change, Error> {
    let id = SectionId::profile(name);
    let path = files.store().path(Kind::Credentials).to_path_buf();
    let mut refused = false;
    let change = files.store().edit(Kind::Credentials, dry_run, |doc| {
        refused = doc.contains_section(&id) && doc.get(&id, FROM).is_none();
        if refused {
            return Ok(());
        }
        let edit = |doc: &mut Document| -> Result<(), EditError> {
            doc.set(&id, "aws_access_key_id", &credentials.access_key_id)?;
            doc.set(
                &id,
                "aws_secret_access_key",
                credentials.secret_access_key.expose(),
            )?;
            match &credentials.session_token {
                Some(token) => doc
                    .set(&id, "aws_session_token", token.expose())
                    .map(|_| ())?,
                None => doc.unset(&id, "aws_session_token").map(|_| ())?,
            }
            doc.set(&id, FROM, source)?;
            match credentials.expiration {
                Some(at) => doc.set(&id, EXPIRES, &rfc3339(at)).map(|_| ())?,
                None => doc.unset(&id, EXPIRES).map(|_| ())?,
            }
            Ok(())
        };
        edit(doc).map_err(|e| crate::error::edit_error(&path, e))
    })?;
    if refused {
        return Err(not_ours(name, files));
    }
    Ok(change)
}

/// Removes what the bridge wrote in section `name` (the section too, when nothing else is
/// left in it).
pub fn stop(files: &AwsFiles, name: &str, dry_run: bool) -> Result<Change, Error> {
    let id = SectionId::profile(name);
    let path = files.store().path(Kind::Credentials).to_path_buf();
    let mut found = true;
    let mut refused = false;
    let change = files.store().edit(Kind::Credentials, dry_run, |doc| {
        found = doc.contains_section(&id);
        refused = found && doc.get(&id, FROM).is_none();
        if !found || refused {
            return Ok(());
        }
        let edit = |doc: &mut Document| -> Result<(), EditError> {
            for key in WRITTEN {
                doc.unset(&id, key)?;
            }
            let empty = doc
                .sections()
                .ok()
                .and_then(|s| s.profiles.get(name).map(|p| p.properties.is_empty()))
                .unwrap_or(false);
            if empty {
                doc.remove_section(&id)?;
            }
            Ok(())
        };
        edit(doc).map_err(|e| crate::error::edit_error(&path, e))
    })?;
    if !found {
        return Err(
            Error::new(ErrorKind::NotFound, format!("`{name}` is not bridged"))
                .fix("`lanyard bridge --list` shows what is"),
        );
    }
    if refused {
        return Err(not_ours(name, files));
    }
    Ok(change)
}
