//! Edits touch only their lines, in both files.

use crate::util::Home;

const CONFIG: &str = "# Work accounts\r\n[default]\r\nregion = us-east-1 # main\r\n\r\n; the base keys\r\n[profile base]\r\nRegion=eu-west-1\r\n\r\n[profile dev]\r\nrole_arn = arn:aws:iam::123456789012:role/Dev\r\nsource_profile = base\r\n\r\n# trailing notes\r\n";
const CREDENTIALS: &str = "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

fn home() -> Home {
    let home = Home::new();
    home.write(".aws/config", CONFIG);
    home.write(".aws/credentials", CREDENTIALS);
    home
}

#[test]
fn set_changes_only_the_lines_it_touches_and_keeps_crlf() {
    let home = home();
    home.run(&["set", "base", "region=ap-south-1", "output=json"])
        .ok();
    assert_eq!(
        home.read(".aws/config"),
        CONFIG.replace(
            "Region=eu-west-1\r\n",
            "Region=ap-south-1\r\noutput = json\r\n"
        )
    );
    assert_eq!(home.read(".aws/credentials"), CREDENTIALS);
    home.run(&["set", "default", "region=us-west-2"]).ok();
    assert!(home
        .read(".aws/config")
        .contains("region = us-west-2 # main\r\n"));
}

#[test]
fn new_profiles_go_before_trailing_comments() {
    let home = home();
    home.run(&["add", "ops", "region=eu-north-1"]).ok();
    assert!(home.read(".aws/config").ends_with("source_profile = base\r\n\r\n[profile ops]\r\nregion = eu-north-1\r\n\r\n# trailing notes\r\n"));
    let out = home.run(&["add", "ops"]).fails();
    assert!(out.contains("exists already"), "{out}");
}

#[test]
fn secret_keys_go_to_the_credentials_file() {
    let home = home();
    home.run(&[
        "set",
        "dev",
        "aws_session_token=FwoGZXIvYXdzEXAMPLE",
        "region=us-east-2",
    ])
    .ok();
    assert!(home
        .read(".aws/credentials")
        .ends_with("\n[dev]\naws_session_token = FwoGZXIvYXdzEXAMPLE\n"));
    assert!(home
        .read(".aws/config")
        .contains("source_profile = base\r\nregion = us-east-2\r\n"));
    home.run(&["unset", "dev", "aws_session_token"]).ok();
    assert!(!home.read(".aws/credentials").contains("aws_session_token"));
}

#[test]
fn dry_run_prints_a_unified_diff_with_masked_secrets_and_writes_nothing() {
    let home = home();
    let before = std::fs::metadata(home.credentials())
        .unwrap()
        .modified()
        .unwrap();
    let out = home
        .run(&[
            "set",
            "base",
            "aws_secret_access_key=NEWSECRETNEWSECRET",
            "--dry-run",
        ])
        .ok();
    assert!(
        out.contains("--- a/~/.aws/credentials\n+++ b/~/.aws/credentials\n@@ -1,3 +1,3 @@"),
        "{out}"
    );
    assert!(out.contains("-aws_secret_access_key = *** (40 characters)\n+aws_secret_access_key = *** (18 characters)"), "{out}");
    assert!(
        !out.contains("NEWSECRET") && !out.contains("wJalr"),
        "{out}"
    );
    assert_eq!(home.read(".aws/credentials"), CREDENTIALS);
    assert_eq!(
        std::fs::metadata(home.credentials())
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    let revealed = home
        .run(&[
            "set",
            "base",
            "aws_secret_access_key=NEWSECRETNEWSECRET",
            "-n",
            "--reveal",
        ])
        .ok();
    assert!(revealed.contains("+aws_secret_access_key = NEWSECRETNEWSECRET"));
    assert!(
        !home.data().join("backups").exists(),
        "a dry run makes no backup"
    );
}

#[test]
fn remove_acts_on_both_files_and_guards_source_profiles() {
    let home = home();
    let out = home.run(&["remove", "base"]).fails();
    assert!(out.contains("`dev`") && out.contains("--force"), "{out}");
    home.run(&["remove", "dev"]).ok();
    assert_eq!(home.read(".aws/config"), CONFIG.replace("[profile dev]\r\nrole_arn = arn:aws:iam::123456789012:role/Dev\r\nsource_profile = base\r\n\r\n", ""));
    home.run(&["remove", "base"]).ok();
    assert_eq!(home.read(".aws/credentials"), "");
    // The comment directly above [profile base] went with it; the others stay.
    assert_eq!(
        home.read(".aws/config"),
        "# Work accounts\r\n[default]\r\nregion = us-east-1 # main\r\n\r\n# trailing notes\r\n"
    );
}

#[test]
fn rename_updates_both_files_and_references() {
    let home = home();
    let diff = home.run(&["rename", "base", "root", "--dry-run"]).ok();
    assert!(
        diff.contains("-source_profile = base\r\n+source_profile = root\r\n"),
        "{diff}"
    );
    home.run(&["rename", "base", "root"]).ok();
    assert_eq!(
        home.read(".aws/config"),
        CONFIG
            .replace("[profile base]", "[profile root]")
            .replace("source_profile = base", "source_profile = root")
    );
    assert_eq!(
        home.read(".aws/credentials"),
        CREDENTIALS.replace("[base]", "[root]")
    );
    let out = home.run(&["rename", "root", "dev"]).fails();
    assert!(out.contains("exists already"), "{out}");
}

#[test]
fn copy_duplicates_a_profile_in_both_files() {
    let home = home();
    home.run(&["copy", "base", "base2"]).ok();
    let dump: serde_json::Value =
        serde_json::from_str(&home.run(&["dump", "--json"]).ok()).unwrap();
    assert_eq!(dump["profiles"]["base2"], dump["profiles"]["base"]);
    assert!(home
        .read(".aws/config")
        .contains("[profile base2]\r\nRegion=eu-west-1\r\n"));
}

#[test]
fn sso_sessions_and_services_are_edited_in_the_config_file() {
    let home = home();
    home.run(&[
        "set",
        "--sso-session",
        "corp",
        "sso_start_url=https://corp.awsapps.com/start",
        "sso_region=eu-west-1",
    ])
    .ok();
    home.run(&[
        "set",
        "--services",
        "local",
        "s3.endpoint_url=http://127.0.0.1:9000",
        "sts.endpoint_url=http://127.0.0.1:5000",
    ])
    .ok();
    home.run(&["set", "dev", "services=local", "s3.addressing_style=path"])
        .ok();
    let dump: serde_json::Value = serde_json::from_str(&home.run(&["dump"]).ok()).unwrap();
    assert_eq!(dump["sso-sessions"]["corp"]["sso_region"], "eu-west-1");
    assert_eq!(
        dump["services"]["local"]["s3"]["endpoint_url"],
        "http://127.0.0.1:9000"
    );
    assert_eq!(dump["profiles"]["dev"]["s3"]["addressing_style"], "path");
    assert!(home.read(".aws/config").contains("[services local]\r\ns3 =\r\n    endpoint_url = http://127.0.0.1:9000\r\nsts =\r\n    endpoint_url = http://127.0.0.1:5000\r\n"));
    home.run(&["unset", "--services", "local", "s3.endpoint_url"])
        .ok();
    assert!(!home
        .read(".aws/config")
        .contains("s3 =\r\n    endpoint_url"));
    let out = home
        .run(&["set", "--services", "local", "endpoint_url=x"])
        .fails();
    assert!(out.contains("SERVICE.KEY"), "{out}");
}
