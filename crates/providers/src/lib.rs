/*!
Lanyard's credential providers: everything that talks to AWS. `lanyard-core` builds a
[`Plan`](lanyard_core::plan::Plan) from the files alone; this crate executes it — static and
vault keys, Lanyard's own `credential_process` aliases, and role chains assumed with STS — with
role credentials cached in the keychain and one refresh per chain however many processes ask.

No async runtime is started and no network is touched while a cached credential is fresh:
this is the hot path of every SDK call that goes through `credential_process`.
*/
#![deny(missing_docs)]

pub mod bridge;
pub mod portal;
pub mod resolve;
pub mod sso;
pub mod sts;

pub use resolve::{resolve, Resolved};
