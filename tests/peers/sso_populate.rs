//! botocore (the AWS CLI v2's engine) reads the profiles `sso populate` writes: it lists
//! them, and signs in to one's role with the token Lanyard cached.

use lanyard_testkit::fake_sso::Operation;
use lanyard_testkit::{require_peer, FakeSso};

use crate::util::Home;

#[test]
fn botocore_lists_the_populated_profiles_and_gets_role_credentials_for_one() {
    if !require_peer("botocore") {
        return;
    }
    let fake = FakeSso::start();
    fake.auto_approve(true);
    fake.add_accounts(3, 2);
    let home = Home::new();
    home.write(
        ".aws/config",
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile mine]\nregion = us-east-1\n",
    );
    let endpoint = fake.endpoint();
    let vars = [
        ("AWS_ENDPOINT_URL_SSO_OIDC", endpoint.as_str()),
        ("AWS_ENDPOINT_URL_SSO", endpoint.as_str()),
        ("LANYARD_SSO_POLL_MS", "50"),
    ];
    for args in [&["login", "corp"][..], &["sso", "populate", "corp"]] {
        let out = home.output_with(&vars, args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let script = "import botocore.session\n\
names = sorted(p for p in botocore.session.Session().available_profiles if '/' in p)\n\
print(len(names), names[0], names[-1])\n\
s = botocore.session.Session(profile='fake-account-002/ReadOnlyAccess')\n\
c = s.get_credentials().get_frozen_credentials()\n\
print(s.get_config_variable('region'), c.access_key[:4], bool(c.token))\n";
    let out = std::process::Command::new(lanyard_testkit::peer_python())
        .args(["-c", script])
        .envs(home.peer_env())
        .envs(vars)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "6 fake-account-001/AdministratorAccess fake-account-003/ReadOnlyAccess\neu-west-1 ASIA True\n"
    );
    let asked = fake
        .calls()
        .into_iter()
        .filter(|c| c.operation == Operation::GetRoleCredentials)
        .collect::<Vec<_>>();
    assert_eq!(asked.len(), 1, "botocore asked the portal once");
    assert!(
        asked[0]
            .query
            .iter()
            .any(|(k, v)| k == "account_id" && v == "100000000002"),
        "{:?}",
        asked[0].query
    );
}
