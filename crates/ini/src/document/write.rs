//! Writing a document out: the unedited stretches of the input go out as they are.

use super::{Document, BOM};
use crate::Eol;

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

#[cfg(test)]
mod tests {
    use crate::{Document, Kind};

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
}
