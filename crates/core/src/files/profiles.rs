//! Whole-profile edits over both AWS files at once: which file a key goes to, and add, set,
//! unset, rename, copy and remove as one operation each.

use lanyard_ini::{Document, Kind, SectionId, SectionKind, Sections, ValueWarning};

use super::assignment::{split_key, Assignment, Target, CREDENTIAL_KEYS};
use super::missing::{not_found, quote_list};
use super::{Change, Store};
use crate::error::{edit_error, unparseable, Error, ErrorKind};
use crate::model::ProfileSet;

/// Both files as read, and the profiles they make.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The config file.
    pub config: Document,
    /// The credentials file.
    pub credentials: Document,
    /// The merged view.
    pub profiles: ProfileSet,
}

impl Snapshot {
    /// The document of one file.
    pub fn document(&self, kind: Kind) -> &Document {
        match kind {
            Kind::Config => &self.config,
            Kind::Credentials => &self.credentials,
        }
    }
}

/// What `set` did: one change per file written, and warnings about values that not every
/// SDK reads the same way.
#[derive(Clone, Debug, Default)]
pub struct SetOutcome {
    /// The changes, one per file.
    pub changes: Vec<Change>,
    /// `(key, warning)` pairs.
    pub warnings: Vec<(String, ValueWarning)>,
}

/// The AWS files of one environment, read and written through a [`Store`].
#[derive(Clone, Debug)]
pub struct AwsFiles {
    store: Store,
}

impl AwsFiles {
    /// Operations over the files of `store`.
    pub fn new(store: Store) -> AwsFiles {
        AwsFiles { store }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Reads both files. A file the specification cannot parse is an error naming its line.
    pub fn load(&self) -> Result<Snapshot, Error> {
        let config = self.store.read(Kind::Config)?;
        let credentials = self.store.read(Kind::Credentials)?;
        let view = |doc: &Document| {
            doc.sections()
                .map_err(|d| unparseable(self.store.path(doc.kind()), &d))
        };
        let merged = Sections::merge(view(&config)?, view(&credentials)?);
        Ok(Snapshot {
            config,
            credentials,
            profiles: ProfileSet::new(merged),
        })
    }

    /// Reads both files into the merged view only, each document dropped as soon as its view
    /// is built: what read-only commands need, in a small multiple of the files' size.
    pub fn load_profiles(&self) -> Result<ProfileSet, Error> {
        let view = |kind: Kind| -> Result<Sections, Error> {
            let doc = self.store.read(kind)?;
            doc.sections()
                .map_err(|d| unparseable(self.store.path(kind), &d))
        };
        let config = view(Kind::Config)?;
        let credentials = view(Kind::Credentials)?;
        Ok(ProfileSet::new(Sections::merge(config, credentials)))
    }

    fn edit(
        &self,
        kind: Kind,
        dry_run: bool,
        mut edit: impl FnMut(&mut Document) -> Result<(), lanyard_ini::EditError>,
    ) -> Result<Change, Error> {
        let path = self.store.path(kind).to_path_buf();
        self.store.edit(kind, dry_run, |doc| {
            edit(doc).map_err(|e| edit_error(&path, e))
        })
    }

    /// Which file a key of a profile goes to: secrets to the credentials file (as with
    /// `aws configure set`), a key the credentials file already sets for that profile stays
    /// there (it wins the merge), everything else to the config file.
    fn file_for(&self, credentials: Option<&Document>, target: &Target, key: &str) -> Kind {
        if target.id.kind != SectionKind::Profile {
            return Kind::Config;
        }
        if target.credentials_file || CREDENTIAL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            return Kind::Credentials;
        }
        match credentials {
            Some(doc) if doc.get(&target.id, key).is_some() => Kind::Credentials,
            _ => Kind::Config,
        }
    }

