//! The AWS SDKs' IAM Identity Center directory cases, replayed against Lanyard: smithy-rs
//! `default-credential-provider-chain/*sso*` and aws-sdk-kotlin `legacy_sso_role` /
//! `sso_session` through `lanyard_providers::resolve`, and smithy-rs
//! `default-token-provider-chain/` through `lanyard_providers::sso::{SignIn, token}`.
//!
//! Each case's `fs/` becomes a temporary root (HOME inside it), the keychain is in memory,
//! and IAM Identity Center is a loopback server that answers with the recorded responses and
//! keeps what Lanyard sent, so that method, path, query and the bearer token header are
//! checked against the recording (hosts differ, and are not compared). The vectors are read
//! in place (`lanyard_testkit::conformance`); a missing suite is skipped with a message, a
//! failure under `CI=true`.
//!
//! Clock: the recorded role credentials expired long ago (2009, 2022). Lanyard refuses STS
//! credentials that arrive expired; an SDK would hand these out as they are. The cases run on
//! a fixed clock one hour before the recorded expiry (the cached tokens last until 2080), so
//! that they test what they were written for: where the token is, what is sent, what comes
//! back.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use lanyard_core::clock::FixedClock;
use lanyard_core::credentials::parse_rfc3339;
use lanyard_core::prompt::NoPrompt;
use lanyard_core::vault::MemoryStore;
use lanyard_core::{Env, Workspace};
use lanyard_testkit::conformance::{conformance_dir, missing};
use serde_json::Value;

/// One recorded request and the answer to it.
#[derive(Clone, Debug)]
struct Exchange {
    method: String,
    /// Path and query of the recorded URI.
    target: String,
    /// Recorded request headers, names lower-cased, `host` left out.
    headers: BTreeMap<String, String>,
    status: u16,
    response_headers: Vec<(String, String)>,
    body: String,
}

/// What Lanyard sent.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
}

fn path_and_query(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    match rest.find('/') {
        Some(i) => rest[i..].to_owned(),
        None => "/".to_owned(),
    }
}

fn one_value(value: &Value) -> String {
    match value {
        Value::Array(values) => values
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(","),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn request_headers(headers: &Value) -> BTreeMap<String, String> {
    headers
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.to_ascii_lowercase(), one_value(v)))
        .filter(|(k, _)| k != "host")
        .collect()
}

fn response_headers(headers: &Value) -> Vec<(String, String)> {
    headers
        .as_object()
        .into_iter()
        .flatten()
        // The server frames the answer itself.
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("connection")
        })
        .map(|(k, v)| (k.clone(), one_value(v)))
        .collect()
}

/// smithy-rs `http-traffic.json` (V0 events): exchanges in the order their requests appear,
/// each connection's response and body events added to its exchange.
fn smithy_exchanges(traffic: &Value) -> Vec<Exchange> {
    let mut exchanges: Vec<Exchange> = Vec::new();
    let mut by_connection: BTreeMap<u64, usize> = BTreeMap::new();
    for event in traffic["events"].as_array().into_iter().flatten() {
        let connection = event["connection_id"].as_u64().unwrap_or(0);
        let action = &event["action"];
        if let Some(request) = action["Request"].get("request") {
            by_connection.insert(connection, exchanges.len());
            exchanges.push(Exchange {
                method: request["method"].as_str().unwrap_or("GET").to_owned(),
                target: path_and_query(request["uri"].as_str().unwrap_or("/")),
                headers: request_headers(&request["headers"]),
                status: 0,
                response_headers: Vec::new(),
                body: String::new(),
            });
            continue;
        }
        let Some(&index) = by_connection.get(&connection) else {
            continue;
        };
        if let Some(ok) = action["Response"]["response"].get("Ok") {
            exchanges[index].status = ok["status"].as_u64().unwrap_or(200) as u16;
            exchanges[index].response_headers = response_headers(&ok["headers"]);
        } else if let Some(data) = action.get("Data") {
            if data["direction"] == "Response" {
                if let Some(text) = data["data"]["Utf8"].as_str() {
                    exchanges[index].body.push_str(text);
                }
            }
        }
    }
    exchanges
}

/// aws-sdk-kotlin `http-traffic.json`: `[{request, response}]`.
fn kotlin_exchanges(traffic: &Value) -> Vec<Exchange> {
    traffic
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            let (request, response) = (&pair["request"], &pair["response"]);
            Exchange {
                method: request["method"].as_str().unwrap_or("GET").to_owned(),
                target: path_and_query(request["uri"].as_str().unwrap_or("/")),
                headers: request_headers(&request["headers"]),
                status: response["status"].as_u64().unwrap_or(200) as u16,
                response_headers: response_headers(&response["headers"]),
                body: response["body"].as_str().unwrap_or("").to_owned(),
            }
        })
        .collect()
}

