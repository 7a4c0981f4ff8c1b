//! Signing in to IAM Identity Center and serving its role credentials, against the fake
//! server of `lanyard-testkit` (OIDC and portal on loopback).

use std::time::Duration;

use lanyard_testkit::fake_sso::Operation;
use lanyard_testkit::FakeSso;

use crate::util::Home;

const ACCOUNT: &str = "100000000001";

fn setup(fake: &FakeSso) -> Home {
    fake.add_accounts(2, 2);
    let home = Home::new();
    home.write(
        ".aws/config",
        &format!("[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n[profile dev]\nsso_session = corp\nsso_account_id = {ACCOUNT}\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n\n[profile ro]\nsso_session = corp\nsso_account_id = {ACCOUNT}\nsso_role_name = ReadOnlyAccess\n"),
    );
    home
}

fn vars(fake: &FakeSso) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_SSO_OIDC", fake.endpoint()),
        ("AWS_ENDPOINT_URL_SSO", fake.endpoint()),
        ("LANYARD_SSO_POLL_MS", "50".to_owned()),
        ("LANYARD_HTTP_TIMEOUT", "10".to_owned()),
        // No browser here: sign-ins fall back to a device code.
        ("BROWSER", String::new()),
    ]
}

fn run(home: &Home, fake: &FakeSso, args: &[&str]) -> std::process::Output {
    let vars = vars(fake);
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    home.output_with(&pairs, args)
}

fn ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn cache(home: &Home) -> serde_json::Value {
    let dir = home.path().join(".aws/sso/cache");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap()
}

