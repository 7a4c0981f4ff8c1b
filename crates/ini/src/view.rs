//! The semantic view: what an SDK following the specification sees in a document.

use std::collections::BTreeMap;

use crate::document::Document;
use crate::kind::Kind;
use crate::names::is_identifier;
use crate::properties::Properties;
use crate::property::{Origin, Property, SubProperty};
use crate::scan::{trim, SectionRole, SectionSpan};

/// A profile, `sso-session` or other section after duplicates have been merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    /// The normalised name (`foo` for `[profile foo]`).
    pub name: String,
    /// Properties by lower-cased key.
    pub properties: Properties,
    /// Every header that contributed, in file order.
    pub headers: Vec<Origin>,
}

impl Section {
    /// A property's value by key (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.property(key).map(|p| p.value.as_str())
    }

    /// A property by key (case-insensitive).
    pub fn property(&self, key: &str) -> Option<&Property> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.properties.get(&key.to_ascii_lowercase())
        } else {
            self.properties.get(key)
        }
    }
}

/// Everything an SDK reads from a config file, a credentials file, or both merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sections {
    /// Profiles by name.
    pub profiles: BTreeMap<String, Section>,
    /// `[sso-session NAME]` sections by name.
    pub sso_sessions: BTreeMap<String, Section>,
    /// `[services NAME]` sections by name; their properties are sub-property blocks.
    pub services: BTreeMap<String, Section>,
    /// Other `[prefix NAME]` sections, by `prefix NAME`.
    pub other: BTreeMap<String, Section>,
}

impl Sections {
    /// Merges a config file's view with a credentials file's: profiles of the same name are
    /// merged key by key and the credentials file wins.
    pub fn merge(mut config: Sections, credentials: Sections) -> Sections {
        use std::collections::btree_map::Entry;
        // Moved, not copied: a large file's view is most of what a process holds.
        for (name, section) in credentials.profiles {
            match config.profiles.entry(name) {
                Entry::Vacant(vacant) => {
                    vacant.insert(section);
                }
                Entry::Occupied(occupied) => {
                    let target = occupied.into_mut();
                    target.headers.extend(section.headers);
                    target.properties.append(section.properties);
                }
            }
        }
        config
    }
}

impl Document {
    /// The semantic view, or the first error when the specification cannot read the document
    /// (then no SDK reads any of it).
    pub fn sections(&self) -> Result<Sections, crate::Diagnostic> {
        if let Some(error) = self.errors().first() {
            return Err(error.clone());
        }
        // Which map each section goes to, under which name. The maps are built from sorted
        // lists in one go: a tree grown one key at a time leaves its nodes about half full,
        // and a large file has hundreds of thousands of sections.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        enum Map {
            Profiles,
            SsoSessions,
            Services,
            Other,
        }
        let profile_default_present = self.profile_default_present();
        let layout = self.layout();
        let mut placed: Vec<(Map, std::borrow::Cow<'_, str>, usize)> =
            Vec::with_capacity(layout.sections.len());
        for (index, span) in layout.sections.iter().enumerate() {
            let name = self.name_of(span);
            let map = match &span.role {
                SectionRole::Ignored(_) => continue,
                SectionRole::Profile { prefixed: false }
                    if name == "default" && profile_default_present =>
                {
                    continue
                }
                SectionRole::Profile { .. } => Map::Profiles,
                SectionRole::SsoSession => Map::SsoSessions,
                SectionRole::Services => Map::Services,
                SectionRole::Other => {
                    let prefix = self.prefix_of(span).unwrap_or_default();
                    placed.push((Map::Other, format!("{prefix} {name}").into(), index));
                    continue;
                }
            };
            placed.push((map, name.into(), index));
        }
        // Stable: the duplicates of a section stay in file order, the later ones winning.
        placed.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let same = |a: &(Map, _, _), b: &(Map, _, _)| (a.0, &a.1) == (b.0, &b.1);
        let mut counts = [0; 4];
        for group in placed.chunk_by(same) {
            counts[group[0].0 as usize] += 1;
        }
        let mut maps: [Vec<(String, Section)>; 4] = counts.map(Vec::with_capacity);
        for group in placed.chunk_by(same) {
            let (map, name, _) = &group[0];
            let mut section = Section::default();
            for &(_, _, index) in group {
                self.merge_span(&layout.sections[index], &mut section);
            }
            maps[*map as usize].push((name.clone().into_owned(), section));
        }
        drop(placed);
        let [profiles, sso_sessions, services, other] = maps.map(BTreeMap::from_iter);
        Ok(Sections {
            profiles,
            sso_sessions,
            services,
            other,
        })
    }

