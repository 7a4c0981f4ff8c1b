//! The bridge to tools that read only plain keys: SSO role credentials written into the
//! credentials file, read by botocore with no config file and by `rust-ini`, kept fresh.

use lanyard_testkit::fake_sso::Operation;
use lanyard_testkit::FakeSso;
use std::io::{BufRead, BufReader};

use crate::util::Home;

const CREDENTIALS: &str = "# my keys\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = other-secret\n";

fn setup(fake: &FakeSso) -> (Home, Vec<(&'static str, String)>) {
    fake.auto_approve(true);
    fake.add_accounts(1, 1);
    let home = Home::new();
    home.write(
        ".aws/config",
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 100000000001\nsso_role_name = AdministratorAccess\n",
    );
    home.write(".aws/credentials", CREDENTIALS);
    let vars = vec![
        ("AWS_ENDPOINT_URL_SSO_OIDC", fake.endpoint()),
        ("AWS_ENDPOINT_URL_SSO", fake.endpoint()),
        ("LANYARD_SSO_POLL_MS", "50".to_owned()),
        ("BROWSER", String::new()),
    ];
    let out = run(&home, &vars, &["login", "corp"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (home, vars)
}

fn run(home: &Home, vars: &[(&'static str, String)], args: &[&str]) -> std::process::Output {
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    home.output_with(&pairs, args)
}

fn keys_in_credentials(home: &Home, section: &str) -> (String, String) {
    let ini = ini::Ini::load_from_file(home.credentials()).unwrap();
    let s = ini.section(Some(section)).unwrap();
    (
        s.get("aws_access_key_id").unwrap().to_owned(),
        s.get("aws_session_token").unwrap().to_owned(),
    )
}

#[test]
fn bridged_keys_are_read_by_old_tools_and_stop_removes_exactly_them() {
    let fake = FakeSso::start();
    let (home, vars) = setup(&fake);
    let out = run(&home, &vars, &["bridge", "dev", "--as", "dev-plain"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = home.read(".aws/credentials");
    assert!(text.starts_with(CREDENTIALS), "the rest untouched: {text}");
    assert!(text.contains("lanyard_bridged_from = dev"), "{text}");
    // rust-ini reads it.
    let (key, token) = keys_in_credentials(&home, "dev-plain");
    assert!(key.starts_with("ASIA") && !token.is_empty());
    // botocore with no config file at all.
    if lanyard_testkit::require_peer("botocore") {
        let out = std::process::Command::new(lanyard_testkit::peer_python())
            .args(["-c", "import botocore.session; print(botocore.session.Session(profile='dev-plain').get_credentials().access_key)"])
            .env("HOME", home.path())
            .env("AWS_CONFIG_FILE", home.path().join("no-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.credentials())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), key);
    }
    // Bridged under its own name, the keys would lose to the profile's SSO settings.
    let out = run(&home, &vars, &["bridge", "dev"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doctor = String::from_utf8(run(&home, &vars, &["doctor"]).stdout).unwrap();
    assert!(
        doctor.contains("bridged from `dev` are not used") && doctor.contains("--as"),
        "{doctor}"
    );
    assert!(run(&home, &vars, &["bridge", "--stop", "dev"])
        .status
        .success());
    let list: serde_json::Value =
        serde_json::from_slice(&run(&home, &vars, &["bridge", "--list", "--json"]).stdout).unwrap();
    assert_eq!(list["bridged"][0]["name"], "dev-plain");
    assert_eq!(list["bridged"][0]["source"], "dev");
    let out = run(&home, &vars, &["bridge", "--stop", "dev-plain"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        home.read(".aws/credentials"),
        CREDENTIALS,
        "exactly what it wrote is gone"
    );
}

#[test]
fn a_section_of_the_users_own_is_never_overwritten() {
    let fake = FakeSso::start();
    let (home, vars) = setup(&fake);
    let out = run(&home, &vars, &["bridge", "dev", "--as", "other"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not one Lanyard bridged"));
    assert_eq!(home.read(".aws/credentials"), CREDENTIALS);
    let out = run(&home, &vars, &["bridge", "--stop", "other"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(home.read(".aws/credentials"), CREDENTIALS);
}

#[test]
fn watch_rewrites_before_expiry_and_says_when_the_sign_in_ends() {
    let fake = FakeSso::start();
    let (home, vars) = setup(&fake);
    // Credentials of 4 s: renewed at half their life.
    fake.set_credential_lifetime(4);
    let mut cmd = home.cmd();
    cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .args(["bridge", "dev", "--watch"])
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut keys = Vec::new();
    for _ in 0..3 {
        let line = lines.next().unwrap().unwrap();
        assert!(line.contains("bridged `dev` until"), "{line}");
        keys.push(keys_in_credentials(&home, "dev").0);
    }
    keys.dedup();
    assert_eq!(
        keys.len(),
        3,
        "rewritten twice with new credentials: {keys:?}"
    );
    assert!(fake.count(Operation::GetRoleCredentials) >= 3);
    // The sign-in ends: the bridge says so and stops.
    fake.revoke_all();
    let mut ended = false;
    for _ in 0..5 {
        let Some(Ok(line)) = lines.next() else { break };
        if line.contains("stopped bridging `dev`") {
            ended = true;
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(ended, "the end of the sign-in is said");
    assert_eq!(status.code(), Some(1));
}
