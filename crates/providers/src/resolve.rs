//! Turning a profile into credentials, for `credential-process`, `export`, `exec` and the
//! desktop app: the plan of `lanyard-core`, executed.
//!
//! A profile whose `credential_process` runs `lanyard credential-process OTHER` is OTHER's
//! credentials: OTHER's own profile when it has one (the managed `[default]` of `lanyard
//! use`), the vault's key when the profile names itself or has no profile.

use lanyard_core::credentials::Credentials;
use lanyard_core::endpoints::{self, Endpoint, Service};
use lanyard_core::error::Warning;
use lanyard_core::files::Snapshot;
use lanyard_core::plan::{plan, Base};
use lanyard_core::prompt::Prompt;
use lanyard_core::vault::AccessKey;
use lanyard_core::{role_cache, Error, ErrorKind, Workspace};
use serde::Serialize;

/// A profile's credentials and region.
#[derive(Clone, Debug, Serialize)]
pub struct Resolved {
    /// The credentials.
    #[serde(skip)]
    pub credentials: Credentials,
    /// The profile's `region`, when it has one.
    pub region: Option<String>,
    /// What went wrong without stopping the credentials (a cache that could not be written).
    pub warnings: Vec<Warning>,
}

/// Credentials for profile `name`. The keychain is opened only if the keys are there;
/// `prompt` is asked only for what a person must give (an MFA code).
pub fn resolve(ws: &Workspace, name: &str, prompt: &dyn Prompt) -> Result<Resolved, Error> {
    let snapshot = ws.files().load()?;
    let mut run = Run {
        ws,
        snapshot: &snapshot,
        prompt,
        warnings: Vec::new(),
        visited: Vec::new(),
    };
    let (credentials, region) = run.resolve(name)?;
    Ok(Resolved {
        credentials,
        region,
        warnings: run.warnings,
    })
}

struct Run<'a> {
    ws: &'a Workspace,
    snapshot: &'a Snapshot,
    prompt: &'a dyn Prompt,
    warnings: Vec<Warning>,
    visited: Vec<String>,
}

impl Run<'_> {
    fn resolve(&mut self, name: &str) -> Result<(Credentials, Option<String>), Error> {
        if self.visited.iter().any(|v| v == name) {
            self.visited.push(name.to_owned());
            return Err(Error::new(
                ErrorKind::Invalid,
                format!(
                    "credential_process lines loop: {}",
                    self.visited.join(" -> ")
                ),
            )
            .fix("point one of them at a vault key or static keys"));
        }
        self.visited.push(name.to_owned());
        let Some(profile) = self.snapshot.profiles.profile(name) else {
            // Keys may be in the vault without a profile in the files. A name that is in
            // neither is a profile that does not exist, whether or not a keychain answered.
            let missing = || {
                lanyard_core::files::not_found(
                    self.snapshot,
                    &lanyard_ini::SectionId::profile(name),
                )
            };
            return match self.vault_key(name) {
                Ok(Some(key)) => Ok((from_vault(key, None), None)),
                Ok(None) => Err(missing()),
                Err(_) if self.visited.len() == 1 => Err(missing()),
                Err(error) => Err(error),
            };
        };
        let region = profile.get("region").map(str::to_owned);
        let plan = plan(&self.snapshot.profiles, name).map_err(|e| {
            Error::new(
                ErrorKind::Invalid,
                format!("profile `{name}` cannot yield credentials: {e}"),
            )
            .fix(format!("`lanyard explain {name}` shows how it resolves"))
        })?;
        if plan.roles.is_empty() {
            let (credentials, other_region) = self.base(name, &plan.base)?;
            return Ok((credentials, region.or(other_region)));
        }
        let sts = endpoints::endpoint(
            Service::STS,
            Some(profile),
            self.snapshot.profiles.sections(),
            self.ws.env(),
        );
        let identity = plan.base.identity();
        let key = role_cache::key(&identity, &plan.roles, &sts);
        let now = self.ws.clock().now();
        // The cache is the temporary store (or the keychain); without one, roles are still
        // assumed, just not kept.
        let store = self.ws.temporary_store();
        if !identity.is_empty() {
            if let Some(hit) = store.and_then(|s| role_cache::read(s, &key, now)) {
                return Ok((hit, region));
            }
        }
        let fallback = || {
            self.ws
                .keychain()
                .ok()
                .filter(|_| self.ws.has_temporary_store())
        };
        // One refresh per chain at a time: whoever waited finds the fresh credentials cached.
        let _lock = lanyard_core::files::lock_in(self.ws.data_dir(), &key.replace(':', "-"))?;
        let now = self.ws.clock().now();
        if !identity.is_empty() {
            // After the lock, the keychain too: where the kernel keyring refused an entry
            // (its quota), the credentials were kept there.
            if let Some(hit) = store
                .and_then(|s| role_cache::read(s, &key, now))
                .or_else(|| fallback().and_then(|s| role_cache::read(s, &key, now)))
            {
                return Ok((hit, region));
            }
        }
        let (base, _) = self.base(name, &plan.base)?;
        let fresh = crate::sts::assume_chain(
            base,
            &plan.roles,
            &sts,
            crate::sts::timeout(self.ws.env()),
            self.prompt,
            now,
        )?;
        if let (Some(store), false) = (store, identity.is_empty()) {
            let kept =
                role_cache::write(store, &key, &fresh, now).or_else(|error| match fallback() {
                    Some(keychain) => role_cache::write(keychain, &key, &fresh, now),
                    None => Err(error),
                });
            if let Err(error) = kept {
                self.warnings.push(Warning::new(
                    "role-cache",
                    format!("the role credentials were not cached: {}", error.message),
                ));
            }
        }
        Ok((fresh, region))
    }

    fn vault_key(&self, name: &str) -> Result<Option<AccessKey>, Error> {
        self.ws.vault()?.get(name)
    }

    fn base(&mut self, name: &str, base: &Base) -> Result<(Credentials, Option<String>), Error> {
        Ok(match base {
            Base::AccessKey {
                access_key_id,
                secret_access_key,
                session_token,
                account_id,
                ..
            } => (
                Credentials {
                    access_key_id: access_key_id.clone(),
                    secret_access_key: secret_access_key.clone(),
                    session_token: session_token.clone(),
                    expiration: None,
                    account_id: account_id.clone(),
                },
                None,
            ),
            Base::Lanyard {
                name: other,
                account_id,
                ..
            } => {
                if other != name && self.snapshot.profiles.profile(other).is_some() {
                    return self.resolve(other);
                }
                let vault = self.ws.vault()?;
                let key = vault.get(other)?.ok_or_else(|| {
                    Error::new(
                        ErrorKind::NotFound,
                        format!(
                            "profile `{name}` takes its key from the {}, which has no key for `{other}`",
                            vault.store_name()
                        ),
                    )
                    .fix(format!(
                        "store it again with `lanyard vault add {other}` (`lanyard vault list` shows what is stored)"
                    ))
                })?;
                (from_vault(key, account_id.clone()), None)
            }
            Base::Process { .. } => return Err(unsupported(name, "runs another credential_process")),
            Base::Sso {
                sso_region,
                sso_account_id: Some(account),
                sso_role_name: Some(role),
                ..
            } => (self.sso(name, base, sso_region, account, role)?, None),
            Base::Sso { .. } => {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!("profile `{name}` names an IAM Identity Center session but no account and role"),
                )
                .fix(format!("lanyard set {name} sso_account_id=… sso_role_name=…")))
            }
            Base::WebIdentity { .. } => return Err(unsupported(name, "uses a web identity token")),
            Base::CredentialSource { source, .. } => {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!("profile `{name}` takes its credentials from {source}, which only the SDKs can reach"),
                )
                .fix("run the SDK where that source exists"))
            }
        })
    }
}

