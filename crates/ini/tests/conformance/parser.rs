//! The profile-parser suites of smithy-rs and aws-sdk-kotlin against `lanyard-ini`.

use std::collections::BTreeMap;

use lanyard_ini::{Document, Kind, Section, Sections};
use lanyard_testkit::conformance::{aws_runtime_test_data, locate, missing};
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Deserialize)]
struct Suite {
    tests: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input: Input,
    output: Value,
}

#[derive(Deserialize)]
struct Input {
    #[serde(rename = "configFile")]
    config: Option<String>,
    #[serde(rename = "credentialsFile")]
    credentials: Option<String>,
}

/// Kotlin cases where Lanyard follows the AWS SDK for Rust instead, and why.
const KOTLIN_DIVERGENCES: &[(&str, &str)] = &[(
    "SSO Session in credentials file is invalid",
    "the Rust SDK (our reference) ignores an [sso-session] section in the credentials file with a \
     warning instead of failing the whole file; `lanyard doctor` reports it",
)];

/// Parses both inputs; the first error of either, or the merged view.
fn parse(input: &Input) -> Result<Sections, String> {
    let config = Document::parse(input.config.as_deref().unwrap_or(""), Kind::Config);
    let credentials = Document::parse(
        input.credentials.as_deref().unwrap_or(""),
        Kind::Credentials,
    );
    let config = config.sections().map_err(|d| d.message)?;
    let credentials = credentials.sections().map_err(|d| d.message)?;
    Ok(Sections::merge(config, credentials))
}

fn flat(sections: &BTreeMap<String, Section>) -> Value {
    let map: Map<String, Value> = sections
        .iter()
        .map(|(name, section)| {
            let props: Map<String, Value> = section
                .properties
                .iter()
                .map(|(k, p)| (k.clone(), json!(p.value)))
                .collect();
            (name.clone(), Value::Object(props))
        })
        .collect();
    Value::Object(map)
}

fn nested(sections: &BTreeMap<String, Section>) -> Value {
    let map: Map<String, Value> = sections
        .iter()
        .map(|(name, section)| {
            let props: Map<String, Value> = section
                .properties
                .values()
                .map(|p| {
                    let value = if p.value.starts_with('\n') {
                        Value::Object(
                            p.sub_properties
                                .iter()
                                .map(|s| (s.key.clone(), json!(s.value)))
                                .collect(),
                        )
                    } else {
                        json!(p.value)
                    };
                    (p.key.clone(), value)
                })
                .collect();
            (name.clone(), Value::Object(props))
        })
        .collect();
    Value::Object(map)
}

#[test]
fn smithy_rs_parser_suite() {
    let runtime = aws_runtime_test_data();
    let Some(path) = locate(
        "smithy-rs/profile-parser-tests.json",
        runtime.as_deref().map(|d| (d, "profile-parser-tests.json")),
    ) else {
        return missing("smithy-rs/profile-parser-tests.json");
    };
    let suite: Suite = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (index, case) in suite.tests.iter().enumerate() {
        let result = parse(&case.input);
        let verdict = match (&result, case.output.get("errorContaining")) {
            (Err(message), Some(expected)) => message
                .contains(expected.as_str().unwrap())
                .then_some(())
                .ok_or_else(|| format!("error `{message}` lacks {expected}")),
            (Ok(_), Some(expected)) => Err(format!(
                "parsed, but expected an error containing {expected}"
            )),
            (Err(message), None) => Err(format!("unexpected error: {message}")),
            (Ok(sections), None) => {
                let expected = &case.output["config"];
                let mut actual = json!({ "profiles": flat(&sections.profiles) });
                if expected.get("sso_sessions").is_some() {
                    actual["sso_sessions"] = flat(&sections.sso_sessions);
                }
                (actual == *expected)
                    .then_some(())
                    .ok_or_else(|| format!("expected {expected}, got {actual}"))
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("#{index} {}: {why}", case.name));
        }
    }
    println!(
        "smithy-rs profile-parser-tests: {} cases, {} failed ({})",
        suite.tests.len(),
        failures.len(),
        path.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kotlin_parser_suite() {
    let Some(path) = locate("aws-sdk-kotlin/profile-parser-tests.json", None) else {
        return missing("aws-sdk-kotlin/profile-parser-tests.json");
    };
    let suite: Suite = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut skipped = 0;
    for (index, case) in suite.tests.iter().enumerate() {
        if let Some((_, why)) = KOTLIN_DIVERGENCES
            .iter()
            .find(|(name, _)| *name == case.name)
        {
            println!("skipped #{index} {}: {why}", case.name);
            skipped += 1;
            continue;
        }
        let result = parse(&case.input);
        let verdict = match (&result, case.output.get("errorContaining")) {
            // Kotlin's messages are generic; that an error occurs is what is specified.
            (Err(_), Some(_)) => Ok(()),
            (Ok(_), Some(_)) => Err("parsed, but an error was expected".to_owned()),
            (Err(message), None) => Err(format!("unexpected error: {message}")),
            (Ok(sections), None) => {
                let mut actual = Map::new();
                for (key, map) in [
                    ("profiles", &sections.profiles),
                    ("sso-sessions", &sections.sso_sessions),
                    ("services", &sections.services),
                ] {
                    if !map.is_empty() {
                        actual.insert(key.to_owned(), nested(map));
                    }
                }
                if !sections.other.is_empty() {
                    let by_name: BTreeMap<String, Section> = sections
                        .other
                        .iter()
                        .map(|(key, s)| {
                            (
                                key.split_once(' ')
                                    .map_or(key.as_str(), |(_, n)| n)
                                    .to_owned(),
                                s.clone(),
                            )
                        })
                        .collect();
                    actual.insert("unknown".to_owned(), nested(&by_name));
                }
                let actual = Value::Object(actual);
                (actual == case.output)
                    .then_some(())
                    .ok_or_else(|| format!("expected {}, got {actual}", case.output))
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("#{index} {}: {why}", case.name));
        }
    }
    println!(
        "aws-sdk-kotlin profile-parser-tests: {} cases, {} skipped, {} failed",
        suite.tests.len(),
        skipped,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