    /// Whether a config file has a valid `[profile default]`, which hides every `[default]`.
    pub(crate) fn profile_default_present(&self) -> bool {
        self.kind() == Kind::Config
            && self.layout().sections.iter().any(|s| {
                s.role == SectionRole::Profile { prefixed: true } && self.name_of(s) == "default"
            })
    }

    fn merge_span(&self, span: &SectionSpan, section: &mut Section) {
        let kind = self.kind();
        if section.name.is_empty() {
            section.name = self.name_of(span).to_owned();
        }
        if section.headers.is_empty() {
            // Most sections have one header: room for one, not the four a first push makes.
            section.headers.reserve_exact(1);
        }
        section.headers.push(Origin {
            kind,
            line: span.header + 1,
        });
        let properties = self.properties_of(span).filter_map(|property| {
            let key = self.key_of(&property);
            if !is_identifier(key) {
                return None;
            }
            let line = self.line(property.line);
            let mut value = line[property.value.clone()].to_owned();
            let mut sub_properties = Vec::new();
            for &extra in &property.extra {
                let text = trim(self.line(extra));
                value.push('\n');
                value.push_str(text);
                if property.nested {
                    // Like keys, sub-property keys outside the identifier set are ignored.
                    if let Some((k, v)) =
                        text.split_once('=').filter(|(k, _)| is_identifier(trim(k)))
                    {
                        sub_properties.push(SubProperty {
                            key: trim(k).to_owned(),
                            value: trim(v).to_owned(),
                            origin: Origin {
                                kind,
                                line: extra + 1,
                            },
                        });
                    }
                }
            }
            if !property.extra.is_empty() {
                value.shrink_to_fit();
                sub_properties.shrink_to_fit();
            }
            Some(Property {
                key: key.to_owned(),
                value,
                origin: Origin {
                    kind,
                    line: property.line + 1,
                },
                sub_properties,
            })
        });
        section.properties.extend_by_lower_cased_key(properties);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_default_hides_default() {
        let doc = Document::parse("[default]\na = 1\n[profile default]\nb = 2\n", Kind::Config);
        let view = doc.sections().unwrap();
        let default = &view.profiles["default"];
        assert_eq!(default.get("b"), Some("2"));
        assert_eq!(default.get("a"), None);
    }

    #[test]
    fn credentials_win_on_merge() {
        let config = Document::parse("[profile a]\nregion = x\nk = config\n", Kind::Config);
        let creds = Document::parse("[a]\nK = creds\n", Kind::Credentials);
        let merged = Sections::merge(config.sections().unwrap(), creds.sections().unwrap());
        let a = &merged.profiles["a"];
        assert_eq!(a.get("k"), Some("creds"));
        assert_eq!(a.get("region"), Some("x"));
        assert_eq!(
            a.property("k").unwrap().origin,
            Origin {
                kind: Kind::Credentials,
                line: 2
            }
        );
    }

    #[test]
    fn nested_values_keep_the_raw_form_and_parse_sub_properties() {
        let doc = Document::parse(
            "[services s]\ns3 =\n  endpoint_url = http://x\n",
            Kind::Config,
        );
        let view = doc.sections().unwrap();
        let s3 = view.services["s"].property("s3").unwrap();
        assert_eq!(s3.value, "\nendpoint_url = http://x");
        assert_eq!(s3.sub_property("ENDPOINT_URL").unwrap().value, "http://x");
    }
}
