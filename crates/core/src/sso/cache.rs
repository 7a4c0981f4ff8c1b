//! The SSO token cache, byte-compatible with the AWS CLI v2.
//!
//! One JSON file per sign-in, `~/.aws/sso/cache/<name>.json`, where `<name>` is the SHA-1 (hex)
//! of the `sso-session` name, or of the start URL for a legacy profile that sets
//! `sso_start_url` itself. The members are camelCase: `startUrl`, `region`, `accessToken`,
//! `expiresAt` (RFC 3339, UTC), and for a refreshable token `clientId`, `clientSecret`,
//! `registrationExpiresAt` and `refreshToken`. Members Lanyard does not know are kept as they
//! are when it rewrites a file, so another tool's additions survive. Files are 0600, the
//! folder 0700, and every write replaces the file atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The cache folder under a home: `HOME/.aws/sso/cache`.
pub fn cache_dir(home: &Path) -> PathBuf {
    home.join(".aws").join("sso").join("cache")
}

/// The cache file of an `sso-session` (by name) or of a legacy profile (by start URL).
pub fn cache_path(dir: &Path, session_name: Option<&str>, start_url: &str) -> PathBuf {
    let key = session_name.unwrap_or(start_url);
    dir.join(format!(
        "{}.json",
        hex::encode(Sha1::digest(key.as_bytes()))
    ))
}

/// A cached token. Secrets print as `***` and are zeroed when dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedToken {
    /// The portal's start URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    /// The region of IAM Identity Center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The bearer token for the portal.
    #[serde(with = "secret_text")]
    pub access_token: Secret,
    /// When the access token expires (RFC 3339).
    pub expires_at: String,
    /// The registered OIDC client, for refreshing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client's secret.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_secret_text"
    )]
    pub client_secret: Option<Secret>,
    /// When the client registration expires (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_expires_at: Option<String>,
    /// The token that gets a new access token without a sign-in.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_secret_text"
    )]
    pub refresh_token: Option<Secret>,
    /// Members other tools wrote, kept as they are.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

mod secret_text {
    use crate::secret::Secret;
    pub fn serialize<S: serde::Serializer>(value: &Secret, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        let text = zeroize::Zeroizing::new(<String as serde::Deserialize>::deserialize(d)?);
        Ok(Secret::new(text.as_str()))
    }
}

mod optional_secret_text {
    use crate::secret::Secret;
    pub fn serialize<S: serde::Serializer>(
        value: &Option<Secret>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_some(v.expose()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        let text: Option<zeroize::Zeroizing<String>> = serde::Deserialize::deserialize(d)?;
        Ok(text.map(|t| Secret::new(t.as_str())))
    }
}

/// Where a cached sign-in stands at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenState {
    /// The access token is good.
    Valid,
    /// The access token has expired, but a refresh token and a live registration can get a
    /// new one without asking the user.
    Refreshable,
    /// A new sign-in is needed.
    Expired,
}

impl CachedToken {
    /// Reads a cache file; `None` when there is none. A file that is not a token is an error
    /// naming it (it is left as it is).
    pub fn read(path: &Path) -> Result<Option<CachedToken>, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => zeroize::Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", path, &e)),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::new(
                ErrorKind::Unreadable,
                format!(
                    "the SSO token cache is not a token the AWS CLI or Lanyard wrote ({})",
                    e.classify_name()
                ),
            )
            .at(path, None)
            .fix("remove the file and sign in again with `lanyard login`")
        })
    }

    /// Writes the token atomically (0600; the folder 0700).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let text =
            zeroize::Zeroizing::new(serde_json::to_string(self).expect("a token serialises"));
        crate::files::write_private_file(path, &text)
    }

    /// When the access token expires, in Unix seconds.
    pub fn expires(&self) -> Option<i64> {
        crate::credentials::parse_rfc3339(&self.expires_at)
    }

    /// When the client registration expires, in Unix seconds.
    pub fn registration_expires(&self) -> Option<i64> {
        self.registration_expires_at
            .as_deref()
            .and_then(crate::credentials::parse_rfc3339)
    }

    /// Where the sign-in stands at `now`.
    pub fn state(&self, now: i64) -> TokenState {
        if self.expires().is_some_and(|e| e > now) {
            return TokenState::Valid;
        }
        let can_refresh = self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires().is_some_and(|e| e > now);
        if can_refresh {
            TokenState::Refreshable
        } else {
            TokenState::Expired
        }
    }
}

trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "it cannot be read",
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "it is not JSON"
            }
            serde_json::error::Category::Data => "a member is missing or of the wrong type",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWS_CLI_CACHE: &str = r#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "aoaAAAAAGTokenValue", "expiresAt": "2026-12-01T20:00:00Z", "clientId": "client-1", "clientSecret": "client-secret-value", "registrationExpiresAt": "2027-02-28T20:00:00Z", "refreshToken": "aorAAAAAGRefreshValue", "futureMember": {"kept": true}}"#;

    #[test]
    fn the_file_name_is_the_sha1_of_the_session_name_or_the_start_url() {
        let dir = Path::new("/h/.aws/sso/cache");
        // The AWS CLI v2's names: sha1("my-sso") and sha1 of the start URL.
        assert_eq!(
            cache_path(dir, Some("my-sso"), "https://x/start"),
            dir.join(format!("{}.json", hex::encode(Sha1::digest(b"my-sso"))))
        );
        assert_eq!(
            cache_path(dir, None, "https://d-abc.awsapps.com/start"),
            dir.join(format!(
                "{}.json",
                hex::encode(Sha1::digest(b"https://d-abc.awsapps.com/start"))
            ))
        );
    }

    #[test]
    fn a_token_the_aws_cli_wrote_reads_and_writes_back_with_every_member() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sso/cache/t.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, AWS_CLI_CACHE).unwrap();
        let token = CachedToken::read(&path).unwrap().unwrap();
        assert_eq!(token.access_token.expose(), "aoaAAAAAGTokenValue");
        assert!(!format!("{token:?}").contains("TokenValue"));
        assert!(!format!("{token:?}").contains("client-secret-value"));
        token.write(&path).unwrap();
        let back: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let original: serde_json::Value = serde_json::from_str(AWS_CLI_CACHE).unwrap();
        assert_eq!(back, original);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn the_state_says_whether_a_sign_in_is_needed() {
        let token: CachedToken = serde_json::from_str(AWS_CLI_CACHE).unwrap();
        let expires = token.expires().unwrap();
        assert_eq!(token.state(expires - 1), TokenState::Valid);
        assert_eq!(token.state(expires + 1), TokenState::Refreshable);
        let registration = token.registration_expires().unwrap();
        assert_eq!(token.state(registration + 1), TokenState::Expired);
        let mut bare = token.clone();
        bare.refresh_token = None;
        assert_eq!(bare.state(expires + 1), TokenState::Expired);
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, "{\"accessToken\": 5}").unwrap();
        let error = CachedToken::read(&path).unwrap_err();
        assert_eq!(error.location.as_deref(), Some(path.to_str().unwrap()));
        assert!(CachedToken::read(&dir.path().join("none.json"))
            .unwrap()
            .is_none());
    }
}
