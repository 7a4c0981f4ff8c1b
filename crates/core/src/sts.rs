//! Assuming roles with STS, and keeping the results in the keychain until shortly before they
//! expire.
//!
//! Role credentials are secrets: the cache is the keychain, never a file. A chain is refreshed
//! under a lock of its own, so that many SDK processes asking at once cause one `AssumeRole`
//! per hop, not one each.

use std::path::Path;

use aws_sdk_sts::config::{BehaviorVersion, Region};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::credentials::{unix_now, Credentials};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;
use crate::vault::SecretStore;

/// Cached credentials are renewed this long before they expire.
pub const REFRESH_BEFORE_SECONDS: i64 = 5 * 60;

/// One `AssumeRole` of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRequest {
    /// The profile that declares the role.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `role_session_name`.
    pub session_name: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<i32>,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
}

/// Where and how STS is called.
#[derive(Clone, Debug, Default)]
pub struct StsSettings {
    /// The region of the STS endpoint.
    pub region: String,
    /// An endpoint that replaces the default (`AWS_ENDPOINT_URL_STS`, `endpoint_url`, …).
    pub endpoint: Option<String>,
}

/// The cache entry of a chain: what it starts from, where STS is, and every hop.
pub fn cache_key(
    base_access_key_id: &str,
    roles: &[RoleRequest],
    settings: &StsSettings,
) -> String {
    let mut hasher = Sha1::new();
    hasher.update(base_access_key_id.as_bytes());
    hasher.update([0]);
    hasher.update(settings.region.as_bytes());
    hasher.update([0]);
    hasher.update(settings.endpoint.as_deref().unwrap_or("").as_bytes());
    for role in roles {
        for part in [
            Some(role.role_arn.as_str()),
            role.external_id.as_deref(),
            role.session_name.as_deref(),
            role.mfa_serial.as_deref(),
        ] {
            hasher.update([0]);
            hasher.update(part.unwrap_or("").as_bytes());
        }
        hasher.update(role.duration_seconds.unwrap_or(0).to_le_bytes());
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("role-cache:{hex}")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Cached {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Zeroizing<String>,
    expiration: i64,
    #[serde(default)]
    account_id: Option<String>,
}

/// Credentials from the cache that stay valid for more than [`REFRESH_BEFORE_SECONDS`].
pub fn cached(store: &dyn SecretStore, key: &str) -> Option<Credentials> {
    let value = store.read(key).ok()??;
    let cached: Cached = serde_json::from_str(value.expose()).ok()?;
    (cached.expiration - unix_now() > REFRESH_BEFORE_SECONDS).then(|| Credentials {
        access_key_id: cached.access_key_id,
        secret_access_key: Secret::new(cached.secret_access_key.as_str()),
        session_token: Some(Secret::new(cached.session_token.as_str())),
        expiration: Some(cached.expiration),
        account_id: cached.account_id,
    })
}

fn store_cached(
    store: &dyn SecretStore,
    key: &str,
    credentials: &Credentials,
) -> Result<(), Error> {
    let (Some(token), Some(expiration)) = (&credentials.session_token, credentials.expiration)
    else {
        return Ok(());
    };
    let cached = Cached {
        access_key_id: credentials.access_key_id.clone(),
        secret_access_key: Zeroizing::new(credentials.secret_access_key.expose().to_owned()),
        session_token: Zeroizing::new(token.expose().to_owned()),
        expiration,
        account_id: credentials.account_id.clone(),
    };
    store.write(
        key,
        &Secret::new(serde_json::to_string(&cached).expect("serialises")),
    )
}

/// Assumes the chain of roles from the credentials `base` gives, or takes the result from the
/// cache, where `base_identity` (what the chain starts from, named without its secret) is part
/// of the key: a hit reads no other secret. `mfa` is asked for a code when a hop has an
/// `mfa_serial`.
pub fn assume_cached(
    store: Option<&dyn SecretStore>,
    data_dir: &Path,
    base_identity: &str,
    base: &mut dyn FnMut() -> Result<Credentials, Error>,
    roles: &[RoleRequest],
    settings: &StsSettings,
    mfa: &dyn Fn(&str) -> Result<String, Error>,
) -> Result<Credentials, Error> {
    let key = cache_key(base_identity, roles, settings);
    if let Some(hit) = store.and_then(|s| cached(s, &key)) {
        return Ok(hit);
    }
    // One refresh per chain at a time: whoever waited finds the fresh credentials cached.
    let _lock = crate::files::lock_in(data_dir, &key.replace(':', "-"))?;
    if let Some(hit) = store.and_then(|s| cached(s, &key)) {
        return Ok(hit);
    }
    let fresh = assume_chain(base()?, roles, settings, mfa)?;
    if let Some(store) = store {
        if let Err(error) = store_cached(store, &key, &fresh) {
            eprintln!("lanyard: warning: the role credentials were not cached: {error}");
        }
    }
    Ok(fresh)
}

/// Calls `AssumeRole` for each hop, each with the credentials of the one before.
pub fn assume_chain(
    base: Credentials,
    roles: &[RoleRequest],
    settings: &StsSettings,
    mfa: &dyn Fn(&str) -> Result<String, Error>,
) -> Result<Credentials, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot start the network runtime: {e}"),
            )
        })?;
    let mut credentials = base;
    for role in roles {
        let code = match &role.mfa_serial {
            Some(serial) => Some(mfa(serial)?),
            None => None,
        };
        credentials = runtime.block_on(assume_one(&credentials, role, settings, code))?;
    }
    Ok(credentials)
}

