//! One function per command: parse arguments into core calls, render the results.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use lanyard_core::diff::unified_diff;
use lanyard_core::doctor::{self, Severity};
use lanyard_core::error::display_path;
use lanyard_core::files::{not_found, parse_assignment, Snapshot, Target};
use lanyard_core::paths::Locations;
use lanyard_core::secret::{is_secret_key, mask};
use lanyard_core::{plan, AwsFiles, Change, Env, Error, ErrorKind, ProfileKind, Step};
use lanyard_ini::{Kind, Section, SectionId, SectionKind};
use serde_json::{json, Map, Value};

use crate::cli::{Command, SectionFlags, WriteFlags};
use crate::render::table;

pub(crate) struct Context<'a, W: Write> {
    pub(crate) files: AwsFiles,
    pub(crate) locations: Locations,
    pub(crate) out: &'a mut W,
}

/// Runs one command; data goes to `out`, notes to stderr.
pub fn run<W: Write>(command: Command, env: &Env, out: &mut W) -> Result<ExitCode, Error> {
    let (files, locations) = lanyard_core::files_for(env);
    let mut cx = Context {
        files,
        locations,
        out,
    };
    // `add` makes a new section, `set` edits one (making it if needed): the rest is shared.
    let add = matches!(command, Command::Add { .. });
    match command {
        Command::List { json } => cx.list(json),
        Command::Show {
            name,
            section,
            json,
            reveal,
        } => {
            let name = name.unwrap_or_else(|| cx.locations.profile.clone());
            cx.show(&section_id(section, name), json, reveal)
        }
        Command::Dump { .. } => cx.dump(),
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
        } => {
            let target = Target {
                id: section_id(section, name),
                credentials_file,
            };
            cx.set(&target, &assignments, write, add)
        }
        Command::Unset {
            name,
            keys,
            section,
            write,
        } => {
            let target = Target {
                id: section_id(section, name),
                credentials_file: false,
            };
            let changes = cx.files.unset(&target, &keys, write.dry_run)?;
            cx.report(&changes, write)
        }
        Command::Remove {
            name,
            section,
            force,
            write,
        } => {
            let changes = cx
                .files
                .remove(&section_id(section, name), force, write.dry_run)?;
            cx.report(&changes, write)
        }
        Command::Rename {
            old,
            new,
            section,
            write,
        } => {
            let changes = cx
                .files
                .rename(&section_id(section, old), &new, write.dry_run)?;
            cx.report(&changes, write)
        }
        Command::Copy {
            old,
            new,
            section,
            write,
        } => {
            let changes = cx
                .files
                .copy(&section_id(section, old), &new, write.dry_run)?;
            cx.report(&changes, write)
        }
        Command::Explain { name, json } => {
            let name = name.unwrap_or_else(|| cx.locations.profile.clone());
            cx.explain(&name, json)
        }
        Command::Doctor { json } => cx.doctor(json),
        Command::Vault { command } => cx.vault(command, env),
        Command::Export {
            name,
            format,
            clipboard,
        } => {
            let name = name.unwrap_or_else(|| cx.locations.profile.clone());
            cx.export(&name, format, clipboard, env)
        }
        Command::Exec { name, command } => cx.exec(&name, &command, env),
        Command::Use { name, reset, write } => {
            let changes = match name {
                Some(name) if !reset => {
                    let command = crate::secrets::own_command(env, &name);
                    lanyard_core::default_profile::use_profile(
                        &cx.files,
                        &name,
                        &command,
                        write.dry_run,
                    )?
                }
                _ => lanyard_core::default_profile::reset(&cx.files, write.dry_run)?,
            };
            cx.report(&changes, write)
        }
        Command::CredentialProcess { name } => cx.credential_process(&name, env),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut crate::cli::Cli::command(), "lanyard", cx.out);
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

fn write_error(error: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("cannot write the output: {error}"))
}

