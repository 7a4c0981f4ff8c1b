//! Runs the AWS SDKs' cross-SDK test vectors against Lanyard, reading them where they are:
//! `../shared/conformance/` (or `$LANYARD_CONFORMANCE_DIR`), and the copies of the smithy-rs
//! parser and file-location suites that ship inside the published `aws-runtime` crate.
//! Nothing of the vectors is copied into this project.
//!
//! A suite that cannot be found is skipped with a message, except under `CI=true`, where a
//! missing suite fails the run.

mod assume_role;
mod endpoints;
mod location;
mod parser;
mod roundtrip;

use std::path::{Path, PathBuf};

/// The shared conformance folder, when present.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("LANYARD_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    };
    dir.is_dir().then_some(dir)
}

/// The `test-data` folder of the `aws-runtime` crate this workspace depends on.
pub fn aws_runtime_test_data() -> Option<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let manifest = metadata["packages"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == "aws-runtime")?["manifest_path"]
        .as_str()?
        .to_owned();
    let dir = Path::new(&manifest).parent()?.join("test-data");
    dir.is_dir().then_some(dir)
}

/// Finds a suite file: in the shared folder first, else in a fallback folder.
pub fn locate(shared_relative: &str, fallback: Option<(&Path, &str)>) -> Option<PathBuf> {
    if let Some(dir) = conformance_dir() {
        let path = dir.join(shared_relative);
        if path.is_file() {
            return Some(path);
        }
    }
    let (dir, name) = fallback?;
    let path = dir.join(name);
    path.is_file().then_some(path)
}

/// Reports a suite that could not be found: a skip locally, a failure under `CI=true`.
pub fn missing(suite: &str) {
    let message = format!(
        "conformance suite `{suite}` not found: put the shared folder beside the project, or set LANYARD_CONFORMANCE_DIR"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
}
