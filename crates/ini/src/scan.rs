//! Classifies lines the way the cross-SDK profile-file specification reads them, and groups
//! them into sections. Nothing is dropped: each line gets a kind, and the lines the
//! specification rejects get a [`Diagnostic`].

use std::ops::Range;

use crate::document::{Document, Kind};
use crate::names::is_identifier;

/// Space and tab: the only whitespace the specification knows.
pub(crate) const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// A problem found on one line of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, in the words of the specification's reference parser.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// How the specification reads one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineKind {
    Blank,
    Comment,
    Header,
    Property,
    Continuation,
    SubProperty,
    Invalid,
}

/// What a section header declares, after the specification's normalisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SectionRole {
    /// A profile (the name is normalised: `default` for both `[default]` and `[profile default]`).
    Profile {
        prefixed: bool,
    },
    SsoSession,
    Services,
    /// `[prefix name]` with a prefix the SDKs keep as an unknown section.
    Other(String),
    /// A section every spec-following SDK ignores, with the reason.
    Ignored(String),
}

/// A section header and the lines up to the next one.
#[derive(Clone, Debug)]
pub(crate) struct SectionSpan {
    pub header: usize,
    /// Exclusive end: the next header, or the end of the document.
    pub end: usize,
    pub role: SectionRole,
    /// The name after normalisation (`foo` for `[profile foo]`).
    pub name: String,
    /// Byte range of the text inside the brackets, in the header line.
    pub inner: Range<usize>,
    pub properties: Vec<PropertySpan>,
}

/// A property line with the continuation and sub-property lines that belong to it.
#[derive(Clone, Debug)]
pub(crate) struct PropertySpan {
    pub line: usize,
    /// The key as written (trimmed), not lower-cased.
    pub key: String,
    /// Byte range of the value on the property line (trimmed, inline comment excluded).
    pub value: Range<usize>,
    /// Continuation or sub-property lines, in order.
    pub extra: Vec<usize>,
    /// Whether `extra` are sub-properties (the first-line value was empty).
    pub nested: bool,
}

impl PropertySpan {
    /// The last line that belongs to this property.
    pub fn last_line(&self) -> usize {
        self.extra.last().copied().unwrap_or(self.line)
    }
}

/// The classification of a whole document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    pub kinds: Vec<LineKind>,
    pub sections: Vec<SectionSpan>,
    pub errors: Vec<crate::Diagnostic>,
}

pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(WHITESPACE)
}

/// Byte range of `inner` within `outer`, where `inner` is a sub-slice of `outer`.
fn range_in(outer: &str, inner: &str) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    start..start + inner.len()
}

/// The spec's `prepare_line`: trims, cuts a trailing comment and trims again. With
/// `comments_need_whitespace`, `#` and `;` start a comment only after a space or tab.
pub(crate) fn strip_comment(line: &str, comments_need_whitespace: bool) -> &str {
    let line = trim(line);
    let mut previous_whitespace = false;
    let mut cut = line.len();
    for (index, ch) in line.char_indices() {
        if COMMENT.contains(&ch) && (previous_whitespace || !comments_need_whitespace) {
            cut = index;
            break;
        }
        previous_whitespace = ch.is_whitespace();
    }
    trim(&line[..cut])
}

/// Splits a property line into (key, value), both trimmed sub-slices of `line`.
pub(crate) fn split_property(line: &str) -> Result<(&str, &str), &'static str> {
    let prepared = strip_comment(line, true);
    let (key, value) = prepared
        .split_once('=')
        .ok_or("Expected an '=' sign defining a")?;
    let key = trim(key);
    if key.is_empty() {
        return Err("did not have a name");
    }
    Ok((key, trim(value)))
}

fn property_error(reason: &str, what: &str) -> String {
    if reason.starts_with("Expected") {
        format!("{reason} {what}")
    } else {
        let mut capitalised = what.to_owned();
        capitalised[..1].make_ascii_uppercase();
        format!("{capitalised} {reason}")
    }
}

/// Parses the text inside `[` `]` of a header line; returns the byte range of that text.
pub(crate) fn header_inner(line: &str) -> Result<Range<usize>, &'static str> {
    let prepared = strip_comment(line, false);
    let inner = prepared
        .strip_prefix('[')
        .ok_or("Profile definition must start with '['")?
        .strip_suffix(']')
        .ok_or("Profile definition must end with ']'")?;
    Ok(range_in(line, inner))
}

/// Splits the inside of a header into an optional prefix and the name (the spec's
/// `SectionPair::parse`): trimmed, split at the first space or tab.
pub(crate) fn split_header(inner: &str) -> (Option<&str>, &str) {
    let inner = trim(inner);
    match inner.split_once(WHITESPACE) {
        Some((prefix, name)) => (Some(trim(prefix)), trim(name)),
        None => (None, inner),
    }
}

pub(crate) fn role(kind: Kind, prefix: Option<&str>, name: &str) -> SectionRole {
    match (kind, prefix) {
        (Kind::Config, Some(prefix)) => {
            if !is_identifier(name) {
                SectionRole::Ignored(format!("`{name}` is not a valid name"))
            } else {
                match prefix {
                    "profile" => SectionRole::Profile { prefixed: true },
                    "sso-session" => SectionRole::SsoSession,
                    "services" => SectionRole::Services,
                    other => SectionRole::Other(other.to_owned()),
                }
            }
        }
        (Kind::Config, None) if name == "default" => SectionRole::Profile { prefixed: false },
        (Kind::Config, None) => SectionRole::Ignored(
            "sections of the config file other than [default] need a prefix, as in [profile NAME]"
                .to_owned(),
        ),
        (Kind::Credentials, Some("profile")) => SectionRole::Ignored(
            "sections of the credentials file must not begin with `profile`".to_owned(),
        ),
        (Kind::Credentials, Some(prefix)) => SectionRole::Ignored(format!(
            "[{prefix} …] sections belong in the config file, not the credentials file"
        )),
        (Kind::Credentials, None) if is_identifier(name) => {
            SectionRole::Profile { prefixed: false }
        }
        (Kind::Credentials, None) => SectionRole::Ignored(format!("`{name}` is not a valid name")),
    }
}