#[test]
fn login_by_device_code_waits_for_approval_and_caches_the_token_as_the_aws_cli_does() {
    let fake = FakeSso::start();
    let home = setup(&fake);
    let vars = vars(&fake);
    let child = {
        let mut cmd = home.cmd();
        cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
            .args(["login", "corp"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let code = fake
        .wait_for_user_code(Duration::from_secs(20))
        .expect("the sign-in shows a device code");
    // Polled, and told to wait, until the user approves.
    std::thread::sleep(Duration::from_millis(300));
    assert!(fake.count(Operation::CreateToken) >= 1);
    assert!(fake.approve_device(&code));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(&code), "the code is shown: {stderr}");
    let token = cache(&home);
    assert_eq!(token["startUrl"], "https://corp.awsapps.com/start");
    assert_eq!(token["region"], "eu-west-1");
    for key in [
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(token[key].is_string(), "{key} in {token}");
    }
    assert!(!stderr.contains(token["accessToken"].as_str().unwrap()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = home.path().join(".aws/sso/cache");
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
    assert_eq!(fake.count(Operation::RegisterClient), 1);
    // The second sign-in reuses the client registration.
    fake.auto_approve(true);
    ok(run(&home, &fake, &["login", "corp"]));
    assert_eq!(fake.count(Operation::RegisterClient), 1);
    let sessions: serde_json::Value =
        serde_json::from_str(&ok(run(&home, &fake, &["sessions", "--json"]))).unwrap();
    assert_eq!(sessions["sessions"][0]["state"], "valid");
}

#[test]
fn credential_process_serves_role_credentials_and_caches_them() {
    let fake = FakeSso::start();
    fake.auto_approve(true);
    let home = setup(&fake);
    ok(run(&home, &fake, &["login", "dev"]));
    let first: serde_json::Value =
        serde_json::from_str(&ok(run(&home, &fake, &["credential-process", "dev"]))).unwrap();
    assert_eq!(first["Version"], 1);
    assert_eq!(first["AccountId"], ACCOUNT);
    assert!(first["SessionToken"].is_string() && first["Expiration"].is_string());
    assert_eq!(fake.count(Operation::GetRoleCredentials), 1);
    let again: serde_json::Value =
        serde_json::from_str(&ok(run(&home, &fake, &["credential-process", "dev"]))).unwrap();
    assert_eq!(again["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(
        fake.count(Operation::GetRoleCredentials),
        1,
        "served from the cache"
    );
}

#[test]
fn an_expired_token_is_refreshed_without_asking_and_the_rotated_refresh_token_kept() {
    let fake = FakeSso::start();
    fake.auto_approve(true);
    fake.set_token_lifetime(1);
    let home = setup(&fake);
    ok(run(&home, &fake, &["login", "corp"]));
    let before = cache(&home);
    std::thread::sleep(Duration::from_millis(1500));
    let creds: serde_json::Value =
        serde_json::from_str(&ok(run(&home, &fake, &["credential-process", "ro"]))).unwrap();
    assert!(creds["AccessKeyId"].is_string());
    let after = cache(&home);
    assert_ne!(
        after["accessToken"], before["accessToken"],
        "a new access token"
    );
    assert_eq!(
        fake.count(Operation::StartDeviceAuthorization),
        1,
        "no new sign-in"
    );
    assert_eq!(
        fake.calls()
            .iter()
            .filter(|c| c.operation == Operation::CreateToken)
            .count(),
        2,
        "one to sign in, one to refresh"
    );
    assert!(after["refreshToken"].is_string());
}

#[test]
fn a_refresh_token_that_no_longer_works_asks_for_one_sign_in_and_never_loops() {
    let fake = FakeSso::start();
    fake.auto_approve(true);
    fake.set_token_lifetime(1);
    let home = setup(&fake);
    ok(run(&home, &fake, &["login", "corp"]));
    fake.revoke_refresh_tokens();
    std::thread::sleep(Duration::from_millis(1500));
    let out = run(&home, &fake, &["credential-process", "dev"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("lanyard login corp"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert_eq!(
        fake.count(Operation::StartDeviceAuthorization),
        1,
        "nobody at a terminal: no sign-in"
    );
}

#[test]
fn twenty_cold_callers_make_one_get_role_credentials() {
    let fake = FakeSso::start();
    fake.auto_approve(true);
    let home = std::sync::Arc::new(setup(&fake));
    ok(run(&home, &fake, &["login", "corp"]));
    let vars = vars(&fake);
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = home.cmd();
            cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
                .args(["credential-process", "dev"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let mut keys = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let json: serde_json::Value = serde_json::from_str(&ok(out)).unwrap();
        keys.push(json["AccessKeyId"].as_str().unwrap().to_owned());
    }
    keys.dedup();
    assert_eq!(keys.len(), 1, "every caller got the same credentials");
    assert_eq!(fake.count(Operation::GetRoleCredentials), 1);
    assert_eq!(fake.count(Operation::StartDeviceAuthorization), 1);
}

#[test]
fn logout_ends_the_session_and_forgets_its_token_and_role_credentials() {
    let fake = FakeSso::start();
    fake.auto_approve(true);
    let home = setup(&fake);
    ok(run(&home, &fake, &["login", "corp"]));
    ok(run(&home, &fake, &["credential-process", "dev"]));
    ok(run(&home, &fake, &["credential-process", "ro"]));
    let token = cache(&home)["accessToken"].as_str().unwrap().to_owned();
    let out = run(&home, &fake, &["logout", "corp"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("removed 2 cached role credentials"),
        "{stderr}"
    );
    assert_eq!(fake.count(Operation::Logout), 1);
    assert!(!fake.is_live(&token), "the portal ended the session");
    assert_eq!(
        std::fs::read_dir(home.path().join(".aws/sso/cache"))
            .unwrap()
            .count(),
        0
    );
    // Nothing cached is served any more: the next call needs a sign-in.
    let out = run(&home, &fake, &["credential-process", "dev"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lanyard login corp"));
}

/// A browser for the test: a script that fetches the authorize page without following its
/// redirect, then plays the callback — first with a forged `state` when `forge` is set, then
/// the real one — and writes the status of each callback to `log`.
fn browser(home: &Home, forge: bool) -> (String, std::path::PathBuf) {
    let log = home.path().join("browser.log");
    let script = home.write(
        "browser.py",
        &format!(
            "import sys, urllib.request, urllib.parse, http.client\nurl = urllib.parse.urlsplit(sys.argv[1])\nc = http.client.HTTPConnection(url.hostname, url.port)\nc.request('GET', url.path + '?' + url.query)\nr = c.getresponse()\nback = r.getheader('Location')\nlog = open({log:?}, 'a')\ndef call(u):\n    try:\n        return urllib.request.urlopen(u).status\n    except urllib.error.HTTPError as e:\n        return e.code\nif {forge}:\n    forged = back.replace('state=', 'state=forged')\n    log.write('forged %d\\n' % call(forged)); log.flush()\nlog.write('real %d\\n' % call(back)); log.flush()\n",
            log = log.display().to_string(),
            forge = if forge { "True" } else { "False" },
        ),
    );
    // BROWSER is a command; the page is added as its last argument.
    let command = format!(
        "{} {}",
        lanyard_testkit::peer_python().display(),
        script.display()
    );
    (command, log)
}

#[test]
fn login_in_the_browser_uses_pkce_and_refuses_a_forged_state() {
    if !lanyard_testkit::require_peer("botocore") {
        return;
    }
    let fake = FakeSso::start();
    fake.auto_approve(true);
    let home = setup(&fake);
    let (script, log) = browser(&home, true);
    let mut vars = vars(&fake);
    vars.retain(|(k, _)| *k != "BROWSER");
    vars.push(("BROWSER", script));
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = home.output_with(&pairs, &["login", "corp"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        log, "forged 400\nreal 200\n",
        "the forged state is refused, the real one taken"
    );
    assert_eq!(fake.count(Operation::Authorize), 1);
    assert_eq!(
        fake.count(Operation::StartDeviceAuthorization),
        0,
        "no device code"
    );
    let token = cache(&home);
    assert!(
        token["accessToken"].is_string() && token["refreshToken"].is_string(),
        "{token}"
    );
    // The token works: role credentials come from it.
    ok(run(&home, &fake, &["credential-process", "dev"]));
    assert_eq!(fake.count(Operation::GetRoleCredentials), 1);
}

#[test]
fn an_sso_profile_can_be_the_default_and_exported() {
    let fake = FakeSso::start();
    fake.auto_approve(true);
    let home = setup(&fake);
    ok(run(&home, &fake, &["login", "corp"]));
    ok(run(&home, &fake, &["use", "dev"]));
    let default: serde_json::Value =
        serde_json::from_str(&ok(run(&home, &fake, &["credential-process", "default"]))).unwrap();
    assert_eq!(default["AccountId"], ACCOUNT);
    let exported = ok(run(&home, &fake, &["export", "dev", "--format", "json"]));
    let exported: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(exported["AWS_ACCESS_KEY_ID"], default["AccessKeyId"]);
    assert_eq!(
        fake.count(Operation::GetRoleCredentials),
        1,
        "one call, then the cache"
    );
}

/// With a person at a terminal, `credential-process` signs in by itself when there is no
/// token (here `script` gives it a terminal; the fake approves the device code at once).
#[test]
fn credential_process_signs_in_by_itself_when_someone_is_at_a_terminal() {
    if !lanyard_testkit::require(
        "script (bsdutils)",
        std::path::Path::new("/usr/bin/script").exists(),
        "apt-get install bsdutils",
    ) {
        return;
    }
    let fake = FakeSso::start();
    fake.auto_approve(true);
    let home = setup(&fake);
    let vars = vars(&fake);
    let command = format!(
        "{} credential-process dev",
        lanyard_testkit::lanyard_bin().display()
    );
    let out = std::process::Command::new("/usr/bin/script")
        .args(["-qec", &command, "/dev/null"])
        .envs(home.peer_env())
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("\"AccessKeyId\""), "{text}");
    assert_eq!(fake.count(Operation::StartDeviceAuthorization), 1);
    assert_eq!(cache(&home)["startUrl"], "https://corp.awsapps.com/start");
}

/// Twenty callers at once with no token and a person at the terminal: one sign-in, one
/// GetRoleCredentials; the others wait for the first and reuse what it got.
#[test]
fn twenty_cold_callers_at_a_terminal_make_one_sign_in() {
    if !lanyard_testkit::require(
        "script (bsdutils)",
        std::path::Path::new("/usr/bin/script").exists(),
        "apt-get install bsdutils",
    ) {
        return;
    }
    let fake = FakeSso::start();
    fake.auto_approve(true);
    let home = setup(&fake);
    // This session asks for device codes even where a browser could open.
    let config = home.read(".aws/config").replace(
        "sso_registration_scopes = sso:account:access\n",
        "sso_registration_scopes = sso:account:access\nlanyard_sign_in = device-code\n",
    );
    home.write(".aws/config", &config);
    let mut vars = vars(&fake);
    vars.retain(|(k, _)| *k != "BROWSER");
    vars.push(("BROWSER", "/bin/false".to_owned()));
    let command = format!(
        "{} credential-process dev",
        lanyard_testkit::lanyard_bin().display()
    );
    let children: Vec<_> = (0..20)
        .map(|_| {
            std::process::Command::new("/usr/bin/script")
                .args(["-qec", &command, "/dev/null"])
                .envs(home.peer_env())
                .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() && text.contains("\"AccessKeyId\""),
            "{text}"
        );
    }
    assert_eq!(
        fake.count(Operation::StartDeviceAuthorization),
        1,
        "one sign-in"
    );
    assert_eq!(
        fake.count(Operation::Authorize),
        0,
        "device code, as the session asks"
    );
    assert_eq!(fake.count(Operation::GetRoleCredentials), 1);
}
