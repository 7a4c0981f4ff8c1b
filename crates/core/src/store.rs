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
    refusal: Option<Error>,
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
    /// The bytes written to disk for the new version: pages that already held the right
    /// bytes are not written again.
    pub bytes_written: u64,
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
            bytes_written: 0,
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
            refusal: None,
        }
    }

    /// The same store, refusing every write with `error` (reads and dry runs still work):
    /// for files in a place the user did not name.
    pub fn refuse_writes(mut self, error: Error) -> Store {
        self.refusal = Some(error);
        self
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
        if let (Some(refusal), false) = (&self.refusal, dry_run) {
            return Err(refusal.clone());
        }
        let target = resolve_link(&path)?;
        let _lock = if dry_run {
            None
        } else {
            Some(self.lock(&target)?)
        };
        for _ in 0..ATTEMPTS {
            let seen = fingerprint(&target);
            crate::trace("locked");
            let text = read_text(&target)?;
            crate::trace("read");
            let mut document = Document::parse_string(text, kind);
            crate::trace("parsed");
            if let Some(error) = document.errors().first() {
                return Err(crate::error::unparseable(&path, error));
            }
            edit(&mut document)?;
            crate::trace("edited");
            let mut change = Change::new(path.clone(), document);
            crate::trace("compared");
            if dry_run || change.is_empty() {
                return Ok(change);
            }
            match self.replace(&target, kind, &change.document, seen.as_ref())? {
                Some((backup, bytes)) => {
                    change.written = true;
                    change.backup = backup;
                    change.bytes_written = bytes;
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

    /// Writes `document` over `target` if it still has fingerprint `seen`. Returns `None`
    /// when the file changed since it was read, else the backup path (if there was a file)
    /// and the number of bytes written.
    fn replace(
        &self,
        target: &Path,
        kind: Kind,
        document: &Document,
        seen: Option<&Fingerprint>,
    ) -> Result<Option<(Option<PathBuf>, u64)>, Error> {
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
        // When the backup of this version will push the oldest one out, the oldest one's
        // inode becomes the temporary file: overwriting a file costs much less than freeing
        // one and allocating another of the same size.
        // The backups are listed once: for that, and for pruning what the new one pushes out.
        let backups = self.backup_dir_of(kind, target);
        let mut kept = match old_meta {
            Some(_) => list_backups(&backups),
            None => Vec::new(),
        };
        let spare = (kept.len() >= BACKUPS_KEPT).then(|| kept.remove(0));
        let temp = Temp::create(dir, &name, spare.as_deref())?;
        if let Some(spare) = spare.filter(|_| !temp.recycled) {
            kept.insert(0, spare);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let mode = old_meta
                .as_ref()
                .map(|m| m.mode() & 0o7777)
                .unwrap_or(0o600);
            temp.file
                .set_permissions(fs::Permissions::from_mode(mode))
                .map_err(|e| Error::io("set permissions on", &temp.path, &e))?;
            if let Some(meta) = &old_meta {
                // Keep the owner; only root can give a file away, so a refusal is fine.
                let _ = std::os::unix::fs::fchown(&temp.file, Some(meta.uid()), Some(meta.gid()));
            }
        }
        let mut out = Overwrite::new(&temp.file, temp.recycled);
        let bytes = document
            .write_to(&mut out)
            .and_then(|()| out.finish())
            .map_err(|e| Error::io("write", &temp.path, &e))?;
        crate::trace("written");
        temp.file
            .sync_all()
            .map_err(|e| Error::io("flush", &temp.path, &e))?;
        crate::trace("flushed");
        if fingerprint(target).as_ref() != seen {
            return Ok(None);
        }
        let backup = match old_meta {
            Some(_) => Some(self.backup(target, &backups)?),
            None => None,
        };
        temp.persist(target)
            .map_err(|e| Error::io("replace", target, &e))?;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        crate::trace("replaced");
        if backup.is_some() {
            // The oldest go until, with the new one, the last BACKUPS_KEPT are left.
            let excess = (kept.len() + 1).saturating_sub(BACKUPS_KEPT);
            for old in &kept[..excess] {
                let _ = fs::remove_file(old);
            }
        }
        crate::trace("backups pruned");
        Ok(Some((backup, bytes)))
    }

    /// The folder of the backups of `target`, the file the configured path leads to.
    fn backup_dir_of(&self, kind: Kind, target: &Path) -> PathBuf {
        self.data_dir
            .join("backups")
            .join(self.file_tag(kind, target))
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
        Ok(self.backup_dir_of(kind, &target))
    }

    /// The kept previous versions of a file, oldest first.
    pub fn backups(&self, kind: Kind) -> Result<Vec<PathBuf>, Error> {
        Ok(list_backups(&self.backup_dir(kind)?))
    }

    /// Keeps `target` as it is now in the backup folder `dir`.
    fn backup(&self, target: &Path, dir: &Path) -> Result<PathBuf, Error> {
        create_private_dir(dir)?;
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

    fn lock(&self, target: &Path) -> Result<File, Error> {
        let digest = Sha1::digest(target.to_string_lossy().as_bytes());
        lock_in(&self.data_dir, &hex(&digest))
    }
}

/// The backups in `dir`, oldest first (their names start with the time they were taken).
fn list_backups(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    paths
}

/// The temporary file an edit is written to, in the folder of the file it replaces. It is
/// removed when dropped, unless it was renamed over that file.
struct Temp {
    path: PathBuf,
    file: File,
    /// Whether the file is a former backup (it holds an old version of the text).
    recycled: bool,
    persisted: bool,
}

impl Temp {
    /// A new empty file (mode 0600) named after `name`, or the file `spare` moved there
    /// when it can be: a regular file with no other link, on the same file system.
    fn create(dir: &Path, name: &str, spare: Option<&Path>) -> Result<Temp, Error> {
        if let Some(temp) = spare.and_then(|spare| Temp::recycle(dir, name, spare)) {
            return Ok(temp);
        }
        let mut last = None;
        for attempt in 0..16 {
            let path = temp_path(dir, name, attempt);
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Temp {
                        path,
                        file,
                        recycled: false,
                        persisted: false,
                    })
                }
                Err(e) if e.kind() == IoKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(Error::io("create a temporary file in", dir, &e)),
            }
        }
        let e = last.unwrap_or_else(|| IoKind::AlreadyExists.into());
        Err(Error::io("create a temporary file in", dir, &e))
    }

    #[cfg(unix)]
    fn recycle(dir: &Path, name: &str, spare: &Path) -> Option<Temp> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(spare).ok()?;
        // Another link would see the new text: only a file nobody else holds is reused.
        if !meta.is_file() || meta.nlink() != 1 {
            return None;
        }
        let path = temp_path(dir, name, 0);
        // A link never replaces an existing file, and fails across file systems.
        fs::hard_link(spare, &path).ok()?;
        let temp = open_for_overwrite(&path).ok().map(|file| Temp {
            path: path.clone(),
            file,
            recycled: true,
            persisted: false,
        });
        // The backup's name goes; then the temporary name must be the only link left, or
        // the file is not reused (dropping `temp` removes the temporary name).
        match temp {
            Some(temp)
                if fs::remove_file(spare).is_ok()
                    && temp.file.metadata().is_ok_and(|m| m.nlink() == 1) =>
            {
                Some(temp)
            }
            Some(_) => None,
            None => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    #[cfg(not(unix))]
    fn recycle(_dir: &Path, _name: &str, _spare: &Path) -> Option<Temp> {
        None
    }

    /// Renames the file over `target`.
    fn persist(mut self, target: &Path) -> std::io::Result<()> {
        fs::rename(&self.path, target)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Opens a file to be written over with [`Overwrite`], which reads what is there.
fn open_for_overwrite(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).write(true).open(path)
}

/// Writes a text from the start of a file that may hold an older version of it, and leaves
/// alone the pages that already hold the right bytes: an edit of a few lines dirties a few
/// pages, and only those go to disk on fsync. Old bytes are compared only where they are in
/// the page cache; elsewhere the new text is written without looking.
struct Overwrite<'a> {
    file: &'a File,
    /// Whether the file may hold bytes worth comparing.
    compare: bool,
    /// File offset of `block[0]`; a multiple of [`Overwrite::BLOCK`].
    at: u64,
    block: Vec<u8>,
    old: Vec<u8>,
    /// Bytes actually written.
    written: u64,
}

impl<'a> Overwrite<'a> {
    const BLOCK: usize = 64 << 10;
    const PAGE: usize = 4 << 10;

    fn new(file: &'a File, compare: bool) -> Overwrite<'a> {
        Overwrite {
            file,
            compare,
            at: 0,
            block: Vec::with_capacity(Self::BLOCK),
            old: Vec::new(),
            written: 0,
        }
    }

    /// Writes what is pending and cuts the file at the end of the text; returns the number of
    /// bytes that had to be written.
    fn finish(mut self) -> std::io::Result<u64> {
        self.write_block()?;
        self.file.set_len(self.at)?;
        Ok(self.written)
    }

    fn write_block(&mut self) -> std::io::Result<()> {
        let new = std::mem::take(&mut self.block);
        let cached = if self.compare {
            self.old.resize(Self::BLOCK, 0);
            read_cached(self.file, &mut self.old[..new.len()], self.at)
        } else {
            0
        };
        let same =
            |start: usize, end: usize| end <= cached && new[start..end] == self.old[start..end];
        let mut page = 0;
        while page < new.len() {
            let start = page;
            // A run of pages that differ (or could not be compared) is written in one call.
            while page < new.len() && !same(page, (page + Self::PAGE).min(new.len())) {
                page = (page + Self::PAGE).min(new.len());
            }
            if page > start {
                write_all_at(self.file, &new[start..page], self.at + start as u64)?;
                self.written += (page - start) as u64;
            } else {
                page = (page + Self::PAGE).min(new.len());
            }
        }
        self.at += new.len() as u64;
        self.block = new;
        self.block.clear();
        Ok(())
    }
}

impl Write for Overwrite<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(Self::BLOCK - self.block.len());
        self.block.extend_from_slice(&buf[..n]);
        if self.block.len() == Self::BLOCK {
            self.write_block()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, bytes: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(not(unix))]
fn write_all_at(mut file: &File, bytes: &[u8], at: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(at))?;
    file.write_all(bytes)
}

/// Reads the bytes of `file` from `at` into `buf` as far as they are in the page cache,
/// without waiting for the disk; returns how many were read.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn read_cached(file: &File, buf: &mut [u8], at: u64) -> usize {
    use std::os::fd::AsRawFd;
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        let iov = libc::iovec {
            iov_base: rest.as_mut_ptr().cast(),
            iov_len: rest.len(),
        };
        let Ok(offset) = libc::off_t::try_from(at + done as u64) else {
            break;
        };
        // SAFETY: `iov` describes `rest`, which is valid for writes of its length and
        // outlives the call; the file descriptor is open for as long as `file` is borrowed.
        let n = unsafe { libc::preadv2(file.as_raw_fd(), &iov, 1, offset, libc::RWF_NOWAIT) };
        match usize::try_from(n) {
            Ok(0) | Err(_) => break, // end of file, not cached (EAGAIN), or unsupported
            Ok(n) => done += n,
        }
    }
    done
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn read_cached(_file: &File, _buf: &mut [u8], _at: u64) -> usize {
    0
}

/// `.NAME.lanyard-PID-NANOS-ATTEMPT` in `dir`: hidden, and unique to this process and moment.
fn temp_path(dir: &Path, name: &str, attempt: u32) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    dir.join(format!(
        ".{name}.lanyard-{}-{nanos:09}-{attempt}",
        std::process::id()
    ))
}

