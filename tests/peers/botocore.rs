//! botocore agrees with `lanyard dump --json`, or Lanyard's `doctor` names the construct on
//! which the AWS CLI and the SDKs disagree.

use std::path::{Path, PathBuf};

use lanyard_testkit::{botocore_batch, require_peer};
use serde_json::Value;

use crate::util::Home;

/// Lint codes for constructs the AWS CLI reads differently from the SDKs.
const DIVERGENT: &[&str] = &[
    "duplicate-section",
    "duplicate-key",
    "quoted-name",
    "ignored-section",
    "ignored-key",
    "indented-comment",
    "shadowed-default",
    "byte-order-mark",
    "inline-comment",
    "padded-header",
];

struct Input {
    name: String,
    home: Home,
}

fn conformance_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("LANYARD_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    };
    dir.is_dir().then_some(dir)
}

fn inputs(dir: &Path) -> Vec<Input> {
    let mut inputs = Vec::new();
    let mut add = |name: String, config: Option<&str>, credentials: Option<&str>| {
        let home = Home::new();
        home.write(".aws/config", config.unwrap_or(""));
        home.write(".aws/credentials", credentials.unwrap_or(""));
        inputs.push(Input { name, home });
    };
    for suite in [
        "smithy-rs/profile-parser-tests.json",
        "aws-sdk-kotlin/profile-parser-tests.json",
    ] {
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(suite)).unwrap()).unwrap();
        for (index, case) in json["tests"].as_array().unwrap().iter().enumerate() {
            add(
                format!("{suite} #{index}"),
                case["input"]["configFile"].as_str(),
                case["input"]["credentialsFile"].as_str(),
            );
        }
    }
    for chain in [
        "smithy-rs/profile-provider",
        "smithy-rs/default-credential-provider-chain",
        "smithy-rs/default-token-provider-chain",
        "aws-sdk-kotlin/default-provider-chain",
    ] {
        let Ok(cases) = std::fs::read_dir(dir.join(chain)) else {
            continue;
        };
        for case in cases.flatten() {
            let aws = case.path().join("fs/home/.aws");
            let read = |f: &str| std::fs::read_to_string(aws.join(f)).ok();
            let (config, credentials) = (read("config"), read("credentials"));
            if config.is_some() || credentials.is_some() {
                add(
                    format!("{chain}/{}", case.file_name().to_string_lossy()),
                    config.as_deref(),
                    credentials.as_deref(),
                );
            }
        }
    }
    for file in std::fs::read_dir(dir.join("botocore/cfg"))
        .unwrap()
        .flatten()
    {
        if let Ok(text) = std::fs::read_to_string(file.path()) {
            add(
                format!("botocore/cfg/{}", file.file_name().to_string_lossy()),
                Some(&text),
                None,
            );
        }
    }
    inputs
}

fn divergent_lints(home: &Home) -> Vec<String> {
    let doctor: Value = serde_json::from_str(&home.run(&["doctor", "--json"]).stdout()).unwrap();
    doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| DIVERGENT.contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            format!(
                "{} at {}",
                f["code"].as_str().unwrap(),
                f["location"].as_str().unwrap()
            )
        })
        .collect()
}

/// Compares botocore's view of each home with `lanyard dump`; returns the failures and the
/// counts of (agreed, explained by a lint, not read by SDKs).
fn compare(inputs: &[Input], allow_explained: bool) -> (Vec<String>, [usize; 3]) {
    let pairs: Vec<(PathBuf, PathBuf)> = inputs
        .iter()
        .map(|i| (i.home.config(), i.home.credentials()))
        .collect();
    let peer = botocore_batch(&pairs);
    let mut failures = Vec::new();
    let mut counts = [0; 3];
    for (input, botocore) in inputs.iter().zip(peer) {
        let dump = input.home.run(&["dump", "--json"]);
        if dump.code() != 0 {
            // A file the specification rejects: no SDK reads it, and Lanyard says where.
            assert!(
                dump.stderr().contains(".aws/"),
                "{}: {}",
                input.name,
                dump.stderr()
            );
            counts[2] += 1;
            continue;
        }
        let ours: Value = serde_json::from_str(&dump.stdout()).unwrap();
        if botocore.as_ref().ok() == Some(&ours) {
            counts[0] += 1;
            continue;
        }
        let lints = divergent_lints(&input.home);
        if allow_explained && !lints.is_empty() {
            counts[1] += 1;
            continue;
        }
        failures.push(format!(
            "{}: botocore {} but lanyard dump gives {ours}; doctor names {lints:?}",
            input.name,
            match &botocore {
                Ok(view) => format!("gives {view}"),
                Err(error) => format!("fails ({error})"),
            }
        ));
    }
    (failures, counts)
}

