//! The fast write path, two tricks over the plain atomic replace (`atomic`), each of which
//! can be turned off with the rest ([`Store::with_fast_write`](super::Store::with_fast_write),
//! `LANYARD_FAST_WRITE=0`):
//!
//! - **Backup recycling.** When the backup of this version will push the oldest one out, the
//!   oldest one's inode becomes the temporary file: overwriting a file costs much less than
//!   freeing one and allocating another of the same size (about 1 ms for 1.25 MB).
//! - **Page-diff writes.** [`Overwrite`] writes the new text over that old version and skips
//!   the pages that already hold the right bytes, so `fsync` sends a few pages to disk rather
//!   than the whole file. Old bytes are compared only where they are in the page cache
//!   (`preadv2(RWF_NOWAIT)`); elsewhere the new text is written without looking.
//!
//! The file that results is the same byte for byte: the tests below check it against the
//! plain path over a sequence of edits.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use lanyard_ini::Document;

use super::atomic::Temp;
use super::temporaries;

/// The file `spare` (the oldest backup) moved to a temporary name in `dir`, when it can be
/// reused: a regular file with no other link, on the same file system.
#[cfg(unix)]
pub(super) fn recycle(dir: &Path, name: &str, spare: &Path) -> Option<Temp> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(spare).ok()?;
    // Another link would see the new text: only a file nobody else holds is reused.
    if !meta.is_file() || meta.nlink() != 1 {
        return None;
    }
    let path = temporaries::path(dir, name, 0);
    // A link never replaces an existing file, and fails across file systems.
    fs::hard_link(spare, &path).ok()?;
    let Ok(file) = open_for_overwrite(&path) else {
        let _ = fs::remove_file(&path);
        return None;
    };
    let temp = Temp::adopt(path, file, true);
    // Private while it holds the text, like a new temporary file (older backups may not be).
    {
        use std::os::unix::fs::PermissionsExt;
        temp.file
            .set_permissions(fs::Permissions::from_mode(0o600))
            .ok()?;
    }
    // The backup's name goes; then the temporary name must be the only link left, or the
    // file is not reused (dropping `temp` removes the temporary name).
    if fs::remove_file(spare).is_ok() && temp.file.metadata().is_ok_and(|m| m.nlink() == 1) {
        Some(temp)
    } else {
        None
    }
}

#[cfg(not(unix))]
pub(super) fn recycle(_dir: &Path, _name: &str, _spare: &Path) -> Option<Temp> {
    None
}

/// Writes `document` over `file` from its start with [`Overwrite`]; returns the bytes that
/// had to be written.
pub(super) fn write(file: &File, document: &Document, compare: bool) -> std::io::Result<u64> {
    let mut out = Overwrite::new(file, compare);
    document.write_to(&mut out)?;
    out.finish()
}

/// Opens a file to be written over with [`Overwrite`], which reads what is there.
fn open_for_overwrite(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).write(true).open(path)
}

/// Writes a text from the start of a file that may hold an older version of it, and leaves
/// alone the pages that already hold the right bytes: an edit of a few lines dirties a few
/// pages, and only those go to disk on fsync.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::store::tests::{set_n, store_in};
    use crate::files::BACKUPS_KEPT;
    use lanyard_ini::Kind;

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
    fn an_overwrite_ends_up_as_the_new_text_whatever_the_old_one() {
        // A small generator (no dependency): old and new texts of many lengths and overlaps.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let len = (next() % 200_000) as usize;
            let old: Vec<u8> = (0..len).map(|_| b'a' + (next() % 3) as u8).collect();
            let mut new = old.clone();
            new.truncate((next() % (len as u64 + 1)) as usize);
            for _ in 0..next() % 4 {
                let at = (next() % (new.len() as u64 + 1)) as usize;
                new.insert(at, b'x');
            }
            new.extend((0..next() % 5000).map(|_| b'b'));
            overwrite(&old, &new, 1 + (next() % 9) as usize);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_recycled_backup_leaves_nothing_of_itself_behind() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
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

    #[test]
    fn an_edit_over_a_recycled_backup_writes_only_the_changed_page() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
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

    #[test]
    fn the_fast_path_writes_what_the_plain_path_writes() {
        // Two homes, one store on each path, the same edits: values that grow, shrink and
        // keep their length, in a file large enough to span many pages, well past the point
        // where backups are recycled.
        let fast_home = tempfile::tempdir().unwrap();
        let plain_home = tempfile::tempdir().unwrap();
        let fast = store_in(fast_home.path());
        let plain = store_in(plain_home.path()).with_fast_write(false);
        assert!(fast.fast_write() && !plain.fast_write());
        let comment = "# a comment line that fills pages\n".repeat(3_000);
        let text = format!("[default]\nn = 0\n{comment}[profile tail]\nregion = x\n");
        for store in [&fast, &plain] {
            fs::create_dir_all(store.path(Kind::Config).parent().unwrap()).unwrap();
            fs::write(store.path(Kind::Config), &text).unwrap();
        }
        let mut recycled = 0;
        for i in 0..3 * BACKUPS_KEPT {
            let n = [7, 123_456, 42, 9_999_999, 1][i % 5] + i;
            let (a, b) = (set_n(&fast, n), set_n(&plain, n));
            let read = |s: &Store| fs::read(s.path(Kind::Config)).unwrap();
            assert_eq!(read(&fast), read(&plain), "edit {i}");
            assert_eq!(a.after(), b.after(), "edit {i}");
            let size = read(&plain).len() as u64;
            assert_eq!(b.bytes_written, size, "the plain path writes every byte");
            recycled += usize::from(a.bytes_written < size);
            let contents = |s: &Store| -> Vec<Vec<u8>> {
                s.backups(Kind::Config)
                    .unwrap()
                    .iter()
                    .map(|p| fs::read(p).unwrap())
                    .collect()
            };
            assert_eq!(contents(&fast), contents(&plain), "backups after edit {i}");
        }
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert!(recycled > 0, "the fast path skipped no page");
        }
    }

    use crate::files::Store;
}
