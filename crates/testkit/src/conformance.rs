//! Where the AWS SDKs' cross-SDK test vectors are, for the harnesses that run them beside the
//! crate each one pins. The vectors are read in place, never copied into the project: from
//! `$LANYARD_CONFORMANCE_DIR`, else from `shared/conformance/` beside the workspace (the folder
//! above the one holding `Cargo.lock`, so the answer is the same from every crate). The
//! smithy-rs parser and file-location suites also ship inside the published `aws-runtime`
//! crate, for a checkout that has no shared folder.

use std::path::{Path, PathBuf};

use crate::require;

/// The workspace root: the nearest folder holding `Cargo.lock`, looking up from the crate
/// whose tests run (`CARGO_MANIFEST_DIR` as cargo sets it for them), else from this crate.
fn workspace_root() -> Option<PathBuf> {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(Path::to_path_buf)
}

/// The shared conformance folder, when present.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("LANYARD_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root()?.join("../shared/conformance"),
    };
    dir.is_dir().then_some(dir)
}

/// The `test-data` folder of the `aws-runtime` crate the workspace depends on, when cargo
/// has it (offline: nothing is downloaded for this).
pub fn aws_runtime_test_data() -> Option<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut metadata = std::process::Command::new(cargo);
    metadata
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(workspace_root()?);
    // Without a platform, offline metadata fails on the first package of another platform
    // (a Windows-only crate) that was never downloaded.
    if let Some(host) = host_triple() {
        metadata.args(["--filter-platform", &host]);
    }
    let output = metadata.output().ok()?;
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

/// The target triple of the toolchain's host, from `rustc -vV`.
fn host_triple() -> Option<String> {
    let output = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
}

/// Finds a suite file: in the shared folder first, else `name` in a fallback folder.
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

/// Reports a suite that could not be found, by the rule of [`require`]: skipped with the
/// reason here, a failure under `CI=true`.
pub fn missing(suite: &str) {
    require(
        &format!("conformance suite `{suite}`"),
        false,
        "put the shared folder beside the project, or set LANYARD_CONFORMANCE_DIR",
    );
}
