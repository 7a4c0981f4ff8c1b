//! What may be written: names, keys and values every SDK reads the same way.

/// Whether `s` is a name or key every SDK following the specification accepts:
/// non-empty, of ASCII letters and digits and `_ - / . % @ : +`.
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| IDENTIFIER[usize::from(b)])
}

/// Which bytes may appear in an identifier (a table: every header of a large file asks).
const IDENTIFIER: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+');
        b += 1;
    }
    table
};

/// Checks a profile, `sso-session` or `services` name before it is written.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name cannot be empty".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|&c| !is_identifier(c.encode_utf8(&mut [0; 4])))
    {
        return Err(format!(
            "`{name}` contains {}, which SDKs following the specification do not accept; \
             use only letters, digits and _ - / . % @ : +",
            describe(bad)
        ));
    }
    Ok(())
}

/// Checks a property key before it is written.
pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("a key cannot be empty".to_owned());
    }
    if let Some(bad) = key
        .chars()
        .find(|&c| !is_identifier(c.encode_utf8(&mut [0; 4])))
    {
        return Err(format!(
            "the key `{key}` contains {}; keys use only letters, digits and _ - / . % @ : +",
            describe(bad)
        ));
    }
    Ok(())
}

fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\t' => "a tab".to_owned(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

/// A value every SDK can read, but not all in the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueWarning {
    /// The value contains `#` or `;`; some Go SDK releases cut the value there.
    CommentCharacter,
}

impl std::fmt::Display for ValueWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueWarning::CommentCharacter => f.write_str(
                "the value contains `#` or `;`, which some releases of the AWS SDK for Go cut off",
            ),
        }
    }
}

/// The name of `c` if it is one of the characters botocore, and so the AWS CLI, strips from
/// both ends of a value: Python's `str.strip()` takes off every character of `str.isspace()`.
/// The SDKs that follow the specification trim spaces and tabs only, so a value that starts or
/// ends with any other of these reads differently in the two. (Python's set is Rust's
/// `char::is_whitespace` plus the four information separators U+001C to U+001F.)
fn stripped_by_botocore(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{9}' => "CHARACTER TABULATION",
        '\u{a}' => "LINE FEED",
        '\u{b}' => "LINE TABULATION",
        '\u{c}' => "FORM FEED",
        '\u{d}' => "CARRIAGE RETURN",
        '\u{1c}' => "INFORMATION SEPARATOR FOUR",
        '\u{1d}' => "INFORMATION SEPARATOR THREE",
        '\u{1e}' => "INFORMATION SEPARATOR TWO",
        '\u{1f}' => "INFORMATION SEPARATOR ONE",
        ' ' => "SPACE",
        '\u{85}' => "NEXT LINE",
        '\u{a0}' => "NO-BREAK SPACE",
        '\u{1680}' => "OGHAM SPACE MARK",
        '\u{2000}' => "EN QUAD",
        '\u{2001}' => "EM QUAD",
        '\u{2002}' => "EN SPACE",
        '\u{2003}' => "EM SPACE",
        '\u{2004}' => "THREE-PER-EM SPACE",
        '\u{2005}' => "FOUR-PER-EM SPACE",
        '\u{2006}' => "SIX-PER-EM SPACE",
        '\u{2007}' => "FIGURE SPACE",
        '\u{2008}' => "PUNCTUATION SPACE",
        '\u{2009}' => "THIN SPACE",
        '\u{200a}' => "HAIR SPACE",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202f}' => "NARROW NO-BREAK SPACE",
        '\u{205f}' => "MEDIUM MATHEMATICAL SPACE",
        '\u{3000}' => "IDEOGRAPHIC SPACE",
        _ => return None,
    })
}

