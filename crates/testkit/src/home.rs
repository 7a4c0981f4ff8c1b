//! A fresh home folder per test and a way to run the `lanyard` binary in it, and the rule for
//! tests that need a part the machine may lack: skipped here with the reason, failed under
//! `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Output;

/// A temporary HOME with `.aws/`, and Lanyard's data folder inside it.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    /// A new empty home.
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        Home { dir }
    }

    /// The home folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `~/.aws/config`.
    pub fn config(&self) -> PathBuf {
        self.path().join(".aws/config")
    }

    /// `~/.aws/credentials`.
    pub fn credentials(&self) -> PathBuf {
        self.path().join(".aws/credentials")
    }

    /// Lanyard's data folder (`LANYARD_DATA_DIR`).
    pub fn data(&self) -> PathBuf {
        self.path().join("data")
    }

    /// Writes a file below the home, making its folders.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Reads a file below the home.
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative)).unwrap()
    }

    /// A `lanyard` command with this home and nothing of the caller's AWS environment.
    pub fn cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(lanyard_bin());
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_") || key.starts_with("LANYARD_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("HOME", self.path())
            .env("LANYARD_DATA_DIR", self.data())
            .env("LANYARD_KEYCHAIN_SERVICE", self.keychain_service())
            .current_dir(self.path());
        cmd
    }

    /// The environment a peer (botocore, the AWS CLI) needs to read this home's files and
    /// run `lanyard` as its `credential_process`.
    pub fn peer_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.path().display().to_string()),
            ("LANYARD_DATA_DIR", self.data().display().to_string()),
            ("LANYARD_KEYCHAIN_SERVICE", self.keychain_service()),
            ("AWS_CONFIG_FILE", self.config().display().to_string()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                self.credentials().display().to_string(),
            ),
        ]
    }

    /// The keychain service of this home's vault: each home has its own in the test run's
    /// keyring.
    pub fn keychain_service(&self) -> String {
        format!(
            "lanyard-test-{}",
            self.path().file_name().unwrap().to_string_lossy()
        )
    }

    /// Runs `lanyard` with `args` and these variables added to its environment.
    pub fn output_with(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = self.cmd();
        cmd.envs(vars.iter().copied()).args(args);
        cmd.output().unwrap()
    }

    /// Runs `lanyard` with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        Run(self.cmd().args(args).output().unwrap())
    }
}

/// The result of one run.
pub struct Run(pub Output);

impl Default for Home {
    fn default() -> Home {
        Home::new()
    }
}

impl Run {
    /// Standard output (UTF-8).
    pub fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).unwrap()
    }

    /// Standard error (UTF-8).
    pub fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).unwrap()
    }

    /// The exit code (-1 when killed by a signal).
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stdout()
    }

    /// Asserts exit code 1 with a one-line error and returns it.
    #[track_caller]
    pub fn fails(&self) -> String {
        assert_eq!(
            self.code(),
            1,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        let stderr = self.stderr();
        assert!(stderr.starts_with("lanyard: error: "), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
        stderr
    }
}

/// Whether a real, unlocked Secret Service runs for this test process (the test command runs
/// the tests under `scripts/with-keyring.sh`). Locally without one, keychain tests are
/// skipped with this reason; under `CI=true` they fail.
pub fn keyring() -> bool {
    require(
        "test keyring",
        std::env::var("LANYARD_TEST_KEYRING").is_ok_and(|v| v == "1"),
        "run the tests under scripts/with-keyring.sh (make test does)",
    )
}

/// The repository's `scripts/` folder.
pub fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

/// The `lanyard` binary of this build: `$LANYARD_BIN`, else the one beside the running test
/// executable (`target/<profile>/deps/<test>` → `target/<profile>/lanyard`).
pub fn lanyard_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("LANYARD_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    dir.join(if cfg!(windows) {
        "lanyard.exe"
    } else {
        "lanyard"
    })
}

/// Whether a part a test needs is here: `true`, or, locally, `false` after printing why the
/// test is skipped; under `CI=true` a missing part fails the test.
pub fn require(part: &str, present: bool, how: &str) -> bool {
    if present {
        return true;
    }
    let message = format!("no {part}: {how}");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

impl Home {
    /// Runs `lanyard` with `input` on standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .cmd()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        Run(child.wait_with_output().unwrap())
    }
}
