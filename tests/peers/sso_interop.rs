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
