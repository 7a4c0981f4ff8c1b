//! `list`, `show`, `dump`, `explain`, `doctor`.

use std::process::ExitCode;

use lanyard_core::doctor::{self, Severity};
use lanyard_core::files::not_found_in;
use lanyard_core::{plan, profiles, Error, ErrorKind, Workspace};
use lanyard_ini::{Kind, SectionId};

use crate::output::{note, Output};
use crate::render::{safe, table, Widths};

pub fn list(ws: &Workspace, out: &mut Output, json: bool) -> Result<ExitCode, Error> {
    let set = ws.files().load_profiles()?;
    let list = profiles::list(ws, &set);
    drop(set);
    if json {
        out.emit_json(&list)?;
    } else if list.profiles.is_empty() {
        note(&format!(
            "no profiles in {} or {}; add one with `lanyard add NAME key=value`",
            ws.path_label(Kind::Config),
            ws.path_label(Kind::Credentials)
        ));
    } else {
        fn dash(v: &Option<String>) -> &str {
            v.as_deref().unwrap_or("-")
        }
        let header = ["", "PROFILE", "KIND", "REGION", "ACCOUNT", "DETAIL"];
        let rows = list.profiles.iter().map(|p| {
            [
                if p.active { "*" } else { "" },
                p.name.as_str(),
                p.kind,
                dash(&p.region),
                dash(&p.account),
                p.detail.as_str(),
            ]
        });
        write_table(out, header, rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(
    ws: &Workspace,
    out: &mut Output,
    id: &SectionId,
    json: bool,
    reveal: bool,
) -> Result<ExitCode, Error> {
    let set = ws.files().load_profiles()?;
    let detail = profiles::show(ws, &set, id, reveal)?;
    if json {
        out.emit_json(&detail)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = match detail.kind {
        Some(kind) => format!("{} ({kind})\n", safe(&id.to_string())),
        None => format!("{}\n", safe(&id.to_string())),
    };
    if let Some(problem) = &detail.problem {
        text.push_str(&format!("problem: {}\n", safe(problem)));
    }
    let mut rows = Vec::new();
    for property in detail.properties.values() {
        rows.push(vec![
            format!("  {}", property.key),
            property.value.clone(),
            format!("{}:{}", property.file, property.line),
        ]);
        for sub in &property.sub_properties {
            rows.push(vec![
                format!("    {}", sub.key),
                sub.value.clone(),
                format!("{}:{}", sub.file, sub.line),
            ]);
        }
    }
    text.push_str(&table(&rows));
    out.emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn dump(ws: &Workspace, out: &mut Output) -> Result<ExitCode, Error> {
    let set = ws.files().load_profiles()?;
    out.emit_json(&profiles::dump(&set))?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain(
    ws: &Workspace,
    out: &mut Output,
    name: &str,
    json: bool,
) -> Result<ExitCode, Error> {
    let set = ws.files().load_profiles()?;
    if set.profile(name).is_none() {
        return Err(not_found_in(&set, &SectionId::profile(name)));
    }
    let plan = plan(&set, name).map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("profile `{name}` cannot yield credentials: {e}"),
        )
        .fix(format!(
            "`lanyard show {name}` shows its keys and where they are"
        ))
    })?;
    if json {
        out.emit_json(&plan)?;
        return Ok(ExitCode::SUCCESS);
    }
    let steps = plan.describe();
    let mut text = format!(
        "profile `{}`: {} step{}\n",
        safe(name),
        steps.len(),
        if steps.len() == 1 { "" } else { "s" }
    );
    for (index, step) in steps.iter().enumerate() {
        text.push_str(&format!("  {}. {}\n", index + 1, safe(step)));
    }
    out.emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn doctor(ws: &Workspace, out: &mut Output, json: bool) -> Result<ExitCode, Error> {
    let findings = doctor::examine(ws.files());
    let failing = findings.iter().any(|f| f.severity != Severity::Info);
    if json {
        out.emit_json(&serde_json::json!({ "findings": findings }))?;
    } else if findings.is_empty() {
        out.emit("no problems found\n")?;
    } else {
        let mut text = String::new();
        for f in &findings {
            text.push_str(&format!(
                "{}: {}: {}\n    fix: {}\n",
                f.severity.label(),
                safe(&f.location),
                safe(&f.message),
                safe(&f.fix)
            ));
        }
        out.emit(&text)?;
    }
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes a table row by row (a list of thousands of profiles is never one string).
fn write_table<'a, const N: usize>(
    out: &mut Output,
    header: [&'a str; N],
    rows: impl Iterator<Item = [&'a str; N]> + Clone,
) -> Result<(), Error> {
    let mut widths = Widths::new(N);
    widths.measure(&header);
    for row in rows.clone() {
        widths.measure(&row);
    }
    out.emit(&widths.line(&header))?;
    for row in rows {
        out.emit(&widths.line(&row))?;
    }
    Ok(())
}

pub fn sessions(ws: &Workspace, out: &mut Output, json: bool) -> Result<ExitCode, Error> {
    let sessions = ws.sso_sessions()?;
    if json {
        out.emit_json(&sessions)?;
        return Ok(ExitCode::SUCCESS);
    }
    if sessions.sessions.is_empty() {
        note("no IAM Identity Center session in the config; add one with `lanyard set --sso-session NAME sso_start_url=URL sso_region=REGION`");
        return Ok(ExitCode::SUCCESS);
    }
    let header = [
        "SESSION",
        "START URL",
        "STATE",
        "TIME LEFT",
        "REFRESH",
        "PROFILES",
    ];
    let rows: Vec<[String; 6]> = sessions
        .sessions
        .iter()
        .map(|s| {
            [
                s.name.clone().unwrap_or_else(|| "(legacy)".to_owned()),
                s.start_url.clone().unwrap_or_else(|| "-".to_owned()),
                match (&s.problem, s.state) {
                    (Some(_), _) => "unreadable".to_owned(),
                    (None, Some(state)) => serde_json::to_value(state)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    (None, None) => "signed out".to_owned(),
                },
                s.seconds_left
                    .map(time_left)
                    .unwrap_or_else(|| "-".to_owned()),
                if s.refresh_token { "yes" } else { "no" }.to_owned(),
                s.profiles.len().to_string(),
            ]
        })
        .collect();
    write_table(
        out,
        header,
        rows.iter().map(|r| r.each_ref().map(String::as_str)),
    )?;
    for s in &sessions.sessions {
        if let Some(problem) = &s.problem {
            note(&format!("warning: {}: {problem}", s.cache_file));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn time_left(seconds: i64) -> String {
    match seconds {
        0 => "0m".to_owned(),
        s if s < 3600 => format!("{}m", s / 60),
        s => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}
