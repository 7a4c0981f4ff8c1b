//! Real peers read what Lanyard writes: botocore (the engine of the AWS CLI) in a separate
//! process, and the AWS SDK for Rust's `aws-config` in this one, with STS played by `moto`
//! on loopback.

/// The helpers every test uses, from `lanyard-testkit`.
mod util {
    pub use lanyard_testkit::{keyring, Home};
}

mod aws_config_sdk;
mod botocore;
mod credential_process;
mod fake_sso;
mod roles;
mod sso_interop;
mod sso_populate;
