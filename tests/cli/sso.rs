//! IAM Identity Center from the files: the sessions the config names and the state of their
//! tokens in the cache the AWS CLI v2 shares.

use crate::util::Home;

const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n\n[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 222222222222\nsso_role_name = Admin\n";

fn cache_file(_home: &Home, key: &str) -> String {
    use sha1::Digest;
    format!(
        ".aws/sso/cache/{}.json",
        hex_of(&sha1::Sha1::digest(key.as_bytes()))
    )
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn sessions_lists_each_sign_in_with_its_state_and_never_a_token() {
    let home = Home::new();
    home.write(".aws/config", CONFIG);
    // Written as the AWS CLI v2 writes it: valid for an hour, refreshable.
    let in_an_hour = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let expires = lanyard_core::credentials::rfc3339(in_an_hour as i64);
    home.write(
        &cache_file(&home, "corp"),
        &format!(r#"{{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "FakeSsoToken-access-1", "expiresAt": "{expires}", "clientId": "c", "clientSecret": "FakeSsoToken-client-secret", "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "FakeSsoToken-refresh-1"}}"#),
    );
    // The legacy profile's token (keyed by its start URL) has expired, with no refresh token.
    home.write(
        &cache_file(&home, "https://old.awsapps.com/start"),
        r#"{"startUrl": "https://old.awsapps.com/start", "region": "us-east-1", "accessToken": "FakeSsoToken-access-2", "expiresAt": "2020-01-01T00:00:00Z"}"#,
    );
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["sessions", "--json"]).ok()).unwrap();
    let sessions = json["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{json}");
    assert_eq!(sessions[0]["name"], "corp");
    assert_eq!(sessions[0]["state"], "valid");
    assert_eq!(sessions[0]["refresh_token"], true);
    assert_eq!(sessions[0]["profiles"], serde_json::json!(["dev"]));
    assert_eq!(
        sessions[0]["registration_scopes"],
        serde_json::json!(["sso:account:access"])
    );
    let left = sessions[0]["seconds_left"].as_i64().unwrap();
    assert!((3500..=3600).contains(&left), "{left}");
    assert!(sessions[1]["name"].is_null());
    assert_eq!(sessions[1]["state"], "expired");
    assert_eq!(sessions[1]["profiles"], serde_json::json!(["old"]));
    let table = home.run(&["sessions"]).ok();
    assert!(
        table.contains("corp") && table.contains("valid") && table.contains("expired"),
        "{table}"
    );
    for out in [json.to_string(), table] {
        assert!(!out.contains("FakeSsoToken"), "{out}");
    }
}

#[test]
fn a_damaged_cache_file_is_named_not_fatal() {
    let home = Home::new();
    home.write(".aws/config", CONFIG);
    home.write(&cache_file(&home, "corp"), "{not json");
    let run = home.run(&["sessions"]);
    let out = run.ok();
    assert!(out.contains("unreadable"), "{out}");
    assert!(run.stderr().contains("not JSON"), "{}", run.stderr());
}
