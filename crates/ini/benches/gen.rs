//! Deterministic generators of large, realistic AWS config and credentials files, for the
//! benchmarks. No dependencies: a small xorshift generator keeps every run identical.

use std::fmt::Write;

/// A 64-bit xorshift generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// `len` characters from `alphabet`.
    pub fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];
const OUTPUTS: &[&str] = &["json", "yaml", "text", "table"];
const TEAMS: &[&str] = &["payments", "search", "platform", "data", "identity", "edge"];
const STAGES: &[&str] = &["dev", "staging", "prod", "sandbox"];
const ROLES: &[&str] = &[
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "Billing",
];
const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn account(rng: &mut Rng) -> String {
    format!("{:012}", rng.below(1_000_000_000_000))
}

/// A config file with `profiles` profiles: static, SSO and assume-role profiles with the
/// usual keys, a few comments, `sso-session` and `services` sections and sub-property blocks.
pub fn config(profiles: usize) -> String {
    let mut rng = Rng::new(0x5eed_c0f1);
    let mut out = String::with_capacity(profiles * 110);
    out.push_str("# AWS CLI configuration\n# Generated for the lanyard benchmarks.\n\n");
    out.push_str("[default]\nregion = us-east-1\noutput = json\n\n");
    for team in TEAMS {
        writeln!(
            out,
            "[sso-session {team}]\nsso_start_url = https://{team}.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
        )
        .unwrap();
    }
    out.push_str("[services local]\ns3 =\n    endpoint_url = http://localhost:4566\n    addressing_style = path\ndynamodb =\n    endpoint_url = http://localhost:8000\n\n");
    for index in 0..profiles {
        let team = rng.pick(TEAMS);
        let stage = rng.pick(STAGES);
        let region = rng.pick(REGIONS);
        if rng.below(8) == 0 {
            writeln!(out, "# {team} {stage}: owned by {team}-oncall").unwrap();
        }
        writeln!(out, "[profile {team}-{stage}-{index}]").unwrap();
        match rng.below(10) {
            0..=3 => {
                let role = rng.pick(ROLES);
                let account = account(&mut rng);
                writeln!(
                    out,
                    "sso_session = {team}\nsso_account_id = {account}\nsso_role_name = {role}"
                )
                .unwrap();
            }
            4..=6 => {
                let account = account(&mut rng);
                writeln!(
                    out,
                    "role_arn = arn:aws:iam::{account}:role/{team}-deploy\nsource_profile = {team}-base"
                )
                .unwrap();
                if rng.below(4) == 0 {
                    out.push_str("duration_seconds = 3600\n");
                }
            }
            _ => {}
        }
        writeln!(out, "region = {region}").unwrap();
        if rng.below(2) == 0 {
            writeln!(out, "output = {}", rng.pick(OUTPUTS)).unwrap();
        }
        if rng.below(50) == 0 {
            out.push_str(
                "s3 =\n    max_concurrent_requests = 20\n    addressing_style = virtual\n",
            );
        }
        if rng.below(40) == 0 {
            out.push_str("services = local\n");
        }
        out.push('\n');
    }
    out
}

/// A credentials file with `profiles` profiles of access keys, a quarter of them with a
/// session token.
pub fn credentials(profiles: usize) -> String {
    let mut rng = Rng::new(0xc4ed_5eed);
    let mut out = String::with_capacity(profiles * 160);
    for index in 0..profiles {
        let team = rng.pick(TEAMS);
        let stage = rng.pick(STAGES);
        let key_id = rng.string(UPPER_DIGITS, 16);
        let secret = rng.string(BASE64, 40);
        writeln!(
            out,
            "[{team}-{stage}-{index}]\naws_access_key_id = AKIA{key_id}\naws_secret_access_key = {secret}"
        )
        .unwrap();
        if rng.below(4) == 0 {
            let token = rng.string(BASE64, 356);
            writeln!(out, "aws_session_token = {token}").unwrap();
        }
        out.push('\n');
    }
    out
}