/// Takes the exclusive lock `NAME.lock` in the data folder's `locks/` (created 0700); it is
/// held until the returned file is dropped.
pub fn lock_in(data_dir: &Path, name: &str) -> Result<File, Error> {
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

    /// A store whose `kind` file holds `text`.
    fn store_with(dir: &Path, kind: Kind, text: &str) -> Store {
        let store = store(dir);
        fs::create_dir_all(dir.join(".aws")).unwrap();
        fs::write(store.path(kind), text).unwrap();
        store
    }

    #[test]
    fn an_edit_is_reapplied_when_the_file_changes_underneath() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(dir.path(), Kind::Config, "[default]\nregion = a\n");
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
        let store = store_with(dir.path(), Kind::Credentials, "[a]\nk = 1\n");
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

    #[test]
    fn the_last_versions_are_kept_newest_last() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(dir.path(), Kind::Config, "[default]\nn = 0\n");
        for n in 1..=BACKUPS_KEPT + 5 {
            set_n(&store, n);
        }
        let kept: Vec<String> = store
            .backups(Kind::Config)
            .unwrap()
            .iter()
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
        let expected: Vec<String> = (5..BACKUPS_KEPT + 5)
            .map(|n| format!("[default]\nn = {n}\n"))
            .collect();
        assert_eq!(kept, expected);
    }

    fn set_n(store: &Store, n: usize) -> Change {
        store
            .edit(Kind::Config, false, |doc| {
                doc.set(&SectionId::profile("default"), "n", &n.to_string())
                    .map(|_| ())
                    .map_err(|e| Error::new(ErrorKind::Invalid, e.to_string()))
            })
            .unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn a_recycled_backup_leaves_nothing_of_itself_behind() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let aws = dir.path().join(".aws");
        fs::create_dir_all(&aws).unwrap();
        let config = store.path(Kind::Config).to_path_buf();
        // Twenty large versions, then a short one: the backup that becomes the temporary
        // file is longer than the new text.
        let comment = "# a long comment\n".repeat(2_000);
        fs::write(&config, format!("{comment}[default]\nn = 0\n")).unwrap();
        fs::set_permissions(&config, fs::Permissions::from_mode(0o640)).unwrap();
        for n in 1..=BACKUPS_KEPT {
            set_n(&store, n);
        }
        // Another link to the oldest backup: that one must not be reused.
        let oldest = store.backups(Kind::Config).unwrap()[0].clone();
        let outside = dir.path().join("kept-elsewhere");
        fs::hard_link(&oldest, &outside).unwrap();
        let before = fs::read_to_string(&outside).unwrap();
        fs::write(&config, "[default]\nn = short\n").unwrap();
        let inode = |path: &Path| fs::metadata(path).unwrap().ino();
        for n in 100..103 {
            let oldest = inode(&store.backups(Kind::Config).unwrap()[0]);
            set_n(&store, n);
            // The oldest backup is reused, unless it has another link.
            assert_eq!(inode(&config) == oldest, n > 100, "edit {n}");
            assert_eq!(
                fs::read_to_string(&config).unwrap(),
                format!("[default]\nn = {n}\n")
            );
            assert_eq!(fs::metadata(&config).unwrap().mode() & 0o777, 0o640);
        }
        assert_eq!(fs::read_to_string(&outside).unwrap(), before);
        assert_eq!(store.backups(Kind::Config).unwrap().len(), BACKUPS_KEPT);
        let newest = store.backups(Kind::Config).unwrap().pop().unwrap();
        assert_eq!(fs::read_to_string(newest).unwrap(), "[default]\nn = 101\n");
        // No temporary file is left next to the config file.
        let names: Vec<_> = fs::read_dir(&aws)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["config"]);
    }

    /// Writes `new` over a file holding `old` with [`Overwrite`]; returns the bytes written.
    fn overwrite(old: &[u8], new: &[u8], pieces: usize) -> u64 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, old).unwrap();
        let file = open_for_overwrite(&path).unwrap();
        let mut out = Overwrite::new(&file, true);
        for piece in new.chunks(new.len().div_ceil(pieces).max(1)) {
            out.write_all(piece).unwrap();
        }
        let written = out.finish().unwrap();
        drop(file);
        assert_eq!(fs::read(&path).unwrap(), new);
        written
    }

    #[test]
    fn an_overwrite_writes_only_the_pages_that_differ() {
        let old: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        // Unchanged, in one piece or many: nothing to write.
        assert_eq!(overwrite(&old, &old, 1), 0);
        assert_eq!(overwrite(&old, &old, 37), 0);
        // One byte changed: one page.
        let mut one = old.clone();
        one[150_000] ^= 1;
        let written = overwrite(&old, &one, 5);
        // The page cache may not hold the file (then every page is written), but on Linux
        // a file just written is there.
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert_eq!(written, 4096);
        }
        // Shorter, longer, empty, from empty: the file ends up exactly the new text.
        overwrite(&old, &old[..123_457], 3);
        let mut longer = old.clone();
        longer.extend_from_slice(b"more at the end");
        let written = overwrite(&old, &longer, 2);
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            // The last page, from its start: the old bytes there and the new ones after.
            assert_eq!(written, (longer.len() % 4096) as u64);
        }
        overwrite(&old, b"", 1);
        overwrite(b"", &old, 4);
        // A byte inserted early moves everything after it: all of that is written.
        let mut shifted = old.clone();
        shifted.insert(10, b'x');
        assert!(overwrite(&old, &shifted, 1) >= shifted.len() as u64 - 4096);
    }

    #[test]
    fn an_edit_over_a_recycled_backup_writes_only_the_changed_page() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        fs::create_dir_all(dir.path().join(".aws")).unwrap();
        let comment = "# a long comment\n".repeat(10_000);
        fs::write(
            store.path(Kind::Config),
            format!("[default]\nn = 10\n{comment}"),
        )
        .unwrap();
        // Values of the same length: the version twenty edits back differs in one byte.
        for i in 1..=BACKUPS_KEPT + 4 {
            let change = set_n(&store, 10 + i % 2);
            let size = fs::metadata(store.path(Kind::Config)).unwrap().len();
            if i <= BACKUPS_KEPT {
                assert_eq!(change.bytes_written, size, "edit {i}");
            } else if cfg!(all(target_os = "linux", target_env = "gnu")) {
                assert_eq!(change.bytes_written, 4096, "edit {i}");
            }
        }
    }
}
