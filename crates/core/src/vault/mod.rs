//! The vault: long-term AWS keys in the operating system's keychain instead of plain files.
//!
//! Each profile's keys are one keychain entry (service `lanyard`, account `aws-profile:NAME`)
//! holding a small JSON document with the key and when it was stored. The keychain itself is
//! the list of what the vault holds: where it can be searched (the Secret Service, the kernel
//! keyring) `vault list` asks it; elsewhere an entry `vault-index` in the keychain names the
//! entries (never a secret). Nothing about the vault lives in Lanyard's data folder, so losing
//! that folder loses nothing, and an entry deleted in the keychain application is gone from
//! the list too.

mod chunked;
mod import;
mod secret_store;

use std::path::Path;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use chunked::Chunked;
pub use import::{import, plain_key_profiles};
pub use secret_store::{MemoryStore, SecretStore};

use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The keychain service name of Lanyard's entries.
pub const SERVICE: &str = "lanyard";

const PREFIX: &str = "aws-profile:";
const INDEX: &str = "vault-index";

/// An AWS access key as kept in the vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    /// `aws_access_key_id`.
    pub access_key_id: String,
    /// `aws_secret_access_key`.
    pub secret_access_key: Secret,
    /// `aws_session_token`, for temporary keys.
    pub session_token: Option<Secret>,
}

/// One key in the vault, as `vault list` shows it: nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VaultEntry {
    /// The profile name.
    pub name: String,
    /// The key id with all but its first and last four characters hidden.
    pub access_key_id: String,
    /// When the key was stored, in Unix seconds.
    pub stored: i64,
    /// Seconds since then.
    pub age_seconds: i64,
    /// Whether it carries a session token.
    pub session_token: bool,
}

/// What `vault list` found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VaultListing {
    /// What keeps the keys.
    pub keychain: String,
    /// The keys, by name.
    pub keys: Vec<VaultEntry>,
    /// Names the vault listed whose entry is gone from the keychain (now forgotten).
    pub missing: Vec<String>,
}

/// The stored form; every field is zeroed when dropped.
#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    aws_access_key_id: Zeroizing<String>,
    aws_secret_access_key: Zeroizing<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aws_session_token: Option<Zeroizing<String>>,
    stored: i64,
}

#[derive(Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    names: Vec<String>,
}

/// A key id for people: `AKIA…MPLE`.
pub fn mask_key_id(id: &str) -> String {
    if id.len() > 8 && id.is_ascii() {
        format!("{}…{}", &id[..4], &id[id.len() - 4..])
    } else {
        "…".to_owned()
    }
}

fn account(name: &str) -> String {
    format!("{PREFIX}{name}")
}

/// Long-term keys in a [`SecretStore`].
pub struct Vault<'a> {
    store: &'a dyn SecretStore,
    data_dir: &'a Path,
    clock: &'a dyn Clock,
}

impl<'a> Vault<'a> {
    /// A vault over `store`; `data_dir` holds the lock that orders concurrent changes.
    pub fn new(store: &'a dyn SecretStore, data_dir: &'a Path, clock: &'a dyn Clock) -> Vault<'a> {
        Vault {
            store,
            data_dir,
            clock,
        }
    }

    /// The store itself, for other secrets Lanyard keeps (cached role credentials).
    pub fn store(&self) -> &'a dyn SecretStore {
        self.store
    }

    /// What keeps the secrets.
    pub fn store_name(&self) -> &str {
        self.store.name()
    }

    fn read_index(&self) -> Result<Index, Error> {
        Ok(match self.store.read(INDEX)? {
            Some(text) => serde_json::from_str(text.expose()).unwrap_or_default(),
            None => Index::default(),
        })
    }

    /// Changes the list of names under a lock, so that concurrent `vault add`s keep every
    /// entry. Stores that can be searched need no list.
    fn update_index(&self, change: impl FnOnce(&mut Vec<String>)) -> Result<(), Error> {
        if self.store.accounts()?.is_some() {
            return Ok(());
        }
        let _lock = crate::files::lock_in(self.data_dir, "vault")?;
        let mut index = self.read_index()?;
        let before = index.names.clone();
        change(&mut index.names);
        index.names.sort();
        index.names.dedup();
        if index.names == before {
            return Ok(());
        }
        index.version = 1;
        let text = serde_json::to_string(&index).expect("the index serialises");
        self.store.write(INDEX, &Secret::new(text))
    }

