//! Where secrets are kept, behind one small trait: `lanyard-keychain` implements it over the
//! operating system's keychains; [`MemoryStore`] is for tests of the layers above.

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
    /// Creates or replaces a value that is worthless after `until` (Unix seconds; `now` is the
    /// clock's time): a store that can forget on its own (the kernel keyring) drops it then.
    fn write_until(
        &self,
        account: &str,
        value: &Secret,
        until: i64,
        now: i64,
    ) -> Result<(), Error> {
        let _ = (until, now);
        self.write(account, value)
    }
    /// Every account that holds a value, when the store can list them (the Secret Service
    /// and the kernel keyring can; `None` where only a lookup by name is possible).
    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        Ok(None)
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

    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        let mut names: Vec<String> = self.values.lock().unwrap().keys().cloned().collect();
        names.sort();
        Ok(Some(names))
    }
}
