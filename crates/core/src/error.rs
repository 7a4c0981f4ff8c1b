//! Errors that say what is wrong, where, and how to fix it.

use std::path::Path;

/// The broad class of an error: decides exit codes and the IPC error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A profile, session or key that does not exist.
    NotFound,
    /// Input that cannot be used as given.
    Invalid,
    /// A file Lanyard cannot read: it is left untouched.
    Unreadable,
    /// The file system refused.
    Io,
    /// Something changed underneath and kept changing.
    Conflict,
    /// The operating system's keychain is missing, locked or refused.
    Keychain,
}

impl ErrorKind {
    /// A stable code for machine consumers (`--json`, the desktop app).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Unreadable => "unreadable",
            ErrorKind::Io => "io",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Keychain => "keychain",
        }
    }
}

/// A failure, in the user's words. Never carries a secret.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Error {
    /// The class.
    pub kind: ErrorKind,
    /// `path` or `path:line`, when the error is about a place in a file.
    pub location: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: Option<String>,
}

impl Error {
    /// An error with no location and no fix.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            location: None,
            message: message.into(),
            fix: None,
        }
    }

    /// Adds how to fix it.
    pub fn fix(mut self, fix: impl Into<String>) -> Error {
        self.fix = Some(fix.into());
        self
    }

    /// Adds where: a file, and a 1-based line when known.
    pub fn at(mut self, path: &Path, line: Option<usize>) -> Error {
        self.location = Some(match line {
            Some(line) => format!("{}:{line}", path.display()),
            None => path.display().to_string(),
        });
        self
    }

    /// A file-system failure on `path`.
    pub fn io(action: &str, path: &Path, error: &std::io::Error) -> Error {
        let fix = match error.kind() {
            std::io::ErrorKind::PermissionDenied => "check the file's owner and permissions",
            std::io::ErrorKind::NotFound => "check that the folder exists",
            _ => "check the disk and try again",
        };
        Error::new(ErrorKind::Io, format!("cannot {action}: {error}"))
            .at(path, None)
            .fix(fix)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, "; fix: {fix}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The fix for each of the specification's parse errors.
pub(crate) fn parse_fix(message: &str) -> &'static str {
    if message.starts_with("Expected a profile definition") {
        "start the file with a section header such as [default], or remove the line"
    } else if message.contains("must end with ']'") {
        "close the section header with `]` (a `#` or `;` inside a header starts a comment)"
    } else if message.contains("found continuation") {
        "remove the indentation, or put the line under a `key =` line"
    } else if message.contains("sub-property") || message.starts_with("Sub-property") {
        "write indented lines under `key =` as `    name = value`"
    } else if message.contains("did not have a name") {
        "put a key before the `=`"
    } else {
        "write the line as `key = value`, or start it with `#` to make it a comment"
    }
}

/// The error for a document the specification cannot parse.
pub(crate) fn unparseable(path: &Path, diagnostic: &lanyard_ini::Diagnostic) -> Error {
    Error::new(ErrorKind::Unreadable, diagnostic.message.clone())
        .at(path, Some(diagnostic.line))
        .fix(parse_fix(&diagnostic.message))
}

/// The error for an edit the ini layer refused.
pub(crate) fn edit_error(path: &Path, error: lanyard_ini::EditError) -> Error {
    use lanyard_ini::EditError as E;
    match error {
        E::Unreadable(diagnostic) => unparseable(path, &diagnostic),
        E::InvalidName(reason) => Error::new(ErrorKind::Invalid, reason),
        E::InvalidKey(reason) => Error::new(ErrorKind::Invalid, reason),
        E::InvalidValue { key, reason } => {
            Error::new(ErrorKind::Invalid, format!("value of `{key}`: {reason}"))
                .fix("pass the value without line breaks or surrounding spaces")
        }
        E::WrongFile(id) => Error::new(
            ErrorKind::Invalid,
            format!("{id} can only live in the config file"),
        )
        .fix("drop --credentials-file"),
        E::NotFound(id) => {
            Error::new(ErrorKind::NotFound, format!("{id} does not exist")).at(path, None)
        }
        E::Exists(id) => Error::new(ErrorKind::Invalid, format!("{id} exists already"))
            .at(path, None)
            .fix("choose another name, or remove the existing one first"),
        E::NotNested { key, line } => Error::new(
            ErrorKind::Invalid,
            format!("`{key}` has a value of its own, so it cannot hold sub-properties"),
        )
        .at(path, Some(line))
        .fix(format!("unset `{key}` first")),
    }
}

/// Where a path is shown to the user: with `~` for the home folder.
pub fn display_path(path: &Path, home: Option<&str>) -> String {
    if let Some(home) = home {
        if let Ok(rest) = path.strip_prefix(home) {
            return format!("~/{}", rest.display());
        }
    }
    path.display().to_string()
}

/// Something worth telling that did not stop the operation, returned as a value: the CLI
/// prints it to stderr, the desktop app shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// A stable identifier.
    pub code: &'static str,
    /// What happened.
    pub message: String,
}

impl Warning {
    /// A warning with a code and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Warning {
        Warning {
            code,
            message: message.into(),
        }
    }
}
