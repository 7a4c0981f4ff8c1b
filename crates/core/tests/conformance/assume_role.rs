//! smithy-rs `assume-role-tests.json` against the pure resolver, `lanyard_core::plan`.

use std::collections::BTreeMap;

use lanyard_core::{plan, Base, ProfileSet, RoleStep};
use lanyard_testkit::conformance::{locate, missing};
use serde::Deserialize;
use serde_json::{json, Map, Value};

type Maps = BTreeMap<String, BTreeMap<String, String>>;

#[derive(Deserialize)]
struct Case {
    docs: String,
    input: Input,
    output: Value,
}

#[derive(Deserialize)]
struct Input {
    profiles: Maps,
    #[serde(default)]
    sso_sessions: Maps,
    selected_profile: String,
}

fn put(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), json!(value));
    }
}

/// The base step in the suite's encoding; absent optional fields are left out.
fn encode_base(base: &Base) -> Value {
    let mut map = Map::new();
    let tag = match base {
        Base::AccessKey {
            access_key_id,
            secret_access_key,
            account_id,
            ..
        } => {
            map.insert("access_key_id".into(), json!(access_key_id));
            map.insert(
                "secret_access_key".into(),
                json!(secret_access_key.expose()),
            );
            put(&mut map, "account_id", account_id);
            "AccessKey"
        }
        Base::CredentialSource { source, .. } => return json!({ "NamedSource": source }),
        Base::WebIdentity {
            role_arn,
            web_identity_token_file,
            role_session_name,
            ..
        } => {
            map.insert("role_arn".into(), json!(role_arn));
            map.insert(
                "web_identity_token_file".into(),
                json!(web_identity_token_file),
            );
            put(&mut map, "role_session_name", role_session_name);
            "WebIdentityToken"
        }
        Base::Sso {
            sso_start_url,
            sso_region,
            sso_account_id,
            sso_role_name,
            sso_session,
            ..
        } => {
            map.insert("sso_start_url".into(), json!(sso_start_url));
            map.insert("sso_region".into(), json!(sso_region));
            put(&mut map, "sso_account_id", sso_account_id);
            put(&mut map, "sso_role_name", sso_role_name);
            put(&mut map, "sso_session", sso_session);
            "Sso"
        }
        Base::Process { command, .. } => return json!({ "CredentialProcess": command }),
        Base::Lanyard { name, .. } => {
            return json!({ "CredentialProcess": format!("lanyard credential-process {name}") })
        }
    };
    json!({ tag: map })
}

fn encode_role(role: &RoleStep) -> Value {
    let mut map = Map::new();
    map.insert("role_arn".into(), json!(role.role_arn));
    put(&mut map, "external_id", &role.external_id);
    put(&mut map, "role_session_name", &role.role_session_name);
    json!({ "AssumeRole": map })
}

#[test]
fn smithy_rs_assume_role_suite() {
    let Some(path) = locate("smithy-rs/assume-role-tests.json", None) else {
        return missing("smithy-rs/assume-role-tests.json");
    };
    let cases: Vec<Case> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let set = ProfileSet::from_maps(&case.input.profiles, &case.input.sso_sessions);
        let result = plan(&set, &case.input.selected_profile);
        let verdict = match (result, case.output.get("Error")) {
            (Err(error), Some(expected)) => {
                let message = error.to_string();
                message
                    .contains(expected.as_str().unwrap())
                    .then_some(())
                    .ok_or_else(|| format!("error `{message}` lacks {expected}"))
            }
            (Ok(plan), Some(expected)) => {
                Err(format!("planned {plan:?}, expected error {expected}"))
            }
            (Err(error), None) => Err(format!("unexpected error: {error}")),
            (Ok(plan), None) => {
                let mut chain = vec![encode_base(&plan.base)];
                chain.extend(plan.roles.iter().map(encode_role));
                let actual = json!({ "ProfileChain": chain });
                (actual == case.output)
                    .then_some(())
                    .ok_or_else(|| format!("expected {}, got {actual}", case.output))
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("{}: {why}", case.docs));
        }
    }
    println!(
        "smithy-rs assume-role-tests: {} cases, {} failed",
        cases.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn plans_never_hold_secrets_in_debug_output() {
    let mut profiles = Maps::new();
    profiles.insert(
        "a".into(),
        [
            ("aws_access_key_id", "AKIDEXAMPLE"),
            ("aws_secret_access_key", "very-secret-value"),
            ("aws_session_token", "token-value-123"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    );
    let set = ProfileSet::from_maps(&profiles, &Maps::new());
    let debug = format!("{:?}", plan(&set, "a").unwrap());
    assert!(debug.contains("AKIDEXAMPLE"));
    assert!(
        !debug.contains("very-secret-value") && !debug.contains("token-value-123"),
        "{debug}"
    );
}
