//! One write: the steps 2 to 5 of the module doc, from the temporary file to the rename.

use std::fs;
use std::path::{Path, PathBuf};

use lanyard_ini::{Document, Kind};

use super::atomic::{self, create_private_dir, folder_of, Temp};
use super::version::Version;
use super::{backups, fast, Store, BACKUPS_KEPT};
use crate::error::Error;

/// One write of an edited document over the version of a file it was computed from.
pub(super) struct Write<'a> {
    pub(super) store: &'a Store,
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
    Done { backup: Option<PathBuf>, bytes: u64 },
    /// Not written: the file changed since it was read. The temporary file, to reuse.
    Changed(Option<Temp>),
}

impl Write<'_> {
    /// Writes the document over the file if that is still the version read, holding
    /// `expected`. `spare` is the temporary file of an attempt that found the file changed,
    /// for the fast path to write over again.
    pub(super) fn run(&self, spare: Option<Temp>) -> Result<Replaced, Error> {
        let (store, write) = (self.store, self);
        let target = write.target;
        let dir = folder_of(target);
        create_private_dir(dir)?;
        let old = write.version.metadata();
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // The backups are listed once: for the fast path's recycling, and for pruning what
        // the new one pushes out.
        let backup_dir = backups::dir_of(store.data_dir(), write.kind, target);
        let mut kept = match old {
            Some(_) => backups::list(&backup_dir),
            None => Vec::new(),
        };
        backups::tidy(&kept);
        for leftover in store.leftover_temporaries() {
            let _ = fs::remove_file(leftover);
        }
        let temp = match spare {
            Some(temp) => temp,
            None => self.temporary(dir, &name, &mut kept)?,
        };
        let bytes = if store.fast_write() {
            fast::write(&temp.file, write.document, temp.recycled)
        } else {
            atomic::write(&temp.file, write.document)
        }
        .map_err(|e| Error::io("write", &temp.path, &e))?;
        crate::trace("written");
        // A change seen now costs no fsync.
        if !write.version.looks_current(target) {
            return Ok(Replaced::Changed(store.fast_write().then_some(temp)));
        }
        temp.file
            .sync_all()
            .map_err(|e| Error::io("flush", &temp.path, &e))?;
        crate::trace("flushed");
        let backup = match old {
            Some(meta) => Some(backups::keep(target, meta, write.expected, &backup_dir)?),
            None => None,
        };
        crate::trace("backed up");
        // The last look before the rename: nothing but the rename itself comes after it.
        if !write.version.is_still(target, write.expected) {
            if let Some(backup) = &backup {
                let _ = fs::remove_file(backup);
            }
            return Ok(Replaced::Changed(store.fast_write().then_some(temp)));
        }
        atomic::keep_mode_and_owner(&temp, old)?;
        let replaced = match old {
            Some(_) => temp.persist(target).map(|()| None),
            None => temp.persist_new(target),
        }
        .map_err(|e| Error::io("replace", target, &e))?;
        if let Some(temp) = replaced {
            // A file appeared where there was none: never replaced unseen.
            return Ok(Replaced::Changed(store.fast_write().then_some(temp)));
        }
        atomic::sync_folder(dir);
        crate::trace("replaced");
        if let Some(old) = write.version.file() {
            backups::seal(old);
        }
        if backup.is_some() {
            backups::prune(&kept);
        }
        crate::trace("backups pruned");
        Ok(Replaced::Done { backup, bytes })
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
        Temp::create(dir, name)
    }
}
