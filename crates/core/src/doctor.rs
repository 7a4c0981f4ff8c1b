//! `lanyard doctor`: what is wrong or risky in the files, each with where and how to fix it.

use lanyard_ini::{Document, Kind, LintCode};

use crate::error::{parse_fix, Error};
use crate::files::AwsFiles;
use crate::kind::ProfileKind;
use crate::model::ProfileSet;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// SDKs cannot read the file, or a profile cannot work.
    Error,
    /// It works, but not everywhere, or not safely.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The label in reports.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing `doctor` found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// A stable identifier, for `--json`.
    pub code: &'static str,
    /// `path:line` or `path`, or the profile.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

fn lint_code(code: LintCode) -> &'static str {
    match code {
        LintCode::DuplicateSection => "duplicate-section",
        LintCode::DuplicateKey => "duplicate-key",
        LintCode::QuotedName => "quoted-name",
        LintCode::IgnoredSection => "ignored-section",
        LintCode::IgnoredKey => "ignored-key",
        LintCode::IndentedComment => "indented-comment",
        LintCode::ShadowedDefault => "shadowed-default",
        LintCode::ByteOrderMark => "byte-order-mark",
        LintCode::InlineComment => "inline-comment",
        LintCode::PaddedHeader => "padded-header",
    }
}

/// Examines both files and every profile.
pub fn examine(files: &AwsFiles) -> Vec<Finding> {
    let mut findings = Vec::new();
    let store = files.store();
    let mut documents = Vec::new();
    for kind in [Kind::Config, Kind::Credentials] {
        let path = store.path(kind);
        match store.read(kind) {
            Err(error) => findings.push(from_error(&error)),
            Ok(document) => {
                file_findings(&document, path, &mut findings);
                documents.push(document);
            }
        }
        #[cfg(unix)]
        mode_findings(path, kind, &mut findings);
    }
    for path in store.leftover_temporaries() {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "leftover-temporary",
            location: path.display().to_string(),
            message: "a whole copy of an AWS file that an interrupted Lanyard write left behind; it may hold secrets".to_owned(),
            fix: format!("rm {} (the next Lanyard write removes it too)", path.display()),
        });
    }
    if let Ok(snapshot) = files.load() {
        profile_findings(&snapshot.profiles, &mut findings);
    }
    findings.sort_by_key(|f| f.severity);
    findings
}

fn from_error(error: &Error) -> Finding {
    Finding {
        severity: Severity::Error,
        code: "unreadable",
        location: error.location.clone().unwrap_or_default(),
        message: error.message.clone(),
        fix: error.fix.clone().unwrap_or_default(),
    }
}

fn file_findings(document: &Document, path: &std::path::Path, findings: &mut Vec<Finding>) {
    for error in document.errors() {
        findings.push(Finding {
            severity: Severity::Error,
            code: "parse-error",
            location: format!("{}:{}", path.display(), error.line),
            message: format!(
                "{} (no SDK reads this file while the line is there)",
                error.message
            ),
            fix: parse_fix(&error.message).to_owned(),
        });
    }
    for lint in document.lints() {
        findings.push(Finding {
            severity: Severity::Warning,
            code: lint_code(lint.code),
            location: format!("{}:{}", path.display(), lint.line),
            message: lint.message,
            fix: lint.fix,
        });
    }
    control_character_findings(document, path, findings);
    let Ok(sections) = document.sections() else {
        return;
    };
    for (name, profile) in &sections.profiles {
        let Some(secret) = profile.property("aws_secret_access_key") else {
            continue;
        };
        let temporary = profile.property("aws_session_token").is_some();
        let (severity, message) = match (document.kind(), temporary) {
            (Kind::Config, _) => (
                Severity::Warning,
                format!(
                    "profile `{name}` keeps a secret key in the config file, which is often shared"
                ),
            ),
            (Kind::Credentials, false) => (
                Severity::Warning,
                format!("profile `{name}` keeps a long-term secret access key in plain text"),
            ),
            (Kind::Credentials, true) => (
                Severity::Info,
                format!("profile `{name}` keeps temporary session keys in plain text"),
            ),
        };
        findings.push(Finding {
            severity,
            code: "plain-text-secret",
            location: format!("{}:{}", path.display(), secret.origin.line),
            message,
            fix: if temporary {
                "nothing to do while they are short-lived".to_owned()
            } else {
                format!("move them into the keychain with `lanyard vault import {name}` (or use IAM Identity Center or roles)")
            },
        });
    }
}

