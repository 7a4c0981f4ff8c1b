/*!
Lanyard's core: everything the `lanyard` command line and the desktop app do, with no user
interface in it.

Data flows one way: the AWS files ([`files`]) are read into lossless documents
(`lanyard-ini`), merged into a [`ProfileSet`](model::ProfileSet), turned into a resolution
[`Plan`](plan::Plan) per profile, and edited back through [`AwsFiles`](files::AwsFiles), which
writes atomically with backups. Effects (the environment, the file locations) are values passed
in, so every part can be tested without touching the real home folder.
*/
#![deny(missing_docs)]

pub mod credentials;
pub mod default_profile;
pub mod diff;
pub mod doctor;
pub mod env;
pub mod error;
pub mod export;
pub mod files;
pub mod model;
pub mod paths;
pub mod plan;
pub mod resolve;
pub mod secret;
pub mod sts;
pub mod vault;

pub use env::Env;
pub use error::{Error, ErrorKind};
pub use files::{AwsFiles, Change, Snapshot, Store};
pub use model::{ProfileKind, ProfileSet};
pub use plan::{plan, Plan, PlanError, Step};
pub use secret::Secret;

/// The files of the current environment: `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`,
/// the home folder, and `LANYARD_DATA_DIR`; `LANYARD_FAST_WRITE=0` turns the fast write path
/// off.
pub fn files_for(env: &Env) -> (AwsFiles, paths::Locations) {
    let locations = paths::current_locations(env);
    let data_dir = paths::data_dir(env, paths::Platform::current(), locations.home.as_deref());
    let store = Store::new(
        locations.config.clone(),
        locations.credentials.clone(),
        data_dir,
    )
    .with_fast_write(env.get("LANYARD_FAST_WRITE") != Some("0"));
    (AwsFiles::new(store), locations)
}
/// With `LANYARD_TRACE` set, prints `label` and the milliseconds since the first call to
/// stderr: where the time of a command goes, phase by phase. Labels only, never data.
pub fn trace(label: &str) {
    static START: std::sync::OnceLock<Option<std::time::Instant>> = std::sync::OnceLock::new();
    let start =
        START.get_or_init(|| std::env::var_os("LANYARD_TRACE").map(|_| std::time::Instant::now()));
    if let Some(start) = start {
        eprintln!(
            "lanyard: trace: {:8.3} ms {label}",
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
}