enum State {
    Start,
    /// In a section; `property` is the index of the current property in that section.
    Section {
        property: Option<usize>,
    },
    /// After a header the spec rejects: its lines belong to no section.
    Broken,
}

pub(crate) fn scan(document: &Document) -> Layout {
    let kind = document.kind();
    let count = document.line_count();
    let mut kinds = Vec::with_capacity(count);
    let mut sections: Vec<SectionSpan> = Vec::new();
    let mut errors = Vec::new();
    let mut state = State::Start;
    let mut error = |line: usize, message: String| {
        errors.push(crate::Diagnostic {
            line: line + 1,
            message,
        });
    };

    for index in 0..count {
        let text = document.line(index);
        let first = text.as_bytes().first().copied();
        let line_kind = if trim(text).is_empty() {
            LineKind::Blank
        } else if matches!(first, Some(b'#' | b';')) {
            LineKind::Comment
        } else if first == Some(b'[') {
            match header_inner(text) {
                Ok(inner) => {
                    if let Some(last) = sections.last_mut() {
                        last.end = index;
                    }
                    let (prefix, name) = split_header(&text[inner.clone()]);
                    sections.push(SectionSpan {
                        header: index,
                        end: count,
                        role: role(kind, prefix, name),
                        name: name.to_owned(),
                        inner,
                        properties: Vec::new(),
                    });
                    state = State::Section { property: None };
                    LineKind::Header
                }
                Err(message) => {
                    error(index, message.to_owned());
                    if let Some(last) = sections.last_mut() {
                        last.end = index;
                    }
                    state = State::Broken;
                    LineKind::Invalid
                }
            }
        } else if matches!(first, Some(b' ' | b'\t')) {
            match state {
                State::Start => {
                    error(index, "Expected a profile definition".to_owned());
                    LineKind::Invalid
                }
                State::Broken => LineKind::Invalid,
                State::Section { property: None } => {
                    error(
                        index,
                        "Expected a property definition, found continuation".to_owned(),
                    );
                    LineKind::Invalid
                }
                State::Section { property: Some(p) } => {
                    let section = sections.last_mut().expect("a section is open");
                    let property = &mut section.properties[p];
                    if property.nested {
                        if let Err(reason) = split_property(text) {
                            error(index, property_error(reason, "sub-property"));
                            LineKind::Invalid
                        } else {
                            property.extra.push(index);
                            LineKind::SubProperty
                        }
                    } else {
                        property.extra.push(index);
                        LineKind::Continuation
                    }
                }
            }
        } else {
            match state {
                State::Start => {
                    error(index, "Expected a profile definition".to_owned());
                    LineKind::Invalid
                }
                State::Broken => LineKind::Invalid,
                State::Section { .. } => match split_property(text) {
                    Ok((key, value)) => {
                        let section = sections.last_mut().expect("a section is open");
                        section.properties.push(PropertySpan {
                            line: index,
                            key: key.to_owned(),
                            value: range_in(text, value),
                            extra: Vec::new(),
                            nested: value.is_empty(),
                        });
                        state = State::Section {
                            property: Some(section.properties.len() - 1),
                        };
                        LineKind::Property
                    }
                    Err(reason) => {
                        error(index, property_error(reason, "property"));
                        state = State::Section { property: None };
                        LineKind::Invalid
                    }
                },
            }
        };
        kinds.push(line_kind);
    }
    Layout {
        kinds,
        sections,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        Document::parse(text, Kind::Config)
            .errors()
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn reports_the_reference_messages_with_line_numbers() {
        assert_eq!(
            errors("[default\nk=v"),
            ["line 1: Profile definition must end with ']'"]
        );
        assert_eq!(errors("k = v"), ["line 1: Expected a profile definition"]);
        assert_eq!(
            errors("[default]\n = v"),
            ["line 2: Expected a property definition, found continuation"]
        );
        assert_eq!(
            errors("[default]\nkey"),
            ["line 2: Expected an '=' sign defining a property"]
        );
        assert_eq!(
            errors("[default]\n= v"),
            ["line 2: Property did not have a name"]
        );
        assert_eq!(
            errors("[default]\ns3 =\n x"),
            ["line 3: Expected an '=' sign defining a sub-property"]
        );
        assert_eq!(
            errors("[default]\ns3 =\n = x"),
            ["line 3: Sub-property did not have a name"]
        );
        assert!(errors("[default]\n# c\n; c\n\n[profile a]# c\nk = v ; c\n").is_empty());
    }

    #[test]
    fn strips_comments_like_the_spec() {
        assert_eq!(
            strip_comment("name = value # Comment with # sign", true),
            "name = value"
        );
        assert_eq!(
            strip_comment("name = value#Comment # sign", true),
            "name = value#Comment"
        );
        assert_eq!(
            strip_comment("name = value#Comment # sign", false),
            "name = value"
        );
    }
}
