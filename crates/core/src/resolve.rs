//! Turning a profile into credentials, for `credential-process`, `export` and `exec`.
//!
//! This is the hot path of every SDK call that goes through `credential_process`: it reads
//! the two files (no network, no async runtime) and opens the keychain only when the profile's
//! keys live there.

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::files::AwsFiles;
use crate::plan::{plan, Step};
use crate::sts::{self, RoleRequest, StsSettings};
use crate::vault::Vault;
use crate::Env;

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
    env: &Env,
    name: &str,
    vault: &dyn Fn() -> Result<Vault, Error>,
) -> Result<Resolved, Error> {
    let snapshot = files.load()?;
    let context = Context {
        snapshot: &snapshot,
        env,
        data_dir: files.store().data_dir(),
        vault,
    };
    context.resolve(name, &mut Vec::new())
}

struct Context<'a> {
    snapshot: &'a crate::files::Snapshot,
    env: &'a Env,
    data_dir: &'a std::path::Path,
    vault: &'a dyn Fn() -> Result<Vault, Error>,
}

/// A profile whose `credential_process` runs `lanyard credential-process OTHER` is OTHER's
/// credentials: OTHER's own profile when it has one (the managed `[default]` of `use`), the
/// vault's key when the profile names itself or has no profile.
impl Context<'_> {
    fn resolve(&self, name: &str, visited: &mut Vec<String>) -> Result<Resolved, Error> {
        let (snapshot, vault) = (self.snapshot, self.vault);
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
        let mut region = profile.get("region").map(str::to_owned);
        let plan = plan(&snapshot.profiles, name).map_err(|e| {
            Error::new(
                ErrorKind::Invalid,
                format!("profile `{name}` cannot yield credentials: {e}"),
            )
            .fix(format!("`lanyard explain {name}` shows how it resolves"))
        })?;
        // What the chain starts from, named without reading any secret: the cache of role
        // credentials is keyed by it, so that a cache hit needs no keychain read for the base.
        let base_identity = match &plan.steps[0] {
            Step::AccessKey { access_key_id, .. } => format!("keys:{access_key_id}"),
            Step::Process { command, .. } => vault_profile_of(command)
                .map(|n| format!("lanyard:{n}"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let base = |visited: &mut Vec<String>| -> Result<(Credentials, Option<String>), Error> {
            Ok(match &plan.steps[0] {
                Step::AccessKey { access_key_id, secret_access_key, session_token, account_id, .. } => (
                    Credentials {
                        access_key_id: access_key_id.clone(),
                        secret_access_key: secret_access_key.clone(),
                        session_token: session_token.clone(),
                        expiration: None,
                        account_id: account_id.clone(),
                    },
                    None,
                ),
                Step::Process { command, account_id, .. } => match vault_profile_of(command) {
                    Some(other) if other != name && snapshot.profiles.profile(other).is_some() => {
                        let resolved = self.resolve(other, visited)?;
                        (resolved.credentials, resolved.region)
                    }
                    Some(key_name) => {
                        let vault = vault()?;
                        let key = vault.get(key_name)?.ok_or_else(|| {
                            Error::new(ErrorKind::NotFound, format!("the {} has no key for `{key_name}`", vault.store_name()))
                                .fix(format!("store it with `lanyard vault add {key_name}`"))
                        })?;
                        (from_vault(key, account_id.clone()), None)
                    }
                    None => return Err(unsupported(name, "runs another credential_process")),
                },
                Step::Sso { .. } => return Err(unsupported(name, "signs in with IAM Identity Center")),
                Step::WebIdentityToken { .. } => return Err(unsupported(name, "uses a web identity token")),
                Step::NamedSource { source, .. } => {
                    return Err(Error::new(ErrorKind::Invalid, format!("profile `{name}` takes its credentials from {source}, which only the SDKs can reach"))
                        .fix("run the SDK where that source exists"))
                }
                Step::AssumeRole { .. } => return Err(unsupported(name, "starts with a role")),
            })
        };
        if plan.steps.len() == 1 {
            let (credentials, other_region) = base(visited)?;
            region = region.or(other_region);
            return Ok(Resolved {
                credentials,
                region,
            });
        }
        let roles: Vec<RoleRequest> = plan.steps[1..]
            .iter()
            .filter_map(|step| match step {
                Step::AssumeRole {
                    profile,
                    role_arn,
                    external_id,
                    role_session_name,
                    mfa_serial,
                    duration_seconds,
                } => Some(RoleRequest {
                    profile: profile.clone(),
                    role_arn: role_arn.clone(),
                    external_id: external_id.clone(),
                    session_name: role_session_name.clone(),
                    duration_seconds: duration_seconds.as_deref().and_then(|d| d.parse().ok()),
                    mfa_serial: mfa_serial.clone(),
                }),
                _ => None,
            })
            .collect();
        let settings = sts_settings(snapshot, profile, region.as_deref(), self.env);
        // The cache is the keychain; without one, roles are still assumed, just not remembered.
        let vault = vault().ok();
        let store = vault.as_ref().map(|v| v.store());
        if base_identity.is_empty() {
            base(visited)?;
        }
        let credentials = sts::assume_cached(
            store,
            self.data_dir,
            &base_identity,
            &mut || base(visited).map(|(credentials, _)| credentials),
            &roles,
            &settings,
            &ask_mfa_code,
        )?;
        Ok(Resolved {
            credentials,
            region,
        })
    }
}

/// STS's region and endpoint for a profile: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the
/// profile's `[services]` `sts` block, its `endpoint_url` (unless
/// `ignore_configured_endpoint_urls`); the profile's region, `AWS_REGION`, `AWS_DEFAULT_REGION`.
fn sts_settings(
    snapshot: &crate::files::Snapshot,
    profile: &lanyard_ini::Section,
    region: Option<&str>,
    env: &Env,
) -> StsSettings {
    let region = region
        .or(env.get("AWS_REGION"))
        .or(env.get("AWS_DEFAULT_REGION"))
        .unwrap_or("us-east-1")
        .to_owned();
    let ignore = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
        || ignore(profile.get("ignore_configured_endpoint_urls"))
    {
        return StsSettings {
            region,
            endpoint: None,
        };
    }
    let services = profile
        .get("services")
        .and_then(|name| snapshot.profiles.sections().services.get(name))
        .and_then(|s| s.property("sts"))
        .and_then(|p| p.sub_property("endpoint_url"))
        .map(|s| s.value.as_str());
    let endpoint = env
        .get("AWS_ENDPOINT_URL_STS")
        .or(env.get("AWS_ENDPOINT_URL"))
        .or(services)
        .or(profile.get("endpoint_url"))
        .map(str::to_owned);
    StsSettings { region, endpoint }
}

/// Asks for an MFA code on the terminal (not standard input, which belongs to the SDK that
/// runs `credential_process`).
fn ask_mfa_code(serial: &str) -> Result<String, Error> {
    use std::io::{BufRead, Write};
    let no_terminal = || {
        Error::new(
            ErrorKind::Invalid,
            format!("an MFA code for {serial} is needed and there is no terminal to ask on"),
        )
        .fix(
            "run `lanyard export PROFILE` once in a terminal: the role credentials are then cached",
        )
    };
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_terminal())?;
    let mut writer = &tty;
    write!(writer, "MFA code for {serial}: ").map_err(|_| no_terminal())?;
    let mut line = String::new();
    std::io::BufReader::new(&tty)
        .read_line(&mut line)
        .map_err(|_| no_terminal())?;
    let code = line.trim().to_owned();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(ErrorKind::Invalid, "an MFA code is six digits")
            .fix("try again with the code your device shows"));
    }
    Ok(code)
}

fn unsupported(name: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("profile `{name}` {what}; Lanyard serves static keys, vault keys and roles assumed from them"),
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
