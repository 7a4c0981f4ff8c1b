//! Edits that touch only their lines.

use crate::document::{Document, Kind};
use crate::names::{is_identifier, validate_key, validate_name, validate_value, ValueWarning};
use crate::scan::{split_header, trim, LineKind, PropertySpan, SectionRole, SectionSpan};

/// The kind of section an edit addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    /// A profile: `[default]`/`[profile NAME]` in config, `[NAME]` in credentials.
    Profile,
    /// `[sso-session NAME]` (config file only).
    SsoSession,
    /// `[services NAME]` (config file only).
    Services,
}

/// A section by kind and normalised name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId {
    /// What kind of section.
    pub kind: SectionKind,
    /// The name, without any prefix.
    pub name: String,
}

impl SectionId {
    /// A profile.
    pub fn profile(name: impl Into<String>) -> SectionId {
        SectionId {
            kind: SectionKind::Profile,
            name: name.into(),
        }
    }

    /// An `sso-session`.
    pub fn sso_session(name: impl Into<String>) -> SectionId {
        SectionId {
            kind: SectionKind::SsoSession,
            name: name.into(),
        }
    }

    /// A `services` block.
    pub fn services(name: impl Into<String>) -> SectionId {
        SectionId {
            kind: SectionKind::Services,
            name: name.into(),
        }
    }
}

impl std::fmt::Display for SectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            SectionKind::Profile => write!(f, "profile `{}`", self.name),
            SectionKind::SsoSession => write!(f, "sso-session `{}`", self.name),
            SectionKind::Services => write!(f, "services `{}`", self.name),
        }
    }
}

/// Why an edit was refused. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The document has a line the specification rejects; it is never rewritten.
    Unreadable(crate::Diagnostic),
    /// A section name that SDKs following the specification would ignore.
    InvalidName(String),
    /// A key that SDKs would ignore.
    InvalidKey(String),
    /// A value that SDKs would not read back as written (the value itself is not repeated).
    InvalidValue {
        /// The key whose value was refused.
        key: String,
        /// Why.
        reason: String,
    },
    /// This kind of section cannot live in this file.
    WrongFile(SectionId),
    /// The section does not exist.
    NotFound(SectionId),
    /// A section of that name exists already.
    Exists(SectionId),
    /// A sub-property was set under a key that has a value of its own.
    NotNested {
        /// The parent key.
        key: String,
        /// Its 1-based line.
        line: usize,
    },
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Unreadable(d) => write!(f, "{d}"),
            EditError::InvalidName(reason) | EditError::InvalidKey(reason) => f.write_str(reason),
            EditError::InvalidValue { key, reason } => write!(f, "value of `{key}`: {reason}"),
            EditError::WrongFile(id) => write!(f, "{id} belongs in the config file"),
            EditError::NotFound(id) => write!(f, "{id} does not exist"),
            EditError::Exists(id) => write!(f, "{id} exists already"),
            EditError::NotNested { key, line } => write!(
                f,
                "`{key}` (line {line}) has a value of its own, so it cannot hold sub-properties"
            ),
        }
    }
}

impl std::error::Error for EditError {}

const SUB_PROPERTY_INDENT: &str = "    ";

impl Document {
    fn check_editable(&self) -> Result<(), EditError> {
        match self.errors().first() {
            Some(error) => Err(EditError::Unreadable(error.clone())),
            None => Ok(()),
        }
    }

    fn check_file(&self, id: &SectionId) -> Result<(), EditError> {
        if self.kind() == Kind::Credentials && id.kind != SectionKind::Profile {
            return Err(EditError::WrongFile(id.clone()));
        }
        Ok(())
    }

    fn span_is(&self, span: &SectionSpan, id: &SectionId) -> bool {
        self.name_of(span) == id.name
            && matches!(
                (&span.role, id.kind),
                (SectionRole::Profile { .. }, SectionKind::Profile)
                    | (SectionRole::SsoSession, SectionKind::SsoSession)
                    | (SectionRole::Services, SectionKind::Services)
            )
    }

