//! Which section an edit or a lookup means, and where a document declares it: every
//! duplicate of a section counts, `[profile default]` hides `[default]`, and within the
//! sections that count the last occurrence of a key wins.

use crate::document::Document;
use crate::names::is_identifier;
use crate::scan::{PropertySpan, SectionRole, SectionSpan};

/// The kind of section an edit addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    /// A profile: `[default]`/`[profile NAME]` in config, `[NAME]` in credentials.
    Profile,
    /// `[sso-session NAME]` (config file only).
    SsoSession,
    /// `[services NAME]` (config file only).
    Services,
}

/// A section by kind and normalised name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId {
    /// What kind of section.
    pub kind: SectionKind,
    /// The name, without any prefix.
    pub name: String,
}

impl SectionId {
    /// A profile.
    pub fn profile(name: impl Into<String>) -> SectionId {
        SectionId {
            kind: SectionKind::Profile,
            name: name.into(),
        }
    }

    /// An `sso-session`.
    pub fn sso_session(name: impl Into<String>) -> SectionId {
        SectionId {
            kind: SectionKind::SsoSession,
            name: name.into(),
        }
    }

    /// A `services` block.
    pub fn services(name: impl Into<String>) -> SectionId {
        SectionId {
            kind: SectionKind::Services,
            name: name.into(),
        }
    }
}

impl std::fmt::Display for SectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            SectionKind::Profile => write!(f, "profile `{}`", self.name),
            SectionKind::SsoSession => write!(f, "sso-session `{}`", self.name),
            SectionKind::Services => write!(f, "services `{}`", self.name),
        }
    }
}

impl Document {
    /// Whether `span` declares `id`.
    fn span_is(&self, span: &SectionSpan, id: &SectionId) -> bool {
        self.name_of(span) == id.name
            && matches!(
                (&span.role, id.kind),
                (SectionRole::Profile { .. }, SectionKind::Profile)
                    | (SectionRole::SsoSession, SectionKind::SsoSession)
                    | (SectionRole::Services, SectionKind::Services)
            )
    }

    /// Indices of every section that declares `id`, shadowed ones included.
    pub(crate) fn all_spans(&self, id: &SectionId) -> Vec<usize> {
        (0..self.layout().sections.len())
            .filter(|&i| self.span_is(&self.layout().sections[i], id))
            .collect()
    }

    /// Indices of the sections an SDK reads for `id` (a `[profile default]` hides `[default]`).
    pub(crate) fn effective_spans(&self, id: &SectionId) -> Vec<usize> {
        let hide_plain_default = id.kind == SectionKind::Profile
            && id.name == "default"
            && self.profile_default_present();
        self.all_spans(id)
            .into_iter()
            .filter(|&i| {
                !(hide_plain_default
                    && self.layout().sections[i].role == SectionRole::Profile { prefixed: false })
            })
            .collect()
    }

    /// Whether the document declares the section.
    pub fn contains_section(&self, id: &SectionId) -> bool {
        !self.all_spans(id).is_empty()
    }

    /// The value of `key` in a section, as the SDKs read it from this document alone
    /// (the first line of the value; no continuation lines).
    pub fn get(&self, id: &SectionId, key: &str) -> Option<&str> {
        let at = self.winning_property(id, key)?;
        let property = self.property_span(at);
        Some(&self.line(property.line)[property.value.clone()])
    }

    /// The 1-based line of the section's first effective header.
    pub fn section_line(&self, id: &SectionId) -> Option<usize> {
        self.effective_spans(id)
            .first()
            .map(|&i| self.layout().sections[i].header + 1)
    }

    /// The last occurrence of `key` in the effective sections: the one that wins.
    pub(crate) fn winning_property(&self, id: &SectionId, key: &str) -> Option<(usize, usize)> {
        let mut found = None;
        for span in self.effective_spans(id) {
            for (p, property) in self
                .properties_of(&self.layout().sections[span])
                .enumerate()
            {
                if self.key_of(&property).eq_ignore_ascii_case(key)
                    && is_identifier(self.key_of(&property))
                {
                    found = Some((span, p));
                }
            }
        }
        found
    }

    pub(crate) fn property_span(&self, at: (usize, usize)) -> PropertySpan {
        self.properties_of(&self.layout().sections[at.0])
            .nth(at.1)
            .expect("an index from winning_property")
    }
}
