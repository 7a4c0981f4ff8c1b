//! The `lanyard` binary run on real files in a temporary home.

mod util;

mod edits;
mod environment;
mod errors;
mod files_safety;
mod reading;
mod safety;
mod secrets;
mod vault;
