//! `sso accounts` and `sso populate`: the accounts and roles of an IAM Identity Center
//! sign-in, listed by `lanyard-providers`, turned into profiles by `lanyard-core`.

use std::process::ExitCode;

use lanyard_core::sso::populate::{self, PopulateOptions, Template};
use lanyard_core::sso::Accounts;
use lanyard_core::{Error, ErrorKind, Workspace};
use lanyard_providers::sso::SignIn;

use crate::cli::WriteFlags;
use crate::output::{note, Output};
use crate::prompt::Terminal;
use crate::render::table;

fn list(ws: &Workspace, sign_in: &SignIn) -> Result<Accounts, Error> {
    let token = lanyard_providers::sso::token(ws, sign_in, &Terminal, false)?;
    lanyard_providers::portal::accounts(ws, sign_in, &token)
}

pub fn accounts(
    ws: &Workspace,
    out: &mut Output,
    name: &str,
    json: bool,
) -> Result<ExitCode, Error> {
    let sign_in = SignIn::find(ws, name)?;
    let accounts = list(ws, &sign_in)?;
    if json {
        out.emit_json(&accounts)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![vec![
        "ACCOUNT".to_owned(),
        "NAME".to_owned(),
        "EMAIL".to_owned(),
        "ROLES".to_owned(),
    ]];
    rows.extend(accounts.accounts.iter().map(|a| {
        vec![
            a.id.clone(),
            a.name.clone(),
            a.email.clone(),
            a.roles.join(","),
        ]
    }));
    out.emit(&table(&rows))?;
    let roles: usize = accounts.accounts.iter().map(|a| a.roles.len()).sum();
    note(&format!(
        "{} accounts, {roles} roles",
        accounts.accounts.len()
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn populate(
    ws: &Workspace,
    out: &mut Output,
    session: &str,
    template: Option<&str>,
    region: Option<String>,
    prune: bool,
    write: WriteFlags,
) -> Result<ExitCode, Error> {
    let template = match template {
        Some(t) => Template::parse(t)?,
        None => Template::default(),
    };
    let sign_in = SignIn::find(ws, session)?;
    let Some(session) = sign_in.session.clone() else {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("`{session}` is a profile with its own start URL, not an sso-session"),
        )
        .fix("populate from an sso-session: `lanyard set --sso-session NAME sso_start_url=URL sso_region=REGION`"));
    };
    let accounts = list(ws, &sign_in)?;
    let options = PopulateOptions {
        session,
        template,
        region: region.unwrap_or_else(|| sign_in.region.clone()),
        prune,
    };
    let (report, change) = populate::populate(ws.files(), &accounts, &options, write.dry_run)?;
    if write.dry_run && !change.is_empty() {
        out.emit(&ws.change_report(&change, write.reveal).diff)?;
    }
    for skipped in &report.skipped {
        note(&format!(
            "skipped `{}` (account {}, role {}): {}",
            skipped.profile, skipped.account_id, skipped.role_name, skipped.reason
        ));
    }
    let would = if write.dry_run { "would be " } else { "" };
    note(&format!(
        "{} profiles {would}added, {} {would}updated, {} {would}removed, {} skipped, {} unchanged",
        report.added.len(),
        report.updated.len(),
        report.removed.len(),
        report.skipped.len(),
        report.unchanged
    ));
    if !report.stale.is_empty() {
        note(&format!(
            "{} profiles of sso-session `{}` have lost their account or role (first: `{}`); `--prune` removes them",
            report.stale.len(),
            options.session,
            report.stale[0]
        ));
    }
    Ok(ExitCode::SUCCESS)
}
