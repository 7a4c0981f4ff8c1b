//! The merged view of both files: every profile, `sso-session` and `services` block.

use std::collections::BTreeMap;

use lanyard_ini::{Kind, Origin, Property, Section, Sections};

/// Every profile, `sso-session` and `services` block the SDKs would see, merged from the
/// config and credentials files (the credentials file wins per key).
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    sections: Sections,
}

impl ProfileSet {
    /// Wraps a merged view.
    pub fn new(sections: Sections) -> ProfileSet {
        ProfileSet { sections }
    }

    /// Builds a set from plain maps (already parsed profiles and sessions), as the
    /// conformance suites give them.
    pub fn from_maps(
        profiles: &BTreeMap<String, BTreeMap<String, String>>,
        sso_sessions: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> ProfileSet {
        fn section(name: &str, props: &BTreeMap<String, String>) -> Section {
            let origin = Origin {
                kind: Kind::Config,
                line: 0,
            };
            Section {
                name: name.to_owned(),
                properties: props
                    .iter()
                    .map(|(k, v)| {
                        let property = Property {
                            key: k.clone(),
                            value: v.clone(),
                            origin,
                            sub_properties: Vec::new(),
                        };
                        (k.to_ascii_lowercase(), property)
                    })
                    .collect(),
                headers: vec![origin],
            }
        }
        let mut sections = Sections::default();
        for (name, props) in profiles {
            sections.profiles.insert(name.clone(), section(name, props));
        }
        for (name, props) in sso_sessions {
            sections
                .sso_sessions
                .insert(name.clone(), section(name, props));
        }
        ProfileSet { sections }
    }

    /// The underlying sections.
    pub fn sections(&self) -> &Sections {
        &self.sections
    }

    /// A profile by name (names are case-sensitive).
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.sections.profiles.get(name)
    }

    /// An `sso-session` by name.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sections.sso_sessions.get(name)
    }

    /// Profile names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sections.profiles.keys().map(String::as_str)
    }

    /// Whether there are no profiles.
    pub fn is_empty(&self) -> bool {
        self.sections.profiles.is_empty()
    }

    /// Names of the profiles whose `key` is `value` (`source_profile`, `sso_session`, …).
    pub fn naming(&self, key: &str, value: &str) -> Vec<&str> {
        self.sections
            .profiles
            .iter()
            .filter(|(_, section)| section.get(key) == Some(value))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Names of the profiles whose `source_profile` is `name`.
    pub fn referrers(&self, name: &str) -> Vec<&str> {
        self.sections
            .profiles
            .iter()
            .filter(|(other, section)| {
                other.as_str() != name && section.get("source_profile") == Some(name)
            })
            .map(|(other, _)| other.as_str())
            .collect()
    }
}
