//! Lossless round trips over every file and input in the conformance folder, and probe edits
//! that must change exactly what they address.

use std::path::{Path, PathBuf};

use lanyard_core::ErrorKind;
use lanyard_ini::{Document, Kind, SectionId};
use lanyard_testkit::conformance::{conformance_dir, missing};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every config-like text in the folder: the parser suites' inputs and the INI files.
fn corpus(dir: &Path) -> (Vec<(String, Kind, String)>, Vec<PathBuf>) {
    let mut texts = Vec::new();
    let mut not_utf8 = Vec::new();
    for suite in [
        "smithy-rs/profile-parser-tests.json",
        "aws-sdk-kotlin/profile-parser-tests.json",
    ] {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(suite)).unwrap()).unwrap();
        for (index, case) in json["tests"].as_array().unwrap().iter().enumerate() {
            for (field, kind) in [
                ("configFile", Kind::Config),
                ("credentialsFile", Kind::Credentials),
            ] {
                if let Some(text) = case["input"][field].as_str() {
                    texts.push((format!("{suite} #{index} {field}"), kind, text.to_owned()));
                }
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    for path in files {
        let name = path.to_string_lossy().into_owned();
        let kind = if name.ends_with("/.aws/credentials") || name.contains("/cfg/aws_credentials") {
            Kind::Credentials
        } else if name.ends_with("/.aws/config")
            || name.contains("/botocore/cfg/")
            || name.contains("fs.home..aws")
        {
            Kind::Config
        } else {
            continue;
        };
        match String::from_utf8(std::fs::read(&path).unwrap()) {
            Ok(text) => texts.push((name, kind, text)),
            Err(_) => not_utf8.push(path),
        }
    }
    (texts, not_utf8)
}

#[test]
fn every_input_round_trips_byte_for_byte() {
    let Some(dir) = conformance_dir() else {
        return missing("conformance folder (round trips)");
    };
    let (texts, not_utf8) = corpus(&dir);
    assert!(
        texts.len() > 200,
        "expected the whole corpus, found {}",
        texts.len()
    );
    for (name, kind, text) in &texts {
        for kind in [
            *kind,
            if *kind == Kind::Config {
                Kind::Credentials
            } else {
                Kind::Config
            },
        ] {
            assert_eq!(
                &Document::parse(text, kind).render(),
                text,
                "{name} as {kind:?}"
            );
        }
    }
    // botocore's 51,200 bytes of non-UTF-8: refused with a line number, never rewritten.
    assert!(!not_utf8.is_empty(), "the corpus has a non-UTF-8 file");
    for path in &not_utf8 {
        let error = lanyard_core::files::read_text(path).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Unreadable, "{}", path.display());
        assert!(
            error.to_string().contains(&format!("{}:", path.display())),
            "{error}"
        );
    }
    println!(
        "round trips: {} texts, {} non-UTF-8 files refused",
        texts.len(),
        not_utf8.len()
    );
}

#[test]
fn probe_edits_change_exactly_what_they_address() {
    let Some(dir) = conformance_dir() else {
        return missing("conformance folder (probe edits)");
    };
    let (texts, _) = corpus(&dir);
    let mut probed = 0;
    for (name, kind, text) in &texts {
        let original = Document::parse(text, *kind);
        let Ok(before) = original.sections() else {
            continue;
        };
        for profile in before.profiles.keys() {
            let id = SectionId::profile(profile.as_str());
            let mut doc = original.clone();
            doc.set(&id, "lanyard_probe", "1")
                .unwrap_or_else(|e| panic!("{name}: set in {profile}: {e}"));
            let after = doc
                .sections()
                .unwrap_or_else(|e| panic!("{name}: set broke the file: {e}"));
            let mut expected = before.clone();
            let mut changed = after.clone();
            changed
                .profiles
                .get_mut(profile)
                .unwrap()
                .properties
                .remove("lanyard_probe")
                .expect("probe key present");
            for section in expected
                .profiles
                .values_mut()
                .chain(changed.profiles.values_mut())
            {
                section.headers.clear();
                for property in section.properties.values_mut() {
                    property.origin.line = 0;
                    for sub in &mut property.sub_properties {
                        sub.origin.line = 0;
                    }
                }
            }
            assert_eq!(
                expected.profiles, changed.profiles,
                "{name}: setting a key in {profile} changed other keys"
            );
            assert!(doc.unset(&id, "lanyard_probe").unwrap());
            assert_eq!(
                &doc.render(),
                text,
                "{name}: set then unset in {profile} did not restore the file"
            );
            if profile != "default" {
                let mut doc = original.clone();
                if doc.rename_section(&id, "lanyard-renamed").is_ok() {
                    doc.rename_section(&SectionId::profile("lanyard-renamed"), profile)
                        .unwrap();
                    assert_eq!(
                        &doc.render(),
                        text,
                        "{name}: rename and back changed the file"
                    );
                }
            }
            probed += 1;
        }
    }
    assert!(probed > 100, "probed only {probed} profiles");
    println!("probe edits: {probed} profiles");
}
