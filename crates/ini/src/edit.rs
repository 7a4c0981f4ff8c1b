//! Edits that touch only their lines: [`property`] edits set and remove keys and
//! sub-properties, [`section`] edits add, remove, rename and copy whole sections. An edit
//! first checks the document and its input, and changes nothing when it refuses.

mod property;
mod section;

use crate::document::Document;
use crate::kind::Kind;
use crate::section_id::{SectionId, SectionKind};

/// Why an edit was refused. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The document has a line the specification rejects; it is never rewritten.
    Unreadable(crate::Diagnostic),
    /// A section name that SDKs following the specification would ignore.
    InvalidName(String),
    /// A key that SDKs would ignore.
    InvalidKey(String),
    /// A value that SDKs would not read back as written (the value itself is not repeated).
    InvalidValue {
        /// The key whose value was refused.
        key: String,
        /// Why.
        reason: String,
    },
    /// This kind of section cannot live in this file.
    WrongFile(SectionId),
    /// The section does not exist.
    NotFound(SectionId),
    /// A section of that name exists already.
    Exists(SectionId),
    /// A sub-property was set under a key that has a value of its own.
    NotNested {
        /// The parent key.
        key: String,
        /// Its 1-based line.
        line: usize,
    },
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Unreadable(d) => write!(f, "{d}"),
            EditError::InvalidName(reason) | EditError::InvalidKey(reason) => f.write_str(reason),
            EditError::InvalidValue { key, reason } => write!(f, "value of `{key}`: {reason}"),
            EditError::WrongFile(id) => write!(f, "{id} belongs in the config file"),
            EditError::NotFound(id) => write!(f, "{id} does not exist"),
            EditError::Exists(id) => write!(f, "{id} exists already"),
            EditError::NotNested { key, line } => write!(
                f,
                "`{key}` (line {line}) has a value of its own, so it cannot hold sub-properties"
            ),
        }
    }
}

impl std::error::Error for EditError {}

impl Document {
    fn check_editable(&self) -> Result<(), EditError> {
        match self.errors().first() {
            Some(error) => Err(EditError::Unreadable(error.clone())),
            None => Ok(()),
        }
    }

    fn check_file(&self, id: &SectionId) -> Result<(), EditError> {
        if self.kind() == Kind::Credentials && id.kind != SectionKind::Profile {
            return Err(EditError::WrongFile(id.clone()));
        }
        Ok(())
    }

    fn remove_and_rescan(&mut self, doomed: Vec<usize>) -> Result<bool, EditError> {
        if doomed.is_empty() {
            return Ok(false);
        }
        self.remove_lines(&doomed);
        self.rescan();
        Ok(true)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `text` parsed as a `kind` file, edited by `f`, rendered.
    pub(crate) fn edit(text: &str, kind: Kind, f: impl FnOnce(&mut Document)) -> String {
        let mut doc = Document::parse(text, kind);
        f(&mut doc);
        doc.render()
    }

    #[test]
    fn refuses_unreadable_documents_and_bad_input() {
        let mut doc = Document::parse("[default]\nno equals\n", Kind::Config);
        assert!(matches!(
            doc.set(&SectionId::profile("a"), "k", "v"),
            Err(EditError::Unreadable(_))
        ));
        let mut doc = Document::parse("", Kind::Config);
        assert!(matches!(
            doc.set(&SectionId::profile("my profile"), "k", "v"),
            Err(EditError::InvalidName(_))
        ));
        assert!(matches!(
            doc.set(&SectionId::profile("a"), "k k", "v"),
            Err(EditError::InvalidKey(_))
        ));
        assert!(matches!(
            doc.set(&SectionId::profile("a"), "k", "v\n"),
            Err(EditError::InvalidValue { .. })
        ));
        let mut doc = Document::parse("", Kind::Credentials);
        assert!(matches!(
            doc.set(&SectionId::sso_session("s"), "k", "v"),
            Err(EditError::WrongFile(_))
        ));
        assert_eq!(doc.render(), "");
    }
}
