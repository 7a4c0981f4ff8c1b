//! The version of a file an edit was computed from, and whether it is still the one on disk.
//!
//! Other programs do not take Lanyard's lock, and a rename is not a compare-and-swap: a line
//! appended after the last look and before the rename goes into the file being replaced. So
//! the file is looked at twice. Right before the rename, its inode, size and modification
//! time must be the ones read, and its bytes the ones parsed (a rewrite within one tick of
//! the clock keeps the time). Right after the rename, the version replaced — still open, and linked as the
//! backup — is looked at again, once no program has it open for writing any more: bytes that
//! landed there in between are found, and the edit is applied again on top of them.

use std::fs::{self, File};
use std::io::{ErrorKind as IoKind, Read};
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::error::Error;

/// What identifies a version of a file on disk, cheaply. Not the change time: the backup's
/// link changes it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
        }
    }
}

/// A file as it was read: still open, so that it can be looked at again after it was
/// replaced. A missing file is a version too (it has no `file`).
#[derive(Debug)]
pub(super) struct Version {
    file: Option<File>,
    meta: Option<fs::Metadata>,
}

impl Version {
    /// Reads the file at `path`; a missing file is empty. Text that is not UTF-8 is an error.
    pub(super) fn read(path: &Path) -> Result<(Version, String), Error> {
        let mut file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == IoKind::NotFound => {
                let missing = Version {
                    file: None,
                    meta: None,
                };
                return Ok((missing, String::new()));
            }
            Err(e) => return Err(super::read::read_error(path, &e)),
        };
        let meta = file
            .metadata()
            .map_err(|e| super::read::read_error(path, &e))?;
        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
        file.read_to_end(&mut bytes)
            .map_err(|e| super::read::read_error(path, &e))?;
        let text = super::read::utf8(path, bytes)?;
        Ok((
            Version {
                file: Some(file),
                meta: Some(meta),
            },
            text,
        ))
    }

    /// The file as it was opened to be read (`None` for a missing file).
    pub(super) fn file(&self) -> Option<&File> {
        self.file.as_ref()
    }

    /// The file's metadata when it was read (`None` for a missing file).
    pub(super) fn metadata(&self) -> Option<&fs::Metadata> {
        self.meta.as_ref()
    }

    /// Whether `path` still looks like this version: same inode, size and times (or still
    /// missing). Cheap; [`Version::is_still`] also compares the bytes.
    pub(super) fn looks_current(&self, path: &Path) -> bool {
        match (&self.meta, fs::metadata(path)) {
            (None, Err(e)) => e.kind() == IoKind::NotFound,
            (Some(read), Ok(now)) => Stamp::of(read) == Stamp::of(&now),
            _ => false,
        }
    }

    /// Whether `path` is still this version and holds exactly `expected`.
    pub(super) fn is_still(&self, path: &Path, expected: &[u8]) -> bool {
        self.looks_current(path)
            && self
                .file
                .as_ref()
                .is_none_or(|file| holds(file, expected).unwrap_or(false))
    }

    /// After the rename: what another program wrote into this version since it held
    /// `expected`, if anything. Waits (a little) until no program has it open for writing.
    pub(super) fn late_write(&self, expected: &[u8]) -> Option<Vec<u8>> {
        let file = self.file.as_ref()?;
        wait_for_writers(file);
        if holds(file, expected).unwrap_or(true) {
            return None;
        }
        let mut bytes = Vec::new();
        let mut reader = file;
        use std::io::Seek;
        reader.seek(std::io::SeekFrom::Start(0)).ok()?;
        reader.read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// Whether `file` is open on the same file (inode) as this version.
    #[cfg(unix)]
    pub(super) fn is_same_open(&self, file: &File) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (&self.meta, file.metadata()) {
            (Some(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    pub(super) fn is_same_open(&self, _file: &File) -> bool {
        true
    }

    /// Whether `other` is the same file (inode) as this version.
    #[cfg(unix)]
    pub(super) fn is_same_file(&self, other: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (&self.meta, fs::metadata(other)) {
            (Some(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    pub(super) fn is_same_file(&self, _other: &Path) -> bool {
        false
    }
}

/// Whether `file` holds exactly `expected`, read from its start.
fn holds(file: &File, expected: &[u8]) -> std::io::Result<bool> {
    let mut buf = vec![0; (64 << 10).min(expected.len() + 1)];
    let mut at = 0;
    loop {
        let n = read_at(file, &mut buf, at as u64)?;
        if n == 0 {
            return Ok(at == expected.len());
        }
        if expected.len() - at < n || buf[..n] != expected[at..at + n] {
            return Ok(false);
        }
        at += n;
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(at))?;
    file.read(buf)
}

/// How long to wait for a program that still has the replaced version open for writing.
const WRITER_WAIT: Duration = Duration::from_millis(250);

/// Waits until no process has `file` open for writing, up to [`WRITER_WAIT`]. Linux tells
/// through leases: a read lease is granted only on a file nobody has open for writing. The
/// lease is given back at once; had an opener broken it meanwhile, the kernel would send
/// SIGURG (ignored unless handled) rather than the default SIGIO, which ends a process.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
fn wait_for_writers(file: &File) {
    /// `F_SETSIG` of `<asm-generic/fcntl.h>`, which the `libc` crate does not name.
    const F_SETSIG: libc::c_int = 10;
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    let start = std::time::Instant::now();
    // SAFETY: fcntl on a descriptor that `file` keeps open; these commands take an int and
    // touch no memory.
    unsafe {
        if libc::fcntl(fd, F_SETSIG, libc::SIGURG) != 0 {
            return;
        }
        loop {
            if libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) == 0 {
                libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK);
                return;
            }
            let busy = std::io::Error::last_os_error().raw_os_error() == Some(libc::EAGAIN);
            // Without leases (not the owner, a file system without them) nothing tells.
            if !busy || start.elapsed() >= WRITER_WAIT {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
fn wait_for_writers(_file: &File) {}
