//! The vault: long-term AWS keys in the operating system's keychain instead of plain files.
//!
//! Each profile's keys are one keychain entry (service `lanyard`, account `aws-profile:NAME`)
//! holding a small JSON document. An index in Lanyard's data folder lists the names, a masked
//! key id and when the key was stored — never a secret — because keychains cannot list
//! entries portably.

mod chunked;
mod import;
mod store;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use chunked::Chunked;
pub use import::{import, plain_key_profiles};
pub use store::{KeyringStore, MemoryStore, SecretStore};

use crate::credentials::unix_now;
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The keychain service name of Lanyard's entries.
pub const SERVICE: &str = "lanyard";

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

/// What the index knows of an entry: nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The key id with all but its first and last four characters hidden.
    pub access_key_id: String,
    /// When the key was stored, in Unix seconds.
    pub stored: i64,
    /// Whether it carries a session token.
    #[serde(default)]
    pub session_token: bool,
}

#[derive(Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    entries: BTreeMap<String, IndexEntry>,
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

/// A key id for people: `AKIA…MPLE`.
pub fn mask_key_id(id: &str) -> String {
    if id.len() > 8 && id.is_ascii() {
        format!("{}…{}", &id[..4], &id[id.len() - 4..])
    } else {
        "…".to_owned()
    }
}

fn account(name: &str) -> String {
    format!("aws-profile:{name}")
}

/// Long-term keys in a [`SecretStore`], with an index in the data folder.
pub struct Vault {
    store: Box<dyn SecretStore>,
    data_dir: PathBuf,
}

impl Vault {
    /// A vault over `store`, keeping its index in `data_dir`.
    pub fn new(store: Box<dyn SecretStore>, data_dir: &Path) -> Vault {
        Vault {
            store,
            data_dir: data_dir.to_path_buf(),
        }
    }

    /// The operating system's keychain (see [`KeyringStore`]), with long values split.
    pub fn system(env: &crate::Env, data_dir: &Path) -> Result<Vault, Error> {
        let store = KeyringStore::from_env(env, SERVICE)?;
        Ok(Vault::new(Box::new(Chunked::new(store)), data_dir))
    }

    /// The store itself, for other secrets Lanyard keeps (cached role credentials).
    pub fn store(&self) -> &dyn SecretStore {
        self.store.as_ref()
    }

    /// What keeps the secrets.
    pub fn store_name(&self) -> &str {
        self.store.name()
    }

    fn index_path(&self) -> PathBuf {
        self.data_dir.join("vault-index.json")
    }

    fn read_index(&self) -> Result<Index, Error> {
        match fs::read_to_string(self.index_path()) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::new(ErrorKind::Unreadable, format!("the vault index is damaged: {e}"))
                    .at(&self.index_path(), None)
                    .fix("remove the file; the keys stay in the keychain, and `lanyard vault add` lists them again")
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Index { version: 1, ..Index::default() }),
            Err(e) => Err(Error::io("read", &self.index_path(), &e)),
        }
    }

    /// Changes the index under a lock, so that concurrent `vault add`s keep every entry.
    fn update_index(&self, change: impl FnOnce(&mut Index)) -> Result<(), Error> {
        let _lock = crate::files::lock_in(&self.data_dir, "vault")?;
        let mut index = self.read_index()?;
        index.version = 1;
        change(&mut index);
        let text = serde_json::to_string_pretty(&index).expect("index serialises");
        crate::files::write_private_file(&self.index_path(), &text)?;
        Ok(())
    }

    /// Stores a key, reads it back to check the keychain really holds it, and lists it.
    pub fn add(&self, name: &str, key: &AccessKey) -> Result<(), Error> {
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
        let stored_at = unix_now();
        let stored = Stored {
            version: 1,
            aws_access_key_id: Zeroizing::new(key.access_key_id.clone()),
            aws_secret_access_key: Zeroizing::new(key.secret_access_key.expose().to_owned()),
            aws_session_token: key
                .session_token
                .as_ref()
                .map(|t| Zeroizing::new(t.expose().to_owned())),
            stored: stored_at,
        };
        let value = Secret::new(serde_json::to_string(&stored).expect("serialises"));
        self.store.write(&account(name), &value)?;
        let back = self.store.read(&account(name))?;
        if back.as_ref() != Some(&value) {
            return Err(Error::new(
                ErrorKind::Keychain,
                format!(
                    "the {} did not give back what was stored",
                    self.store.name()
                ),
            )
            .fix("check the keychain application; nothing else was changed"));
        }
        self.update_index(|index| {
            index.entries.insert(
                name.to_owned(),
                IndexEntry {
                    access_key_id: mask_key_id(&key.access_key_id),
                    stored: stored_at,
                    session_token: key.session_token.is_some(),
                },
            );
        })
    }

    /// The key of a profile, if the vault has one.
    pub fn get(&self, name: &str) -> Result<Option<AccessKey>, Error> {
        let Some(value) = self.store.read(&account(name))? else {
            return Ok(None);
        };
        let stored: Stored = serde_json::from_str(value.expose()).map_err(|_| {
            Error::new(
                ErrorKind::Keychain,
                format!("the keychain entry of `{name}` is not one Lanyard wrote"),
            )
            .fix(format!(
                "store the key again with `lanyard vault add {name}`"
            ))
        })?;
        Ok(Some(AccessKey {
            access_key_id: stored.aws_access_key_id.to_string(),
            secret_access_key: Secret::new(stored.aws_secret_access_key.as_str()),
            session_token: stored
                .aws_session_token
                .as_ref()
                .map(|t| Secret::new(t.as_str())),
        }))
    }

    /// Removes a key from the keychain and the index; returns whether there was one.
    pub fn remove(&self, name: &str) -> Result<bool, Error> {
        let existed = self.store.delete(&account(name))?;
        let mut listed = false;
        self.update_index(|index| listed = index.entries.remove(name).is_some())?;
        Ok(existed || listed)
    }

    /// The listed entries.
    pub fn list(&self) -> Result<BTreeMap<String, IndexEntry>, Error> {
        Ok(self.read_index()?.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(dir: &Path) -> Vault {
        Vault::new(
            Box::new(Chunked::new(MemoryStore::with_limit(Some(1280)))),
            dir,
        )
    }

    #[test]
    fn keys_round_trip_and_the_index_holds_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path());
        let key = AccessKey {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            session_token: Some(Secret::new("t".repeat(3000))),
        };
        vault.add("dev", &key).unwrap();
        assert_eq!(vault.get("dev").unwrap(), Some(key));
        let index = fs::read_to_string(dir.path().join("vault-index.json")).unwrap();
        assert!(
            index.contains("AKIA…MPLE") && !index.contains("wJalr") && !index.contains("ttt"),
            "{index}"
        );
        assert_eq!(vault.list().unwrap()["dev"].access_key_id, "AKIA…MPLE");
        assert!(vault.remove("dev").unwrap());
        assert_eq!(vault.get("dev").unwrap(), None);
        assert!(vault.list().unwrap().is_empty());
    }

    #[test]
    fn bad_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path());
        let key = |id: &str, secret: &str| AccessKey {
            access_key_id: id.into(),
            secret_access_key: Secret::new(secret),
            session_token: None,
        };
        assert!(vault.add("my profile", &key("AKID", "s")).is_err());
        assert!(vault.add("a", &key("", "s")).is_err());
        assert!(vault.add("a", &key("wJalr/K7MDENG", "AKID")).is_err());
    }
}
