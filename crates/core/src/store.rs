//! Reading and writing the AWS files without ever losing a byte.
//!
//! Every write runs under a per-file lock in Lanyard's data folder, re-reads the file, applies
//! the edit to what is on disk *now*, writes a temporary file in the same folder (same mode
//! and owner; 0600 for a new file), fsyncs it, checks that nobody changed the file in the
//! meantime (and re-applies the edit if they did), keeps the previous version as a backup
//! (a hard link where possible: no second write), renames the temporary file over the
//! original and fsyncs the folder. A symlinked file is edited through the link.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind as IoKind, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use lanyard_ini::{Document, Kind};
use sha1::{Digest, Sha1};

use crate::error::{Error, ErrorKind};

/// How many previous versions of each file are kept.
pub const BACKUPS_KEPT: usize = 20;
const ATTEMPTS: usize = 20;

/// The two AWS files and Lanyard's data folder.
#[derive(Clone, Debug)]
pub struct Store {
    config: PathBuf,
    credentials: PathBuf,
    data_dir: PathBuf,
}

/// The result of one file edit.
#[derive(Clone, Debug)]
pub struct Change {
    /// The file (as configured, before following a symlink).
    pub path: PathBuf,
    /// The edited document: its source is the text before the edit.
    document: Document,
    unchanged: bool,
    /// Whether the file was written (false for a dry run or an edit that changed nothing).
    pub written: bool,
    /// Where the previous version was kept.
    pub backup: Option<PathBuf>,
}

impl Change {
    /// A change to the file at `path`: `document` after the edit.
    pub fn new(path: PathBuf, document: Document) -> Change {
        Change {
            path,
            unchanged: document.is_unchanged(),
            document,
            written: false,
            backup: None,
        }
    }

    /// Whether the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        self.unchanged
    }

    /// The text before the edit (empty for a missing file).
    pub fn before(&self) -> &str {
        self.document.source()
    }

    /// The text after the edit. Built on demand: writing the file does not need it.
    pub fn after(&self) -> String {
        self.document.render()
    }
}

/// What identifies a version of a file on disk, cheaply.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

fn fingerprint(path: &Path) -> Option<Fingerprint> {
    let meta = fs::metadata(path).ok()?;
    Some(Fingerprint {
        len: meta.len(),
        modified: meta.modified().ok(),
        #[cfg(unix)]
        inode: {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        },
    })
}

impl Store {
    /// A store for these two files, with backups and locks under `data_dir`.
    pub fn new(config: PathBuf, credentials: PathBuf, data_dir: PathBuf) -> Store {
        Store {
            config,
            credentials,
            data_dir,
        }
    }

    /// The path of one of the files.
    pub fn path(&self, kind: Kind) -> &Path {
        match kind {
            Kind::Config => &self.config,
            Kind::Credentials => &self.credentials,
        }
    }

    /// Lanyard's data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Reads a file; a missing file reads as empty. A file that is not UTF-8 is an error.
    pub fn read_text(&self, kind: Kind) -> Result<String, Error> {
        read_text(self.path(kind))
    }

    /// Reads and parses a file.
    pub fn read(&self, kind: Kind) -> Result<Document, Error> {
        Ok(Document::parse_string(self.read_text(kind)?, kind))
    }

    /// Applies `edit` to the file as it is on disk when the write happens, and writes the
    /// result atomically (or only computes it, with `dry_run`). `edit` may run more than
    /// once when another program changes the file meanwhile: it must express the intent,
    /// not a result computed from an earlier read.
    pub fn edit<F>(&self, kind: Kind, dry_run: bool, mut edit: F) -> Result<Change, Error>
    where
        F: FnMut(&mut Document) -> Result<(), Error>,
    {
        let path = self.path(kind).to_path_buf();
        let target = resolve_link(&path)?;
        let _lock = if dry_run {
            None
        } else {
            Some(self.lock(&target)?)
        };
        for _ in 0..ATTEMPTS {
            let seen = fingerprint(&target);
            let mut document = Document::parse_string(read_text(&target)?, kind);
            if let Some(error) = document.errors().first() {
                return Err(crate::error::unparseable(&path, error));
            }
            edit(&mut document)?;
            let mut change = Change::new(path.clone(), document);
            if dry_run || change.is_empty() {
                return Ok(change);
            }
            match self.replace(&target, kind, &change.document, seen.as_ref())? {
                Some(backup) => {
                    change.written = true;
                    change.backup = backup;
                    return Ok(change);
                }
                None => continue, // changed underneath: re-read and re-apply
            }
        }
        Err(Error::new(
            ErrorKind::Conflict,
            "the file kept changing while Lanyard tried to write it",
        )
        .at(&path, None)
        .fix("stop the other program writing it, then try again"))
    }