/// The account a profile works in, when its keys say so.
fn account_of(profile: &Section) -> Option<String> {
    if let Some(account) = profile
        .get("sso_account_id")
        .or_else(|| profile.get("aws_account_id"))
    {
        return Some(account.to_owned());
    }
    let arn = profile.get("role_arn")?;
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_owned())
}

fn detail_of(kind: &ProfileKind, profile: &Section) -> String {
    match kind {
        ProfileKind::AssumeRole => match (
            profile.get("source_profile"),
            profile.get("credential_source"),
        ) {
            (Some(source), _) => format!("from {source}"),
            (_, Some(source)) => format!("from {source}"),
            _ => String::new(),
        },
        ProfileKind::Sso {
            session: Some(session),
        } => format!("session {session}"),
        ProfileKind::Sso { session: None } => "legacy sso".to_owned(),
        ProfileKind::Incomplete(reason) => reason.clone(),
        _ => String::new(),
    }
}

fn value_json(property: &lanyard_ini::Property) -> Value {
    if property.is_nested() {
        let map: Map<String, Value> = property
            .sub_properties
            .iter()
            .map(|s| (s.key.to_ascii_lowercase(), Value::String(s.value.clone())))
            .collect();
        Value::Object(map)
    } else {
        Value::String(property.value.clone())
    }
}

fn section_json(section: &Section) -> Value {
    let map: Map<String, Value> = section
        .properties
        .iter()
        .map(|(k, p)| (k.clone(), value_json(p)))
        .collect();
    Value::Object(map)
}

