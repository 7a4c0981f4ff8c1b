//! The IAM Identity Center sign-in is shared both ways: botocore (the AWS CLI v2's engine)
//! signs in to role credentials with the token Lanyard's `login` cached.

use lanyard_testkit::fake_sso::Operation;
use lanyard_testkit::{require_peer, FakeSso};

use crate::util::Home;

#[test]
fn botocore_gets_role_credentials_with_the_token_lanyard_cached() {
    if !require_peer("botocore") {
        return;
    }
    let fake = FakeSso::start();
    fake.auto_approve(true);
    fake.add_accounts(1, 1);
    let home = Home::new();
    home.write(
        ".aws/config",
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 100000000001\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n",
    );
    let endpoint = fake.endpoint();
    let vars = [
        ("AWS_ENDPOINT_URL_SSO_OIDC", endpoint.as_str()),
        ("AWS_ENDPOINT_URL_SSO", endpoint.as_str()),
        ("LANYARD_SSO_POLL_MS", "50"),
    ];
    let login = home.output_with(&vars, &["login", "corp"]);
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    let out = std::process::Command::new(lanyard_testkit::peer_python())
        .args(["-c", "import botocore.session; c = botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials(); print(c.access_key[:4], bool(c.token))"])
        .envs(home.peer_env())
        .envs(vars)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "ASIA True");
    assert_eq!(
        fake.count(Operation::GetRoleCredentials),
        1,
        "botocore asked the portal"
    );
    assert_eq!(
        fake.count(Operation::StartDeviceAuthorization),
        1,
        "no second sign-in"
    );
}

fn signed_in(fake: &FakeSso, config: &str) -> (Home, Vec<(&'static str, String)>) {
    fake.auto_approve(true);
    fake.add_accounts(1, 1);
    let home = Home::new();
    home.write(".aws/config", config);
    let vars = vec![
        ("AWS_ENDPOINT_URL_SSO_OIDC", fake.endpoint()),
        ("AWS_ENDPOINT_URL_SSO", fake.endpoint()),
        ("LANYARD_SSO_POLL_MS", "50".to_owned()),
        ("BROWSER", String::new()),
    ];
    (home, vars)
}

fn lanyard(home: &Home, vars: &[(&'static str, String)], args: &[&str]) -> String {
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = home.output_with(&pairs, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const LEGACY: &str = "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 100000000001\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n";

/// aws-sso-util reads the token Lanyard's `login` cached (it knows legacy profiles only).
#[test]
fn aws_sso_util_serves_credentials_with_lanyards_token() {
    if !require_peer("aws_sso_util") {
        return;
    }
    let fake = FakeSso::start();
    let (home, vars) = signed_in(&fake, LEGACY);
    lanyard(&home, &vars, &["login", "legacy"]);
    let bin = lanyard_testkit::peer_python().with_file_name("aws-sso-util");
    let out = std::process::Command::new(bin)
        .args(["credential-process", "--profile", "legacy"])
        .envs(home.peer_env())
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(json["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(
        fake.count(Operation::StartDeviceAuthorization),
        1,
        "no second sign-in"
    );
}

/// A token botocore refreshed (and wrote back) is the one Lanyard then uses: no sign-in.
#[test]
fn lanyard_uses_a_token_botocore_refreshed() {
    if !require_peer("botocore") {
        return;
    }
    let fake = FakeSso::start();
    let (home, vars) = signed_in(&fake, "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n[profile dev]\nsso_session = corp\nsso_account_id = 100000000001\nsso_role_name = AdministratorAccess\n");
    fake.set_token_lifetime(60);
    lanyard(&home, &vars, &["login", "corp"]);
    let cache_dir = home.path().join(".aws/sso/cache");
    let read_token = || -> serde_json::Value {
        let file = std::fs::read_dir(&cache_dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
    };
    let ours = read_token();
    // botocore refreshes a token within 15 minutes of expiry, and writes it back.
    let out = std::process::Command::new(lanyard_testkit::peer_python())
        .args(["-c", "import botocore.session; botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()"])
        .envs(home.peer_env())
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs = read_token();
    assert_ne!(
        ours["accessToken"], theirs["accessToken"],
        "botocore refreshed it"
    );
    let calls_before = fake.count(Operation::CreateToken);
    let json: serde_json::Value =
        serde_json::from_str(&lanyard(&home, &vars, &["credential-process", "dev"])).unwrap();
    assert!(json["AccessKeyId"].is_string());
    assert_eq!(
        fake.count(Operation::CreateToken),
        calls_before,
        "no refresh, no sign-in"
    );
    assert_eq!(fake.count(Operation::StartDeviceAuthorization), 1);
    let last_bearer = fake
        .calls()
        .into_iter()
        .filter(|c| c.operation == Operation::GetRoleCredentials)
        .count();
    assert_eq!(last_bearer, 2, "botocore's call and Lanyard's");
}
