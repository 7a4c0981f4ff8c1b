//! The vault against a real Secret Service (gnome-keyring on a private D-Bus session).

use crate::util::{keyring, scripts, Home};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const OTHER_SECRET: &str = "otHer+Secret/Value=42";

fn credentials() -> String {
    format!(
        "# team keys, do not share\n[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\nregion = eu-west-1\n\n; staging\n[stage]\naws_access_key_id = AKIASTAGE00000000001\naws_secret_access_key = {OTHER_SECRET}\n\n[temp]\naws_access_key_id = ASIATEMP000000000001\naws_secret_access_key = tempsecret\naws_session_token = temptoken\n"
    )
}

#[test]
fn add_from_stdin_then_serve_it_as_credential_process_json() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    let name = "odd.name@x:y+z/w%1";
    home.run_with_input(
        &["vault", "add", name, "--stdin"],
        &format!("AKIAODD0000000000001\n{SECRET}\nsession/token==\n"),
    )
    .ok();
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["credential-process", name]).ok()).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], "AKIAODD0000000000001");
    assert_eq!(json["SecretAccessKey"], SECRET);
    assert_eq!(json["SessionToken"], "session/token==");
    let list = home.run(&["vault", "list"]).ok();
    assert!(list.contains(name) && list.contains("AKIA…0001"), "{list}");
    assert!(!list.contains(SECRET));
    home.run(&["vault", "remove", name]).ok();
    home.run(&["credential-process", name]).fails();
    home.run(&["vault", "remove", name]).fails();
}

#[test]
fn import_moves_the_keys_losslessly_and_only_after_the_keychain_has_them() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    home.write(".aws/credentials", &credentials());
    let diff = home.run(&["vault", "import", "dev", "--dry-run"]).ok();
    assert!(diff.contains("-aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n-aws_secret_access_key = *** (40 characters)\n+credential_process = "), "{diff}");
    assert!(!diff.contains(SECRET), "{diff}");
    assert_eq!(
        home.read(".aws/credentials"),
        credentials(),
        "a dry run writes nothing"
    );
    home.run(&["vault", "import", "dev"]).ok();
    let command = format!("{} credential-process dev", env!("CARGO_BIN_EXE_lanyard"));
    assert_eq!(
        home.read(".aws/credentials"),
        credentials().replace(
            &format!(
                "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n"
            ),
            &format!("credential_process = {command}\n")
        )
    );
    let backups = std::fs::read_dir(home.data().join("backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 1, "the previous version is kept");
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["credential-process", "dev"]).ok()).unwrap();
    assert_eq!(json["SecretAccessKey"], SECRET);
    let show = home.run(&["list"]).ok();
    assert!(
        show.lines()
            .any(|l| l.contains("dev") && l.contains("vault")),
        "{show}"
    );
    // --all takes the remaining long-term keys, and leaves temporary ones in place.
    home.run(&["vault", "import", "--all"]).ok();
    let text = home.read(".aws/credentials");
    assert!(
        !text.contains(OTHER_SECRET) && text.contains("aws_session_token = temptoken"),
        "{text}"
    );
    assert!(
        text.starts_with("# team keys, do not share\n[dev]\n")
            && text.contains("\n; staging\n[stage]\ncredential_process = "),
        "{text}"
    );
}

#[test]
fn import_refuses_what_it_cannot_move() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    home.write(".aws/config", "[profile sso]\nsso_session = s\n");
    home.run(&["vault", "import", "sso"]).fails();
    home.run(&["vault", "import", "nope"]).fails();
}

#[test]
fn parallel_adds_keep_every_key() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    let children: Vec<_> = (0..12)
        .map(|i| {
            let mut cmd = home.cmd();
            cmd.args(["vault", "add", &format!("p{i}"), "--stdin"])
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("AKIAPARALLEL{i:08}\nsecret-{i}\n").as_bytes())
                .unwrap();
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list: serde_json::Value =
        serde_json::from_str(&home.run(&["vault", "list", "--json"]).ok()).unwrap();
    assert_eq!(list["keys"].as_array().unwrap().len(), 12);
    for i in 0..12 {
        let json: serde_json::Value =
            serde_json::from_str(&home.run(&["credential-process", &format!("p{i}")]).ok())
                .unwrap();
        assert_eq!(json["SecretAccessKey"], format!("secret-{i}"));
    }
}

#[test]
fn without_a_secret_service_the_error_says_how_to_get_one_and_nothing_changes() {
    let home = Home::new();
    home.write(".aws/credentials", &credentials());
    let run = |args: &[&str]| {
        let mut cmd = home.cmd();
        cmd.args(args)
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/lanyard-test-bus",
            )
            .env_remove("DISPLAY");
        crate::util::Run(cmd.output().unwrap())
    };
    let out = run(&["vault", "import", "dev"]).fails();
    assert!(
        out.contains("no Secret Service is reachable")
            && out.contains("gnome-keyring-daemon")
            && out.contains("LANYARD_KEYCHAIN=keyutils"),
        "{out}"
    );
    assert_eq!(home.read(".aws/credentials"), credentials());
    assert!(!out.contains(SECRET));
}

#[test]
fn a_locked_keyring_gives_a_clear_error() {
    if !keyring() {
        return;
    }
    // A keyring of its own: locking the shared one would disturb the other tests.
    let home = Home::new();
    let script = format!(
        "dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && printf 'AKIALOCKED0000000001\\nsecret\\n' | {} vault add locked --stdin",
        env!("CARGO_BIN_EXE_lanyard")
    );
    let output = std::process::Command::new(scripts().join("with-keyring.sh"))
        .env_remove("LANYARD_IN_KEYRING_SESSION")
        .env("LANYARD_KEYCHAIN_TIMEOUT", "10")
        .arg("bash")
        .arg("-c")
        .arg(&script)
        .env("HOME", home.path())
        .env("LANYARD_DATA_DIR", home.data())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("lanyard: error:"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("locked") && line.contains("unlock"), "{line}");
}

#[test]
fn use_makes_a_profile_the_default_and_reset_gives_the_old_one_back() {
    let home = Home::new();
    let config = "# mine\n[default]\nregion = us-east-1\noutput = text\n\n[profile dev]\nregion = eu-west-1\noutput = json\n";
    let creds = "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = defaultsecret\n\n[dev]\naws_access_key_id = AKIADEV0000000000001\naws_secret_access_key = devsecret\n";
    home.write(".aws/config", config);
    home.write(".aws/credentials", creds);
    home.run(&["use", "dev"]).ok();
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["credential-process", "default"]).ok()).unwrap();
    assert_eq!(json["AccessKeyId"], "AKIADEV0000000000001");
    let dump: serde_json::Value = serde_json::from_str(&home.run(&["dump"]).ok()).unwrap();
    assert_eq!(dump["profiles"]["default"]["region"], "eu-west-1");
    assert_eq!(dump["profiles"]["default"]["output"], "json");
    assert!(
        dump["profiles"]["default"]
            .get("aws_access_key_id")
            .is_none(),
        "no keys shadow the credential_process"
    );
    let list = home.run(&["list"]).ok();
    assert!(
        list.lines()
            .any(|l| l.contains(" dev ") && l.contains("(the default)")),
        "{list}"
    );
    home.run(&["use", "default"]).fails();
    home.run(&["use", "--reset"]).ok();
    assert_eq!(home.read(".aws/config"), config);
    assert_eq!(home.read(".aws/credentials"), creds);
    home.run(&["use", "--reset"]).fails();
}
