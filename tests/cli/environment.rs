//! export and exec: credentials into a terminal or a child process.

use crate::util::Home;

fn home() -> Home {
    let home = Home::new();
    home.write(".aws/config", "[profile dev]\nregion = eu-west-1\n\n[profile sso]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n");
    home.write(".aws/credentials", "[dev]\naws_access_key_id = AKIADEV0000000000001\naws_secret_access_key = it's $ecret \"quoted\" %PATH%\n");
    home
}

#[test]
fn exec_runs_the_command_with_the_profile_and_passes_its_exit_code() {
    let home = home();
    let mut cmd = home.cmd();
    cmd.args(["exec", "dev", "--", "sh", "-c", "printf '%s|%s|%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_REGION\" \"$LANYARD_PROFILE\" \"${AWS_PROFILE-unset}\"; exit 42"])
        .env("AWS_PROFILE", "stale")
        .env("AWS_SESSION_TOKEN", "stale-token")
        .env("AWS_ROLE_ARN", "arn:aws:iam::1:role/stale");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(42));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "AKIADEV0000000000001|it's $ecret \"quoted\" %PATH%|eu-west-1|dev|unset"
    );
    let mut cmd = home.cmd();
    cmd.args([
        "exec",
        "dev",
        "--",
        "sh",
        "-c",
        "echo ${AWS_SESSION_TOKEN-none} ${AWS_ROLE_ARN-none}",
    ])
    .env("AWS_SESSION_TOKEN", "x")
    .env("AWS_ROLE_ARN", "y");
    assert_eq!(
        String::from_utf8_lossy(&cmd.output().unwrap().stdout),
        "none none\n"
    );
}

#[test]
fn exec_refuses_to_nest_and_explains_what_it_cannot_serve() {
    let home = home();
    let mut cmd = home.cmd();
    cmd.args(["exec", "dev", "--", "true"])
        .env("LANYARD_PROFILE", "outer");
    let out = crate::util::Run(cmd.output().unwrap()).fails();
    assert!(
        out.contains("already inside `lanyard exec` for profile `outer`"),
        "{out}"
    );
    let out = home.run(&["exec", "sso", "--", "true"]).fails();
    assert!(out.contains("IAM Identity Center"), "{out}");
    let out = home
        .run(&["exec", "dev", "--", "/nonexistent/program"])
        .fails();
    assert!(out.contains("cannot run `/nonexistent/program`"), "{out}");
}

#[test]
fn export_lines_sourced_by_bash_give_the_profile() {
    let home = home();
    let lines = home.run(&["export", "dev"]).ok();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{lines}\nprintf '%s|%s|%s' \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_DEFAULT_REGION\" \"${{AWS_PROFILE-unset}}\""))
        .env("AWS_PROFILE", "stale")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "it's $ecret \"quoted\" %PATH%|eu-west-1|unset"
    );
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["export", "dev", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["AWS_ACCESS_KEY_ID"], "AKIADEV0000000000001");
    // cmd cannot hold a double quote safely: refused, naming the variable, never the value.
    let out = home.run(&["export", "dev", "--format", "cmd"]).fails();
    assert!(
        out.contains("AWS_SECRET_ACCESS_KEY") && !out.contains("ecret"),
        "{out}"
    );
}

#[test]
fn export_to_the_clipboard() {
    let have = |tool: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(have("xvfb-run") && have("xclip")) {
        let message = "xvfb-run and xclip are needed for the clipboard test (scripts/setup-test-deps.sh installs them)";
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "{message}"
        );
        eprintln!("skipped: {message}");
        return;
    }
    let home = home();
    let script = format!(
        "{} export dev --format bash --clipboard && xclip -o -selection clipboard",
        env!("CARGO_BIN_EXE_lanyard")
    );
    let cmd = home.cmd();
    let out = std::process::Command::new("xvfb-run")
        .args(["-a", "sh", "-c", &script])
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clipboard = String::from_utf8_lossy(&out.stdout);
    assert!(
        clipboard.starts_with("export AWS_ACCESS_KEY_ID='AKIADEV0000000000001'\n"),
        "{clipboard}"
    );
    assert!(
        clipboard.contains("export AWS_SECRET_ACCESS_KEY='it'\\''s $ecret \"quoted\" %PATH%'\n"),
        "{clipboard}"
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("copied the bash lines for `dev` to the clipboard"));
}
