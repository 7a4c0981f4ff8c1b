//! Reading a property or header line eight bytes at a time (SWAR: SIMD within a register).
//! Lines are short, so one `u64` compared against `=`, `#` and `;` at once beats both a byte
//! loop and a SIMD search started anew for each line. Every function here gives the same
//! answer, at the same byte offsets, as the specification's character-by-character reading:
//! the tests check that on every short string of the characters that matter and on 20,000
//! longer random ones.

use std::ops::Range;

use super::plain::{after_whitespace, header_inner_with_comment, is_whitespace, trim};

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of the result is set where that byte of `word` is `byte`, and
/// only there (no carries cross bytes).
fn byte_bits(word: u64, byte: u8) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::super::plain::{range_in, split_header, strip_comment};
    use super::*;

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
}
