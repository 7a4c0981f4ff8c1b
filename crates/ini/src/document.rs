//! The line store: exact bytes in, exact bytes out.

use std::ops::Range;

use crate::scan::{self, Layout};

/// Which of the two AWS files a document is; the section rules differ between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `~/.aws/config`: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: bare `[NAME]` sections only.
    Credentials,
}

/// The line ending a line had in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eol {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// The last line of a file that does not end with a newline.
    None,
}

impl Eol {
    /// The bytes of this line ending.
    pub fn as_str(self) -> &'static str {
        match self {
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
            Eol::None => "",
        }
    }
}

/// A line: where its text lives, and its line ending. The text is `source[at..at + len]`, a
/// slice of the input, or `owned[at]` once an edit has written it. Eight bytes a line (large
/// files have many): `at` and, in `meta`, the length (29 bits), the line ending (2 bits) and
/// whether the text is owned (1 bit). A line the fields cannot describe (from 4 GiB into the
/// input, or 512 MiB long) is kept as a copy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    at: u32,
    meta: u32,
}

impl Line {
    const LEN: u32 = (1 << 29) - 1;
    const OWNED: u32 = 1 << 31;

    /// `source[at..at + len]`, if the fields can hold it.
    fn source(at: usize, len: usize, eol: Eol) -> Option<Line> {
        let at = u32::try_from(at).ok()?;
        let len = u32::try_from(len).ok().filter(|&len| len <= Line::LEN)?;
        Some(Line {
            at,
            meta: len | Line::eol_bits(eol),
        })
    }

    /// `owned[index]`.
    fn owned(index: usize, eol: Eol) -> Line {
        // There are fewer owned lines than bytes of memory divided by the 24 bytes of a
        // `String`: the index fits.
        let at = u32::try_from(index).expect("fewer than 2^32 owned lines");
        Line {
            at,
            meta: Line::OWNED | Line::eol_bits(eol),
        }
    }

    fn eol_bits(eol: Eol) -> u32 {
        (match eol {
            Eol::Lf => 0,
            Eol::CrLf => 1,
            Eol::None => 2,
        }) << 29
    }

    fn at(self) -> usize {
        self.at as usize
    }

    fn len(self) -> usize {
        (self.meta & Line::LEN) as usize
    }

    fn is_owned(self) -> bool {
        self.meta & Line::OWNED != 0
    }

    pub(crate) fn eol(self) -> Eol {
        match (self.meta >> 29) & 3 {
            0 => Eol::Lf,
            1 => Eol::CrLf,
            _ => Eol::None,
        }
    }

    fn set_eol(&mut self, eol: Eol) {
        self.meta = (self.meta & !(3 << 29)) | Line::eol_bits(eol);
    }
}

/// A parsed AWS config or credentials file that writes back exactly what it read.
#[derive(Clone, Debug)]
pub struct Document {
    kind: Kind,
    source: String,
    /// Text written by edits; lines point into it.
    owned: Vec<String>,
    bom: bool,
    lines: Vec<Line>,
    /// The classification of the lines, computed on first use after a change.
    layout: std::sync::OnceLock<Layout>,
    /// Whether lines were inserted or removed since parsing (or some were copied when parsed).
    moved: bool,
    /// Until then, the lines replaced, each with the line of the input it replaced.
    replaced: Vec<(usize, Line)>,
}

const BOM: char = '\u{feff}';

impl Document {
    /// Parses `text`. This never fails: lines the format rejects are kept as they are and
    /// reported by [`Document::errors`].
    pub fn parse(text: &str, kind: Kind) -> Document {
        Document::parse_string(text.to_owned(), kind)
    }