/// A loopback HTTP/1.1 server answering the n-th request with the n-th recorded exchange.
/// A request past the end of the recording gets the last answer again (an SDK's retry of a
/// recorded failure); with no recording at all it gets a 500, and is kept as a failure.
struct Replay {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Replay {
    fn start(exchanges: Vec<Exchange>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, stop) = (seen.clone(), stop.clone());
            let exchanges = Arc::new(exchanges);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let (exchanges, seen) = (exchanges.clone(), seen.clone());
                        std::thread::spawn(move || serve(stream, &exchanges, &seen));
                    }
                }
            })
        };
        Replay {
            url,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: TcpStream, exchanges: &[Exchange], seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    let mut writer = match stream.try_clone() {
        Ok(writer) => writer,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, target) = (method.to_owned(), target.to_owned());
        let mut headers = BTreeMap::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
            }
        }
        let length = headers
            .get("content-length")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push(Seen {
                method,
                target,
                headers,
            });
            seen.len() - 1
        };
        let (status, extra, body) = match exchanges.get(index).or(exchanges.last()) {
            Some(e) => (e.status, e.response_headers.clone(), e.body.clone()),
            None => (500, Vec::new(), "no traffic was recorded".to_owned()),
        };
        let mut answer = format!("HTTP/1.1 {status} Replayed\r\n");
        for (name, value) in extra {
            answer.push_str(&format!("{name}: {value}\r\n"));
        }
        answer.push_str(&format!(
            "Content-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
            body.len()
        ));
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// Copies a folder tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A case's files under a temporary root, and the workspace over them.
struct Staged {
    _root: tempfile::TempDir,
    ws: Workspace,
    profile: String,
}

/// Stages case `dir`: its `fs/` (rooted at `/`) copied under a temporary root, `env.json`
/// with its paths moved there, the data folder inside it, every IAM Identity Center and STS
/// endpoint on `replay`, the keychain in memory, and the clock at `now`.
fn stage(dir: &Path, replay: &Replay, now: i64) -> Staged {
    let root = tempfile::tempdir().unwrap();
    let fs_root = root.path().join("fs");
    if dir.join("fs").is_dir() {
        copy_tree(&dir.join("fs"), &fs_root);
    } else {
        std::fs::create_dir_all(&fs_root).unwrap();
    }
    let env_json = read_json(&dir.join("env.json"));
    let mut pairs: BTreeMap<String, String> = env_json
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    for name in ["HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        if let Some(value) = pairs.get_mut(name) {
            if value.starts_with('/') {
                *value = format!("{}{value}", fs_root.display());
            }
        }
    }
    let profile = pairs
        .get("AWS_PROFILE")
        .cloned()
        .unwrap_or_else(|| "default".to_owned());
    pairs.insert(
        "LANYARD_DATA_DIR".into(),
        root.path().join("data").display().to_string(),
    );
    for name in [
        "AWS_ENDPOINT_URL_SSO",
        "AWS_ENDPOINT_URL_SSO_OIDC",
        "AWS_ENDPOINT_URL_STS",
    ] {
        pairs.insert(name.into(), replay.url.clone());
    }
    let ws = Workspace::new(
        Env::from_pairs(pairs),
        Box::new(|_| Ok(Box::new(MemoryStore::default()))),
    )
    .with_clock(Arc::new(FixedClock::at(now)));
    Staged {
        _root: root,
        ws,
        profile,
    }
}

/// A path and query with the query's parameters sorted: the order carries no meaning to the
/// portal, and SDK releases serialise them in different orders (the recording has
/// `account_id` first, today's `aws-sdk-sso` `role_name`).
fn normal(target: &str) -> (String, Vec<String>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    params.sort();
    (path.to_owned(), params)
}

