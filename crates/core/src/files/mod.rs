/*!
The AWS files, `~/.aws/config` and `~/.aws/credentials`: read without losing a byte, written
atomically with a backup, and edited a whole profile at a time over both.

# How a write keeps every byte

Other programs (`aws configure set`, editors, dotfile managers) write these files too, and do
not take Lanyard's lock. So every write, under a per-file lock in Lanyard's data folder:

1. reads the file as it is on disk *now* and applies the edit to that text;
2. writes the result to a temporary file in the file's own folder (so that the rename below
   stays on one file system), created 0600, and fsyncs it;
3. checks that nobody changed the file since step 1, and goes back to step 1 if somebody did
   (so an edit is a closure that expresses the intent, never a result computed earlier);
4. keeps the previous version as a backup, gives the temporary file the mode and owner of the
   file it replaces, renames it over the file and fsyncs the folder.

A symlinked file is edited through the link: the link stays a link.

# Where each part lives

- `profiles`: whole-profile edits over both files ([`AwsFiles`]): which file a key goes to,
  add, set, unset, rename, copy and remove.
- `store`: the [`Store`]: reading, the edit loop above, and the lock.
- `atomic`: the plain atomic replace (temporary file, fsync, rename, folder fsync).
- `backups`: the previous versions, the last [`BACKUPS_KEPT`] of each file.
- `fast`: the fast write path — the oldest backup's inode reused as the temporary file, and
  only the pages that differ from it written. It can be turned off ([`Store::with_fast_write`],
  `LANYARD_FAST_WRITE=0`) and is tested against the plain path it replaces.
*/

mod atomic;
mod backups;
mod fast;
mod profiles;
mod store;

pub use backups::BACKUPS_KEPT;
pub use profiles::{
    not_found, parse_assignment, split_key, Assignment, AwsFiles, SetOutcome, Snapshot, Target,
    CREDENTIAL_KEYS,
};
pub use store::{read_text, Change, Store};

pub(crate) use atomic::write_private_file;
pub(crate) use store::lock_in;
