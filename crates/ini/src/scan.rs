//! Classifies lines the way the cross-SDK profile-file specification reads them, and groups
//! them into sections. Nothing is dropped: each line gets a kind, and the lines the
//! specification rejects get a [`Diagnostic`].
//!
//! Reading a single line has two twins: [`plain`] reads it a byte or a character at a time,
//! [`swar`] eight bytes at a time for the lines every file is full of (properties, headers),
//! and is tested against the specification's character-by-character reading. [`properties`]
//! reads a section's properties from the classified lines.

mod plain;
mod properties;
mod swar;

use std::ops::Range;

use crate::kind::Kind;
use crate::names::is_identifier;
use plain::{is_whitespace, range_in};
use swar::{check_property, header_inner};

pub(crate) use plain::{split_header, trim};
pub(crate) use properties::{PropertySpan, PropertySpans};

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SectionRole {
    /// A profile (the name is normalised: `default` for both `[default]` and `[profile default]`).
    Profile {
        prefixed: bool,
    },
    SsoSession,
    Services,
    /// `[prefix name]` with a prefix the SDKs keep as an unknown section.
    Other,
    /// A section every spec-following SDK ignores, and why.
    Ignored(Ignored),
}

/// Why the SDKs ignore a section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ignored {
    /// The name is not an identifier.
    InvalidName,
    /// A config section other than `[default]` without a prefix.
    NoPrefix,
    /// `[profile NAME]` in the credentials file.
    ProfilePrefix,
    /// `[prefix NAME]` in the credentials file.
    Prefixed,
}

impl Ignored {
    /// The reason, in words, for the section `[prefix name]`.
    pub(crate) fn reason(self, prefix: Option<&str>, name: &str) -> String {
        match self {
            Ignored::InvalidName => format!("`{name}` is not a valid name"),
            Ignored::NoPrefix => "sections of the config file other than [default] need a prefix, as in [profile NAME]".to_owned(),
            Ignored::ProfilePrefix => {
                "sections of the credentials file must not begin with `profile`".to_owned()
            }
            Ignored::Prefixed => format!(
                "[{} …] sections belong in the config file, not the credentials file",
                prefix.unwrap_or_default()
            ),
        }
    }
}

/// A section header and the lines up to the next one. (Compact: large files have many.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SectionSpan {
    pub header: usize,
    /// Exclusive end: the next header, or the end of the document.
    pub end: usize,
    pub role: SectionRole,
    /// Byte range of the name after normalisation (`foo` for `[profile foo]`), in the header.
    name: (u32, u32),
    /// Byte range of the text inside the brackets, in the header line.
    inner: (u32, u32),
}

impl SectionSpan {
    /// Byte range of the name after normalisation (`foo` for `[profile foo]`), in the header.
    pub fn name(&self) -> Range<usize> {
        self.name.0 as usize..self.name.1 as usize
    }

    /// Byte range of the text inside the brackets, in the header line.
    pub fn inner(&self) -> Range<usize> {
        self.inner.0 as usize..self.inner.1 as usize
    }
}

/// The classification of a whole document: one byte a line, and the sections. Properties
/// are read from the lines a section at a time, when asked for ([`properties`]): an edit of
/// one section of a large file never builds them for the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    pub kinds: Vec<LineKind>,
    pub sections: Vec<SectionSpan>,
    pub errors: Vec<Diagnostic>,
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

pub(crate) fn role(kind: Kind, prefix: Option<&str>, name: &str) -> SectionRole {
    match (kind, prefix) {
        (Kind::Config, Some(prefix)) => {
            if !is_identifier(name) {
                SectionRole::Ignored(Ignored::InvalidName)
            } else {
                match prefix {
                    "profile" => SectionRole::Profile { prefixed: true },
                    "sso-session" => SectionRole::SsoSession,
                    "services" => SectionRole::Services,
                    _ => SectionRole::Other,
                }
            }
        }
        (Kind::Config, None) if name == "default" => SectionRole::Profile { prefixed: false },
        (Kind::Config, None) => SectionRole::Ignored(Ignored::NoPrefix),
        (Kind::Credentials, Some("profile")) => SectionRole::Ignored(Ignored::ProfilePrefix),
        (Kind::Credentials, Some(_)) => SectionRole::Ignored(Ignored::Prefixed),
        (Kind::Credentials, None) if is_identifier(name) => {
            SectionRole::Profile { prefixed: false }
        }
        (Kind::Credentials, None) => SectionRole::Ignored(Ignored::InvalidName),
    }
}

enum State {
    Start,
    /// In a section; `nested` tells whether the current property, if any, takes
    /// sub-properties (its value on the first line is empty).
    Section {
        nested: Option<bool>,
    },
    /// After a header the spec rejects: its lines belong to no section.
    Broken,
}

