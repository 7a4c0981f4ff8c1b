//! The error for a section that does not exist, with what there is instead.

use lanyard_ini::{SectionId, SectionKind};

use super::Snapshot;
use crate::error::{Error, ErrorKind};
use crate::model::ProfileSet;

pub(super) fn quote_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error for a section that does not exist, with the closest existing name.
pub fn not_found(snapshot: &Snapshot, id: &SectionId) -> Error {
    not_found_in(&snapshot.profiles, id)
}

/// [`not_found`] for a merged view alone.
pub fn not_found_in(set: &ProfileSet, id: &SectionId) -> Error {
    let sections = set.sections();
    let names: Vec<&String> = match id.kind {
        SectionKind::Profile => sections.profiles.keys().collect(),
        SectionKind::SsoSession => sections.sso_sessions.keys().collect(),
        SectionKind::Services => sections.services.keys().collect(),
    };
    let closest = names
        .iter()
        .map(|n| (strsim::levenshtein(n, &id.name), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min();
    let what = match id.kind {
        SectionKind::Profile => "profile",
        SectionKind::SsoSession => "sso-session",
        SectionKind::Services => "services section",
    };
    let others = match (id.kind, names.len()) {
        (SectionKind::Profile, _) => "`lanyard list` shows every profile".to_owned(),
        (_, 0) => format!(
            "there is no {what}; `lanyard set --{} NAME key=value` adds one",
            if id.kind == SectionKind::SsoSession {
                "sso-session"
            } else {
                "services"
            }
        ),
        (_, n) if n <= 8 => format!(
            "the {what}s are {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => "`lanyard dump --json` shows them all".to_owned(),
    };
    let fix = match closest {
        Some((_, name)) => format!("did you mean `{name}`? {others}"),
        None => others,
    };
    Error::new(ErrorKind::NotFound, format!("{id} does not exist")).fix(fix)
}