/// Lines with characters that act on a terminal instead of showing (escape sequences, a
/// carriage return that hides what came before, bidirectional overrides): a value that looks
/// harmless when printed may be something else.
fn control_character_findings(
    document: &Document,
    path: &std::path::Path,
    findings: &mut Vec<Finding>,
) {
    let acts = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    for index in 0..document.line_count() {
        let line = document.line(index);
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(c) = line.chars().find(|&c| acts(c)) {
            findings.push(Finding {
                severity: Severity::Warning,
                code: "control-character",
                location: format!("{}:{}", path.display(), index + 1),
                message: format!(
                    "the line holds U+{:04X}, a character that acts on a terminal instead of showing",
                    c as u32
                ),
                fix: "remove the character: no AWS setting needs it".to_owned(),
            });
        }
    }
}

#[cfg(unix)]
fn mode_findings(path: &std::path::Path, kind: Kind, findings: &mut Vec<Finding>) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    let loose = match kind {
        Kind::Credentials => mode & 0o077 != 0,
        Kind::Config => mode & 0o022 != 0,
    };
    if loose {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "loose-mode",
            location: path.display().to_string(),
            message: format!(
                "the file's mode is {mode:04o}: {}",
                if kind == Kind::Credentials {
                    "other users can read it"
                } else {
                    "other users can change it"
                }
            ),
            fix: format!("chmod 600 {}", path.display()),
        });
    }
}

/// A bridged section under the name of a profile that SSO, a role or a process already
/// serves: the SDKs take that way first, and the plain keys go unused.
fn bridge_findings(profiles: &ProfileSet, findings: &mut Vec<Finding>) {
    for (name, profile) in &profiles.sections().profiles {
        let Some(source) = profile.get(crate::bridge::FROM) else {
            continue;
        };
        let preferred = [
            "sso_session",
            "sso_start_url",
            "role_arn",
            "credential_process",
            "web_identity_token_file",
        ]
        .into_iter()
        .find(|key| profile.get(key).is_some());
        if let Some(key) = preferred {
            findings.push(Finding {
                severity: Severity::Warning,
                code: "bridge-unused",
                location: format!("profile `{name}`"),
                message: format!("the keys bridged from `{source}` are not used: the SDKs resolve `{name}` through its `{key}` first"),
                fix: format!("bridge under a name of its own: `lanyard bridge --stop {name}` then `lanyard bridge {source} --as {source}-keys`"),
            });
        }
    }
}

fn profile_findings(profiles: &ProfileSet, findings: &mut Vec<Finding>) {
    bridge_findings(profiles, findings);
    for name in profiles.names() {
        let location = format!("profile `{name}`");
        match ProfileKind::of(profiles, name) {
            ProfileKind::Incomplete { reason } => findings.push(Finding {
                severity: Severity::Error,
                code: "unresolvable",
                location,
                message: format!("cannot yield credentials: {reason}"),
                fix: format!("`lanyard explain {name}` shows how it resolves"),
            }),
            ProfileKind::ConfigOnly => findings.push(Finding {
                severity: Severity::Info,
                code: "config-only",
                location,
                message: "holds settings only; its credentials must come from elsewhere".to_owned(),
                fix: "nothing to do if that is intended".to_owned(),
            }),
            _ => {}
        }
    }
}