    /// [`Document::parse`] for text the caller owns: it is kept as it is, not copied.
    pub fn parse_string(source: String, kind: Kind) -> Document {
        let bom = source.starts_with(BOM);
        let first = if bom { BOM.len_utf8() } else { 0 };
        let bytes = source.as_bytes();
        // Room for lines of 16 bytes on average (config lines are longer): counting the lines
        // first would cost a pass over the text.
        let estimate = bytes.len() / 16 + 1;
        let mut lines = Vec::with_capacity(estimate);
        let mut owned = Vec::new();
        // Each line is classified as it is split off: one pass over the text.
        let mut scanner = scan::Scanner::new(kind, estimate);
        let mut start = first;
        for offset in memchr::memchr_iter(b'\n', &bytes[first..]) {
            let newline = first + offset;
            let (end, eol) = if newline > start && bytes[newline - 1] == b'\r' {
                (newline - 1, Eol::CrLf)
            } else {
                (newline, Eol::Lf)
            };
            scanner.line(lines.len(), &source[start..end]);
            lines.push(source_line(&source, start..end, eol, &mut owned));
            start = newline + 1;
        }
        if start < bytes.len() {
            scanner.line(lines.len(), &source[start..]);
            lines.push(source_line(
                &source,
                start..bytes.len(),
                Eol::None,
                &mut owned,
            ));
        }
        let layout = scanner.finish(lines.len());
        // Lines copied at parse (too long to point to) are compared the long way.
        let copied = !owned.is_empty();
        Document {
            kind,
            source,
            owned,
            bom,
            lines,
            layout: std::sync::OnceLock::from(layout),
            moved: copied,
            replaced: Vec::new(),
        }
    }

    /// Which file this document is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the input started with a UTF-8 byte-order mark (kept on write, ignored when read).
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The text of line `index` (0-based), without its line ending.
    pub fn line(&self, index: usize) -> &str {
        let line = self.lines[index];
        if line.is_owned() {
            &self.owned[line.at()]
        } else {
            &self.source[line.at()..line.at() + line.len()]
        }
    }

    /// A line for text an edit wrote.
    fn owned_line(&mut self, text: String, eol: Eol) -> Line {
        self.owned.push(text);
        Line::owned(self.owned.len() - 1, eol)
    }

    /// The errors the specification reports for this document, first one first. A document
    /// with errors is read by no SDK and is never edited.
    pub fn errors(&self) -> &[crate::Diagnostic] {
        &self.layout().errors
    }

    /// The line ending new lines get: the one most lines already use.
    pub(crate) fn newline(&self) -> Eol {
        let crlf = self.lines.iter().filter(|l| l.eol() == Eol::CrLf).count();
        let lf = self.lines.iter().filter(|l| l.eol() == Eol::Lf).count();
        if crlf > lf {
            Eol::CrLf
        } else {
            Eol::Lf
        }
    }

    /// Re-classifies every line after a change.
    pub(crate) fn rescan(&mut self) {
        // Lazily: an edit followed by a write never pays for a classification it does not use.
        self.layout = std::sync::OnceLock::new();
    }

    /// The text that was parsed, before any edit.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Gives back the text that was parsed, before any edit, without copying it.
    pub fn into_source(self) -> String {
        self.source
    }

    /// A section's name, after normalisation (`foo` for `[profile foo]`).
    pub(crate) fn name_of(&self, span: &scan::SectionSpan) -> &str {
        &self.line(span.header)[span.name()]
    }