impl Run<'_> {
    /// Role credentials of an IAM Identity Center profile: from the cache while fresh (no
    /// network, no runtime, no token cache read), else with the session's token.
    fn sso(
        &mut self,
        name: &str,
        base: &Base,
        sso_region: &str,
        account: &str,
        role: &str,
    ) -> Result<Credentials, Error> {
        let portal = Endpoint {
            region: sso_region.to_owned(),
            url: endpoints::configured_url(
                Service::SSO,
                self.snapshot.profiles.profile(name),
                self.snapshot.profiles.sections(),
                self.ws.env(),
            ),
        };
        // The entry is named after the sign-in too, so that `logout` finds every one of it.
        let Base::Sso {
            sso_start_url,
            sso_session,
            ..
        } = base
        else {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("profile `{name}` is not an IAM Identity Center profile"),
            ));
        };
        let tag = crate::sso::SignIn {
            session: sso_session.clone(),
            start_url: sso_start_url.clone(),
            region: sso_region.to_owned(),
            scopes: Vec::new(),
            prefer_device_code: false,
        }
        .role_cache_prefix();
        let key = format!("{tag}{}", role_cache::key(&base.identity(), &[], &portal));
        let store = self.ws.temporary_store();
        if let Some(hit) = store.and_then(|s| role_cache::read(s, &key, self.ws.clock().now())) {
            return Ok(hit);
        }
        let sign_in = crate::sso::SignIn::find(self.ws, name)?;
        let token = crate::sso::token(self.ws, &sign_in, self.prompt, self.prompt.can_sign_in())?;
        // One GetRoleCredentials per role across processes: whoever waited finds it cached.
        let _lock = lanyard_core::files::lock_in(self.ws.data_dir(), &key.replace(':', "-"))?;
        let now = self.ws.clock().now();
        if let Some(hit) = store.and_then(|s| role_cache::read(s, &key, now)) {
            return Ok(hit);
        }
        let fresh = crate::sso::role_credentials(self.ws, &sign_in, name, account, role, &token)?;
        if fresh.expiration.is_some_and(|e| e <= now) {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("IAM Identity Center gave credentials for role {role} in account {account} that had already expired"),
            )
            .fix("check this computer's clock, then try again"));
        }
        if let Some(store) = store {
            if let Err(error) = role_cache::write(store, &key, &fresh, now) {
                self.warnings.push(Warning::new(
                    "role-cache",
                    format!("the role credentials were not cached: {}", error.message),
                ));
            }
        }
        Ok(fresh)
    }
}

/// STS's region and endpoint for a profile (see `lanyard_core::endpoints`).
pub fn sts_endpoint(ws: &Workspace, snapshot: &Snapshot, name: &str) -> Endpoint {
    endpoints::endpoint(
        Service::STS,
        snapshot.profiles.profile(name),
        snapshot.profiles.sections(),
        ws.env(),
    )
}

fn unsupported(name: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("profile `{name}` {what}; Lanyard serves static keys, vault keys and roles assumed from them"),
    )
    .fix("use the profile directly with the AWS CLI or SDK")
}

fn from_vault(key: AccessKey, account_id: Option<String>) -> Credentials {
    Credentials {
        access_key_id: key.access_key_id,
        secret_access_key: key.secret_access_key,
        session_token: key.session_token,
        expiration: None,
        account_id,
    }
}
