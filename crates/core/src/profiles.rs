//! What `list`, `show` and `dump` report, as typed values both shells render: the command
//! line as a table or JSON, the desktop app as its profile list and detail pane.

use std::collections::BTreeMap;

use lanyard_ini::{Kind, Origin, Property, Section, SectionId, SectionKind};
use serde::Serialize;

use crate::default_profile;
use crate::error::Error;
use crate::files::{not_found_in, Snapshot};
use crate::kind::ProfileKind;
use crate::model::ProfileSet;
use crate::secret::{is_secret_key, mask};
use crate::workspace::Workspace;

/// One profile in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfileSummary {
    /// The name.
    pub name: String,
    /// `static`, `vault`, `role`, `sso`, `web-identity`, `process`, `credential-source`,
    /// `config-only` or `incomplete`.
    pub kind: &'static str,
    /// Whether `AWS_PROFILE` (else `default`) selects it.
    pub active: bool,
    /// Whether `lanyard use` made it the default.
    pub default: bool,
    /// `region`.
    pub region: Option<String>,
    /// The account it works in, when its keys say so.
    pub account: Option<String>,
    /// Where its credentials come from, in a few words (`from base`, `session corp`).
    pub detail: String,
    /// Which files declare it.
    pub files: Vec<&'static str>,
    /// Why it cannot yield credentials, when it cannot.
    pub problem: Option<String>,
}

/// The list of profiles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProfileList {
    /// Every profile, by name.
    pub profiles: Vec<ProfileSummary>,
}

/// A value in a profile, with where it was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShownProperty {
    /// The key as written.
    pub key: String,
    /// The value (masked for secrets unless revealed); empty for a parent of sub-properties.
    pub value: String,
    /// Sub-properties, for `s3 =` and `[services]` blocks.
    pub sub_properties: Vec<ShownProperty>,
    /// The file, as people read its path.
    pub file: String,
    /// The 1-based line.
    pub line: usize,
}

/// One profile, `sso-session` or `services` block, merged from both files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfileDetail {
    /// The section.
    pub name: String,
    /// What it is: `profile`, `sso-session` or `services`.
    pub section: &'static str,
    /// For a profile: its kind label.
    pub kind: Option<&'static str>,
    /// Why it cannot yield credentials, when it cannot.
    pub problem: Option<String>,
    /// Its keys, by lower-cased name.
    pub properties: BTreeMap<String, ShownProperty>,
}

/// The account a profile works in, when its keys say so.
pub fn account_of(profile: &Section) -> Option<String> {
    if let Some(account) = profile
        .get("sso_account_id")
        .or_else(|| profile.get("aws_account_id"))
    {
        return Some(account.to_owned());
    }
    let arn = profile.get("role_arn")?;
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_owned())
}

fn detail_of(kind: &ProfileKind, profile: &Section) -> String {
    match kind {
        ProfileKind::AssumeRole => match (
            profile.get("source_profile"),
            profile.get("credential_source"),
        ) {
            (Some(source), _) | (_, Some(source)) => format!("from {source}"),
            _ => String::new(),
        },
        ProfileKind::Sso {
            session: Some(session),
        } => format!("session {session}"),
        ProfileKind::Sso { session: None } => "legacy sso".to_owned(),
        ProfileKind::Incomplete { reason } => reason.clone(),
        _ => String::new(),
    }
}

fn files_of(profile: &Section) -> Vec<&'static str> {
    let mut files: Vec<&'static str> = profile
        .headers
        .iter()
        .map(|o| match o.kind {
            Kind::Config => "config",
            Kind::Credentials => "credentials",
        })
        .collect();
    files.dedup();
    files
}

/// Every profile with its kind, region, account and whether it is active or the default.
pub fn list(ws: &Workspace, set: &ProfileSet) -> ProfileList {
    let active = ws.selected_profile();
    let default_target = default_profile::active_in_profiles(set, ws.data_dir()).map(|s| s.profile);
    let profiles = set
        .sections()
        .profiles
        .iter()
        .map(|(name, profile)| {
            let kind = ProfileKind::of(set, name);
            let is_default = Some(name.as_str()) == default_target.as_deref();
            let mut detail = detail_of(&kind, profile);
            if is_default {
                detail = format!("{detail} (the default)").trim_start().to_owned();
            } else if name == default_profile::STASH {
                detail = "your own [default], kept by `lanyard use`".to_owned();
            }
            ProfileSummary {
                name: name.clone(),
                kind: kind.label(),
                active: name == active,
                default: is_default,
                region: profile.get("region").map(str::to_owned),
                account: account_of(profile),
                detail,
                files: files_of(profile),
                problem: kind.problem().map(str::to_owned),
            }
        })
        .collect();
    ProfileList { profiles }
}

