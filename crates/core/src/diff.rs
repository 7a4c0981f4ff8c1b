//! The unified diff of an edit, as `--dry-run` prints it and the desktop app previews it.

use similar::TextDiff;

use crate::files::Change;
use crate::secret::{is_secret_key, mask};

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
        text
    } else {
        text.split_inclusive('\n').map(mask_line).collect()
    }
}

/// Masks the value on a diff line of the form `±key = value` when the key is secret.
fn mask_line(line: &str) -> String {
    let Some(marker) = line.chars().next().filter(|c| matches!(c, '+' | '-' | ' ')) else {
        return line.to_owned();
    };
    if line.starts_with("+++") || line.starts_with("---") {
        return line.to_owned();
    }
    let body = &line[1..];
    let Some((key, value)) = body.split_once('=') else {
        return line.to_owned();
    };
    if !is_secret_key(key.trim()) {
        return line.to_owned();
    }
    let ending = if value.ends_with("\r\n") {
        "\r\n"
    } else if value.ends_with('\n') {
        "\n"
    } else {
        ""
    };
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
}
