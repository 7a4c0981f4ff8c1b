//! botocore's configured-endpoint suite, used as writer input: its profiles and `services`
//! blocks are written through Lanyard's edit API and must read back exactly.

use lanyard_ini::{Document, Kind, SectionId};
use lanyard_testkit::conformance::{locate, missing};

#[test]
fn botocore_endpoint_profiles_written_by_lanyard_read_back_exactly() {
    let Some(path) = locate("botocore/profile-tests.json", None) else {
        return missing("botocore/profile-tests.json");
    };
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let suite = &json["testSuites"][0];
    let mut doc = Document::parse("", Kind::Config);
    let profiles = suite["profiles"].as_object().unwrap();
    let services = suite["services"].as_object().unwrap();
    for (name, keys) in profiles {
        for (key, value) in keys.as_object().unwrap() {
            doc.set(
                &SectionId::profile(name.as_str()),
                key,
                value.as_str().unwrap(),
            )
            .unwrap();
        }
    }
    for (name, blocks) in services {
        for (service, keys) in blocks.as_object().unwrap() {
            for (key, value) in keys.as_object().unwrap() {
                doc.set_sub_property(
                    &SectionId::services(name.as_str()),
                    service,
                    key,
                    value.as_str().unwrap(),
                )
                .unwrap();
            }
        }
    }
    let text = doc.render();
    let view = Document::parse(&text, Kind::Config).sections().unwrap();
    assert_eq!(view.profiles.len(), profiles.len());
    for (name, keys) in profiles {
        let section = &view.profiles[name];
        assert_eq!(
            section.properties.len(),
            keys.as_object().unwrap().len(),
            "{name}"
        );
        for (key, value) in keys.as_object().unwrap() {
            assert_eq!(section.get(key), value.as_str(), "{name}.{key}");
        }
    }
    for (name, blocks) in services {
        for (service, keys) in blocks.as_object().unwrap() {
            let property = view.services[name].property(service).unwrap();
            for (key, value) in keys.as_object().unwrap() {
                assert_eq!(
                    property.sub_property(key).map(|s| s.value.as_str()),
                    value.as_str()
                );
            }
        }
    }
    assert!(
        text.contains(
            "[services service_specific_s3]\ns3 =\n    endpoint_url = https://s3.endpoint.aws\n"
        ),
        "{text}"
    );
    println!(
        "botocore endpoint profiles written and read back: {} profiles, {} services sections",
        profiles.len(),
        services.len()
    );
}