    /// A section's properties, read from its lines.
    pub(crate) fn properties_of(&self, span: &scan::SectionSpan) -> scan::Properties<'_> {
        scan::Properties::new(self, span)
    }

    /// The prefix of a section's header (`profile` in `[profile foo]`), if it has one.
    pub(crate) fn prefix_of(&self, span: &scan::SectionSpan) -> Option<&str> {
        scan::split_header(&self.line(span.header)[span.inner()]).0
    }

    /// The key of a property line, as written.
    pub(crate) fn key_of(&self, property: &scan::PropertySpan) -> &str {
        &self.line(property.line)[property.key.clone()]
    }

    /// How the specification reads each line, and the sections.
    pub(crate) fn layout(&self) -> &Layout {
        self.layout.get_or_init(|| scan::scan(self))
    }

    /// Replaces the text of line `index`, keeping its line ending.
    pub(crate) fn replace_line(&mut self, index: usize, text: String) {
        let previous = self.lines[index];
        if !self.moved && !previous.is_owned() {
            self.replaced.push((index, previous));
        }
        let eol = previous.eol();
        self.lines[index] = self.owned_line(text, eol);
    }

    /// Inserts `texts` as new lines before line `at` (`at == line_count()` appends). The file's
    /// final-newline state is kept: text appended after a last line without a newline ends
    /// without one too.
    pub(crate) fn insert_lines(&mut self, at: usize, texts: Vec<String>) {
        if texts.is_empty() {
            return;
        }
        self.moved = true;
        let newline = self.newline();
        let appending_after_unterminated =
            at == self.lines.len() && self.lines.last().is_some_and(|l| l.eol() == Eol::None);
        let count = texts.len();
        let new: Vec<Line> = texts
            .into_iter()
            .map(|t| {
                let eol = keeping_cr(&t, newline);
                self.owned_line(t, eol)
            })
            .collect();
        self.lines.splice(at..at, new);
        if appending_after_unterminated {
            let eol = keeping_cr(self.line(at - 1), newline);
            self.lines[at - 1].set_eol(eol);
            self.lines[at + count - 1].set_eol(Eol::None);
        }
    }

    /// Removes the lines whose indices are in `indices` (any order, duplicates allowed).
    pub(crate) fn remove_lines(&mut self, indices: &[usize]) {
        if indices.is_empty() {
            return;
        }
        self.moved = true;
        let mut doomed = vec![false; self.lines.len()];
        for &i in indices {
            doomed[i] = true;
        }
        let last_was_unterminated = self.lines.last().is_some_and(|l| l.eol() == Eol::None);
        let mut index = 0;
        self.lines.retain(|_| {
            let keep = !doomed[index];
            index += 1;
            keep
        });
        // Removing the last line of a file without a final newline leaves the new last line
        // without one too. An empty line without a line ending would add nothing to the text,
        // so the newline before it would end the file: drop such lines.
        if last_was_unterminated {
            while self.line_count() > 0 && self.line(self.line_count() - 1).is_empty() {
                self.lines.pop();
            }
            if let Some(last) = self.lines.last_mut() {
                last.set_eol(Eol::None);
            }
        }
    }
}

impl std::fmt::Display for Document {
    /// Writes the document back: byte for byte the input, plus the edits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.try_for_each_chunk(|chunk| f.write_str(chunk))
    }
}

impl Document {
    /// The whole document as text; faster than the `Display` impl for large files.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.source.len() + 64);
        let _ = self.try_for_each_chunk(|chunk| {
            out.push_str(chunk);
            Ok::<(), std::convert::Infallible>(())
        });
        out
    }

    /// Writes the document to `out` without building it in memory first: the unedited
    /// stretches of the input go out as they are, in one piece each.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        const SMALL: usize = 8 << 10;
        let mut pending: Vec<u8> = Vec::new();
        self.try_for_each_chunk(|chunk| {
            if chunk.len() >= SMALL {
                if !pending.is_empty() {
                    out.write_all(&pending)?;
                    pending.clear();
                }
                out.write_all(chunk.as_bytes())
            } else {
                pending.extend_from_slice(chunk.as_bytes());
                if pending.len() >= SMALL {
                    out.write_all(&pending)?;
                    pending.clear();
                }
                Ok(())
            }
        })?;
        out.write_all(&pending)
    }

    /// Whether the document, edits included, is still exactly its input. Compares without
    /// building the text: stretches taken from the input in place are equal by position.
    pub fn is_unchanged(&self) -> bool {
        if !self.moved {
            // Only replaced lines can differ, each from the line it replaced.
            return self.replaced.iter().all(|&(index, original)| {
                self.line(index) == &self.source[original.at()..original.at() + original.len()]
            });
        }
        let source = self.source.as_bytes();
        let mut offset = 0;
        self.try_for_each_chunk(|chunk| {
            let bytes = chunk.as_bytes();
            let in_place = std::ptr::eq(bytes.as_ptr(), source.as_ptr().wrapping_add(offset));
            if in_place || source[offset..].starts_with(bytes) {
                offset += bytes.len();
                Ok(())
            } else {
                Err(())
            }
        })
        .is_ok()
            && offset == source.len()
    }

    /// Calls `f` with consecutive pieces of the document's text, in order. Lines that are
    /// still where they were in the input, with their line endings, are merged into one
    /// piece: an edit of one line of a large file gives a handful of pieces.
    fn try_for_each_chunk<E>(&self, mut f: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let source = &self.source;
        // The stretch of the input not yet passed to `f`.
        let mut run = 0..if self.bom { BOM.len_utf8() } else { 0 };
        for (index, line) in self.lines.iter().enumerate() {
            let eol = line.eol().as_str();
            if line.is_owned() {
                if !run.is_empty() {
                    f(&source[run.clone()])?;
                }
                run = 0..0;
                f(self.line(index))?;
                f(eol)?;
                continue;
            }
            let start = line.at();
            let end = start + line.len();
            if run.end != start {
                if !run.is_empty() {
                    f(&source[run.clone()])?;
                }
                run = start..start;
            }
            run.end = end;
            let bytes = source.as_bytes();
            // (Byte by byte: `starts_with` would call memcmp for every line.)
            let in_place = match line.eol() {
                Eol::Lf => bytes.get(end) == Some(&b'\n'),
                Eol::CrLf => bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n'),
                Eol::None => true,
            };
            if in_place {
                run.end += eol.len();
            } else {
                f(&source[run.clone()])?;
                f(eol)?;
                run = 0..0;
            }
        }
        if !run.is_empty() {
            f(&source[run])?;
        }
        Ok(())
    }
}

