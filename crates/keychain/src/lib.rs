/*!
The operating system's keychains behind `lanyard-core`'s [`SecretStore`]: the macOS Keychain,
Windows Credential Manager and the Linux Secret Service (GNOME Keyring, KWallet, KeePassXC)
through the `keyring` crate, and, when asked for with `LANYARD_KEYCHAIN=keyutils`, the Linux
kernel's keyring.

Two things make a keychain hard to use from a command line that SDKs run on every request:

- **A locked keychain waits for a prompt.** Without a desktop the unlock prompt never comes,
  so every call runs on a thread of its own and fails after `LANYARD_KEYCHAIN_TIMEOUT`
  seconds (30) with the way to unlock it, instead of hanging the SDK.
- **The kernel keyring is per session.** A key added to the session keyring is gone for the
  next process when there is no PAM login session (containers, cron, many SSH set-ups): each
  process then gets a session keyring of its own. Lanyard keeps its keys in the user's
  persistent keyring, or the user keyring where persistent keyrings are off, and looks them
  up there only, so what one process stores the next one finds.
*/
#![deny(missing_docs)]

#[cfg(target_os = "linux")]
mod keyutils;
#[cfg(target_os = "linux")]
mod secret_service;

use std::time::Duration;

use lanyard_core::vault::{Chunked, SecretStore, SERVICE};
use lanyard_core::{Env, Error, ErrorKind, Secret};

/// Which keychain `LANYARD_KEYCHAIN` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The platform's own keychain.
    Native,
    /// The Linux kernel keyring (kept until reboot).
    #[cfg(target_os = "linux")]
    Keyutils,
}

/// The keychain this environment asks for, with values longer than it takes split over
/// several entries: what the `lanyard` command line and the desktop app hand to the core.
/// Entries are kept under the service name `lanyard`, or `LANYARD_KEYCHAIN_SERVICE` (which
/// keeps apart several vaults of one user: test runs, a second identity).
pub fn open(env: &Env) -> Result<Box<dyn SecretStore>, Error> {
    let service = env.get("LANYARD_KEYCHAIN_SERVICE").unwrap_or(SERVICE);
    Ok(Box::new(Chunked::new(KeyringStore::from_env(
        env, service,
    )?)))
}

/// The store for short-lived credentials (assumed roles): on Linux the kernel keyring, where
/// a read is a system call rather than four D-Bus round trips, each entry set to expire with
/// the credentials it holds. `None` elsewhere, where the kernel keyring is off, or with
/// `LANYARD_ROLE_CACHE=keychain`: the keychain then holds them. Long-term keys never go here.
pub fn open_temporary(env: &Env) -> Option<Box<dyn SecretStore>> {
    #[cfg(target_os = "linux")]
    {
        if env.get("LANYARD_ROLE_CACHE") == Some("keychain") {
            return None;
        }
        let service = format!(
            "{}-cache",
            env.get("LANYARD_KEYCHAIN_SERVICE").unwrap_or(SERVICE)
        );
        Some(Box::new(KernelCache { service }))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = env;
        None
    }
}

/// Short-lived secrets in the kernel keyring.
#[cfg(target_os = "linux")]
struct KernelCache {
    service: String,
}

#[cfg(target_os = "linux")]
impl SecretStore for KernelCache {
    fn read(&self, account: &str) -> Result<Option<Secret>, Error> {
        keyutils::read(&self.service, account)
    }

    fn write(&self, account: &str, value: &Secret) -> Result<(), Error> {
        keyutils::write(&self.service, account, value)
    }

    fn write_until(
        &self,
        account: &str,
        value: &Secret,
        until: i64,
        now: i64,
    ) -> Result<(), Error> {
        keyutils::write_for(&self.service, account, value, until - now)
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        keyutils::delete(&self.service, account)
    }

    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        keyutils::accounts(&self.service).map(Some)
    }

    fn name(&self) -> &str {
        "kernel keyring"
    }
}

/// The operating system's keychain for one service name. A call that gets no answer within
/// the timeout fails instead of hanging.
pub struct KeyringStore {
    service: String,
    backend: Backend,
    timeout: Duration,
}

/// Windows limits a credential blob to 2,560 bytes, stored as UTF-16: 1,280 ASCII characters.
#[cfg(windows)]
const NATIVE_LIMIT: Option<usize> = Some(1280);
#[cfg(not(windows))]
const NATIVE_LIMIT: Option<usize> = None;

