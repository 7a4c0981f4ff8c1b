//! The one entry object both shells hold: the files, Lanyard's data folder, the environment,
//! and the effects the core is given (the clock, the keychain).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use lanyard_ini::Kind;

use crate::clock::{Clock, SystemClock};
use crate::env::Env;
use crate::error::{display_path, Error, ErrorKind};
use crate::files::{AwsFiles, Store};
use crate::paths::{self, Locations, Platform};
use crate::vault::{SecretStore, Vault};

/// Opens the keychain when something first needs it (a static profile never does).
pub type KeychainOpener = Box<dyn Fn(&Env) -> Result<Box<dyn SecretStore>, Error> + Send + Sync>;

/// The AWS files and Lanyard's own data of one environment.
pub struct Workspace {
    env: Env,
    locations: Locations,
    files: AwsFiles,
    clock: Arc<dyn Clock>,
    open_keychain: KeychainOpener,
    keychain: OnceLock<Result<Box<dyn SecretStore>, Error>>,
    temporary: Option<Box<dyn SecretStore>>,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("locations", &self.locations)
            .field("data_dir", &self.files.store().data_dir())
            .finish_non_exhaustive()
    }
}

impl Workspace {
    /// The files `env` names (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, the home
    /// folder, `LANYARD_DATA_DIR`), with the system clock and the keychain `open_keychain`
    /// gives.
    pub fn new(env: Env, open_keychain: KeychainOpener) -> Workspace {
        let locations = paths::current_locations(&env);
        let data_dir = paths::data_dir(&env, Platform::current(), locations.home.as_deref());
        let mut store = Store::new(
            locations.config.clone(),
            locations.credentials.clone(),
            data_dir,
        )
        .with_fast_write(env.get("LANYARD_FAST_WRITE") != Some("0"));
        if locations.empty_home {
            store = store.refuse_writes(
                Error::new(
                    ErrorKind::Invalid,
                    "HOME is set but empty: the AWS SDKs then read /.aws/config, a folder you did not name",
                )
                .fix("set HOME to your home folder, or name the files with AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"),
            );
        }
        Workspace {
            env,
            locations,
            files: AwsFiles::new(store),
            clock: Arc::new(SystemClock),
            open_keychain,
            keychain: OnceLock::new(),
            temporary: None,
        }
    }

    /// The same workspace with a store for short-lived credentials (assumed roles) that is
    /// cheaper to reach than the keychain: the kernel keyring on Linux. Long-term keys never
    /// go there.
    pub fn with_temporary_store(mut self, store: Option<Box<dyn SecretStore>>) -> Workspace {
        self.temporary = store;
        self
    }

    /// Whether short-lived credentials have a store of their own.
    pub fn has_temporary_store(&self) -> bool {
        self.temporary.is_some()
    }

    /// Where short-lived credentials are cached: the temporary store when there is one, else
    /// the keychain.
    pub fn temporary_store(&self) -> Option<&dyn SecretStore> {
        match &self.temporary {
            Some(store) => Some(store.as_ref()),
            None => self.keychain().ok(),
        }
    }

    /// The same workspace on another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Workspace {
        self.clock = clock;
        self
    }

    /// The environment.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Where the files are, and the selected profile.
    pub fn locations(&self) -> &Locations {
        &self.locations
    }

    /// The profile `AWS_PROFILE` selects, else `default`.
    pub fn selected_profile(&self) -> &str {
        &self.locations.profile
    }

    /// The AWS files.
    pub fn files(&self) -> &AwsFiles {
        &self.files
    }

    /// Lanyard's data folder (backups, locks).
    pub fn data_dir(&self) -> &Path {
        self.files.store().data_dir()
    }

    /// The SSO token cache folder the AWS CLI v2 and the SDKs share: `~/.aws/sso/cache`
    /// (for an empty `HOME`, `/.aws/sso/cache`, as the AWS CLI has it).
    pub fn sso_cache_dir(&self) -> std::path::PathBuf {
        let home = self.locations.home.as_deref().unwrap_or(".");
        std::path::PathBuf::from(format!(
            "{}/.aws/sso/cache",
            home.trim_end_matches(['/', '\\'])
        ))
    }

    /// The sign-ins the config names, and where each stands in the token cache.
    pub fn sso_sessions(&self) -> Result<crate::sso::SsoSessions, Error> {
        let set = self.files.load_profiles()?;
        Ok(crate::sso::sessions(
            &set,
            &self.sso_cache_dir(),
            self.clock.now(),
        ))
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// A file's path as people read it: `~/.aws/config`.
    pub fn path_label(&self, kind: Kind) -> String {
        self.label(self.files.store().path(kind))
    }

    /// Any path as people read it, with `~` for the home folder.
    pub fn label(&self, path: &Path) -> String {
        display_path(path, self.locations.home.as_deref())
    }

    /// What a change did or would do, for people: its file, whether it was written, the diff.
    pub fn change_report(
        &self,
        change: &crate::files::Change,
        reveal: bool,
    ) -> crate::diff::ChangeReport {
        let kind = if change.path == self.files.store().path(Kind::Config) {
            Kind::Config
        } else {
            Kind::Credentials
        };
        crate::diff::report(change, kind, &self.path_label(kind), reveal)
    }

    /// The keychain, opened on first use.
    pub fn keychain(&self) -> Result<&dyn SecretStore, Error> {
        match self
            .keychain
            .get_or_init(|| (self.open_keychain)(&self.env))
        {
            Ok(store) => Ok(store.as_ref()),
            Err(error) => Err(error.clone()),
        }
    }

    /// The vault of long-term keys in the keychain.
    pub fn vault(&self) -> Result<Vault<'_>, Error> {
        Ok(Vault::new(self.keychain()?, self.data_dir(), self.clock()))
    }
}