    /// Indices of every section that declares `id`, shadowed ones included.
    fn all_spans(&self, id: &SectionId) -> Vec<usize> {
        (0..self.layout().sections.len())
            .filter(|&i| self.span_is(&self.layout().sections[i], id))
            .collect()
    }

    /// Indices of the sections an SDK reads for `id` (a `[profile default]` hides `[default]`).
    fn effective_spans(&self, id: &SectionId) -> Vec<usize> {
        let hide_plain_default = id.kind == SectionKind::Profile
            && id.name == "default"
            && self.profile_default_present();
        self.all_spans(id)
            .into_iter()
            .filter(|&i| {
                !(hide_plain_default
                    && self.layout().sections[i].role == SectionRole::Profile { prefixed: false })
            })
            .collect()
    }

    /// Whether the document declares the section.
    pub fn contains_section(&self, id: &SectionId) -> bool {
        !self.all_spans(id).is_empty()
    }

    /// The value of `key` in a section, as the SDKs read it from this document alone
    /// (the first line of the value; no continuation lines).
    pub fn get(&self, id: &SectionId, key: &str) -> Option<&str> {
        let at = self.winning_property(id, key)?;
        let property = self.property_span(at);
        Some(&self.line(property.line)[property.value.clone()])
    }

    /// The 1-based line of the section's first effective header.
    pub fn section_line(&self, id: &SectionId) -> Option<usize> {
        self.effective_spans(id)
            .first()
            .map(|&i| self.layout().sections[i].header + 1)
    }

    fn header_text(&self, id: &SectionId) -> Result<String, EditError> {
        self.check_file(id)?;
        Ok(match (self.kind(), id.kind) {
            (Kind::Credentials, _) => format!("[{}]", id.name),
            (Kind::Config, SectionKind::Profile) if id.name == "default" => "[default]".to_owned(),
            (Kind::Config, SectionKind::Profile) => format!("[profile {}]", id.name),
            (Kind::Config, SectionKind::SsoSession) => format!("[sso-session {}]", id.name),
            (Kind::Config, SectionKind::Services) => format!("[services {}]", id.name),
        })
    }

    /// The last occurrence of `key` in the effective sections: the one that wins.
    fn winning_property(&self, id: &SectionId, key: &str) -> Option<(usize, usize)> {
        let mut found = None;
        for span in self.effective_spans(id) {
            for (p, property) in self
                .properties_of(&self.layout().sections[span])
                .enumerate()
            {
                if self.key_of(&property).eq_ignore_ascii_case(key)
                    && is_identifier(self.key_of(&property))
                {
                    found = Some((span, p));
                }
            }
        }
        found
    }

    fn property_span(&self, at: (usize, usize)) -> PropertySpan {
        self.properties_of(&self.layout().sections[at.0])
            .nth(at.1)
            .expect("an index from winning_property")
    }

    /// Where a new property goes in a section: after its last property.
    fn property_insertion_point(&self, span: usize) -> usize {
        let span = &self.layout().sections[span];
        self.properties_of(span)
            .last()
            .map(|p| p.last_line() + 1)
            .unwrap_or(span.header + 1)
    }

    /// Where a new section goes: after the last section's content and the comments attached
    /// to it, before a trailing block of comments that a blank line separates from it.
    fn section_insertion_point(&self) -> usize {
        let kinds = &self.layout().kinds;
        match kinds
            .iter()
            .rposition(|k| !matches!(k, LineKind::Blank | LineKind::Comment))
        {
            None => kinds.len(),
            Some(last) => {
                let mut at = last + 1;
                while at < kinds.len() && kinds[at] == LineKind::Comment {
                    at += 1;
                }
                at
            }
        }
    }

