//! botocore and the AWS SDK for Rust run the `credential_process` line that `vault import`
//! leaves, and get the keys from the keychain. Secrets are compared by digest, so that a
//! failure never prints one.

use sha1::{Digest, Sha1};

use crate::util::{keyring, Home};

const KEY_ID: &str = "AKIAPEERTEST00000001";
const SECRET: &str = "peer/Secret+Value=Kept-In-The-Keychain";

fn digest(text: &str) -> String {
    Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn imported_home() -> Home {
    let home = Home::new();
    home.write(".aws/config", "[profile dev]\nregion = eu-west-1\n");
    home.write(
        ".aws/credentials",
        &format!("[dev]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"),
    );
    home.run(&["vault", "import", "dev"]).ok();
    assert!(!home.read(".aws/credentials").contains(SECRET));
    home
}

fn env_of(home: &Home) -> Vec<(String, String)> {
    vec![
        ("HOME".into(), home.path().display().to_string()),
        ("LANYARD_DATA_DIR".into(), home.data().display().to_string()),
        ("LANYARD_KEYCHAIN_SERVICE".into(), home.keychain_service()),
        (
            "AWS_CONFIG_FILE".into(),
            home.config().display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            home.credentials().display().to_string(),
        ),
        ("AWS_PROFILE".into(), "dev".into()),
    ]
}

#[test]
fn botocore_gets_the_keychain_keys_through_credential_process() {
    if !keyring() || !lanyard_testkit::require_peer("botocore") {
        return;
    }
    let home = imported_home();
    let script = "import botocore.session, hashlib, json\nc = botocore.session.Session().get_credentials().get_frozen_credentials()\nprint(json.dumps({'id': c.access_key, 'secret': hashlib.sha1(c.secret_key.encode()).hexdigest()}))";
    let out = std::process::Command::new(lanyard_testkit::peer_python())
        .args(["-c", script])
        .env_remove("AWS_ACCESS_KEY_ID")
        .envs(env_of(&home))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr).replace(SECRET, "***")
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["id"], KEY_ID);
    assert!(
        json["secret"] == digest(SECRET),
        "botocore got another secret"
    );
}

/// Runs in a child process, with the environment the parent test gives it, so that the
/// `credential_process` aws-config starts sees the test's files and never the real home.
#[test]
#[ignore = "entry point of aws_config_gets_the_keychain_keys_through_credential_process"]
fn child_resolve_with_aws_config() {
    use aws_credential_types::provider::ProvideCredentials;
    let provider = aws_config::profile::ProfileFileCredentialsProvider::builder()
        .profile_name("dev")
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let credentials = runtime
        .block_on(provider.provide_credentials())
        .expect("aws-config resolves dev");
    println!(
        "RESOLVED {} {}",
        credentials.access_key_id(),
        digest(credentials.secret_access_key())
    );
}

#[test]
fn aws_config_gets_the_keychain_keys_through_credential_process() {
    if !keyring() {
        return;
    }
    let home = imported_home();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "credential_process::child_resolve_with_aws_config",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .envs(env_of(&home))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESOLVED "))
        .expect("the child resolved");
    assert_eq!(line, format!("RESOLVED {KEY_ID} {}", digest(SECRET)));
}
