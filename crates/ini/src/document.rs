//! The line store: exact bytes in, exact bytes out. Each line is an eight-byte [`Line`]
//! pointing into the input or to text an edit wrote; [`write`](mod@write) puts the text back
//! together.

mod line;
mod write;

use std::ops::Range;

use crate::kind::Kind;
use crate::scan::{self, Diagnostic, Layout};
use line::Line;

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
        // The estimate was for short lines: give back what longer ones left unused.
        lines.shrink_to_fit();
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
    pub fn errors(&self) -> &[Diagnostic] {
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
    pub(crate) fn properties_of(
        &self,
        span: &scan::SectionSpan,
    ) -> scan::PropertySpans<'_, Document> {
        scan::PropertySpans::new(self, &self.layout().kinds, span)
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
        self.layout.get_or_init(|| scan::scan(self.kind, self))
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

/// The classification reads the lines of a document through this.
impl scan::Lines for Document {
    #[inline]
    fn count(&self) -> usize {
        self.line_count()
    }

    #[inline]
    fn line(&self, index: usize) -> &str {
        Document::line(self, index)
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
        assert_eq!(*doc.layout(), scan::scan(doc.kind(), &doc));
        assert_eq!(doc.errors().len(), 12, "{:?}", doc.errors());
        assert_eq!(doc.render(), text);
        assert_eq!(doc.line(doc.line_count() - 1), "last = 1");
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
