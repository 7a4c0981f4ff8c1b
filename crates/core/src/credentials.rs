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

/// The current time in Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Formats Unix seconds as RFC 3339 in UTC (`2026-11-23T15:04:05Z`).
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// Parses the RFC 3339 forms AWS uses (`2026-11-23T15:04:05Z`, with optional fraction and
/// `+00:00`-style offsets) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: u32 = date_parts.next()?.parse().ok()?;
    let day: u32 = date_parts.next()?.parse().ok()?;
    let (clock, offset_seconds) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let split = time.rfind(['+', '-'])?;
        let (clock, offset) = time.split_at(split);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, m) = offset[1..].split_once(':').unwrap_or((&offset[1..], "0"));
        (
            clock,
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        )
    };
    let clock = clock.split('.').next()?;
    let mut clock_parts = clock.splitn(3, ':');
    let hour: i64 = clock_parts.next()?.parse().ok()?;
    let minute: i64 = clock_parts.next()?.parse().ok()?;
    let second: i64 = clock_parts.next().unwrap_or("0").parse().ok()?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
            - offset_seconds,
    )
}

// Howard Hinnant's civil-date algorithms.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
