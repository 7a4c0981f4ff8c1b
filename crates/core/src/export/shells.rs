//! Each format's lines: how a variable is set and removed, how a value is quoted, and which
//! values a format cannot hold. The rules, and why they are what they are, are in the
//! [module documentation](super).

use std::borrow::Cow;

use super::Format;

/// Why a value cannot be written in a format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A NUL character, which no environment variable can hold (every format).
    Nul,
    /// An empty value: setting one deletes the variable (cmd and PowerShell).
    Empty,
    /// A double quote, which `set "K=v"` cannot carry (cmd).
    DoubleQuote,
    /// A line break or another ASCII control character, which a pasted `set` line cannot
    /// carry (cmd).
    ControlCharacter,
    /// More than one `%`, which the command line may expand as `%NAME%` (cmd).
    Percent,
    /// A `$` before a letter, digit, `_`, `{`, `(` or `$`, which python-dotenv and docker
    /// compose read differently (dotenv).
    Dollar,
    /// A backslash at the end, which python-dotenv cannot read back (dotenv).
    TrailingBackslash,
}

impl Problem {
    pub(super) fn describe(self) -> &'static str {
        match self {
            Problem::Nul => "contains a NUL character, which no environment variable can hold",
            Problem::Empty => "is empty, and setting an empty value deletes the variable there",
            Problem::DoubleQuote => {
                "contains a double quote (\"), which cmd's `set \"NAME=value\"` cannot carry"
            }
            Problem::ControlCharacter => {
                "contains a line break or another control character, which a pasted cmd line \
                 cannot carry"
            }
            Problem::Percent => {
                "contains more than one `%`, which cmd may expand as a %VARIABLE% reference"
            }
            Problem::Dollar => {
                "contains a `$` before a name, `{`, `(` or `$`, which python-dotenv and docker \
                 compose read differently"
            }
            Problem::TrailingBackslash => {
                "ends with a backslash, which python-dotenv cannot read back from a quoted value"
            }
        }
    }
}

/// Why `value` cannot be written in `format`, if it cannot.
pub(super) fn problem(format: Format, value: &str) -> Option<Problem> {
    if value.contains('\0') {
        return Some(Problem::Nul);
    }
    match format {
        Format::Cmd => {
            if value.is_empty() {
                Some(Problem::Empty)
            } else if value.contains('"') {
                Some(Problem::DoubleQuote)
            } else if value.chars().any(|c| c.is_ascii_control()) {
                Some(Problem::ControlCharacter)
            } else if value.matches('%').nth(1).is_some() {
                Some(Problem::Percent)
            } else {
                None
            }
        }
        Format::PowerShell if value.is_empty() => Some(Problem::Empty),
        Format::Dotenv => {
            let mut chars = value.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' {
                    if let Some(&next) = chars.peek() {
                        if next.is_alphanumeric() || matches!(next, '_' | '{' | '(' | '$') {
                            return Some(Problem::Dollar);
                        }
                    }
                }
            }
            value.ends_with('\\').then_some(Problem::TrailingBackslash)
        }
        _ => None,
    }
}

/// The line that sets `name` to `value` in a line-based format (every one but JSON); the value
/// has passed [`problem`].
pub(super) fn set_line(out: &mut String, format: Format, name: &str, value: &str) {
    match format {
        Format::Bash | Format::Zsh => {
            out.push_str("export ");
            out.push_str(name);
            out.push('=');
            posix_quote(out, value);
        }
        Format::Fish => {
            out.push_str("set -gx ");
            out.push_str(name);
            out.push(' ');
            fish_quote(out, value);
        }
        Format::PowerShell => {
            out.push_str("$Env:");
            out.push_str(name);
            out.push_str(" = ");
            powershell_quote(out, value);
        }
        Format::Cmd => {
            // `problem` has refused everything that needs escaping here.
            out.push_str("set \"");
            out.push_str(name);
            out.push('=');
            out.push_str(value);
            out.push('"');
        }
        Format::Dotenv => {
            out.push_str(name);
            out.push('=');
            dotenv_quote(out, value);
        }
        Format::Json => unreachable!("JSON is an object, written by `json_object`"),
    }
    out.push('\n');
}

