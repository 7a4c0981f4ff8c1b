//! The file-location suites: which files and which profile an environment selects.

use lanyard_core::paths::{locations, Platform};
use lanyard_core::Env;
use lanyard_testkit::conformance::{aws_runtime_test_data, locate, missing};
use serde::Deserialize;

#[derive(Deserialize)]
struct Suite {
    tests: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    environment: std::collections::BTreeMap<String, String>,
    #[serde(rename = "languageSpecificHome")]
    language_home: Option<String>,
    platform: String,
    profile: Option<String>,
    #[serde(rename = "configLocation")]
    config: String,
    #[serde(rename = "credentialsLocation")]
    credentials: String,
}

fn run(path: &std::path::Path) {
    let suite: Suite = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    for case in &suite.tests {
        let env = Env::from_pairs(case.environment.clone());
        let platform = if case.platform == "windows" {
            Platform::Windows
        } else {
            Platform::Unix
        };
        let found = locations(&env, platform, case.language_home.as_deref());
        let config = found.config.to_string_lossy();
        let credentials = found.credentials.to_string_lossy();
        if config != case.config || credentials != case.credentials {
            failures.push(format!("{}: got {config} and {credentials}", case.name));
        }
        if let Some(profile) = &case.profile {
            if &found.profile != profile {
                failures.push(format!(
                    "{}: selected {} instead of {profile}",
                    case.name, found.profile
                ));
            }
        }
    }
    println!(
        "{}: {} cases, {} failed",
        path.display(),
        suite.tests.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn smithy_rs_file_location_suite() {
    let runtime = aws_runtime_test_data();
    match locate(
        "smithy-rs/file-location-tests.json",
        runtime.as_deref().map(|d| (d, "file-location-tests.json")),
    ) {
        Some(path) => run(&path),
        None => missing("smithy-rs/file-location-tests.json"),
    }
}

#[test]
fn kotlin_file_location_suite() {
    match locate("aws-sdk-kotlin/file-location-tests.json", None) {
        Some(path) => run(&path),
        None => missing("aws-sdk-kotlin/file-location-tests.json"),
    }
}
