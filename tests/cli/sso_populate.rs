//! `sso accounts` and `sso populate` against the fake IAM Identity Center of
//! `lanyard-testkit`: every account and role listed through paging and throttling, and a
//! profile written for each, in one write, without touching the user's own profiles.

use lanyard_testkit::fake_sso::{Fault, Operation};
use lanyard_testkit::FakeSso;

use crate::util::Home;

const SESSION: &str =
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

fn setup(fake: &FakeSso, accounts: usize, roles: usize, more: &str) -> Home {
    fake.auto_approve(true);
    fake.add_accounts(accounts, roles);
    let home = Home::new();
    home.write(".aws/config", &format!("# my settings\n{SESSION}{more}"));
    ok(run(&home, fake, &["login", "corp"]));
    home
}

fn vars(fake: &FakeSso) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_SSO_OIDC", fake.endpoint()),
        ("AWS_ENDPOINT_URL_SSO", fake.endpoint()),
        ("LANYARD_SSO_POLL_MS", "50".to_owned()),
        ("LANYARD_HTTP_TIMEOUT", "20".to_owned()),
    ]
}

fn run(home: &Home, fake: &FakeSso, args: &[&str]) -> std::process::Output {
    let vars = vars(fake);
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    home.output_with(&pairs, args)
}

fn ok(out: std::process::Output) -> (String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The profiles of the config file, as `lanyard dump --json` shows them.
fn profiles(home: &Home, fake: &FakeSso) -> serde_json::Map<String, serde_json::Value> {
    let (json, _) = ok(run(home, fake, &["dump", "--json"]));
    let dump: serde_json::Value = serde_json::from_str(&json).unwrap();
    dump["profiles"].as_object().unwrap().clone()
}

fn backups(home: &Home) -> usize {
    let Ok(dirs) = std::fs::read_dir(home.data().join("backups")) else {
        return 0;
    };
    dirs.map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count())
        .sum()
}

