//! The `lanyard` binary run on real files in a temporary home.

mod util;

mod edits;
mod errors;
mod reading;
mod safety;