    /// Adds an empty section. Returns `false` when it exists already.
    pub fn add_section(&mut self, id: &SectionId) -> Result<bool, EditError> {
        self.check_editable()?;
        validate_name(&id.name).map_err(EditError::InvalidName)?;
        let header = self.header_text(id)?;
        if self.contains_section(id) {
            return Ok(false);
        }
        let at = self.section_insertion_point();
        let mut lines = Vec::with_capacity(2);
        if at > 0 && self.layout().kinds[at - 1] != LineKind::Blank {
            lines.push(String::new());
        }
        lines.push(header);
        self.insert_lines(at, lines);
        self.rescan();
        Ok(true)
    }

    /// Sets `key = value` in a section, adding the section when it is missing. An existing key
    /// keeps its spelling, its spacing and any comment after the value; a new key is written
    /// in lower case after the section's last property.
    pub fn set(
        &mut self,
        id: &SectionId,
        key: &str,
        value: &str,
    ) -> Result<Option<ValueWarning>, EditError> {
        self.check_editable()?;
        validate_key(key).map_err(EditError::InvalidKey)?;
        let warning = validate_value(value).map_err(|reason| EditError::InvalidValue {
            key: key.to_owned(),
            reason,
        })?;
        self.check_file(id)?;
        if self.effective_spans(id).is_empty() {
            self.add_section(id)?;
        }
        match self.winning_property(id, key) {
            Some(at) => {
                let property = self.property_span(at);
                let line = self.line(property.line);
                let range = property.value.clone();
                let mut text = String::with_capacity(line.len() + value.len());
                text.push_str(&line[..range.start]);
                if range.is_empty() && line[..range.start].ends_with('=') && !value.is_empty() {
                    text.push(' ');
                }
                text.push_str(value);
                let rest = &line[range.end..];
                // A comment right after the old value followed whitespace other than a space or
                // a tab at its end (`\r`, U+00A0, …); keep it a comment.
                if rest.starts_with(['#', ';']) && !text.ends_with(char::is_whitespace) {
                    text.push(' ');
                }
                text.push_str(rest);
                if value.is_empty() {
                    // `key =` rather than `key = ` with a dangling space.
                    text.truncate(text.trim_end_matches([' ', '\t']).len());
                }
                self.replace_line(property.line, text);
                self.remove_lines(&property.extra);
            }
            None => {
                let span = *self.effective_spans(id).last().expect("section exists");
                let at = self.property_insertion_point(span);
                let line = format!("{} = {value}", key.to_ascii_lowercase());
                self.insert_lines(at, vec![line.trim_end_matches([' ', '\t']).to_owned()]);
            }
        }
        self.rescan();
        Ok(warning)
    }

    /// Replaces the line of `old_key` (the winning one, with its continuation lines) by
    /// `new_key = value`, in the same place; other occurrences of `old_key` stay. Returns
    /// whether `old_key` was there; when it was not, nothing changes.
    pub fn replace_property(
        &mut self,
        id: &SectionId,
        old_key: &str,
        new_key: &str,
        value: &str,
    ) -> Result<bool, EditError> {
        self.check_editable()?;
        validate_key(new_key).map_err(EditError::InvalidKey)?;
        validate_value(value).map_err(|reason| EditError::InvalidValue {
            key: new_key.to_owned(),
            reason,
        })?;
        if self.winning_property(id, old_key).is_none() {
            return Ok(false);
        }
        self.unset(id, new_key)?;
        // Unsetting may have moved the line: find it again.
        let at = self.winning_property(id, old_key).expect("still there");
        let property = self.property_span(at);
        let line = format!("{} = {value}", new_key.to_ascii_lowercase());
        self.replace_line(property.line, line.trim_end_matches([' ', '\t']).to_owned());
        self.remove_lines(&property.extra);
        self.rescan();
        Ok(true)
    }

