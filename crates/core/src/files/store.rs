//! The [`Store`]: reads the two AWS files and writes them with the edit loop of the module
//! doc, under a lock per file.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use lanyard_ini::{Document, Kind};
use sha1::{Digest, Sha1};

use super::atomic::{create_private_dir, folder_of};
use super::errors::lost_race;
use super::read::{read_text, resolve_link};
use super::version::Version;
use super::write::{Replaced, Write};
use super::{backups, temporaries};
use crate::error::{Error, ErrorKind};

const ATTEMPTS: usize = 20;

/// The two AWS files and Lanyard's data folder.
#[derive(Clone, Debug)]
pub struct Store {
    config: PathBuf,
    credentials: PathBuf,
    data_dir: PathBuf,
    fast_write: bool,
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

impl Store {
    /// A store for these two files, with backups and locks under `data_dir`. Writes take the
    /// fast path (see [`Store::with_fast_write`]).
    pub fn new(config: PathBuf, credentials: PathBuf, data_dir: PathBuf) -> Store {
        Store {
            config,
            credentials,
            data_dir,
            fast_write: true,
            refusal: None,
        }
    }

    /// The same store, refusing every write with `error` (reads and dry runs still work):
    /// for files in a place the user did not name.
    pub fn refuse_writes(mut self, error: Error) -> Store {
        self.refusal = Some(error);
        self
    }

    /// Turns the fast write path (backup recycling, page-diff writes) on or off. Off, every
    /// write is the plain atomic replace; the files written are the same either way.
    pub fn with_fast_write(mut self, on: bool) -> Store {
        self.fast_write = on;
        self
    }

    /// Whether writes take the fast path.
    pub fn fast_write(&self) -> bool {
        self.fast_write
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
    /// result atomically (in place for a file with other hard links), keeping the previous
    /// version as a backup; with `dry_run`, only computes it. `edit` may run more than once
    /// when another program changes the file meanwhile: it must express the intent, not a
    /// result computed from an earlier read.
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
        crate::trace("locked");
        // What another program wrote into a version this edit replaced, until it is written.
        let mut late: Option<Late> = None;
        let mut spare = None;
        for _ in 0..ATTEMPTS {
            let (version, text) = Version::read(&target)?;
            let (text, on_disk) = match &late {
                None => (text, None),
                Some(late) => match late.combine(&text) {
                    Some(combined) => (combined, Some(text)),
                    None => return Err(lost_race(&path, &late.backup)),
                },
            };
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
            if dry_run || (change.is_empty() && on_disk.is_none()) {
                return Ok(change);
            }
            let expected = on_disk
                .as_deref()
                .unwrap_or(change.document.source())
                .as_bytes();
            let write = Write {
                store: self,
                path: &path,
                target: &target,
                kind,
                document: &change.document,
                version: &version,
                expected,
            };
            let (backup, bytes, in_place) = match write.run(spare.take())? {
                Replaced::Changed(temp) => {
                    spare = temp;
                    continue; // changed underneath: re-read and re-apply
                }
                Replaced::Done {
                    backup,
                    bytes,
                    in_place,
                } => (backup, bytes, in_place),
            };
            // (Written in place, the version read is the file itself.)
            let late_write = if in_place {
                None
            } else {
                version.late_write(expected)
            };
            crate::trace("replaced version looked at");
            if let (Some(text), Some(backup)) = (late_write, &backup) {
                crate::trace("late write found");
                let backup = backup.clone();
                if !version.is_same_file(&backup) {
                    // A copied backup: the version replaced, as the other program left it.
                    let _ = fs::write(&backup, &text);
                }
                let Ok(text) = String::from_utf8(text) else {
                    return Err(lost_race(&path, &backup));
                };
                late = Some(Late {
                    text,
                    before: expected.to_vec(),
                    ours: change.document.render(),
                    backup,
                });
                continue;
            }
            change.written = true;
            change.backup = backup;
            change.bytes_written = bytes;
            return Ok(change);
        }
        Err(Error::new(
            ErrorKind::Conflict,
            "the file kept changing while Lanyard tried to write it",
        )
        .at(&path, None)
        .fix("stop the other program writing it, then try again"))
    }

    /// The temporary files that interrupted writes left next to the two files: each a whole
    /// copy of a file, secrets included, that no write will rename any more. The next write
    /// removes them.
    pub fn leftover_temporaries(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for kind in [Kind::Config, Kind::Credentials] {
            let Ok(target) = resolve_link(self.path(kind)) else {
                continue;
            };
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            found.extend(temporaries::leftovers(folder_of(&target), &name));
        }
        found.sort();
        found.dedup();
        found
    }

    /// The folder holding the backups of one file.
    pub fn backup_dir(&self, kind: Kind) -> Result<PathBuf, Error> {
        let target = resolve_link(self.path(kind))?;
        Ok(backups::dir_of(&self.data_dir, kind, &target))
    }

    /// The kept previous versions of a file, oldest first.
    pub fn backups(&self, kind: Kind) -> Result<Vec<PathBuf>, Error> {
        Ok(backups::list(&self.backup_dir(kind)?))
    }

