//! The merged view of both files, and what kind of credentials each profile yields.

use std::collections::BTreeMap;

use lanyard_ini::{Kind, Origin, Property, Section, Sections};

use crate::plan::{plan, PlanError, Step};

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

    /// What kind of credentials a profile yields, or why it yields none.
    pub fn kind_of(&self, name: &str) -> ProfileKind {
        match plan(self, name) {
            Ok(plan) => ProfileKind::of_plan(&plan.steps),
            Err(PlanError::NoCredentials { profile }) if profile == name => ProfileKind::ConfigOnly,
            Err(error) => ProfileKind::Incomplete(error.to_string()),
        }
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

/// What kind of credentials a profile yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileKind {
    /// Long-term or session keys written in the files.
    StaticKeys,
    /// Keys kept in the OS keychain by Lanyard, served through `credential_process`.
    Vault,
    /// A role assumed with credentials from another profile or a named source.
    AssumeRole,
    /// IAM Identity Center, through an `sso-session` or the legacy keys.
    Sso {
        /// The `sso-session` name, when the profile uses one.
        session: Option<String>,
    },
    /// `web_identity_token_file` with `role_arn`.
    WebIdentity,
    /// An external `credential_process`.
    Process,
    /// `credential_source` (environment, EC2 instance metadata, ECS container).
    CredentialSource,
    /// Settings only (region, output, …): credentials come from elsewhere.
    ConfigOnly,
    /// The profile cannot yield credentials; the reason says why.
    Incomplete(String),
}

impl ProfileKind {
    fn of_plan(steps: &[Step]) -> ProfileKind {
        if steps.len() > 1 {
            return ProfileKind::AssumeRole;
        }
        match &steps[0] {
            Step::AccessKey { .. } => ProfileKind::StaticKeys,
            Step::Sso { sso_session, .. } => ProfileKind::Sso {
                session: sso_session.clone(),
            },
            Step::WebIdentityToken { .. } => ProfileKind::WebIdentity,
            Step::Process { command, .. } if is_lanyard_process(command) => ProfileKind::Vault,
            Step::Process { .. } => ProfileKind::Process,
            Step::NamedSource { .. } => ProfileKind::CredentialSource,
            Step::AssumeRole { .. } => ProfileKind::AssumeRole,
        }
    }

    /// A short label for tables and JSON.
    pub fn label(&self) -> &'static str {
        match self {
            ProfileKind::StaticKeys => "static",
            ProfileKind::Vault => "vault",
            ProfileKind::AssumeRole => "role",
            ProfileKind::Sso { .. } => "sso",
            ProfileKind::WebIdentity => "web-identity",
            ProfileKind::Process => "process",
            ProfileKind::CredentialSource => "credential-source",
            ProfileKind::ConfigOnly => "config-only",
            ProfileKind::Incomplete(_) => "incomplete",
        }
    }
}

fn is_lanyard_process(command: &str) -> bool {
    crate::resolve::vault_profile_of(command).is_some()
}