    /// Sets `sub_key = value` under `parent =` (as in `s3 =` / `    addressing_style = path`).
    pub fn set_sub_property(
        &mut self,
        id: &SectionId,
        parent: &str,
        sub_key: &str,
        value: &str,
    ) -> Result<Option<ValueWarning>, EditError> {
        self.check_editable()?;
        validate_key(parent).map_err(EditError::InvalidKey)?;
        validate_key(sub_key).map_err(EditError::InvalidKey)?;
        let warning = validate_value(value).map_err(|reason| EditError::InvalidValue {
            key: format!("{parent}.{sub_key}"),
            reason,
        })?;
        self.check_file(id)?;
        if self.effective_spans(id).is_empty() {
            self.add_section(id)?;
        }
        let sub_line = |indent: &str| {
            format!("{indent}{} = {value}", sub_key.to_ascii_lowercase())
                .trim_end_matches([' ', '\t'])
                .to_owned()
        };
        match self.winning_property(id, parent) {
            Some(at) => {
                let property = self.property_span(at);
                if !property.nested {
                    return Err(EditError::NotNested {
                        key: self.key_of(&property).to_owned(),
                        line: property.line + 1,
                    });
                }
                let existing = property.extra.iter().rev().copied().find(|&l| {
                    trim(self.line(l))
                        .split_once('=')
                        .is_some_and(|(k, _)| trim(k).eq_ignore_ascii_case(sub_key))
                });
                match existing {
                    Some(l) => {
                        let line = self.line(l);
                        let equals = line.find('=').expect("sub-property has '='");
                        let after = &line[equals + 1..];
                        let leading = after.len() - after.trim_start_matches([' ', '\t']).len();
                        let trailing = after.len() - after.trim_end_matches([' ', '\t']).len();
                        let start = equals + 1 + leading;
                        let end = (line.len() - trailing).max(start);
                        let mut text = line[..start].to_owned();
                        if leading == 0 {
                            text.push(' ');
                        }
                        text.push_str(value);
                        text.push_str(&line[end..]);
                        self.replace_line(l, text);
                    }
                    None => {
                        let indent = property
                            .extra
                            .first()
                            .map(|&l| {
                                let line = self.line(l);
                                line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
                                    .to_owned()
                            })
                            .unwrap_or_else(|| SUB_PROPERTY_INDENT.to_owned());
                        self.insert_lines(property.last_line() + 1, vec![sub_line(&indent)]);
                    }
                }
            }
            None => {
                let span = *self.effective_spans(id).last().expect("section exists");
                let at = self.property_insertion_point(span);
                self.insert_lines(
                    at,
                    vec![
                        format!("{} =", parent.to_ascii_lowercase()),
                        sub_line(SUB_PROPERTY_INDENT),
                    ],
                );
            }
        }
        self.rescan();
        Ok(warning)
    }

    /// Removes every occurrence of `key` (with its continuation and sub-property lines) from
    /// the section. Returns whether anything was removed.
    pub fn unset(&mut self, id: &SectionId, key: &str) -> Result<bool, EditError> {
        self.check_editable()?;
        let mut doomed = Vec::new();
        for span in self.effective_spans(id) {
            for property in self.properties_of(&self.layout().sections[span]) {
                let property = &property;
                if self.key_of(property).eq_ignore_ascii_case(key) {
                    doomed.push(property.line);
                    doomed.extend(property.extra.iter().copied());
                }
            }
        }
        self.remove_and_rescan(doomed)
    }

    /// Removes `sub_key` under `parent`; a parent left without sub-properties goes too.
    pub fn unset_sub_property(
        &mut self,
        id: &SectionId,
        parent: &str,
        sub_key: &str,
    ) -> Result<bool, EditError> {
        self.check_editable()?;
        let mut doomed = Vec::new();
        for span in self.effective_spans(id) {
            for property in self.properties_of(&self.layout().sections[span]) {
                let property = &property;
                if !self.key_of(property).eq_ignore_ascii_case(parent) || !property.nested {
                    continue;
                }
                let matching: Vec<usize> = property
                    .extra
                    .iter()
                    .copied()
                    .filter(|&l| {
                        trim(self.line(l))
                            .split_once('=')
                            .is_some_and(|(k, _)| trim(k).eq_ignore_ascii_case(sub_key))
                    })
                    .collect();
                if !matching.is_empty() && matching.len() == property.extra.len() {
                    doomed.push(property.line);
                }
                doomed.extend(matching);
            }
        }
        self.remove_and_rescan(doomed)
    }

