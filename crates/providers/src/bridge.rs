//! Keeping bridged credentials fresh: each bridged section is rewritten with new
//! credentials shortly before the old ones expire (five minutes, or half their life when
//! they live less than ten), for as long as the source profile yields credentials.

use std::time::Duration;

use lanyard_core::bridge;
use lanyard_core::prompt::Prompt;
use lanyard_core::role_cache::refresh_window;
use lanyard_core::{Change, Error, Workspace};
use serde::Serialize;

/// A bridge to keep: profile `source`'s credentials in section `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bridge {
    /// The profile the credentials come from.
    pub source: String,
    /// The section of the credentials file they go to.
    pub name: String,
}

/// What happened to a bridge.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// New credentials were written, good until `expires` (Unix seconds).
    Written {
        /// The section.
        name: String,
        /// When they expire.
        expires: Option<i64>,
    },
    /// The source yields no more credentials (the sign-in ended): the bridge stopped.
    Ended {
        /// The section.
        name: String,
        /// Why, in the user's words.
        reason: String,
    },
}

/// Writes the current credentials of one bridge; returns the change and when they expire.
pub fn write(
    ws: &Workspace,
    bridge: &Bridge,
    prompt: &dyn Prompt,
    dry_run: bool,
) -> Result<(Change, Option<i64>), Error> {
    let resolved = crate::resolve(ws, &bridge.source, prompt)?;
    let expires = resolved.credentials.expiration;
    let change = bridge::write(
        ws.files(),
        &bridge.name,
        &bridge.source,
        &resolved.credentials,
        dry_run,
    )?;
    Ok((change, expires))
}

/// Keeps `bridges` fresh until every one has ended (or forever while their sources last),
/// telling `report` what happens. A source that fails ends its bridge; the others go on.
pub fn watch(
    ws: &Workspace,
    bridges: &[Bridge],
    prompt: &dyn Prompt,
    report: &mut dyn FnMut(Event),
) -> Result<(), Error> {
    // (bridge, when it is due again, when its credentials were issued)
    let mut live: Vec<(Bridge, i64, i64)> = Vec::new();
    for bridge in bridges {
        let now = ws.clock().now();
        match write(ws, bridge, prompt, false) {
            Ok((_, expires)) => {
                report(Event::Written {
                    name: bridge.name.clone(),
                    expires,
                });
                live.push((bridge.clone(), due(now, expires), now));
            }
            Err(error) => report(Event::Ended {
                name: bridge.name.clone(),
                reason: error.to_string(),
            }),
        }
    }
    while !live.is_empty() {
        let next = live.iter().map(|(_, at, _)| *at).min().unwrap_or(0);
        let wait = (next - ws.clock().now()).max(0);
        std::thread::sleep(Duration::from_secs(wait as u64).max(Duration::from_millis(200)));
        let now = ws.clock().now();
        let mut ended = Vec::new();
        for (index, (bridge, at, _)) in live.iter_mut().enumerate() {
            if *at > now {
                continue;
            }
            match write(ws, bridge, prompt, false) {
                Ok((_, expires)) => {
                    report(Event::Written {
                        name: bridge.name.clone(),
                        expires,
                    });
                    *at = due(now, expires);
                }
                Err(error) => {
                    report(Event::Ended {
                        name: bridge.name.clone(),
                        reason: error.to_string(),
                    });
                    ended.push(index);
                }
            }
        }
        for index in ended.into_iter().rev() {
            live.remove(index);
        }
    }
    Ok(())
}

/// When credentials issued at `now` and expiring at `expires` are renewed.
fn due(now: i64, expires: Option<i64>) -> i64 {
    match expires {
        Some(expires) => expires - refresh_window(Some(now), expires) + 1,
        // Keys that never expire need no renewing: look again in an hour.
        None => now + 3600,
    }
}