/// One section by id, with the file and line of every key; secrets masked unless `reveal`.
pub fn show(
    ws: &Workspace,
    set: &ProfileSet,
    id: &SectionId,
    reveal: bool,
) -> Result<ProfileDetail, Error> {
    let sections = set.sections();
    let section = match id.kind {
        SectionKind::Profile => sections.profiles.get(&id.name),
        SectionKind::SsoSession => sections.sso_sessions.get(&id.name),
        SectionKind::Services => sections.services.get(&id.name),
    }
    .ok_or_else(|| not_found_in(set, id))?;
    let file = |o: &Origin| ws.path_label(o.kind);
    let shown = |property: &Property| -> ShownProperty {
        let value = if reveal || !is_secret_key(&property.key) {
            property.value.clone()
        } else {
            mask(&property.value)
        };
        ShownProperty {
            key: property.key.clone(),
            value,
            sub_properties: property
                .sub_properties
                .iter()
                .map(|sub| ShownProperty {
                    key: sub.key.clone(),
                    value: sub.value.clone(),
                    sub_properties: Vec::new(),
                    file: file(&sub.origin),
                    line: sub.origin.line,
                })
                .collect(),
            file: file(&property.origin),
            line: property.origin.line,
        }
    };
    let kind = (id.kind == SectionKind::Profile).then(|| ProfileKind::of(set, &id.name));
    Ok(ProfileDetail {
        name: id.name.clone(),
        section: match id.kind {
            SectionKind::Profile => "profile",
            SectionKind::SsoSession => "sso-session",
            SectionKind::Services => "services",
        },
        kind: kind.as_ref().map(ProfileKind::label),
        problem: kind.as_ref().and_then(|k| k.problem().map(str::to_owned)),
        properties: section
            .properties
            .iter()
            .map(|(key, property)| (key.clone(), shown(property)))
            .collect(),
    })
}

/// A value as `dump` writes it: a string, or an object of sub-properties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DumpValue<'a> {
    /// A plain value.
    Text(&'a str),
    /// Sub-properties by lower-cased key.
    Nested(BTreeMap<String, &'a str>),
}

/// Every profile, `sso-session` and `services` block with values exactly as in the files;
/// serialised straight to the output, without building a copy of the files in memory.
#[derive(Serialize)]
pub struct Dump<'a> {
    /// The profiles.
    pub profiles: DumpSections<'a>,
    /// The `sso-session` sections.
    #[serde(rename = "sso-sessions")]
    pub sso_sessions: DumpSections<'a>,
    /// The `services` sections.
    pub services: DumpSections<'a>,
}

/// Sections of one kind, serialised lazily.
pub struct DumpSections<'a>(&'a BTreeMap<String, Section>);

struct DumpSection<'a>(&'a Section);

impl Serialize for DumpSections<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.0
                .iter()
                .map(|(name, section)| (name, DumpSection(section))),
        )
    }
}

impl Serialize for DumpSection<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.properties.iter().map(|(key, property)| {
            let value = if property.is_nested() {
                DumpValue::Nested(
                    property
                        .sub_properties
                        .iter()
                        .map(|sub| (sub.key.to_ascii_lowercase(), sub.value.as_str()))
                        .collect(),
                )
            } else {
                DumpValue::Text(&property.value)
            };
            (key, value)
        }))
    }
}

/// The whole merged view for `dump --json`.
pub fn dump(set: &ProfileSet) -> Dump<'_> {
    let sections = set.sections();
    Dump {
        profiles: DumpSections(&sections.profiles),
        sso_sessions: DumpSections(&sections.sso_sessions),
        services: DumpSections(&sections.services),
    }
}

/// The profiles whose `credential_process` runs `lanyard credential-process NAME`.
pub fn served_by_vault_key(snapshot: &Snapshot, name: &str) -> Vec<String> {
    snapshot
        .profiles
        .sections()
        .profiles
        .iter()
        .filter(|(_, p)| {
            p.get("credential_process")
                .and_then(crate::lanyard_command::served_name)
                .as_deref()
                == Some(name)
        })
        .map(|(n, _)| n.clone())
        .collect()
}
