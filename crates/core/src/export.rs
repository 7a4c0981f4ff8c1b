/*!
Credentials as environment variables: the text `lanyard export NAME --format …` prints for a
terminal or a file, and the environment `lanyard exec NAME -- CMD` gives its child.

# What is set and what is removed

Both set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; `AWS_SESSION_TOKEN` and
`AWS_CREDENTIAL_EXPIRATION` (RFC 3339, UTC) when the credentials have them; `AWS_REGION` and
`AWS_DEFAULT_REGION` when a region is known. Variables that would otherwise outrank or
contradict those are removed:

- `AWS_SESSION_TOKEN` and `AWS_CREDENTIAL_EXPIRATION` when the credentials have none (a stale
  token next to fresh long-term keys makes every request fail),
- `AWS_SECURITY_TOKEN` (the legacy name of the session token, still read by boto),
- `AWS_PROFILE` and `AWS_DEFAULT_PROFILE` (SDKs prefer the keys in the environment, but tools
  that print or pass on the profile name would name the wrong one),
- `AWS_REGION` and `AWS_DEFAULT_REGION` when no region is known, so the region of a previous
  profile does not linger. Whoever builds the [`Exported`] decides the region, so a caller that
  wants an explicit `AWS_REGION` of its own environment to win passes it in.

[`render`] (the `export` command) also removes a stale `LANYARD_PROFILE` but does not set it:
an export is a snapshot pasted into a shell that lives on after the credentials expire, and a
marker there would claim more than it knows. [`exec_environment`] (the `exec` command) sets
`LANYARD_PROFILE` to the profile's name, since the child's whole life is under that profile,
and it removes more: the web-identity (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`,
`AWS_ROLE_SESSION_NAME`) and container (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
`AWS_CONTAINER_CREDENTIALS_FULL_URI`, `AWS_CONTAINER_AUTHORIZATION_TOKEN`) variables, so the
child sees this profile and nothing else. An export leaves those alone: keys in the
environment outrank them in every SDK's chain, and a shell inside a container or a CI job may
still need them once the pasted credentials are gone.

# Quoting, per format

Every format writes the variables to set first, then the ones to remove, one per line, each
line ending in `\n`, in a fixed order. No value is ever interpreted: `'`, `"`, `$`, `%`, `!`,
`\`, `` ` ``, spaces, `;`, `&`, `|`, `^`, `<`, `>` and non-ASCII text come out as they went in.

| format | set | remove | quoting |
|---|---|---|---|
| `bash`, `zsh` | `export K='v'` | `unset K` | single quotes; `'` is written `\'` between quoted pieces: `'it'\''s'` |
| `fish` | `set -gx K 'v'` | `set -e K` | single quotes; `\` is written `\\` and `'` is written `\'` |
| `powershell` | `$Env:K = 'v'` | `Remove-Item Env:K -ErrorAction SilentlyContinue` | single quotes; each quote character (`'` and the typographic `‘ ’ ‚ ‛`, which PowerShell also takes as quotes) is doubled |
| `cmd` | `set "K=v"` | `set "K="` | the interactive form, see below |
| `dotenv` | `K="v"` | (nothing) | double quotes, see below |
| `json` | `"K": "v"` | (nothing) | a pretty-printed JSON object, JSON string escapes |

ASCII control characters (tab, line breaks, escape, …) never appear raw in the shell formats,
so that pasting into a terminal cannot trigger completion, submit a line or send a signal:
bash and zsh write them as ANSI-C quoted pieces (`$'\n'`, `$'\x1B'`) next to the single-quoted
ones, fish as unquoted escapes (`\n`, `\x1B`), PowerShell as `[char]0x0A` joined with `+`.
A NUL character cannot be part of any environment variable, so every format refuses it.
In fish, `set -e` of a variable that is not set returns status 4, so the status after
`… | source` says nothing about success.

## cmd

`set "K=value"` takes everything between the first and the last double quote of the line, and
inside the quotes `&`, `|`, `<`, `>` and `^` are plain characters. The output is meant to be
pasted at the `cmd` prompt (or run with `cmd /c`), not saved as a batch file: on the command
line a `%` stays as it is unless it starts a `%NAME%` reference to a variable that exists (in a
batch file every `%` would have to be doubled, and the interactive form would lose them).
Because any two `%` could form such a reference, a value with more than one `%` is refused.
`!` is plain text unless delayed expansion is on (`cmd /V:ON`, off by default); with it on,
`!NAME!` would be expanded and `^` removed, so do not paste the output into such a shell. A
value that contains a double quote, a line break or another control character cannot be set
safely from a pasted line, and an empty value would delete the variable: those are refused
with an [`ExportError`] instead of producing something wrong.

## dotenv

One `K="value"` line per variable; no lines for the variables to remove (a file cannot unset
anything). Inside the double quotes `\` is written `\\`, `"` is written `\"`, a line feed `\n`
and a carriage return `\r`; every other character is written as itself. This is the part of
the format that python-dotenv (1.x, interpolation on or off) and docker compose (compose-go)
read the same way. They disagree about `$`: compose expands `$NAME`, `${…}` and `$$` and wants
`\$` for a literal dollar, while python-dotenv expands `${…}`, keeps `\$` as two characters and
has no escape at all for `${`. So a `$` is written as itself when the next character is
neither a letter, a digit, `_`, `{`, `(` nor `$` (both read it literally), and a value with a
`$` before one of those is refused, as is a value ending in a backslash, which python-dotenv
cannot read back from a quoted value.

## json

`{"K": "v", …}` pretty-printed with two spaces, keys in the fixed order above (the variables
to set only). Strings use the JSON escapes `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f` and
`\u00XX` for other control characters; everything else is written as itself (UTF-8).

The output holds the secrets themselves: callers print it or hand it to a process and nothing
else; errors name the variable and the problem, never the value.
*/

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::credentials::{rfc3339, Credentials};

