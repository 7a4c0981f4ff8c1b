//! Resolved AWS credentials, and the `credential_process` Version 1 document.

use crate::secret::Secret;

/// Credentials ready to sign requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `SecretAccessKey`.
    pub secret_access_key: Secret,
    /// `SessionToken`, for temporary credentials.
    pub session_token: Option<Secret>,
    /// When temporary credentials expire, as Unix seconds.
    pub expiration: Option<i64>,
    /// The account they belong to, when known.
    pub account_id: Option<String>,
}

/// Formats Unix seconds as RFC 3339 in UTC (`2026-11-23T15:04:05Z`).
pub fn rfc3339(unix: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Parses the RFC 3339 forms AWS uses (`2026-11-23T15:04:05Z`, with optional fraction and
/// `+00:00`-style offsets) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

impl Credentials {
    /// The Version 1 JSON document `credential_process` programs print.
    pub fn process_json(&self) -> String {
        let mut doc = serde_json::Map::new();
        doc.insert("Version".into(), 1.into());
        doc.insert("AccessKeyId".into(), self.access_key_id.clone().into());
        doc.insert(
            "SecretAccessKey".into(),
            self.secret_access_key.expose().into(),
        );
        if let Some(token) = &self.session_token {
            doc.insert("SessionToken".into(), token.expose().into());
        }
        if let Some(expiration) = self.expiration {
            doc.insert("Expiration".into(), rfc3339(expiration).into());
        }
        if let Some(account) = &self.account_id {
            doc.insert("AccountId".into(), account.clone().into());
        }
        serde_json::Value::Object(doc).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        for unix in [0, 951_782_400, 1_700_000_000, 1_795_447_365, 4_102_444_800] {
            assert_eq!(
                parse_rfc3339(&rfc3339(unix)),
                Some(unix),
                "{}",
                rfc3339(unix)
            );
        }
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(
            parse_rfc3339("2023-11-14T23:13:20.123+01:00"),
            Some(1_700_000_000)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn process_json_has_the_version_1_fields() {
        let credentials = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(1_700_000_000),
            account_id: Some("123456789012".into()),
        };
        let json: serde_json::Value = serde_json::from_str(&credentials.process_json()).unwrap();
        assert_eq!(json["Version"], 1);
        assert_eq!(json["Expiration"], "2023-11-14T22:13:20Z");
        assert_eq!(json["AccountId"], "123456789012");
        assert!(!format!("{credentials:?}").contains("\"s\""));
    }
}
