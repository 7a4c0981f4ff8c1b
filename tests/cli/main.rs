//! The `lanyard` binary run on real files in a temporary home.

/// The helpers every test uses, from `lanyard-testkit`.
mod util {
    pub use lanyard_testkit::{keyring, scripts, Home, Run};
}

mod edits;
mod environment;
mod errors;
mod files_safety;
mod reading;
mod robustness;
mod safety;
mod secrets;
mod sso;
mod sso_bridge;
mod sso_login;
mod sso_populate;
mod values;
mod vault;
