//! Commands that handle secrets: the vault and `credential-process`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use lanyard_core::resolve::resolve;
use lanyard_core::secret::Secret;
use lanyard_core::vault::{self, AccessKey, Vault};
use lanyard_core::{Env, Error, ErrorKind};
use serde_json::json;

use crate::cli::VaultCommand;
use crate::commands::Context;
use crate::render::table;

/// The command line that runs this binary's `credential-process NAME`: plain `lanyard` when
/// that is what `PATH` finds, else the absolute path (quoted when it has spaces).
pub fn own_command(env: &Env, name: &str) -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let on_path = env.get("PATH").and_then(|path| {
        std::env::split_paths(path)
            .map(|dir| {
                dir.join(if cfg!(windows) {
                    "lanyard.exe"
                } else {
                    "lanyard"
                })
            })
            .find(|candidate| candidate.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    let program = match (&exe, &on_path) {
        (Some(exe), Some(found)) if exe == found => "lanyard".to_owned(),
        (Some(exe), _) => {
            let path = exe.display().to_string();
            if path.contains(' ') {
                format!("\"{path}\"")
            } else {
                path
            }
        }
        (None, _) => "lanyard".to_owned(),
    };
    format!("{program} credential-process {name}")
}

fn age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// Reads the key for `vault add`: from standard input with `--stdin`, else on the terminal
/// with the secret hidden.
fn read_key(from_stdin: bool) -> Result<AccessKey, Error> {
    let lines: Vec<Secret> = if from_stdin {
        let stdin = std::io::stdin();
        let mut lines = Vec::new();
        for line in stdin.lock().lines().take(3) {
            let line = line.map_err(|e| {
                Error::new(
                    ErrorKind::Invalid,
                    format!("cannot read standard input: {e}"),
                )
            })?;
            lines.push(Secret::new(line.trim()));
        }
        lines
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(Error::new(ErrorKind::Invalid, "no terminal to ask for the key on")
                .fix("pass --stdin and write the access key id and the secret on standard input, one a line"));
        }
        let ask = |prompt: &str, hidden: bool| -> Result<Secret, Error> {
            let value = if hidden {
                rpassword::prompt_password(prompt)
            } else {
                eprint!("{prompt}");
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).map(|_| line)
            };
            value.map(|v| Secret::new(v.trim())).map_err(|e| {
                Error::new(ErrorKind::Invalid, format!("cannot read the terminal: {e}"))
            })
        };
        let mut lines = vec![
            ask("AWS access key id: ", false)?,
            ask("AWS secret access key: ", true)?,
        ];
        let token = ask("AWS session token (empty for none): ", true)?;
        lines.push(token);
        lines
    };
    let mut lines = lines.into_iter();
    let (Some(id), Some(secret)) = (lines.next(), lines.next()) else {
        return Err(Error::new(
            ErrorKind::Invalid,
            "expected the access key id and the secret access key, one a line",
        )
        .fix("printf '%s\\n' \"$KEY_ID\" \"$SECRET\" | lanyard vault add NAME --stdin"));
    };
    let token = lines.next().filter(|t| !t.expose().is_empty());
    Ok(AccessKey {
        access_key_id: id.expose().to_owned(),
        secret_access_key: secret,
        session_token: token,
    })
}

