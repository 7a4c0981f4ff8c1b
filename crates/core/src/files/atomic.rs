//! The plain atomic replace: the new text goes to a temporary file in the folder of the file
//! it replaces (created 0600), is fsynced, takes the old file's mode and owner, and is renamed
//! over it; the folder is fsynced after. Readers see the old text or the new one, never a mix.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind as IoKind, Write};
use std::path::{Path, PathBuf};

use lanyard_ini::Document;

use super::temporaries;
use crate::error::Error;

/// The temporary file an edit is written to, in the folder of the file it replaces. It is
/// removed when dropped, unless it was renamed over that file.
pub(super) struct Temp {
    pub(super) path: PathBuf,
    pub(super) file: File,
    /// Whether the file is a former backup (it holds an old version of the text).
    pub(super) recycled: bool,
    persisted: bool,
}

impl Temp {
    /// Takes over an open file at `path` (the fast path's recycled backup).
    pub(super) fn adopt(path: PathBuf, file: File, recycled: bool) -> Temp {
        Temp {
            path,
            file,
            recycled,
            persisted: false,
        }
    }

    /// A new empty file, mode 0600, named after `name` in `dir`.
    pub(super) fn create(dir: &Path, name: &str) -> std::io::Result<Temp> {
        let mut last = None;
        for attempt in 0..16 {
            let path = temporaries::path(dir, name, attempt);
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(file) => return Ok(Temp::adopt(path, file, false)),
                Err(e) if e.kind() == IoKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| IoKind::AlreadyExists.into()))
    }

    /// Renames the file over `target`.
    pub(super) fn persist(mut self, target: &Path) -> std::io::Result<()> {
        fs::rename(&self.path, target)?;
        self.persisted = true;
        Ok(())
    }

    /// Gives the file the name `target`, which must not exist: a link never replaces a file,
    /// so one that another program created meanwhile is not lost. Gives the temporary file
    /// back when `target` exists.
    pub(super) fn persist_new(mut self, target: &Path) -> std::io::Result<Option<Temp>> {
        match fs::hard_link(&self.path, target) {
            Ok(()) => {
                let _ = fs::remove_file(&self.path);
                self.persisted = true;
                Ok(None)
            }
            Err(e) if e.kind() == IoKind::AlreadyExists => Ok(Some(self)),
            // File systems without hard links: a rename, which would replace a file that
            // appeared in the last microseconds.
            Err(_) => self.persist(target).map(|()| None),
        }
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `document` into the empty file `file`; returns the number of bytes written.
pub(super) fn write(file: &File, document: &Document) -> std::io::Result<u64> {
    let mut out = Counted { file, written: 0 };
    document.write_to(&mut out)?;
    Ok(out.written)
}

/// Writes `document` over `file` from its start and cuts it there: for a file written in
/// place. Returns the number of bytes written.
pub(super) fn overwrite(file: &File, document: &Document) -> std::io::Result<u64> {
    use std::io::{Seek, SeekFrom};
    (&*file).seek(SeekFrom::Start(0))?;
    let written = write(file, document)?;
    file.set_len(written)?;
    Ok(written)
}

struct Counted<'a> {
    file: &'a File,
    written: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = (&*self.file).write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Gives the temporary file the mode and owner of the file it replaces (0600 for a new file).
/// Done last before the rename: until then the copy is private, whatever the file's mode.
pub(super) fn keep_mode_and_owner(temp: &Temp, old: Option<&fs::Metadata>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = old.map(|m| m.mode() & 0o7777).unwrap_or(0o600);
        if let Some(meta) = old {
            // Keep the owner; only root can give a file away, so a refusal is fine. Before
            // the mode: a change of owner clears the set-id bits.
            let _ = std::os::unix::fs::fchown(&temp.file, Some(meta.uid()), Some(meta.gid()));
        }
        temp.file
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (temp, old);
    Ok(())
}

/// Makes a rename in `dir` durable.
pub(super) fn sync_folder(dir: &Path) {
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// The folder a file lives in (`.` for a bare file name).
pub(super) fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Creates a folder (and missing parents) readable by the owner only.
pub(super) fn create_private_dir(dir: &Path) -> Result<(), Error> {
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

/// Replaces a small file (a cached token) atomically: a temporary file (0600) in the same
/// folder, fsynced, renamed over it, the folder fsynced. The folder is created 0700 if
/// missing. A reader sees the old file or the new one, never a part.
pub fn write_private_file(path: &Path, text: &str) -> Result<(), Error> {
    let dir = folder_of(path);
    create_private_dir(dir)?;
    let mut temp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("write", path, &e))?;
    temp.write_all(text.as_bytes())
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| Error::io("write", path, &e))?;
    temp.persist(path)
        .map_err(|e| Error::io("replace", path, &e.error))?;
    sync_folder(dir);
    Ok(())
}
