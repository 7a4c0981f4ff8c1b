/*!
The AWS files, `~/.aws/config` and `~/.aws/credentials`: read without losing a byte, written
atomically with a backup, and edited a whole profile at a time over both.

# How a write keeps every byte

Other programs (`aws configure set`, editors, dotfile managers) write these files too, and do
not take Lanyard's lock. So every write, under a per-file lock in Lanyard's data folder:

1. reads the file as it is on disk *now* (keeping it open) and applies the edit to that text;
2. writes the result to a temporary file in the file's own folder (so that the rename below
   stays on one file system), created 0600, and fsyncs it;
3. keeps the version it read as a backup (a hard link: no byte written twice);
4. looks a last time: the file must still have the inode, size and modification time it had,
   and hold the bytes that were parsed; else it goes back to step 1 (so an edit is a closure
   that expresses the intent, never a result computed earlier);
5. gives the temporary file the mode and owner of the file it replaces, renames it over the
   file, fsyncs the folder, and makes the backup (now the old inode's only name) 0600;
6. looks at the replaced version again, through the file kept open, once no program has it
   open for writing: a rename is not a compare-and-swap, and what another program wrote
   between step 4 and the rename went there. If anything did, the edit is applied again on
   top of it (`version` explains the rules).

A symlinked file is edited through the link: the link stays a link. A hard-linked file is
written in place, and a read-only one refused (`write` says why).

# Where each part lives

- `profiles`: whole-profile edits over both files ([`AwsFiles`]): which file a key goes to,
  add, set, unset, rename, copy and remove.
- `read`: reading a file, and following its symlinks.
- `store`: the [`Store`]: the edit loop above, and the lock.
- `write`: one write, steps 2 to 5 (or in place, for a hard-linked file).
- `version`: the version an edit was computed from, and whether it is still on disk.
- `atomic`: the plain atomic replace (temporary file, fsync, rename, folder fsync).
- `temporaries`: the temporary files' names, and the ones an interrupted write left.
- `backups`: the previous versions, the last [`BACKUPS_KEPT`] of each file.
- `fast`: the fast write path — the oldest backup's inode reused as the temporary file, and
  only the pages that differ from it written. It can be turned off ([`Store::with_fast_write`],
  `LANYARD_FAST_WRITE=0`) and is tested against the plain path it replaces.
*/

mod assignment;
mod atomic;
mod backups;
mod errors;
mod fast;
mod missing;
mod profiles;
mod read;
mod store;
mod temporaries;
mod version;
mod write;

pub use assignment::{parse_assignment, split_key, Assignment, Target, CREDENTIAL_KEYS};
pub use atomic::write_private_file;
pub use backups::BACKUPS_KEPT;
pub use missing::{not_found, not_found_in};
pub use profiles::{AwsFiles, SetOutcome, Snapshot};
pub use read::read_text;
pub use store::{Change, Store};

pub use store::lock_in;