    fn remove_and_rescan(&mut self, doomed: Vec<usize>) -> Result<bool, EditError> {
        if doomed.is_empty() {
            return Ok(false);
        }
        self.remove_lines(&doomed);
        self.rescan();
        Ok(true)
    }

    /// Removes a section, every duplicate of it, the comment lines directly above each header
    /// and those between its properties (they describe it). Comments after its last property
    /// stay: they sit directly above the next section, or close the file. Returns whether the
    /// section existed.
    pub fn remove_section(&mut self, id: &SectionId) -> Result<bool, EditError> {
        self.check_editable()?;
        let kinds = &self.layout().kinds;
        let mut doomed = Vec::new();
        for span_index in self.all_spans(id) {
            let span = &self.layout().sections[span_index];
            let mut start = span.header;
            while start > 0 && kinds[start - 1] == LineKind::Comment {
                start -= 1;
            }
            let mut end = self
                .properties_of(span)
                .last()
                .map(|p| p.last_line())
                .unwrap_or(span.header)
                + 1;
            // Do not leave two blank lines, or a blank line at the top, where the section was.
            let blank_before = start == 0 || kinds[start - 1] == LineKind::Blank;
            if blank_before && end < kinds.len() && kinds[end] == LineKind::Blank {
                end += 1;
            } else if end == kinds.len() && start > 0 && kinds[start - 1] == LineKind::Blank {
                // The last section: its separating blank line goes with it.
                start -= 1;
            }
            doomed.extend(start..end);
        }
        self.remove_and_rescan(doomed)
    }

    /// Renames a section and all its duplicates, keeping everything else on the header lines.
    pub fn rename_section(&mut self, id: &SectionId, new_name: &str) -> Result<bool, EditError> {
        self.check_editable()?;
        validate_name(new_name).map_err(EditError::InvalidName)?;
        let new_id = SectionId {
            kind: id.kind,
            name: new_name.to_owned(),
        };
        let canonical = self.header_text(&new_id)?;
        if new_name != id.name && self.contains_section(&new_id) {
            return Err(EditError::Exists(new_id));
        }
        let spans = self.all_spans(id);
        if spans.is_empty() {
            return Ok(false);
        }
        if new_name == id.name {
            return Ok(true);
        }
        let default_involved = self.kind() == Kind::Config
            && id.kind == SectionKind::Profile
            && (id.name == "default" || new_name == "default");
        if default_involved && self.profile_default_present() {
            // The `[default]` sections that `[profile default]` hides would come back into view,
            // under the new name or as `default`.
            if let Some(hidden) = spans
                .iter()
                .map(|&i| &self.layout().sections[i])
                .find(|s| s.role == SectionRole::Profile { prefixed: false })
            {
                return Err(EditError::InvalidName(format!(
                    "[default] on line {} is hidden by [profile default]; merge the two into \
                     [default] before renaming",
                    hidden.header + 1
                )));
            }
        }
        for span_index in spans {
            let span = &self.layout().sections[span_index];
            let line = self.line(span.header);
            let inner = &line[span.inner()];
            let text = if default_involved {
                // `[default]` has no prefix and other profiles need one: write the canonical form.
                let canonical_inner = &canonical[1..canonical.len() - 1];
                format!(
                    "{}{}{}",
                    &line[..span.inner().start],
                    canonical_inner,
                    &line[span.inner().end..]
                )
            } else {
                let (_, name) = split_header(inner);
                let name_start =
                    span.inner().start + (name.as_ptr() as usize - inner.as_ptr() as usize);
                format!(
                    "{}{}{}",
                    &line[..name_start],
                    new_name,
                    &line[name_start + name.len()..]
                )
            };
            self.replace_line(span.header, text);
        }
        self.rescan();
        Ok(true)
    }

