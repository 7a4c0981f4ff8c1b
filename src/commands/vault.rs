//! `vault add`, `vault import`, `vault list`, `vault remove`.

use std::process::ExitCode;

use lanyard_core::prompt::Prompt;
use lanyard_core::vault::{self, mask_key_id};
use lanyard_core::{Error, ErrorKind, Workspace};

use crate::cli::VaultCommand;
use crate::output::{note, Output};
use crate::render::table;

fn age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

pub fn run(ws: &Workspace, out: &mut Output, command: VaultCommand) -> Result<ExitCode, Error> {
    match command {
        VaultCommand::Add { name, stdin, force } => {
            lanyard_ini::validate_name(&name).map_err(|m| Error::new(ErrorKind::Invalid, m))?;
            let key = if stdin {
                crate::prompt::key_from_stdin()?
            } else {
                crate::prompt::Terminal.access_key(&name)?
            };
            let vault = ws.vault()?;
            vault.add(&name, &key, force)?;
            note(&format!(
                "stored the key of `{name}` ({}) in the {}",
                mask_key_id(&key.access_key_id),
                vault.store_name()
            ));
            Ok(ExitCode::SUCCESS)
        }
        VaultCommand::Import {
            name,
            all: _,
            force,
            write,
        } => {
            let names = match name {
                Some(name) => vec![name],
                None => vault::plain_key_profiles(ws.files())?,
            };
            if names.is_empty() {
                note("no profile keeps long-term keys in plain text");
                return Ok(ExitCode::SUCCESS);
            }
            let vault = if write.dry_run {
                None
            } else {
                Some(ws.vault()?)
            };
            let mut changes = Vec::new();
            for name in &names {
                let command = crate::program::own_command(ws, name);
                changes.extend(vault::import(
                    ws.files(),
                    vault.as_ref(),
                    name,
                    &command,
                    write.dry_run,
                    force,
                )?);
                if let Some(vault) = &vault {
                    note(&format!(
                        "moved the keys of `{name}` to the {}",
                        vault.store_name()
                    ));
                }
            }
            super::report::report(ws, out, &changes, write)
        }
        VaultCommand::List { json } => {
            let listing = ws.vault()?.list()?;
            if json {
                out.emit_json(&listing)?;
            } else {
                if listing.keys.is_empty() {
                    note("the vault is empty; `lanyard vault add NAME` or `lanyard vault import NAME` fills it");
                } else {
                    let mut rows =
                        vec![["PROFILE", "ACCESS KEY", "AGE"].map(String::from).to_vec()];
                    for entry in &listing.keys {
                        rows.push(vec![
                            entry.name.clone(),
                            entry.access_key_id.clone(),
                            age(entry.age_seconds),
                        ]);
                    }
                    out.emit(&table(&rows))?;
                }
                for name in &listing.missing {
                    note(&format!(
                        "warning: the key of `{name}` is gone from the {}",
                        listing.keychain
                    ));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        VaultCommand::Remove { name } => {
            let vault = ws.vault()?;
            if !vault.remove(&name)? {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    format!("the vault has no key for `{name}`"),
                )
                .fix("`lanyard vault list` shows the stored keys"));
            }
            let users = ws
                .files()
                .load()
                .map(|s| lanyard_core::profiles::served_by_vault_key(&s, &name))
                .unwrap_or_default();
            if !users.is_empty() {
                note(&format!(
                    "warning: {} still point at this key through credential_process",
                    users.join(", ")
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
