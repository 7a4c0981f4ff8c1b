//! A fresh home folder per test and a way to run `lanyard` in it.

use std::path::{Path, PathBuf};
use std::process::Output;

/// A temporary HOME with `.aws/`, and Lanyard's data folder inside it.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.path().join(".aws/config")
    }

    pub fn credentials(&self) -> PathBuf {
        self.path().join(".aws/credentials")
    }

    pub fn data(&self) -> PathBuf {
        self.path().join("data")
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative)).unwrap()
    }

    /// A `lanyard` command with this home and nothing of the caller's AWS environment.
    pub fn cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lanyard"));
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_") || key.starts_with("LANYARD_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("HOME", self.path())
            .env("LANYARD_DATA_DIR", self.data())
            .current_dir(self.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run(self.cmd().args(args).output().unwrap())
    }
}

/// The result of one run.
pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).unwrap()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).unwrap()
    }

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
    if std::env::var("LANYARD_TEST_KEYRING").is_ok_and(|v| v == "1") {
        return true;
    }
    let message = "no test keyring: run the tests under scripts/with-keyring.sh (make test does)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// The repository's `scripts/` folder.
pub fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts")
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
