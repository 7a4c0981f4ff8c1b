//! The unified diff of an edit, as `--dry-run` prints it and the desktop app previews it.

use similar::TextDiff;

use crate::files::Change;
use crate::secret::{is_secret_key, mask};

/// What one write did or would do, as both shells show it: which file, whether it was
/// written and where the previous version went, and the diff (secrets masked unless asked).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChangeReport {
    /// The file, as people read its path.
    pub file: String,
    /// `config` or `credentials`.
    pub kind: &'static str,
    /// Whether the file was written (false for a dry run, or an edit that changed nothing).
    pub written: bool,
    /// Where the previous version was kept.
    pub backup: Option<String>,
    /// The unified diff of the lines that change.
    pub diff: String,
}

/// The report of a change to a file of `kind`, shown as `label`.
pub fn report(change: &Change, kind: lanyard_ini::Kind, label: &str, reveal: bool) -> ChangeReport {
    ChangeReport {
        file: label.to_owned(),
        kind: match kind {
            lanyard_ini::Kind::Config => "config",
            lanyard_ini::Kind::Credentials => "credentials",
        },
        written: change.written,
        backup: change.backup.as_ref().map(|p| p.display().to_string()),
        diff: unified_diff(change, label, reveal),
    }
}

/// The unified diff of a change, with three lines of context. Secret values are masked
/// unless `reveal`.
pub fn unified_diff(change: &Change, label: &str, reveal: bool) -> String {
    if change.is_empty() {
        return String::new();
    }
    let after = change.after();
    let diff = TextDiff::from_lines(change.before(), &after);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{label}"), &format!("b/{label}"))
        .to_string();
    if reveal {
        return text;
    }
    // A secret's value may go on over indented continuation lines: they are masked too, up
    // to the next line that is not indented.
    let mut in_secret = [false; 3];
    text.split_inclusive('\n')
        .map(|line| mask_line(line, &mut in_secret))
        .collect()
}

fn column(marker: char) -> usize {
    match marker {
        '-' => 0,
        '+' => 1,
        _ => 2,
    }
}

/// Masks the value on a diff line of the form `±key = value` when the key is secret, and the
/// continuation lines after it. `in_secret` remembers, per side of the diff, whether the line
/// before was part of a secret.
fn mask_line(line: &str, in_secret: &mut [bool; 3]) -> String {
    let Some(marker) = line.chars().next().filter(|c| matches!(c, '+' | '-' | ' ')) else {
        *in_secret = [false; 3];
        return line.to_owned();
    };
    if line.starts_with("+++") || line.starts_with("---") {
        return line.to_owned();
    }
    let body = &line[1..];
    let ending = if body.ends_with("\r\n") {
        "\r\n"
    } else if body.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    let continued = body.starts_with([' ', '\t']) && !body.trim().is_empty();
    // A context line belongs to both sides.
    let sides: &[usize] = if marker == ' ' {
        &[0, 1, 2]
    } else {
        &[column(marker)]
    };
    if continued && sides.iter().any(|&s| in_secret[s]) {
        let indent = &body[..body.len() - body.trim_start().len()];
        return format!("{marker}{indent}{}{ending}", mask(body.trim()));
    }
    let Some((key, value)) = body.split_once('=') else {
        for &s in sides {
            in_secret[s] = false;
        }
        return line.to_owned();
    };
    let secret = is_secret_key(key.trim()) && !body.starts_with([' ', '\t']);
    for &s in sides {
        in_secret[s] = secret;
    }
    if !secret {
        return line.to_owned();
    }
    format!("{marker}{key}= {}{ending}", mask(value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanyard_ini::{Document, Kind, SectionId};
    use std::path::PathBuf;

    #[test]
    fn masks_secret_values() {
        let mut document = Document::parse("[a]\naws_access_key_id = AKIA1\n", Kind::Credentials);
        document
            .set(
                &SectionId::profile("a"),
                "aws_secret_access_key",
                "hunter2hunter2",
            )
            .unwrap();
        let change = Change::new(PathBuf::from("credentials"), document);
        let masked = unified_diff(&change, "credentials", false);
        assert!(
            masked.contains("+aws_secret_access_key = *** (14 characters)"),
            "{masked}"
        );
        assert!(!masked.contains("hunter2"));
        assert!(unified_diff(&change, "credentials", true).contains("hunter2hunter2"));
    }

    #[test]
    fn a_report_serialises_with_its_kind_and_a_masked_diff() {
        let mut document = Document::parse("[a]\n", Kind::Credentials);
        document
            .set(
                &SectionId::profile("a"),
                "aws_secret_access_key",
                "hunter2hunter2",
            )
            .unwrap();
        let change = Change::new(PathBuf::from("credentials"), document);
        let json = serde_json::to_value(report(
            &change,
            Kind::Credentials,
            "~/.aws/credentials",
            false,
        ))
        .unwrap();
        assert_eq!(json["kind"], "credentials");
        assert_eq!(json["written"], false);
        assert!(
            json["diff"]
                .as_str()
                .unwrap()
                .contains("*** (14 characters)"),
            "{json}"
        );
        assert!(!json.to_string().contains("hunter2"));
    }

    #[test]
    fn masks_the_continuation_lines_of_a_secret() {
        let text = "[a]\naws_secret_access_key = first-part\n  second-part-of-secret\nregion = x\n";
        let mut document = Document::parse(text, Kind::Credentials);
        document
            .unset(&SectionId::profile("a"), "aws_secret_access_key")
            .unwrap();
        let change = Change::new(PathBuf::from("credentials"), document);
        let masked = unified_diff(&change, "credentials", false);
        assert!(masked.contains("-aws_secret_access_key"), "{masked}");
        assert!(!masked.contains("first-part"), "{masked}");
        assert!(!masked.contains("second-part"), "{masked}");
        assert!(masked.contains(" region = x"), "{masked}");
    }
}
