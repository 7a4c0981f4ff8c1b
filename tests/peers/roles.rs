//! `credential-process` assumes role chains with STS (moto on loopback), once per chain, and
//! serves the cached credentials (kernel keyring, else keychain) until shortly before they
//! expire.

use lanyard_testkit::{require_peer, Moto};
use serde_json::Value;

use crate::util::{keyring, Home};

fn home(sts: &str) -> Home {
    let home = Home::new();
    home.write(
        ".aws/config",
        &format!(
            "[profile base]\nregion = us-east-1\n\n[profile mid]\nrole_arn = arn:aws:iam::111111111111:role/Mid\nsource_profile = base\nexternal_id = ext-42\n\n[profile top]\nrole_arn = arn:aws:iam::222222222222:role/Top\nsource_profile = mid\nrole_session_name = lanyard-test\nregion = eu-west-1\nendpoint_url = {sts}\n"
        ),
    );
    home.write(".aws/credentials", "[base]\naws_access_key_id = AKIAROLEBASE00000001\naws_secret_access_key = role/base/secret\n");
    home
}

fn assume_roles(moto: &Moto) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    moto.requests()
        .into_iter()
        .filter(|r| r.form("Action").as_deref() == Some("AssumeRole"))
        .map(|r| (r.form("RoleArn"), r.form("ExternalId"), r.signing_key_id()))
        .collect()
}

#[test]
fn a_role_chain_is_assumed_hop_by_hop_then_served_from_the_cache() {
    if !keyring() || !require_peer("moto") {
        return;
    }
    let moto = Moto::start();
    let home = home(&moto.endpoint());
    let first: Value =
        serde_json::from_str(&home.run(&["credential-process", "top"]).ok()).unwrap();
    let calls = assume_roles(&moto);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls[0].0.as_deref(),
        Some("arn:aws:iam::111111111111:role/Mid")
    );
    assert_eq!(calls[0].1.as_deref(), Some("ext-42"));
    assert_eq!(calls[0].2.as_deref(), Some("AKIAROLEBASE00000001"));
    assert_eq!(
        calls[1].0.as_deref(),
        Some("arn:aws:iam::222222222222:role/Top")
    );
    assert!(
        calls[1].2.as_deref().is_some_and(|k| k.starts_with("ASIA")),
        "the second hop signs with the first hop's keys"
    );
    let key = first["AccessKeyId"].as_str().unwrap();
    assert!(
        key.starts_with("ASIA") && first["SessionToken"].is_string(),
        "{key}"
    );
    let expiration =
        lanyard_core::credentials::parse_rfc3339(first["Expiration"].as_str().unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(expiration > now + 600);
    assert_eq!(first["AccountId"], "222222222222");
    // Cached: the same credentials, no call to STS, even with STS gone.
    drop(moto);
    let second: Value =
        serde_json::from_str(&home.run(&["credential-process", "top"]).ok()).unwrap();
    assert_eq!(second["AccessKeyId"], key);
    // No secret of the chain on disk: the cache is the keychain.
    for entry in walk(&home.data()) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(
            !text.contains(key),
            "{} holds role credentials",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn many_callers_at_once_cause_one_refresh() {
    if !keyring() || !require_peer("moto") {
        return;
    }
    let moto = Moto::start();
    let home = home(&moto.endpoint());
    let children: Vec<_> = (0..8)
        .map(|_| {
            home.cmd()
                .args(["credential-process", "top"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut keys = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        keys.push(json["AccessKeyId"].as_str().unwrap().to_owned());
    }
    keys.dedup();
    assert_eq!(keys.len(), 1, "every caller gets the same credentials");
    assert_eq!(
        assume_roles(&moto).len(),
        2,
        "one AssumeRole per hop, not per caller"
    );
}

#[test]
fn botocore_assumes_nothing_itself_and_gets_lanyards_role_credentials() {
    if !keyring() || !require_peer("moto") || !require_peer("botocore") {
        return;
    }
    let moto = Moto::start();
    let home = home(&moto.endpoint());
    home.run(&[
        "set",
        "via-lanyard",
        &format!(
            "credential_process={} credential-process top",
            env!("CARGO_BIN_EXE_lanyard")
        ),
    ])
    .ok();
    let ours: Value = serde_json::from_str(&home.run(&["credential-process", "top"]).ok()).unwrap();
    let out = std::process::Command::new(lanyard_testkit::peer_python())
        .args(["-c", "import botocore.session; print(botocore.session.Session(profile='via-lanyard').get_credentials().get_frozen_credentials().access_key)"])
        .env("HOME", home.path())
        .env("LANYARD_DATA_DIR", home.data())
        .env("LANYARD_KEYCHAIN_SERVICE", home.keychain_service())
        .env("AWS_CONFIG_FILE", home.config())
        .env("AWS_SHARED_CREDENTIALS_FILE", home.credentials())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        ours["AccessKeyId"].as_str().unwrap()
    );
    assert_eq!(assume_roles(&moto).len(), 2);
}

#[test]
fn an_unreachable_sts_is_a_clear_error() {
    let home = home("http://127.0.0.1:9");
    let out = home.run(&["credential-process", "top"]).fails();
    assert!(
        out.contains(
            "cannot reach http://127.0.0.1:9 to assume arn:aws:iam::111111111111:role/Mid"
        ),
        "{out}"
    );
    assert!(!out.contains("role/base/secret"));
}

/// A warm call reads the kernel keyring: no D-Bus, no STS. Run with no session bus at all, it
/// still serves the cached credentials.
#[test]
fn cached_role_credentials_need_no_keychain_round_trip() {
    if !require_peer("moto") {
        return;
    }
    let moto = Moto::start();
    let home = home(&moto.endpoint());
    let first: Value =
        serde_json::from_str(&home.run(&["credential-process", "top"]).ok()).unwrap();
    moto.clear();
    let run = home.output_with(
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
        &["credential-process", "top"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let second: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(first["AccessKeyId"], second["AccessKeyId"]);
    assert!(assume_roles(&moto).is_empty(), "served from the cache");
    // The switch puts them back in the keychain: without a bus that cache is out of reach.
    let run = home.output_with(
        &[
            ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
            ("LANYARD_ROLE_CACHE", "keychain"),
        ],
        &["credential-process", "top"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        assume_roles(&moto).len(),
        2,
        "no cache reachable: assumed again"
    );
}