    /// Copies a section's effective properties (their lines as written, sub-properties and
    /// continuations included) into a new section `to`.
    pub fn copy_section(&mut self, from: &SectionId, to: &SectionId) -> Result<(), EditError> {
        self.check_editable()?;
        validate_name(&to.name).map_err(EditError::InvalidName)?;
        if self.contains_section(to) {
            return Err(EditError::Exists(to.clone()));
        }
        let spans = self.effective_spans(from);
        if spans.is_empty() {
            return Err(EditError::NotFound(from.clone()));
        }
        // The last definition of each key wins; keep the order in which keys first appear.
        let mut order: Vec<String> = Vec::new();
        let mut winners: std::collections::HashMap<String, PropertySpan> = Default::default();
        for &span in &spans {
            for property in self.properties_of(&self.layout().sections[span]) {
                if !is_identifier(self.key_of(&property)) {
                    continue;
                }
                let key = self.key_of(&property).to_ascii_lowercase();
                if winners.insert(key.clone(), property).is_none() {
                    order.push(key);
                }
            }
        }
        let mut lines = Vec::new();
        for key in &order {
            let property = &winners[key];
            lines.push(self.line(property.line).to_owned());
            lines.extend(property.extra.iter().map(|&l| self.line(l).to_owned()));
        }
        self.add_section(to)?;
        let header = self.layout().sections[self.all_spans(to)[0]].header;
        self.insert_lines(header + 1, lines);
        self.rescan();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, kind: Kind, f: impl FnOnce(&mut Document)) -> String {
        let mut doc = Document::parse(text, kind);
        f(&mut doc);
        doc.render()
    }

    #[test]
    fn set_updates_in_place_keeping_spelling_spacing_and_comments() {
        let out = edit(
            "# top\n[profile a]\nREGION=us-east-1 # prod\n",
            Kind::Config,
            |d| {
                d.set(&SectionId::profile("a"), "region", "eu-west-1")
                    .unwrap();
            },
        );
        assert_eq!(out, "# top\n[profile a]\nREGION=eu-west-1 # prod\n");
    }

    #[test]
    fn new_lines_keep_a_value_that_ends_in_unicode_whitespace() {
        let mut doc = Document::parse("[default]\n", Kind::Config);
        let id = SectionId::profile("default");
        doc.set(&id, "k", "x\u{a0}").unwrap();
        doc.set_sub_property(&id, "s3", "a", "y\u{a0}").unwrap();
        let view = doc.sections().unwrap();
        assert_eq!(view.profiles["default"].get("k"), Some("x\u{a0}"));
        let s3 = view.profiles["default"].property("s3").unwrap();
        assert_eq!(s3.sub_property("a").unwrap().value, "y\u{a0}");
    }

    #[test]
    fn set_keeps_a_comment_after_unusual_whitespace() {
        for (text, expected) in [
            ("[default]\nk = v\r#c\n", "[default]\nk = x #c\n"),
            ("[default]\nk = v\u{a0};c\n", "[default]\nk = x ;c\n"),
        ] {
            let out = edit(text, Kind::Config, |d| {
                d.set(&SectionId::profile("default"), "k", "x").unwrap();
            });
            assert_eq!(out, expected);
            let view = Document::parse(&out, Kind::Config).sections().unwrap();
            assert_eq!(view.profiles["default"].get("k"), Some("x"));
        }
    }

