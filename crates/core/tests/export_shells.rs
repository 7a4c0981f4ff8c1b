//! `lanyard export` output sourced by the real shells, with values made of every character a
//! shell treats specially.
//!
//! Each shell starts with stale AWS variables in its environment, sources the rendered text,
//! then prints its environment (`env -0`); every variable must hold exactly the value put in
//! and every stale one must be gone. bash, zsh and fish come from `scripts/setup-test-deps.sh`:
//! a missing one is skipped with a message locally and fails the test under `CI=true`.
//! PowerShell (`pwsh`) is not in Debian's archive, so it runs only when it is on `PATH` and is
//! skipped with a message otherwise, in CI too. cmd has no shell here (its output is checked by
//! the unit tests). The dotenv output is read back by a parser that follows the documented
//! convention and, when `$LANYARD_PEER_PYTHON` (default `python3`) can import it, by
//! python-dotenv.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use lanyard_core::credentials::{rfc3339, Credentials};
use lanyard_core::export::{exec_environment, render, Exported, Format, Problem};
use lanyard_core::Secret;

/// Every character the brief lists (`'`, `$`, `"`, `%`, `!`, `\`, `` ` ``, space, `;`, `&`, `|`,
/// `^`, `<`, `>`), non-ASCII text, expansions that would run if quoting failed, control
/// characters, and a final backslash.
const TRICKY_SECRET: &str = "a'b\"c$HOME ${HOME} $(touch pwned) `touch pwned` %PATH% !! !$ \
     d\\e\\\\f'\\''g;h&i|j^k<l>m é ‘’ \u{1b}[0m\ttab\nline2\r\n#~*?[x]{y,z}\\";

/// A session token that starts with `-` and holds other quoting traps.
const TRICKY_TOKEN: &str = "-n \\'x'\\ $'y' \"$@\" ''\u{7f}";

/// Stale values the child starts with, before it sources the output.
const STALE: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIASTALE"),
    ("AWS_SECRET_ACCESS_KEY", "stale-secret"),
    ("AWS_SESSION_TOKEN", "stale-token"),
    ("AWS_SECURITY_TOKEN", "stale-security-token"),
    ("AWS_CREDENTIAL_EXPIRATION", "2001-01-01T00:00:00Z"),
    ("AWS_PROFILE", "stale-profile"),
    ("AWS_DEFAULT_PROFILE", "stale-default-profile"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
    ("LANYARD_PROFILE", "stale-marker"),
];

/// Variables every render must leave alone.
const KEPT: &[(&str, &str)] = &[
    ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/kept"),
    ("UNRELATED", "kept"),
];

fn temporary() -> Credentials {
    Credentials {
        access_key_id: "ASIAQUOTINGTEST".into(),
        secret_access_key: Secret::new(TRICKY_SECRET),
        session_token: Some(Secret::new(TRICKY_TOKEN)),
        expiration: Some(1_795_447_365),
        account_id: None,
    }
}

fn long_term() -> Credentials {
    Credentials {
        access_key_id: "AKIAQUOTINGTEST".into(),
        secret_access_key: Secret::new(TRICKY_SECRET),
        session_token: None,
        expiration: None,
        account_id: None,
    }
}

