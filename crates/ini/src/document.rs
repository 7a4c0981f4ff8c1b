//! The line store: exact bytes in, exact bytes out.

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

/// Where a line's text lives: a slice of the original input, or text an edit wrote.
#[derive(Clone, Debug)]
enum Text {
    Source { start: usize, end: usize },
    Owned(String),
}

#[derive(Clone, Debug)]
pub(crate) struct Line {
    text: Text,
    pub(crate) eol: Eol,
}

/// A parsed AWS config or credentials file that writes back exactly what it read.
#[derive(Clone, Debug)]
pub struct Document {
    kind: Kind,
    source: String,
    bom: bool,
    lines: Vec<Line>,
    pub(crate) layout: Layout,
}

const BOM: char = '\u{feff}';

impl Document {
    /// Parses `text`. This never fails: lines the format rejects are kept as they are and
    /// reported by [`Document::errors`].
    pub fn parse(text: &str, kind: Kind) -> Document {
        let source = text.to_owned();
        let bom = source.starts_with(BOM);
        let mut lines = Vec::with_capacity(source.len() / 24 + 1);
        let bytes = source.as_bytes();
        let mut start = if bom { BOM.len_utf8() } else { 0 };
        while start < bytes.len() {
            match memchr_newline(&bytes[start..]) {
                Some(offset) => {
                    let newline = start + offset;
                    let (end, eol) = if newline > start && bytes[newline - 1] == b'\r' {
                        (newline - 1, Eol::CrLf)
                    } else {
                        (newline, Eol::Lf)
                    };
                    lines.push(Line {
                        text: Text::Source { start, end },
                        eol,
                    });
                    start = newline + 1;
                }
                None => {
                    lines.push(Line {
                        text: Text::Source {
                            start,
                            end: bytes.len(),
                        },
                        eol: Eol::None,
                    });
                    start = bytes.len();
                }
            }
        }
        let mut document = Document {
            kind,
            source,
            bom,
            lines,
            layout: Layout::default(),
        };
        document.rescan();
        document
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
        match &self.lines[index].text {
            Text::Source { start, end } => &self.source[*start..*end],
            Text::Owned(text) => text,
        }
    }

    /// The errors the specification reports for this document, first one first. A document
    /// with errors is read by no SDK and is never edited.
    pub fn errors(&self) -> &[crate::Diagnostic] {
        &self.layout.errors
    }

    /// The line ending new lines get: the one most lines already use.
    pub(crate) fn newline(&self) -> Eol {
        let crlf = self.lines.iter().filter(|l| l.eol == Eol::CrLf).count();
        let lf = self.lines.iter().filter(|l| l.eol == Eol::Lf).count();
        if crlf > lf {
            Eol::CrLf
        } else {
            Eol::Lf
        }
    }

    /// Re-classifies every line after a change.
    pub(crate) fn rescan(&mut self) {
        let layout = scan::scan(self);
        self.layout = layout;
    }

    /// Replaces the text of line `index`, keeping its line ending.
    pub(crate) fn replace_line(&mut self, index: usize, text: String) {
        self.lines[index].text = Text::Owned(text);
    }

    /// Inserts `texts` as new lines before line `at` (`at == line_count()` appends). The file's
    /// final-newline state is kept: text appended after a last line without a newline ends
    /// without one too.
    pub(crate) fn insert_lines(&mut self, at: usize, texts: Vec<String>) {
        if texts.is_empty() {
            return;
        }
        let newline = self.newline();
        let appending_after_unterminated =
            at == self.lines.len() && self.lines.last().is_some_and(|l| l.eol == Eol::None);
        let count = texts.len();
        let new = texts.into_iter().map(|t| Line {
            text: Text::Owned(t),
            eol: newline,
        });
        self.lines.splice(at..at, new);
        if appending_after_unterminated {
            self.lines[at - 1].eol = newline;
            self.lines[at + count - 1].eol = Eol::None;
        }
    }

    /// Removes the lines whose indices are in `indices` (any order, duplicates allowed).
    pub(crate) fn remove_lines(&mut self, indices: &[usize]) {
        if indices.is_empty() {
            return;
        }
        let mut doomed = vec![false; self.lines.len()];
        for &i in indices {
            doomed[i] = true;
        }
        let last_was_unterminated = self.lines.last().is_some_and(|l| l.eol == Eol::None);
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
                last.eol = Eol::None;
            }
        }
    }
}

impl std::fmt::Display for Document {
    /// Writes the document back: byte for byte the input, plus the edits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.bom {
            f.write_str("\u{feff}")?;
        }
        for (index, line) in self.lines.iter().enumerate() {
            f.write_str(self.line(index))?;
            f.write_str(line.eol.as_str())?;
        }
        Ok(())
    }
}

impl Document {
    /// The whole document as text; faster than the `Display` impl for large files.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.source.len() + 64);
        if self.bom {
            out.push(BOM);
        }
        for (index, line) in self.lines.iter().enumerate() {
            out.push_str(self.line(index));
            out.push_str(line.eol.as_str());
        }
        out
    }
}

fn memchr_newline(haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        for kind in [Kind::Config, Kind::Credentials] {
            assert_eq!(Document::parse(text, kind).render(), text, "{text:?}");
            assert_eq!(Document::parse(text, kind).to_string(), text, "{text:?}");
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
