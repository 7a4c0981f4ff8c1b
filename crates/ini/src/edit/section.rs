//! Edits of whole sections: add, remove, rename, copy.

use crate::document::Document;
use crate::kind::Kind;
use crate::names::{is_identifier, validate_name};
use crate::scan::{split_header, LineKind, PropertySpan, SectionRole};
use crate::section_id::{SectionId, SectionKind};

use super::EditError;

impl Document {
    /// The header line section `id` gets when it is added to this file.
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
    use crate::edit::tests::edit;
    use crate::{Document, EditError, Kind, SectionId};

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
