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

/// Checks a value before it is written. The error never repeats the value, which may be a
/// secret.
pub fn validate_value(value: &str) -> Result<Option<ValueWarning>, String> {
    if value.contains(['\n', '\r']) {
        return Err("a value cannot contain a line break".to_owned());
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err("a value cannot start or end with a space or tab; SDKs trim them".to_owned());
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
}
