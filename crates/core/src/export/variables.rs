//! Which variables an export sets and which it removes. The lists and the reasons for each are
//! in the [module documentation](super); this is where they are kept, so that `export` and
//! `exec` cannot drift apart.

use std::borrow::Cow;

use crate::credentials::rfc3339;

use super::Exported;

/// The variable [`exec_environment`](super::exec_environment) sets to the profile's name, so a child process (and a
/// prompt) can tell which profile it runs under.
pub const PROFILE_MARKER: &str = "LANYARD_PROFILE";

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
pub(super) const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const CREDENTIAL_EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";
const REGION: &str = "AWS_REGION";
const DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
const SECURITY_TOKEN: &str = "AWS_SECURITY_TOKEN";
const PROFILE: &str = "AWS_PROFILE";
const DEFAULT_PROFILE: &str = "AWS_DEFAULT_PROFILE";

/// Variables of other credential sources, removed for `exec` only.
const OTHER_SOURCES: [&str; 6] = [
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];

/// The variables both commands set, in output order, with their values.
pub(super) fn set<'a>(e: &Exported<'a>) -> Vec<(&'static str, Cow<'a, str>)> {
    let credentials = e.credentials;
    let mut set = vec![
        (
            ACCESS_KEY_ID,
            Cow::Borrowed(credentials.access_key_id.as_str()),
        ),
        (
            SECRET_ACCESS_KEY,
            Cow::Borrowed(credentials.secret_access_key.expose()),
        ),
    ];
    if let Some(token) = &credentials.session_token {
        set.push((SESSION_TOKEN, Cow::Borrowed(token.expose())));
    }
    if let Some(expiration) = credentials.expiration {
        set.push((CREDENTIAL_EXPIRATION, Cow::Owned(rfc3339(expiration))));
    }
    if let Some(region) = e.region {
        set.push((REGION, Cow::Borrowed(region)));
        set.push((DEFAULT_REGION, Cow::Borrowed(region)));
    }
    set
}

/// The variables both commands remove: those that would outrank or contradict the ones set.
fn stale(e: &Exported<'_>) -> Vec<&'static str> {
    let mut remove = Vec::with_capacity(8);
    // A stale token next to fresh long-term keys makes every request fail.
    if e.credentials.session_token.is_none() {
        remove.push(SESSION_TOKEN);
    }
    if e.credentials.expiration.is_none() {
        remove.push(CREDENTIAL_EXPIRATION);
    }
    // The legacy token name boto still reads, and profile names that tools would print or
    // pass on although the keys in the environment win.
    remove.extend([SECURITY_TOKEN, PROFILE, DEFAULT_PROFILE]);
    // So the region of a previous profile does not linger.
    if e.region.is_none() {
        remove.extend([REGION, DEFAULT_REGION]);
    }
    remove
}

/// What `export` removes: the stale variables and a `LANYARD_PROFILE` it does not set, since a
/// pasted snapshot outlives the credentials and a marker would claim more than it knows.
pub(super) fn removed_by_export(e: &Exported<'_>) -> Vec<&'static str> {
    let mut remove = stale(e);
    remove.push(PROFILE_MARKER);
    remove
}

/// What `exec` removes: the stale variables and those of every other credential source, so the
/// child sees this profile and nothing else.
pub(super) fn removed_by_exec(e: &Exported<'_>) -> Vec<&'static str> {
    let mut remove = stale(e);
    remove.extend(OTHER_SOURCES);
    remove
}

#[cfg(test)]
mod tests {
    use crate::export::tests::{long_term, temporary, with_region, without_region, TRICKY};
    use crate::export::{exec_environment, render, Format, PROFILE_MARKER};

    #[test]
    fn exec_environment_sets_the_marker_and_removes_other_sources() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        let (set, remove) = exec_environment(&with_region(&credentials));
        let set: Vec<(&str, &str)> = set.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            set,
            [
                ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "wJalr/K7MDENG+bPxR"),
                ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLE+/="),
                ("AWS_CREDENTIAL_EXPIRATION", "2023-11-14T22:13:20Z"),
                ("AWS_REGION", "eu-west-1"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
                ("LANYARD_PROFILE", "dev"),
            ]
        );
        assert_eq!(
            remove,
            [
                "AWS_SECURITY_TOKEN",
                "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_ROLE_ARN",
                "AWS_ROLE_SESSION_NAME",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            ]
        );

        let credentials = long_term();
        let (set, remove) = exec_environment(&without_region(&credentials));
        let names: Vec<&str> = set.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "LANYARD_PROFILE"
            ]
        );
        assert_eq!(
            remove[..7],
            [
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION",
                "AWS_SECURITY_TOKEN",
                "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
            ]
        );
        assert_eq!(remove.len(), 13);
        // The tricky value goes through untouched: no shell is involved.
        let credentials = temporary(TRICKY);
        let (set, _) = exec_environment(&with_region(&credentials));
        assert_eq!(set[1].1, TRICKY);
    }

    #[test]
    fn set_and_removed_never_overlap() {
        for credentials in [temporary("x"), long_term()] {
            for exported in [with_region(&credentials), without_region(&credentials)] {
                let (set, remove) = exec_environment(&exported);
                for name in &remove {
                    assert!(set.iter().all(|(k, _)| k != name), "{name}");
                }
                let text = render(&exported, Format::Bash).unwrap();
                for (name, _) in &set {
                    let unset = format!("unset {name}\n");
                    assert!(!text.contains(&unset) || name == PROFILE_MARKER, "{name}");
                }
            }
        }
    }
}