    /// Writes `text` over `target` if it still has fingerprint `seen`. Returns `None` when
    /// the file changed since it was read, else the backup path (if there was a file).
    fn replace(
        &self,
        target: &Path,
        kind: Kind,
        document: &Document,
        seen: Option<&Fingerprint>,
    ) -> Result<Option<Option<PathBuf>>, Error> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let old_meta = fs::metadata(target).ok();
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{name}.lanyard-"))
            .tempfile_in(dir)
            .map_err(|e| Error::io("create a temporary file", dir, &e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let mode = old_meta
                .as_ref()
                .map(|m| m.mode() & 0o7777)
                .unwrap_or(0o600);
            fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode))
                .map_err(|e| Error::io("set permissions on", temp.path(), &e))?;
            if let Some(meta) = &old_meta {
                // Keep the owner; only root can give a file away, so a refusal is fine.
                let _ = std::os::unix::fs::chown(temp.path(), Some(meta.uid()), Some(meta.gid()));
            }
        }
        document
            .write_to(temp.as_file_mut())
            .map_err(|e| Error::io("write", temp.path(), &e))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| Error::io("flush", temp.path(), &e))?;
        if fingerprint(target).as_ref() != seen {
            return Ok(None);
        }
        let backup = match old_meta {
            Some(_) => Some(self.backup(target, kind)?),
            None => None,
        };
        temp.persist(target)
            .map_err(|e| Error::io("replace", target, &e.error))?;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        self.prune_backups(kind, target);
        Ok(Some(backup))
    }

    fn file_tag(&self, kind: Kind, target: &Path) -> String {
        let digest = Sha1::digest(target.to_string_lossy().as_bytes());
        let name = match kind {
            Kind::Config => "config",
            Kind::Credentials => "credentials",
        };
        format!("{name}-{}", hex(&digest[..4]))
    }

    /// The folder holding the backups of one file.
    pub fn backup_dir(&self, kind: Kind) -> Result<PathBuf, Error> {
        let target = resolve_link(self.path(kind))?;
        Ok(self
            .data_dir
            .join("backups")
            .join(self.file_tag(kind, &target)))
    }

    /// The kept previous versions of a file, oldest first.
    pub fn backups(&self, kind: Kind) -> Result<Vec<PathBuf>, Error> {
        let dir = self.backup_dir(kind)?;
        let mut entries: Vec<PathBuf> = match fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => Vec::new(),
        };
        entries.sort();
        Ok(entries)
    }

    fn backup(&self, target: &Path, kind: Kind) -> Result<PathBuf, Error> {
        let dir = self
            .data_dir
            .join("backups")
            .join(self.file_tag(kind, target));
        create_private_dir(&dir)?;
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let path = dir.join(format!("{stamp:024}-{}.bak", std::process::id()));
        // A hard link costs no second write: the rename that follows leaves the old inode
        // to the backup alone.
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

    fn prune_backups(&self, kind: Kind, target: &Path) {
        let dir = self
            .data_dir
            .join("backups")
            .join(self.file_tag(kind, target));
        let Ok(entries) = fs::read_dir(&dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        if paths.len() <= BACKUPS_KEPT {
            return;
        }
        paths.sort();
        for old in &paths[..paths.len() - BACKUPS_KEPT] {
            let _ = fs::remove_file(old);
        }
    }

    fn lock(&self, target: &Path) -> Result<File, Error> {
        let digest = Sha1::digest(target.to_string_lossy().as_bytes());
        lock_in(&self.data_dir, &hex(&digest))
    }
}

/// Takes the exclusive lock `NAME.lock` in the data folder's `locks/` (created 0700); it is
/// held until the returned file is dropped.
pub(crate) fn lock_in(data_dir: &Path, name: &str) -> Result<File, Error> {
    let dir = data_dir.join("locks");
    create_private_dir(&dir)?;
    let path = dir.join(format!("{name}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("open the lock file", &path, &e))?;
    file.lock().map_err(|e| Error::io("lock", &path, &e))?;
    Ok(file)
}

/// Replaces a small file of Lanyard's own (state, index) atomically: a temporary file in the
/// same folder, fsynced, renamed over it. The folder is created 0700 if missing.
pub(crate) fn write_private_file(path: &Path, text: &str) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut temp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("write", path, &e))?;
    temp.write_all(text.as_bytes())
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| Error::io("write", path, &e))?;
    temp.persist(path)
        .map_err(|e| Error::io("replace", path, &e.error))?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a file as UTF-8; a missing file is empty.
pub fn read_text(path: &Path) -> Result<String, Error> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|error| {
            let valid = error.utf8_error().valid_up_to();
            let line = error.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            Error::new(
                ErrorKind::Unreadable,
                "the file is not valid UTF-8; Lanyard reads and writes only UTF-8 and leaves this file untouched",
            )
            .at(path, Some(line))
            .fix("save the file as UTF-8 (for example with `iconv -t UTF-8`)")
        }),
        Err(error) if error.kind() == IoKind::NotFound => Ok(String::new()),
        Err(error) if error.kind() == IoKind::IsADirectory => Err(Error::new(ErrorKind::Unreadable, "this is a folder, not a file")
            .at(path, None)
            .fix("point AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE at a file")),
        Err(error) => Err(Error::io("read", path, &error)),
    }
}