/// The line that removes `name`, in a format that [removes variables](Format::removes_variables).
pub(super) fn remove_line(out: &mut String, format: Format, name: &str) {
    match format {
        Format::Bash | Format::Zsh => {
            out.push_str("unset ");
            out.push_str(name);
        }
        Format::Fish => {
            out.push_str("set -e ");
            out.push_str(name);
        }
        Format::PowerShell => {
            out.push_str("Remove-Item Env:");
            out.push_str(name);
            out.push_str(" -ErrorAction SilentlyContinue");
        }
        Format::Cmd => {
            out.push_str("set \"");
            out.push_str(name);
            out.push_str("=\"");
        }
        Format::Dotenv | Format::Json => unreachable!("nothing to remove"),
    }
    out.push('\n');
}

/// The JSON format: one pretty-printed object of the variables to set.
pub(super) fn json_object(out: &mut String, set: &[(&str, Cow<'_, str>)]) {
    out.push('{');
    for (index, (name, value)) in set.iter().enumerate() {
        out.push_str(if index == 0 { "\n  " } else { ",\n  " });
        json_string(out, name);
        out.push_str(": ");
        json_string(out, value);
    }
    out.push_str("\n}\n");
}

/// The escape a C-like string (`$'…'` in bash and zsh, fish outside quotes) takes for an ASCII
/// control character.
fn c_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ => {
            out.push_str("\\x");
            hex_byte(out, c as u8);
        }
    }
}

fn hex_byte(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0xF)]));
}

/// bash and zsh: single-quoted pieces, `'` as `\'` between them, control characters in
/// `$'…'` pieces.
fn posix_quote(out: &mut String, value: &str) {
    #[derive(Clone, Copy, PartialEq)]
    enum Piece {
        None,
        Single,
        AnsiC,
    }
    if value.is_empty() {
        out.push_str("''");
        return;
    }
    let mut piece = Piece::None;
    for c in value.chars() {
        let wanted = if c == '\'' {
            Piece::None
        } else if c.is_ascii_control() {
            Piece::AnsiC
        } else {
            Piece::Single
        };
        if piece != wanted {
            if piece != Piece::None {
                out.push('\'');
            }
            match wanted {
                Piece::Single => out.push('\''),
                Piece::AnsiC => out.push_str("$'"),
                Piece::None => {}
            }
            piece = wanted;
        }
        match wanted {
            Piece::None => out.push_str("\\'"),
            Piece::AnsiC => c_escape(out, c),
            Piece::Single => out.push(c),
        }
    }
    if piece != Piece::None {
        out.push('\'');
    }
}

/// fish: single-quoted pieces with `\\` and `\'`, control characters as unquoted escapes.
fn fish_quote(out: &mut String, value: &str) {
    if value.is_empty() {
        out.push_str("''");
        return;
    }
    let mut quoted = false;
    for c in value.chars() {
        if c.is_ascii_control() {
            if quoted {
                out.push('\'');
                quoted = false;
            }
            c_escape(out, c);
        } else {
            if !quoted {
                out.push('\'');
                quoted = true;
            }
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                _ => out.push(c),
            }
        }
    }
    if quoted {
        out.push('\'');
    }
}

/// PowerShell: single-quoted pieces with every quote character doubled, control characters
/// as `[char]0xHH`, joined with `+` (a string first, so `+` concatenates).
fn powershell_quote(out: &mut String, value: &str) {
    let mut quoted = false;
    let mut first = true;
    for c in value.chars() {
        if c.is_ascii_control() {
            if quoted {
                out.push('\'');
                quoted = false;
            } else if first {
                out.push_str("''");
            }
            out.push_str(" + [char]0x");
            hex_byte(out, c as u8);
        } else {
            if !quoted {
                if !first {
                    out.push_str(" + ");
                }
                out.push('\'');
                quoted = true;
            }
            if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
                out.push(c);
            }
            out.push(c);
        }
        first = false;
    }
    if first {
        out.push_str("''");
    } else if quoted {
        out.push('\'');
    }
}

