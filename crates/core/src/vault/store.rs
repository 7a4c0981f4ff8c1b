//! Where secrets are kept: the operating system's keychain, behind one small trait.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// A place that keeps secrets by account name. Calls block (the keychain may ask the user or
/// talk to a daemon): async callers run them with `spawn_blocking`.
pub trait SecretStore: Send + Sync {
    /// The secret of an account, if there is one.
    fn read(&self, account: &str) -> Result<Option<Secret>, Error>;
    /// Creates or replaces the secret of an account.
    fn write(&self, account: &str, value: &Secret) -> Result<(), Error>;
    /// Deletes an account's secret; returns whether there was one.
    fn delete(&self, account: &str) -> Result<bool, Error>;
    /// What the store is, for messages ("Secret Service", "macOS Keychain", …).
    fn name(&self) -> &str;
    /// The largest value the store takes, in bytes, when it has a limit.
    fn max_value_len(&self) -> Option<usize> {
        None
    }
}

/// A store in memory, with an optional value limit: for tests of the layers above a store.
#[derive(Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, Secret>>,
    limit: Option<usize>,
}

impl MemoryStore {
    /// An empty store that refuses values longer than `limit` bytes, like Windows' 2,560-byte
    /// credential blobs.
    pub fn with_limit(limit: Option<usize>) -> MemoryStore {
        MemoryStore {
            values: Mutex::default(),
            limit,
        }
    }

    /// How many accounts hold a value.
    pub fn len(&self) -> usize {
        self.values.lock().unwrap().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SecretStore for MemoryStore {
    fn read(&self, account: &str) -> Result<Option<Secret>, Error> {
        Ok(self.values.lock().unwrap().get(account).cloned())
    }

    fn write(&self, account: &str, value: &Secret) -> Result<(), Error> {
        if self.limit.is_some_and(|limit| value.expose().len() > limit) {
            return Err(Error::new(
                ErrorKind::Keychain,
                "the value is longer than the store accepts",
            ));
        }
        self.values
            .lock()
            .unwrap()
            .insert(account.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        Ok(self.values.lock().unwrap().remove(account).is_some())
    }

    fn name(&self) -> &str {
        "memory"
    }

    fn max_value_len(&self) -> Option<usize> {
        self.limit
    }
}

/// The operating system's keychain through the `keyring` crate: macOS Keychain, Windows
/// Credential Manager, the Linux Secret Service (GNOME Keyring, KWallet, KeePassXC), or, when
/// asked for with `LANYARD_KEYCHAIN=keyutils`, the Linux kernel's keyring. A call that gets no
/// answer within `LANYARD_KEYCHAIN_TIMEOUT` seconds (30) fails instead of hanging.
pub struct KeyringStore {
    service: String,
    backend: Backend,
    timeout: std::time::Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Native,
    #[cfg(target_os = "linux")]
    Keyutils,
}

/// Windows limits a credential blob to 2,560 bytes, stored as UTF-16: 1,280 ASCII characters.
#[cfg(windows)]
const NATIVE_LIMIT: Option<usize> = Some(1280);
#[cfg(not(windows))]
const NATIVE_LIMIT: Option<usize> = None;

impl KeyringStore {
    /// The keychain for this platform, as chosen by `LANYARD_KEYCHAIN` (`native`, the default,
    /// or `keyutils` on Linux).
    pub fn from_env(env: &crate::Env, service: &str) -> Result<KeyringStore, Error> {
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
            timeout: std::time::Duration::from_secs(seconds),
        })
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, Error> {
        let entry = match self.backend {
            Backend::Native => keyring::Entry::new(&self.service, account),
            #[cfg(target_os = "linux")]
            Backend::Keyutils => {
                keyring::keyutils::KeyutilsCredential::new_with_target(None, &self.service, account)
                    .map(|c| keyring::Entry::new_with_credential(Box::new(c)))
            }
        };
        entry.map_err(|e| self.error(e))
    }

    /// Turns a keyring error into one that says how to get a working keychain.
    fn error(&self, error: keyring::Error) -> Error {
        let detail = error.to_string();
        let locked = detail.to_ascii_lowercase().contains("locked");
        let (message, fix) = match &error {
            _ if locked => (format!("the {} is locked ({detail})", self.name()), unlock_fix()),
            keyring::Error::NoStorageAccess(_) => (
                format!("the {} is locked or refused access ({detail})", self.name()),
                unlock_fix(),
            ),
            keyring::Error::PlatformFailure(_) if self.backend == Backend::Native && cfg!(target_os = "linux") => (
                format!("no Secret Service is reachable ({detail})"),
                "start a Secret Service (GNOME Keyring: `gnome-keyring-daemon --start --components=secrets` in your desktop or D-Bus session; or KeePassXC with Secret Service on), or set LANYARD_KEYCHAIN=keyutils to keep secrets in the kernel keyring until the next reboot".to_owned(),
            ),
            _ => (format!("the {} failed: {detail}", self.name()), "try again; if it keeps failing, check the keychain application".to_owned()),
        };
        Error::new(ErrorKind::Keychain, message).fix(fix)
    }
}

fn unlock_fix() -> String {
    if cfg!(target_os = "macos") {
        "unlock the login keychain (Keychain Access, or `security unlock-keychain`)".to_owned()
    } else if cfg!(windows) {
        "sign in to Windows with your account; Credential Manager opens with your session"
            .to_owned()
    } else {
        "unlock your login keyring (log in to the desktop, or run `gnome-keyring-daemon --unlock` and type your password)".to_owned()
    }
}

impl KeyringStore {
    /// Runs a keychain call on a thread of its own and gives up after the timeout: a locked
    /// keychain may wait for an unlock prompt that, without a desktop, never comes.
    fn bounded<T: Send + 'static>(
        &self,
        call: impl FnOnce() -> keyring::Result<T> + Send + 'static,
    ) -> Result<keyring::Result<T>, Error> {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(call());
        });
        receiver.recv_timeout(self.timeout).map_err(|_| {
            Error::new(ErrorKind::Keychain, format!("the {} did not answer within {} s; it is probably locked and waiting for an unlock prompt", self.name(), self.timeout.as_secs()))
                .fix(unlock_fix())
        })
    }
}

impl SecretStore for KeyringStore {
    fn read(&self, account: &str) -> Result<Option<Secret>, Error> {
        let entry = self.entry(account)?;
        match self.bounded(move || entry.get_password())? {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(self.error(error)),
        }
    }

    fn write(&self, account: &str, value: &Secret) -> Result<(), Error> {
        let entry = self.entry(account)?;
        let value = value.clone();
        self.bounded(move || entry.set_password(value.expose()))?
            .map_err(|e| self.error(e))
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        let entry = self.entry(account)?;
        match self.bounded(move || entry.delete_credential())? {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(self.error(error)),
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