impl KeyringStore {
    /// The keychain for this platform, as chosen by `LANYARD_KEYCHAIN` (`native`, the default,
    /// or `keyutils` on Linux).
    pub fn from_env(env: &Env, service: &str) -> Result<KeyringStore, Error> {
        let backend = match env.get("LANYARD_KEYCHAIN") {
            None | Some("native") | Some("secret-service") => Backend::Native,
            #[cfg(target_os = "linux")]
            Some("keyutils") => Backend::Keyutils,
            Some(other) => {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!("LANYARD_KEYCHAIN={other} is not a keychain Lanyard knows"),
                )
                .fix(if cfg!(target_os = "linux") {
                    "use `native` (the Secret Service) or `keyutils`"
                } else {
                    "unset it to use the system keychain"
                }))
            }
        };
        let seconds = env
            .get("LANYARD_KEYCHAIN_TIMEOUT")
            .and_then(|s| s.parse().ok())
            .unwrap_or(30);
        Ok(KeyringStore {
            service: service.to_owned(),
            backend,
            timeout: Duration::from_secs(seconds),
        })
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, Error> {
        keyring::Entry::new(&self.service, account).map_err(|e| self.error(e))
    }

    /// Turns a keyring error into one that says how to get a working keychain.
    fn error(&self, error: keyring::Error) -> Error {
        let detail = error.to_string();
        let locked = detail.to_ascii_lowercase().contains("locked");
        let (message, fix) = match &error {
            _ if locked => (
                format!("the {} is locked ({detail})", self.name()),
                unlock_fix(),
            ),
            keyring::Error::NoStorageAccess(_) => (
                format!("the {} is locked or refused access ({detail})", self.name()),
                unlock_fix(),
            ),
            keyring::Error::PlatformFailure(_) if cfg!(target_os = "linux") => (
                format!("no Secret Service is reachable ({detail})"),
                no_secret_service_fix().to_owned(),
            ),
            _ => (
                format!("the {} failed: {detail}", self.name()),
                "try again; if it keeps failing, check the keychain application".to_owned(),
            ),
        };
        Error::new(ErrorKind::Keychain, message).fix(fix)
    }

    /// Runs a keychain call on a thread of its own and gives up after the timeout: a locked
    /// keychain may wait for an unlock prompt that, without a desktop, never comes.
    fn bounded<T: Send + 'static>(
        &self,
        call: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(call());
        });
        receiver.recv_timeout(self.timeout).map_err(|_| {
            Error::new(
                ErrorKind::Keychain,
                format!(
                    "the {} did not answer within {} s; it is probably locked and waiting for an unlock prompt",
                    self.name(),
                    self.timeout.as_secs()
                ),
            )
            .fix(unlock_fix())
        })?
    }
}

pub(crate) fn no_secret_service_fix() -> &'static str {
    "start a Secret Service (GNOME Keyring: `gnome-keyring-daemon --start --components=secrets` in your desktop or D-Bus session; or KeePassXC with Secret Service on), or set LANYARD_KEYCHAIN=keyutils to keep secrets in the kernel keyring until the next reboot"
}

pub(crate) fn unlock_fix() -> String {
    if cfg!(target_os = "macos") {
        "unlock the login keychain (Keychain Access, or `security unlock-keychain`)".to_owned()
    } else if cfg!(windows) {
        "sign in to Windows with your account; Credential Manager opens with your session"
            .to_owned()
    } else {
        "unlock your login keyring (log in to the desktop, or run `gnome-keyring-daemon --unlock` and type your password)".to_owned()
    }
}

impl SecretStore for KeyringStore {
    fn read(&self, account: &str) -> Result<Option<Secret>, Error> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            let (service, account) = (self.service.clone(), account.to_owned());
            return self.bounded(move || keyutils::read(&service, &account));
        }
        #[cfg(target_os = "linux")]
        {
            let (service, account, timeout) =
                (self.service.clone(), account.to_owned(), self.timeout);
            if let Some(secret) =
                self.bounded(move || Ok(secret_service::quick_read(&service, &account, timeout)))?
            {
                return Ok(Some(secret));
            }
        }
        let entry = self.entry(account)?;
        let result = self.bounded(move || match entry.get_password() {
            Ok(value) => Ok(Ok(Some(Secret::new(value)))),
            Err(keyring::Error::NoEntry) => Ok(Ok(None)),
            Err(error) => Ok(Err(error)),
        })?;
        result.map_err(|e| self.error(e))
    }

    fn write(&self, account: &str, value: &Secret) -> Result<(), Error> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            let (service, account, value) =
                (self.service.clone(), account.to_owned(), value.clone());
            return self.bounded(move || keyutils::write(&service, &account, &value));
        }
        let entry = self.entry(account)?;
        let value = value.clone();
        self.bounded(move || Ok(entry.set_password(value.expose())))?
            .map_err(|e| self.error(e))
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            let (service, account) = (self.service.clone(), account.to_owned());
            return self.bounded(move || keyutils::delete(&service, &account));
        }
        let entry = self.entry(account)?;
        match self.bounded(move || Ok(entry.delete_credential()))? {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(self.error(error)),
        }
    }

    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        #[cfg(target_os = "linux")]
        {
            let service = self.service.clone();
            match self.backend {
                Backend::Keyutils => self.bounded(move || keyutils::accounts(&service).map(Some)),
                Backend::Native => {
                    self.bounded(move || secret_service::accounts(&service).map(Some))
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            Ok(None)
        }
    }

    fn name(&self) -> &str {
        match self.backend {
            #[cfg(target_os = "linux")]
            Backend::Keyutils => "kernel keyring (keyutils)",
            Backend::Native if cfg!(target_os = "macos") => "macOS Keychain",
            Backend::Native if cfg!(windows) => "Windows Credential Manager",
            Backend::Native => "Secret Service keyring",
        }
    }

    fn max_value_len(&self) -> Option<usize> {
        NATIVE_LIMIT
    }
}
