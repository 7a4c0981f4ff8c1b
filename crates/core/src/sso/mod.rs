//! IAM Identity Center, from the files alone: the sessions the config names, and the token
//! cache the AWS CLI v2 and every SDK share (`~/.aws/sso/cache`). Signing in and calling the
//! portal is `lanyard-providers`' work; this module only reads and writes what is on disk.

mod accounts;
mod cache;
pub mod populate;
mod sessions;

pub use accounts::{Account, Accounts};
pub use cache::{cache_dir, cache_path, CachedToken, TokenState};
pub use sessions::{sessions, SsoSessionSummary, SsoSessions};
