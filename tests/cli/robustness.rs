//! What a new user runs into: output that cannot be written, crafted values, misleading
//! advice, STS that hangs or fails, the default profile and the vault after the data folder
//! is gone.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::util::{keyring, Home};

const KEYS: &str = "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

#[test]
fn output_that_cannot_be_written_is_an_error_not_a_panic() {
    let home = Home::new();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let run = home
        .cmd()
        .args(["completions", "bash"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("disk is full") && !stderr.contains("panicked"),
        "{stderr}"
    );

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let run = home
        .cmd()
        .args(["show", "nope"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "no abort when stderr is full");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let home = Home::new();
    let mut config = String::new();
    for i in 0..5000 {
        config.push_str(&format!("[profile p{i}]\nregion = eu-west-1\n"));
    }
    home.write(".aws/config", &config);
    let mut child = home
        .cmd()
        .arg("list")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn control_characters_never_reach_the_terminal_and_doctor_flags_them() {
    let home = Home::new();
    home.write(
        ".aws/config",
        "[profile evil]\nregion = eu-west-1\u{1b}[2J\u{1b}]0;owned\u{7}\n",
    );
    for args in [&["list"][..], &["show", "evil"], &["doctor"]] {
        let run = home.run(args);
        let all = format!("{}{}", run.stdout(), run.stderr());
        assert!(
            !all.contains('\u{1b}') && !all.contains('\u{7}'),
            "{args:?}: {all:?}"
        );
    }
    let doctor = home.run(&["doctor", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&doctor.stdout()).unwrap();
    let codes: Vec<_> = json["findings"]
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
    assert!(
        codes
            .iter()
            .any(|(c, l)| c == "control-character" && l.ends_with("config:2")),
        "{codes:?}"
    );
}

#[test]
fn a_dry_run_masks_every_line_of_a_secret() {
    let home = Home::new();
    home.write(
        ".aws/credentials",
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = first-part\n  hidden-continuation-part\n",
    );
    let diff = home.run(&["remove", "dev", "--dry-run"]).ok();
    assert!(diff.contains("-aws_secret_access_key"), "{diff}");
    assert!(
        !diff.contains("first-part") && !diff.contains("hidden-continuation"),
        "{diff}"
    );
}

#[test]
fn a_role_profile_can_be_the_default() {
    let home = Home::new();
    home.write(".aws/credentials", KEYS);
    home.write(
        ".aws/config",
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = base\nregion = eu-west-1\n",
    );
    home.run(&["use", "dev"]).ok();
    let list: serde_json::Value =
        serde_json::from_str(&home.run(&["list", "--json"]).ok()).unwrap();
    let dev = list["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "dev")
        .unwrap();
    assert_eq!(dev["default"], true);
}

#[test]
fn use_reset_needs_only_the_files_and_keeps_what_the_user_added() {
    let home = Home::new();
    home.write(".aws/credentials", KEYS);
    let config = "# mine\n[default]\nregion = us-west-2\n\n[profile dev]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/Dev\n";
    home.write(".aws/config", config);
    home.run(&["use", "dev"]).ok();
    // Lanyard's data folder is lost, and the user adds a key to the managed [default].
    std::fs::remove_dir_all(home.data()).ok();
    home.run(&["set", "default", "cli_pager="]).ok();
    home.run(&["set", "default", "s3.max_concurrent_requests=20"])
        .ok();
    home.run(&["set", "default", "ca_bundle=/etc/ssl/corp.pem"])
        .ok();
    home.run(&["use", "--reset"]).ok();
    let after = home.read(".aws/config");
    assert!(
        after.starts_with("# mine\n[default]\nregion = us-west-2\n"),
        "{after}"
    );
    assert!(
        after.contains("ca_bundle = /etc/ssl/corp.pem"),
        "carried over: {after}"
    );
    assert!(!after.contains("lanyard"), "{after}");
}

#[test]
fn use_reset_refuses_to_lose_a_value_set_both_ways() {
    let home = Home::new();
    home.write(".aws/credentials", KEYS);
    home.write(
        ".aws/config",
        "[default]\nca_bundle = /a.pem\n[profile dev]\nsource_profile = base\n",
    );
    home.run(&["use", "base"]).ok();
    home.run(&["set", "default", "ca_bundle=/b.pem"]).ok();
    let before = home.read(".aws/config");
    let error = home.run(&["use", "--reset"]).fails();
    assert!(error.contains("ca_bundle"), "{error}");
    assert_eq!(home.read(".aws/config"), before);
}

#[test]
fn an_empty_home_is_read_as_the_sdks_read_it_and_never_written() {
    let home = Home::new();
    let run = home.output_with(&[("HOME", "")], &["set", "dev", "region=eu-west-1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HOME is set but empty"), "{stderr}");
    assert!(
        !std::path::Path::new("/.aws/config").exists()
            || std::fs::read_to_string("/.aws/config")
                .map(|t| !t.contains("[profile dev]"))
                .unwrap_or(true)
    );
}

#[test]
fn a_misspelled_profile_is_missing_even_without_a_keychain() {
    let home = Home::new();
    home.write(".aws/credentials", KEYS);
    let run = home.output_with(
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
        &["credential-process", "bsae"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr.contains("does not exist") && stderr.contains("did you mean `base`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("D-Bus") && !stderr.contains("dbus"),
        "{stderr}"
    );
}

#[test]
fn doctor_names_vault_import_for_plain_keys() {
    let home = Home::new();
    home.write(".aws/credentials", KEYS);
    let out = home.run(&["doctor"]).stdout();
    assert!(out.contains("lanyard vault import base"), "{out}");
}

/// A server that accepts connections and answers with `reply` (or never, when `None`).
fn server(reply: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 8192];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = stream.read(&mut buffer);
            match reply {
                Some(reply) => {
                    let _ = stream.write_all(reply.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    url
}

fn role_home(endpoint: &str) -> Home {
    let home = Home::new();
    home.write(".aws/credentials", KEYS);
    home.write(
        ".aws/config",
        &format!("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = base\nendpoint_url = {endpoint}\n"),
    );
    home
}

#[test]
fn an_sts_that_never_answers_fails_within_the_time_limit() {
    let home = role_home(&server(None));
    let started = Instant::now();
    let run = home.output_with(
        &[("LANYARD_HTTP_TIMEOUT", "2")],
        &["credential-process", "dev"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(stderr.contains("did not answer within 2 s"), "{stderr}");
}

#[test]
fn an_sts_server_error_is_said_plainly() {
    let reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 9\r\nConnection: close\r\n\r\n<h1>x</h1>";
    let home = role_home(&server(Some(reply)));
    let run = home.output_with(
        &[("LANYARD_HTTP_TIMEOUT", "5")],
        &["credential-process", "dev"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(!stderr.contains("trust policy"), "{stderr}");
    assert!(
        !stderr.contains("Unhandled")
            && !stderr.contains("XmlDecodeError")
            && !stderr.contains("{ "),
        "{stderr}"
    );
}

#[test]
fn vault_add_never_replaces_a_different_key_silently() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    add_key(&home, "dev", "AKIAFIRSTFIRSTFIRST1");
    let error = home
        .run_with_input(
            &["vault", "add", "dev", "--stdin"],
            "AKIASECONDSECONDSEC2\nsecret-two\n",
        )
        .fails();
    assert!(
        error.contains("AKIA…RST1") && error.contains("--force"),
        "{error}"
    );
    assert_eq!(served_key(&home, "dev"), "AKIAFIRSTFIRSTFIRST1");
    home.run_with_input(
        &["vault", "add", "dev", "--stdin", "--force"],
        "AKIASECONDSECONDSEC2\nsecret-two\n",
    )
    .ok();
    assert_eq!(served_key(&home, "dev"), "AKIASECONDSECONDSEC2");
}

#[test]
fn vault_list_asks_the_keychain_not_the_data_folder() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    add_key(&home, "a", "AKIAAAAAAAAAAAAAAAA1");
    add_key(&home, "b", "AKIABBBBBBBBBBBBBBB2");
    std::fs::remove_dir_all(home.data()).ok();
    let names = |home: &Home| -> Vec<String> {
        let json: serde_json::Value =
            serde_json::from_str(&home.run(&["vault", "list", "--json"]).ok()).unwrap();
        json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&home),
        ["a", "b"],
        "the data folder is gone, the keys are not"
    );
    // Deleted in the keychain application: gone from the list.
    let status = std::process::Command::new("secret-tool")
        .args([
            "clear",
            "service",
            &home.keychain_service(),
            "username",
            "aws-profile:b",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(names(&home), ["a"]);
}

#[test]
fn import_refuses_a_duplicated_section_instead_of_losing_its_keys() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    let text = "[dev]\naws_access_key_id = AKIAOLDOLDOLDOLDOLD1\naws_secret_access_key = old-secret\n\n[dev]\naws_access_key_id = AKIANEWNEWNEWNEWNEW2\naws_secret_access_key = new-secret\n";
    home.write(".aws/credentials", text);
    let error = home.run(&["vault", "import", "dev"]).fails();
    assert!(
        error.contains("more than once") && error.contains("credentials:1"),
        "{error}"
    );
    assert_eq!(home.read(".aws/credentials"), text);
}

#[test]
fn an_import_through_a_path_with_a_quote_gives_a_line_the_sdks_can_run() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    let dir = home.path().join("o'brien tools");
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("lanyard");
    std::fs::copy(lanyard_testkit::lanyard_bin(), &bin).unwrap();
    home.write(".aws/credentials", KEYS);
    let run = std::process::Command::new(&bin)
        .args(["vault", "import", "base"])
        .envs(home.peer_env())
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let credentials = home.read(".aws/credentials");
    let line = credentials
        .lines()
        .find_map(|l| l.strip_prefix("credential_process = "))
        .unwrap_or_else(|| panic!("{credentials}"));
    // botocore splits it with shlex into the same three words.
    let split = std::process::Command::new(lanyard_testkit::peer_python())
        .args([
            "-c",
            "import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))",
            line,
        ])
        .output()
        .unwrap();
    let words: Vec<String> = serde_json::from_slice(&split.stdout).unwrap();
    assert_eq!(
        words,
        [
            bin.display().to_string(),
            "credential-process".into(),
            "base".into()
        ]
    );
    // `sh -c` (the AWS SDK for Rust) runs it as written.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(line)
        .envs(home.peer_env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["AccessKeyId"], "AKIAIOSFODNN7EXAMPLE");
}

#[test]
fn a_kernel_keyring_key_is_found_by_the_next_process() {
    let home = Home::new();
    let add = home
        .cmd()
        .env("LANYARD_KEYCHAIN", "keyutils")
        .args(["vault", "add", "kdev", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"AKIAKERNELKERNELKER1\nkernel-secret\n")?;
            child.wait_with_output()
        })
        .unwrap();
    let stderr = String::from_utf8_lossy(&add.stderr);
    if !lanyard_testkit::require(
        "kernel keyring",
        !stderr.contains("kernel keyring may be off"),
        "this kernel or container has keyrings off",
    ) {
        return;
    }
    assert!(add.status.success(), "{stderr}");
    let served = home.output_with(
        &[("LANYARD_KEYCHAIN", "keyutils")],
        &["credential-process", "kdev"],
    );
    assert!(
        served.status.success(),
        "{}",
        String::from_utf8_lossy(&served.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&served.stdout).unwrap();
    assert_eq!(json["AccessKeyId"], "AKIAKERNELKERNELKER1");
    let removed = home.output_with(
        &[("LANYARD_KEYCHAIN", "keyutils")],
        &["vault", "remove", "kdev"],
    );
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
}

/// The access key id `credential-process NAME` serves.
fn served_key(home: &Home, name: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&home.run(&["credential-process", name]).ok()).unwrap();
    json["AccessKeyId"].as_str().unwrap().to_owned()
}

/// Stores a key for `name` in the home's vault.
fn add_key(home: &Home, name: &str, id: &str) {
    home.run_with_input(
        &["vault", "add", name, "--stdin"],
        &format!("{id}\nsecret-of-{name}\n"),
    )
    .ok();
}

#[test]
fn rename_carries_the_vault_key_and_every_line_that_runs_it() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    home.write(
        ".aws/credentials",
        "[dev]\naws_access_key_id = AKIADEVDEVDEVDEVDEV1\naws_secret_access_key = dev-secret\n",
    );
    home.write(
        ".aws/config",
        "[profile dev]\nregion = eu-west-1\n[profile ops]\nregion = eu-north-1\n",
    );
    home.run(&["vault", "import", "dev"]).ok();
    home.run(&["use", "dev"]).ok();
    home.run(&["rename", "dev", "development"]).ok();
    let config = home.read(".aws/config");
    let credentials = home.read(".aws/credentials");
    assert!(
        !format!("{config}{credentials}").contains("credential-process dev\n"),
        "{config}{credentials}"
    );
    // A later key stored under the old name is not served under the new one.
    add_key(&home, "dev", "AKIAOTHEROTHEROTHER9");
    assert_eq!(served_key(&home, "development"), "AKIADEVDEVDEVDEVDEV1");
    // The managed [default] follows too.
    assert_eq!(served_key(&home, "default"), "AKIADEVDEVDEVDEVDEV1");
    let list: serde_json::Value =
        serde_json::from_str(&home.run(&["vault", "list", "--json"]).ok()).unwrap();
    let names: Vec<_> = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "development"]);
}

#[test]
fn remove_of_the_default_gives_the_users_default_back_and_takes_the_key_along() {
    if !keyring() {
        return;
    }
    let home = Home::new();
    home.write(
        ".aws/credentials",
        "[dev]\naws_access_key_id = AKIADEVDEVDEVDEVDEV1\naws_secret_access_key = dev-secret\n",
    );
    let config = "[default]\nregion = us-west-2\n";
    home.write(".aws/config", config);
    home.run(&["vault", "import", "dev"]).ok();
    home.run(&["use", "dev"]).ok();
    let run = home.run(&["remove", "dev"]);
    run.ok();
    assert!(run.stderr().contains("default"), "{}", run.stderr());
    assert_eq!(
        home.read(".aws/config"),
        config,
        "the user's own [default], as it was"
    );
    // `default` resolves as it did before `use`: no key there now, nothing in the vault.
    let list: serde_json::Value =
        serde_json::from_str(&home.run(&["vault", "list", "--json"]).ok()).unwrap();
    assert!(list["keys"].as_array().unwrap().is_empty(), "{list}");
}

#[test]
fn remove_refuses_while_others_depend_on_it() {
    let home = Home::new();
    let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n[profile a]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = R\n[profile b]\ncredential_process = lanyard credential-process c\n[profile c]\nregion = x\n";
    home.write(".aws/config", config);
    let error = home.run(&["remove", "--sso-session", "corp"]).fails();
    assert!(error.contains("`a`"), "{error}");
    let error = home.run(&["remove", "c"]).fails();
    assert!(error.contains("`b`"), "{error}");
    assert_eq!(home.read(".aws/config"), config);
    home.run(&["remove", "--sso-session", "corp", "--force"])
        .ok();
}

/// `list` and `dump` of a 16 MB config stay within a data limit of ten times the file's size
/// (plus a fixed allowance for the program itself): before, `list` needed about 22 times the
/// file and `dump` 32 times.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn reading_a_large_config_takes_a_small_multiple_of_its_size() {
    use std::os::unix::process::CommandExt;
    let home = Home::new();
    let mut config = String::with_capacity(17 << 20);
    let mut i = 0;
    while config.len() < 16 << 20 {
        let root = i - i % 100;
        config.push_str(&format!(
            "[profile p{i:06}]\nregion = eu-west-1\noutput = json\n"
        ));
        if i == root {
            config.push_str(&format!(
                "credential_process = /usr/local/bin/creds --profile p{i:06}\n"
            ));
        } else {
            config.push_str(&format!(
                "role_arn = arn:aws:iam::123456789012:role/Role{}\nsource_profile = p{root:06}\n",
                i % 7
            ));
        }
        if i % 10 == 3 {
            config
                .push_str("s3 =\n    addressing_style = path\n    max_concurrent_requests = 20\n");
        }
        config.push('\n');
        i += 1;
    }
    let size = config.len() as u64;
    home.write(".aws/config", &config);
    let limit = 10 * size + (48 << 20);
    for args in [&["list"][..], &["dump", "--json"]] {
        let mut cmd = home.cmd();
        cmd.args(args).stdout(std::process::Stdio::null());
        // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
        unsafe {
            cmd.pre_exec(move || {
                let rlimit = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_DATA, &rlimit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let run = cmd.output().unwrap();
        assert!(
            run.status.success(),
            "{args:?} within {} MB for a {} MB file: {}",
            limit >> 20,
            size >> 20,
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[test]
fn a_missing_sso_session_is_answered_with_the_sessions_there_are() {
    let home = Home::new();
    home.write(
        ".aws/config",
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    let error = home.run(&["show", "--sso-session", "crop"]).fails();
    assert!(error.contains("did you mean `corp`"), "{error}");
    assert!(
        !error.contains("lanyard list"),
        "list shows no sessions: {error}"
    );
}