/// The variable [`exec_environment`] sets to the profile's name, so a child process (and a
/// prompt) can tell which profile it runs under.
pub const PROFILE_MARKER: &str = "LANYARD_PROFILE";

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const CREDENTIAL_EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";
const REGION: &str = "AWS_REGION";
const DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
const SECURITY_TOKEN: &str = "AWS_SECURITY_TOKEN";
const PROFILE: &str = "AWS_PROFILE";
const DEFAULT_PROFILE: &str = "AWS_DEFAULT_PROFILE";

/// Variables of other credential sources, removed for `exec` only.
const OTHER_SOURCES: [&str; 6] = [
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];

/// A format `lanyard export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// bash: `export K='v'` and `unset K`.
    Bash,
    /// zsh: the same lines as bash.
    Zsh,
    /// fish: `set -gx K 'v'` and `set -e K`.
    Fish,
    /// PowerShell (Windows PowerShell and `pwsh`): `$Env:K = 'v'` and `Remove-Item Env:K`.
    PowerShell,
    /// The Windows command prompt, pasted interactively: `set "K=v"`.
    Cmd,
    /// A `.env` file for python-dotenv and docker compose: `K="v"`.
    Dotenv,
    /// A JSON object of the variables to set.
    Json,
}

impl Format {
    /// Every format, in the order the help text lists them.
    pub const ALL: [Format; 7] = [
        Format::Bash,
        Format::Zsh,
        Format::Fish,
        Format::PowerShell,
        Format::Cmd,
        Format::Dotenv,
        Format::Json,
    ];