#[test]
fn botocore_agrees_on_every_conformance_input_or_doctor_names_why() {
    if !require_peer("botocore") {
        return;
    }
    let Some(dir) = conformance_dir() else {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "conformance folder missing under CI"
        );
        eprintln!("skipped: no conformance folder beside the project");
        return;
    };
    let inputs = inputs(&dir);
    let (failures, [agreed, explained, unread]) = compare(&inputs, true);
    println!("botocore vs lanyard: {} inputs: {agreed} agree, {explained} differ where doctor names the construct, {unread} no SDK reads", inputs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        agreed * 2 > inputs.len(),
        "only {agreed} of {} inputs agreed",
        inputs.len()
    );
}

/// A small deterministic generator, so the generated files vary but every run is the same.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn botocore_agrees_exactly_on_files_lanyard_writes() {
    if !require_peer("botocore") {
        return;
    }
    let mut inputs = Vec::new();
    for seed in 0..6u64 {
        let home = Home::new();
        // Start from a hand-written file with comments and odd spacing, CRLF for odd seeds.
        let eol = if seed % 2 == 1 { "\r\n" } else { "\n" };
        home.write(".aws/config", &format!("# my profiles{eol}[default]{eol}region=us-east-1{eol}{eol}; old stuff{eol}[profile legacy]{eol}output = text{eol}"));
        let mut rng = Lcg(seed);
        let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"];
        for step in 0..40 {
            let name = format!("p{}", rng.next(12));
            let region = regions[rng.next(regions.len())];
            let args: Vec<String> = match rng.next(9) {
                0 => vec![
                    "set".into(),
                    name,
                    format!("region={region}"),
                    "output=json".into(),
                ],
                1 => vec![
                    "set".into(),
                    name,
                    format!("aws_access_key_id=AKIA{step:016}"),
                    format!("aws_secret_access_key=secret/{step}+x=="),
                    "aws_session_token=FwoGZXIvYXdz//tok==".into(),
                ],
                2 => vec![
                    "set".into(),
                    name,
                    format!("role_arn=arn:aws:iam::{:012}:role/R{step}", rng.next(1000)),
                    "source_profile=legacy".into(),
                    "external_id=ext;1".into(),
                ],
                3 => vec![
                    "set".into(),
                    "--sso-session".into(),
                    format!("s{}", rng.next(3)),
                    "sso_start_url=https://d-abc.awsapps.com/start".into(),
                    format!("sso_region={region}"),
                    "sso_registration_scopes=sso:account:access".into(),
                ],
                4 => vec![
                    "set".into(),
                    name,
                    format!("sso_session=s{}", rng.next(3)),
                    "sso_account_id=111122223333".into(),
                    "sso_role_name=Admin".into(),
                ],
                5 => vec![
                    "set".into(),
                    "--services".into(),
                    "local".into(),
                    format!("s3.endpoint_url=http://127.0.0.1:{}", 9000 + step),
                    "sts.endpoint_url=http://127.0.0.1:5000".into(),
                ],
                6 => vec![
                    "set".into(),
                    name,
                    "s3.addressing_style=path".into(),
                    "s3.use_accelerate_endpoint=false".into(),
                    "services=local".into(),
                ],
                7 => vec!["unset".into(), name, "region".into(), "output".into()],
                _ => vec!["rename".into(), name, format!("q{step}")],
            };
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // Unset and rename of a profile that does not exist fail cleanly; that is fine here.
            let run = home.run(&args);
            assert!(
                run.code() == 0 || run.code() == 1,
                "{args:?}: {}",
                run.stderr()
            );
        }
        assert!(
            divergent_lints(&home).is_empty(),
            "lanyard wrote a divergent construct: {:?}",
            divergent_lints(&home)
        );
        inputs.push(Input {
            name: format!("generated seed {seed}"),
            home,
        });
    }
    let (failures, [agreed, ..]) = compare(&inputs, false);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(agreed, inputs.len());
}

