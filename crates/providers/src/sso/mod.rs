//! IAM Identity Center: role credentials with the cached token, silent refresh with the
//! refresh token, and sign-in by device code (`aws-sdk-ssooidc`, `aws-sdk-sso`).
//!
//! One sign-in per session at a time, across processes: whoever needs a token takes the
//! session's lock in Lanyard's data folder, and re-reads the cache once it has it, so twenty
//! callers at once start one sign-in and the others reuse its token. The lock is a file lock:
//! a holder that dies releases it.

use std::time::Duration;

use aws_sdk_sso::config::{BehaviorVersion, Region};
use aws_smithy_types::timeout::TimeoutConfig;
use lanyard_core::credentials::{rfc3339, Credentials};
use lanyard_core::endpoints::{self, Endpoint, Service};
use lanyard_core::prompt::Prompt;
use lanyard_core::sso::{cache_path, CachedToken, TokenState};
use lanyard_core::{Error, ErrorKind, Secret, Workspace};
use sha1::{Digest, Sha1};

mod browser;
mod device;

use device::device_sign_in;

/// Grant types of the client Lanyard registers.
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_GRANT: &str = "refresh_token";
/// The scope the AWS CLI asks for when a session names none.
const DEFAULT_SCOPE: &str = "sso:account:access";

/// What identifies a sign-in: an `sso-session`, or a legacy profile's start URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignIn {
    /// The `sso-session` name, when there is one.
    pub session: Option<String>,
    /// The start URL.
    pub start_url: String,
    /// The region of IAM Identity Center.
    pub region: String,
    /// `sso_registration_scopes`.
    pub scopes: Vec<String>,
    /// The session asks to be signed in by device code (`lanyard_sign_in = device-code` in
    /// its `[sso-session]`, a key the SDKs ignore): for machines whose browser is elsewhere.
    pub prefer_device_code: bool,
}

/// The key of an `[sso-session]` that chooses how Lanyard signs in to it.
pub const SIGN_IN_KEY: &str = "lanyard_sign_in";

impl SignIn {
    /// The sign-in of profile or session `name` in the files.
    pub fn find(ws: &Workspace, name: &str) -> Result<SignIn, Error> {
        let set = ws.files().load_profiles()?;
        let sections = set.sections();
        let from_session = |session: &str| -> Result<SignIn, Error> {
            let section = sections.sso_sessions.get(session).ok_or_else(|| {
                lanyard_core::files::not_found_in(
                    &set,
                    &lanyard_ini::SectionId::sso_session(session),
                )
            })?;
            let need = |key: &str| {
                section.get(key).map(str::to_owned).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Invalid,
                        format!("sso-session `{session}` has no `{key}`"),
                    )
                    .fix(format!("lanyard set --sso-session {session} {key}=…"))
                })
            };
            Ok(SignIn {
                session: Some(session.to_owned()),
                start_url: need("sso_start_url")?,
                region: need("sso_region")?,
                scopes: section
                    .get("sso_registration_scopes")
                    .map(|s| {
                        s.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                prefer_device_code: section
                    .get(SIGN_IN_KEY)
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("device-code")),
            })
        };
        if sections.sso_sessions.contains_key(name) {
            return from_session(name);
        }
        let profile = set.profile(name).ok_or_else(|| {
            lanyard_core::files::not_found_in(&set, &lanyard_ini::SectionId::profile(name))
        })?;
        if let Some(session) = profile.get("sso_session") {
            return from_session(session);
        }
        match (profile.get("sso_start_url"), profile.get("sso_region")) {
            (Some(url), Some(region)) => Ok(SignIn {
                session: None,
                start_url: url.to_owned(),
                region: region.to_owned(),
                scopes: Vec::new(),
                prefer_device_code: false,
            }),
            _ => Err(Error::new(
                ErrorKind::Invalid,
                format!("profile `{name}` does not sign in with IAM Identity Center"),
            )
            .fix("name an sso-session, or a profile with sso_session or sso_start_url and sso_region")),
        }
    }

    fn label(&self) -> String {
        match &self.session {
            Some(s) => format!("sso-session `{s}`"),
            None => self.start_url.clone(),
        }
    }

    /// The token cache file of this sign-in.
    pub fn cache_file(&self, ws: &Workspace) -> std::path::PathBuf {
        cache_path(
            &ws.sso_cache_dir(),
            self.session.as_deref(),
            &self.start_url,
        )
    }

    /// The prefix of the cache entries of role credentials taken with this sign-in.
    pub fn role_cache_prefix(&self) -> String {
        format!("role-cache:{}:", self.lock_name())
    }

    fn lock_name(&self) -> String {
        let key = self.session.as_deref().unwrap_or(&self.start_url);
        format!("sso-{}", hex::encode(&Sha1::digest(key.as_bytes())[..8]))
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot start the network runtime: {e}"),
            )
        })
}