/// What the environment must look like after sourcing: `Some(value)` set, `None` absent.
fn expected(exported: &Exported<'_>) -> BTreeMap<&'static str, Option<String>> {
    let credentials = exported.credentials;
    let mut want: BTreeMap<&'static str, Option<String>> =
        STALE.iter().map(|(name, _)| (*name, None)).collect();
    want.insert("AWS_ACCESS_KEY_ID", Some(credentials.access_key_id.clone()));
    want.insert(
        "AWS_SECRET_ACCESS_KEY",
        Some(credentials.secret_access_key.expose().to_owned()),
    );
    if let Some(token) = &credentials.session_token {
        want.insert("AWS_SESSION_TOKEN", Some(token.expose().to_owned()));
    }
    if let Some(expiration) = credentials.expiration {
        want.insert("AWS_CREDENTIAL_EXPIRATION", Some(rfc3339(expiration)));
    }
    if let Some(region) = exported.region {
        want.insert("AWS_REGION", Some(region.to_owned()));
        want.insert("AWS_DEFAULT_REGION", Some(region.to_owned()));
    }
    for (name, value) in KEPT {
        want.insert(name, Some((*value).to_owned()));
    }
    want
}

fn cases() -> Vec<(&'static str, Credentials, Option<&'static str>)> {
    vec![
        (
            "temporary credentials with a region",
            temporary(),
            Some("eu-west-1"),
        ),
        ("long-term keys without a region", long_term(), None),
    ]
}

/// The program on `PATH`, if there is one.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// A shell installed by `scripts/setup-test-deps.sh`: skipped with a reason locally, a
/// failure under `CI=true`.
fn required_shell(program: &str) -> Option<PathBuf> {
    let found = on_path(program);
    if found.is_none() {
        let reason = format!(
            "`{program}` is not on PATH; run scripts/setup-test-deps.sh (apt package `{program}`)"
        );
        if under_ci() {
            panic!("{reason}");
        }
        eprintln!("skipping the {program} export test: {reason}");
    }
    found
}

/// Runs `program args…` with a clean environment holding only the stale and kept variables
/// (plus what a shell needs to start), and returns its standard output, checking that it
/// succeeded and wrote nothing on standard error.
fn run_child(program: &Path, args: &[OsString], home: &Path) -> Vec<u8> {
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("LANG", "C.UTF-8")
        .env("TERM", "dumb")
        .current_dir(home);
    for (name, value) in STALE.iter().chain(KEPT) {
        command.env(name, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "{} failed ({}): {stderr}",
        program.display(),
        output.status
    );
    output.stdout
}

/// Parses `env -0` output.
fn parse_env0(output: &[u8]) -> BTreeMap<String, String> {
    let text = std::str::from_utf8(output).expect("the environment is UTF-8");
    text.split('\0')
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (name, value) = entry.split_once('=').expect("NAME=value");
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

fn check(
    label: &str,
    want: &BTreeMap<&'static str, Option<String>>,
    got: &BTreeMap<String, String>,
) {
    for (name, value) in want {
        assert_eq!(
            got.get(*name),
            value.as_ref(),
            "{label}: {name} is wrong after sourcing"
        );
    }
}

/// Renders each case in `format`, writes it to a file, lets the shell source it and checks the
/// environment it ends up with.
fn source_in_shell(program: &Path, format: Format, args: impl Fn(&Path) -> Vec<OsString>) {
    for (label, credentials, region) in cases() {
        let exported = Exported {
            credentials: &credentials,
            region,
            profile: "quoting",
        };
        let home = tempfile::tempdir().unwrap();
        let script = home.path().join(format!("export.{format}"));
        std::fs::write(&script, render(&exported, format).unwrap()).unwrap();
        let output = run_child(program, &args(&script), home.path());
        let label = format!("{format}, {label}");
        check(&label, &expected(&exported), &parse_env0(&output));
        assert!(
            !home.path().join("pwned").exists(),
            "{label}: a command ran"
        );
    }
}

#[cfg(unix)]
#[test]
fn bash_sources_the_export_exactly() {
    let Some(bash) = required_shell("bash") else {
        return;
    };
    source_in_shell(&bash, Format::Bash, |script| {
        vec![
            "--noprofile".into(),
            "--norc".into(),
            "-c".into(),
            ". \"$1\" && exec env -0".into(),
            "bash".into(),
            script.into(),
        ]
    });
}

#[cfg(unix)]
#[test]
fn zsh_sources_the_export_exactly() {
    let Some(zsh) = required_shell("zsh") else {
        return;
    };
    source_in_shell(&zsh, Format::Zsh, |script| {
        vec![
            "-f".into(),
            "-c".into(),
            ". \"$1\" && exec env -0".into(),
            "zsh".into(),
            script.into(),
        ]
    });
}

#[test]
fn bash_and_zsh_get_the_same_text() {
    // The two formats are the same text; check that stays true.
    let credentials = temporary();
    let exported = Exported {
        credentials: &credentials,
        region: Some("eu-west-1"),
        profile: "quoting",
    };
    assert_eq!(
        render(&exported, Format::Bash),
        render(&exported, Format::Zsh)
    );
}

#[cfg(unix)]
#[test]
fn fish_sources_the_export_exactly() {
    let Some(fish) = required_shell("fish") else {
        return;
    };
    // `set -e` of a variable that is not set returns a status of 4, so the next command does
    // not depend on the status of `source`.
    source_in_shell(&fish, Format::Fish, |script| {
        vec![
            "--no-config".into(),
            "-c".into(),
            "source $argv[1]; exec env -0".into(),
            script.into(),
        ]
    });
}

#[test]
fn powershell_sets_the_variables_exactly() {
    let Some(pwsh) = on_path("pwsh") else {
        eprintln!(
            "skipping the PowerShell export test: `pwsh` is not on PATH (it is not in \
             Debian's archive; install PowerShell from Microsoft's repository to run it)"
        );
        return;
    };
    let names: Vec<&str> = STALE.iter().chain(KEPT).map(|(name, _)| *name).collect();
    let list = names
        .iter()
        .map(|name| format!("'{name}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let runner = format!(
        ". $args[0]\n\
         $result = [ordered]@{{}}\n\
         foreach ($name in @({list})) {{\n\
         \x20   $result[$name] = [Environment]::GetEnvironmentVariable($name)\n\
         }}\n\
         $result | ConvertTo-Json -Compress -EscapeHandling EscapeNonAscii\n"
    );
    for (label, credentials, region) in cases() {
        let exported = Exported {
            credentials: &credentials,
            region,
            profile: "quoting",
        };
        let home = tempfile::tempdir().unwrap();
        let script = home.path().join("export.ps1");
        std::fs::write(&script, render(&exported, Format::PowerShell).unwrap()).unwrap();
        let runner_path = home.path().join("runner.ps1");
        std::fs::write(&runner_path, &runner).unwrap();
        let output = run_child(
            &pwsh,
            &[
                "-NoLogo".into(),
                "-NoProfile".into(),
                "-NonInteractive".into(),
                "-File".into(),
                runner_path.into(),
                script.into(),
            ],
            home.path(),
        );
        let json: BTreeMap<String, Option<String>> =
            serde_json::from_slice(&output).expect("pwsh printed a JSON object");
        let got: BTreeMap<String, String> = json
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        check(&format!("powershell, {label}"), &expected(&exported), &got);
    }
}

/// The environment `lanyard exec` would give a child, applied the way the CLI applies it.
#[cfg(unix)]
#[test]
fn exec_environment_reaches_the_child_exactly() {
    let Some(env) = on_path("env") else {
        panic!("`env` is not on PATH");
    };
    for (label, credentials, region) in cases() {
        let exported = Exported {
            credentials: &credentials,
            region,
            profile: "quoting",
        };
        let (set, remove) = exec_environment(&exported);
        let mut command = Command::new(&env);
        command.arg("-0").env_clear();
        for (name, value) in STALE.iter().chain(KEPT) {
            command.env(name, value);
        }
        let other_sources = [
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_SESSION_NAME",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        ];
        for name in other_sources {
            command.env(name, "stale");
        }
        for name in &remove {
            command.env_remove(name);
        }
        command.envs(set.iter().map(|(name, value)| (name, value)));
        let output = command.output().unwrap();
        assert!(output.status.success());
        let got = parse_env0(&output.stdout);

        let mut want = expected(&exported);
        want.insert("LANYARD_PROFILE", Some("quoting".into()));
        want.insert("AWS_ROLE_ARN", None);
        for name in other_sources {
            want.insert(name, None);
        }
        check(&format!("exec, {label}"), &want, &got);
        assert_eq!(got.get("UNRELATED").map(String::as_str), Some("kept"));
    }
}

// ---------------------------------------------------------------------------------- dotenv --

/// A value dotenv can carry: everything above except a `$` before a name, `{`, `(` or `$`, and
/// a final backslash (see the module documentation of `export`).
const DOTENV_SECRET: &str = "a'b\"c$ %PATH% !! $. d\\e\\\\f'\\''g;h&i|j^k<l>m é ‘’ \
     \u{1b}[0m\ttab\nline2\r\n#~*?[x]=y \\n\\\"$";

/// Reads dotenv text by the convention `render` documents: `NAME="value"` lines, with `\\`,
/// `\"`, `\n` and `\r` the only escapes.
fn parse_dotenv(text: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for line in text.lines() {
        let (name, quoted) = line.split_once('=').expect("NAME=\"value\"");
        let inner = quoted
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{name}: value not in double quotes"));
        let mut value = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    other => panic!("{name}: escape \\{other:?} is not in the convention"),
                },
                '"' => panic!("{name}: unescaped double quote"),
                c => value.push(c),
            }
        }
        assert!(
            values.insert(name.to_owned(), value).is_none(),
            "{name} twice"
        );
    }
    values
}

fn dotenv_credentials(region: Option<&str>) -> (Credentials, Option<&str>) {
    let credentials = Credentials {
        access_key_id: "ASIAQUOTINGTEST".into(),
        secret_access_key: Secret::new(DOTENV_SECRET),
        session_token: Some(Secret::new("-n 'x' \\q ‘’ \u{7f}")),
        expiration: Some(1_795_447_365),
        account_id: None,
    };
    (credentials, region)
}

/// The variables a dotenv file must define, and nothing else.
fn dotenv_expected(exported: &Exported<'_>) -> BTreeMap<String, String> {
    expected(exported)
        .into_iter()
        .filter(|(name, _)| !KEPT.iter().any(|(kept, _)| kept == name))
        .filter_map(|(name, value)| Some((name.to_owned(), value?)))
        .collect()
}

#[test]
fn dotenv_reads_back_by_its_convention() {
    for region in [Some("eu-west-1"), None] {
        let (credentials, region) = dotenv_credentials(region);
        let exported = Exported {
            credentials: &credentials,
            region,
            profile: "quoting",
        };
        let text = render(&exported, Format::Dotenv).unwrap();
        assert_eq!(parse_dotenv(&text), dotenv_expected(&exported));
    }

    // What the two readers disagree on is refused, naming the variable and not the value.
    let credentials = temporary();
    let exported = Exported {
        credentials: &credentials,
        region: None,
        profile: "quoting",
    };
    let error = render(&exported, Format::Dotenv).unwrap_err();
    assert_eq!(error.variable, "AWS_SECRET_ACCESS_KEY");
    assert_eq!(error.problem, Problem::Dollar);
    assert!(!error.to_string().contains("pwned"));
}

#[test]
fn python_dotenv_reads_the_dotenv_export_exactly() {
    let python = std::env::var_os("LANYARD_PEER_PYTHON").unwrap_or_else(|| "python3".into());
    let probe = Command::new(&python).args(["-c", "import dotenv"]).output();
    match probe {
        Ok(output) if output.status.success() => {}
        Ok(_) => {
            eprintln!(
                "skipping the python-dotenv check: {} cannot import dotenv (pip install \
                 python-dotenv to run it); the convention's own parser still ran",
                python.to_string_lossy()
            );
            return;
        }
        Err(error) => {
            eprintln!(
                "skipping the python-dotenv check: cannot run {}: {error}",
                python.to_string_lossy()
            );
            return;
        }
    }
    let reader = "import json, sys\n\
                  from dotenv import dotenv_values\n\
                  print(json.dumps([dotenv_values(sys.argv[1]), \
                  dotenv_values(sys.argv[1], interpolate=False)]))\n";
    for region in [Some("eu-west-1"), None] {
        let (credentials, region) = dotenv_credentials(region);
        let exported = Exported {
            credentials: &credentials,
            region,
            profile: "quoting",
        };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".env");
        std::fs::write(&file, render(&exported, Format::Dotenv).unwrap()).unwrap();
        let output = Command::new(&python)
            .arg("-c")
            .arg(reader)
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stderr.is_empty(),
            "python-dotenv failed: {stderr}"
        );
        let [interpolated, raw]: [BTreeMap<String, String>; 2] =
            serde_json::from_slice(&output.stdout).expect("a JSON pair");
        let want = dotenv_expected(&exported);
        assert_eq!(interpolated, want, "python-dotenv, interpolation on");
        assert_eq!(raw, want, "python-dotenv, interpolation off");
    }
}