/// `HOME` set but empty: botocore (the AWS CLI) reads `/.aws/config`; the AWS SDK for Rust
/// takes the empty home as it is (its default path then names `.aws/config` under the
/// working folder). Lanyard reads where the AWS CLI reads, and, since neither is a place the
/// user named, writes nowhere (`tests/cli/robustness.rs` checks the refusal).
#[test]
fn an_empty_home_is_resolved_as_the_sdks_resolve_it() {
    if !require_peer("botocore") {
        return;
    }
    let out = std::process::Command::new(lanyard_testkit::peer_python())
        .args([
            "-c",
            "import os, botocore.session; s = botocore.session.Session(); print(os.path.expanduser(s.get_config_variable('config_file')))",
        ])
        .env("HOME", "")
        .env_remove("AWS_CONFIG_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let botocore = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let ours = lanyard_core::paths::locations(
        &lanyard_core::Env::from_pairs([("HOME", "")]),
        lanyard_core::paths::Platform::Unix,
        Some("/home/someone-else"),
    );
    assert_eq!(ours.config, PathBuf::from(&botocore));
    assert!(
        ours.empty_home,
        "an empty home is told apart from a real one"
    );
    // The AWS SDK for Rust uses the empty value as the home too, never the system's.
    let sdk_home = aws_runtime::fs_util::home_dir(
        &aws_types::os_shim_internal::Env::from_slice(&[("HOME", "")]),
        aws_runtime::fs_util::Os::Unix,
    );
    assert_eq!(sdk_home.as_deref(), Some(""));
}

/// The SSO token cache is the AWS CLI v2's: botocore's token loader finds and reads a token
/// Lanyard writes, under the same file name, for an sso-session and for a legacy start URL.
#[test]
fn botocore_reads_the_sso_tokens_lanyard_caches() {
    if !require_peer("botocore") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = lanyard_core::sso::cache_dir(dir.path());
    for (session, url) in [
        (Some("corp"), "https://corp.awsapps.com/start"),
        (None, "https://old.awsapps.com/start"),
    ] {
        let token: lanyard_core::sso::CachedToken = serde_json::from_value(serde_json::json!({
            "startUrl": url, "region": "eu-west-1", "accessToken": "FakeSsoToken-peer-access",
            "expiresAt": "2099-01-01T00:00:00Z", "clientId": "client",
            "clientSecret": "FakeSsoToken-peer-secret", "registrationExpiresAt": "2099-01-01T00:00:00Z",
            "refreshToken": "FakeSsoToken-peer-refresh",
        }))
        .unwrap();
        token
            .write(&lanyard_core::sso::cache_path(&cache, session, url))
            .unwrap();
        let script = "import sys\nfrom botocore.utils import SSOTokenLoader, JSONFileCache\nloader = SSOTokenLoader(cache=JSONFileCache(sys.argv[1]))\nsession = sys.argv[3] or None\ntoken = loader(sys.argv[2], session_name=session)\nprint(token['expiresAt'], len(token['accessToken']), token['clientId'])";
        let out = std::process::Command::new(lanyard_testkit::peer_python())
            .args(["-c", script])
            .arg(&cache)
            .arg(url)
            .arg(session.unwrap_or(""))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim(),
            format!(
                "2099-01-01T00:00:00Z {} client",
                "FakeSsoToken-peer-access".len()
            )
        );
    }
}
