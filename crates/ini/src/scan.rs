//! Classifies lines the way the cross-SDK profile-file specification reads them, and groups
//! them into sections. Nothing is dropped: each line gets a kind, and the lines the
//! specification rejects get a [`Diagnostic`].

use std::ops::Range;

use crate::document::{Document, Kind};
use crate::names::is_identifier;

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

/// A property line with the continuation and sub-property lines that belong to it.
#[derive(Clone, Debug)]
pub(crate) struct PropertySpan {
    pub line: usize,
    /// Byte range of the key as written (trimmed, not lower-cased) on the property line.
    pub key: Range<usize>,
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

/// The classification of a whole document: one byte a line, and the sections. Properties
/// are read from the lines a section at a time, when asked for ([`properties`]): an edit of
/// one section of a large file never builds them for the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    pub kinds: Vec<LineKind>,
    pub sections: Vec<SectionSpan>,
    pub errors: Vec<crate::Diagnostic>,
}

/// Space and tab: the only whitespace the specification knows.
fn is_whitespace(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// Trims spaces and tabs. Like `str::trim_matches`, a string of only spaces and tabs gives the
/// empty slice at its start (edits use the position of an empty value).
pub(crate) fn trim(s: &str) -> &str {
    // Byte by byte: both characters are ASCII, so the cuts fall on character boundaries.
    let bytes = s.as_bytes();
    let Some(start) = bytes.iter().position(|&b| !is_whitespace(b)) else {
        return &s[..0];
    };
    let end = bytes
        .iter()
        .rposition(|&b| !is_whitespace(b))
        .map_or(start, |last| last + 1);
    &s[start..end]
}

/// Byte range of `inner` within `outer`, where `inner` is a sub-slice of `outer`.
fn range_in(outer: &str, inner: &str) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    start..start + inner.len()
}

/// Whether the character before byte `index` of `s` is whitespace. Before a comment character
/// that is any Unicode whitespace, as in the reference parser.
fn after_whitespace(s: &str, index: usize) -> bool {
    match s.as_bytes()[..index].last() {
        None => false,
        // ASCII whitespace: `\t`, `\n`, `\x0b`, `\x0c`, `\r` and space.
        Some(&b) if b.is_ascii() => b == b' ' || (b'\t'..=b'\r').contains(&b),
        Some(_) => s[..index]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace),
    }
}

/// The spec's `prepare_line`: trims, cuts a trailing comment and trims again. With
/// `comments_need_whitespace`, `#` and `;` start a comment only after whitespace.
pub(crate) fn strip_comment(line: &str, comments_need_whitespace: bool) -> &str {
    let line = trim(line);
    let bytes = line.as_bytes();
    let mut cut = line.len();
    let mut from = 0;
    // `#` and `;` are ASCII: no byte of another character can be mistaken for them.
    while let Some(offset) = bytes[from..].iter().position(|&b| b == b'#' || b == b';') {
        let index = from + offset;
        if !comments_need_whitespace || after_whitespace(line, index) {
            cut = index;
            break;
        }
        from = index + 1;
    }
    trim(&line[..cut])
}

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of the result is set where that byte of `word` is `byte`, and
/// only there (no carries cross bytes).
pub(crate) fn byte_bits(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    !(((x & !HIGH_BITS) + !HIGH_BITS) | x) & HIGH_BITS
}

/// Looks at the 8 bytes of `line` from `base` (in `word`): records the first `=` before any
/// comment in `equals`, and returns where a comment starts, if one does.
fn scan_word(line: &str, word: u64, base: usize, equals: &mut Option<usize>) -> Option<usize> {
    let mut cut = None;
    let mut comments = byte_bits(word, b'#') | byte_bits(word, b';');
    while comments != 0 {
        let index = base + comments.trailing_zeros() as usize / 8;
        if after_whitespace(line, index) {
            cut = Some(index);
            break;
        }
        comments &= comments - 1;
    }
    let eq = byte_bits(word, b'=');
    if equals.is_none() && eq != 0 {
        let index = base + eq.trailing_zeros() as usize / 8;
        if cut.is_none_or(|cut| index < cut) {
            *equals = Some(index);
        }
    }
    cut
}

