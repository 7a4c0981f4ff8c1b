/*!
A lossless document model for the INI dialect of the AWS shared `config` and `credentials` files.

The model has three layers, each built from the one before:

1. **Lines.** [`Document::parse`] never fails. Every line of the input is kept with its exact
   bytes and its line ending, so [`Document::to_string`] gives back the input byte for byte:
   CRLF and LF (mixed too), tabs, a missing final newline, a byte-order mark, comments and lines
   that are not valid at all.
2. **Layout.** Each line is classified the way the cross-SDK profile-file specification reads it
   (header, property, continuation, sub-property, comment, blank, invalid), and grouped into
   sections. Lines the specification rejects become [`Diagnostic`]s carrying their line number
   and the same messages the AWS SDK for Rust uses.
3. **Sections.** [`Document::sections`] is the semantic view: profiles, `sso-session`s,
   `services` blocks and other sections after the specification's normalisation (prefixes,
   name validation, `[default]` versus `[profile default]`, duplicate merging).
   [`Sections::merge`] combines a config and a credentials file.

Edits ([`Document::set`], [`Document::unset`], [`Document::remove_section`], …) work on the
lines: they touch only the lines they change, keep the spelling of existing keys, write new keys
in lower case, never create a duplicate section or key, and refuse to edit a document that the
specification cannot parse. This crate knows the file format only; what the keys mean to AWS
lives in `lanyard-core`.
*/
#![deny(missing_docs)]

mod document;
mod edit;
mod kind;
mod lint;
mod names;
pub mod properties;
mod property;
mod scan;
mod section_id;
mod view;

pub use document::{Document, Eol};
pub use edit::EditError;
pub use kind::Kind;
pub use lint::{Lint, LintCode};
pub use names::{is_identifier, validate_key, validate_name, validate_value, ValueWarning};
pub use properties::Properties;
pub use property::{Origin, Property, SubProperty};
pub use scan::Diagnostic;
pub use section_id::{SectionId, SectionKind};
pub use view::{Section, Sections};
