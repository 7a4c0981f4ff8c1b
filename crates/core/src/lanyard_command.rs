//! Lanyard's own `credential_process` line: `lanyard credential-process NAME`.
//!
//! SDKs run the line in two ways, and it must mean the same to both: botocore splits it with
//! POSIX shell rules (`shlex.split`) and runs the words; the AWS SDK for Rust and others hand
//! it to `sh -c` (`cmd.exe /C` on Windows). A word made only of letters, digits and
//! `/ . _ - + : @ % , =` is written bare; any other word is put in single quotes, with a quote
//! inside written `'\''` — which both readings take apart the same way. On Windows, where
//! paths cannot hold `"`, a word with spaces goes in double quotes.

/// The subcommand SDKs run.
pub const SUBCOMMAND: &str = "credential-process";

fn is_bare(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&b))
}

/// Quotes one word for the line, as the module documentation says.
pub fn quote(word: &str, windows: bool) -> String {
    if is_bare(word) {
        word.to_owned()
    } else if windows {
        format!("\"{word}\"")
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The line that makes an SDK run `program credential-process NAME`.
pub fn command_line(program: &str, name: &str, windows: bool) -> String {
    format!(
        "{} {SUBCOMMAND} {}",
        quote(program, windows),
        quote(name, windows)
    )
}

/// Splits a line into words with POSIX shell rules, as Python's `shlex.split` does: `None`
/// when a quote is left open.
pub fn split(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('\\' | '"' | '$' | '`') => word.push(c),
                            '\n' => {}
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') => {}
                    Some(c) => word.push(c),
                    None => return None,
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

/// The profile name in a `credential_process` line that runs Lanyard's own
/// `credential-process NAME`, if it is one.
pub fn served_name(line: &str) -> Option<String> {
    let words = windows_or_posix_split(line)?;
    let [program, sub, name] = words.as_slice() else {
        return None;
    };
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    (matches!(base, "lanyard" | "lanyard.exe") && sub == SUBCOMMAND).then(|| name.clone())
}

/// The program of a line that runs Lanyard's own `credential-process`, as written.
pub fn program_of(line: &str) -> Option<String> {
    served_name(line)?;
    windows_or_posix_split(line)?.into_iter().next()
}

/// A line written for Windows (`"C:\Program Files\…\lanyard.exe" …`) has backslashes that
/// POSIX rules would eat: such a line is split at spaces outside double quotes.
fn windows_or_posix_split(line: &str) -> Option<Vec<String>> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('"') && trimmed.contains('\\') {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quoted = false;
        for c in trimmed.chars() {
            match c {
                '"' => quoted = !quoted,
                c if c.is_whitespace() && !quoted => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                c => word.push(c),
            }
        }
        if quoted {
            return None;
        }
        if !word.is_empty() {
            words.push(word);
        }
        return Some(words);
    }
    split(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_its_own_command() {
        let name = |line: &str| served_name(line);
        assert_eq!(
            name("lanyard credential-process dev").as_deref(),
            Some("dev")
        );
        assert_eq!(
            name("/usr/local/bin/lanyard credential-process a.b").as_deref(),
            Some("a.b")
        );
        assert_eq!(
            name("\"C:\\Program Files\\Lanyard\\lanyard.exe\" credential-process x").as_deref(),
            Some("x")
        );
        assert_eq!(
            name("'/Applications/Lanyard App/lanyard' credential-process y").as_deref(),
            Some("y")
        );
        assert_eq!(name("lanyard credential-process"), None);
        assert_eq!(name("aws-vault export dev"), None);
        assert_eq!(name("lanyard credential-process a b"), None);
    }

    #[test]
    fn quoted_lines_split_back_into_the_same_words() {
        for program in [
            "/usr/bin/lanyard",
            "/home/o'brien/bin/lanyard",
            "/opt/My Apps/lanyard",
            "/tmp/a\"b/lanyard",
            "/tmp/$HOME/`x`/lanyard",
            "/tmp/back\\slash/lanyard",
        ] {
            let line = command_line(program, "dev", false);
            assert_eq!(
                split(&line).unwrap(),
                vec![program.to_owned(), SUBCOMMAND.to_owned(), "dev".to_owned()],
                "{line}"
            );
            assert_eq!(served_name(&line).as_deref(), Some("dev"), "{line}");
        }
        assert_eq!(
            command_line("/usr/bin/lanyard", "dev", false),
            "/usr/bin/lanyard credential-process dev"
        );
    }

    #[test]
    fn splits_like_shlex() {
        assert_eq!(
            split("a 'b c' \"d\\\"e\" f\\ g").unwrap(),
            ["a", "b c", "d\"e", "f g"]
        );
        assert_eq!(split("'open"), None);
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
    }
}
