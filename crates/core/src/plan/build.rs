//! Building a [`Plan`] from the profiles: pure, it reads only the [`ProfileSet`].

use super::{Base, Plan, RoleStep};
use crate::model::ProfileSet;
use crate::secret::Secret;

/// Why a profile cannot yield credentials. The messages match the AWS SDK for Rust's where
/// they overlap, so that both can be compared.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No profiles at all.
    #[error("No profiles were defined; add one with `lanyard add`")]
    NoProfiles,
    /// The selected profile does not exist.
    #[error("profile `{0}` does not exist")]
    NoSuchProfile(String),
    /// A `source_profile` names a profile that does not exist.
    #[error("could not find source profile {missing} referenced from {from}")]
    MissingSource {
        /// The missing name.
        missing: String,
        /// The profile that references it.
        from: String,
    },
    /// `source_profile` references form a cycle.
    #[error("profile formed an infinite loop: {}", chain.join(" -> "))]
    Loop {
        /// The profiles visited, ending with the one visited twice.
        chain: Vec<String>,
    },
    /// The profile holds settings only.
    #[error("profile `{profile}` did not contain credential information")]
    NoCredentials {
        /// The profile.
        profile: String,
    },
    /// The profile's keys do not make a valid source.
    #[error("profile `{profile}` is invalid: {message}")]
    Invalid {
        /// The profile.
        profile: String,
        /// What is wrong.
        message: String,
    },
    /// A source profile further down the chain cannot yield credentials.
    #[error("profile `{profile}` could not load source profile: {source}")]
    Source {
        /// The source profile.
        profile: String,
        /// Why.
        source: Box<PlanError>,
    },
    /// The `sso_session` names a session that does not exist.
    #[error("sso-session named `{session}` (referenced by profile `{profile}`) was not found")]
    MissingSsoSession {
        /// The profile.
        profile: String,
        /// The missing session.
        session: String,
    },
}

fn invalid(profile: &str, message: impl Into<String>) -> PlanError {
    PlanError::Invalid {
        profile: profile.to_owned(),
        message: message.into(),
    }
}

/// Builds the plan for profile `name`. Pure: reads only `set`.
pub fn plan(set: &ProfileSet, name: &str) -> Result<Plan, PlanError> {
    if set.is_empty() {
        return Err(PlanError::NoProfiles);
    }
    if set.profile(name).is_none() {
        return Err(PlanError::NoSuchProfile(name.to_owned()));
    }
    let mut visited: Vec<&str> = Vec::new();
    let mut roles: Vec<RoleStep> = Vec::new();
    let mut current = name;
    let base = loop {
        let Some(profile) = set.profile(current) else {
            return Err(PlanError::MissingSource {
                missing: current.to_owned(),
                from: visited
                    .last()
                    .copied()
                    .unwrap_or("the root profile")
                    .to_owned(),
            });
        };
        if visited.contains(&current) {
            let mut chain: Vec<String> = visited.iter().map(|s| s.to_string()).collect();
            chain.push(current.to_owned());
            return Err(PlanError::Loop { chain });
        }
        visited.push(current);
        // Past the first profile, keys written in a source profile end the chain.
        if visited.len() > 1 {
            if let Ok(Some(keys)) = access_key(current, profile) {
                break keys;
            }
        }
        let role = role_of(current, profile)?;
        match role {
            Some(role) => {
                let source = profile.get("source_profile");
                let named = profile.get("credential_source");
                roles.push(role);
                match (source, named) {
                    (Some(_), Some(_)) => {
                        return Err(invalid(
                            current,
                            "the profile contained both source_profile and credential_source; keep one of them",
                        ))
                    }
                    (None, None) => {
                        return Err(invalid(
                            current,
                            "it sets `role_arn`, so the profile must contain `source_profile` or `credential_source`",
                        ))
                    }
                    (Some(source), None) if source != current => current = source,
                    // A self reference or a named source: this profile is also the base.
                    _ => break base_step(set, current, profile)?,
                }
            }
            None => {
                break base_step(set, current, profile).map_err(|error| {
                    if visited.len() == 1 {
                        error
                    } else {
                        PlanError::Source {
                            profile: current.to_owned(),
                            source: Box::new(error),
                        }
                    }
                })?;
            }
        }
    };
    roles.reverse();
    Ok(Plan {
        profile: name.to_owned(),
        base,
        roles,
    })
}

fn role_of(name: &str, profile: &lanyard_ini::Section) -> Result<Option<RoleStep>, PlanError> {
    // A web identity profile is a base provider, not a chained role.
    if profile.get("web_identity_token_file").is_some() {
        return Ok(None);
    }
    let owned = |key: &str| profile.get(key).map(str::to_owned);
    let Some(role_arn) = owned("role_arn") else {
        return Ok(None);
    };
    let duration_seconds =
        match profile.get("duration_seconds") {
            None => None,
            Some(text) => Some(
                text.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|d| *d > 0)
                    .ok_or_else(|| {
                        invalid(
                name,
                format!("`duration_seconds = {text}` is not a number of seconds (900 to 43200)"),
            )
                    })?,
            ),
        };
    Ok(Some(RoleStep {
        profile: name.to_owned(),
        role_arn,
        external_id: owned("external_id"),
        role_session_name: owned("role_session_name"),
        mfa_serial: owned("mfa_serial"),
        duration_seconds,
    }))
}

