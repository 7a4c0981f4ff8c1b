//! list, show, dump, explain, doctor, completions.

use crate::util::Home;

fn home() -> Home {
    let home = Home::new();
    home.write(
        ".aws/config",
        "[default]\nregion = us-east-1\n\n[profile base]\nregion = eu-west-1\n\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = base\nexternal_id = ext-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n\n[profile broken]\nrole_arn = arn:aws:iam::1:role/X\nsource_profile = missing\n",
    );
    home.write(".aws/credentials", "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    home
}

#[test]
fn list_shows_kind_region_account_and_the_active_profile() {
    let home = home();
    let out = home.run(&["list"]).ok();
    let line = |name: &str| {
        out.lines()
            .find(|l| l.split_whitespace().any(|w| w == name))
            .unwrap()
            .to_owned()
    };
    assert!(
        line("dev").contains("role")
            && line("dev").contains("123456789012")
            && line("dev").contains("from base"),
        "{out}"
    );
    assert!(
        line("sso").contains("sso") && line("sso").contains("111122223333"),
        "{out}"
    );
    assert!(line("default").starts_with('*'), "{out}");
    assert!(line("broken").contains("incomplete"), "{out}");
    let json: serde_json::Value = serde_json::from_str(
        &home
            .cmd()
            .args(["list", "--json"])
            .env("AWS_PROFILE", "dev")
            .output()
            .map(|o| String::from_utf8(o.stdout).unwrap())
            .unwrap(),
    )
    .unwrap();
    let dev = json["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "dev")
        .unwrap()
        .clone();
    assert_eq!(dev["active"], true);
    assert_eq!(dev["kind"], "role");
    assert!(!serde_json::to_string(&json).unwrap().contains("wJalr"));
}

#[test]
fn show_masks_secrets_unless_revealed_and_names_file_and_line() {
    let home = home();
    let out = home.run(&["show", "base"]).ok();
    assert!(
        out.contains("aws_secret_access_key  *** (40 characters)   ~/.aws/credentials:3"),
        "{out}"
    );
    assert!(
        out.contains("region                 eu-west-1             ~/.aws/config:5"),
        "{out}"
    );
    assert!(!out.contains("wJalr"));
    assert!(home
        .run(&["show", "base", "--reveal"])
        .ok()
        .contains("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["show", "base", "--json"]).ok()).unwrap();
    assert_eq!(json["properties"]["region"]["line"], 5);
    assert_eq!(json["kind"], "static");
    assert!(home
        .run(&["show", "--sso-session", "corp"])
        .ok()
        .contains("https://corp.awsapps.com/start"));
}

#[test]
fn dump_is_the_machine_interface_and_prints_values_as_they_are() {
    let home = home();
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["dump", "--json"]).ok()).unwrap();
    assert_eq!(
        json["profiles"]["base"]["aws_secret_access_key"],
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
    assert_eq!(json["sso-sessions"]["corp"]["sso_region"], "us-east-1");
    assert_eq!(json["services"], serde_json::json!({}));
}

#[test]
fn explain_prints_the_plan() {
    let home = home();
    let out = home.run(&["explain", "dev"]).ok();
    assert_eq!(
        out,
        "profile `dev`: 2 steps\n  1. static keys of profile `base` (access key AKIA…MPLE)\n  2. assume arn:aws:iam::123456789012:role/Dev (role_arn of `dev`) (external id)\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["explain", "dev", "--json"]).ok()).unwrap();
    assert_eq!(json["roles"][0]["external_id"], "ext-1");
    assert_eq!(json["base"]["type"], "access-key");
    assert!(!json.to_string().contains("wJalr"));
    let out = home.run(&["explain", "broken"]).fails();
    assert!(
        out.contains("could not find source profile missing referenced from broken"),
        "{out}"
    );
}

#[test]
fn doctor_reports_each_problem_with_its_place_and_fix() {
    let home = Home::new();
    home.write(
        ".aws/config",
        "[profile a]\nregion = x\nREGION = y\n[profile a]\n[profile 'my profile']\nregion = z\n[profile b]\nrole_arn = arn:aws:iam::1:role/R\n  # indented note\n[orphan]\n",
    );
    let creds = home.write(".aws/credentials", "[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secretsecretsecret\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let run = home.run(&["doctor", "--json"]);
    assert_eq!(run.code(), 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let codes: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["location"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let has = |code: &str, at: &str| codes.iter().any(|(c, l)| c == code && l.ends_with(at));
    assert!(has("duplicate-key", "config:3"), "{codes:?}");
    assert!(has("duplicate-section", "config:4"), "{codes:?}");
    assert!(has("quoted-name", "config:5"), "{codes:?}");
    assert!(has("indented-comment", "config:9"), "{codes:?}");
    assert!(has("ignored-section", "config:10"), "{codes:?}");
    assert!(has("plain-text-secret", "credentials:3"), "{codes:?}");
    assert!(has("unresolvable", "profile `b`"), "{codes:?}");
    #[cfg(unix)]
    assert!(has("loose-mode", "credentials"), "{codes:?}");
    assert!(!run.stdout().contains("secretsecret"));
    let clean = Home::new();
    clean.write(".aws/config", "[profile x]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n");
    assert_eq!(clean.run(&["doctor"]).ok(), "no problems found\n");
}

#[test]
fn completions_are_generated_for_each_shell() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = home.run(&["completions", shell]).ok();
        assert!(out.contains("lanyard") && out.contains("rename"), "{shell}");
    }
}

#[test]
fn aws_config_file_and_credentials_file_variables_are_honoured() {
    let home = Home::new();
    let config = home.write("elsewhere/cfg", "[profile x]\nregion = r\n");
    let creds = home.write(
        "elsewhere/creds",
        "[x]\naws_access_key_id = A\naws_secret_access_key = B\n",
    );
    let out = home
        .cmd()
        .args(["list", "--json"])
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["profiles"][0]["kind"], "static");
    assert!(!home.path().join(".aws").exists());
}