    #[test]
    fn set_adds_lower_case_keys_after_the_last_property() {
        let out = edit(
            "[profile a]\r\nregion = x\r\n\r\n# about b\r\n[profile b]\r\n",
            Kind::Config,
            |d| {
                d.set(&SectionId::profile("a"), "Output", "json").unwrap();
            },
        );
        assert_eq!(
            out,
            "[profile a]\r\nregion = x\r\noutput = json\r\n\r\n# about b\r\n[profile b]\r\n"
        );
    }

    #[test]
    fn new_sections_go_before_a_trailing_comment_block_and_keep_no_final_newline() {
        let out = edit("[default]\nregion = x\n\n# footer", Kind::Config, |d| {
            d.set(&SectionId::profile("new"), "region", "y").unwrap();
        });
        assert_eq!(
            out,
            "[default]\nregion = x\n\n[profile new]\nregion = y\n\n# footer"
        );
        let out = edit("[a]\nk = v", Kind::Credentials, |d| {
            d.set(&SectionId::profile("b"), "k", "w").unwrap();
        });
        assert_eq!(out, "[a]\nk = v\n\n[b]\nk = w");
        let out = edit("", Kind::Config, |d| {
            d.set(&SectionId::profile("default"), "region", "y")
                .unwrap();
        });
        assert_eq!(out, "[default]\nregion = y\n");
    }

    #[test]
    fn edits_to_a_duplicated_section_go_to_the_winner() {
        let text = "[profile a]\nregion = x\n[profile a]\nregion = y\n";
        let out = edit(text, Kind::Config, |d| {
            d.set(&SectionId::profile("a"), "region", "z").unwrap();
        });
        assert_eq!(out, "[profile a]\nregion = x\n[profile a]\nregion = z\n");
        let out = edit(
            "[default]\na = 1\n[profile default]\nb = 2\n",
            Kind::Config,
            |d| {
                d.set(&SectionId::profile("default"), "a", "3").unwrap();
            },
        );
        assert_eq!(out, "[default]\na = 1\n[profile default]\nb = 2\na = 3\n");
    }

    #[test]
    fn sub_properties_are_indented_and_replace_whole_values() {
        let out = edit("[services s]\n", Kind::Config, |d| {
            d.set_sub_property(&SectionId::services("s"), "s3", "endpoint_url", "http://a")
                .unwrap();
            d.set_sub_property(&SectionId::services("s"), "s3", "addressing_style", "path")
                .unwrap();
            d.set_sub_property(&SectionId::services("s"), "S3", "endpoint_url", "http://b")
                .unwrap();
        });
        assert_eq!(
            out,
            "[services s]\ns3 =\n    endpoint_url = http://b\n    addressing_style = path\n"
        );
        let mut doc = Document::parse("[profile a]\ns3 = x\n", Kind::Config);
        assert!(matches!(
            doc.set_sub_property(&SectionId::profile("a"), "s3", "k", "v"),
            Err(EditError::NotNested { line: 2, .. })
        ));
        let out = edit("[profile a]\nk = one\n  two\nz = 1\n", Kind::Config, |d| {
            d.set(&SectionId::profile("a"), "k", "v").unwrap();
        });
        assert_eq!(out, "[profile a]\nk = v\nz = 1\n");
    }

    #[test]
    fn remove_takes_attached_comments_only() {
        let text = "# file header\n\n# about a\n[profile a]\nx = 1\n# trailing, about b\n[profile b]\ny = 2\n";
        let out = edit(text, Kind::Config, |d| {
            assert!(d.remove_section(&SectionId::profile("a")).unwrap());
        });
        assert_eq!(
            out,
            "# file header\n\n# trailing, about b\n[profile b]\ny = 2\n"
        );
        let out = edit("[a]\nk = v\n\n[b]\nk = w\n", Kind::Credentials, |d| {
            d.remove_section(&SectionId::profile("a")).unwrap();
        });
        assert_eq!(out, "[b]\nk = w\n");
        // Adding then removing a section at the end gives the file back.
        let text = "[a]\nk = v\n";
        let out = edit(text, Kind::Credentials, |d| {
            d.set(&SectionId::profile("z"), "k", "v").unwrap();
            d.remove_section(&SectionId::profile("z")).unwrap();
        });
        assert_eq!(out, text);
    }

