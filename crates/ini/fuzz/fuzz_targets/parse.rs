//! Parses any UTF-8 input as both kinds of file and checks the document's promises: it renders
//! back byte for byte, the semantic view and the lints never panic, and on a document without
//! errors a few edits (chosen by the input's bytes) keep it readable, re-parse to the same view
//! and render the same way twice.

#![no_main]

use lanyard_ini::{Document, Kind, SectionId, Sections};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [Kind::Config, Kind::Credentials] {
        let doc = Document::parse(text, kind);
        assert_eq!(doc.render(), text);
        assert_eq!(doc.to_string(), text);
        let _ = doc.lints();
        match doc.sections() {
            Ok(view) => edit(doc, view, data),
            Err(error) => assert_eq!(Some(&error), doc.errors().first()),
        }
    }
});

/// The input's bytes, read from the end, as a stream of choices.
struct Tape<'a>(&'a [u8]);

impl Tape<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_last() {
            Some((&last, rest)) => {
                self.0 = rest;
                last
            }
            None => 0,
        }
    }

    fn pick<'s>(&mut self, items: &'s [String]) -> &'s str {
        &items[self.byte() as usize % items.len()]
    }
}

const VALUES: &[&str] = &[
    "x",
    "us-east-1",
    "",
    "a=b",
    "https://x.awsapps.com/start#/",
    "é",
];

fn edit(mut doc: Document, view: Sections, data: &[u8]) {
    let kind = doc.kind();
    let mut tape = Tape(data);
    let mut names: Vec<String> = view.profiles.keys().cloned().collect();
    names.push("fuzz".to_owned());
    names.push("default".to_owned());
    let mut keys: Vec<String> = view
        .profiles
        .values()
        .flat_map(|s| s.properties.keys().cloned())
        .collect();
    keys.extend(["region", "s3", "Output"].map(str::to_owned));
    for _ in 0..4 {
        let op = tape.byte();
        let id = match op >> 5 {
            0 if kind == Kind::Config => SectionId::sso_session(tape.pick(&names)),
            1 if kind == Kind::Config => SectionId::services(tape.pick(&names)),
            _ => SectionId::profile(tape.pick(&names)),
        };
        let key = tape.pick(&keys).to_owned();
        let value = VALUES[tape.byte() as usize % VALUES.len()];
        match op % 8 {
            0 | 1 => {
                if doc.set(&id, &key, value).is_ok() {
                    let view = doc.sections().expect("an edit keeps the document readable");
                    let section = match id.kind {
                        lanyard_ini::SectionKind::Profile => &view.profiles[&id.name],
                        lanyard_ini::SectionKind::SsoSession => &view.sso_sessions[&id.name],
                        lanyard_ini::SectionKind::Services => &view.services[&id.name],
                    };
                    assert_eq!(section.get(&key), Some(value));
                }
            }
            2 => {
                let _ = doc.unset(&id, &key);
            }
            3 => {
                let sub = tape.pick(&keys).to_owned();
                let _ = doc.set_sub_property(&id, &key, &sub, value);
            }
            4 => {
                let sub = tape.pick(&keys).to_owned();
                let _ = doc.unset_sub_property(&id, &key, &sub);
            }
            5 => {
                let _ = doc.remove_section(&id);
            }
            6 => {
                let to = tape.pick(&names).to_owned();
                let _ = doc.rename_section(&id, &format!("{to}-{}", tape.byte() % 4));
            }
            _ => {
                let to = SectionId {
                    kind: id.kind,
                    name: format!("{}-copy", id.name),
                };
                let _ = doc.copy_section(&id, &to);
                let _ = doc.add_section(&id);
            }
        }
        assert!(
            doc.errors().is_empty(),
            "an edit made the document unreadable: {:?}",
            doc.errors()
        );
        let text = doc.render();
        assert_eq!(doc.render(), text);
        assert_eq!(doc.to_string(), text);
        // What the store writes, and whether it writes at all.
        let mut written = Vec::new();
        doc.write_to(&mut written).expect("writing to memory");
        assert_eq!(written, text.as_bytes());
        assert_eq!(doc.is_unchanged(), text == doc.source());
        let reparsed = Document::parse(&text, kind);
        assert_eq!(reparsed.render(), text);
        assert_eq!(
            reparsed.sections(),
            doc.sections(),
            "the text reads back differently"
        );
    }
}