/// The line ending for a line of `text` that should end with `eol`. A `\r` at the end of the
/// text (the last line of a file can end with one) followed by `\n` would read back as a CRLF
/// line ending, and the `\r` would leave the text: such a line ends with CRLF.
fn keeping_cr(text: &str, eol: Eol) -> Eol {
    if eol == Eol::Lf && text.ends_with('\r') {
        Eol::CrLf
    } else {
        eol
    }
}

/// A line of the input; one [`Line`] cannot point to is kept as a copy.
#[inline]
fn source_line(source: &str, range: Range<usize>, eol: Eol, owned: &mut Vec<String>) -> Line {
    Line::source(range.start, range.len(), eol).unwrap_or_else(|| {
        owned.push(source[range].to_owned());
        Line::owned(owned.len() - 1, eol)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        for kind in [Kind::Config, Kind::Credentials] {
            assert_eq!(Document::parse(text, kind).render(), text, "{text:?}");
            assert_eq!(Document::parse(text, kind).to_string(), text, "{text:?}");
            let mut written = Vec::new();
            let document = Document::parse(text, kind);
            document.write_to(&mut written).unwrap();
            assert_eq!(written, text.as_bytes(), "{text:?}");
            assert!(document.is_unchanged(), "{text:?}");
        }
    }

    #[test]
    fn round_trips_line_endings_and_odd_bytes() {
        round_trip("");
        round_trip("\n");
        round_trip("\r\n");
        round_trip("[default]\r\nregion = x\nout=y");
        round_trip("\u{feff}[default]\nregion = us-east-1\n");
        round_trip("[default]\n\tindented = 1\n  # indented comment\n;c\n#c\n\n\n");
        round_trip("garbage without a header\r");
        round_trip("\r\r\n\r");
    }

    /// `render`, `write_to`, `Display` and `is_unchanged` must agree on every edit.
    fn agrees(document: &Document) -> String {
        let rendered = document.render();
        let mut written = Vec::new();
        document.write_to(&mut written).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), rendered);
        assert_eq!(document.to_string(), rendered);
        assert_eq!(document.is_unchanged(), rendered == document.source());
        rendered
    }

    #[test]
    fn writes_edits_in_place_and_knows_when_nothing_changed() {
        for text in ["\u{feff}[a]\r\nk=v\r\n\nx=y", "[a]\nk=v\n", "[a]\nk=v"] {
            let mut doc = Document::parse(text, Kind::Config);
            doc.replace_line(1, "k=v".to_owned());
            assert_eq!(agrees(&doc), text);
            assert!(doc.is_unchanged());
            doc.replace_line(1, "k = w".to_owned());
            assert!(agrees(&doc).contains("k = w"));
            assert!(!doc.is_unchanged());
            doc.replace_line(1, "k=v".to_owned());
            assert!(doc.is_unchanged());
            doc.insert_lines(0, vec!["# top".to_owned()]);
            assert!(agrees(&doc)
                .trim_start_matches('\u{feff}')
                .starts_with("# top"));
            doc.remove_lines(&[0]);
            assert_eq!(agrees(&doc), text);
            doc.insert_lines(doc.line_count(), vec!["[b]".to_owned()]);
            assert!(agrees(&doc).ends_with("[b]") || doc.render().ends_with("[b]\n"));
            doc.remove_lines(&[0]);
            assert!(!agrees(&doc).contains("[a]"));
            assert!(!doc.is_unchanged());
        }
        // Large unedited stretches go out whole, on either side of an edit.
        let big: String = (0..5000).map(|i| format!("k{i} = {i}\n")).collect();
        let text = format!("[a]\n{big}");
        let mut doc = Document::parse(&text, Kind::Config);
        doc.replace_line(2500, "k2499 = edited".to_owned());
        let out = agrees(&doc);
        assert_eq!(out.len(), text.len() + "edited".len() - "2499".len());
        assert!(out.contains("k2498 = 2498\nk2499 = edited\nk2500 = 2500\n"));
    }

    #[test]
    fn classifying_while_splitting_reads_like_classifying_after() {
        let mut text = String::from("\u{feff}# top\n");
        for i in 0..2_000 {
            text.push_str(&format!(
                "[profile p{i}]\r\nregion = r{i}\ns3 =\n  k = v\n\n; c\n"
            ));
            if i % 500 == 7 {
                text.push_str("  stray continuation\nbad line\n[broken\nk = v\n");
            }
        }
        text.push_str("[default]\nlast = 1");
        let doc = Document::parse(&text, Kind::Config);
        assert_eq!(*doc.layout(), scan::scan(&doc));
        assert_eq!(doc.errors().len(), 12, "{:?}", doc.errors());
        assert_eq!(doc.render(), text);
        assert_eq!(doc.line(doc.line_count() - 1), "last = 1");
    }

    #[test]
    fn a_line_holds_what_fits_and_refuses_the_rest() {
        for eol in [Eol::Lf, Eol::CrLf, Eol::None] {
            let mut line = Line::source(7, 12, eol).unwrap();
            assert_eq!(
                (line.at(), line.len(), line.eol(), line.is_owned()),
                (7, 12, eol, false)
            );
            line.set_eol(Eol::None);
            assert_eq!((line.at(), line.len(), line.eol()), (7, 12, Eol::None));
            let biggest = Line::source(u32::MAX as usize, Line::LEN as usize, eol).unwrap();
            assert_eq!((biggest.len(), biggest.eol()), (Line::LEN as usize, eol));
            assert!(Line::source(u32::MAX as usize + 1, 1, eol).is_none());
            assert!(Line::source(0, Line::LEN as usize + 1, eol).is_none());
            let owned = Line::owned(3, eol);
            assert_eq!((owned.at(), owned.eol(), owned.is_owned()), (3, eol, true));
        }
    }

    #[test]
    fn splits_at_every_newline() {
        // Bytes next to `\n` in value (0x09, 0x0b, 0x8a) must not be mistaken for it.
        let text: String = (0..300)
            .map(|i| match i % 11 {
                0 | 4 => '\n',
                1 => '\t',
                2 => '\u{b}',
                3 => '\u{28a}',
                _ => 'x',
            })
            .collect();
        for start in (0..70).filter(|&i| text.is_char_boundary(i)) {
            let text = &text[start..];
            let doc = Document::parse(text, Kind::Config);
            let mut expected: Vec<&str> = text.split('\n').collect();
            if text.ends_with('\n') {
                expected.pop();
            }
            let lines: Vec<&str> = (0..doc.line_count()).map(|i| doc.line(i)).collect();
            assert_eq!(lines, expected);
        }
    }

    #[test]
    fn a_carriage_return_at_the_end_stays_in_its_line() {
        let mut doc = Document::parse("[a]\nk=v\r", Kind::Config);
        doc.insert_lines(2, vec!["[b]".to_owned()]);
        assert_eq!(doc.render(), "[a]\nk=v\r\r\n[b]");
        let doc = Document::parse(&doc.render(), Kind::Config);
        assert_eq!(doc.line(1), "k=v\r");
    }

    #[test]
    fn removing_the_last_lines_keeps_a_missing_final_newline() {
        let mut doc = Document::parse("[a]\nk=v\n\n[b]", Kind::Config);
        doc.remove_lines(&[3]);
        assert_eq!(doc.render(), "[a]\nk=v");
        let mut doc = Document::parse("[a]\nk=v\n  \n[b]", Kind::Config);
        doc.remove_lines(&[3]);
        assert_eq!(doc.render(), "[a]\nk=v\n  ");
        let mut doc = Document::parse("\n\n[b]", Kind::Config);
        doc.remove_lines(&[2]);
        assert_eq!(doc.render(), "");
    }
}
