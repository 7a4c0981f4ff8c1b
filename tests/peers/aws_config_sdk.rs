//! The AWS SDK for Rust (`aws-config`) reads the files Lanyard writes, in this process, and
//! resolves the same plan: static keys without a network, and a role chain against `moto`
//! on loopback, whose recorded `AssumeRole` calls must follow `lanyard explain` step by step.

use std::collections::{BTreeSet, HashMap};

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use aws_types::os_shim_internal::{Env, Fs};
use aws_types::region::Region;
use lanyard_testkit::{require_peer, Moto};
use serde_json::Value;

use crate::util::Home;

fn files(home: &Home) -> ProfileFiles {
    ProfileFiles::builder()
        .with_file(ProfileFileKind::Config, home.config())
        .with_file(ProfileFileKind::Credentials, home.credentials())
        .build()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The raw value the SDK keeps for a key whose value `lanyard dump` shows.
fn raw(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("\n{k} = {}", v.as_str().unwrap()))
            .collect(),
        other => panic!("unexpected {other}"),
    }
}

fn write_profiles(home: &Home, sts: &str) {
    let runs: &[&[&str]] = &[
        &[
            "set",
            "base",
            "aws_access_key_id=AKIDBASE000000000001",
            "aws_secret_access_key=base/secret+key==",
            "region=us-east-1",
        ],
        &[
            "set",
            "mid",
            "role_arn=arn:aws:iam::123456789012:role/Mid",
            "source_profile=base",
            "external_id=ext-42",
            "role_session_name=lanyard-mid",
        ],
        &[
            "set",
            "top",
            "role_arn=arn:aws:iam::210987654321:role/Top",
            "source_profile=mid",
            "region=eu-west-1",
            &format!("endpoint_url={sts}"),
        ],
        &[
            "set",
            "--sso-session",
            "corp",
            "sso_start_url=https://corp.awsapps.com/start",
            "sso_region=eu-west-1",
        ],
        &[
            "set",
            "sso",
            "sso_session=corp",
            "sso_account_id=111122223333",
            "sso_role_name=Admin",
        ],
        &[
            "set",
            "web",
            "role_arn=arn:aws:iam::1:role/Web",
            "web_identity_token_file=/tmp/token.jwt",
        ],
        &[
            "set",
            "s3opts",
            "s3.addressing_style=path",
            "s3.signature_version=s3v4",
            "region=us-west-2",
        ],
    ];
    for args in runs {
        home.run(args).ok();
    }
}

#[test]
fn aws_config_reads_every_profile_lanyard_writes() {
    let home = Home::new();
    home.write(
        ".aws/config",
        "# hand-written\r\n[default]\r\nregion = us-east-1 \r\n",
    );
    write_profiles(&home, "http://127.0.0.1:1");
    let dump: Value = serde_json::from_str(&home.run(&["dump", "--json"]).ok()).unwrap();
    let env = Env::from(HashMap::from([(
        "HOME".to_owned(),
        home.path().to_string_lossy().into_owned(),
    )]));
    let set = runtime()
        .block_on(aws_config::profile::load(
            &Fs::real(),
            &env,
            &files(&home),
            None,
        ))
        .unwrap();
    let sdk_names: BTreeSet<&str> = set.profiles().collect();
    let our_names: BTreeSet<&str> = dump["profiles"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(sdk_names, our_names);
    for (name, keys) in dump["profiles"].as_object().unwrap() {
        let profile = set.get_profile(name).unwrap();
        for (key, value) in keys.as_object().unwrap() {
            assert_eq!(profile.get(key), Some(raw(value).as_str()), "{name}.{key}");
        }
    }
    for (name, keys) in dump["sso-sessions"].as_object().unwrap() {
        let session = set.sso_session(name).unwrap();
        for (key, value) in keys.as_object().unwrap() {
            assert_eq!(session.get(key), value.as_str(), "sso-session {name}.{key}");
        }
    }
}

#[test]
fn aws_config_resolves_static_keys_to_what_lanyard_plans() {
    let home = Home::new();
    write_profiles(&home, "http://127.0.0.1:1");
    let plan: Value = serde_json::from_str(&home.run(&["explain", "base", "--json"]).ok()).unwrap();
    let provider = ProfileFileCredentialsProvider::builder()
        .configure(&ProviderConfig::empty().with_region(Some(Region::new("us-east-1"))))
        .profile_files(files(&home))
        .profile_name("base")
        .build();
    let credentials = runtime().block_on(provider.provide_credentials()).unwrap();
    assert_eq!(plan["roles"].as_array().unwrap().len(), 0);
    assert_eq!(
        credentials.access_key_id(),
        plan["base"]["access_key_id"].as_str().unwrap()
    );
    assert_eq!(credentials.secret_access_key(), "base/secret+key==");
}

#[test]
fn aws_config_assumes_the_same_role_chain_against_moto() {
    if !require_peer("moto") {
        return;
    }
    let moto = Moto::start();
    let home = Home::new();
    write_profiles(&home, &moto.endpoint());
    let plan: Value = serde_json::from_str(&home.run(&["explain", "top", "--json"]).ok()).unwrap();
    assert_eq!(plan["base"]["type"], "access-key");
    let roles = plan["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 2);

    moto.clear();
    let provider = ProfileFileCredentialsProvider::builder()
        .configure(&ProviderConfig::empty().with_region(Some(Region::new("eu-west-1"))))
        .profile_files(files(&home))
        .profile_name("top")
        .build();
    let credentials = runtime()
        .block_on(provider.provide_credentials())
        .expect("aws-config resolves `top` through moto");
    assert!(credentials.session_token().is_some());

    let calls: Vec<_> = moto
        .requests()
        .into_iter()
        .filter(|r| r.form("Action").as_deref() == Some("AssumeRole"))
        .collect();
    assert_eq!(calls.len(), roles.len(), "one AssumeRole per role step");
    let base_key = plan["base"]["access_key_id"].as_str().unwrap();
    for (hop, (call, step)) in calls.iter().zip(roles).enumerate() {
        assert_eq!(call.form("RoleArn").as_deref(), step["role_arn"].as_str());
        assert_eq!(
            call.form("ExternalId").as_deref(),
            step["external_id"].as_str()
        );
        if let Some(name) = step["role_session_name"].as_str() {
            assert_eq!(call.form("RoleSessionName").as_deref(), Some(name));
        }
        let signed_by = call.signing_key_id().expect("a SigV4 request");
        if hop == 0 {
            assert_eq!(
                signed_by, base_key,
                "the chain starts from the base profile's keys"
            );
        } else {
            assert!(
                signed_by != base_key && signed_by.starts_with("ASIA"),
                "hop {hop} uses the previous role's temporary keys, not {signed_by}"
            );
        }
    }
    assert_ne!(credentials.access_key_id(), base_key);
}
