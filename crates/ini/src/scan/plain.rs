//! Reading one line the plain way, a byte or a character at a time: trimming, cutting a
//! comment, splitting a header. The word-at-a-time reading in [`super::swar`] is checked
//! against the specification's character-by-character reading, and falls back on these.

use std::ops::Range;

/// Space and tab: the only whitespace the specification knows.
pub(crate) fn is_whitespace(byte: u8) -> bool {
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
pub(crate) fn range_in(outer: &str, inner: &str) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    start..start + inner.len()
}

/// Whether the character before byte `index` of `s` is whitespace. Before a comment character
/// that is any Unicode whitespace, as in the reference parser.
pub(crate) fn after_whitespace(s: &str, index: usize) -> bool {
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

/// The text inside `[` `]` of any header line, the long way (a comment may follow the `]`);
/// returns the byte range of that text.
pub(crate) fn header_inner_with_comment(line: &str) -> Result<Range<usize>, &'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