fn timeouts(limit: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(limit.min(Duration::from_secs(5)))
        .operation_attempt_timeout(limit / 2)
        .operation_timeout(limit)
        .build()
}

fn endpoint(
    ws: &Workspace,
    service: Service,
    sign_in: &SignIn,
    profile: Option<&str>,
) -> Result<Endpoint, Error> {
    let set = ws.files().load_profiles()?;
    let section = profile.and_then(|p| set.profile(p));
    Ok(Endpoint {
        region: sign_in.region.clone(),
        url: endpoints::configured_url(service, section, set.sections(), ws.env()),
    })
}

fn oidc_client(ws: &Workspace, sign_in: &SignIn) -> Result<aws_sdk_ssooidc::Client, Error> {
    let endpoint = endpoint(ws, Service::SSO_OIDC, sign_in, None)?;
    let mut config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(aws_sdk_ssooidc::config::Region::new(
            endpoint.region.clone(),
        ))
        .timeout_config(timeouts(crate::sts::timeout(ws.env())));
    if let Some(url) = &endpoint.url {
        config = config.endpoint_url(url);
    }
    Ok(aws_sdk_ssooidc::Client::from_conf(config.build()))
}

/// An error of IAM Identity Center in the user's words, by its error code.
fn service_error<E, R>(
    what: &str,
    error: aws_sdk_ssooidc::error::SdkError<E, R>,
) -> (Option<String>, Error)
where
    E: aws_sdk_ssooidc::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_ssooidc::error::SdkError;
    match &error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("").to_owned();
            let message = service.err().message().unwrap_or("").trim().to_owned();
            let error = Error::new(
                ErrorKind::Invalid,
                format!("IAM Identity Center refused to {what}: {code}{}", if message.is_empty() { String::new() } else { format!(": {message}") }),
            )
            .fix("try `lanyard login` again; check the start URL and region of the session");
            (Some(code), error)
        }
        SdkError::TimeoutError(_) => (
            None,
            Error::new(ErrorKind::Io, format!("IAM Identity Center did not answer in time; cannot {what}"))
                .fix("check the network, or AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO; LANYARD_HTTP_TIMEOUT gives it longer"),
        ),
        _ => (
            None,
            Error::new(ErrorKind::Io, format!("cannot reach IAM Identity Center to {what}"))
                .fix("check the network, or AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO"),
        ),
    }
}

/// How `login` signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// In the browser on this machine (authorization code with PKCE), falling back to a device
    /// code when no browser can open here (SSH, headless, WSL without one).
    Browser,
    /// A device code: a page and a code to confirm in any browser, on any machine.
    DeviceCode,
}

/// Signs in anew, reusing the cached client registration while it lasts, and caches the
/// token: `lanyard login`.
pub fn login(
    ws: &Workspace,
    sign_in: &SignIn,
    prompt: &dyn Prompt,
    method: Method,
) -> Result<CachedToken, Error> {
    let path = sign_in.cache_file(ws);
    let _lock = lanyard_core::files::lock_in(ws.data_dir(), &sign_in.lock_name())?;
    let cached = CachedToken::read(&path).ok().flatten();
    let fresh = sign_in_anew(ws, sign_in, cached.as_ref(), prompt, method)?;
    fresh.write(&path)?;
    Ok(fresh)
}

