//! What the Secret Service holds for Lanyard: its entries found by their attributes, since
//! the `keyring` crate can look an entry up but not list them; and a read that waits for the
//! daemon as few times as the protocol allows.
//!
//! A read is the hot path of every SDK call through `credential_process`, and its time is
//! mostly spent waiting for round trips through the bus daemon. Through the `keyring` crate
//! one read is six: two for the connection's authentication, then `Hello`, `OpenSession`,
//! `SearchItems` and `GetSecret`, each sent after the answer to the one before. The bus
//! daemon handles a connection's messages in order, so `Hello`, `OpenSession` and
//! `SearchItems` (which do not depend on each other) are sent together here and their answers
//! read together: four round trips. Whatever this path does not expect — no item or several,
//! a locked one, an error — is handed back to the `keyring` crate, which answers as always.

use std::collections::HashMap;
use std::time::Duration;

use dbus::arg::{RefArg, Variant};
use dbus::channel::Channel;
use dbus::message::MessageType;
use dbus::{Message, Path};
use lanyard_core::Secret;

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

const SECRETS: &str = "org.freedesktop.secrets";
const SECRETS_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_IFACE: &str = "org.freedesktop.Secret.Service";

/// The session bus's address, as libdbus finds it.
fn session_address() -> Option<String> {
    if let Some(address) = std::env::var("DBUS_SESSION_BUS_ADDRESS")
        .ok()
        .filter(|a| !a.is_empty())
    {
        return Some(address);
    }
    let runtime = std::env::var("XDG_RUNTIME_DIR").ok()?;
    let bus = std::path::Path::new(&runtime).join("bus");
    bus.exists().then(|| format!("unix:path={}", bus.display()))
}

/// The secret of the one unlocked item with `keyring`'s attributes for `account`, read in
/// four round trips; `None` when anything is not as expected (the caller then asks the
/// `keyring` crate, which handles every case).
pub(crate) fn quick_read(service: &str, account: &str, timeout: Duration) -> Option<Secret> {
    let address = session_address()?;
    let channel = Channel::open_private(&address).ok()?;
    let hello = Message::new_method_call(
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "Hello",
    )
    .ok()?;
    let open = Message::new_method_call(SECRETS, SECRETS_PATH, SERVICE_IFACE, "OpenSession")
        .ok()?
        .append2("plain", Variant(Box::new(String::new()) as Box<dyn RefArg>));
    let attributes: HashMap<&str, &str> = HashMap::from([
        ("target", "default"),
        ("service", service),
        ("username", account),
    ]);
    let search = Message::new_method_call(SECRETS, SECRETS_PATH, SERVICE_IFACE, "SearchItems")
        .ok()?
        .append1(attributes);
    let serials = [
        channel.send(hello).ok()?,
        channel.send(open).ok()?,
        channel.send(search).ok()?,
    ];
    let replies = await_replies(&channel, &serials, timeout)?;
    let (_, session): (Variant<Box<dyn RefArg>>, Path) = replies[1].read2().ok()?;
    let (unlocked, locked): (Vec<Path>, Vec<Path>) = replies[2].read2().ok()?;
    let [item] = unlocked.as_slice() else {
        return None;
    };
    if !locked.is_empty() {
        return None;
    }
    let get = Message::new_method_call(
        SECRETS,
        item.clone(),
        "org.freedesktop.Secret.Item",
        "GetSecret",
    )
    .ok()?
    .append1(session);
    let serial = channel.send(get).ok()?;
    let reply = await_replies(&channel, &[serial], timeout)?;
    let (_, _, value, _): (Path, Vec<u8>, Vec<u8>, String) = reply[0].read1().ok()?;
    let value = zeroize::Zeroizing::new(value);
    let text = std::str::from_utf8(&value).ok()?;
    Some(Secret::new(text))
}

/// The method returns answering `serials`, in their order; `None` if any is an error or
/// does not come in time.
fn await_replies(channel: &Channel, serials: &[u32], timeout: Duration) -> Option<Vec<Message>> {
    let deadline = std::time::Instant::now() + timeout;
    let mut replies: Vec<Option<Message>> = serials.iter().map(|_| None).collect();
    channel.flush();
    while replies.iter().any(Option::is_none) {
        let left = deadline.checked_duration_since(std::time::Instant::now())?;
        let Some(message) = channel.blocking_pop_message(left).ok()? else {
            continue;
        };
        let Some(at) = message
            .get_reply_serial()
            .and_then(|r| serials.iter().position(|s| *s == r))
        else {
            continue;
        };
        if message.msg_type() != MessageType::MethodReturn {
            return None;
        }
        replies[at] = Some(message);
    }
    replies.into_iter().collect()
}
