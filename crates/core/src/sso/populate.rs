//! `sso populate`: a profile for every account and role a sign-in may use.
//!
//! The hard part is to own exactly what Lanyard made. Every profile it writes carries
//! `lanyard_populated = SESSION`: a key the user sees and every SDK ignores (unknown keys are
//! skipped by the profile-file specification). Only profiles with that marker, for that
//! session, are ever updated or pruned; a profile of the same name without it is the user's,
//! and is skipped and reported. Names come from a template, with every character the
//! specification does not allow in a name replaced by `-`, and are made unique by the
//! account id when two accounts would share one. The plan is computed from the document as it
//! is when the write happens ([`plan`]), and applied in one edit, so the whole populate is one
//! write of the config file, and a second run with the same accounts changes no byte.

use std::collections::{BTreeMap, BTreeSet};

use lanyard_ini::{Document, Kind, SectionId, Sections};
use serde::Serialize;

use super::accounts::Accounts;
use crate::error::{edit_error, Error, ErrorKind};
use crate::files::{AwsFiles, Change};

/// The key that marks a profile as made by `sso populate`; its value is the session.
pub const MARKER: &str = "lanyard_populated";

/// The template used when none is given.
pub const DEFAULT_TEMPLATE: &str = "{account_name}/{role_name}";

/// The keys a populated profile holds, in the order they are written (marker last).
const KEYS: [&str; 5] = [
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "region",
    MARKER,
];

/// What to populate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopulateOptions {
    /// The `sso-session` the profiles sign in with.
    pub session: String,
    /// The profile name template (see [`Template`]).
    pub template: Template,
    /// The `region` each profile gets.
    pub region: String,
    /// Remove marked profiles of this session whose account or role is gone.
    pub prune: bool,
}

/// A profile-name template: text with `{account_name}`, `{account_id}`, `{role_name}` and
/// `{session}` in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    AccountName,
    AccountId,
    RoleName,
    Session,
}

impl Template {
    /// Parses a template; an unknown placeholder or a lone brace is an error.
    pub fn parse(text: &str) -> Result<Template, Error> {
        let bad = |why: String| {
            Error::new(ErrorKind::Invalid, format!("template `{text}`: {why}")).fix(
                "use {account_name}, {account_id}, {role_name} and {session}, e.g. '{account_name}/{role_name}'",
            )
        };
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                None => {
                    parts.push(Part::Text(rest.to_owned()));
                    break;
                }
                Some(at) if rest.as_bytes()[at] == b'}' => {
                    return Err(bad("a `}` without its `{`".to_owned()))
                }
                Some(at) => {
                    if at > 0 {
                        parts.push(Part::Text(rest[..at].to_owned()));
                    }
                    let end = rest[at..]
                        .find('}')
                        .ok_or_else(|| bad("a `{` without its `}`".to_owned()))?;
                    let name = &rest[at + 1..at + end];
                    parts.push(match name {
                        "account_name" => Part::AccountName,
                        "account_id" => Part::AccountId,
                        "role_name" => Part::RoleName,
                        "session" => Part::Session,
                        other => return Err(bad(format!("unknown placeholder `{{{other}}}`"))),
                    });
                    rest = &rest[at + end + 1..];
                }
            }
        }
        if parts.iter().all(|p| matches!(p, Part::Text(_))) {
            return Err(bad(
                "it names no placeholder, so every profile would get the same name".to_owned(),
            ));
        }
        Ok(Template { parts })
    }

    /// The template filled in for one account and role, before it is made a safe name.
    fn render(&self, account_name: &str, account_id: &str, role: &str, session: &str) -> String {
        let mut out = String::new();
        for part in &self.parts {
            out.push_str(match part {
                Part::Text(t) => t,
                Part::AccountName => account_name,
                Part::AccountId => account_id,
                Part::RoleName => role,
                Part::Session => session,
            });
        }
        out
    }
}

impl Default for Template {
    fn default() -> Template {
        Template::parse(DEFAULT_TEMPLATE).expect("the default template parses")
    }
}

/// `text` as a profile name every SDK reads: characters outside letters, digits and
/// `_ - / . % @ : +` become `-`, runs of `-` collapse to one, and none is left at either end.
pub fn safe_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_ascii() && lanyard_ini::is_identifier(c.encode_utf8(&mut [0; 4])) {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "profile".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// One profile `sso populate` wants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Wanted {
    /// The profile name.
    pub profile: String,
    /// The account id.
    pub account_id: String,
    /// The role name.
    pub role_name: String,
}

