//! The previous versions of each file, the last [`BACKUPS_KEPT`], under
//! `DATA/backups/NAME-TAG/` (TAG: the first bytes of the SHA-1 of the file's path, so two
//! files of one name keep apart). Names start with the time they were taken: sorted by name,
//! they are oldest first.
//!
//! Backups are private (0600), like everything in the data folder, whatever the mode of the
//! file and the umask. A backup is a hard link to the version being replaced where it can be:
//! the rename that follows leaves the old inode to the backup alone, no byte is written twice,
//! and the fast path can reuse that inode later. A link shares the file's mode, so right after
//! the rename, when the backup is the old inode's only name, it is made 0600 (a write killed
//! in between leaves one that the next write tightens). Where the data folder is on another
//! file system, or the file belongs to another user (whose inode Lanyard may not chmod), the
//! backup is a copy, created 0600.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use lanyard_ini::Kind;
use sha1::{Digest, Sha1};

use super::atomic::create_private_dir;
use super::errors::write_failed;
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

/// Keeps `target`, which holds `bytes` and has metadata `meta`, in the backup folder `dir`;
/// errors name `path`, the file as configured.
pub(super) fn keep(
    path: &Path,
    target: &Path,
    meta: &fs::Metadata,
    bytes: &[u8],
    dir: &Path,
) -> Result<PathBuf, Error> {
    create_private_dir(dir)?;
    let backup = new_name(dir);
    if !(can_make_private(meta) && fs::hard_link(target, &backup).is_ok()) {
        copy(bytes, &backup).map_err(|e| write_failed(path, dir, &e))?;
    }
    Ok(backup)
}

/// Keeps `bytes`, the text of the file at `path`, in the backup folder `dir` as a copy that is
/// on disk before the file is written in place.
pub(super) fn keep_copy(bytes: &[u8], path: &Path, dir: &Path) -> Result<PathBuf, Error> {
    create_private_dir(dir)?;
    let backup = new_name(dir);
    copy(bytes, &backup).map_err(|e| write_failed(path, dir, &e))?;
    super::atomic::sync_folder(dir);
    Ok(backup)
}

/// A name for a new backup in `dir`: the time first, so that names sort oldest first.
fn new_name(dir: &Path) -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    dir.join(format!("{stamp:024}-{}.bak", std::process::id()))
}

/// Writes `bytes` to a new file at `path`, private from the start, and fsyncs it.
fn copy(bytes: &[u8], path: &Path) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}

/// Whether an inode with this metadata can be made 0600 once it is only a backup.
#[cfg(unix)]
fn can_make_private(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    meta.mode() & 0o077 == 0 || me == 0 || me == meta.uid()
}

#[cfg(not(unix))]
fn can_make_private(_meta: &fs::Metadata) -> bool {
    true
}

/// Makes `old`, the version just replaced, private now that its backup link is its only name.
pub(super) fn seal(old: &File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if old
            .metadata()
            .is_ok_and(|m| m.nlink() == 1 && m.mode() & 0o077 != 0)
        {
            let _ = old.set_permissions(fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = old;
}

/// Makes private the backups in `kept` that are not (a write killed between its backup link
/// and the rename leaves one with the file's mode). Only inodes no other name shares.
pub(super) fn tidy(kept: &[PathBuf]) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        for path in kept {
            let loose = fs::symlink_metadata(path)
                .is_ok_and(|m| m.is_file() && m.nlink() == 1 && m.mode() & 0o077 != 0);
            if loose {
                let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = kept;
}

/// Removes from `kept`, and from disk, the backups that are another name of the file itself
/// (`meta`): a write killed between its backup link and its rename leaves one. It holds no
/// previous version, and would make the file look hard-linked.
pub(super) fn drop_links_to(kept: &mut Vec<PathBuf>, meta: &fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let file = (meta.dev(), meta.ino());
        kept.retain(|path| {
            let same = fs::symlink_metadata(path).is_ok_and(|m| (m.dev(), m.ino()) == file);
            !(same && fs::remove_file(path).is_ok())
        });
    }
    #[cfg(not(unix))]
    let _ = (kept, meta);
}

/// Removes the oldest of `kept` until, with the one just taken, the last [`BACKUPS_KEPT`]
/// are left.
pub(super) fn prune(kept: &[PathBuf]) {
    let excess = (kept.len() + 1).saturating_sub(BACKUPS_KEPT);
    for old in &kept[..excess] {
        let _ = fs::remove_file(old);
    }
}
