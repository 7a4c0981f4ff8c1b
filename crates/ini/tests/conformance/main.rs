//! The AWS SDKs' cross-SDK test vectors that pin `lanyard-ini`: the profile-parser suites of
//! smithy-rs and aws-sdk-kotlin (`parser`), and botocore's endpoint profiles written through
//! the edit API (`endpoint_profiles`). The vectors are read in place (see
//! `lanyard_testkit::conformance`); nothing of them is copied into this project.
//!
//! A suite that cannot be found is skipped with a message, except under `CI=true`, where a
//! missing suite fails the run. Each suite prints how many cases it ran.

mod endpoint_profiles;
mod parser;
