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

mod shells;
mod variables;

use std::fmt;
use std::str::FromStr;

use crate::credentials::Credentials;

pub use shells::Problem;
pub use variables::PROFILE_MARKER;

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

/// The environment for `lanyard exec`: the variables to set (including
/// [`LANYARD_PROFILE`](PROFILE_MARKER)) and the names to remove from the inherited
/// environment, each list in a fixed order. See the [module documentation](self) for the
/// lists. A value with a NUL character is passed on as it is; starting the process then fails
/// (`std::process::Command` refuses it).
pub fn exec_environment(e: &Exported<'_>) -> (Vec<(String, String)>, Vec<String>) {
    let mut set: Vec<(String, String)> = variables::set(e)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.into_owned()))
        .collect();
    set.push((PROFILE_MARKER.to_owned(), e.profile.to_owned()));
    let remove = variables::removed_by_exec(e);
    (set, remove.into_iter().map(str::to_owned).collect())
}

/// The text `lanyard export` prints: lines that set the credentials' variables and remove the
/// stale ones, quoted for `format` as the [module documentation](self) describes. Fails,
/// before writing anything, when a value cannot be written safely in that format.
pub fn render(e: &Exported<'_>, format: Format) -> Result<String, ExportError> {
    let set = variables::set(e);
    for (name, value) in &set {
        if let Some(problem) = shells::problem(format, value) {
            return Err(ExportError {
                profile: e.profile.to_owned(),
                format,
                variable: name,
                problem,
            });
        }
    }
    let remove = if format.removes_variables() {
        variables::removed_by_export(e)
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
        shells::json_object(&mut out, &set);
        return Ok(out);
    }
    for (name, value) in &set {
        shells::set_line(&mut out, format, name, value);
    }
    for name in remove {
        shells::remove_line(&mut out, format, name);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    /// Every character the shells treat specially, a space and a non-ASCII letter.
    pub(super) const TRICKY: &str = "a'b\"c$HOME%PATH%!d\\e`f g;h&i|j^k<l>m é";

    pub(super) fn temporary(secret: &str) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new(secret),
            session_token: Some(Secret::new("FwoGZXIvYXdzEXAMPLE+/=")),
            expiration: Some(1_700_000_000),
            account_id: Some("123456789012".into()),
        }
    }

    pub(super) fn long_term() -> Credentials {
        Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: None,
            expiration: None,
            account_id: None,
        }
    }

    pub(super) fn with_region(credentials: &Credentials) -> Exported<'_> {
        Exported {
            credentials,
            region: Some("eu-west-1"),
            profile: "dev",
        }
    }

    pub(super) fn without_region(credentials: &Credentials) -> Exported<'_> {
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
}
