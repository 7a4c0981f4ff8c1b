//! The record of one line: eight bytes that say where its text is and how it ends.

use super::Eol;

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
    pub(super) fn source(at: usize, len: usize, eol: Eol) -> Option<Line> {
        let at = u32::try_from(at).ok()?;
        let len = u32::try_from(len).ok().filter(|&len| len <= Line::LEN)?;
        Some(Line {
            at,
            meta: len | Line::eol_bits(eol),
        })
    }

    /// `owned[index]`.
    pub(super) fn owned(index: usize, eol: Eol) -> Line {
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

    pub(super) fn at(self) -> usize {
        self.at as usize
    }

    pub(super) fn len(self) -> usize {
        (self.meta & Line::LEN) as usize
    }

    pub(super) fn is_owned(self) -> bool {
        self.meta & Line::OWNED != 0
    }

    pub(super) fn eol(self) -> Eol {
        match (self.meta >> 29) & 3 {
            0 => Eol::Lf,
            1 => Eol::CrLf,
            _ => Eol::None,
        }
    }

    pub(super) fn set_eol(&mut self, eol: Eol) {
        self.meta = (self.meta & !(3 << 29)) | Line::eol_bits(eol);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_line_costs_eight_bytes() {
        // A large file has millions of lines: this is most of what a document adds to its text.
        assert_eq!(std::mem::size_of::<Line>(), 8);
        assert_eq!(std::mem::size_of::<crate::scan::LineKind>(), 1);
    }
}
