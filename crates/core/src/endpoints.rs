//! Where an AWS service is reached, from the configuration alone: the one rule STS, IAM
//! Identity Center (portal and OIDC) and every later client share.
//!
//! The SDKs' precedence, highest first (botocore's `profile-tests.json` endpoint suite pins
//! it): an endpoint the caller gives the client; `AWS_ENDPOINT_URL_<SERVICE>`;
//! `AWS_ENDPOINT_URL`; the service's block in the profile's `[services NAME]` section; the
//! profile's `endpoint_url`. Both variables outrank both settings in the files.
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` or the profile's
//! `ignore_configured_endpoint_urls = true` turns off all of them but the caller's. The region:
//! `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`, as the SDKs' region chain has it.

use lanyard_ini::{Section, Sections};
use serde::Serialize;

use crate::env::Env;

/// A service Lanyard calls, named as the SDKs' endpoint settings name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Service {
    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>`.
    pub env_suffix: &'static str,
    /// The key of its block in a `[services]` section.
    pub config_key: &'static str,
}

impl Service {
    /// AWS Security Token Service.
    pub const STS: Service = Service::new("STS", "sts");
    /// The IAM Identity Center portal (accounts, roles, role credentials).
    pub const SSO: Service = Service::new("SSO", "sso");
    /// IAM Identity Center OIDC (client registration, tokens).
    pub const SSO_OIDC: Service = Service::new("SSO_OIDC", "sso_oidc");

    /// A service by its endpoint setting names.
    pub const fn new(env_suffix: &'static str, config_key: &'static str) -> Service {
        Service {
            env_suffix,
            config_key,
        }
    }
}

/// Where and how a client reaches a service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The region the client signs for.
    pub region: String,
    /// A configured endpoint URL that replaces the service's default one.
    pub url: Option<String>,
}

fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The configured endpoint URL of `service` for a profile, if any (see the module
/// documentation for the order).
pub fn configured_url(
    service: Service,
    profile: Option<&Section>,
    sections: &Sections,
    env: &Env,
) -> Option<String> {
    let from_profile = |key: &str| profile.and_then(|p| p.get(key));
    if is_true(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
        || is_true(from_profile("ignore_configured_endpoint_urls"))
    {
        return None;
    }
    let block = from_profile("services")
        .and_then(|name| sections.services.get(name))
        .and_then(|s| {
            s.properties
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(service.config_key))
                .map(|(_, p)| p)
        })
        .and_then(|p| p.sub_property("endpoint_url"))
        .map(|s| s.value.as_str());
    env.get(&format!("AWS_ENDPOINT_URL_{}", service.env_suffix))
        .or(env.get("AWS_ENDPOINT_URL"))
        .or(block)
        .or(from_profile("endpoint_url"))
        .map(str::to_owned)
}

/// The region for a profile's clients.
pub fn region(profile: Option<&Section>, env: &Env) -> String {
    // The SDKs' region chain: the environment first, then the profile.
    env.get("AWS_REGION")
        .or(env.get("AWS_DEFAULT_REGION"))
        .or(profile.and_then(|p| p.get("region")))
        .unwrap_or("us-east-1")
        .to_owned()
}

/// Region and configured endpoint of `service` for a profile.
pub fn endpoint(
    service: Service,
    profile: Option<&Section>,
    sections: &Sections,
    env: &Env,
) -> Endpoint {
    Endpoint {
        region: region(profile, env),
        url: configured_url(service, profile, sections, env),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_region_comes_before_the_profile_s() {
        let doc = lanyard_ini::Document::parse(
            "[profile p]\nregion = eu-west-1\n",
            lanyard_ini::Kind::Config,
        );
        let sections = doc.sections().unwrap();
        let profile = sections.profiles.get("p");
        assert_eq!(region(profile, &Env::default()), "eu-west-1");
        assert_eq!(
            region(
                profile,
                &Env::from_pairs([("AWS_DEFAULT_REGION", "ap-south-1")])
            ),
            "ap-south-1"
        );
        assert_eq!(
            region(
                profile,
                &Env::from_pairs([
                    ("AWS_REGION", "us-west-2"),
                    ("AWS_DEFAULT_REGION", "ap-south-1")
                ])
            ),
            "us-west-2"
        );
        assert_eq!(region(None, &Env::default()), "us-east-1");
    }
}
