//! botocore, run as a separate process on files we wrote.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python that has the peers installed.
pub fn peer_python() -> PathBuf {
    std::env::var_os("LANYARD_PEER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// Checks that a Python module is importable. When it is not, the test is skipped with the
/// reason locally, and fails under `CI=true`, where the test command installs every peer.
pub fn require_peer(module: &str) -> bool {
    let ok = Command::new(peer_python())
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let message = format!(
            "peer `{module}` is not installed for {}; run scripts/setup-test-deps.sh",
            peer_python().display()
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipped: {message}");
    }
    ok
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/peers")
        .join(name)
}

/// What botocore sees in a config and credentials file, in `lanyard dump --json` form, or
/// botocore's error message when it refuses the files.
pub fn botocore_view(config: &Path, credentials: &Path) -> Result<serde_json::Value, String> {
    let output = Command::new(peer_python())
        .arg(script("botocore_view.py"))
        .arg(config)
        .arg(credentials)
        .env_remove("AWS_PROFILE")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", peer_python().display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("botocore_view.py printed no JSON: {e}"))
}

/// [`botocore_view`] for many pairs of files, in one Python process.
pub fn botocore_batch(pairs: &[(PathBuf, PathBuf)]) -> Vec<Result<serde_json::Value, String>> {
    use std::io::Write;
    let input: Vec<[String; 2]> = pairs
        .iter()
        .map(|(c, k)| {
            [
                c.to_string_lossy().into_owned(),
                k.to_string_lossy().into_owned(),
            ]
        })
        .collect();
    let mut child = Command::new(peer_python())
        .arg(script("botocore_batch.py"))
        .env_remove("AWS_PROFILE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run botocore_batch.py");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "botocore_batch.py failed");
    let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    results
        .into_iter()
        .map(|r| match r.get("ok") {
            Some(view) => Ok(view.clone()),
            None => Err(r["error"].as_str().unwrap_or_default().to_owned()),
        })
        .collect()
}