/// A new sign-in: in the browser or by device code as `method` and the session ask, the
/// browser falling back to a device code where none can open; a cached registration the
/// service no longer knows (another service, a deleted client) is replaced once.
fn sign_in_anew(
    ws: &Workspace,
    sign_in: &SignIn,
    cached: Option<&CachedToken>,
    prompt: &dyn Prompt,
    method: Method,
) -> Result<CachedToken, Error> {
    let method = if sign_in.prefer_device_code {
        Method::DeviceCode
    } else {
        method
    };
    let attempt = |cached: Option<&CachedToken>| match method {
        Method::Browser => match browser::browser_sign_in(ws, sign_in, cached, prompt)? {
            Some(token) => Ok(token),
            None => device_sign_in(ws, sign_in, cached, prompt),
        },
        Method::DeviceCode => device_sign_in(ws, sign_in, cached, prompt),
    };
    match attempt(cached) {
        Err(error) if cached.is_some() && error.message.contains("InvalidClientException") => {
            attempt(None)
        }
        other => other,
    }
}

/// The cached client registration, when it is good for another minute at least and was
/// made for `grant`.
fn reusable_registration<'a>(
    cached: Option<&'a CachedToken>,
    now: i64,
    grant: &str,
) -> Option<&'a CachedToken> {
    cached.filter(|t| {
        t.client_id.is_some()
            && t.client_secret.is_some()
            && t.registration_expires().is_some_and(|e| e > now + 60)
            && registered_grants(t).iter().any(|g| g == grant)
    })
}

/// What a sign-in leaves in the cache: the token CreateToken gave, with the registration
/// that got it (and its grant types, so that the next sign-in knows whether to reuse it).
fn issued_token(
    sign_in: &SignIn,
    output: &aws_sdk_ssooidc::operation::create_token::CreateTokenOutput,
    client_id: String,
    client_secret: Secret,
    registration_expires_at: Option<String>,
    grants: [&str; 2],
    now: i64,
) -> CachedToken {
    CachedToken {
        start_url: Some(sign_in.start_url.clone()),
        region: Some(sign_in.region.clone()),
        access_token: Secret::new(output.access_token().unwrap_or_default()),
        expires_at: rfc3339(now + i64::from(output.expires_in())),
        client_id: Some(client_id),
        client_secret: Some(client_secret),
        registration_expires_at,
        refresh_token: output.refresh_token().map(Secret::new),
        other: serde_json::Map::from_iter([(GRANTS_MEMBER.to_owned(), serde_json::json!(grants))]),
    }
}

/// The member of the token cache that records the registration's grant types.
const GRANTS_MEMBER: &str = "lanyardGrantTypes";

/// The grant types a cached registration was made for (recorded by Lanyard beside the
/// AWS CLI's members; a registration without the record is taken as a device-code one).
fn registered_grants(token: &CachedToken) -> Vec<String> {
    token
        .other
        .get(GRANTS_MEMBER)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|g| g.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_else(|| vec![DEVICE_GRANT.to_owned(), REFRESH_GRANT.to_owned()])
}

/// What `logout` did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LoggedOut {
    /// Whether a cached token was there (and is now gone).
    pub had_token: bool,
    /// Whether the portal ended the session too (false when it could not be reached).
    pub portal_ended: bool,
    /// How many cached role credentials of the session were removed.
    pub role_credentials_removed: usize,
}

