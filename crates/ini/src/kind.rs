//! Which of the two AWS files a document is: the line store, the classification of its lines
//! and the semantic view all need to know.

/// Which of the two AWS files a document is; the section rules differ between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `~/.aws/config`: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: bare `[NAME]` sections only.
    Credentials,
}