    #[test]
    fn rename_keeps_the_header_formatting() {
        let out = edit("[ profile\tA ] # c\nk = v\n", Kind::Config, |d| {
            d.rename_section(&SectionId::profile("A"), "b").unwrap();
        });
        assert_eq!(out, "[ profile\tb ] # c\nk = v\n");
        let out = edit("[default]\nk = v\n", Kind::Config, |d| {
            d.rename_section(&SectionId::profile("default"), "b")
                .unwrap();
        });
        assert_eq!(out, "[profile b]\nk = v\n");
    }

    #[test]
    fn rename_does_not_uncover_a_hidden_default() {
        let text = "[default]\na = 1\n[profile default]\nb = 2\n";
        let mut doc = Document::parse(text, Kind::Config);
        let default = SectionId::profile("default");
        assert!(matches!(
            doc.rename_section(&default, "x"),
            Err(EditError::InvalidName(_))
        ));
        assert_eq!(doc.rename_section(&default, "default"), Ok(true));
        assert_eq!(doc.render(), text);
    }

    #[test]
    fn add_then_remove_keeps_a_missing_final_newline() {
        let out = edit("[a]\nk = v", Kind::Credentials, |d| {
            d.add_section(&SectionId::profile("b")).unwrap();
            d.remove_section(&SectionId::profile("b")).unwrap();
        });
        assert_eq!(out, "[a]\nk = v");
    }

    #[test]
    fn refuses_unreadable_documents_and_bad_input() {
        let mut doc = Document::parse("[default]\nno equals\n", Kind::Config);
        assert!(matches!(
            doc.set(&SectionId::profile("a"), "k", "v"),
            Err(EditError::Unreadable(_))
        ));
        let mut doc = Document::parse("", Kind::Config);
        assert!(matches!(
            doc.set(&SectionId::profile("my profile"), "k", "v"),
            Err(EditError::InvalidName(_))
        ));
        assert!(matches!(
            doc.set(&SectionId::profile("a"), "k k", "v"),
            Err(EditError::InvalidKey(_))
        ));
        assert!(matches!(
            doc.set(&SectionId::profile("a"), "k", "v\n"),
            Err(EditError::InvalidValue { .. })
        ));
        let mut doc = Document::parse("", Kind::Credentials);
        assert!(matches!(
            doc.set(&SectionId::sso_session("s"), "k", "v"),
            Err(EditError::WrongFile(_))
        ));
        assert_eq!(doc.render(), "");
    }

    #[test]
    fn replace_property_keeps_the_place() {
        let out = edit(
            "# keys\n[a]\naws_access_key_id = AKID\naws_secret_access_key = s\n# after\n",
            Kind::Credentials,
            |d| {
                let id = SectionId::profile("a");
                assert!(d
                    .replace_property(
                        &id,
                        "aws_access_key_id",
                        "credential_process",
                        "lanyard credential-process a"
                    )
                    .unwrap());
                d.unset(&id, "aws_secret_access_key").unwrap();
            },
        );
        assert_eq!(
            out,
            "# keys\n[a]\ncredential_process = lanyard credential-process a\n# after\n"
        );
    }

    #[test]
    fn copy_takes_the_effective_lines() {
        let out = edit(
            "[profile a]\nregion = x\ns3 =\n  k = v\n[profile a]\nREGION = y\n",
            Kind::Config,
            |d| {
                d.copy_section(&SectionId::profile("a"), &SectionId::profile("b"))
                    .unwrap();
            },
        );
        assert!(
            out.ends_with("\n\n[profile b]\nREGION = y\ns3 =\n  k = v\n"),
            "{out}"
        );
    }
}