impl<W: Write> Context<'_, W> {
    fn open_vault(&self, env: &Env) -> Result<Vault, Error> {
        Vault::system(env, self.files.store().data_dir())
    }

    pub(crate) fn vault(&mut self, command: VaultCommand, env: &Env) -> Result<ExitCode, Error> {
        match command {
            VaultCommand::Add { name, stdin } => {
                lanyard_ini::validate_name(&name).map_err(|m| Error::new(ErrorKind::Invalid, m))?;
                let key = read_key(stdin)?;
                let vault = self.open_vault(env)?;
                vault.add(&name, &key)?;
                eprintln!(
                    "lanyard: stored the key of `{name}` in the {}",
                    vault.store_name()
                );
                Ok(ExitCode::SUCCESS)
            }
            VaultCommand::Import { name, all, write } => {
                let names = match name {
                    Some(name) => vec![name],
                    None => vault::plain_key_profiles(&self.files)?,
                };
                if names.is_empty() {
                    eprintln!("lanyard: no profile keeps long-term keys in plain text");
                    return Ok(ExitCode::SUCCESS);
                }
                let vault = if write.dry_run {
                    None
                } else {
                    Some(self.open_vault(env)?)
                };
                let mut changes = Vec::new();
                for name in &names {
                    let command = own_command(env, name);
                    changes.extend(vault::import(
                        &self.files,
                        vault.as_ref(),
                        name,
                        &command,
                        write.dry_run,
                    )?);
                    if !write.dry_run {
                        eprintln!(
                            "lanyard: moved the keys of `{name}` to the {}",
                            vault.as_ref().unwrap().store_name()
                        );
                    }
                }
                let _ = all;
                self.report(&changes, write)
            }
            VaultCommand::List { json } => {
                let vault = self.open_vault(env)?;
                let entries = vault.list()?;
                let now = lanyard_core::credentials::unix_now();
                if json {
                    let items: Vec<_> = entries
                        .iter()
                        .map(|(name, e)| json!({ "name": name, "access_key_id": e.access_key_id, "stored": e.stored, "age_seconds": now - e.stored, "session_token": e.session_token }))
                        .collect();
                    self.emit_json(&json!({ "keychain": vault.store_name(), "keys": items }))?;
                } else if entries.is_empty() {
                    eprintln!("lanyard: the vault is empty; `lanyard vault add NAME` or `lanyard vault import NAME` fills it");
                } else {
                    let mut rows =
                        vec![["PROFILE", "ACCESS KEY", "AGE"].map(String::from).to_vec()];
                    for (name, entry) in &entries {
                        rows.push(vec![
                            name.clone(),
                            entry.access_key_id.clone(),
                            age(now - entry.stored),
                        ]);
                    }
                    self.emit(&table(&rows))?;
                }
                Ok(ExitCode::SUCCESS)
            }
            VaultCommand::Remove { name } => {
                let vault = self.open_vault(env)?;
                if !vault.remove(&name)? {
                    return Err(Error::new(
                        ErrorKind::NotFound,
                        format!("the vault has no key for `{name}`"),
                    )
                    .fix("`lanyard vault list` shows the stored keys"));
                }
                let users: Vec<String> = self
                    .files
                    .load()
                    .map(|s| {
                        s.profiles
                            .sections()
                            .profiles
                            .iter()
                            .filter(|(_, p)| {
                                p.get("credential_process")
                                    .and_then(lanyard_core::resolve::vault_profile_of)
                                    == Some(name.as_str())
                            })
                            .map(|(n, _)| n.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                if !users.is_empty() {
                    eprintln!(
                        "lanyard: warning: {} still point at this key through credential_process",
                        users.join(", ")
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    }

    pub(crate) fn credential_process(&mut self, name: &str, env: &Env) -> Result<ExitCode, Error> {
        let resolved = resolve(&self.files, env, name, &|| self.open_vault(env))?;
        let mut text = resolved.credentials.process_json();
        text.push('\n');
        self.emit(&text)?;
        Ok(ExitCode::SUCCESS)
    }
}

/// Puts text on the clipboard through the platform's own tool, which keeps it there after
/// Lanyard exits; the text goes through a pipe, never through arguments.
fn copy_to_clipboard(text: &str, env: &Env) -> Result<String, Error> {
    let candidates: Vec<(&str, Vec<&str>)> = if cfg!(target_os = "macos") {
        vec![("pbcopy", vec![])]
    } else if cfg!(windows) {
        vec![("clip.exe", vec![])]
    } else {
        let mut tools = Vec::new();
        if env.get("WAYLAND_DISPLAY").is_some() {
            tools.push(("wl-copy", vec![]));
        }
        if env.get("DISPLAY").is_some() {
            tools.push(("xclip", vec!["-selection", "clipboard"]));
            tools.push(("xsel", vec!["--clipboard", "--input"]));
        }
        tools
    };
    for (program, args) in &candidates {
        let child = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else { continue };
        let written = child
            .stdin
            .take()
            .map(|mut pipe| pipe.write_all(text.as_bytes()));
        let status = child.wait();
        if matches!(written, Some(Ok(()))) && status.is_ok_and(|s| s.success()) {
            return Ok((*program).to_owned());
        }
    }
    Err(
        Error::new(ErrorKind::Invalid, "no clipboard tool is available").fix(
            if cfg!(target_os = "linux") {
                "install wl-clipboard (Wayland) or xclip (X11), or print without --clipboard"
            } else {
                "print without --clipboard"
            },
        ),
    )
}

impl<W: Write> Context<'_, W> {
    pub(crate) fn export(
        &mut self,
        name: &str,
        format: lanyard_core::export::Format,
        clipboard: bool,
        env: &Env,
    ) -> Result<ExitCode, Error> {
        let resolved = resolve(&self.files, env, name, &|| self.open_vault(env))?;
        let exported = lanyard_core::export::Exported {
            credentials: &resolved.credentials,
            region: resolved.region.as_deref(),
            profile: name,
        };
        let text = lanyard_core::export::render(&exported, format)?;
        if clipboard {
            let tool = copy_to_clipboard(&text, env)?;
            eprintln!("lanyard: copied the {format} lines for `{name}` to the clipboard ({tool})");
        } else {
            self.emit(&text)?;
        }
        Ok(ExitCode::SUCCESS)
    }

    pub(crate) fn exec(
        &mut self,
        name: &str,
        command: &[String],
        env: &Env,
    ) -> Result<ExitCode, Error> {
        if let Some(outer) = env.get(lanyard_core::export::PROFILE_MARKER) {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("already inside `lanyard exec` for profile `{outer}`"),
            )
            .fix("exit that shell first; nested sessions would mix two profiles' credentials"));
        }
        let resolved = resolve(&self.files, env, name, &|| self.open_vault(env))?;
        let exported = lanyard_core::export::Exported {
            credentials: &resolved.credentials,
            region: resolved.region.as_deref(),
            profile: name,
        };
        let (set, remove) = lanyard_core::export::exec_environment(&exported);
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
        let _ = self.out.flush();
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
}
