//! What the Secret Service holds for Lanyard: its entries found by their attributes, since
//! the `keyring` crate can look an entry up but not list them.

use std::collections::HashMap;

use dbus_secret_service::{EncryptionType, SecretService};
use lanyard_core::{Error, ErrorKind};

/// The `username` attribute of every item whose `service` attribute is `service`, locked
/// items included (listing them needs no unlock).
pub(crate) fn accounts(service: &str) -> Result<Vec<String>, Error> {
    let unreachable = |detail: String| {
        Error::new(
            ErrorKind::Keychain,
            format!("no Secret Service is reachable ({detail})"),
        )
        .fix(crate::no_secret_service_fix())
    };
    let ss =
        SecretService::connect(EncryptionType::Plain).map_err(|e| unreachable(e.to_string()))?;
    let found = ss
        .search_items(HashMap::from([("service", service)]))
        .map_err(|e| unreachable(e.to_string()))?;
    let mut names = Vec::new();
    for item in found.unlocked.iter().chain(found.locked.iter()) {
        let Ok(attributes) = item.get_attributes() else {
            continue;
        };
        if let Some(user) = attributes.get("username") {
            if !names.contains(user) {
                names.push(user.clone());
            }
        }
    }
    Ok(names)
}