/// Checks a value before it is written. The error never repeats the value, which may be a
/// secret.
pub fn validate_value(value: &str) -> Result<Option<ValueWarning>, String> {
    if value.contains(['\n', '\r']) {
        return Err("a value cannot contain a line break".to_owned());
    }
    for (c, end) in [
        (value.chars().next(), "start"),
        (value.chars().next_back(), "end"),
    ] {
        let Some((c, name)) = c.and_then(|c| stripped_by_botocore(c).map(|name| (c, name))) else {
            continue;
        };
        let who = if matches!(c, ' ' | '\t') {
            "which SDKs trim"
        } else {
            "which the AWS CLI strips and the other SDKs keep"
        };
        return Err(format!(
            "a value cannot start or end with whitespace: U+{:04X} {name} at the {end}, {who}",
            u32::from(c)
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err("a value cannot contain control characters".to_owned());
    }
    // Written as `key = value`, a value that starts with `#` or `;` would be a comment.
    if value.starts_with(['#', ';']) {
        return Err(
            "a value cannot start with `#` or `;`: SDKs would read it as a comment".to_owned(),
        );
    }
    // Whitespace before `#` or `;` is any Unicode whitespace, as in the SDKs' parser.
    let mut previous = None;
    for ch in value.chars() {
        if (ch == '#' || ch == ';') && previous.is_some_and(char::is_whitespace) {
            return Err(
                "a value cannot contain ` #` or ` ;`: SDKs read everything after it as a comment"
                    .to_owned(),
            );
        }
        previous = Some(ch);
    }
    if value.contains(['#', ';']) {
        return Ok(Some(ValueWarning::CommentCharacter));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("some-thing:long/the_one%only.foo@bar+"));
        assert!(!is_identifier("my profile"));
        assert!(!is_identifier("'quoted'"));
        assert!(!is_identifier(""));
        assert!(validate_name("é").is_err());
    }

    #[test]
    fn values() {
        assert_eq!(validate_value("https://x.awsapps.com/start"), Ok(None));
        assert_eq!(
            validate_value("https://x.awsapps.com/start#/"),
            Ok(Some(ValueWarning::CommentCharacter))
        );
        assert!(validate_value("a # b").is_err());
        // Written after `key = `, these would be read as comments.
        assert!(validate_value("#x").is_err());
        assert!(validate_value(";x").is_err());
        assert!(validate_value("a\u{a0}#b").is_err());
        assert_eq!(
            validate_value("a#b"),
            Ok(Some(ValueWarning::CommentCharacter))
        );
        assert!(validate_value(" a").is_err());
        assert!(validate_value("a\nb").is_err());
        let err = validate_value("secret\n").unwrap_err();
        assert!(!err.contains("secret"));
    }

    /// Python's `str.isspace()` set: what botocore's `str.strip()`, and so the AWS CLI, takes
    /// off both ends of a value. Listed from Python 3.11:
    /// `python3 -c "import sys; print([hex(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()])"`
    const PYTHON_WHITESPACE: [char; 29] = [
        '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{1f}',
        '\u{20}', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}',
        '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200a}',
        '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
    ];

    #[test]
    fn whitespace_that_botocore_strips_is_refused_at_either_end_by_name() {
        for c in PYTHON_WHITESPACE {
            for (value, end) in [
                (format!("{c}eu-west-1"), "start"),
                (format!("eu-west-1{c}"), "end"),
            ] {
                let reason = match validate_value(&value) {
                    Ok(warning) => panic!("{value:?} was accepted ({warning:?})"),
                    Err(reason) => reason,
                };
                assert!(!reason.contains("eu-west-1"), "{reason}");
                if matches!(c, '\n' | '\r') {
                    assert!(reason.contains("line break"), "{value:?}: {reason}");
                } else {
                    let at = format!("U+{:04X} ", u32::from(c));
                    assert!(reason.contains(&at), "{value:?}: {reason}");
                    assert!(
                        reason.contains(&format!(" at the {end}")),
                        "{value:?}: {reason}"
                    );
                }
            }
        }
        assert_eq!(
            validate_value("eu-west-1\u{a0}"),
            Err(
                "a value cannot start or end with whitespace: U+00A0 NO-BREAK SPACE at the end, \
                 which the AWS CLI strips and the other SDKs keep"
                    .to_owned()
            )
        );
        let reason = validate_value("\u{3000}x").unwrap_err();
        assert!(
            reason.contains("U+3000 IDEOGRAPHIC SPACE at the start"),
            "{reason}"
        );
        let reason = validate_value("x ").unwrap_err();
        assert!(reason.contains("U+0020 SPACE at the end"), "{reason}");
    }

    #[test]
    fn only_the_characters_python_strips_count_as_surrounding_whitespace() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let value = format!("a{c}");
            let named = validate_value(&value).is_err_and(|reason| reason.contains("at the end"));
            let stripped = PYTHON_WHITESPACE.contains(&c) && !matches!(c, '\n' | '\r');
            assert_eq!(named, stripped, "{value:?}");
        }
        // Inside a value they are kept by every SDK.
        for value in ["eu\u{a0}west-1", "a\u{3000}b", "a\u{2028}b", "a b"] {
            assert_eq!(validate_value(value), Ok(None), "{value:?}");
        }
    }
}