/// A profile that was not written, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The profile name.
    pub profile: String,
    /// The account id it would be for.
    pub account_id: String,
    /// The role it would be for.
    pub role_name: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What a populate did (or, with `--dry-run`, would do), profile names sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PopulateReport {
    /// The session.
    pub session: String,
    /// Profiles made.
    pub added: Vec<String>,
    /// Marked profiles whose keys were brought up to date.
    pub updated: Vec<String>,
    /// Marked profiles removed by `--prune`.
    pub removed: Vec<String>,
    /// Marked profiles whose account or role is gone, kept because `--prune` was not given.
    pub stale: Vec<String>,
    /// Profiles not written, because a profile of that name is not Lanyard's.
    pub skipped: Vec<Skipped>,
    /// Marked profiles that were already right.
    pub unchanged: usize,
    /// Whether the config file was written.
    pub written: bool,
}

/// The profiles `accounts` call for under `options`, with names made safe and unique: when
/// several would share a name, each of them gets `-ACCOUNT_ID` (then `-ROLE`) appended.
pub fn wanted(accounts: &Accounts, options: &PopulateOptions) -> Vec<Wanted> {
    let mut wanted: Vec<Wanted> = accounts
        .accounts
        .iter()
        .flat_map(|a| {
            a.roles.iter().map(|role| Wanted {
                profile: safe_name(&options.template.render(
                    &a.name,
                    &a.id,
                    role,
                    &options.session,
                )),
                account_id: a.id.clone(),
                role_name: role.clone(),
            })
        })
        .collect();
    let suffixes: [fn(&Wanted) -> String; 2] =
        [|w| w.account_id.clone(), |w| safe_name(&w.role_name)];
    for suffix in suffixes {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for w in &wanted {
            *seen.entry(w.profile.clone()).or_default() += 1;
        }
        for w in &mut wanted {
            if seen[&w.profile] > 1 {
                w.profile = format!("{}-{}", w.profile, suffix(w));
            }
        }
    }
    // Names that still collide (the same name after replacing characters): numbered.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for w in &mut wanted {
        let n = seen.entry(w.profile.clone()).or_default();
        *n += 1;
        if *n > 1 {
            w.profile = format!("{}-{n}", w.profile);
        }
    }
    wanted.sort_by(|a, b| a.profile.cmp(&b.profile));
    wanted
}

