//! One write: the steps 2 to 5 of the module doc, from the temporary file to the rename.
//!
//! Two kinds of file are not replaced that way. A file the user made read-only is refused:
//! the folder would allow the rename, which would go behind their back. A file with other
//! hard links (`ln ~/.aws/config ~/dotfiles/config`) is written in place, because a rename
//! would leave the other links on the old version: every link shows the edit, but the write
//! is not atomic, so the version read is first kept as a copy (fsynced), the last look comes
//! right before the write, and the file is fsynced after.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use lanyard_ini::{Document, Kind};

use super::atomic::{self, create_private_dir, folder_of, Temp};
use super::version::Version;
use super::{backups, errors, fast, Store, BACKUPS_KEPT};
use crate::error::Error;

/// One write of an edited document over the version of a file it was computed from.
pub(super) struct Write<'a> {
    pub(super) store: &'a Store,
    /// The file as configured (what errors name).
    pub(super) path: &'a Path,
    /// The file the configured path leads to.
    pub(super) target: &'a Path,
    pub(super) kind: Kind,
    /// The edited document.
    pub(super) document: &'a Document,
    /// The version of the file the document replaces, and its bytes.
    pub(super) version: &'a Version,
    pub(super) expected: &'a [u8],
}

/// What became of one write.
pub(super) enum Replaced {
    /// Written; the previous version was kept at `backup` (when there was a file).
    Done {
        backup: Option<PathBuf>,
        bytes: u64,
        /// Written into the file itself (a hard-linked file), not renamed over it.
        in_place: bool,
    },
    /// Not written: the file changed since it was read. The temporary file, to reuse.
    Changed(Option<Temp>),
}