impl<W: Write> Context<'_, W> {
    fn path_label(&self, kind: Kind) -> String {
        display_path(
            self.files.store().path(kind),
            self.locations.home.as_deref(),
        )
    }

    pub(crate) fn emit(&mut self, text: &str) -> Result<(), Error> {
        self.out.write_all(text.as_bytes()).map_err(write_error)
    }

    pub(crate) fn emit_json(&mut self, value: &Value) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(value).expect("JSON values serialise");
        text.push('\n');
        self.emit(&text)
    }

    fn list(&mut self, json: bool) -> Result<ExitCode, Error> {
        let snapshot = self.files.load()?;
        let set = &snapshot.profiles;
        let active = self.locations.profile.clone();
        let default_target =
            lanyard_core::default_profile::active(self.files.store().data_dir()).map(|s| s.profile);
        let detail = |name: &str, kind: &ProfileKind, profile: &Section| {
            let mut detail = detail_of(kind, profile);
            if Some(name) == default_target.as_deref() {
                detail = format!("{detail} (the default)").trim_start().to_owned();
            } else if name == lanyard_core::default_profile::STASH {
                detail = "your own [default], kept by `lanyard use`".to_owned();
            }
            detail
        };
        if json {
            let profiles: Vec<Value> = set
                .sections()
                .profiles
                .iter()
                .map(|(name, profile)| {
                    let kind = set.kind_of(name);
                    json!({
                        "name": name,
                        "kind": kind.label(),
                        "active": *name == active,
                        "default": Some(name.as_str()) == default_target.as_deref(),
                        "region": profile.get("region"),
                        "account": account_of(profile),
                        "files": files_of(profile),
                        "problem": match &kind { ProfileKind::Incomplete(r) => Some(r.clone()), _ => None },
                    })
                })
                .collect();
            self.emit_json(&json!({ "profiles": profiles }))?;
            return Ok(ExitCode::SUCCESS);
        }
        if set.is_empty() {
            eprintln!(
                "lanyard: no profiles in {} or {}; add one with `lanyard add NAME key=value`",
                self.path_label(Kind::Config),
                self.path_label(Kind::Credentials)
            );
            return Ok(ExitCode::SUCCESS);
        }
        let mut rows = vec![["", "PROFILE", "KIND", "REGION", "ACCOUNT", "DETAIL"]
            .map(String::from)
            .to_vec()];
        for (name, profile) in &set.sections().profiles {
            let kind = set.kind_of(name);
            rows.push(vec![
                if *name == active {
                    "*".to_owned()
                } else {
                    String::new()
                },
                name.clone(),
                kind.label().to_owned(),
                profile.get("region").unwrap_or("-").to_owned(),
                account_of(profile).unwrap_or_else(|| "-".to_owned()),
                detail(name, &kind, profile),
            ]);
        }
        self.emit(&table(&rows))?;
        Ok(ExitCode::SUCCESS)
    }

    fn find<'s>(&self, snapshot: &'s Snapshot, id: &SectionId) -> Result<&'s Section, Error> {
        let sections = snapshot.profiles.sections();
        let found = match id.kind {
            SectionKind::Profile => sections.profiles.get(&id.name),
            SectionKind::SsoSession => sections.sso_sessions.get(&id.name),
            SectionKind::Services => sections.services.get(&id.name),
        };
        found.ok_or_else(|| not_found(snapshot, id))
    }

    fn show(&mut self, id: &SectionId, json: bool, reveal: bool) -> Result<ExitCode, Error> {
        let snapshot = self.files.load()?;
        let section = self.find(&snapshot, id)?;
        let shown = |key: &str, value: &str| {
            if reveal || !is_secret_key(key) {
                value.to_owned()
            } else {
                mask(value)
            }
        };
        let origin = |o: &lanyard_ini::Origin| format!("{}:{}", self.path_label(o.kind), o.line);
        let kind = (id.kind == SectionKind::Profile).then(|| snapshot.profiles.kind_of(&id.name));
        if json {
            let mut properties = Map::new();
            for (key, property) in &section.properties {
                let value = if property.is_nested() {
                    value_json(property)
                } else {
                    Value::String(shown(key, &property.value))
                };
                properties.insert(
                    key.clone(),
                    json!({ "value": value, "file": self.path_label(property.origin.kind), "line": property.origin.line }),
                );
            }
            let mut doc = json!({ "name": id.name, "properties": properties });
            if let Some(kind) = &kind {
                doc["kind"] = json!(kind.label());
                if let ProfileKind::Incomplete(reason) = kind {
                    doc["problem"] = json!(reason);
                }
            }
            self.emit_json(&doc)?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut text = match &kind {
            Some(kind) => format!("{} ({})\n", id, kind.label()),
            None => format!("{id}\n"),
        };
        if let Some(ProfileKind::Incomplete(reason)) = &kind {
            text.push_str(&format!("problem: {reason}\n"));
        }
        let mut rows = Vec::new();
        for (key, property) in &section.properties {
            if property.is_nested() {
                rows.push(vec![
                    format!("  {}", property.key),
                    String::new(),
                    origin(&property.origin),
                ]);
                for sub in &property.sub_properties {
                    rows.push(vec![
                        format!("    {}", sub.key),
                        sub.value.clone(),
                        origin(&sub.origin),
                    ]);
                }
            } else {
                let value = shown(key, &property.value).replace('\n', "\\n");
                rows.push(vec![
                    format!("  {}", property.key),
                    value,
                    origin(&property.origin),
                ]);
            }
        }
        text.push_str(&table(&rows));
        self.emit(&text)?;
        Ok(ExitCode::SUCCESS)
    }

    fn dump(&mut self) -> Result<ExitCode, Error> {
        let snapshot = self.files.load()?;
        let sections = snapshot.profiles.sections();
        let map = |m: &std::collections::BTreeMap<String, Section>| -> Map<String, Value> {
            m.iter()
                .map(|(name, s)| (name.clone(), section_json(s)))
                .collect()
        };
        let doc = json!({
            "profiles": map(&sections.profiles),
            "sso-sessions": map(&sections.sso_sessions),
            "services": map(&sections.services),
        });
        self.emit_json(&doc)?;
        Ok(ExitCode::SUCCESS)
    }

    fn set(
        &mut self,
        target: &Target,
        assignments: &[String],
        write: WriteFlags,
        add: bool,
    ) -> Result<ExitCode, Error> {
        let parsed = assignments
            .iter()
            .map(|a| parse_assignment(target.id.kind, a))
            .collect::<Result<Vec<_>, _>>()?;
        let changes = if add {
            self.files.add(target, &parsed, write.dry_run)?
        } else {
            let outcome = self.files.set(target, &parsed, write.dry_run)?;
            for (key, warning) in outcome.warnings {
                eprintln!("lanyard: warning: `{key}`: {warning}");
            }
            outcome.changes
        };
        self.report(&changes, write)
    }

    pub(crate) fn report(
        &mut self,
        changes: &[Change],
        write: WriteFlags,
    ) -> Result<ExitCode, Error> {
        if write.dry_run {
            let mut text = String::new();
            for change in changes {
                let kind = if change.path == self.files.store().path(Kind::Config) {
                    Kind::Config
                } else {
                    Kind::Credentials
                };
                text.push_str(&unified_diff(change, &self.path_label(kind), write.reveal));
            }
            if text.is_empty() {
                eprintln!("lanyard: nothing would change");
            }
            self.emit(&text)?;
        }
        Ok(ExitCode::SUCCESS)
    }

    fn explain(&mut self, name: &str, json: bool) -> Result<ExitCode, Error> {
        let snapshot = self.files.load()?;
        if snapshot.profiles.profile(name).is_none() {
            return Err(not_found(&snapshot, &SectionId::profile(name)));
        }
        let plan = plan(&snapshot.profiles, name).map_err(|e| {
            Error::new(
                ErrorKind::Invalid,
                format!("profile `{name}` cannot yield credentials: {e}"),
            )
            .fix(format!(
                "`lanyard show {name}` shows its keys and where they are"
            ))
        })?;
        if json {
            let steps: Vec<Value> = plan.steps.iter().map(step_json).collect();
            self.emit_json(&json!({ "profile": name, "steps": steps }))?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut text = format!(
            "profile `{name}`: {} step{}\n",
            plan.steps.len(),
            if plan.steps.len() == 1 { "" } else { "s" }
        );
        for (index, step) in plan.steps.iter().enumerate() {
            text.push_str(&format!("  {}. {}\n", index + 1, describe_step(step)));
        }
        self.emit(&text)?;
        Ok(ExitCode::SUCCESS)
    }

    fn doctor(&mut self, json: bool) -> Result<ExitCode, Error> {
        let findings = doctor::examine(&self.files);
        let failing = findings.iter().any(|f| f.severity != Severity::Info);
        if json {
            let items: Vec<Value> = findings
                .iter()
                .map(|f| json!({ "severity": f.severity.label(), "code": f.code, "location": f.location, "message": f.message, "fix": f.fix }))
                .collect();
            self.emit_json(&json!({ "findings": items }))?;
        } else if findings.is_empty() {
            self.emit("no problems found\n")?;
        } else {
            let mut text = String::new();
            for f in &findings {
                text.push_str(&format!(
                    "{}: {}: {}\n    fix: {}\n",
                    f.severity.label(),
                    f.location,
                    f.message,
                    f.fix
                ));
            }
            self.emit(&text)?;
        }
        Ok(if failing {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

fn files_of(profile: &Section) -> Vec<&'static str> {
    let mut files: Vec<&'static str> = profile
        .headers
        .iter()
        .map(|o| match o.kind {
            Kind::Config => "config",
            Kind::Credentials => "credentials",
        })
        .collect();
    files.dedup();
    files
}

fn short_key_id(id: &str) -> String {
    if id.len() > 8 {
        format!("{}…{}", &id[..4], &id[id.len() - 4..])
    } else {
        id.to_owned()
    }
}

fn describe_step(step: &Step) -> String {
    match step {
        Step::AccessKey {
            profile,
            access_key_id,
            session_token,
            ..
        } => format!(
            "{} keys of profile `{profile}` (access key {})",
            if session_token.is_some() {
                "session"
            } else {
                "static"
            },
            short_key_id(access_key_id)
        ),
        Step::NamedSource { profile, source } => {
            format!("credentials from {source} (credential_source of `{profile}`)")
        }
        Step::WebIdentityToken {
            role_arn,
            web_identity_token_file,
            ..
        } => {
            format!("assume {role_arn} with the web identity token in {web_identity_token_file}")
        }
        Step::Sso {
            sso_start_url,
            sso_region,
            sso_account_id,
            sso_role_name,
            sso_session,
            ..
        } => {
            let via = sso_session
                .as_ref()
                .map(|s| format!(" via sso-session `{s}`"))
                .unwrap_or_default();
            match (sso_account_id, sso_role_name) {
                (Some(account), Some(role)) => format!("IAM Identity Center role {role} in account {account} ({sso_start_url}, {sso_region}){via}"),
                _ => format!("IAM Identity Center token only ({sso_start_url}, {sso_region}){via}"),
            }
        }
        Step::Process {
            profile, command, ..
        } => {
            let program = command.split_whitespace().next().unwrap_or("");
            format!("run the credential_process `{program} …` of profile `{profile}`")
        }
        Step::AssumeRole {
            profile,
            role_arn,
            external_id,
            role_session_name,
            mfa_serial,
            duration_seconds,
        } => {
            let mut extras = Vec::new();
            if external_id.is_some() {
                extras.push("external id".to_owned());
            }
            if let Some(mfa) = mfa_serial {
                extras.push(format!("MFA {mfa}"));
            }
            if let Some(name) = role_session_name {
                extras.push(format!("session name {name}"));
            }
            if let Some(seconds) = duration_seconds {
                extras.push(format!("{seconds} s"));
            }
            let extras = if extras.is_empty() {
                String::new()
            } else {
                format!(" ({})", extras.join(", "))
            };
            format!("assume {role_arn} (role_arn of `{profile}`){extras}")
        }
    }
}

fn step_json(step: &Step) -> Value {
    match step {
        Step::AccessKey {
            profile,
            access_key_id,
            session_token,
            account_id,
            ..
        } => json!({
            "type": "access-key", "profile": profile, "access_key_id": access_key_id,
            "session_token": session_token.is_some(), "account_id": account_id,
        }),
        Step::NamedSource { profile, source } => {
            json!({ "type": "credential-source", "profile": profile, "source": source })
        }
        Step::WebIdentityToken {
            profile,
            role_arn,
            web_identity_token_file,
            role_session_name,
        } => json!({
            "type": "web-identity", "profile": profile, "role_arn": role_arn,
            "web_identity_token_file": web_identity_token_file, "role_session_name": role_session_name,
        }),
        Step::Sso {
            profile,
            sso_start_url,
            sso_region,
            sso_account_id,
            sso_role_name,
            sso_session,
        } => json!({
            "type": "sso", "profile": profile, "sso_start_url": sso_start_url, "sso_region": sso_region,
            "sso_account_id": sso_account_id, "sso_role_name": sso_role_name, "sso_session": sso_session,
        }),
        Step::Process {
            profile,
            account_id,
            ..
        } => json!({ "type": "process", "profile": profile, "account_id": account_id }),
        Step::AssumeRole {
            profile,
            role_arn,
            external_id,
            role_session_name,
            mfa_serial,
            duration_seconds,
        } => json!({
            "type": "assume-role", "profile": profile, "role_arn": role_arn, "external_id": external_id,
            "role_session_name": role_session_name, "mfa_serial": mfa_serial, "duration_seconds": duration_seconds,
        }),
    }
}