/// A byte range of a header line as two `u32`; `None` for a line of 4 GiB or more.
fn compact(range: Range<usize>) -> Option<(u32, u32)> {
    Some((
        u32::try_from(range.start).ok()?,
        u32::try_from(range.end).ok()?,
    ))
}

/// The text of a document's lines, as the classification reads them. (A generic, not a trait
/// object: reading a line stays a direct call.)
pub(crate) trait Lines {
    /// The number of lines.
    fn count(&self) -> usize;
    /// The text of line `index` (0-based), without its line ending.
    fn line(&self, index: usize) -> &str;
}

/// Classifies a whole document of the file `kind`.
pub(crate) fn scan(kind: Kind, lines: &impl Lines) -> Layout {
    let count = lines.count();
    let mut scanner = Scanner::new(kind, count);
    for index in 0..count {
        scanner.line(index, lines.line(index));
    }
    scanner.finish(count)
}

/// The classification, fed one line at a time: parsing classifies each line as it splits
/// the text, in the same pass.
pub(crate) struct Scanner {
    kind: Kind,
    state: State,
    layout: Layout,
}

impl Scanner {
    pub(crate) fn new(kind: Kind, lines: usize) -> Scanner {
        Scanner {
            kind,
            state: State::Start,
            layout: Layout {
                kinds: Vec::with_capacity(lines),
                // A config file has about six lines to a section.
                sections: Vec::with_capacity(lines / 6 + 1),
                errors: Vec::new(),
            },
        }
    }

    fn error(&mut self, index: usize, message: String) -> LineKind {
        self.layout.errors.push(Diagnostic {
            line: index + 1,
            message,
        });
        LineKind::Invalid
    }

    /// Classifies line `index` (the lines come in order, from 0).
    #[inline]
    pub(crate) fn line(&mut self, index: usize, text: &str) {
        let first = text.as_bytes().first().copied();
        let line_kind = if first == Some(b'[') {
            self.header(index, text)
        } else if matches!(first, Some(b'#' | b';')) {
            LineKind::Comment
        } else if text.bytes().all(is_whitespace) {
            LineKind::Blank
        } else {
            let indented = matches!(first, Some(b' ' | b'\t'));
            match (&self.state, indented) {
                (State::Start, _) => self.error(index, "Expected a profile definition".to_owned()),
                (State::Broken, _) => LineKind::Invalid,
                (State::Section { nested: None }, true) => self.error(
                    index,
                    "Expected a property definition, found continuation".to_owned(),
                ),
                (
                    State::Section {
                        nested: Some(false),
                    },
                    true,
                ) => LineKind::Continuation,
                (State::Section { nested: Some(true) }, true) => match check_property(text) {
                    Ok(_) => LineKind::SubProperty,
                    Err(reason) => self.error(index, property_error(reason, "sub-property")),
                },
                (State::Section { .. }, false) => match check_property(text) {
                    Ok(nested) => {
                        self.state = State::Section {
                            nested: Some(nested),
                        };
                        LineKind::Property
                    }
                    Err(reason) => {
                        self.state = State::Section { nested: None };
                        self.error(index, property_error(reason, "property"))
                    }
                },
            }
        };
        self.layout.kinds.push(line_kind);
    }

    fn header(&mut self, index: usize, text: &str) -> LineKind {
        let header = header_inner(text).and_then(|inner| {
            let (prefix, name) = split_header(&text[inner.clone()]);
            match (compact(range_in(text, name)), compact(inner)) {
                (Some(name_range), Some(inner)) => {
                    Ok((role(self.kind, prefix, name), name_range, inner))
                }
                _ => Err("A profile definition must be shorter than 4 GiB"),
            }
        });
        if let Some(last) = self.layout.sections.last_mut() {
            last.end = index;
        }
        match header {
            Ok((role, name, inner)) => {
                self.layout.sections.push(SectionSpan {
                    header: index,
                    end: usize::MAX,
                    role,
                    name,
                    inner,
                });
                self.state = State::Section { nested: None };
                LineKind::Header
            }
            Err(message) => {
                self.state = State::Broken;
                self.error(index, message.to_owned())
            }
        }
    }

    /// The layout of a document of `count` lines, all of them given to [`Scanner::line`].
    pub(crate) fn finish(mut self, count: usize) -> Layout {
        if let Some(last) = self.layout.sections.last_mut() {
            if last.end == usize::MAX {
                last.end = count;
            }
        }
        // The room reserved from estimates, unused, would stay for as long as the document.
        self.layout.kinds.shrink_to_fit();
        self.layout.sections.shrink_to_fit();
        self.layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Document;

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
}
