//! botocore's configured-endpoint suite (`endpointUrlTests`) against
//! `lanyard_core::endpoints`: its profiles and `[services]` blocks are written through
//! `lanyard-ini`, read back as a `ProfileSet`, and each case's service is resolved with the
//! case's environment.
//!
//! The client configuration is the caller's part, so it is applied here as a caller would:
//! an `endpoint_url` given to the client wins over everything, and the client's
//! `ignore_configured_endpoint_urls` turns every configured URL off. Where nothing is
//! configured Lanyard answers `None` (the service's default), and botocore's expected value
//! must be that default: `https://<service>.<region>.amazonaws.com` in the profile's region.

use std::collections::BTreeMap;

use lanyard_core::endpoints::{endpoint, Service};
use lanyard_core::{Env, ProfileSet};
use lanyard_ini::{Document, Kind, SectionId};
use lanyard_testkit::conformance::{locate, missing};
use serde::Deserialize;

type Keys = BTreeMap<String, String>;

#[derive(Deserialize)]
struct File {
    #[serde(rename = "testSuites")]
    suites: Vec<Suite>,
}

#[derive(Deserialize)]
struct Suite {
    profiles: BTreeMap<String, Keys>,
    services: BTreeMap<String, BTreeMap<String, Keys>>,
    client_configs: BTreeMap<String, ClientConfig>,
    environments: BTreeMap<String, Keys>,
    #[serde(rename = "endpointUrlTests")]
    tests: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientConfig {
    endpoint_url: Option<String>,
    #[serde(default)]
    ignore_configured_endpoint_urls: bool,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    profile: String,
    client_config: String,
    environment: String,
    service: String,
    output: Output,
}

#[derive(Deserialize)]
struct Output {
    #[serde(rename = "endpointUrl")]
    endpoint_url: String,
}

/// The suite's profiles and services, written as a config file by Lanyard's edit API and
/// read back.
fn profile_set(suite: &Suite) -> ProfileSet {
    let mut doc = Document::parse("", Kind::Config);
    for (name, keys) in &suite.profiles {
        for (key, value) in keys {
            doc.set(&SectionId::profile(name.as_str()), key, value)
                .unwrap();
        }
    }
    for (name, blocks) in &suite.services {
        for (service, keys) in blocks {
            for (key, value) in keys {
                doc.set_sub_property(&SectionId::services(name.as_str()), service, key, value)
                    .unwrap();
            }
        }
    }
    let text = doc.render();
    let sections = Document::parse(&text, Kind::Config)
        .sections()
        .unwrap_or_else(|e| panic!("the written file does not read back: {e}\n{text}"));
    ProfileSet::new(sections)
}

fn service(name: &str) -> Option<Service> {
    match name {
        "s3" => Some(Service::new("S3", "s3")),
        "dynamodb" => Some(Service::new("DYNAMODB", "dynamodb")),
        _ => None,
    }
}

/// One case: `Ok` when Lanyard, applied as a client would apply it, gives botocore's URL.
fn check(suite: &Suite, set: &ProfileSet, case: &Case) -> Result<(), String> {
    let service = service(&case.service).ok_or(format!("unknown service `{}`", case.service))?;
    let profile = set
        .profile(&case.profile)
        .ok_or(format!("no profile `{}`", case.profile))?;
    let client = suite
        .client_configs
        .get(&case.client_config)
        .ok_or(format!("no client config `{}`", case.client_config))?;
    let env = suite
        .environments
        .get(&case.environment)
        .ok_or(format!("no environment `{}`", case.environment))?;
    let env = Env::from_pairs(env.clone());
    let resolved = endpoint(service, Some(profile), set.sections(), &env);
    let url = match (&client.endpoint_url, client.ignore_configured_endpoint_urls) {
        (Some(url), _) => Some(url.clone()),
        (None, true) => None,
        (None, false) => resolved.url,
    };
    let expected = &case.output.endpoint_url;
    match url {
        Some(url) if url == *expected => Ok(()),
        Some(url) => Err(format!("got {url}, expected {expected}")),
        None => {
            let default = format!(
                "https://{}.{}.amazonaws.com",
                service.config_key, resolved.region
            );
            (*expected == default).then_some(()).ok_or(format!(
                "nothing configured (the default, {default}), expected {expected}"
            ))
        }
    }
}

#[test]
fn botocore_endpoint_url_suite() {
    let Some(path) = locate("botocore/profile-tests.json", None) else {
        return missing("botocore/profile-tests.json");
    };
    let file: File = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(file.suites.len(), 1, "one test suite in {}", path.display());
    let suite = &file.suites[0];
    let set = profile_set(suite);
    let mut failures = Vec::new();
    for (index, case) in suite.tests.iter().enumerate() {
        if let Err(why) = check(suite, &set, case) {
            failures.push(format!("#{index} {}: {why}", case.name));
        }
    }
    println!(
        "botocore endpointUrlTests: {} cases, {} failed",
        suite.tests.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