/// Splits a property line into (key, value), both trimmed sub-slices of `line`: the line is
/// cut at its comment (`strip_comment(line, true)`), then split at the first `=`.
pub(crate) fn split_property(line: &str) -> Result<(&str, &str), &'static str> {
    // One pass, 8 bytes at a time, for both the comment and the `=`. Slicing the trimmed line
    // at the comment and trimming the two halves gives the same slices, empty ones included,
    // as trimming the cut line first.
    let line = trim(line);
    let bytes = line.as_bytes();
    let mut equals = None;
    let mut cut = None;
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        cut = scan_word(line, word, base, &mut equals);
        if cut.is_some() {
            break;
        }
        base += 8;
    }
    if cut.is_none() {
        // The last bytes, padded with zeros (neither `=` nor a comment character).
        let word = (words.remainder().iter().enumerate())
            .fold(0u64, |word, (i, &b)| word | (u64::from(b) << (8 * i)));
        cut = scan_word(line, word, base, &mut equals);
    }
    let cut = cut.unwrap_or(line.len());
    let equals = equals.ok_or("Expected an '=' sign defining a")?;
    let key = trim(&line[..equals]);
    if key.is_empty() {
        return Err("did not have a name");
    }
    Ok((key, trim(&line[equals + 1..cut])))
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
    // Most headers have no comment: then the text runs from after the `[` to the last `]`.
    let bytes = line.as_bytes();
    if bytes.first() == Some(&b'[') && first_comment(bytes).is_none() {
        let end = bytes.iter().rposition(|&b| !is_whitespace(b)).unwrap_or(0);
        return match bytes[end] {
            b']' if end > 0 => Ok(1..end),
            _ => Err("Profile definition must end with ']'"),
        };
    }
    header_inner_with_comment(line)
}

