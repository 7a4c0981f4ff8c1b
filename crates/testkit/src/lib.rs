/*!
Test infrastructure that talks to real parts on loopback: a `moto` server standing in for
STS, botocore reading the files Lanyard writes, and [`FakeSso`], a fake IAM Identity Center
(OIDC and portal) checked against botocore. Everything it starts is stopped when the
handle is dropped, and nothing it does touches the real home folder or the network beyond
127.0.0.1. [`conformance`] finds the AWS SDKs' test vectors for the harness in each crate.

The Python interpreter is `$LANYARD_PEER_PYTHON` (the test command points it at the project's
virtual environment), else `python3`.
*/
#![deny(missing_docs)]

pub mod conformance;
pub mod fake_sso;
pub mod home;
mod moto;
mod peers;

pub use fake_sso::FakeSso;
pub use home::{keyring, lanyard_bin, require, scripts, Home, Run};
pub use moto::{Moto, RecordedRequest};
pub use peers::{botocore_batch, botocore_view, peer_python, require_peer};
