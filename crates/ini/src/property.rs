//! A property as the semantic view reads it: its key and value, its sub-properties, and the
//! line it came from. Both the view and the [`Properties`](crate::properties::Properties) map
//! that holds a section's properties build on it.

use crate::kind::Kind;

/// Where a value was read: which file and which line (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The file.
    pub kind: Kind,
    /// The 1-based line number.
    pub line: usize,
}

/// One `key = value` line under a property whose own value is empty (`s3 =`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubProperty {
    /// The key as written.
    pub key: String,
    /// The value, trimmed.
    pub value: String,
    /// Where it was read.
    pub origin: Origin,
}

/// A property after normalisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    /// The key as written in the file (lookups are case-insensitive).
    pub key: String,
    /// The value as the specification defines it: continuation lines are appended after `\n`,
    /// and sub-property lines too (the form the SDKs' parser test suites use).
    pub value: String,
    /// Where the property line is.
    pub origin: Origin,
    /// The parsed sub-properties, when the property line had an empty value.
    pub sub_properties: Vec<SubProperty>,
}

impl Property {
    /// Whether this property is a block of sub-properties (`s3 =` followed by indented lines).
    pub fn is_nested(&self) -> bool {
        self.value.starts_with('\n')
    }

    /// A sub-property by key (case-insensitive); the last one defined wins.
    pub fn sub_property(&self, key: &str) -> Option<&SubProperty> {
        self.sub_properties
            .iter()
            .rev()
            .find(|s| s.key.eq_ignore_ascii_case(key))
    }
}