/// Whether what Lanyard sent is what the recording holds: method, path and query (in any
/// order), and every
/// recorded header but `host`. Requests past the recording must repeat its last request.
fn compare_traffic(recorded: &[Exchange], seen: &[Seen]) -> Result<usize, String> {
    if recorded.is_empty() {
        return match seen.first() {
            None => Ok(0),
            Some(s) => Err(format!(
                "no traffic is allowed, Lanyard sent {} {}",
                s.method, s.target
            )),
        };
    }
    if seen.len() < recorded.len() {
        return Err(format!(
            "{} requests recorded, Lanyard sent {}",
            recorded.len(),
            seen.len()
        ));
    }
    for (i, sent) in seen.iter().enumerate() {
        let expected = recorded.get(i).unwrap_or(recorded.last().unwrap());
        if sent.method != expected.method || normal(&sent.target) != normal(&expected.target) {
            return Err(format!(
                "request {i}: sent {} {}, recorded {} {}",
                sent.method, sent.target, expected.method, expected.target
            ));
        }
        for (name, value) in &expected.headers {
            if sent.headers.get(name) != Some(value) {
                return Err(format!(
                    "request {i}: header `{name}` recorded as `{value}`, sent {:?}",
                    sent.headers.get(name)
                ));
            }
        }
    }
    Ok(seen.len() - recorded.len())
}

/// Lanyard's wording for what an upstream `ErrorContains` says in the Rust SDK's words.
const ERROR_WORDING: &[(&str, &str)] = &[
    (
        // No cache file under the start URL's name: nothing is sent.
        "No such file or directory",
        "there is no IAM Identity Center sign-in for https://ssotest.awsapps.com/start",
    ),
    (
        // GetRoleCredentials answered 503 with no body (so no error code), after retries.
        "an error occurred while loading credentials",
        "IAM Identity Center gave no credentials for role MySsoRole in account 123456789 \
         (profile `sso-test`): HTTP 503",
    ),
];

/// Replays one credential case; `Ok(retries)` when Lanyard agrees with it.
fn run_credential_case(dir: &Path, exchanges: Vec<Exchange>) -> Result<usize, String> {
    let case = read_json(&dir.join("test-case.json"));
    let expected = &case["result"];
    let expiry = expected["Ok"]["expiry"].as_i64();
    // An hour before the recorded credentials expire; the tokens last until 2080.
    let now = expiry.map_or(1_700_000_000, |e| e - 3600);
    let replay = Replay::start(exchanges.clone());
    let staged = stage(dir, &replay, now);
    let result = lanyard_providers::resolve(&staged.ws, &staged.profile, &NoPrompt);
    let retries = compare_traffic(&exchanges, &replay.seen())?;
    match (
        result,
        expected.get("Ok"),
        expected["ErrorContains"].as_str(),
    ) {
        (Ok(resolved), Some(ok), _) => {
            let c = &resolved.credentials;
            let want = |key: &str| ok[key].as_str().map(str::to_owned);
            let got = [
                ("access_key_id", Some(c.access_key_id.clone())),
                (
                    "secret_access_key",
                    Some(c.secret_access_key.expose().to_owned()),
                ),
                (
                    "session_token",
                    c.session_token.as_ref().map(|t| t.expose().to_owned()),
                ),
            ];
            for (key, value) in got {
                if want(key) != value {
                    return Err(format!("{key}: expected {:?}, got {value:?}", want(key)));
                }
            }
            if c.expiration != expiry {
                return Err(format!(
                    "expiry: expected {expiry:?}, got {:?}",
                    c.expiration
                ));
            }
            let account = want("account_id").or(want("accountId"));
            if account.is_some() && c.account_id != account {
                return Err(format!(
                    "account_id: expected {account:?}, got {:?}",
                    c.account_id
                ));
            }
            Ok(retries)
        }
        (Err(error), None, Some(upstream)) => {
            let message = error.to_string();
            let Some((_, ours)) = ERROR_WORDING.iter().find(|(u, _)| upstream.contains(u)) else {
                return Err(format!(
                    "no Lanyard wording for upstream error `{upstream}` (Lanyard said `{message}`)"
                ));
            };
            if message.contains(ours) {
                println!("  error as expected: {message}");
                Ok(retries)
            } else {
                Err(format!(
                    "expected an error with `{ours}` (upstream: `{upstream}`), got `{message}`"
                ))
            }
        }
        (Ok(resolved), None, _) => Err(format!(
            "expected an error, got credentials {}",
            resolved.credentials.access_key_id
        )),
        (Err(error), _, _) => Err(format!("unexpected error: {error}")),
    }
}

/// Why a case cannot be replayed without changing what it tests, if it cannot.
fn skip_reason(dir: &Path) -> Option<String> {
    let env = read_json(&dir.join("env.json"));
    let set = |name: &str| env[name].as_str().is_some_and(|v| v == "true");
    (set("AWS_USE_FIPS_ENDPOINT") || set("AWS_USE_DUALSTACK_ENDPOINT")).then(|| {
        "it tests the FIPS/dual-stack portal hostname chosen from AWS_USE_FIPS_ENDPOINT and \
         AWS_USE_DUALSTACK_ENDPOINT (recorded host portal.sso-fips.us-east-2.api.aws); pointing \
         Lanyard at the replay server with AWS_ENDPOINT_URL_SSO replaces exactly that choice, and \
         Lanyard does not read those variables"
            .to_owned()
    })
}

