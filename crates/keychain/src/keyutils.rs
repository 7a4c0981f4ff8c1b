//! The Linux kernel keyring, kept where the next process finds it.
//!
//! A key in the session keyring lives as long as the login session, and without a PAM session
//! (containers, cron, many SSH set-ups) every process gets a session of its own. Lanyard's keys
//! therefore go to the user's persistent keyring (`keyctl get_persistent`), or to the user
//! keyring where the kernel has no persistent keyrings, and are looked up there by
//! description — never through the caller's session. The user may read them from any of their
//! processes, as with the Secret Service; other users may not.

use linux_keyutils::{
    Key, KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, LinkNode, Permission,
};

use lanyard_core::{Error, ErrorKind, Secret};

/// The description of an entry: the form the `keyring` crate uses, so that keys stored by
/// earlier versions of Lanyard are found.
fn description(service: &str, account: &str) -> String {
    format!("keyring-rs:{account}@{service}")
}

/// The keyrings that outlive a process, the one new keys go to first.
fn rings() -> Result<Vec<KeyRing>, Error> {
    let mut rings = Vec::new();
    if let Ok(persistent) = KeyRing::get_persistent(KeyRingIdentifier::User) {
        rings.push(persistent);
    }
    match KeyRing::from_special_id(KeyRingIdentifier::User, true) {
        Ok(user) => rings.push(user),
        Err(error) if rings.is_empty() => return Err(failure("open the user keyring", error)),
        Err(_) => {}
    }
    Ok(rings)
}

fn failure(action: &str, error: KeyError) -> Error {
    Error::new(
        ErrorKind::Keychain,
        format!("cannot {action} of the kernel keyring ({error:?})"),
    )
    .fix("check `keyctl show @u`; in a container, the kernel keyring may be off (use the Secret Service instead)")
}

fn find(rings: &[KeyRing], description: &str) -> Result<Option<Key>, Error> {
    for ring in rings {
        match ring.search(description) {
            Ok(key) => return Ok(Some(key)),
            Err(KeyError::KeyDoesNotExist) | Err(KeyError::AccessDenied) => {}
            Err(KeyError::KeyExpired) | Err(KeyError::KeyRevoked) => {}
            Err(error) => return Err(failure("search a keyring", error)),
        }
    }
    Ok(None)
}

pub(crate) fn read(service: &str, account: &str) -> Result<Option<Secret>, Error> {
    let rings = rings()?;
    let Some(key) = find(&rings, &description(service, account))? else {
        return Ok(None);
    };
    let bytes = zeroize::Zeroizing::new(key.read_to_vec().map_err(|e| failure("read a key", e))?);
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::new(
            ErrorKind::Keychain,
            format!("the kernel keyring's entry `{account}` is not text"),
        )
        .fix("remove it with `keyctl unlink`, then store the key again")
    })?;
    Ok(Some(Secret::new(text)))
}

pub(crate) fn write(service: &str, account: &str, value: &Secret) -> Result<(), Error> {
    if value.expose().is_empty() {
        return Err(Error::new(
            ErrorKind::Invalid,
            "the kernel keyring cannot keep an empty value",
        ));
    }
    let rings = rings()?;
    let home = rings[0];
    let key = home
        .add_key(&description(service, account), value.expose().as_bytes())
        .map_err(|e| failure("add a key", e))?;
    // Readable by the user's other processes, which do not possess this process's keyrings.
    let perms = KeyPermissionsBuilder::builder()
        .posessor(Permission::ALL)
        .user(Permission::ALL)
        .build();
    key.set_perms(perms)
        .map_err(|e| failure("set a key's permissions", e))?;
    Ok(())
}

pub(crate) fn delete(service: &str, account: &str) -> Result<bool, Error> {
    let rings = rings()?;
    let description = description(service, account);
    let mut deleted = false;
    // Every copy goes: one left in another keyring would be served again.
    for _ in 0..8 {
        let Some(key) = find(&rings, &description)? else {
            break;
        };
        key.invalidate().map_err(|e| failure("remove a key", e))?;
        for ring in &rings {
            let _ = ring.unlink_key(key);
        }
        deleted = true;
    }
    Ok(deleted)
}

pub(crate) fn accounts(service: &str) -> Result<Vec<String>, Error> {
    let suffix = format!("@{service}");
    let mut names = Vec::new();
    for ring in rings()? {
        let Ok(links) = ring.get_links(4096) else {
            continue;
        };
        for node in links.iter() {
            let LinkNode::Key(key) = node else { continue };
            let Ok(meta) = key.metadata() else { continue };
            let Some(account) = meta
                .get_description()
                .strip_prefix("keyring-rs:")
                .and_then(|d| d.strip_suffix(suffix.as_str()))
            else {
                continue;
            };
            if !names.iter().any(|n| n == account) {
                names.push(account.to_owned());
            }
        }
    }
    Ok(names)
}

/// Like [`write`], and the kernel forgets the key after `seconds`.
pub(crate) fn write_for(
    service: &str,
    account: &str,
    value: &Secret,
    seconds: i64,
) -> Result<(), Error> {
    write(service, account, value)?;
    let rings = rings()?;
    if let Some(key) = find(&rings, &description(service, account))? {
        key.set_timeout(seconds.max(1) as usize)
            .map_err(|e| failure("set a key's expiry", e))?;
    }
    Ok(())
}
