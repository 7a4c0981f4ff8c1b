//! The `lanyard` binary run on real files in a temporary home.

mod util;

mod edits;
mod environment;
mod errors;
mod reading;
mod safety;
mod secrets;
mod values;
mod vault;