fn case_dirs(suite: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(suite)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir() && keep(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    dirs.sort();
    dirs
}

fn name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

/// Runs credential cases and prints `LABEL: N run, M skipped (…), K failed`.
fn run_credential_suite(label: &str, dirs: &[PathBuf], exchanges: fn(&Value) -> Vec<Exchange>) {
    let (mut run, mut skipped, mut failed) = (0, Vec::new(), Vec::new());
    for dir in dirs {
        if let Some(reason) = skip_reason(dir) {
            println!("skipped {}: {reason}", name(dir));
            skipped.push(format!("{}: {reason}", name(dir)));
            continue;
        }
        run += 1;
        let traffic = read_json(&dir.join("http-traffic.json"));
        match run_credential_case(dir, exchanges(&traffic)) {
            Ok(retries) => println!(
                "ok {}{}",
                name(dir),
                if retries > 0 {
                    format!(" ({retries} retries of the recorded request, answered alike)")
                } else {
                    String::new()
                }
            ),
            Err(why) => {
                println!("FAILED {}: {why}", name(dir));
                failed.push(format!("{}: {why}", name(dir)));
            }
        }
    }
    println!(
        "{label}: {run} run, {} skipped ({}), {} failed",
        skipped.len(),
        skipped.join("; "),
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn smithy_rs_sso_credential_cases() {
    const SUITE: &str = "smithy-rs/default-credential-provider-chain";
    let Some(suite) = conformance_dir()
        .map(|d| d.join(SUITE))
        .filter(|d| d.is_dir())
    else {
        return missing(SUITE);
    };
    let dirs = case_dirs(&suite, |n| n.contains("sso"));
    assert_eq!(dirs.len(), 4, "the suite has four SSO cases: {dirs:?}");
    run_credential_suite("smithy-rs sso cases", &dirs, smithy_exchanges);
}

#[test]
fn kotlin_sso_credential_cases() {
    const SUITE: &str = "aws-sdk-kotlin/default-provider-chain";
    let Some(suite) = conformance_dir()
        .map(|d| d.join(SUITE))
        .filter(|d| d.is_dir())
    else {
        return missing(SUITE);
    };
    let dirs = case_dirs(&suite, |n| n == "legacy_sso_role" || n == "sso_session");
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    run_credential_suite("aws-sdk-kotlin sso cases", &dirs, kotlin_exchanges);
}

#[test]
fn smithy_rs_token_chain_cases() {
    const SUITE: &str = "smithy-rs/default-token-provider-chain";
    let Some(suite) = conformance_dir()
        .map(|d| d.join(SUITE))
        .filter(|d| d.is_dir())
    else {
        return missing(SUITE);
    };
    let dirs = case_dirs(&suite, |_| true);
    assert_eq!(dirs.len(), 3, "{dirs:?}");
    let mut failed = Vec::new();
    for dir in &dirs {
        let case = read_json(&dir.join("test-case.json"));
        let exchanges = smithy_exchanges(&read_json(&dir.join("http-traffic.json")));
        let replay = Replay::start(exchanges.clone());
        let staged = stage(dir, &replay, 1_700_000_000);
        let verdict = lanyard_providers::sso::SignIn::find(&staged.ws, &staged.profile)
            .and_then(|sign_in| {
                lanyard_providers::sso::token(&staged.ws, &sign_in, &NoPrompt, false)
            })
            .map_err(|e| format!("unexpected error: {e}"))
            .and_then(|token| {
                compare_traffic(&exchanges, &replay.seen())?;
                let ok = &case["result"]["Ok"];
                let (token_want, expiration_want) =
                    (ok["token"].as_str(), ok["expiration"].as_str());
                if token_want != Some(token.access_token.expose()) {
                    return Err(format!("token: expected {token_want:?}"));
                }
                if expiration_want.and_then(parse_rfc3339) != token.expires() {
                    return Err(format!(
                        "expiration: expected {expiration_want:?}, got {}",
                        token.expires_at
                    ));
                }
                Ok(())
            });
        match verdict {
            Ok(()) => println!("ok {}", name(dir)),
            Err(why) => {
                println!("FAILED {}: {why}", name(dir));
                failed.push(format!("{}: {why}", name(dir)));
            }
        }
    }
    println!(
        "smithy-rs token-chain cases: {} run, 0 skipped, {} failed",
        dirs.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
