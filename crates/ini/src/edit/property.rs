//! Edits of keys and sub-properties within a section.

use crate::document::Document;
use crate::names::{validate_key, validate_value, ValueWarning};
use crate::scan::trim;
use crate::section_id::SectionId;

use super::EditError;

const SUB_PROPERTY_INDENT: &str = "    ";

impl Document {
    /// Where a new property goes in a section: after its last property.
    fn property_insertion_point(&self, span: usize) -> usize {
        let span = &self.layout().sections[span];
        self.properties_of(span)
            .last()
            .map(|p| p.last_line() + 1)
            .unwrap_or(span.header + 1)
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
}

#[cfg(test)]
mod tests {
    use crate::edit::tests::edit;
    use crate::{Document, EditError, Kind, SectionId};

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
    fn values_with_whitespace_that_botocore_strips_are_refused_and_nothing_changes() {
        let text = "[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n";
        let mut doc = Document::parse(text, Kind::Config);
        let id = SectionId::profile("default");
        for value in ["eu-west-1\u{a0}", "\u{2003}eu-west-1", "eu-west-1\u{3000}"] {
            let refused = |result: Result<_, EditError>| match result {
                Err(EditError::InvalidValue { reason, .. }) => reason,
                other => panic!("{value:?}: {other:?}"),
            };
            let reason = refused(doc.set(&id, "region", value));
            assert!(reason.contains("U+"), "{reason}");
            refused(doc.set(&id, "output", value));
            refused(doc.set_sub_property(&id, "s3", "addressing_style", value));
            refused(
                doc.replace_property(&id, "region", "output", value)
                    .map(|_| None),
            );
            assert!(doc.is_unchanged());
            assert_eq!(doc.render(), text);
        }
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
}
