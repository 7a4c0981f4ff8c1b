//! What kind of credentials each profile yields, read off its plan.

use serde::Serialize;

use crate::model::ProfileSet;
use crate::plan::{plan, Base, Plan, PlanError};

/// What kind of credentials a profile yields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
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
    Incomplete {
        /// Why.
        reason: String,
    },
}

impl ProfileKind {
    /// The kind of a plan.
    pub fn of_plan(plan: &Plan) -> ProfileKind {
        if !plan.roles.is_empty() {
            return ProfileKind::AssumeRole;
        }
        match &plan.base {
            Base::AccessKey { .. } => ProfileKind::StaticKeys,
            Base::Sso { sso_session, .. } => ProfileKind::Sso {
                session: sso_session.clone(),
            },
            Base::WebIdentity { .. } => ProfileKind::WebIdentity,
            Base::Lanyard { .. } => ProfileKind::Vault,
            Base::Process { .. } => ProfileKind::Process,
            Base::CredentialSource { .. } => ProfileKind::CredentialSource,
        }
    }

    /// What kind of credentials profile `name` yields, or why it yields none.
    pub fn of(set: &ProfileSet, name: &str) -> ProfileKind {
        match plan(set, name) {
            Ok(plan) => ProfileKind::of_plan(&plan),
            Err(PlanError::NoCredentials { profile }) if profile == name => ProfileKind::ConfigOnly,
            Err(error) => ProfileKind::Incomplete {
                reason: error.to_string(),
            },
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
            ProfileKind::Incomplete { .. } => "incomplete",
        }
    }

    /// Why the profile cannot yield credentials, when it cannot.
    pub fn problem(&self) -> Option<&str> {
        match self {
            ProfileKind::Incomplete { reason } => Some(reason),
            _ => None,
        }
    }
}
