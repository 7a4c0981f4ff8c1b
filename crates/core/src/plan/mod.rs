//! The resolution plan: from the profiles alone, with no I/O, how a profile's credentials are
//! obtained — one base provider, then each role assumed with the credentials before it, as
//! the AWS SDKs chain them (smithy-rs calls it a `ProfileChain`).
//!
//! The plan is what `lanyard explain` prints, what the desktop app shows, and what the
//! providers execute: an `AssumeRole` request is built from a [`RoleStep`] as it is. Secrets in
//! it (static keys) never serialise and print as `***`.

mod build;

use serde::Serialize;

use crate::secret::Secret;

pub use build::{plan, PlanError};

/// The steps that yield a profile's credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The selected profile.
    pub profile: String,
    /// Where the chain starts.
    pub base: Base,
    /// Each role, in the order it is assumed.
    pub roles: Vec<RoleStep>,
}

/// Where a chain of credentials starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Base {
    /// Keys written in a profile.
    AccessKey {
        /// The profile they come from.
        profile: String,
        /// `aws_access_key_id`.
        access_key_id: String,
        /// `aws_secret_access_key`.
        #[serde(skip)]
        secret_access_key: Secret,
        /// `aws_session_token`, for temporary keys (serialised as whether there is one).
        #[serde(serialize_with = "is_some")]
        session_token: Option<Secret>,
        /// `aws_account_id`.
        account_id: Option<String>,
    },
    /// `credential_process = lanyard credential-process NAME`: a key in Lanyard's vault, or
    /// the credentials of Lanyard profile `NAME` (the managed `[default]` of `lanyard use`).
    Lanyard {
        /// The profile that names it.
        profile: String,
        /// The name after `credential-process`.
        name: String,
        /// `aws_account_id`.
        account_id: Option<String>,
    },
    /// `credential_source`: credentials from the environment or an instance or container.
    CredentialSource {
        /// The profile that names it.
        profile: String,
        /// `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
        source: String,
    },
    /// `AssumeRoleWithWebIdentity` with a token file.
    WebIdentity {
        /// The profile.
        profile: String,
        /// `role_arn`.
        role_arn: String,
        /// `web_identity_token_file`.
        web_identity_token_file: String,
        /// `role_session_name`.
        role_session_name: Option<String>,
    },
    /// IAM Identity Center.
    Sso {
        /// The profile.
        profile: String,
        /// The start URL (from the profile or its `sso-session`).
        sso_start_url: String,
        /// The region of IAM Identity Center.
        sso_region: String,
        /// `sso_account_id`; absent for a token-only profile.
        sso_account_id: Option<String>,
        /// `sso_role_name`; absent for a token-only profile.
        sso_role_name: Option<String>,
        /// The `sso-session` name, when used.
        sso_session: Option<String>,
    },
    /// An external program that prints credentials.
    Process {
        /// The profile.
        profile: String,
        /// The command line: its arguments may hold secrets, so it never serialises.
        #[serde(skip)]
        command: String,
        /// `aws_account_id`.
        account_id: Option<String>,
    },
}

/// One `AssumeRole` of a chain, with the credentials of the step before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleStep {
    /// The profile that declares the role.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `role_session_name`.
    pub role_session_name: Option<String>,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<i32>,
}

fn is_some<S: serde::Serializer>(value: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(value.is_some())
}

impl Base {
    /// The profile the base step reads.
    pub fn profile(&self) -> &str {
        match self {
            Base::AccessKey { profile, .. }
            | Base::Lanyard { profile, .. }
            | Base::CredentialSource { profile, .. }
            | Base::WebIdentity { profile, .. }
            | Base::Sso { profile, .. }
            | Base::Process { profile, .. } => profile,
        }
    }

    /// What the chain starts from, named without any secret: part of the cache key of the
    /// role credentials assumed from it, so that a cache hit reads no other secret. Empty for
    /// a base whose identity is only known once it ran.
    pub fn identity(&self) -> String {
        match self {
            Base::AccessKey { access_key_id, .. } => format!("keys:{access_key_id}"),
            Base::Lanyard { name, .. } => format!("lanyard:{name}"),
            Base::Sso {
                sso_start_url,
                sso_account_id,
                sso_role_name,
                sso_session,
                ..
            } => format!(
                "sso:{}:{sso_start_url}:{}:{}",
                sso_session.as_deref().unwrap_or(""),
                sso_account_id.as_deref().unwrap_or(""),
                sso_role_name.as_deref().unwrap_or("")
            ),
            _ => String::new(),
        }
    }
}

impl Plan {
    /// The number of steps: the base and each role.
    pub fn len(&self) -> usize {
        1 + self.roles.len()
    }

    /// Always false: a plan has at least its base.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Each step in words, base first, for `lanyard explain` and the desktop app.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![describe_base(&self.base)];
        lines.extend(self.roles.iter().map(describe_role));
        lines
    }
}

fn describe_base(base: &Base) -> String {
    match base {
        Base::AccessKey {
            profile,
            access_key_id,
            session_token,
            ..
        } => format!(
            "{} keys of profile `{profile}` (access key {})",
            if session_token.is_some() {
                "session"
            } else {
                "static"
            },
            crate::vault::mask_key_id(access_key_id)
        ),
        Base::Lanyard { profile, name, .. } if profile == name => {
            format!("the key of `{name}` in Lanyard's vault")
        }
        Base::Lanyard { profile, name, .. } => {
            format!("the credentials of `{name}`, served by Lanyard (credential_process of `{profile}`)")
        }
        Base::CredentialSource { profile, source } => {
            format!("credentials from {source} (credential_source of `{profile}`)")
        }
        Base::WebIdentity {
            role_arn,
            web_identity_token_file,
            ..
        } => format!("assume {role_arn} with the web identity token in {web_identity_token_file}"),
        Base::Sso {
            sso_start_url,
            sso_region,
            sso_account_id,
            sso_role_name,
            sso_session,
            ..
        } => {
            let via = sso_session
                .as_ref()
                .map(|s| format!(" via sso-session `{s}`"))
                .unwrap_or_default();
            match (sso_account_id, sso_role_name) {
                (Some(account), Some(role)) => format!(
                    "IAM Identity Center role {role} in account {account} ({sso_start_url}, {sso_region}){via}"
                ),
                _ => format!("IAM Identity Center token only ({sso_start_url}, {sso_region}){via}"),
            }
        }
        Base::Process {
            profile, command, ..
        } => {
            let program = command.split_whitespace().next().unwrap_or("");
            format!("run the credential_process `{program} …` of profile `{profile}`")
        }
    }
}

fn describe_role(role: &RoleStep) -> String {
    let mut extras = Vec::new();
    if role.external_id.is_some() {
        extras.push("external id".to_owned());
    }
    if let Some(mfa) = &role.mfa_serial {
        extras.push(format!("MFA {mfa}"));
    }
    if let Some(name) = &role.role_session_name {
        extras.push(format!("session name {name}"));
    }
    if let Some(seconds) = role.duration_seconds {
        extras.push(format!("{seconds} s"));
    }
    let extras = if extras.is_empty() {
        String::new()
    } else {
        format!(" ({})", extras.join(", "))
    };
    format!(
        "assume {} (role_arn of `{}`){extras}",
        role.role_arn, role.profile
    )
}