/// One edit of the config file.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Edit {
    /// Add the profile with these keys.
    Add(String, Vec<(&'static str, String)>),
    /// Set these keys of an existing profile.
    Set(String, Vec<(&'static str, String)>),
    /// Remove the profile.
    Remove(String),
}

/// The edits and their report, for the config file as `config` reads and with the profile
/// names the credentials file holds (`elsewhere`): pure.
fn plan(
    config: &Sections,
    elsewhere: &BTreeSet<String>,
    wanted: &[Wanted],
    options: &PopulateOptions,
) -> (Vec<Edit>, PopulateReport) {
    let mut report = PopulateReport {
        session: options.session.clone(),
        ..PopulateReport::default()
    };
    let mut edits = Vec::new();
    let ours = |name: &str| {
        config
            .profiles
            .get(name)
            .and_then(|p| p.get(MARKER))
            .is_some_and(|s| s == options.session)
    };
    for w in wanted {
        let keys: Vec<(&'static str, String)> = KEYS
            .iter()
            .zip([
                &options.session,
                &w.account_id,
                &w.role_name,
                &options.region,
                &options.session,
            ])
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        match config.profiles.get(&w.profile) {
            Some(_) if ours(&w.profile) => {
                let section = &config.profiles[&w.profile];
                let stale: Vec<_> = keys
                    .into_iter()
                    .filter(|(k, v)| section.get(k) != Some(v.as_str()))
                    .collect();
                if stale.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.updated.push(w.profile.clone());
                    edits.push(Edit::Set(w.profile.clone(), stale));
                }
            }
            Some(section) => report.skipped.push(Skipped {
                profile: w.profile.clone(),
                account_id: w.account_id.clone(),
                role_name: w.role_name.clone(),
                reason: match section.get(MARKER) {
                    Some(other) => format!("made by `sso populate {other}`"),
                    None => "a profile of yours has that name".to_owned(),
                },
            }),
            None if elsewhere.contains(&w.profile) => report.skipped.push(Skipped {
                profile: w.profile.clone(),
                account_id: w.account_id.clone(),
                role_name: w.role_name.clone(),
                reason: "a profile of yours in the credentials file has that name".to_owned(),
            }),
            None => {
                report.added.push(w.profile.clone());
                edits.push(Edit::Add(w.profile.clone(), keys));
            }
        }
    }
    let keep: BTreeSet<&str> = wanted.iter().map(|w| w.profile.as_str()).collect();
    for name in config.profiles.keys() {
        if ours(name) && !keep.contains(name.as_str()) {
            if options.prune {
                report.removed.push(name.clone());
                edits.push(Edit::Remove(name.clone()));
            } else {
                report.stale.push(name.clone());
            }
        }
    }
    (edits, report)
}

/// Applies the edits. Every edit of a [`Document`] reads the layout of the whole document
/// again, so a profile is added as a copy of one just added for the same account or role,
/// with the one key that differs set: three readings of the layout instead of five, which is
/// most of the time of a populate of thousands. [`apply_plainly`] is its twin, key by key.
fn apply(doc: &mut Document, edits: &[Edit]) -> Result<(), lanyard_ini::EditError> {
    type Keys = [(&'static str, String)];
    let mut by_account: BTreeMap<&str, (&str, &Keys)> = BTreeMap::new();
    let mut by_role: BTreeMap<&str, (&str, &Keys)> = BTreeMap::new();
    for edit in edits {
        let Edit::Add(name, keys) = edit else {
            apply_plainly(doc, std::slice::from_ref(edit))?;
            continue;
        };
        let id = SectionId::profile(name.as_str());
        let (account, role) = (keys[1].1.as_str(), keys[2].1.as_str());
        match by_account.get(account).or_else(|| by_role.get(role)) {
            Some(&(from, from_keys)) => {
                doc.copy_section(&SectionId::profile(from), &id)?;
                for ((key, value), (_, was)) in keys.iter().zip(from_keys) {
                    if value != was {
                        doc.set(&id, key, value)?;
                    }
                }
            }
            None => apply_plainly(doc, std::slice::from_ref(edit))?,
        }
        by_account.insert(account, (name, keys));
        by_role.insert(role, (name, keys));
    }
    Ok(())
}

/// The edits one key at a time: the reference [`apply`] is tested against.
fn apply_plainly(doc: &mut Document, edits: &[Edit]) -> Result<(), lanyard_ini::EditError> {
    for edit in edits {
        match edit {
            Edit::Add(name, keys) | Edit::Set(name, keys) => {
                // `set` adds the section with its first key.
                let id = SectionId::profile(name.as_str());
                for (key, value) in keys {
                    doc.set(&id, key, value)?;
                }
            }
            Edit::Remove(name) => {
                doc.remove_section(&SectionId::profile(name.as_str()))?;
            }
        }
    }
    Ok(())
}

/// Populates the config file with a profile for every account and role: one write for all
/// (none with `dry_run`, or when nothing changes). The report says what changed; the change
/// gives the diff.
pub fn populate(
    files: &AwsFiles,
    accounts: &Accounts,
    options: &PopulateOptions,
    dry_run: bool,
) -> Result<(PopulateReport, Change), Error> {
    let wanted = wanted(accounts, options);
    let credentials = files.store().read(Kind::Credentials)?;
    let elsewhere: BTreeSet<String> = credentials
        .sections()
        .map(|s| s.profiles.into_keys().collect())
        .unwrap_or_default();
    let path = files.store().path(Kind::Config).to_path_buf();
    let mut report = PopulateReport::default();
    let change = files.store().edit(Kind::Config, dry_run, |doc| {
        let config = doc
            .sections()
            .map_err(|d| edit_error(&path, lanyard_ini::EditError::Unreadable(d)))?;
        let (edits, planned) = plan(&config, &elsewhere, &wanted, options);
        apply(doc, &edits).map_err(|e| edit_error(&path, e))?;
        report = planned;
        Ok(())
    })?;
    report.written = change.written;
    Ok((report, change))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sso::Account;

    fn accounts(list: &[(&str, &str, &[&str])]) -> Accounts {
        Accounts::new(
            "corp",
            list.iter()
                .map(|(id, name, roles)| Account {
                    id: (*id).into(),
                    name: (*name).into(),
                    email: String::new(),
                    roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                })
                .collect(),
        )
    }

    fn options(prune: bool) -> PopulateOptions {
        PopulateOptions {
            session: "corp".into(),
            template: Template::default(),
            region: "eu-west-1".into(),
            prune,
        }
    }

    fn run(text: &str, accounts: &Accounts, options: &PopulateOptions) -> (String, PopulateReport) {
        let mut doc = Document::parse(text, Kind::Config);
        let (edits, report) = plan(
            &doc.sections().unwrap(),
            &BTreeSet::new(),
            &wanted(accounts, options),
            options,
        );
        apply(&mut doc, &edits).unwrap();
        (doc.render(), report)
    }

    #[test]
    fn names_keep_the_spec_characters_and_replace_the_rest_once() {
        assert_eq!(safe_name("Prod Account/Admin"), "Prod-Account/Admin");
        assert_eq!(safe_name("a  &  b"), "a-b");
        assert_eq!(safe_name("x_y-z/w.v%u@t:s+r"), "x_y-z/w.v%u@t:s+r");
        assert_eq!(safe_name("Café [eu]"), "Caf-eu");
        assert_eq!(safe_name("***"), "profile");
    }

    #[test]
    fn templates_fill_every_placeholder_and_refuse_unknown_ones() {
        let t = Template::parse("{session}-{account_id}-{account_name}-{role_name}").unwrap();
        assert_eq!(t.render("n", "1", "r", "s"), "s-1-n-r");
        for bad in ["{acount}", "{account_name", "x}", "plain"] {
            let error = Template::parse(bad).unwrap_err();
            assert!(error.to_string().contains("template"), "{error}");
        }
    }

    #[test]
    fn colliding_names_get_the_account_id() {
        let list = accounts(&[
            ("111", "prod", &["Admin"]),
            ("222", "prod", &["Admin"]),
            ("333", "dev", &["Admin"]),
        ]);
        let names: Vec<_> = wanted(&list, &options(false))
            .into_iter()
            .map(|w| w.profile)
            .collect();
        assert_eq!(names, ["dev/Admin", "prod/Admin-111", "prod/Admin-222"]);
    }

    #[test]
    fn a_profile_gets_the_sdk_keys_and_the_marker_and_a_second_run_changes_nothing() {
        let list = accounts(&[("111", "prod", &["Admin", "Read Only"])]);
        let (text, report) = run(
            "# mine\n[profile me]\nregion = us-east-1\n",
            &list,
            &options(false),
        );
        assert_eq!(report.added, ["prod/Admin", "prod/Read-Only"]);
        assert!(text.starts_with("# mine\n[profile me]\nregion = us-east-1\n"));
        assert!(text.contains("[profile prod/Read-Only]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Read Only\nregion = eu-west-1\nlanyard_populated = corp\n"), "{text}");
        let (again, report) = run(&text, &list, &options(false));
        assert_eq!(again, text);
        assert_eq!(report.unchanged, 2);
        assert!(report.added.is_empty() && report.updated.is_empty());
    }

    #[test]
    fn a_profile_of_the_user_with_the_same_name_is_skipped_and_left_alone() {
        let list = accounts(&[("111", "prod", &["Admin"])]);
        let mine = "[profile prod/Admin]\nregion = us-east-1\n";
        let (text, report) = run(mine, &list, &options(true));
        assert_eq!(text, mine);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].profile, "prod/Admin");
    }

    #[test]
    fn a_marked_profile_is_brought_up_to_date_and_keeps_the_users_keys() {
        let list = accounts(&[("111", "prod", &["Admin"])]);
        let old = "[profile prod/Admin]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Admin\nregion = us-east-1\noutput = json\nlanyard_populated = corp\n";
        let (text, report) = run(old, &list, &options(false));
        assert_eq!(report.updated, ["prod/Admin"]);
        assert_eq!(text, old.replace("us-east-1", "eu-west-1"));
    }

    #[test]
    fn prune_removes_only_marked_profiles_of_the_session_that_are_gone() {
        let list = accounts(&[("111", "prod", &["Admin"])]);
        let text = "[profile prod/Admin]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Admin\nregion = eu-west-1\nlanyard_populated = corp\n\n\
                    [profile old/Admin]\nsso_session = corp\nlanyard_populated = corp\n\n\
                    [profile other/Admin]\nlanyard_populated = other\n\n\
                    [profile mine]\nsso_session = corp\n";
        let (kept, report) = run(text, &list, &options(false));
        assert_eq!(kept, text);
        assert_eq!(report.stale, ["old/Admin"]);
        let (pruned, report) = run(text, &list, &options(true));
        assert_eq!(report.removed, ["old/Admin"]);
        assert!(!pruned.contains("old/Admin"));
        assert!(pruned.contains("[profile other/Admin]") && pruned.contains("[profile mine]"));
    }

    #[test]
    fn adding_by_copies_writes_the_same_bytes_as_key_by_key() {
        let list = accounts(&[
            ("111", "prod", &["Admin", "Read Only"]),
            ("222", "dev", &["Admin", "Billing"]),
            ("333", "prod", &["Admin"]),
            ("444", "ops", &["Other"]),
        ]);
        let text = "# top\n[profile mine]\nregion = us-east-1\n\n[profile gone]\nlanyard_populated = corp\n\n# end\n";
        let doc = Document::parse(text, Kind::Config);
        let (edits, _) = plan(
            &doc.sections().unwrap(),
            &BTreeSet::new(),
            &wanted(&list, &options(true)),
            &options(true),
        );
        let (mut fast, mut plain) = (doc.clone(), doc);
        apply(&mut fast, &edits).unwrap();
        apply_plainly(&mut plain, &edits).unwrap();
        assert_eq!(fast.render(), plain.render());
        assert!(fast.render().contains("[profile dev/Billing]\nsso_session = corp\nsso_account_id = 222\nsso_role_name = Billing\n"));
    }
}