#[test]
fn accounts_lists_every_account_and_role_through_paging_and_throttling() {
    let fake = FakeSso::start();
    let home = setup(&fake, 10, 2, "");
    fake.set_page_size(3);
    fake.inject(Operation::ListAccountRoles, Fault::TooManyRequests, 3);
    fake.inject(Operation::ListAccounts, Fault::ServerError(503), 1);
    let (table, stderr) = ok(run(&home, &fake, &["sso", "accounts", "corp"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 11, "{table}");
    assert!(lines[0].starts_with("ACCOUNT") && lines[0].contains("ROLES"));
    assert!(
        lines[1].starts_with("100000000001  fake-account-001  aws+fake-account-001@example.com  AdministratorAccess,ReadOnlyAccess"),
        "{table}"
    );
    assert!(lines[10].starts_with("100000000010  fake-account-010"));
    assert!(stderr.contains("10 accounts, 20 roles"), "{stderr}");
    // 4 pages of accounts (3+3+3+1) plus the 503; 10 role lists plus 3 throttled.
    assert_eq!(fake.count(Operation::ListAccounts), 5);
    assert_eq!(fake.count(Operation::ListAccountRoles), 13);

    let (json, _) = ok(run(&home, &fake, &["sso", "accounts", "corp", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(list["session"], "corp");
    assert_eq!(list["accounts"].as_array().unwrap().len(), 10);
    // The bearer token never reaches the output.
    let cache = std::fs::read_dir(home.path().join(".aws/sso/cache"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cache).unwrap()).unwrap();
    let token = cached["accessToken"].as_str().unwrap();
    assert!(!table.contains(token) && !stderr.contains(token) && !json.contains(token));
    assert_eq!(
        list["accounts"][0],
        serde_json::json!({"id": "100000000001", "name": "fake-account-001",
            "email": "aws+fake-account-001@example.com",
            "roles": ["AdministratorAccess", "ReadOnlyAccess"]})
    );
}

#[test]
fn accounts_without_a_sign_in_says_to_log_in() {
    let fake = FakeSso::start();
    fake.add_accounts(1, 1);
    let home = Home::new();
    home.write(".aws/config", SESSION);
    let out = run(&home, &fake, &["sso", "accounts", "corp"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lanyard login corp"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn populate_writes_a_marked_profile_per_role_in_one_write_and_a_second_run_changes_nothing() {
    let fake = FakeSso::start();
    let mine = "\n[profile fake-account-007/ReadOnlyAccess]\nregion = us-east-2\noutput = text\n";
    let home = setup(&fake, 50, 2, mine);
    let before = backups(&home);
    let (_, stderr) = ok(run(&home, &fake, &["sso", "populate", "corp"]));
    assert!(
        stderr.contains("99 profiles added, 0 updated, 0 removed, 1 skipped, 0 unchanged"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped `fake-account-007/ReadOnlyAccess`"),
        "{stderr}"
    );
    assert_eq!(backups(&home) - before, 1, "one write of the config file");

    let text = home.read(".aws/config");
    assert!(
        text.starts_with(&format!("# my settings\n{SESSION}{mine}")),
        "{text}"
    );
    let all = profiles(&home, &fake);
    assert_eq!(all.len(), 100);
    assert_eq!(
        all["fake-account-001/AdministratorAccess"],
        serde_json::json!({"sso_session": "corp", "sso_account_id": "100000000001",
            "sso_role_name": "AdministratorAccess", "region": "eu-west-1",
            "lanyard_populated": "corp"})
    );
    assert_eq!(
        all["fake-account-007/ReadOnlyAccess"],
        serde_json::json!({"region": "us-east-2", "output": "text"}),
        "the user's own profile is untouched"
    );
    // `list` sees them as SSO profiles.
    let (list, _) = ok(run(&home, &fake, &["list"]));
    assert!(
        list.lines()
            .any(|l| l.contains("fake-account-050/ReadOnlyAccess") && l.contains("sso")),
        "{list}"
    );

    let (_, stderr) = ok(run(&home, &fake, &["sso", "populate", "corp"]));
    assert!(
        stderr.contains("0 profiles added, 0 updated, 0 removed, 1 skipped, 99 unchanged"),
        "{stderr}"
    );
    assert_eq!(home.read(".aws/config"), text, "not a byte changed");
    assert_eq!(backups(&home) - before, 1, "nothing written");
}

#[test]
fn populate_takes_a_template_and_a_region_and_makes_names_safe() {
    let fake = FakeSso::start();
    let home = setup(&fake, 2, 1, "");
    ok(run(
        &home,
        &fake,
        &[
            "sso",
            "populate",
            "corp",
            "--template",
            "{session} {account_id} ({role_name})",
            "--region",
            "us-west-2",
        ],
    ));
    let all = profiles(&home, &fake);
    let names: Vec<&String> = all.keys().collect();
    assert_eq!(
        names,
        [
            "corp-100000000001-AdministratorAccess",
            "corp-100000000002-AdministratorAccess"
        ]
    );
    assert_eq!(
        all["corp-100000000002-AdministratorAccess"]["region"],
        "us-west-2"
    );
    let out = run(
        &home,
        &fake,
        &["sso", "populate", "corp", "--template", "{acount}"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown placeholder `{acount}`"));
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let fake = FakeSso::start();
    let home = setup(&fake, 2, 1, "");
    let text = home.read(".aws/config");
    let (diff, stderr) = ok(run(&home, &fake, &["sso", "populate", "corp", "--dry-run"]));
    assert_eq!(home.read(".aws/config"), text);
    assert!(stderr.contains("2 profiles would be added"), "{stderr}");
    assert!(
        diff.contains("+[profile fake-account-001/AdministratorAccess]"),
        "{diff}"
    );
    assert!(diff.contains("+sso_account_id = 100000000002"), "{diff}");
    assert!(diff.contains("+lanyard_populated = corp"), "{diff}");
}

#[test]
fn prune_removes_exactly_the_marked_profiles_whose_account_is_gone() {
    let fake = FakeSso::start();
    let mine = "\n[profile keep-me]\nsso_session = corp\nsso_account_id = 100000000003\nsso_role_name = AdministratorAccess\n";
    let home = setup(&fake, 3, 2, mine);
    ok(run(&home, &fake, &["sso", "populate", "corp"]));
    assert_eq!(profiles(&home, &fake).len(), 7);
    // The user now has access to one account only: a server with fewer accounts.
    let fewer = FakeSso::start();
    fewer.auto_approve(true);
    fewer.add_accounts(1, 1);
    // A new server knows nothing of the client registration cached for the first one:
    // login registers anew.
    ok(run(&home, &fewer, &["login", "corp"]));
    assert_eq!(
        fewer.count(lanyard_testkit::fake_sso::Operation::RegisterClient),
        1
    );
    let (_, stderr) = ok(run(&home, &fewer, &["sso", "populate", "corp"]));
    assert!(
        stderr.contains("5 profiles of sso-session `corp` have lost their account or role"),
        "{stderr}"
    );
    assert_eq!(
        profiles(&home, &fewer).len(),
        7,
        "nothing removed without --prune"
    );
    let (diff, _) = ok(run(
        &home,
        &fewer,
        &["sso", "populate", "corp", "--prune", "--dry-run"],
    ));
    assert_eq!(diff.matches("-[profile ").count(), 5, "{diff}");
    let (_, stderr) = ok(run(&home, &fewer, &["sso", "populate", "corp", "--prune"]));
    assert!(
        stderr.contains("0 profiles added, 0 updated, 5 removed"),
        "{stderr}"
    );
    let all = profiles(&home, &fewer);
    let names: Vec<&String> = all.keys().collect();
    assert_eq!(names, ["fake-account-001/AdministratorAccess", "keep-me"]);
    assert!(home
        .read(".aws/config")
        .starts_with(&format!("# my settings\n{SESSION}{mine}")));
}

#[test]
fn populate_of_two_thousand_accounts_finishes() {
    let fake = FakeSso::start();
    let home = setup(&fake, 2000, 2, "");
    let (_, stderr) = ok(run(&home, &fake, &["sso", "populate", "corp"]));
    assert!(stderr.contains("4000 profiles added"), "{stderr}");
    let text = home.read(".aws/config");
    assert_eq!(text.matches("\nlanyard_populated = corp\n").count(), 4000);
    assert!(text.contains("[profile fake-account-2000/ReadOnlyAccess]\nsso_session = corp\nsso_account_id = 100000002000\n"));
}
