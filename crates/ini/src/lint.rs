//! Things that parse but that SDKs disagree on, or that a person did not mean.

use std::collections::HashMap;

use crate::document::Document;
use crate::kind::Kind;
use crate::names::is_identifier;
use crate::scan::{trim, LineKind, SectionRole};

/// What a [`Lint`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LintCode {
    /// A section declared twice in one file: the AWS CLI refuses the whole file.
    DuplicateSection,
    /// A key set twice in one section: the AWS CLI refuses the whole file.
    DuplicateKey,
    /// A quoted section name: the AWS CLI reads it, SDKs following the specification ignore it.
    QuotedName,
    /// A section the SDKs ignore (bad name, missing prefix, wrong file).
    IgnoredSection,
    /// A key the SDKs ignore.
    IgnoredKey,
    /// An indented `#` or `;` line: a comment for the AWS CLI, part of the value for the SDKs.
    IndentedComment,
    /// `[default]` hidden by `[profile default]`.
    ShadowedDefault,
    /// A byte-order mark: the AWS CLI cannot read the first section.
    ByteOrderMark,
    /// ` # comment` after a value: the SDKs drop it, the AWS CLI keeps it in the value.
    InlineComment,
    /// Spaces inside the brackets of a header: the AWS CLI ignores `[ profile x ]`.
    PaddedHeader,
}