/// Follows a symlink (chains too) to the file that holds the data, so that the link stays a
/// link. A dangling link resolves to where it points.
fn resolve_link(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current)
                    .map_err(|e| Error::io("follow the link", &current, &e))?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::new(ErrorKind::Unreadable, "too many levels of symbolic links").at(path, None))
}

/// Creates a folder (and missing parents) readable by the owner only.
fn create_private_dir(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Error::io("create the folder", dir, &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanyard_ini::SectionId;

    fn store(dir: &Path) -> Store {
        Store::new(
            dir.join(".aws/config"),
            dir.join(".aws/credentials"),
            dir.join("data"),
        )
    }

    #[test]
    fn an_edit_is_reapplied_when_the_file_changes_underneath() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        fs::create_dir_all(dir.path().join(".aws")).unwrap();
        fs::write(store.path(Kind::Config), "[default]\nregion = a\n").unwrap();
        let mut calls = 0;
        let change = store
            .edit(Kind::Config, false, |doc| {
                calls += 1;
                if calls == 1 {
                    // Another program (say `aws configure`) writes between our read and write.
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    fs::write(
                        store.path(Kind::Config),
                        "[default]\nregion = a\noutput = text\n",
                    )
                    .unwrap();
                }
                doc.set(&SectionId::profile("default"), "cli_pager", "")
                    .map(|_| ())
                    .map_err(|e| Error::new(ErrorKind::Invalid, e.to_string()))
            })
            .unwrap();
        assert_eq!(calls, 2);
        assert!(change.written);
        assert_eq!(
            fs::read_to_string(store.path(Kind::Config)).unwrap(),
            "[default]\nregion = a\noutput = text\ncli_pager =\n"
        );
    }

    #[test]
    fn the_backup_is_the_previous_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        fs::create_dir_all(dir.path().join(".aws")).unwrap();
        fs::write(store.path(Kind::Credentials), "[a]\nk = 1\n").unwrap();
        let change = store
            .edit(Kind::Credentials, false, |doc| {
                doc.set(&SectionId::profile("a"), "k", "2")
                    .map(|_| ())
                    .map_err(|e| Error::new(ErrorKind::Invalid, e.to_string()))
            })
            .unwrap();
        let backup = change.backup.unwrap();
        assert_eq!(fs::read_to_string(&backup).unwrap(), "[a]\nk = 1\n");
        assert_eq!(store.backups(Kind::Credentials).unwrap(), vec![backup]);
    }
}