    /// Sets keys of a section, creating it if needed; each file is written once. Only what
    /// the edit needs is read: the credentials file for routing, and each file it writes.
    pub fn set(
        &self,
        target: &Target,
        assignments: &[Assignment],
        dry_run: bool,
    ) -> Result<SetOutcome, Error> {
        // Which file a key goes to depends on the credentials file whenever a key could be in
        // it. Then it must parse: a line it cannot read might set that very key, so such a
        // file blocks the edit, as one that is not UTF-8 does.
        let needs_credentials = target.id.kind == SectionKind::Profile
            && !target.credentials_file
            && assignments.iter().any(|a| {
                !CREDENTIAL_KEYS
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&a.key))
            });
        let credentials = if needs_credentials {
            let doc = self.store.read(Kind::Credentials)?;
            crate::trace("credentials read");
            if let Some(error) = doc.errors().first() {
                return Err(unparseable(self.store.path(Kind::Credentials), error));
            }
            Some(doc)
        } else {
            None
        };
        let mut outcome = SetOutcome::default();
        for kind in [Kind::Config, Kind::Credentials] {
            let mine: Vec<&Assignment> = assignments
                .iter()
                .filter(|a| self.file_for(credentials.as_ref(), target, &a.key) == kind)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let mut found = Vec::new();
            let change = self.edit(kind, dry_run, |doc| {
                found.clear();
                for a in &mine {
                    let warning = match &a.sub_key {
                        Some(sub) => doc.set_sub_property(&target.id, &a.key, sub, &a.value)?,
                        None => doc.set(&target.id, &a.key, &a.value)?,
                    };
                    if let Some(w) = warning {
                        found.push((a.key.clone(), w));
                    }
                }
                Ok(())
            })?;
            outcome.warnings.append(&mut found);
            outcome.changes.push(change);
        }
        Ok(outcome)
    }

    /// Removes keys from a section in whichever file holds them.
    pub fn unset(
        &self,
        target: &Target,
        keys: &[String],
        dry_run: bool,
    ) -> Result<Vec<Change>, Error> {
        let snapshot = self.load()?;
        let exists = match target.id.kind {
            SectionKind::Profile => snapshot.profiles.profile(&target.id.name).is_some(),
            SectionKind::SsoSession => snapshot.profiles.sso_session(&target.id.name).is_some(),
            SectionKind::Services => snapshot
                .profiles
                .sections()
                .services
                .contains_key(&target.id.name),
        };
        if !exists {
            return Err(not_found(&snapshot, &target.id));
        }
        let parsed: Vec<(String, Option<String>)> = keys
            .iter()
            .map(|k| split_key(target.id.kind, k))
            .collect::<Result<_, _>>()?;
        let mut changes = Vec::new();
        let mut removed_any = false;
        for kind in [Kind::Config, Kind::Credentials] {
            if kind == Kind::Credentials && target.id.kind != SectionKind::Profile {
                continue;
            }
            let mut removed = false;
            let change = self.edit(kind, dry_run, |doc| {
                removed = false;
                for (key, sub) in &parsed {
                    removed |= match sub {
                        Some(sub) => doc.unset_sub_property(&target.id, key, sub)?,
                        None => doc.unset(&target.id, key)?,
                    };
                }
                Ok(())
            })?;
            removed_any |= removed;
            if !change.is_empty() {
                changes.push(change);
            }
        }
        if !removed_any {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("{} has none of the keys {}", target.id, keys.join(", ")),
            )
            .fix(format!(
                "see its keys with `lanyard show {}`",
                target.id.name
            )));
        }
        Ok(changes)
    }

    /// Adds a new profile (or session or services block) with its first keys.
    pub fn add(
        &self,
        target: &Target,
        assignments: &[Assignment],
        dry_run: bool,
    ) -> Result<Vec<Change>, Error> {
        let snapshot = self.load()?;
        if snapshot.config.contains_section(&target.id)
            || snapshot.credentials.contains_section(&target.id)
        {
            return Err(
                Error::new(ErrorKind::Invalid, format!("{} exists already", target.id)).fix(
                    format!("change it with `lanyard set {} key=value`", target.id.name),
                ),
            );
        }
        lanyard_ini::validate_name(&target.id.name)
            .map_err(|m| Error::new(ErrorKind::Invalid, m))?;
        if assignments.is_empty() {
            let kind = if target.credentials_file {
                Kind::Credentials
            } else {
                Kind::Config
            };
            let change = self.edit(kind, dry_run, |doc| doc.add_section(&target.id).map(|_| ()))?;
            return Ok(vec![change]);
        }
        Ok(self.set(target, assignments, dry_run)?.changes)
    }

    /// Removes a profile from both files. Profiles that use it as `source_profile` would
    /// break, so they are named and the removal refused unless `force`.
    pub fn remove(&self, id: &SectionId, force: bool, dry_run: bool) -> Result<Vec<Change>, Error> {
        let snapshot = self.load()?;
        self.require(&snapshot, id)?;
        if id.kind == SectionKind::SsoSession && !force {
            let users = snapshot.profiles.naming("sso_session", &id.name);
            if !users.is_empty() {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!(
                        "sso-session `{}` is the sso_session of {}",
                        id.name,
                        quote_list(&users)
                    ),
                )
                .fix("point them at another session first, or pass --force to remove it anyway"));
            }
        }
        if id.kind == SectionKind::Profile && !force {
            let served: Vec<&str> = snapshot
                .profiles
                .sections()
                .profiles
                .iter()
                .filter(|(other, p)| {
                    other.as_str() != id.name
                        && other.as_str() != "default"
                        && p.get("credential_process")
                            .and_then(crate::lanyard_command::served_name)
                            .as_deref()
                            == Some(id.name.as_str())
                })
                .map(|(other, _)| other.as_str())
                .collect();
            if !served.is_empty() {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!(
                        "the credential_process of {} serves profile `{}`",
                        quote_list(&served),
                        id.name
                    ),
                )
                .fix("point them at another profile first, or pass --force to remove it anyway"));
            }
            let referrers = snapshot.profiles.referrers(&id.name);
            if !referrers.is_empty() {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!(
                        "profile `{}` is the source_profile of {}",
                        id.name,
                        quote_list(&referrers)
                    ),
                )
                .fix("point them at another profile first, or pass --force to remove it anyway"));
            }
        }
        self.both(id, dry_run, |doc| doc.remove_section(id).map(|_| ()))
    }

    /// Renames a profile in both files and updates every `source_profile` that names it, and
    /// every `credential_process` that runs `lanyard credential-process OLD` (the managed
    /// `[default]` of `lanyard use` among them).
    pub fn rename(
        &self,
        id: &SectionId,
        new_name: &str,
        dry_run: bool,
    ) -> Result<Vec<Change>, Error> {
        self.check_new_name(id, new_name)?;
        let old = id.name.clone();
        self.both(id, dry_run, |doc| {
            doc.rename_section(id, new_name)?;
            if id.kind == SectionKind::Profile {
                repoint_sources(doc, &old, new_name)?;
                repoint_lanyard_commands(doc, &old, new_name)?;
            }
            if id.kind == SectionKind::SsoSession {
                repoint_key(doc, "sso_session", &old, new_name)?;
            }
            if id.kind == SectionKind::Services {
                repoint_key(doc, "services", &old, new_name)?;
            }
            Ok(())
        })
    }

    /// Copies a profile to a new name in both files.
    pub fn copy(
        &self,
        id: &SectionId,
        new_name: &str,
        dry_run: bool,
    ) -> Result<Vec<Change>, Error> {
        let (snapshot, new_id) = self.check_new_name(id, new_name)?;
        let mut changes = Vec::new();
        for kind in [Kind::Config, Kind::Credentials] {
            if snapshot.document(kind).contains_section(id) {
                changes.push(self.edit(kind, dry_run, |doc| doc.copy_section(id, &new_id))?);
            }
        }
        Ok(changes)
    }

    /// Reads the files for a rename or copy of `id` to `new_name`: `id` must exist, and
    /// `new_name` must be a valid name that neither file uses yet.
    fn check_new_name(
        &self,
        id: &SectionId,
        new_name: &str,
    ) -> Result<(Snapshot, SectionId), Error> {
        let snapshot = self.load()?;
        self.require(&snapshot, id)?;
        lanyard_ini::validate_name(new_name).map_err(|m| Error::new(ErrorKind::Invalid, m))?;
        let new_id = SectionId {
            kind: id.kind,
            name: new_name.to_owned(),
        };
        if snapshot.config.contains_section(&new_id)
            || snapshot.credentials.contains_section(&new_id)
        {
            return Err(
                Error::new(ErrorKind::Invalid, format!("{new_id} exists already"))
                    .fix("choose another name, or remove the existing one first"),
            );
        }
        Ok((snapshot, new_id))
    }

    fn require(&self, snapshot: &Snapshot, id: &SectionId) -> Result<(), Error> {
        if snapshot.config.contains_section(id) || snapshot.credentials.contains_section(id) {
            Ok(())
        } else {
            Err(not_found(snapshot, id))
        }
    }

    /// Applies an edit to each file that has the section: credentials first, so secrets are
    /// the first to go.
    fn both(
        &self,
        id: &SectionId,
        dry_run: bool,
        mut edit: impl FnMut(&mut Document) -> Result<(), lanyard_ini::EditError>,
    ) -> Result<Vec<Change>, Error> {
        let mut changes = Vec::new();
        for kind in [Kind::Credentials, Kind::Config] {
            if kind == Kind::Credentials && id.kind != SectionKind::Profile {
                continue;
            }
            let change = self.edit(kind, dry_run, &mut edit)?;
            if !change.is_empty() {
                changes.push(change);
            }
        }
        Ok(changes)
    }
}