    /// Stores a key, reads it back through a fresh lookup to check that the keychain really
    /// holds it (what the next process will find), and lists it. An existing different key of
    /// that name is replaced only with `force`: the old one would be gone for good.
    pub fn add(&self, name: &str, key: &AccessKey, force: bool) -> Result<(), Error> {
        lanyard_ini::validate_name(name).map_err(|m| Error::new(ErrorKind::Invalid, m))?;
        if key.access_key_id.trim().is_empty() || key.secret_access_key.expose().trim().is_empty() {
            return Err(Error::new(
                ErrorKind::Invalid,
                "the access key id and the secret access key cannot be empty",
            )
            .fix("paste both values from the IAM console or `aws iam create-access-key`"));
        }
        if key
            .access_key_id
            .chars()
            .any(|c| !c.is_ascii_alphanumeric())
        {
            return Err(Error::new(
                ErrorKind::Invalid,
                "an access key id has only letters and digits",
            )
            .fix("check that the key id and the secret were not swapped"));
        }
        if let Some(existing) = self.get(name)? {
            if existing == *key {
                return self.update_index(|names| names.push(name.to_owned()));
            }
            if !force {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!(
                        "the {} already holds a key for `{name}` (access key {}); storing another would lose it",
                        self.store.name(),
                        mask_key_id(&existing.access_key_id)
                    ),
                )
                .fix("pass --force to replace it, or store the new key under another name"));
            }
        }
        let stored = Stored {
            version: 1,
            aws_access_key_id: Zeroizing::new(key.access_key_id.clone()),
            aws_secret_access_key: Zeroizing::new(key.secret_access_key.expose().to_owned()),
            aws_session_token: key
                .session_token
                .as_ref()
                .map(|t| Zeroizing::new(t.expose().to_owned())),
            stored: self.clock.now(),
        };
        let value = Secret::new(serde_json::to_string(&stored).expect("serialises"));
        self.store.write(&account(name), &value)?;
        let back = self.store.read(&account(name))?;
        if back.as_ref() != Some(&value) {
            return Err(Error::new(
                ErrorKind::Keychain,
                format!(
                    "the {} did not give back what was stored for `{name}`",
                    self.store.name()
                ),
            )
            .fix("check the keychain application; the files were not changed"));
        }
        self.update_index(|names| names.push(name.to_owned()))
    }

    fn stored(&self, name: &str) -> Result<Option<Stored>, Error> {
        let Some(value) = self.store.read(&account(name))? else {
            return Ok(None);
        };
        serde_json::from_str(value.expose()).map(Some).map_err(|_| {
            Error::new(
                ErrorKind::Keychain,
                format!("the keychain entry of `{name}` is not one Lanyard wrote"),
            )
            .fix(format!(
                "store the key again with `lanyard vault add {name} --force`"
            ))
        })
    }

    /// The key of a profile, if the vault has one.
    pub fn get(&self, name: &str) -> Result<Option<AccessKey>, Error> {
        Ok(self.stored(name)?.map(|stored| AccessKey {
            access_key_id: stored.aws_access_key_id.to_string(),
            secret_access_key: Secret::new(stored.aws_secret_access_key.as_str()),
            session_token: stored
                .aws_session_token
                .as_ref()
                .map(|t| Secret::new(t.as_str())),
        }))
    }

    /// Removes a key from the keychain; returns whether there was one.
    pub fn remove(&self, name: &str) -> Result<bool, Error> {
        let existed = self.store.delete(&account(name))?;
        self.update_index(|names| names.retain(|n| n != name))?;
        Ok(existed)
    }

    /// Moves a key to a new name (for `lanyard rename`): stored under the new name and read
    /// back before the old entry goes.
    pub fn rename(&self, old: &str, new: &str) -> Result<bool, Error> {
        let Some(key) = self.get(old)? else {
            return Ok(false);
        };
        self.add(new, &key, false)?;
        self.remove(old)?;
        Ok(true)
    }

    /// Every key the keychain holds for the vault, read from the keychain itself.
    pub fn list(&self) -> Result<VaultListing, Error> {
        let (names, listed) = match self.store.accounts()? {
            Some(accounts) => (
                accounts
                    .iter()
                    .filter_map(|a| a.strip_prefix(PREFIX))
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
                false,
            ),
            None => (self.read_index()?.names, true),
        };
        let now = self.clock.now();
        let mut listing = VaultListing {
            keychain: self.store.name().to_owned(),
            ..VaultListing::default()
        };
        for name in names {
            match self.stored(&name)? {
                Some(stored) => listing.keys.push(VaultEntry {
                    access_key_id: mask_key_id(&stored.aws_access_key_id),
                    stored: stored.stored,
                    age_seconds: (now - stored.stored).max(0),
                    session_token: stored.aws_session_token.is_some(),
                    name,
                }),
                None => listing.missing.push(name),
            }
        }
        listing.keys.sort_by(|a, b| a.name.cmp(&b.name));
        listing.keys.dedup_by(|a, b| a.name == b.name);
        if listed && !listing.missing.is_empty() {
            let gone = listing.missing.clone();
            self.update_index(|names| names.retain(|n| !gone.contains(n)))?;
        }
        Ok(listing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    fn key(id: &str, secret: &str) -> AccessKey {
        AccessKey {
            access_key_id: id.into(),
            secret_access_key: Secret::new(secret),
            session_token: None,
        }
    }

    #[test]
    fn keys_round_trip_and_the_list_comes_from_the_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::at(1_000);
        for store in [
            Chunked::new(MemoryStore::with_limit(Some(1280))),
            Chunked::new(MemoryStore::with_limit(None)),
        ] {
            let vault = Vault::new(&store, dir.path(), &clock);
            let mut long = key(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            );
            long.session_token = Some(Secret::new("t".repeat(3000)));
            vault.add("dev", &long, false).unwrap();
            assert_eq!(vault.get("dev").unwrap(), Some(long));
            let listing = vault.list().unwrap();
            assert_eq!(listing.keys.len(), 1);
            assert_eq!(listing.keys[0].access_key_id, "AKIA…MPLE");
            assert!(listing.keys[0].session_token);
            // Deleted behind the vault's back: no longer listed.
            store.delete("aws-profile:dev").unwrap();
            assert!(vault.list().unwrap().keys.is_empty());
        }
        assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("index")));
    }

    /// A store that cannot be searched, like the macOS Keychain through `keyring`.
    struct Unlisted(MemoryStore);

    impl SecretStore for Unlisted {
        fn read(&self, a: &str) -> Result<Option<Secret>, Error> {
            self.0.read(a)
        }
        fn write(&self, a: &str, v: &Secret) -> Result<(), Error> {
            self.0.write(a, v)
        }
        fn delete(&self, a: &str) -> Result<bool, Error> {
            self.0.delete(a)
        }
        fn name(&self) -> &str {
            "unlisted"
        }
    }

    #[test]
    fn a_store_that_cannot_be_searched_keeps_its_list_in_the_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::at(5_000);
        let store = Unlisted(MemoryStore::default());
        let vault = Vault::new(&store, dir.path(), &clock);
        vault
            .add("a", &key("AKIAAAAAAAAAAAAAAAAA", "s1"), false)
            .unwrap();
        vault
            .add("b", &key("AKIABBBBBBBBBBBBBBBB", "s2"), false)
            .unwrap();
        let names: Vec<_> = vault
            .list()
            .unwrap()
            .keys
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["a", "b"]);
        store.delete("aws-profile:b").unwrap();
        let listing = vault.list().unwrap();
        assert_eq!(listing.missing, ["b"]);
        assert_eq!(
            vault.list().unwrap().missing,
            Vec::<String>::new(),
            "forgotten once reported"
        );
        let index = store.read("vault-index").unwrap().unwrap();
        assert!(!index.expose().contains("s1"));
    }

    #[test]
    fn an_existing_key_is_replaced_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::at(1);
        let store = MemoryStore::default();
        let vault = Vault::new(&store, dir.path(), &clock);
        vault
            .add("dev", &key("AKIAOLDOLDOLDOLDOLD1", "old"), false)
            .unwrap();
        // The same key again is fine.
        vault
            .add("dev", &key("AKIAOLDOLDOLDOLDOLD1", "old"), false)
            .unwrap();
        let error = vault
            .add("dev", &key("AKIANEWNEWNEWNEWNEW2", "new"), false)
            .unwrap_err();
        assert!(error.to_string().contains("AKIA…OLD1"), "{error}");
        assert_eq!(
            vault.get("dev").unwrap().unwrap().access_key_id,
            "AKIAOLDOLDOLDOLDOLD1"
        );
        vault
            .add("dev", &key("AKIANEWNEWNEWNEWNEW2", "new"), true)
            .unwrap();
        assert_eq!(
            vault.get("dev").unwrap().unwrap().access_key_id,
            "AKIANEWNEWNEWNEWNEW2"
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::at(1);
        let store = MemoryStore::default();
        let vault = Vault::new(&store, dir.path(), &clock);
        assert!(vault.add("my profile", &key("AKID", "s"), false).is_err());
        assert!(vault.add("a", &key("", "s"), false).is_err());
        assert!(vault
            .add("a", &key("wJalr/K7MDENG", "AKID"), false)
            .is_err());
    }
}