/// A warning about a line that parses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lint {
    /// What it is about.
    pub code: LintCode,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Document {
    /// Warnings about lines that parse but that not every SDK reads the same way.
    pub fn lints(&self) -> Vec<Lint> {
        let mut lints = Vec::new();
        let mut push = |code, line: usize, message: String, fix: &str| {
            lints.push(Lint {
                code,
                line: line + 1,
                message,
                fix: fix.to_owned(),
            });
        };
        if self.has_bom() {
            push(
                LintCode::ByteOrderMark,
                0,
                "the file starts with a byte-order mark".to_owned(),
                "save the file as UTF-8 without a BOM",
            );
        }
        let shadowed = self.profile_default_present();
        let mut seen: HashMap<(u8, &str), usize> = HashMap::new();
        for span in &self.layout().sections {
            let header = self.line(span.header);
            let inner = trim(&header[span.inner()]);
            let role_key = match span.role {
                SectionRole::Profile { .. } => 0,
                SectionRole::SsoSession => 1,
                SectionRole::Services => 2,
                SectionRole::Other => 3,
                SectionRole::Ignored(reason) => {
                    let quoted =
                        self.name_of(span).starts_with(['"', '\'']) || inner.contains(['"', '\'']);
                    if quoted {
                        push(
                            LintCode::QuotedName,
                            span.header,
                            format!("[{inner}] has a quoted name: the AWS CLI reads it, but the SDKs for Rust, Go, Java and others ignore it"),
                            "rename the profile to a name without spaces or quotes",
                        );
                    } else {
                        push(
                            LintCode::IgnoredSection,
                            span.header,
                            format!(
                                "[{inner}] is ignored: {}",
                                reason.reason(self.prefix_of(span), self.name_of(span))
                            ),
                            match self.kind() {
                                Kind::Config => "write it as [profile NAME] with a name of letters, digits and _ - / . % @ : +",
                                Kind::Credentials => "write it as [NAME] with a name of letters, digits and _ - / . % @ : +",
                            },
                        );
                    }
                    continue;
                }
            };
            if header[span.inner()].starts_with([' ', '\t']) {
                push(
                    LintCode::PaddedHeader,
                    span.header,
                    format!("[{}] has spaces inside the brackets: the SDKs read it, the AWS CLI ignores the section", &header[span.inner()]),
                    &format!("write it as [{inner}]"),
                );
            }
            if shadowed
                && span.role == (SectionRole::Profile { prefixed: false })
                && self.name_of(span) == "default"
            {
                push(
                    LintCode::ShadowedDefault,
                    span.header,
                    "[default] is ignored because the file also has [profile default]".to_owned(),
                    "merge the two into [default]",
                );
            } else if let Some(&first) = seen.get(&(role_key, self.name_of(span))) {
                push(
                    LintCode::DuplicateSection,
                    span.header,
                    format!("[{inner}] is declared again (first on line {}); the AWS CLI refuses such a file", first + 1),
                    "merge the duplicate sections into one",
                );
            } else {
                seen.insert((role_key, self.name_of(span)), span.header);
            }
            let mut keys: HashMap<String, usize> = HashMap::new();
            for property in self.properties_of(span) {
                let property = &property;
                if trim(&self.line(property.line)[property.value.end..]).starts_with(['#', ';']) {
                    push(
                        LintCode::InlineComment,
                        property.line,
                        format!("the comment after `{}` is dropped by the SDKs but read as part of the value by the AWS CLI", self.key_of(property)),
                        "move the comment to a line of its own, starting with `#`",
                    );
                }
                if !is_identifier(self.key_of(property)) {
                    push(
                        LintCode::IgnoredKey,
                        property.line,
                        format!(
                            "the key `{}` is ignored: it is not a valid name",
                            self.key_of(property)
                        ),
                        "use a key of letters, digits and _ - / . % @ : +",
                    );
                    continue;
                }
                if property.nested {
                    for &sub in &property.extra {
                        let key = trim(self.line(sub))
                            .split_once('=')
                            .map(|(k, _)| trim(k))
                            .unwrap_or("");
                        if !is_identifier(key) {
                            push(
                                LintCode::IgnoredKey,
                                sub,
                                format!("the sub-property key `{key}` is ignored by the SDKs (the AWS CLI reads it)"),
                                "use a key of letters, digits and _ - / . % @ : +",
                            );
                        }
                    }
                }
                let lower = self.key_of(property).to_ascii_lowercase();
                if let Some(first) = keys.insert(lower, property.line) {
                    push(
                        LintCode::DuplicateKey,
                        property.line,
                        format!(
                            "`{}` is set again (first on line {}); the AWS CLI refuses such a file",
                            self.key_of(property),
                            first + 1
                        ),
                        "remove one of the two lines",
                    );
                }
            }
        }
        for (index, kind) in self.layout().kinds.iter().enumerate() {
            if matches!(kind, LineKind::Continuation | LineKind::SubProperty)
                && trim(self.line(index)).starts_with(['#', ';'])
            {
                push(
                    LintCode::IndentedComment,
                    index,
                    "an indented comment is read as part of the value above it by the SDKs"
                        .to_owned(),
                    "move the `#` or `;` to the start of the line",
                );
            }
        }
        lints.sort_by_key(|l| l.line);
        lints
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, kind: Kind) -> Vec<(LintCode, usize)> {
        Document::parse(text, kind)
            .lints()
            .into_iter()
            .map(|l| (l.code, l.line))
            .collect()
    }

    #[test]
    fn finds_what_the_cli_and_the_sdks_disagree_on() {
        assert_eq!(
            codes(
                "[profile a]\nk = 1\nK = 2\n[profile a]\n[profile 'b c']\n[foo]\n",
                Kind::Config
            ),
            [
                (LintCode::DuplicateKey, 3),
                (LintCode::DuplicateSection, 4),
                (LintCode::QuotedName, 5),
                (LintCode::IgnoredSection, 6)
            ]
        );
        assert_eq!(
            codes("[default]\nk = v\n  # note\n", Kind::Config),
            [(LintCode::IndentedComment, 3)]
        );
        assert_eq!(
            codes("[profile x]\n", Kind::Credentials),
            [(LintCode::IgnoredSection, 1)]
        );
        assert_eq!(
            codes("[default]\nregion = x # note\nurl = a#b\n", Kind::Config),
            [(LintCode::InlineComment, 2)]
        );
        assert_eq!(
            codes(
                "[ profile a ]\ns3 =\n  in valid = 1\n  ok = 2\n",
                Kind::Config
            ),
            [(LintCode::PaddedHeader, 1), (LintCode::IgnoredKey, 3)]
        );
    }
}
