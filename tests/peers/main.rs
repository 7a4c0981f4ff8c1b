//! Real peers read what Lanyard writes: botocore (the engine of the AWS CLI) in a separate
//! process, and the AWS SDK for Rust's `aws-config` in this one, with STS played by `moto`
//! on loopback.

#[path = "../cli/util.rs"]
#[allow(dead_code)]
mod util;

mod aws_config_sdk;
mod botocore;
mod credential_process;
mod roles;
