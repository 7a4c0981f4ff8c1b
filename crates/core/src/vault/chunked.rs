//! Values longer than a store takes (Windows' 2,560-byte credential blobs and long session
//! tokens) are split over several accounts, behind a header that names the parts and their
//! digest, so that a reader sees the whole old value or the whole new one.

use sha1::{Digest, Sha1};

use super::secret_store::SecretStore;
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

const HEADER: &str = "lanyard-chunks:v1:";

/// A store that splits values longer than the inner store's limit.
pub struct Chunked<S> {
    inner: S,
}

fn part(account: &str, index: usize) -> String {
    format!("{account}#part{index}")
}

fn digest(value: &str) -> String {
    hex::encode(Sha1::digest(value.as_bytes()))
}

/// Splits at character boundaries into pieces of at most `limit` bytes.
fn split(value: &str, limit: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let mut cut = limit.min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        parts.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    parts
}

impl<S: SecretStore> Chunked<S> {
    /// Wraps a store.
    pub fn new(inner: S) -> Chunked<S> {
        Chunked { inner }
    }

    fn parts_of(&self, header: &Secret) -> Option<(usize, String)> {
        let rest = header.expose().strip_prefix(HEADER)?;
        let (count, sum) = rest.split_once(':')?;
        Some((count.parse().ok()?, sum.to_owned()))
    }
}

impl<S: SecretStore> SecretStore for Chunked<S> {
    fn read(&self, account: &str) -> Result<Option<Secret>, Error> {
        let Some(value) = self.inner.read(account)? else {
            return Ok(None);
        };
        let Some((count, sum)) = self.parts_of(&value) else {
            return Ok(Some(value));
        };
        let mut whole = String::new();
        for index in 1..=count {
            match self.inner.read(&part(account, index))? {
                Some(piece) => whole.push_str(piece.expose()),
                None => break,
            }
        }
        let whole = Secret::new(whole);
        if digest(whole.expose()) != sum {
            return Err(Error::new(
                ErrorKind::Keychain,
                format!(
                    "the keychain entry `{account}` is incomplete (a part is missing or changed)"
                ),
            )
            .fix("store the secret again"));
        }
        Ok(Some(whole))
    }

    fn write(&self, account: &str, value: &Secret) -> Result<(), Error> {
        let old_parts = self
            .inner
            .read(account)?
            .and_then(|old| self.parts_of(&old))
            .map_or(0, |(n, _)| n);
        let limit = self.inner.max_value_len();
        let parts = match limit {
            Some(limit) if value.expose().len() > limit => split(value.expose(), limit),
            _ => Vec::new(),
        };
        if parts.is_empty() {
            self.inner.write(account, value)?;
        } else {
            for (index, piece) in parts.iter().enumerate() {
                self.inner
                    .write(&part(account, index + 1), &Secret::new(*piece))?;
            }
            // The header last: until it is written, readers see the old value whole.
            let header = Secret::new(format!(
                "{HEADER}{}:{}",
                parts.len(),
                digest(value.expose())
            ));
            self.inner.write(account, &header)?;
        }
        for index in parts.len() + 1..=old_parts {
            self.inner.delete(&part(account, index))?;
        }
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        let parts = self
            .inner
            .read(account)?
            .and_then(|old| self.parts_of(&old))
            .map_or(0, |(n, _)| n);
        for index in 1..=parts {
            self.inner.delete(&part(account, index))?;
        }
        self.inner.delete(account)
    }

    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        Ok(self
            .inner
            .accounts()?
            .map(|names| names.into_iter().filter(|n| !n.contains("#part")).collect()))
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::secret_store::MemoryStore;

    #[test]
    fn long_values_are_split_and_read_back_whole() {
        // Windows Credential Manager's limit: 2,560 bytes of UTF-16, 1,280 characters.
        let store = Chunked::new(MemoryStore::with_limit(Some(1280)));
        let token = format!("IQoJb3JpZ2luX2Vj{}é", "x".repeat(3000));
        store
            .write("aws-profile:long", &Secret::new(token.clone()))
            .unwrap();
        assert_eq!(store.inner.len(), 4, "a header and three parts");
        assert_eq!(
            store.read("aws-profile:long").unwrap().unwrap().expose(),
            token
        );
        // Shorter again: one value, the old parts gone.
        store
            .write("aws-profile:long", &Secret::new("short"))
            .unwrap();
        assert_eq!(store.inner.len(), 1);
        assert_eq!(
            store.read("aws-profile:long").unwrap().unwrap().expose(),
            "short"
        );
        store
            .write("aws-profile:long", &Secret::new(token))
            .unwrap();
        assert!(store.delete("aws-profile:long").unwrap());
        assert!(store.inner.is_empty());
    }

    #[test]
    fn a_missing_part_is_an_error_not_a_wrong_secret() {
        let store = Chunked::new(MemoryStore::with_limit(Some(100)));
        store.write("a", &Secret::new("y".repeat(250))).unwrap();
        store.inner.delete("a#part2").unwrap();
        let error = store.read("a").unwrap_err();
        assert!(error.to_string().contains("incomplete"), "{error}");
    }

    #[test]
    fn values_within_the_limit_are_stored_as_they_are() {
        let store = Chunked::new(MemoryStore::with_limit(None));
        store.write("a", &Secret::new("z".repeat(10_000))).unwrap();
        assert_eq!(store.inner.len(), 1);
    }
}
