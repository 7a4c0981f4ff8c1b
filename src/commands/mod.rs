//! One module per group of commands; each command calls the core and renders what it gives.

mod credentials;
mod edit;
mod read;
mod report;
mod sso;
mod vault;

use std::process::ExitCode;

use lanyard_core::{Error, Workspace};
use lanyard_ini::SectionId;

use crate::cli::{Command, SectionFlags, SsoCommand};
use crate::output::Output;

/// Runs one command; data goes to `out`, notes to stderr.
pub fn run(command: Command, ws: &Workspace, out: &mut Output) -> Result<ExitCode, Error> {
    let selected = || ws.selected_profile().to_owned();
    let add = matches!(command, Command::Add { .. });
    match command {
        Command::List { json } => read::list(ws, out, json),
        Command::Show {
            name,
            section,
            json,
            reveal,
        } => read::show(
            ws,
            out,
            &section_id(section, name.unwrap_or_else(selected)),
            json,
            reveal,
        ),
        Command::Dump { .. } => read::dump(ws, out),
        Command::Explain { name, json } => {
            read::explain(ws, out, &name.unwrap_or_else(selected), json)
        }
        Command::Doctor { json } => read::doctor(ws, out, json),
        Command::Sessions { json } => read::sessions(ws, out, json),
        Command::Bridge {
            names,
            as_name,
            watch,
            stop,
            list,
            json,
            write,
        } => credentials::bridge(ws, out, &names, as_name, watch, stop, list, json, write),
        Command::Login { name, device_code } => {
            credentials::login(ws, &name.unwrap_or_else(selected), device_code)
        }
        Command::Logout { name } => credentials::logout(ws, &name.unwrap_or_else(selected)),
        // `add` makes a new section, `set` edits one (making it if needed): the rest is shared.
        Command::Set {
            name,
            assignments,
            section,
            credentials_file,
            write,
        }
        | Command::Add {
            name,
            assignments,
            section,
            credentials_file,
            write,
        } => edit::set(
            ws,
            out,
            section_id(section, name),
            &assignments,
            credentials_file,
            write,
            add,
        ),
        Command::Unset {
            name,
            keys,
            section,
            write,
        } => edit::unset(ws, out, section_id(section, name), &keys, write),
        Command::Remove {
            name,
            section,
            force,
            keep_key,
            write,
        } => edit::remove(ws, out, &section_id(section, name), force, keep_key, write),
        Command::Rename {
            old,
            new,
            section,
            write,
        } => edit::rename(ws, out, &section_id(section, old), &new, write),
        Command::Copy {
            old,
            new,
            section,
            write,
        } => edit::copy(ws, out, &section_id(section, old), &new, write),
        Command::Use { name, reset, write } => {
            edit::use_default(ws, out, name.filter(|_| !reset), write)
        }
        Command::Vault { command } => vault::run(ws, out, command),
        Command::CredentialProcess { name } => credentials::credential_process(ws, out, &name),
        Command::Export {
            name,
            format,
            clipboard,
        } => credentials::export(ws, out, &name.unwrap_or_else(selected), format, clipboard),
        Command::Exec { name, command } => credentials::exec(ws, out, &name, &command),
        Command::Sso {
            command: SsoCommand::Accounts { session, json },
        } => sso::accounts(ws, out, &session.unwrap_or_else(selected), json),
        Command::Sso {
            command:
                SsoCommand::Populate {
                    session,
                    template,
                    region,
                    prune,
                    write,
                },
        } => sso::populate(ws, out, &session, Some(&template), region, prune, write),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut crate::cli::Cli::command(), "lanyard", &mut text);
            out.emit(&String::from_utf8_lossy(&text))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn section_id(flags: SectionFlags, name: String) -> SectionId {
    if flags.sso_session {
        SectionId::sso_session(name)
    } else if flags.services {
        SectionId::services(name)
    } else {
        SectionId::profile(name)
    }
}