/// Signs out: the portal ends the session (`Logout`), the cached token goes, and so does every
/// cached role credential taken with it. The local part happens even when the portal cannot
/// be reached.
pub fn logout(ws: &Workspace, sign_in: &SignIn) -> Result<LoggedOut, Error> {
    let path = sign_in.cache_file(ws);
    let _lock = lanyard_core::files::lock_in(ws.data_dir(), &sign_in.lock_name())?;
    let mut done = LoggedOut::default();
    if let Ok(Some(token)) = CachedToken::read(&path) {
        done.had_token = true;
        let endpoint = endpoint(ws, Service::SSO, sign_in, None)?;
        let mut config = aws_sdk_sso::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(endpoint.region.clone()))
            .timeout_config(timeouts(crate::sts::timeout(ws.env())));
        if let Some(url) = &endpoint.url {
            config = config.endpoint_url(url);
        }
        let client = aws_sdk_sso::Client::from_conf(config.build());
        done.portal_ended = runtime()?
            .block_on(
                client
                    .logout()
                    .access_token(token.access_token.expose())
                    .send(),
            )
            .is_ok();
    }
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("remove", &path, &e)),
    }
    let prefix = sign_in.role_cache_prefix();
    for store in [ws.temporary_store(), ws.keychain().ok()]
        .into_iter()
        .flatten()
    {
        if let Ok(Some(accounts)) = store.accounts() {
            for account in accounts.iter().filter(|a| a.starts_with(&prefix)) {
                if store.delete(account).unwrap_or(false) {
                    done.role_credentials_removed += 1;
                }
            }
        }
    }
    Ok(done)
}

/// A token for `sign_in`: the cached one while valid, else refreshed with the refresh token,
/// else — when `interactive` — a new sign-in by device code. Under the session's lock.
pub fn token(
    ws: &Workspace,
    sign_in: &SignIn,
    prompt: &dyn Prompt,
    interactive: bool,
) -> Result<CachedToken, Error> {
    let path = sign_in.cache_file(ws);
    if let Some(token) = CachedToken::read(&path)? {
        if token.state(ws.clock().now()) == TokenState::Valid {
            return Ok(token);
        }
    }
    let _lock = lanyard_core::files::lock_in(ws.data_dir(), &sign_in.lock_name())?;
    let cached = CachedToken::read(&path)?;
    let now = ws.clock().now();
    if let Some(token) = &cached {
        match token.state(now) {
            TokenState::Valid => return Ok(token.clone()),
            TokenState::Refreshable => match refresh(ws, sign_in, token) {
                Ok(fresh) => {
                    fresh.write(&path)?;
                    return Ok(fresh);
                }
                Err(_) if interactive => {}
                Err(error) => return Err(error),
            },
            TokenState::Expired => {}
        }
    }
    if !interactive {
        return Err(Error::new(
            ErrorKind::Invalid,
            match cached {
                Some(_) => format!(
                    "the IAM Identity Center sign-in of {} has expired",
                    sign_in.label()
                ),
                None => format!(
                    "there is no IAM Identity Center sign-in for {}",
                    sign_in.label()
                ),
            },
        )
        .fix(format!(
            "run `lanyard login {}`",
            sign_in.session.as_deref().unwrap_or("PROFILE")
        )));
    }
    let fresh = sign_in_anew(ws, sign_in, cached.as_ref(), prompt, Method::Browser)?;
    fresh.write(&path)?;
    Ok(fresh)
}

