//! The AWS SDKs' cross-SDK test vectors that pin `lanyard-core`: which files and profile an
//! environment selects (`location`), the resolution plan (`assume_role`), configured endpoint
//! URLs (`endpoint_urls`), and lossless round trips and edits over every input of the corpus
//! (`roundtrip`). The vectors are read in place
//! (see `lanyard_testkit::conformance`); nothing of them is copied into this project.
//!
//! A suite that cannot be found is skipped with a message, except under `CI=true`, where a
//! missing suite fails the run. Each suite prints how many cases it ran.

mod assume_role;
mod endpoint_urls;
mod location;
mod roundtrip;