    /// The lower-case name `--format` takes and [`Display`](fmt::Display) prints.
    pub fn name(self) -> &'static str {
        match self {
            Format::Bash => "bash",
            Format::Zsh => "zsh",
            Format::Fish => "fish",
            Format::PowerShell => "powershell",
            Format::Cmd => "cmd",
            Format::Dotenv => "dotenv",
            Format::Json => "json",
        }
    }

    /// Whether the output removes stale variables (the shells do; a file or a JSON object
    /// cannot).
    pub fn removes_variables(self) -> bool {
        !matches!(self, Format::Dotenv | Format::Json)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--format` value that names no [`Format`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown export format `{}`; choose one of bash, zsh, fish, powershell (or pwsh), \
             cmd, dotenv, json",
            self.0
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a format name, ignoring ASCII case; `pwsh` is another name for `powershell`.
    fn from_str(text: &str) -> Result<Format, UnknownFormat> {
        if text.eq_ignore_ascii_case("pwsh") {
            return Ok(Format::PowerShell);
        }
        Format::ALL
            .into_iter()
            .find(|format| format.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| UnknownFormat(text.to_owned()))
    }
}

/// What gets exported: a profile's resolved credentials and its region.
#[derive(Clone, Copy, Debug)]
pub struct Exported<'a> {
    /// The credentials.
    pub credentials: &'a Credentials,
    /// The region to set, if one is known; with `None` the region variables are removed.
    pub region: Option<&'a str>,
    /// The profile's name, for `LANYARD_PROFILE` (exec only) and for error messages.
    pub profile: &'a str,
}

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
    fn describe(self) -> &'static str {
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

/// A value [`render`] cannot write safely in the chosen format. It names the variable and the
/// problem, never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportError {
    /// The profile being exported.
    pub profile: String,
    /// The format asked for.
    pub format: Format,
    /// The variable whose value is the problem, such as `AWS_SECRET_ACCESS_KEY`.
    pub variable: &'static str,
    /// What is wrong with the value.
    pub problem: Problem,
}

impl ExportError {
    /// What is wrong, in one sentence.
    pub fn message(&self) -> String {
        format!(
            "cannot export {} of profile `{}` as {}: the value {}",
            self.variable,
            self.profile,
            self.format,
            self.problem.describe()
        )
    }

    /// How to get the credentials out anyway.
    pub fn fix(&self) -> &'static str {
        match (self.problem, self.format) {
            (Problem::Nul | Problem::Empty, _) => {
                "check the profile's credential source: this value is not usable"
            }
            (_, Format::Cmd) => {
                "use --format powershell, or run the command with `lanyard exec NAME -- CMD`"
            }
            _ => "use --format json, or a shell format such as --format bash",
        }
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; fix: {}", self.message(), self.fix())
    }
}

impl std::error::Error for ExportError {}

impl From<ExportError> for crate::Error {
    fn from(error: ExportError) -> crate::Error {
        crate::Error::new(crate::ErrorKind::Invalid, error.message()).fix(error.fix())
    }
}

/// The variables to set, in output order, with their values.
fn variables<'a>(e: &Exported<'a>) -> Vec<(&'static str, Cow<'a, str>)> {
    let credentials = e.credentials;
    let mut set = vec![
        (
            ACCESS_KEY_ID,
            Cow::Borrowed(credentials.access_key_id.as_str()),
        ),
        (
            SECRET_ACCESS_KEY,
            Cow::Borrowed(credentials.secret_access_key.expose()),
        ),
    ];
    if let Some(token) = &credentials.session_token {
        set.push((SESSION_TOKEN, Cow::Borrowed(token.expose())));
    }
    if let Some(expiration) = credentials.expiration {
        set.push((CREDENTIAL_EXPIRATION, Cow::Owned(rfc3339(expiration))));
    }
    if let Some(region) = e.region {
        set.push((REGION, Cow::Borrowed(region)));
        set.push((DEFAULT_REGION, Cow::Borrowed(region)));
    }
    set
}

/// The variables both commands remove.
fn stale(e: &Exported<'_>) -> Vec<&'static str> {
    let mut remove = Vec::with_capacity(8);
    if e.credentials.session_token.is_none() {
        remove.push(SESSION_TOKEN);
    }
    if e.credentials.expiration.is_none() {
        remove.push(CREDENTIAL_EXPIRATION);
    }
    remove.extend([SECURITY_TOKEN, PROFILE, DEFAULT_PROFILE]);
    if e.region.is_none() {
        remove.extend([REGION, DEFAULT_REGION]);
    }
    remove
}

/// The environment for `lanyard exec`: the variables to set (including
/// [`LANYARD_PROFILE`](PROFILE_MARKER)) and the names to remove from the inherited
/// environment, each list in a fixed order. See the [module documentation](self) for the
/// lists. A value with a NUL character is passed on as it is; starting the process then fails
/// (`std::process::Command` refuses it).
pub fn exec_environment(e: &Exported<'_>) -> (Vec<(String, String)>, Vec<String>) {
    let mut set: Vec<(String, String)> = variables(e)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.into_owned()))
        .collect();
    set.push((PROFILE_MARKER.to_owned(), e.profile.to_owned()));
    let mut remove = stale(e);
    remove.extend(OTHER_SOURCES);
    (set, remove.into_iter().map(str::to_owned).collect())
}

/// The text `lanyard export` prints: lines that set the credentials' variables and remove the
/// stale ones, quoted for `format` as the [module documentation](self) describes. Fails,
/// before writing anything, when a value cannot be written safely in that format.
pub fn render(e: &Exported<'_>, format: Format) -> Result<String, ExportError> {
    let set = variables(e);
    for (name, value) in &set {
        if let Some(problem) = problem(format, value) {
            return Err(ExportError {
                profile: e.profile.to_owned(),
                format,
                variable: name,
                problem,
            });
        }
    }
    let remove = if format.removes_variables() {
        let mut remove = stale(e);
        remove.push(PROFILE_MARKER);
        remove
    } else {
        Vec::new()
    };

    // Room for the usual worst case up front, so the buffer holding the secrets is not
    // reallocated (and copied) while it grows.
    let capacity = set
        .iter()
        .map(|(name, value)| name.len() + 4 * value.len() + 32)
        .chain(remove.iter().map(|name| name.len() + 48))
        .sum::<usize>()
        + 8;
    let mut out = String::with_capacity(capacity);

    if format == Format::Json {
        out.push('{');
        for (index, (name, value)) in set.iter().enumerate() {
            out.push_str(if index == 0 { "\n  " } else { ",\n  " });
            json_string(&mut out, name);
            out.push_str(": ");
            json_string(&mut out, value);
        }
        out.push_str("\n}\n");
        return Ok(out);
    }

    for (name, value) in &set {
        match format {
            Format::Bash | Format::Zsh => {
                out.push_str("export ");
                out.push_str(name);
                out.push('=');
                posix_quote(&mut out, value);
            }
            Format::Fish => {
                out.push_str("set -gx ");
                out.push_str(name);
                out.push(' ');
                fish_quote(&mut out, value);
            }
            Format::PowerShell => {
                out.push_str("$Env:");
                out.push_str(name);
                out.push_str(" = ");
                powershell_quote(&mut out, value);
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
                dotenv_quote(&mut out, value);
            }
            Format::Json => unreachable!("written above"),
        }
        out.push('\n');
    }
    for name in remove {
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
    Ok(out)
}

/// Why `value` cannot be written in `format`, if it cannot.
fn problem(format: Format, value: &str) -> Option<Problem> {
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
    use super::*;
    use crate::secret::Secret;

    /// Every character the shells treat specially, a space and a non-ASCII letter.
    const TRICKY: &str = "a'b\"c$HOME%PATH%!d\\e`f g;h&i|j^k<l>m é";
    /// The same without what cmd cannot carry (`"`, a second `%`).
    const CMD_TRICKY: &str = "a'b$HOME%PATH!d\\e`f g;h&i|j^k<l>m é";
    /// The same without what dotenv refuses (`$` before a name, a final backslash).
    const DOTENV_TRICKY: &str = "a'b\"c$ $%PATH%!d\\e`f g;h&i|j^k<l>m é$";

    fn temporary(secret: &str) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new(secret),
            session_token: Some(Secret::new("FwoGZXIvYXdzEXAMPLE+/=")),
            expiration: Some(1_700_000_000),
            account_id: Some("123456789012".into()),
        }
    }

    fn long_term() -> Credentials {
        Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: None,
            expiration: None,
            account_id: None,
        }
    }

    fn with_region(credentials: &Credentials) -> Exported<'_> {
        Exported {
            credentials,
            region: Some("eu-west-1"),
            profile: "dev",
        }
    }

    fn without_region(credentials: &Credentials) -> Exported<'_> {
        Exported {
            credentials,
            region: None,
            profile: "dev",
        }
    }

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
        }
        assert_eq!("pwsh".parse::<Format>(), Ok(Format::PowerShell));
        assert_eq!("PowerShell".parse::<Format>(), Ok(Format::PowerShell));
        let error = "sh".parse::<Format>().unwrap_err();
        assert!(error.to_string().contains("`sh`"), "{error}");
        assert!(
            error.to_string().contains("powershell (or pwsh)"),
            "{error}"
        );
    }

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

    #[test]
    fn errors_never_show_the_value() {
        let secret = "s3cr3t\"%%$x\0";
        let credentials = temporary(secret);
        for format in Format::ALL {
            if let Err(error) = render(&with_region(&credentials), format) {
                let shown = format!("{error} {error:?} {}", crate::Error::from(error.clone()));
                assert!(!shown.contains("s3cr3t"), "{shown}");
            }
        }
        let error = render(&with_region(&credentials), Format::Bash).unwrap_err();
        assert_eq!(error.problem, Problem::Nul);
        let error = crate::Error::from(error);
        assert_eq!(error.kind, crate::ErrorKind::Invalid);
        assert!(error.fix.unwrap().contains("credential source"));
    }

    #[test]
    fn exec_environment_sets_the_marker_and_removes_other_sources() {
        let credentials = temporary("wJalr/K7MDENG+bPxR");
        let (set, remove) = exec_environment(&with_region(&credentials));
        let set: Vec<(&str, &str)> = set.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            set,
            [
                ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "wJalr/K7MDENG+bPxR"),
                ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLE+/="),
                ("AWS_CREDENTIAL_EXPIRATION", "2023-11-14T22:13:20Z"),
                ("AWS_REGION", "eu-west-1"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
                ("LANYARD_PROFILE", "dev"),
            ]
        );
        assert_eq!(
            remove,
            [
                "AWS_SECURITY_TOKEN",
                "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_ROLE_ARN",
                "AWS_ROLE_SESSION_NAME",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            ]
        );

        let credentials = long_term();
        let (set, remove) = exec_environment(&without_region(&credentials));
        let names: Vec<&str> = set.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "LANYARD_PROFILE"
            ]
        );
        assert_eq!(
            remove[..7],
            [
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION",
                "AWS_SECURITY_TOKEN",
                "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
            ]
        );
        assert_eq!(remove.len(), 13);
        // The tricky value goes through untouched: no shell is involved.
        let credentials = temporary(TRICKY);
        let (set, _) = exec_environment(&with_region(&credentials));
        assert_eq!(set[1].1, TRICKY);
    }

    #[test]
    fn set_and_removed_never_overlap() {
        for credentials in [temporary("x"), long_term()] {
            for exported in [with_region(&credentials), without_region(&credentials)] {
                let (set, remove) = exec_environment(&exported);
                for name in &remove {
                    assert!(set.iter().all(|(k, _)| k != name), "{name}");
                }
                let text = render(&exported, Format::Bash).unwrap();
                for (name, _) in &set {
                    let unset = format!("unset {name}\n");
                    assert!(!text.contains(&unset) || name == PROFILE_MARKER, "{name}");
                }
            }
        }
    }
}
