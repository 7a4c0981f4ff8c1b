//! The IAM Identity Center sign-ins the config names, and where each stands in the cache.

use std::path::Path;

use serde::Serialize;

use super::cache::{cache_path, CachedToken, TokenState};
use crate::error::Error;
use crate::model::ProfileSet;

/// One sign-in: an `[sso-session]` section, or the start URL a legacy profile names itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SsoSessionSummary {
    /// The `sso-session` name; `None` for a legacy start URL.
    pub name: Option<String>,
    /// `sso_start_url`.
    pub start_url: Option<String>,
    /// `sso_region`.
    pub region: Option<String>,
    /// `sso_registration_scopes`, split at commas.
    pub registration_scopes: Vec<String>,
    /// The profiles that sign in through it.
    pub profiles: Vec<String>,
    /// The token cache file.
    pub cache_file: String,
    /// `valid`, `refreshable` or `expired` (`None` when never signed in).
    pub state: Option<TokenState>,
    /// When the access token expires, in Unix seconds.
    pub expires_at: Option<i64>,
    /// Seconds left on the access token (0 once expired).
    pub seconds_left: Option<i64>,
    /// Whether the cache holds a refresh token.
    pub refresh_token: bool,
    /// When the client registration (and so the refresh token's use) ends, in Unix seconds.
    pub registration_expires_at: Option<i64>,
    /// Why the cache could not be read, when it could not.
    pub problem: Option<String>,
}

/// Every sign-in the config names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SsoSessions {
    /// The sessions, `[sso-session]` sections first by name, then legacy start URLs.
    pub sessions: Vec<SsoSessionSummary>,
}

/// The sign-ins of `set`, with their cache in `cache_dir` read at `now`.
pub fn sessions(set: &ProfileSet, cache_dir: &Path, now: i64) -> SsoSessions {
    let sections = set.sections();
    let mut out = Vec::new();
    for (name, section) in &sections.sso_sessions {
        let start_url = section.get("sso_start_url").map(str::to_owned);
        let path = cache_path(cache_dir, Some(name), start_url.as_deref().unwrap_or(""));
        out.push(summary(
            Some(name.clone()),
            start_url,
            section.get("sso_region").map(str::to_owned),
            section.get("sso_registration_scopes"),
            set.naming("sso_session", name),
            &path,
            now,
        ));
    }
    let mut legacy: Vec<(String, Option<String>, Vec<String>)> = Vec::new();
    for (profile, section) in &sections.profiles {
        if section.get("sso_session").is_some() {
            continue;
        }
        let Some(url) = section.get("sso_start_url") else {
            continue;
        };
        match legacy.iter_mut().find(|(u, _, _)| u == url) {
            Some((_, _, profiles)) => profiles.push(profile.clone()),
            None => legacy.push((
                url.to_owned(),
                section.get("sso_region").map(str::to_owned),
                vec![profile.clone()],
            )),
        }
    }
    for (url, region, profiles) in legacy {
        let path = cache_path(cache_dir, None, &url);
        let names: Vec<&str> = profiles.iter().map(String::as_str).collect();
        out.push(summary(None, Some(url), region, None, names, &path, now));
    }
    SsoSessions { sessions: out }
}

fn summary(
    name: Option<String>,
    start_url: Option<String>,
    region: Option<String>,
    scopes: Option<&str>,
    profiles: Vec<&str>,
    path: &Path,
    now: i64,
) -> SsoSessionSummary {
    let mut summary = SsoSessionSummary {
        name,
        start_url,
        region,
        registration_scopes: scopes
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        profiles: profiles.into_iter().map(str::to_owned).collect(),
        cache_file: path.display().to_string(),
        state: None,
        expires_at: None,
        seconds_left: None,
        refresh_token: false,
        registration_expires_at: None,
        problem: None,
    };
    match CachedToken::read(path) {
        Ok(Some(token)) => {
            summary.state = Some(token.state(now));
            summary.expires_at = token.expires();
            summary.seconds_left = token.expires().map(|e| (e - now).max(0));
            summary.refresh_token = token.refresh_token.is_some();
            summary.registration_expires_at = token.registration_expires();
        }
        Ok(None) => {}
        Err(Error { message, .. }) => summary.problem = Some(message),
    }
    summary
}