/// A new access token from the refresh token; the rotated refresh token is kept.
fn refresh(ws: &Workspace, sign_in: &SignIn, token: &CachedToken) -> Result<CachedToken, Error> {
    let (Some(client_id), Some(client_secret), Some(refresh_token)) =
        (&token.client_id, &token.client_secret, &token.refresh_token)
    else {
        return Err(Error::new(
            ErrorKind::Invalid,
            "the cached token cannot be refreshed",
        ));
    };
    let client = oidc_client(ws, sign_in)?;
    let rt = runtime()?;
    let output = rt
        .block_on(
            client
                .create_token()
                .client_id(client_id)
                .client_secret(client_secret.expose())
                .grant_type(REFRESH_GRANT)
                .refresh_token(refresh_token.expose())
                .send(),
        )
        .map_err(|e| {
            let (code, error) = service_error("refresh the sign-in", e);
            match code.as_deref() {
                Some(
                    "InvalidGrantException" | "ExpiredTokenException" | "InvalidClientException",
                ) => Error::new(
                    ErrorKind::Invalid,
                    format!(
                        "the sign-in of {} can no longer be refreshed",
                        sign_in.label()
                    ),
                )
                .fix(format!(
                    "sign in again: `lanyard login {}`",
                    sign_in.session.as_deref().unwrap_or("PROFILE")
                )),
                _ => error,
            }
        })?;
    let now = ws.clock().now();
    let mut fresh = token.clone();
    fresh.access_token = Secret::new(output.access_token().unwrap_or_default());
    fresh.expires_at = rfc3339(now + i64::from(output.expires_in()));
    if let Some(rotated) = output.refresh_token() {
        fresh.refresh_token = Some(Secret::new(rotated));
    }
    Ok(fresh)
}

/// Role credentials for an account and role, with a valid token.
pub fn role_credentials(
    ws: &Workspace,
    sign_in: &SignIn,
    profile: &str,
    account_id: &str,
    role_name: &str,
    token: &CachedToken,
) -> Result<Credentials, Error> {
    let endpoint = endpoint(ws, Service::SSO, sign_in, Some(profile))?;
    let mut config = aws_sdk_sso::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(endpoint.region.clone()))
        .timeout_config(timeouts(crate::sts::timeout(ws.env())));
    if let Some(url) = &endpoint.url {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_sso::Client::from_conf(config.build());
    let rt = runtime()?;
    let output = rt
        .block_on(
            client
                .get_role_credentials()
                .account_id(account_id)
                .role_name(role_name)
                .access_token(token.access_token.expose())
                .send(),
        )
        .map_err(|e| {
            use aws_sdk_sso::error::ProvideErrorMetadata;
            match &e {
                aws_sdk_sso::error::SdkError::ServiceError(s) => {
                    let code = s.err().code().unwrap_or("");
                    // A 5xx of the portal often comes with no body, so no error code: name
                    // the status instead of leaving the message ending in a colon.
                    let status = s.raw().status().as_u16();
                    let what = if code.is_empty() { format!("HTTP {status}") } else { code.to_owned() };
                    let fix = match code {
                        "UnauthorizedException" => format!("sign in again: `lanyard login {}`", sign_in.session.as_deref().unwrap_or(profile)),
                        "ForbiddenException" | "ResourceNotFoundException" => format!("check that your user may use role {role_name} in account {account_id} (`lanyard sso accounts`)"),
                        "TooManyRequestsException" => "IAM Identity Center is throttling requests: wait a moment and try again".to_owned(),
                        _ if status >= 500 => "IAM Identity Center had a fault: try again in a moment".to_owned(),
                        _ => "try again".to_owned(),
                    };
                    Error::new(ErrorKind::Invalid, format!("IAM Identity Center gave no credentials for role {role_name} in account {account_id} (profile `{profile}`): {what}")).fix(fix)
                }
                _ => Error::new(ErrorKind::Io, format!("cannot reach IAM Identity Center for role {role_name} in account {account_id}"))
                    .fix("check the network, or AWS_ENDPOINT_URL_SSO"),
            }
        })?;
    let issued = output.role_credentials().ok_or_else(|| {
        Error::new(
            ErrorKind::Invalid,
            format!("IAM Identity Center gave no credentials for role {role_name}"),
        )
    })?;
    Ok(Credentials {
        access_key_id: issued.access_key_id().unwrap_or_default().to_owned(),
        secret_access_key: Secret::new(issued.secret_access_key().unwrap_or_default()),
        session_token: issued.session_token().map(Secret::new),
        expiration: Some(issued.expiration() / 1000),
        account_id: Some(account_id.to_owned()),
    })
}