impl Write<'_> {
    /// Writes the document over the file if that is still the version read, holding
    /// `expected`. `spare` is the temporary file of an attempt that found the file changed,
    /// for the fast path to write over again.
    pub(super) fn run(&self, spare: Option<Temp>) -> Result<Replaced, Error> {
        let old = self.version.metadata();
        if let Some(meta) = old {
            self.refuse_read_only(meta)?;
        }
        let dir = folder_of(self.target);
        create_private_dir(dir)?;
        // The backups are listed once: for the fast path's recycling, and for pruning what
        // the new one pushes out.
        let backup_dir = backups::dir_of(self.store.data_dir(), self.kind, self.target);
        let mut kept = match old {
            Some(_) => backups::list(&backup_dir),
            None => Vec::new(),
        };
        backups::tidy(&kept);
        for leftover in self.store.leftover_temporaries() {
            let _ = fs::remove_file(leftover);
        }
        let mut hard_linked = old.is_some_and(|meta| links(meta) > 1);
        if let Some(meta) = old.filter(|_| hard_linked) {
            backups::drop_links_to(&mut kept, meta);
            hard_linked = fs::metadata(self.target).is_ok_and(|now| links(&now) > 1);
        }
        if hard_linked {
            self.in_place(&backup_dir, &kept)
        } else {
            self.rename(dir, &backup_dir, kept, spare)
        }
    }

    /// The atomic replace: a temporary file renamed over the file.
    fn rename(
        &self,
        dir: &Path,
        backup_dir: &Path,
        mut kept: Vec<PathBuf>,
        spare: Option<Temp>,
    ) -> Result<Replaced, Error> {
        let (store, target, old) = (self.store, self.target, self.version.metadata());
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = match spare {
            Some(temp) => temp,
            None => self.temporary(dir, &name, &mut kept)?,
        };
        let bytes = if store.fast_write() {
            fast::write(&temp.file, self.document, temp.recycled)
        } else {
            atomic::write(&temp.file, self.document)
        }
        .map_err(|e| errors::write_failed(self.path, dir, &e))?;
        crate::trace("written");
        // A change seen now costs no fsync.
        if !self.version.looks_current(target) {
            return Ok(Replaced::Changed(store.fast_write().then_some(temp)));
        }
        temp.file
            .sync_all()
            .map_err(|e| errors::write_failed(self.path, dir, &e))?;
        crate::trace("flushed");
        let backup = match old {
            Some(meta) => Some(backups::keep(
                self.path,
                target,
                meta,
                self.expected,
                backup_dir,
            )?),
            None => None,
        };
        crate::trace("backed up");
        // The last look before the rename: nothing but the rename itself comes after it.
        if !self.version.is_still(target, self.expected) {
            if let Some(backup) = &backup {
                let _ = fs::remove_file(backup);
            }
            return Ok(Replaced::Changed(store.fast_write().then_some(temp)));
        }
        crate::trace("looked again");
        atomic::keep_mode_and_owner(&temp, old)
            .map_err(|e| Error::io("give the new version the mode of", self.path, &e))?;
        let replaced = match old {
            Some(_) => temp.persist(target).map(|()| None),
            None => temp.persist_new(target),
        }
        .map_err(|e| errors::write_failed(self.path, dir, &e))?;
        if let Some(temp) = replaced {
            // A file appeared where there was none: never replaced unseen.
            return Ok(Replaced::Changed(store.fast_write().then_some(temp)));
        }
        atomic::sync_folder(dir);
        crate::trace("replaced");
        if let Some(old) = self.version.file() {
            backups::seal(old);
        }
        if backup.is_some() {
            backups::prune(&kept);
        }
        crate::trace("backups pruned");
        Ok(Replaced::Done {
            backup,
            bytes,
            in_place: false,
        })
    }

    /// The new text written into the file itself, for a file with other hard links.
    fn in_place(&self, backup_dir: &Path, kept: &[PathBuf]) -> Result<Replaced, Error> {
        let target = self.target;
        let backup = backups::keep_copy(self.expected, self.path, backup_dir)?;
        crate::trace("backed up");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(target)
            .map_err(|e| Error::io("open for writing", self.path, &e))?;
        // The last look, on the very file about to be written.
        if !(self.version.is_still(target, self.expected) && self.version.is_same_open(&file)) {
            let _ = fs::remove_file(&backup);
            return Ok(Replaced::Changed(None));
        }
        let written = if self.store.fast_write() {
            fast::write(&file, self.document, true)
        } else {
            atomic::overwrite(&file, self.document)
        }
        .and_then(|bytes| file.sync_all().map(|()| bytes));
        let bytes = match written {
            Ok(bytes) => bytes,
            // Half written: the version read goes back (its blocks are still there).
            Err(e) => match put_back(&file, self.expected) {
                Ok(()) => return Err(errors::write_failed(self.path, folder_of(target), &e)),
                Err(_) => return Err(errors::half_written(self.path, &backup, &e)),
            },
        };
        crate::trace("written in place");
        backups::prune(kept);
        Ok(Replaced::Done {
            backup: Some(backup),
            bytes,
            in_place: true,
        })
    }

    /// The temporary file for a write in `dir`. On the fast path, when the backup of this
    /// version will push the oldest of `kept` out, that oldest one becomes the temporary
    /// file (and leaves `kept`).
    fn temporary(&self, dir: &Path, name: &str, kept: &mut Vec<PathBuf>) -> Result<Temp, Error> {
        if self.store.fast_write() && kept.len() >= BACKUPS_KEPT {
            let spare = kept.remove(0);
            if let Some(temp) = fast::recycle(dir, name, &spare) {
                return Ok(temp);
            }
            kept.insert(0, spare);
        }
        Temp::create(dir, name).map_err(|e| errors::write_failed(self.path, dir, &e))
    }

    /// Refuses a file without write permission: no write bit at all (`chmod 444`), or none
    /// that lets this user write it.
    #[cfg(unix)]
    fn refuse_read_only(&self, meta: &fs::Metadata) -> Result<(), Error> {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode() & 0o7777;
        if mode & 0o222 == 0 {
            return Err(errors::read_only(self.path, mode));
        }
        let Ok(target) = std::ffi::CString::new(self.target.as_os_str().as_bytes()) else {
            return Ok(());
        };
        // SAFETY: `target` is a NUL-terminated path that outlives the call.
        let allowed = unsafe { libc::access(target.as_ptr(), libc::W_OK) } == 0;
        let denied = std::io::Error::last_os_error().raw_os_error() == Some(libc::EACCES);
        if !allowed && denied {
            return Err(errors::not_writable(self.path, mode));
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn refuse_read_only(&self, meta: &fs::Metadata) -> Result<(), Error> {
        if meta.permissions().readonly() {
            return Err(errors::read_only(self.path, 0o444));
        }
        Ok(())
    }
}

/// How many names the file has.
#[cfg(unix)]
fn links(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_meta: &fs::Metadata) -> u64 {
    1
}

/// Writes `bytes` back over `file`, cut at their end, and fsyncs it.
fn put_back(file: &fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write as _};
    let mut out = file;
    out.seek(SeekFrom::Start(0))?;
    out.write_all(bytes)?;
    file.set_len(bytes.len() as u64)?;
    file.sync_all()
}
