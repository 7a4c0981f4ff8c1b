//! Turning a profile into credentials, for `credential-process`, `export` and `exec`.
//!
//! This is the hot path of every SDK call that goes through `credential_process`: it reads
//! the two files (no network, no async runtime) and opens the keychain only when the profile's
//! keys live there.

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::files::AwsFiles;
use crate::plan::{plan, Step};
use crate::vault::Vault;

/// The profile name in a `credential_process` command that runs Lanyard's own
/// `credential-process NAME`, if it is one.
pub fn vault_profile_of(command: &str) -> Option<&str> {
    let command = command.trim();
    // The program may be quoted because its path has spaces.
    let (program, rest) = match command.chars().next()? {
        quote @ ('"' | '\'') => {
            let end = command[1..].find(quote)? + 1;
            (&command[1..end], &command[end + 1..])
        }
        _ => command.split_once([' ', '\t']).unwrap_or((command, "")),
    };
    let mut words = rest.split_whitespace();
    let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
    if !matches!(program, "lanyard" | "lanyard.exe") || words.next()? != "credential-process" {
        return None;
    }
    let name = words.next()?;
    words.next().is_none().then_some(name)
}

/// Credentials for a profile. `vault` is opened only if the keys are in the keychain.
pub fn resolve(
    files: &AwsFiles,
    name: &str,
    vault: &dyn Fn() -> Result<Vault, Error>,
) -> Result<Resolved, Error> {
    let snapshot = files.load()?;
    resolve_in(&snapshot, name, vault, &mut Vec::new())
}

/// A profile whose `credential_process` runs `lanyard credential-process OTHER` is OTHER's
/// credentials: OTHER's own profile when it has one (the managed `[default]` of `use`), the
/// vault's key when the profile names itself or has no profile.
fn resolve_in(
    snapshot: &crate::files::Snapshot,
    name: &str,
    vault: &dyn Fn() -> Result<Vault, Error>,
    visited: &mut Vec<String>,
) -> Result<Resolved, Error> {
    if visited.iter().any(|v| v == name) {
        visited.push(name.to_owned());
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("credential_process lines loop: {}", visited.join(" -> ")),
        )
        .fix("point one of them at a vault key or static keys"));
    }
    visited.push(name.to_owned());
    let Some(profile) = snapshot.profiles.profile(name) else {
        // Keys may be in the vault without a profile in the files.
        let vault = vault()?;
        return match vault.get(name)? {
            Some(key) => Ok(Resolved {
                credentials: from_vault(key, None),
                region: None,
            }),
            None => Err(crate::files::not_found(
                snapshot,
                &lanyard_ini::SectionId::profile(name),
            )),
        };
    };
    let region = profile.get("region").map(str::to_owned);
    let plan = plan(&snapshot.profiles, name).map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("profile `{name}` cannot yield credentials: {e}"),
        )
        .fix(format!("`lanyard explain {name}` shows how it resolves"))
    })?;
    if plan.steps.len() > 1 {
        return Err(unsupported(name, "assumes a role"));
    }
    let credentials = match &plan.steps[0] {
        Step::AccessKey { access_key_id, secret_access_key, session_token, account_id, .. } => Credentials {
            access_key_id: access_key_id.clone(),
            secret_access_key: secret_access_key.clone(),
            session_token: session_token.clone(),
            expiration: None,
            account_id: account_id.clone(),
        },
        Step::Process { command, account_id, .. } => match vault_profile_of(command) {
            Some(other) if other != name && snapshot.profiles.profile(other).is_some() => {
                let mut resolved = resolve_in(snapshot, other, vault, visited)?;
                resolved.region = region.or(resolved.region);
                return Ok(resolved);
            }
            Some(key_name) => {
                let vault = vault()?;
                let key = vault.get(key_name)?.ok_or_else(|| {
                    Error::new(ErrorKind::NotFound, format!("the {} has no key for `{key_name}`", vault.store_name()))
                        .fix(format!("store it with `lanyard vault add {key_name}`"))
                })?;
                from_vault(key, account_id.clone())
            }
            None => return Err(unsupported(name, "runs another credential_process")),
        },
        Step::Sso { .. } => return Err(unsupported(name, "signs in with IAM Identity Center")),
        Step::WebIdentityToken { .. } => return Err(unsupported(name, "uses a web identity token")),
        Step::NamedSource { source, .. } => {
            return Err(Error::new(ErrorKind::Invalid, format!("profile `{name}` takes its credentials from {source}, which only the SDKs can reach"))
                .fix("run the SDK where that source exists"))
        }
        Step::AssumeRole { .. } => return Err(unsupported(name, "assumes a role")),
    };
    Ok(Resolved {
        credentials,
        region,
    })
}

fn unsupported(name: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("profile `{name}` {what}; Lanyard serves static and vault profiles"),
    )
    .fix("use the profile directly with the AWS CLI or SDK")
}

fn from_vault(key: crate::vault::AccessKey, account_id: Option<String>) -> Credentials {
    Credentials {
        access_key_id: key.access_key_id,
        secret_access_key: key.secret_access_key,
        session_token: key.session_token,
        expiration: None,
        account_id,
    }
}

/// A profile's credentials and region.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The credentials.
    pub credentials: Credentials,
    /// The profile's `region`, when it has one.
    pub region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_its_own_command() {
        assert_eq!(
            vault_profile_of("lanyard credential-process dev"),
            Some("dev")
        );
        assert_eq!(
            vault_profile_of("/usr/local/bin/lanyard credential-process a.b"),
            Some("a.b")
        );
        assert_eq!(
            vault_profile_of("\"C:\\Program Files\\Lanyard\\lanyard.exe\" credential-process x"),
            Some("x")
        );
        assert_eq!(
            vault_profile_of("'/Applications/Lanyard App/lanyard' credential-process y"),
            Some("y")
        );
        assert_eq!(vault_profile_of("lanyard credential-process"), None);
        assert_eq!(vault_profile_of("aws-vault export dev"), None);
        assert_eq!(vault_profile_of("lanyard credential-process a b"), None);
    }
}
