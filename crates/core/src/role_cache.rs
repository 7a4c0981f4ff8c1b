//! The cache of temporary credentials (assumed roles), kept in a secret store — the kernel
//! keyring on Linux, where a read costs a system call instead of D-Bus round trips, else the
//! keychain — never in a file.
//!
//! An entry is keyed by what the chain starts from (named without its secret, so a hit reads
//! no other secret), where STS is, and every hop. It is served until shortly before it
//! expires: five minutes, or half its lifetime when it was issued for less than ten, so that
//! short-lived credentials are still reused rather than fetched on every call.

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::plan::RoleStep;
use crate::secret::Secret;
use crate::vault::SecretStore;

/// Cached credentials are renewed this long before they expire (at most).
pub const REFRESH_BEFORE_SECONDS: i64 = 5 * 60;

/// The cache entry of a chain.
pub fn key(base_identity: &str, roles: &[RoleStep], sts: &Endpoint) -> String {
    let mut hasher = Sha1::new();
    hasher.update(base_identity.as_bytes());
    hasher.update([0]);
    hasher.update(sts.region.as_bytes());
    hasher.update([0]);
    hasher.update(sts.url.as_deref().unwrap_or("").as_bytes());
    for role in roles {
        for part in [
            Some(role.role_arn.as_str()),
            role.external_id.as_deref(),
            role.role_session_name.as_deref(),
            role.mfa_serial.as_deref(),
        ] {
            hasher.update([0]);
            hasher.update(part.unwrap_or("").as_bytes());
        }
        hasher.update(role.duration_seconds.unwrap_or(0).to_le_bytes());
    }
    format!("role-cache:{}", hex::encode(hasher.finalize()))
}

#[derive(Serialize, Deserialize)]
struct Cached {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Zeroizing<String>,
    expiration: i64,
    #[serde(default)]
    issued: Option<i64>,
    #[serde(default)]
    account_id: Option<String>,
}

/// How long before `expiration` credentials issued at `issued` are renewed.
pub fn refresh_window(issued: Option<i64>, expiration: i64) -> i64 {
    match issued {
        Some(issued) if expiration - issued < 2 * REFRESH_BEFORE_SECONDS => {
            (expiration - issued) / 2
        }
        _ => REFRESH_BEFORE_SECONDS,
    }
}

/// Whether credentials are still good to serve at `now`.
pub fn is_fresh(credentials: &Credentials, issued: Option<i64>, now: i64) -> bool {
    match credentials.expiration {
        None => true,
        Some(expiration) => expiration - now > refresh_window(issued, expiration),
    }
}

/// Credentials from the cache that are still fresh at `now`.
pub fn read(store: &dyn SecretStore, key: &str, now: i64) -> Option<Credentials> {
    let value = store.read(key).ok()??;
    let cached: Cached = serde_json::from_str(value.expose()).ok()?;
    let credentials = Credentials {
        access_key_id: cached.access_key_id,
        secret_access_key: Secret::new(cached.secret_access_key.as_str()),
        session_token: Some(Secret::new(cached.session_token.as_str())),
        expiration: Some(cached.expiration),
        account_id: cached.account_id,
    };
    is_fresh(&credentials, cached.issued, now).then_some(credentials)
}

/// Keeps temporary credentials issued at `issued`; others are not cached.
pub fn write(
    store: &dyn SecretStore,
    key: &str,
    credentials: &Credentials,
    issued: i64,
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
        issued: Some(issued),
        account_id: credentials.account_id.clone(),
    };
    store.write_until(
        key,
        &Secret::new(serde_json::to_string(&cached).expect("serialises")),
        expiration,
        issued,
    )
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
        let now = 1_000_000;
        write(&store, "k", &credentials(now + 3600), now).unwrap();
        assert_eq!(read(&store, "k", now).unwrap().access_key_id, "ASIACACHED");
        assert!(read(&store, "k", now + 3600 - REFRESH_BEFORE_SECONDS + 1).is_none());
        assert!(read(&store, "missing", now).is_none());
    }

    #[test]
    fn short_lived_credentials_are_reused_for_half_their_life() {
        let store = MemoryStore::default();
        let now = 1_000_000;
        write(&store, "k", &credentials(now + 60), now).unwrap();
        assert!(read(&store, "k", now + 29).is_some(), "fresh: no STS call");
        assert!(read(&store, "k", now + 31).is_none());
    }

    #[test]
    fn the_key_depends_on_every_hop_and_the_endpoint() {
        let role = RoleStep {
            profile: "p".into(),
            role_arn: "arn:aws:iam::1:role/R".into(),
            external_id: None,
            role_session_name: None,
            duration_seconds: None,
            mfa_serial: None,
        };
        let sts = Endpoint {
            region: "us-east-1".into(),
            url: None,
        };
        let k = key("AKID", std::slice::from_ref(&role), &sts);
        let other = RoleStep {
            external_id: Some("x".into()),
            ..role.clone()
        };
        assert_ne!(k, key("AKID", &[other], &sts));
        assert_ne!(k, key("AKID2", std::slice::from_ref(&role), &sts));
        let local = Endpoint {
            url: Some("http://127.0.0.1:5000".into()),
            ..sts.clone()
        };
        assert_ne!(k, key("AKID", std::slice::from_ref(&role), &local));
        assert!(k.starts_with("role-cache:"));
    }
}