/// Rewrites `credential_process = PROGRAM credential-process OLD` to name `new`, keeping the
/// program as it is written.
fn repoint_lanyard_commands(
    doc: &mut Document,
    old: &str,
    new: &str,
) -> Result<(), lanyard_ini::EditError> {
    let Ok(sections) = doc.sections() else {
        return Ok(());
    };
    for (name, profile) in &sections.profiles {
        let Some(line) = profile.get("credential_process") else {
            continue;
        };
        if crate::lanyard_command::served_name(line).as_deref() != Some(old) {
            continue;
        }
        let Some(program) = crate::lanyard_command::program_of(line) else {
            continue;
        };
        let windows = line.trim_start().starts_with('"');
        let rewritten = crate::lanyard_command::command_line(&program, new, windows);
        doc.set(
            &SectionId::profile(name.as_str()),
            "credential_process",
            &rewritten,
        )?;
    }
    Ok(())
}

fn repoint_sources(doc: &mut Document, old: &str, new: &str) -> Result<(), lanyard_ini::EditError> {
    repoint_key(doc, "source_profile", old, new)
}

/// Sets `key = new` in every profile of `doc` whose `key` is `old`.
fn repoint_key(
    doc: &mut Document,
    key: &str,
    old: &str,
    new: &str,
) -> Result<(), lanyard_ini::EditError> {
    let Ok(sections) = doc.sections() else {
        return Ok(());
    };
    for (name, profile) in &sections.profiles {
        if profile.get(key) == Some(old) {
            doc.set(&SectionId::profile(name.as_str()), key, new)?;
        }
    }
    Ok(())
}