    fn lock(&self, target: &Path) -> Result<File, Error> {
        let digest = Sha1::digest(target.to_string_lossy().as_bytes());
        lock_in(&self.data_dir, &hex::encode(digest))
    }
}

/// Bytes another program wrote into the version an edit replaced, after the last look
/// before the rename: in the file only through the backup, until the edit is applied again.
struct Late {
    /// The replaced version, as the other program left it.
    text: String,
    /// The replaced version as Lanyard read it.
    before: Vec<u8>,
    /// What Lanyard wrote in its place.
    ours: String,
    /// Where the replaced version is kept.
    backup: PathBuf,
}

impl Late {
    /// The text to apply the edit to again, now that the file holds `now`: `None` when the
    /// two cannot be told apart from a plain sequence of writes.
    fn combine(&self, now: &str) -> Option<String> {
        if now == self.ours {
            // Only the old version changed: as if the other program had written first.
            return Some(self.text.clone());
        }
        if self.text.as_bytes().starts_with(&self.before) && now.starts_with(&self.ours) {
            // Appends to both, one after the other: the lines of each, in that order.
            return Some(format!("{}{}", self.text, &now[self.ours.len()..]));
        }
        None
    }
}

/// Takes the exclusive lock `NAME.lock` in the data folder's `locks/` (created 0700); it is
/// held until the returned file is dropped.
pub fn lock_in(data_dir: &Path, name: &str) -> Result<File, Error> {
    let dir = data_dir.join("locks");
    create_private_dir(&dir)?;
    let path = dir.join(format!("{name}.lock"));
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .map_err(|e| Error::io("open the lock file", &path, &e))?;
    #[cfg(unix)]
    {
        // A lock file made by an older Lanyard may have the umask's mode.
        use std::os::unix::fs::PermissionsExt;
        if file
            .metadata()
            .is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
        {
            let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
        }
    }
    file.lock().map_err(|e| Error::io("lock", &path, &e))?;
    Ok(file)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::files::BACKUPS_KEPT;
    use lanyard_ini::SectionId;

    /// A store for `dir/.aws/config` and `dir/.aws/credentials`, data in `dir/data`.
    pub(crate) fn store_in(dir: &Path) -> Store {
        Store::new(
            dir.join(".aws/config"),
            dir.join(".aws/credentials"),
            dir.join("data"),
        )
    }

    /// A store whose `kind` file holds `text`.
    pub(crate) fn store_with(dir: &Path, kind: Kind, text: &str) -> Store {
        let store = store_in(dir);
        fs::create_dir_all(dir.join(".aws")).unwrap();
        fs::write(store.path(kind), text).unwrap();
        store
    }

    /// Sets `n` in `[default]` of the config file.
    pub(crate) fn set_n(store: &Store, n: usize) -> Change {
        store
            .edit(Kind::Config, false, |doc| {
                doc.set(&SectionId::profile("default"), "n", &n.to_string())
                    .map(|_| ())
                    .map_err(|e| Error::new(ErrorKind::Invalid, e.to_string()))
            })
            .unwrap()
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
    fn a_late_write_is_combined_with_what_replaced_it() {
        let late = |text: &str| Late {
            text: text.to_owned(),
            before: b"[a]\nk = 1\n".to_vec(),
            ours: "[a]\nk = 2\n".to_owned(),
            backup: PathBuf::new(),
        };
        // Only the replaced version changed: the edit goes on top of what it became.
        let rewritten = late("[a]\nk = 1\n[b]\nx = y\n");
        assert_eq!(rewritten.combine("[a]\nk = 2\n").unwrap(), rewritten.text);
        // Appends to both: the old one's, then the new one's.
        assert_eq!(
            late("[a]\nk = 1\n# one\n")
                .combine("[a]\nk = 2\n# two\n")
                .unwrap(),
            "[a]\nk = 1\n# one\n# two\n"
        );
        // Rewritten both ways: nothing to tell which comes first.
        assert!(late("[z]\n").combine("[y]\n").is_none());
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

    #[cfg(unix)]
    #[test]
    fn backups_are_private_even_of_a_file_anybody_may_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(dir.path(), Kind::Config, "[default]\nn = 0\n");
        let config = store.path(Kind::Config).to_path_buf();
        fs::set_permissions(&config, fs::Permissions::from_mode(0o644)).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let first = set_n(&store, 1).backup.unwrap();
        assert_eq!((mode(&first), mode(&config)), (0o600, 0o644));
        // A write killed between its backup link and the rename leaves one as loose as the
        // file: the next write tightens it.
        fs::set_permissions(&first, fs::Permissions::from_mode(0o644)).unwrap();
        let second = set_n(&store, 2).backup.unwrap();
        assert_eq!((mode(&first), mode(&second)), (0o600, 0o600));
        assert_eq!(fs::read_to_string(&first).unwrap(), "[default]\nn = 0\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_backup_link_left_by_a_killed_write_does_not_make_the_file_look_hard_linked() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(dir.path(), Kind::Config, "[default]\nn = 0\n");
        let config = store.path(Kind::Config).to_path_buf();
        let first = set_n(&store, 1).backup.unwrap();
        // Killed after its backup link, before its rename: the link is to the file itself.
        let stale = first.with_file_name("999999999999999999999999-1.bak");
        fs::hard_link(&config, &stale).unwrap();
        let inode = fs::metadata(&config).unwrap().ino();
        set_n(&store, 2);
        assert_ne!(
            fs::metadata(&config).unwrap().ino(),
            inode,
            "replaced, not in place"
        );
        assert!(!stale.exists());
        let kept: Vec<String> = store
            .backups(Kind::Config)
            .unwrap()
            .iter()
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
        assert_eq!(kept, ["[default]\nn = 0\n", "[default]\nn = 1\n"]);
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
}
