//! The names of temporary files, and the ones an interrupted write left behind.
//!
//! A temporary file is a whole copy of the file it replaces, secrets included, so it is
//! private (0600) until the instant before its rename, and one that a killed process left is
//! removed by the next write. Only names of exactly our pattern count:
//! `.NAME.lanyard-PID-NANOS-ATTEMPT`, for the two files of the store. One is left over when
//! the process that made it is gone, or (its process id taken by another process since) when
//! it is older than any write takes.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A temporary file older than this is a leftover even when a process of its id runs.
const OLDEST_WRITE: Duration = Duration::from_secs(60 * 60);

/// `.NAME.lanyard-PID-NANOS-ATTEMPT` in `dir`: hidden, and unique to this process and moment.
pub(super) fn path(dir: &Path, name: &str, attempt: u32) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    dir.join(format!(
        ".{name}.lanyard-{}-{nanos:09}-{attempt}",
        std::process::id()
    ))
}

/// The process id in `file_name` when it is a temporary name for `name`.
fn pid_of(file_name: &str, name: &str) -> Option<u32> {
    let rest = file_name
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix(".lanyard-")?;
    let mut parts = rest.split('-');
    let numbers: Vec<&str> = parts.by_ref().take(3).collect();
    let digits = |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || numbers.len() != 3 || !numbers.iter().all(digits) {
        return None;
    }
    numbers[0].parse().ok()
}

/// The temporary files for `name` in `dir` that no write will rename any more.
pub(super) fn leftovers(dir: &Path, name: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid = pid_of(entry.file_name().to_str()?, name)?;
            let meta = entry.metadata().ok()?;
            let age = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .unwrap_or_default();
            let stale = meta.is_file() && (!is_running(pid) || age > OLDEST_WRITE);
            stale.then(|| entry.path())
        })
        .collect();
    found.sort();
    found
}

/// Whether a process with this id runs (as far as this process can tell).
#[cfg(unix)]
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 checks that the process exists and sends nothing.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_pattern_is_a_temporary_name() {
        assert_eq!(
            pid_of(".credentials.lanyard-123-000000042-0", "credentials"),
            Some(123)
        );
        let name = path(Path::new("/x"), "config", 3);
        let name = name.file_name().unwrap().to_str().unwrap();
        assert_eq!(pid_of(name, "config"), Some(std::process::id()));
        for other in [
            ".credentials.lanyard-123-000000042-0",
            ".config.lanyard-notes",
            ".config.lanyard-1-2",
            ".config.lanyard-1-2-3-4",
            ".config.lanyard-1-x-3",
            ".config.lanyard--2-3",
            "config.lanyard-1-2-3",
            ".config.bak",
        ] {
            assert_eq!(pid_of(other, "config"), None, "{other}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_temporary_of_a_live_process_is_not_left_over() {
        let dir = tempfile::tempdir().unwrap();
        let mine = path(dir.path(), "config", 0);
        fs::write(&mine, "").unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        let dead = dir
            .path()
            .join(format!(".config.lanyard-{gone}-000000001-0"));
        fs::write(&dead, "").unwrap();
        assert_eq!(leftovers(dir.path(), "config"), vec![dead]);
        assert!(leftovers(dir.path(), "credentials").is_empty());
    }
}
