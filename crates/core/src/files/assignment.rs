//! What `lanyard set` and its friends address: a section, and `key=value` assignments, with
//! the dotted form for sub-properties.

use lanyard_ini::{SectionId, SectionKind};

use crate::error::{Error, ErrorKind};

/// Keys that `aws configure set` and Lanyard write to the credentials file.
pub const CREDENTIAL_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

/// Parent keys whose dotted form (`s3.addressing_style`) addresses a sub-property in a profile.
const NESTED_PROFILE_KEYS: &[&str] = &["s3"];

/// One `key=value` of `lanyard set`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The key (the parent key for a sub-property).
    pub key: String,
    /// The sub-property key, for `parent.sub=value`.
    pub sub_key: Option<String>,
    /// The value.
    pub value: String,
}

/// What `lanyard set` and friends address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The section.
    pub id: SectionId,
    /// Write to the credentials file even for keys that belong in the config file.
    pub credentials_file: bool,
}

impl Target {
    /// A profile.
    pub fn profile(name: &str) -> Target {
        Target {
            id: SectionId::profile(name),
            credentials_file: false,
        }
    }
}

/// Splits `key=value` (or `parent.sub=value`) for a section kind.
pub fn parse_assignment(kind: SectionKind, text: &str) -> Result<Assignment, Error> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("`{text}` is not of the form key=value"),
        )
        .fix("write each setting as key=value, for example region=eu-west-1"));
    };
    let key = key.trim();
    let (key, sub_key) = split_key(kind, key)?;
    Ok(Assignment {
        key,
        sub_key,
        value: value.to_owned(),
    })
}

/// Splits a key that may address a sub-property.
pub fn split_key(kind: SectionKind, key: &str) -> Result<(String, Option<String>), Error> {
    match (kind, key.split_once('.')) {
        (SectionKind::Services, Some((parent, sub))) => Ok((parent.to_owned(), Some(sub.to_owned()))),
        (SectionKind::Services, None) => Err(Error::new(
            ErrorKind::Invalid,
            format!("`{key}` names no service setting"),
        )
        .fix("write service settings as SERVICE.KEY, for example s3.endpoint_url=http://localhost:9000")),
        (SectionKind::Profile, Some((parent, sub)))
            if NESTED_PROFILE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(parent)) =>
        {
            Ok((parent.to_owned(), Some(sub.to_owned())))
        }
        _ => Ok((key.to_owned(), None)),
    }
}
