//! `credential-process`, `export`, `exec`: a profile's credentials, resolved by
//! `lanyard-providers`, handed to an SDK, a shell or a command.

use std::process::ExitCode;

use lanyard_core::export::{self, Exported, Format};
use lanyard_core::{Error, ErrorKind, Workspace};
use lanyard_providers::{resolve, Resolved};

use crate::output::{note, Output};
use crate::prompt::Terminal;

fn resolved(ws: &Workspace, name: &str) -> Result<Resolved, Error> {
    let resolved = resolve(ws, name, &Terminal)?;
    for warning in &resolved.warnings {
        note(&format!("warning: {}", warning.message));
    }
    Ok(resolved)
}

pub fn credential_process(ws: &Workspace, out: &mut Output, name: &str) -> Result<ExitCode, Error> {
    let resolved = resolved(ws, name)?;
    let mut text = resolved.credentials.process_json();
    text.push('\n');
    out.emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn export(
    ws: &Workspace,
    out: &mut Output,
    name: &str,
    format: Format,
    clipboard: bool,
) -> Result<ExitCode, Error> {
    let resolved = resolved(ws, name)?;
    let exported = Exported {
        credentials: &resolved.credentials,
        region: resolved.region.as_deref(),
        profile: name,
    };
    let text = export::render(&exported, format)?;
    if clipboard {
        let tool = crate::clipboard::copy(&text, ws.env())?;
        note(&format!(
            "copied the {format} lines for `{name}` to the clipboard ({tool})"
        ));
    } else {
        out.emit(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn exec(
    ws: &Workspace,
    out: &mut Output,
    name: &str,
    command: &[String],
) -> Result<ExitCode, Error> {
    let env = ws.env();
    if let Some(outer) = env.get(export::PROFILE_MARKER) {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("already inside `lanyard exec` for profile `{outer}`"),
        )
        .fix("exit that shell first; nested sessions would mix two profiles' credentials"));
    }
    let resolved = resolved(ws, name)?;
    let exported = Exported {
        credentials: &resolved.credentials,
        region: resolved.region.as_deref(),
        profile: name,
    };
    let (set, remove) = export::exec_environment(&exported);
    let (program, args) = match command.split_first() {
        Some((program, args)) => (program.clone(), args.to_vec()),
        None => (
            env.get("SHELL")
                .or(env.get("COMSPEC"))
                .unwrap_or(if cfg!(windows) { "cmd.exe" } else { "/bin/sh" })
                .to_owned(),
            Vec::new(),
        ),
    };
    let mut child = std::process::Command::new(&program);
    child.args(&args);
    for key in &remove {
        child.env_remove(key);
    }
    child.envs(set.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    out.flush()?;
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Become the command: signals and the exit status are its own.
        let error = child.exec();
        Err(Error::new(
            ErrorKind::Invalid,
            format!("cannot run `{program}`: {error}"),
        )
        .fix("check the command name and PATH"))
    }
    #[cfg(not(unix))]
    {
        let status = child.status().map_err(|e| {
            Error::new(ErrorKind::Invalid, format!("cannot run `{program}`: {e}"))
                .fix("check the command name and PATH")
        })?;
        Ok(ExitCode::from(
            status.code().unwrap_or(1).clamp(0, 255) as u8
        ))
    }
}

/// `login`: a new IAM Identity Center sign-in, its token cached where the AWS CLI finds it.
pub fn login(ws: &Workspace, name: &str, device_code: bool) -> Result<ExitCode, Error> {
    use lanyard_providers::sso::{self, Method};
    let sign_in = sso::SignIn::find(ws, name)?;
    let method = if device_code {
        Method::DeviceCode
    } else {
        Method::Browser
    };
    let token = sso::login(ws, &sign_in, &Terminal, method)?;
    let until = token
        .expires()
        .map(lanyard_core::credentials::rfc3339)
        .unwrap_or_default();
    note(&format!(
        "signed in to {} until {until}",
        sign_in
            .session
            .as_deref()
            .map(|s| format!("sso-session `{s}`"))
            .unwrap_or(sign_in.start_url.clone())
    ));
    Ok(ExitCode::SUCCESS)
}

/// `logout`: the session ends at the portal, and its token and role credentials go.
pub fn logout(ws: &Workspace, name: &str) -> Result<ExitCode, Error> {
    let sign_in = lanyard_providers::sso::SignIn::find(ws, name)?;
    let done = lanyard_providers::sso::logout(ws, &sign_in)?;
    let what = sign_in
        .session
        .as_deref()
        .map(|s| format!("sso-session `{s}`"))
        .unwrap_or(sign_in.start_url.clone());
    if !done.had_token {
        note(&format!("not signed in to {what}"));
    } else {
        note(&format!(
            "signed out of {what}{}; removed {} cached role credential{}",
            if done.portal_ended {
                ""
            } else {
                " here (the portal could not be reached to end the session)"
            },
            done.role_credentials_removed,
            if done.role_credentials_removed == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `bridge`: plain keys for legacy tools, kept fresh with `--watch`.
#[allow(clippy::too_many_arguments)]
pub fn bridge(
    ws: &Workspace,
    out: &mut Output,
    names: &[String],
    as_name: Option<String>,
    watch: bool,
    stop: bool,
    list: bool,
    json: bool,
    write: crate::cli::WriteFlags,
) -> Result<ExitCode, Error> {
    use lanyard_providers::bridge::{self, Bridge, Event};
    if list {
        let bridged = lanyard_core::bridge::list(ws.files())?;
        if json {
            out.emit_json(&serde_json::json!({ "bridged": bridged }))?;
        } else if bridged.is_empty() {
            note("nothing is bridged");
        } else {
            for b in &bridged {
                let until = b
                    .expires
                    .map(lanyard_core::credentials::rfc3339)
                    .unwrap_or_else(|| "-".to_owned());
                out.emit(&format!("{}  from {}  until {until}\n", b.name, b.source))?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if stop {
        let mut changes = Vec::new();
        for name in names {
            changes.push(lanyard_core::bridge::stop(ws.files(), name, write.dry_run)?);
        }
        return super::report::report(ws, out, &changes, write);
    }
    if as_name.is_some() && names.len() != 1 {
        return Err(Error::new(
            ErrorKind::Invalid,
            "--as names one bridge: give one profile",
        )
        .fix("lanyard bridge dev --as dev-legacy"));
    }
    let bridges: Vec<Bridge> = names
        .iter()
        .map(|source| Bridge {
            source: source.clone(),
            name: as_name.clone().unwrap_or_else(|| source.clone()),
        })
        .collect();
    if watch {
        out.flush()?;
        bridge::watch(ws, &bridges, &Terminal, &mut |event| match event {
            Event::Written { name, expires } => note(&format!(
                "bridged `{name}` until {}",
                expires
                    .map(lanyard_core::credentials::rfc3339)
                    .unwrap_or_else(|| "further notice".to_owned())
            )),
            Event::Ended { name, reason } => note(&format!("stopped bridging `{name}`: {reason}")),
        })?;
        return Ok(ExitCode::from(1));
    }
    let mut changes = Vec::new();
    for b in &bridges {
        let (change, expires) = bridge::write(ws, b, &Terminal, write.dry_run)?;
        if !write.dry_run {
            note(&format!(
                "bridged `{}` until {}",
                b.name,
                expires
                    .map(lanyard_core::credentials::rfc3339)
                    .unwrap_or_else(|| "further notice".to_owned())
            ));
        }
        changes.push(change);
    }
    super::report::report(ws, out, &changes, write)
}
