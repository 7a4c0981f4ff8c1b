//! The properties of a section, read from its classified lines when asked for.

use std::ops::Range;

use super::plain::range_in;
use super::swar::split_property;
use super::{LineKind, Lines, SectionSpan};

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

/// The properties of a section, read from its lines as they are asked for: each property line
/// with the continuation and sub-property lines that follow it. (No allocation but for
/// those lines: the semantic view walks every section of a large file.)
pub(crate) struct PropertySpans<'a, L> {
    lines: &'a L,
    kinds: &'a [LineKind],
    next: usize,
    end: usize,
}

impl<'a, L: Lines> PropertySpans<'a, L> {
    /// The properties of the section `span` of `lines`, classified as `kinds`.
    pub(crate) fn new(lines: &'a L, kinds: &'a [LineKind], span: &SectionSpan) -> Self {
        PropertySpans {
            lines,
            kinds,
            next: span.header + 1,
            end: span.end,
        }
    }
}

impl<L: Lines> Iterator for PropertySpans<'_, L> {
    type Item = PropertySpan;

    fn next(&mut self) -> Option<PropertySpan> {
        while self.next < self.end {
            let index = self.next;
            self.next += 1;
            if self.kinds[index] != LineKind::Property {
                continue;
            }
            let text = self.lines.line(index);
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
