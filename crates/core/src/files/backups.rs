//! The previous versions of each file, the last [`BACKUPS_KEPT`], under
//! `DATA/backups/NAME-TAG/` (TAG: the first bytes of the SHA-1 of the file's path, so two
//! files of one name keep apart). Names start with the time they were taken: sorted by name,
//! they are oldest first.
//!
//! A backup is a hard link to the version being replaced where the data folder shares its
//! file system: the rename that follows leaves the old inode to the backup alone, and no byte
//! is written twice.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use lanyard_ini::Kind;
use sha1::{Digest, Sha1};

use super::atomic::create_private_dir;
use crate::error::Error;

/// How many previous versions of each file are kept.
pub const BACKUPS_KEPT: usize = 20;

/// The folder of the backups of `target` (the file a configured path leads to).
pub(super) fn dir_of(data_dir: &Path, kind: Kind, target: &Path) -> PathBuf {
    let digest = Sha1::digest(target.to_string_lossy().as_bytes());
    let name = match kind {
        Kind::Config => "config",
        Kind::Credentials => "credentials",
    };
    data_dir
        .join("backups")
        .join(format!("{name}-{}", hex::encode(&digest[..4])))
}

/// The backups in `dir`, oldest first.
pub(super) fn list(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    paths
}

/// Keeps `target` as it is now in the backup folder `dir`.
pub(super) fn keep(target: &Path, dir: &Path) -> Result<PathBuf, Error> {
    create_private_dir(dir)?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let path = dir.join(format!("{stamp:024}-{}.bak", std::process::id()));
    if fs::hard_link(target, &path).is_err() {
        fs::copy(target, &path).map_err(|e| Error::io("back up", target, &e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o600));
        }
    }
    Ok(path)
}

/// Removes the oldest of `kept` until, with the one just taken, the last [`BACKUPS_KEPT`]
/// are left.
pub(super) fn prune(kept: &[PathBuf]) {
    let excess = (kept.len() + 1).saturating_sub(BACKUPS_KEPT);
    for old in &kept[..excess] {
        let _ = fs::remove_file(old);
    }
}