async fn assume_one(
    from: &Credentials,
    role: &RoleRequest,
    settings: &StsSettings,
    mfa_code: Option<String>,
) -> Result<Credentials, Error> {
    let provider = aws_credential_types::Credentials::new(
        from.access_key_id.clone(),
        from.secret_access_key.expose().to_owned(),
        from.session_token.as_ref().map(|t| t.expose().to_owned()),
        None,
        "lanyard",
    );
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()))
        .credentials_provider(provider);
    if let Some(endpoint) = &settings.endpoint {
        config = config.endpoint_url(endpoint);
    }
    let client = aws_sdk_sts::Client::from_conf(config.build());
    let session_name = role
        .session_name
        .clone()
        .unwrap_or_else(|| format!("lanyard-{}", unix_now()));
    let mut request = client
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(session_name)
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration_seconds);
    if let (Some(serial), Some(code)) = (&role.mfa_serial, mfa_code) {
        request = request.serial_number(serial).token_code(code);
    }
    let output = request
        .send()
        .await
        .map_err(|error| sts_error(role, settings, error))?;
    let issued = output.credentials().ok_or_else(|| {
        Error::new(
            ErrorKind::Invalid,
            format!("STS gave no credentials for {}", role.role_arn),
        )
        .fix("try again")
    })?;
    let account_id = output
        .assumed_role_user()
        .and_then(|u| u.arn().split(':').nth(4))
        .map(str::to_owned);
    Ok(Credentials {
        access_key_id: issued.access_key_id().to_owned(),
        secret_access_key: Secret::new(issued.secret_access_key()),
        session_token: Some(Secret::new(issued.session_token())),
        expiration: Some(issued.expiration().secs()),
        account_id,
    })
}

fn sts_error<E: std::error::Error + 'static, R: std::fmt::Debug>(
    role: &RoleRequest,
    settings: &StsSettings,
    error: aws_sdk_sts::error::SdkError<E, R>,
) -> Error {
    use aws_sdk_sts::error::SdkError;
    let target = settings
        .endpoint
        .clone()
        .unwrap_or_else(|| format!("STS in {}", settings.region));
    match &error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => Error::new(
            ErrorKind::Io,
            format!(
                "cannot reach {target} to assume {} (profile `{}`)",
                role.role_arn, role.profile
            ),
        )
        .fix("check the network, or the endpoint_url / AWS_ENDPOINT_URL_STS setting"),
        SdkError::ServiceError(service) => {
            let detail = aws_sdk_sts::error::DisplayErrorContext(service.err()).to_string();
            Error::new(
                ErrorKind::Invalid,
                format!(
                    "STS refused to assume {} (profile `{}`): {detail}",
                    role.role_arn, role.profile
                ),
            )
            .fix("check the role's trust policy, the external_id and the source credentials")
        }
        _ => Error::new(
            ErrorKind::Io,
            format!(
                "assuming {} failed: {}",
                role.role_arn,
                aws_sdk_sts::error::DisplayErrorContext(&error)
            ),
        )
        .fix("try again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MemoryStore;

    fn credentials(expiration: i64) -> Credentials {
        Credentials {
            access_key_id: "ASIACACHED".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(expiration),
            account_id: Some("123456789012".into()),
        }
    }

    #[test]
    fn the_cache_serves_until_five_minutes_before_expiry() {
        let store = MemoryStore::default();
        store_cached(&store, "k", &credentials(unix_now() + 3600)).unwrap();
        assert_eq!(cached(&store, "k").unwrap().access_key_id, "ASIACACHED");
        store_cached(
            &store,
            "k",
            &credentials(unix_now() + REFRESH_BEFORE_SECONDS - 1),
        )
        .unwrap();
        assert!(cached(&store, "k").is_none(), "close to expiry: refresh");
        assert!(cached(&store, "missing").is_none());
    }

    #[test]
    fn the_cache_key_depends_on_every_hop_and_the_endpoint() {
        let role = RoleRequest {
            profile: "p".into(),
            role_arn: "arn:aws:iam::1:role/R".into(),
            external_id: None,
            session_name: None,
            duration_seconds: None,
            mfa_serial: None,
        };
        let settings = StsSettings {
            region: "us-east-1".into(),
            endpoint: None,
        };
        let key = cache_key("AKID", std::slice::from_ref(&role), &settings);
        let other_external = RoleRequest {
            external_id: Some("x".into()),
            ..role.clone()
        };
        assert_ne!(key, cache_key("AKID", &[other_external], &settings));
        assert_ne!(
            key,
            cache_key("AKID2", std::slice::from_ref(&role), &settings)
        );
        let local = StsSettings {
            endpoint: Some("http://127.0.0.1:5000".into()),
            ..settings.clone()
        };
        assert_ne!(key, cache_key("AKID", std::slice::from_ref(&role), &local));
        assert!(key.starts_with("role-cache:"));
    }
}
