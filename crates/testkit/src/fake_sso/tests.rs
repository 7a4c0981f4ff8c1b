//! The fake's own rules, through its HTTP front door.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use super::*;

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn error_type(&self) -> &str {
        self.header("x-amzn-errortype").unwrap_or_default()
    }
}

fn read_answer(reader: &mut impl BufRead) -> Answer {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (k, v) = trimmed.split_once(':').unwrap();
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

fn send(sso: &FakeSso, method: &str, target: &str, token: Option<&str>, body: &str) -> Answer {
    let address = sso.endpoint().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(address).unwrap();
    let token = token
        .map(|t| format!("x-amz-sso_bearer_token: {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{token}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read_answer(&mut BufReader::new(stream))
}

fn post(sso: &FakeSso, path: &str, body: Value) -> Answer {
    send(sso, "POST", path, None, &body.to_string())
}

fn get(sso: &FakeSso, target: &str, token: &str) -> Answer {
    send(sso, "GET", target, Some(token), "")
}

fn register(sso: &FakeSso, extra: Value) -> (String, String) {
    let mut body = json!({"clientName": "test", "clientType": "public"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let answer = post(sso, "/client/register", body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    (
        answer.body["clientId"].as_str().unwrap().to_owned(),
        answer.body["clientSecret"].as_str().unwrap().to_owned(),
    )
}

fn start_device(sso: &FakeSso, id: &str, secret: &str) -> (String, String) {
    let answer = post(
        sso,
        "/device_authorization",
        json!({"clientId": id, "clientSecret": secret, "startUrl": "https://d-1.awsapps.com/start"}),
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["interval"], 1);
    assert_eq!(answer.body["expiresIn"], 600);
    (
        answer.body["deviceCode"].as_str().unwrap().to_owned(),
        answer.body["userCode"].as_str().unwrap().to_owned(),
    )
}

fn device_token(sso: &FakeSso, id: &str, secret: &str, device: &str) -> Answer {
    post(
        sso,
        "/token",
        json!({"clientId": id, "clientSecret": secret, "deviceCode": device,
               "grantType": state::DEVICE_CODE}),
    )
}

#[test]
fn the_device_flow_is_pending_until_approved_and_works_once() {
    let sso = FakeSso::start();
    let (id, secret) = register(&sso, json!({"scopes": ["sso:account:access"]}));
    assert!(id.starts_with("FakeSsoClient-") && secret.starts_with("FakeSsoClientSecret-"));
    let (device, user_code) = start_device(&sso, &id, &secret);
    assert_eq!(sso.pending_user_codes(), vec![user_code.clone()]);
    assert_eq!(
        sso.wait_for_user_code(Duration::ZERO),
        Some(user_code.clone())
    );

    let pending = device_token(&sso, &id, &secret, &device);
    assert_eq!(pending.status, 400);
    assert_eq!(pending.error_type(), "AuthorizationPendingException");
    assert_eq!(pending.body["error"], "authorization_pending");

    assert!(sso.approve_device(&user_code));
    let token = device_token(&sso, &id, &secret, &device);
    assert_eq!(token.status, 200);
    assert_eq!(token.body["tokenType"], "Bearer");
    assert_eq!(token.body["expiresIn"], 3600);
    assert!(token.body["accessToken"]
        .as_str()
        .unwrap()
        .starts_with("FakeSsoToken-"));
    assert!(token.body["refreshToken"]
        .as_str()
        .unwrap()
        .starts_with("FakeSsoRefresh-"));

    let again = device_token(&sso, &id, &secret, &device);
    assert_eq!(again.error_type(), "InvalidGrantException");
    assert_eq!(sso.count(Operation::CreateToken), 3);
}

#[test]
fn denied_expired_and_unknown_clients_have_their_own_errors() {
    let sso = FakeSso::start();
    let (id, secret) = register(&sso, json!({}));
    let (device, user_code) = start_device(&sso, &id, &secret);
    assert!(sso.deny_device(&user_code));
    let denied = device_token(&sso, &id, &secret, &device);
    assert_eq!(
        (denied.status, denied.error_type()),
        (400, "AccessDeniedException")
    );

    let (device, _) = start_device(&sso, &id, &secret);
    sso.advance(Duration::from_secs(601));
    let expired = device_token(&sso, &id, &secret, &device);
    assert_eq!(expired.error_type(), "ExpiredTokenException");
    assert_eq!(expired.body["error"], "expired_token");

    let wrong = device_token(&sso, &id, "FakeSsoClientSecret-wrong", &device);
    assert_eq!(
        (wrong.status, wrong.error_type()),
        (401, "InvalidClientException")
    );

    let missing = post(&sso, "/client/register", json!({"clientName": "x"}));
    assert_eq!(missing.error_type(), "InvalidRequestException");
    let confidential = post(
        &sso,
        "/client/register",
        json!({"clientName": "x", "clientType": "confidential"}),
    );
    assert_eq!(confidential.error_type(), "InvalidClientMetadataException");
}

#[test]
fn polling_faster_than_the_interval_slows_the_client_down() {
    let sso = FakeSso::start();
    sso.enforce_poll_interval(true);
    sso.set_poll_interval(1);
    let (id, secret) = register(&sso, json!({}));
    let (device, user_code) = start_device(&sso, &id, &secret);
    let first = device_token(&sso, &id, &secret, &device);
    assert_eq!(first.error_type(), "AuthorizationPendingException");
    let early = device_token(&sso, &id, &secret, &device);
    assert_eq!(early.error_type(), "SlowDownException");
    assert_eq!(early.body["error"], "slow_down");
    sso.approve_device(&user_code);
    // The interval is now 6 seconds; the clock moves instead of the test waiting.
    sso.advance(Duration::from_secs(5));
    assert_eq!(
        device_token(&sso, &id, &secret, &device).error_type(),
        "SlowDownException"
    );
    sso.advance(Duration::from_secs(12));
    assert_eq!(device_token(&sso, &id, &secret, &device).status, 200);
}

#[test]
fn a_client_without_scopes_gets_no_refresh_token() {
    let sso = FakeSso::start();
    sso.auto_approve(true);
    let (id, secret) = register(&sso, json!({}));
    let (device, _) = start_device(&sso, &id, &secret);
    let token = device_token(&sso, &id, &secret, &device);
    assert_eq!(token.status, 200);
    assert!(token.body.get("refreshToken").is_none());
}

fn pkce_client(sso: &FakeSso) -> (String, String) {
    register(
        sso,
        json!({"scopes": ["sso:account:access"],
               "grantTypes": ["authorization_code", "refresh_token"],
               "redirectUris": ["http://127.0.0.1/oauth/callback"],
               "issuerUrl": "https://identitycenter.amazonaws.com/ssoins-1"}),
    )
}

fn authorize_target(id: &str, challenge: &str) -> String {
    format!(
        "/authorize?response_type=code&client_id={id}\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A4567%2Foauth%2Fcallback&state=st%20ate\
         &code_challenge={challenge}&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess"
    )
}

fn code_from(answer: &Answer) -> String {
    let location = answer.header("location").unwrap();
    let query = location.split_once('?').unwrap().1;
    let pairs = http::parse_query(query);
    assert!(
        pairs.contains(&("state".into(), "st ate".into())),
        "{location}"
    );
    pairs.into_iter().find(|(k, _)| k == "code").unwrap().1
}

#[test]
fn pkce_checks_the_verifier_and_the_redirect_uri() {
    let sso = FakeSso::start();
    sso.auto_approve(true);
    let (id, secret) = pkce_client(&sso);
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = oidc::challenge_of(verifier);
    let redirect = "http://127.0.0.1:4567/oauth/callback";
    let redeem = |code: &str, verifier: &str, redirect: &str| {
        post(
            &sso,
            "/token",
            json!({"clientId": id, "clientSecret": secret, "grantType": "authorization_code",
                   "code": code, "codeVerifier": verifier, "redirectUri": redirect}),
        )
    };

    let answer = get(&sso, &authorize_target(&id, &challenge), "");
    assert_eq!(answer.status, 302);
    assert!(answer
        .header("location")
        .unwrap()
        .starts_with("http://127.0.0.1:4567/oauth/callback?code=FakeSsoCode-"));
    let code = code_from(&answer);
    let wrong = redeem(
        &code,
        "another-verifier-another-verifier-another-v",
        redirect,
    );
    assert_eq!(wrong.error_type(), "InvalidGrantException");
    // The code was spent by the failed attempt.
    assert_eq!(
        redeem(&code, verifier, redirect).error_type(),
        "InvalidGrantException"
    );

    let code = code_from(&get(&sso, &authorize_target(&id, &challenge), ""));
    let elsewhere = redeem(&code, verifier, "http://127.0.0.1:9999/oauth/callback");
    assert_eq!(elsewhere.error_type(), "InvalidGrantException");

    let code = code_from(&get(&sso, &authorize_target(&id, &challenge), ""));
    let token = redeem(&code, verifier, redirect);
    assert_eq!(token.status, 200, "{}", token.body);
    assert!(token.body["refreshToken"].is_string());

    let unregistered = get(
        &sso,
        &authorize_target(&id, &challenge).replace("oauth%2Fcallback", "elsewhere"),
        "",
    );
    assert_eq!(unregistered.status, 400);
    let plain = get(
        &sso,
        &authorize_target(&id, &challenge).replace("S256", "plain"),
        "",
    );
    assert!(plain
        .header("location")
        .unwrap()
        .contains("error=invalid_request"));
}

#[test]
fn authorize_waits_for_the_users_decision() {
    let sso = FakeSso::start();
    let (id, _) = pkce_client(&sso);
    let target = authorize_target(&id, &oidc::challenge_of("v"));
    std::thread::scope(|s| {
        let browser = s.spawn(|| get(&sso, &target, ""));
        assert!(sso.wait_for_authorization(Duration::from_secs(5)));
        assert!(sso.approve_authorization());
        let answer = browser.join().unwrap();
        assert_eq!(answer.status, 302);
        code_from(&answer);

        let browser = s.spawn(|| get(&sso, &target, ""));
        assert!(sso.wait_for_authorization(Duration::from_secs(5)));
        assert!(sso.deny_authorization());
        let location = browser
            .join()
            .unwrap()
            .header("location")
            .unwrap()
            .to_owned();
        assert!(
            location.contains("error=access_denied&state=st%20ate"),
            "{location}"
        );
    });
}

#[test]
fn a_refresh_replaces_the_refresh_token() {
    let sso = FakeSso::start();
    let signed_in = sso.sign_in();
    let refresh = |token: &str| {
        post(
            &sso,
            "/token",
            json!({"clientId": signed_in.client_id, "clientSecret": signed_in.client_secret,
                   "grantType": "refresh_token", "refreshToken": token}),
        )
    };
    let first = refresh(&signed_in.refresh_token);
    assert_eq!(first.status, 200);
    let next = first.body["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(next, signed_in.refresh_token);
    assert_eq!(
        refresh(&signed_in.refresh_token).error_type(),
        "InvalidGrantException"
    );
    sso.expire_refresh_tokens();
    assert_eq!(refresh(&next).error_type(), "InvalidGrantException");
}

#[test]
fn the_portal_pages_and_answers_by_the_model() {
    let sso = FakeSso::start();
    sso.add_accounts(5, 3);
    sso.set_page_size(2);
    let token = sso.sign_in().access_token;

    let mut ids = Vec::new();
    let mut target = "/assignment/accounts".to_owned();
    loop {
        let page = get(&sso, &target, &token);
        assert_eq!(page.status, 200);
        for account in page.body["accountList"].as_array().unwrap() {
            ids.push(account["accountId"].as_str().unwrap().to_owned());
        }
        match page.body["nextToken"].as_str() {
            Some(next) => target = format!("/assignment/accounts?next_token={next}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), 5);
    assert_eq!(ids[0], "100000000001");
    assert_eq!(sso.count(Operation::ListAccounts), 3);

    let one = get(&sso, "/assignment/accounts?max_result=1", &token);
    assert_eq!(one.body["accountList"].as_array().unwrap().len(), 1);
    let too_many = get(&sso, "/assignment/accounts?max_result=101", &token);
    assert_eq!(
        (too_many.status, too_many.error_type()),
        (400, "InvalidRequestException")
    );
    let forged = get(&sso, "/assignment/accounts?next_token=bm9wZQ", &token);
    assert_eq!(forged.error_type(), "InvalidRequestException");
    assert!(forged.body["message"].is_string());

    let roles = get(&sso, "/assignment/roles?account_id=100000000002", &token);
    assert_eq!(
        roles.body["roleList"][0],
        json!({"roleName": "AdministratorAccess", "accountId": "100000000002"})
    );
    assert!(roles.body["nextToken"].is_string());
    let nowhere = get(&sso, "/assignment/roles?account_id=999999999999", &token);
    assert_eq!(
        (nowhere.status, nowhere.error_type()),
        (404, "ResourceNotFoundException")
    );

    sso.set_credential_lifetime(900);
    let creds = get(
        &sso,
        "/federation/credentials?account_id=100000000002&role_name=ReadOnlyAccess",
        &token,
    );
    let role = &creds.body["roleCredentials"];
    assert!(role["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(role["accessKeyId"].as_str().unwrap().len(), 20);
    assert_eq!(role["secretAccessKey"].as_str().unwrap().len(), 40);
    assert!(role["sessionToken"]
        .as_str()
        .unwrap()
        .starts_with("FakeSsoSession-"));
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let left = role["expiration"].as_i64().unwrap() - millis;
    assert!((890_000..=900_000).contains(&left), "{left}");

    let unassigned = get(
        &sso,
        "/federation/credentials?account_id=100000000002&role_name=Billing",
        &token,
    );
    assert_eq!(
        (unassigned.status, unassigned.error_type()),
        (403, "ForbiddenException")
    );
    let anonymous = get(&sso, "/assignment/accounts", "FakeSsoToken-unknown");
    assert_eq!(
        (anonymous.status, anonymous.error_type()),
        (401, "UnauthorizedException")
    );
}

#[test]
fn logout_ends_the_session_and_revoke_all_every_session() {
    let sso = FakeSso::start();
    let first = sso.sign_in();
    let second = sso.sign_in();
    let logout = send(&sso, "POST", "/logout", Some(&first.access_token), "");
    assert_eq!(logout.status, 200);
    assert!(!sso.is_live(&first.access_token));
    assert!(sso.is_live(&second.access_token));
    let refresh = post(
        &sso,
        "/token",
        json!({"clientId": first.client_id, "clientSecret": first.client_secret,
               "grantType": "refresh_token", "refreshToken": first.refresh_token}),
    );
    assert_eq!(refresh.error_type(), "InvalidGrantException");
    sso.revoke_all();
    assert!(!sso.is_live(&second.access_token));
}

#[test]
fn injected_faults_come_first_then_the_answer() {
    let sso = FakeSso::start();
    sso.add_accounts(1, 1);
    let token = sso.sign_in().access_token;
    sso.inject(Operation::ListAccounts, Fault::TooManyRequests, 1);
    sso.inject(Operation::ListAccounts, Fault::ServerError(503), 1);
    sso.inject(
        Operation::ListAccounts,
        Fault::Slow(Duration::from_millis(200)),
        1,
    );
    let statuses: Vec<u16> = (0..4)
        .map(|_| get(&sso, "/assignment/accounts", &token).status)
        .collect();
    assert_eq!(statuses, [429, 503, 200, 200]);
    let slow = sso.calls();
    assert_eq!(slow.len(), 4);
    assert!(slow.iter().all(|c| c.operation == Operation::ListAccounts));

    let (id, secret) = register(&sso, json!({}));
    sso.auto_approve(true);
    let (device, _) = start_device(&sso, &id, &secret);
    sso.inject(Operation::CreateToken, Fault::SlowDown, 1);
    sso.inject(
        Operation::CreateToken,
        Fault::AuthorizationPending,
        usize::MAX,
    );
    let kinds: Vec<String> = (0..3)
        .map(|_| {
            device_token(&sso, &id, &secret, &device)
                .error_type()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "SlowDownException",
            "AuthorizationPendingException",
            "AuthorizationPendingException"
        ]
    );
    sso.clear_faults();
    assert_eq!(device_token(&sso, &id, &secret, &device).status, 200);
}

#[test]
fn connections_are_kept_alive_and_closed_on_drop() {
    let sso = FakeSso::start();
    let address = sso.endpoint().trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&address).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    for _ in 0..2 {
        write!(
            writer,
            "POST /client/register HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
             2\r\n{{}}\r\n0\r\n\r\n"
        )
        .unwrap();
        let answer = read_answer(&mut reader);
        assert_eq!(answer.error_type(), "InvalidRequestException");
    }
    drop(sso);
    let mut rest = Vec::new();
    assert_eq!(reader.read_to_end(&mut rest).unwrap_or(0), 0);
    assert!(TcpStream::connect(&address).is_err());
}
