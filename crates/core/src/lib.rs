/*!
Lanyard's core: everything the `lanyard` command line and the desktop app do with the files,
the vault and the plans, with no user interface, no network, no async runtime and no D-Bus
in it.

Data flows one way: the AWS files ([`files`]) are read into lossless documents
(`lanyard-ini`), merged into a [`ProfileSet`](model::ProfileSet), turned into a resolution
[`Plan`](plan::Plan) per profile, and edited back through [`AwsFiles`](files::AwsFiles), which
writes atomically with backups. Both shells hold one [`Workspace`]; every operation returns a
`Serialize` value ([`profiles::ProfileSummary`], [`plan::Plan`], [`doctor::Finding`],
[`Change`]) or an [`Error`]. Effects — the environment, the clock, the keychain, the person
answering prompts — are given to the core ([`Env`], [`clock::Clock`],
[`vault::SecretStore`], [`prompt::Prompt`]), so every part runs in tests without touching the
real home folder. Executing a plan against AWS is `lanyard-providers`' work.
*/
#![deny(missing_docs)]

pub mod bridge;
pub mod clock;
pub mod credentials;
pub mod default_profile;
pub mod diff;
pub mod doctor;
pub mod endpoints;
pub mod env;
pub mod error;
pub mod export;
pub mod files;
pub mod kind;
pub mod lanyard_command;
pub mod lifecycle;
pub mod model;
pub mod paths;
pub mod plan;
pub mod profiles;
pub mod prompt;
pub mod role_cache;
pub mod secret;
pub mod sso;
pub mod vault;
pub mod workspace;

pub use env::Env;
pub use error::{Error, ErrorKind, Warning};
pub use files::{AwsFiles, Change, Snapshot, Store};
pub use kind::ProfileKind;
pub use model::ProfileSet;
pub use plan::{plan, Base, Plan, PlanError, RoleStep};
pub use secret::Secret;
pub use workspace::Workspace;

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