/// [`header_inner`] the long way, for any line.
fn header_inner_with_comment(line: &str) -> Result<Range<usize>, &'static str> {
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
    match inner.bytes().position(is_whitespace) {
        Some(at) => (Some(trim(&inner[..at])), trim(&inner[at + 1..])),
        None => (None, inner),
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

/// Classifies a whole document.
pub(crate) fn scan(document: &Document) -> Layout {
    let mut scanner = Scanner::new(document.kind(), document.line_count());
    for index in 0..document.line_count() {
        scanner.line(index, document.line(index));
    }
    scanner.finish(document.line_count())
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
        self.layout.errors.push(crate::Diagnostic {
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
        self.layout
    }
}

/// The index of the first `=`, `#` or `;` in `bytes`.
fn first_equals_or_comment(bytes: &[u8]) -> Option<usize> {
    first_of(bytes, |word| {
        byte_bits(word, b'=') | byte_bits(word, b'#') | byte_bits(word, b';')
    })
}

/// The index of the first `#` or `;` in `bytes`.
fn first_comment(bytes: &[u8]) -> Option<usize> {
    first_of(bytes, |word| byte_bits(word, b'#') | byte_bits(word, b';'))
}

/// The index of the first byte that `hits` marks (the high bit of its byte in the result),
/// looking at 8 bytes at a time. (Lines are short: this beats a SIMD search started anew
/// for each line.)
#[inline]
fn first_of(bytes: &[u8], hits: impl Fn(u64) -> u64) -> Option<usize> {
    let word_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let len = bytes.len();
    if len < 8 {
        // Padded with zeros (marked by none of the callers).
        let word =
            (bytes.iter().enumerate()).fold(0u64, |word, (i, &b)| word | (u64::from(b) << (8 * i)));
        let found = hits(word);
        return (found != 0).then(|| found.trailing_zeros() as usize / 8);
    }
    let mut at = 0;
    while at + 8 <= len {
        let found = hits(word_at(at));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    // The last bytes, in a word that overlaps bytes already seen (none of them a hit).
    if at < len {
        let found = hits(word_at(len - 8));
        if found != 0 {
            return Some(len - 8 + found.trailing_zeros() as usize / 8);
        }
    }
    None
}

/// Checks a property or sub-property line as [`split_property`] reads it, and tells whether
/// its value is empty (the property then takes sub-properties). Most lines have no `#` or `;`
/// before their `=`: for them the answer needs no comment scan.
#[inline]
pub(crate) fn check_property(text: &str) -> Result<bool, &'static str> {
    let bytes = text.as_bytes();
    if let Some(equals) = first_equals_or_comment(bytes).filter(|&at| bytes[at] == b'=') {
        // No comment starts before the `=`, so it is the one that splits the line.
        if bytes[..equals].iter().all(|&b| is_whitespace(b)) {
            return Err("did not have a name");
        }
        // The value is empty when only spaces and tabs follow the `=`, or a comment does
        // after at least one of them (right after the `=` it is part of the value).
        let rest = &bytes[equals + 1..];
        return Ok(match rest.iter().position(|&b| !is_whitespace(b)) {
            None => true,
            Some(at) => at > 0 && matches!(rest[at], b'#' | b';'),
        });
    }
    split_property(text).map(|(_, value)| value.is_empty())
}

/// The properties of a section, read from its lines as they are asked for: each property line
/// with the continuation and sub-property lines that follow it. (No allocation but for
/// those lines: the semantic view walks every section of a large file.)
pub(crate) struct Properties<'a> {
    document: &'a Document,
    kinds: &'a [LineKind],
    next: usize,
    end: usize,
}

impl<'a> Properties<'a> {
    pub(crate) fn new(document: &'a Document, span: &SectionSpan) -> Properties<'a> {
        Properties {
            document,
            kinds: &document.layout().kinds,
            next: span.header + 1,
            end: span.end,
        }
    }
}

impl Iterator for Properties<'_> {
    type Item = PropertySpan;

    fn next(&mut self) -> Option<PropertySpan> {
        while self.next < self.end {
            let index = self.next;
            self.next += 1;
            if self.kinds[index] != LineKind::Property {
                continue;
            }
            let text = self.document.line(index);
            let Ok((key, value)) = split_property(text) else {
                continue;
            };
            let mut extra = Vec::new();
            while self.next < self.end
                && !matches!(self.kinds[self.next], LineKind::Property | LineKind::Header)
            {
                if matches!(
                    self.kinds[self.next],
                    LineKind::Continuation | LineKind::SubProperty
                ) {
                    extra.push(self.next);
                }
                self.next += 1;
            }
            return Some(PropertySpan {
                line: index,
                key: range_in(text, key),
                value: range_in(text, value),
                extra,
                nested: value.is_empty(),
            });
        }
        None
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

    /// The character-by-character reading of the reference parser, to check the faster code.
    mod reference {
        const WS: [char; 2] = [' ', '\t'];

        pub fn strip_comment(line: &str, need_whitespace: bool) -> &str {
            let line = line.trim_matches(WS);
            let mut previous_whitespace = false;
            let mut cut = line.len();
            for (index, ch) in line.char_indices() {
                if (ch == '#' || ch == ';') && (previous_whitespace || !need_whitespace) {
                    cut = index;
                    break;
                }
                previous_whitespace = ch.is_whitespace();
            }
            line[..cut].trim_matches(WS)
        }

        pub fn split_property(line: &str) -> Result<(&str, &str), &'static str> {
            let prepared = strip_comment(line, true);
            let (key, value) = prepared
                .split_once('=')
                .ok_or("Expected an '=' sign defining a")?;
            let key = key.trim_matches(WS);
            if key.is_empty() {
                return Err("did not have a name");
            }
            Ok((key, value.trim_matches(WS)))
        }

        pub fn split_header(inner: &str) -> (Option<&str>, &str) {
            let inner = inner.trim_matches(WS);
            match inner.split_once(WS) {
                Some((prefix, name)) => (Some(prefix.trim_matches(WS)), name.trim_matches(WS)),
                None => (None, inner),
            }
        }
    }

    /// Every string of up to five characters from an alphabet of the characters that matter.
    fn all_short_strings() -> Vec<String> {
        const ALPHABET: [char; 9] = [' ', '\t', '=', '#', ';', 'a', '\u{a0}', '\u{b}', '\u{3000}'];
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|s| ALPHABET.iter().map(move |&c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// Longer strings, from a fixed pseudo-random sequence.
    fn long_strings() -> Vec<String> {
        const ALPHABET: [char; 12] = [
            ' ', '\t', '=', '#', ';', 'a', 'b', 'c', '\u{a0}', '\u{b}', '\u{3000}', 'é',
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..20_000)
            .map(|_| {
                let len = next() % 40;
                (0..len).map(|_| ALPHABET[(next() % 12) as usize]).collect()
            })
            .collect()
    }

    #[test]
    fn the_fast_paths_read_like_the_reference_parser() {
        // The same slices, at the same offsets: edits write values at those offsets.
        let at = |outer: &str, inner: &str| (range_in(outer, inner), inner.to_owned());
        for line in all_short_strings().into_iter().chain(long_strings()) {
            let line = line.as_str();
            assert_eq!(
                at(line, trim(line)),
                at(line, line.trim_matches([' ', '\t'])),
                "{line:?}"
            );
            for need in [true, false] {
                let fast = strip_comment(line, need);
                let slow = reference::strip_comment(line, need);
                assert_eq!(at(line, fast), at(line, slow), "{line:?} {need}");
            }
            for header in [
                format!("[{line}"),
                format!("[a]{line}"),
                format!("[{line}]"),
            ] {
                assert_eq!(
                    header_inner(&header),
                    header_inner_with_comment(&header),
                    "{header:?}"
                );
            }
            assert_eq!(
                check_property(line),
                reference::split_property(line).map(|(_, v)| v.is_empty()),
                "{line:?}"
            );
            let fast = split_property(line).map(|(k, v)| (at(line, k), at(line, v)));
            let slow = reference::split_property(line).map(|(k, v)| (at(line, k), at(line, v)));
            assert_eq!(fast, slow, "{line:?}");
            let (fast, slow) = (split_header(line), reference::split_header(line));
            assert_eq!(
                fast.0.map(|p| at(line, p)),
                slow.0.map(|p| at(line, p)),
                "{line:?}"
            );
            assert_eq!(at(line, fast.1), at(line, slow.1), "{line:?}");
        }
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