/// dotenv: double quotes with `\\`, `\"`, `\n` and `\r`.
fn dotenv_quote(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON string literal.
fn json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                out.push_str("\\u00");
                hex_byte(out, c as u8);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::Problem;
    use crate::export::tests::{long_term, temporary, with_region, without_region, TRICKY};
    use crate::export::variables::SECRET_ACCESS_KEY;
    use crate::export::{render, Format};

    /// [`TRICKY`] without what cmd cannot carry (`"`, a second `%`).
    const CMD_TRICKY: &str = "a'b$HOME%PATH!d\\e`f g;h&i|j^k<l>m é";
    /// [`TRICKY`] without what dotenv refuses (`$` before a name, a final backslash).
    const DOTENV_TRICKY: &str = "a'b\"c$ $%PATH%!d\\e`f g;h&i|j^k<l>m é$";

    #[test]
    fn bash_and_zsh() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        let expected = "\
export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'
export AWS_SECRET_ACCESS_KEY='wJalr/K7MDENG+bPxR'
export AWS_SESSION_TOKEN='FwoGZXIvYXdzEXAMPLE+/='
export AWS_CREDENTIAL_EXPIRATION='2023-11-14T22:13:20Z'
export AWS_REGION='eu-west-1'
export AWS_DEFAULT_REGION='eu-west-1'
unset AWS_SECURITY_TOKEN
unset AWS_PROFILE
unset AWS_DEFAULT_PROFILE
unset LANYARD_PROFILE
";
        assert_eq!(
            render(&with_region(&credentials), Format::Bash).unwrap(),
            expected
        );
        assert_eq!(
            render(&with_region(&credentials), Format::Zsh).unwrap(),
            expected
        );

        let credentials = long_term();
        assert_eq!(
            render(&without_region(&credentials), Format::Bash).unwrap(),
            "\
export AWS_ACCESS_KEY_ID='AKIAEXAMPLE'
export AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
unset AWS_SESSION_TOKEN
unset AWS_CREDENTIAL_EXPIRATION
unset AWS_SECURITY_TOKEN
unset AWS_PROFILE
unset AWS_DEFAULT_PROFILE
unset AWS_REGION
unset AWS_DEFAULT_REGION
unset LANYARD_PROFILE
"
        );
    }

    fn secret_line(format: Format, secret: &str) -> String {
        let credentials = temporary(secret);
        let text = render(&with_region(&credentials), format).unwrap();
        text.lines()
            .find(|line| line.contains(SECRET_ACCESS_KEY))
            .unwrap()
            .to_owned()
    }

    #[test]
    fn bash_quotes_the_tricky_value() {
        assert_eq!(
            secret_line(Format::Bash, TRICKY),
            r#"export AWS_SECRET_ACCESS_KEY='a'\''b"c$HOME%PATH%!d\e`f g;h&i|j^k<l>m é'"#
        );
        assert_eq!(
            secret_line(Format::Zsh, "'x'"),
            r#"export AWS_SECRET_ACCESS_KEY=\''x'\'"#
        );
        assert_eq!(
            secret_line(Format::Bash, "a\nb\tc\u{1b}'\r"),
            r#"export AWS_SECRET_ACCESS_KEY='a'$'\n''b'$'\t''c'$'\x1B'\'$'\r'"#
        );
        assert_eq!(
            secret_line(Format::Bash, "\n"),
            r#"export AWS_SECRET_ACCESS_KEY=$'\n'"#
        );
        assert_eq!(
            secret_line(Format::Bash, ""),
            "export AWS_SECRET_ACCESS_KEY=''"
        );
    }

    #[test]
    fn fish() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        assert_eq!(
            render(&with_region(&credentials), Format::Fish).unwrap(),
            "\
set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLE'
set -gx AWS_SECRET_ACCESS_KEY 'wJalr/K7MDENG+bPxR'
set -gx AWS_SESSION_TOKEN 'FwoGZXIvYXdzEXAMPLE+/='
set -gx AWS_CREDENTIAL_EXPIRATION '2023-11-14T22:13:20Z'
set -gx AWS_REGION 'eu-west-1'
set -gx AWS_DEFAULT_REGION 'eu-west-1'
set -e AWS_SECURITY_TOKEN
set -e AWS_PROFILE
set -e AWS_DEFAULT_PROFILE
set -e LANYARD_PROFILE
"
        );
        let credentials = long_term();
        let text = render(&without_region(&credentials), Format::Fish).unwrap();
        assert!(text.contains("\nset -e AWS_SESSION_TOKEN\nset -e AWS_CREDENTIAL_EXPIRATION\n"));
        assert!(text.contains("\nset -e AWS_REGION\nset -e AWS_DEFAULT_REGION\n"));
    }

    #[test]
    fn fish_quotes_the_tricky_value() {
        assert_eq!(
            secret_line(Format::Fish, TRICKY),
            r#"set -gx AWS_SECRET_ACCESS_KEY 'a\'b"c$HOME%PATH%!d\\e`f g;h&i|j^k<l>m é'"#
        );
        assert_eq!(
            secret_line(Format::Fish, "\\'\n-x\u{7f}"),
            r#"set -gx AWS_SECRET_ACCESS_KEY '\\\''\n'-x'\x7F"#
        );
        assert_eq!(
            secret_line(Format::Fish, ""),
            "set -gx AWS_SECRET_ACCESS_KEY ''"
        );
    }

    #[test]
    fn powershell() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        assert_eq!(
            render(&with_region(&credentials), Format::PowerShell).unwrap(),
            "\
$Env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE'
$Env:AWS_SECRET_ACCESS_KEY = 'wJalr/K7MDENG+bPxR'
$Env:AWS_SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE+/='
$Env:AWS_CREDENTIAL_EXPIRATION = '2023-11-14T22:13:20Z'
$Env:AWS_REGION = 'eu-west-1'
$Env:AWS_DEFAULT_REGION = 'eu-west-1'
Remove-Item Env:AWS_SECURITY_TOKEN -ErrorAction SilentlyContinue
Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue
Remove-Item Env:AWS_DEFAULT_PROFILE -ErrorAction SilentlyContinue
Remove-Item Env:LANYARD_PROFILE -ErrorAction SilentlyContinue
"
        );
        let credentials = long_term();
        let text = render(&without_region(&credentials), Format::PowerShell).unwrap();
        assert!(text.contains("Remove-Item Env:AWS_SESSION_TOKEN -ErrorAction"));
        assert!(text.contains("Remove-Item Env:AWS_DEFAULT_REGION -ErrorAction"));
    }

    #[test]
    fn powershell_quotes_the_tricky_value() {
        assert_eq!(
            secret_line(Format::PowerShell, TRICKY),
            r#"$Env:AWS_SECRET_ACCESS_KEY = 'a''b"c$HOME%PATH%!d\e`f g;h&i|j^k<l>m é'"#
        );
        assert_eq!(
            secret_line(Format::PowerShell, "‘x’‚y‛"),
            "$Env:AWS_SECRET_ACCESS_KEY = '‘‘x’’‚‚y‛‛'"
        );
        assert_eq!(
            secret_line(Format::PowerShell, "a\nb"),
            "$Env:AWS_SECRET_ACCESS_KEY = 'a' + [char]0x0A + 'b'"
        );
        assert_eq!(
            secret_line(Format::PowerShell, "\r\n'"),
            "$Env:AWS_SECRET_ACCESS_KEY = '' + [char]0x0D + [char]0x0A + ''''"
        );
        let credentials = temporary("");
        let error = render(&with_region(&credentials), Format::PowerShell).unwrap_err();
        assert_eq!(error.problem, Problem::Empty);
    }

    #[test]
    fn cmd() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        assert_eq!(
            render(&with_region(&credentials), Format::Cmd).unwrap(),
            "\
set \"AWS_ACCESS_KEY_ID=ASIAEXAMPLE\"
set \"AWS_SECRET_ACCESS_KEY=wJalr/K7MDENG+bPxR\"
set \"AWS_SESSION_TOKEN=FwoGZXIvYXdzEXAMPLE+/=\"
set \"AWS_CREDENTIAL_EXPIRATION=2023-11-14T22:13:20Z\"
set \"AWS_REGION=eu-west-1\"
set \"AWS_DEFAULT_REGION=eu-west-1\"
set \"AWS_SECURITY_TOKEN=\"
set \"AWS_PROFILE=\"
set \"AWS_DEFAULT_PROFILE=\"
set \"LANYARD_PROFILE=\"
"
        );
        let credentials = long_term();
        let text = render(&without_region(&credentials), Format::Cmd).unwrap();
        assert!(text.contains("\nset \"AWS_SESSION_TOKEN=\"\nset \"AWS_CREDENTIAL_EXPIRATION=\"\n"));
        assert!(text.contains("\nset \"AWS_REGION=\"\nset \"AWS_DEFAULT_REGION=\"\n"));
    }

    #[test]
    fn cmd_writes_what_it_can_and_refuses_the_rest() {
        assert_eq!(
            secret_line(Format::Cmd, CMD_TRICKY),
            r#"set "AWS_SECRET_ACCESS_KEY=a'b$HOME%PATH!d\e`f g;h&i|j^k<l>m é""#
        );
        for (secret, problem) in [
            (TRICKY, Problem::DoubleQuote),
            ("a\nb", Problem::ControlCharacter),
            ("a\rb", Problem::ControlCharacter),
            ("a\tb", Problem::ControlCharacter),
            ("%a%", Problem::Percent),
            ("%%", Problem::Percent),
            ("", Problem::Empty),
            ("a\0b", Problem::Nul),
        ] {
            let credentials = temporary(secret);
            let error = render(&with_region(&credentials), Format::Cmd).unwrap_err();
            assert_eq!(error.problem, problem, "{secret:?}");
            assert_eq!(error.variable, SECRET_ACCESS_KEY);
            let text = error.to_string();
            assert!(
                text.contains("AWS_SECRET_ACCESS_KEY of profile `dev` as cmd"),
                "{text}"
            );
            if !matches!(problem, Problem::Empty | Problem::Nul) {
                assert!(text.contains("fix: use --format powershell"), "{text}");
            }
        }
    }

    #[test]
    fn dotenv() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        assert_eq!(
            render(&with_region(&credentials), Format::Dotenv).unwrap(),
            "\
AWS_ACCESS_KEY_ID=\"ASIAEXAMPLE\"
AWS_SECRET_ACCESS_KEY=\"wJalr/K7MDENG+bPxR\"
AWS_SESSION_TOKEN=\"FwoGZXIvYXdzEXAMPLE+/=\"
AWS_CREDENTIAL_EXPIRATION=\"2023-11-14T22:13:20Z\"
AWS_REGION=\"eu-west-1\"
AWS_DEFAULT_REGION=\"eu-west-1\"
"
        );
        let credentials = long_term();
        assert_eq!(
            render(&without_region(&credentials), Format::Dotenv).unwrap(),
            "\
AWS_ACCESS_KEY_ID=\"AKIAEXAMPLE\"
AWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\"
"
        );
    }

    #[test]
    fn dotenv_quotes_the_tricky_value_and_refuses_what_readers_disagree_on() {
        assert_eq!(
            secret_line(Format::Dotenv, DOTENV_TRICKY),
            r#"AWS_SECRET_ACCESS_KEY="a'b\"c$ $%PATH%!d\\e`f g;h&i|j^k<l>m é$""#
        );
        assert_eq!(
            secret_line(Format::Dotenv, "a\r\nb\t"),
            "AWS_SECRET_ACCESS_KEY=\"a\\r\\nb\t\""
        );
        for (secret, problem) in [
            (TRICKY, Problem::Dollar),
            ("${X}", Problem::Dollar),
            ("$(x)", Problem::Dollar),
            ("$$", Problem::Dollar),
            ("$_", Problem::Dollar),
            ("$1", Problem::Dollar),
            ("$é", Problem::Dollar),
            ("a\\", Problem::TrailingBackslash),
            ("\0", Problem::Nul),
        ] {
            let credentials = temporary(secret);
            let error = render(&with_region(&credentials), Format::Dotenv).unwrap_err();
            assert_eq!(error.problem, problem, "{secret:?}");
            if problem != Problem::Nul {
                assert!(
                    error.to_string().contains("fix: use --format json"),
                    "{error}"
                );
            }
        }
        // An empty value is fine in a file.
        assert_eq!(
            secret_line(Format::Dotenv, ""),
            "AWS_SECRET_ACCESS_KEY=\"\""
        );
    }

    #[test]
    fn json() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        assert_eq!(
            render(&with_region(&credentials), Format::Json).unwrap(),
            r#"{
  "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",
  "AWS_SECRET_ACCESS_KEY": "wJalr/K7MDENG+bPxR",
  "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLE+/=",
  "AWS_CREDENTIAL_EXPIRATION": "2023-11-14T22:13:20Z",
  "AWS_REGION": "eu-west-1",
  "AWS_DEFAULT_REGION": "eu-west-1"
}
"#
        );
        let credentials = long_term();
        assert_eq!(
            render(&without_region(&credentials), Format::Json).unwrap(),
            r#"{
  "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
  "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
}
"#
        );
    }

    #[test]
    fn json_escapes_the_tricky_value() {
        assert_eq!(
            secret_line(Format::Json, TRICKY),
            r#"  "AWS_SECRET_ACCESS_KEY": "a'b\"c$HOME%PATH%!d\\e`f g;h&i|j^k<l>m é","#
        );
        let secret = format!("{TRICKY}\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}\u{2028}");
        let credentials = temporary(&secret);
        let text = render(&with_region(&credentials), Format::Json).unwrap();
        assert!(text.contains(r#"\n\r\t\b\f\u0001\u001F"#), "{text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["AWS_SECRET_ACCESS_KEY"], secret.as_str());
        assert_eq!(parsed.as_object().unwrap().len(), 6);
    }
}