fn access_key(name: &str, profile: &lanyard_ini::Section) -> Result<Option<Base>, PlanError> {
    let id = profile.get("aws_access_key_id");
    let secret = profile.get("aws_secret_access_key");
    let token = profile.get("aws_session_token");
    if id.is_none() && secret.is_none() && token.is_none() {
        return Ok(None);
    }
    let id = id.ok_or_else(|| invalid(name, "profile missing aws_access_key_id"))?;
    let secret = secret.ok_or_else(|| invalid(name, "profile missing aws_secret_access_key"))?;
    Ok(Some(Base::AccessKey {
        profile: name.to_owned(),
        access_key_id: id.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: token.map(Secret::new),
        account_id: profile.get("aws_account_id").map(str::to_owned),
    }))
}

fn base_step(
    set: &ProfileSet,
    name: &str,
    profile: &lanyard_ini::Section,
) -> Result<Base, PlanError> {
    if let Some(source) = profile.get("credential_source") {
        return Ok(Base::CredentialSource {
            profile: name.to_owned(),
            source: source.to_owned(),
        });
    }
    if let Some(step) = web_identity(name, profile)? {
        return Ok(step);
    }
    if let Some(step) = sso(set, name, profile)? {
        return Ok(step);
    }
    if let Some(command) = profile.get("credential_process") {
        if let Some(own) = crate::lanyard_command::served_name(command) {
            return Ok(Base::Lanyard {
                profile: name.to_owned(),
                name: own.to_owned(),
                account_id: profile.get("aws_account_id").map(str::to_owned),
            });
        }
        return Ok(Base::Process {
            profile: name.to_owned(),
            command: command.to_owned(),
            account_id: profile.get("aws_account_id").map(str::to_owned),
        });
    }
    access_key(name, profile)?.ok_or_else(|| PlanError::NoCredentials {
        profile: name.to_owned(),
    })
}

fn web_identity(name: &str, profile: &lanyard_ini::Section) -> Result<Option<Base>, PlanError> {
    match (
        profile.get("role_arn"),
        profile.get("web_identity_token_file"),
    ) {
        (Some(role_arn), Some(file)) => Ok(Some(Base::WebIdentity {
            profile: name.to_owned(),
            role_arn: role_arn.to_owned(),
            web_identity_token_file: file.to_owned(),
            role_session_name: profile.get("role_session_name").map(str::to_owned),
        })),
        (None, Some(_)) => Err(invalid(
            name,
            "`web_identity_token_file` was specified but `role_arn` was missing",
        )),
        _ => Ok(None),
    }
}

fn sso(
    set: &ProfileSet,
    name: &str,
    profile: &lanyard_ini::Section,
) -> Result<Option<Base>, PlanError> {
    let account = profile.get("sso_account_id");
    let role = profile.get("sso_role_name");
    let session = profile.get("sso_session");
    let mut region = profile.get("sso_region");
    let mut start_url = profile.get("sso_start_url");
    if [account, role, session, region, start_url]
        .iter()
        .all(Option::is_none)
    {
        return Ok(None);
    }
    if let Some(session) = session {
        for (key, value) in [("sso_start_url", start_url), ("sso_region", region)] {
            if value.is_some() {
                return Err(invalid(
                    name,
                    format!("`{key}` can only be specified in the [sso-session] config when a session name is given; remove it from the profile"),
                ));
            }
        }
        let Some(section) = set.sso_session(session) else {
            return Err(PlanError::MissingSsoSession {
                profile: name.to_owned(),
                session: session.to_owned(),
            });
        };
        start_url = section.get("sso_start_url");
        region = section.get("sso_region");
    }
    match (account, role) {
        (Some(_), None) => {
            return Err(invalid(
                name,
                "if `sso_account_id` is set, then `sso_role_name` must also be set",
            ))
        }
        (None, Some(_)) => {
            return Err(invalid(
                name,
                "if `sso_role_name` is set, then `sso_account_id` must also be set",
            ))
        }
        _ => {}
    }
    let missing = |key: &str| invalid(name, format!("`{key}` was missing"));
    Ok(Some(Base::Sso {
        profile: name.to_owned(),
        sso_start_url: start_url
            .ok_or_else(|| missing("sso_start_url"))?
            .to_owned(),
        sso_region: region.ok_or_else(|| missing("sso_region"))?.to_owned(),
        sso_account_id: account.map(str::to_owned),
        sso_role_name: role.map(str::to_owned),
        sso_session: session.map(str::to_owned),
    }))
}
