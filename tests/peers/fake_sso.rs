//! botocore against `lanyard-testkit`'s fake IAM Identity Center, so the fake agrees with an
//! SDK we did not write and cannot drift into agreeing only with Lanyard. botocore reaches it
//! through `AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO`, in a temporary HOME.
//!
//! The Python side checks every error it provokes against botocore's own model: the
//! exception class botocore raises, and the `httpStatusCode` of that shape. It prints no
//! token or secret; where the Rust side needs one, it compares it with the fake's.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use lanyard_testkit::fake_sso::{Fault, Operation};
use lanyard_testkit::{peer_python, require_peer, FakeSso};
use serde_json::{json, Value};

use crate::util::Home;

/// Helpers every script starts with: clients that reach the fake, an error check against
/// the model, and the token cache written as the AWS CLI v2 writes it.
const PRELUDE: &str = r#"
import datetime, hashlib, json, os, sys, time
import botocore.session
from botocore import UNSIGNED
from botocore.config import Config

ARGS = json.loads(sys.stdin.read())

def client(name, session=None, attempts=1):
    session = session or botocore.session.get_session()
    config = Config(signature_version=UNSIGNED, retries={"total_max_attempts": attempts, "mode": "standard"})
    return session.create_client(name, region_name="us-east-1", config=config)

def check(c, name, e):
    """The error botocore raised is the model's `name`, with the shape's status."""
    code = e.response["Error"]["Code"]
    status = e.response["ResponseMetadata"]["HTTPStatusCode"]
    assert code == name, f"expected {name}, got {code}"
    shape = c.meta.service_model.shape_for(name)
    assert status == shape.metadata["error"]["httpStatusCode"], f"{name}: status {status}"
    assert isinstance(e, getattr(c.exceptions, name)), f"{name} is not raised as modeled"
    return e.response

def expect_error(c, name, call):
    try:
        call()
    except c.exceptions.ClientError as e:
        return check(c, name, e)
    raise AssertionError(f"{name} was not raised")

def iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

def cache_path(session_name):
    key = hashlib.sha1(session_name.encode("utf-8")).hexdigest()
    return os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache", key + ".json")

def write_cache(session_name, signed_in, expires_in):
    now = datetime.datetime.now(datetime.timezone.utc)
    token = {
        "startUrl": ARGS["start_url"],
        "region": "us-east-1",
        "accessToken": signed_in["access_token"],
        "expiresAt": iso(now + datetime.timedelta(seconds=expires_in)),
        "clientId": signed_in["client_id"],
        "clientSecret": signed_in["client_secret"],
        "registrationExpiresAt": iso(datetime.datetime.fromtimestamp(signed_in["registration_expires_at"], datetime.timezone.utc)),
        "refreshToken": signed_in["refresh_token"],
    }
    os.makedirs(os.path.dirname(cache_path(session_name)), exist_ok=True)
    with open(cache_path(session_name), "w") as f:
        json.dump(token, f)

out = {}
"#;

const START_URL: &str = "https://d-fake000001.awsapps.com/start";

/// Runs `script` (after [`PRELUDE`]) with `args` on stdin; returns what it put in `out`.
fn botocore(sso: &FakeSso, home: &Home, script: &str, args: Value) -> Value {
    let mut args = args;
    args["start_url"] = json!(START_URL);
    let program = format!("{PRELUDE}\n{script}\nprint(json.dumps(out))\n");
    let mut command = Command::new(peer_python());
    command
        .arg("-c")
        .arg(program)
        .envs(home.peer_env())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", sso.endpoint())
        .env("AWS_ENDPOINT_URL_SSO", sso.endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
    ] {
        command.env_remove(var);
    }
    let mut child = command.spawn().expect("run the peer python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(args.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "botocore script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn signed_in_json(sso: &FakeSso) -> Value {
    let s = sso.sign_in();
    json!({
        "client_id": s.client_id,
        "client_secret": s.client_secret,
        "registration_expires_at": s.registration_expires_at,
        "access_token": s.access_token,
        "refresh_token": s.refresh_token,
    })
}

fn sso_profile(home: &Home) {
    home.write(
        ".aws/config",
        &format!(
            "[profile dev]\nsso_session = corp\nsso_account_id = 100000000002\n\
             sso_role_name = ReadOnlyAccess\nregion = eu-west-1\n\n\
             [sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n\
             sso_registration_scopes = sso:account:access\n"
        ),
    );
    home.write(".aws/credentials", "");
}

const DEVICE_FLOW: &str = r#"
oidc = client("sso-oidc")
reg = oidc.register_client(clientName="lanyard-peer", clientType="public", scopes=["sso:account:access"])
assert reg["clientSecretExpiresAt"] > reg["clientIdIssuedAt"] > 1_600_000_000
auth = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=ARGS["start_url"])
assert auth["verificationUriComplete"].endswith("user_code=" + auth["userCode"])
interval = auth["interval"]
polls = []
last = None
while True:
    try:
        token = oidc.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code",
                                  clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                  deviceCode=auth["deviceCode"])
        polls.append(["token", time.monotonic() - last])
        break
    except oidc.exceptions.SlowDownException as e:
        assert check(oidc, "SlowDownException", e)["error"] == "slow_down"
        polls.append(["slow_down", None if last is None else time.monotonic() - last])
        interval += 5
    except oidc.exceptions.AuthorizationPendingException as e:
        assert check(oidc, "AuthorizationPendingException", e)["error"] == "authorization_pending"
        polls.append(["pending", None])
    last = time.monotonic()
    time.sleep(interval)
assert token["tokenType"] == "Bearer" and token["expiresIn"] == 3600
out["polls"] = polls
out["access_token"] = token["accessToken"]

refreshed = oidc.create_token(grantType="refresh_token", clientId=reg["clientId"],
                              clientSecret=reg["clientSecret"], refreshToken=token["refreshToken"])
assert refreshed["accessToken"] != token["accessToken"]
assert refreshed["refreshToken"] != token["refreshToken"]
out["refreshed_access_token"] = refreshed["accessToken"]
expect_error(oidc, "InvalidGrantException", lambda: oidc.create_token(
    grantType="refresh_token", clientId=reg["clientId"], clientSecret=reg["clientSecret"],
    refreshToken=token["refreshToken"]))
expect_error(oidc, "InvalidClientException", lambda: oidc.create_token(
    grantType="refresh_token", clientId=reg["clientId"], clientSecret="wrong",
    refreshToken=refreshed["refreshToken"]))
expect_error(oidc, "UnsupportedGrantTypeException", lambda: oidc.create_token(
    grantType="password", clientId=reg["clientId"], clientSecret=reg["clientSecret"]))
expect_error(oidc, "InvalidClientMetadataException", lambda: oidc.register_client(
    clientName="x", clientType="confidential"))
"#;

/// botocore's `sso-oidc` client runs the device flow: pending until the user approves,
/// `slow_down` honoured with five more seconds, then tokens, then a refresh.
#[test]
fn botocore_runs_the_device_flow_and_a_refresh() {
    if !require_peer("botocore") {
        return;
    }
    let sso = FakeSso::start();
    sso.enforce_poll_interval(true);
    let home = Home::new();
    let result = std::thread::scope(|s| {
        let user = s.spawn(|| {
            let code = sso
                .wait_for_user_code(Duration::from_secs(30))
                .expect("a device code waits for the user");
            while sso.count(Operation::CreateToken) < 1 {
                std::thread::sleep(Duration::from_millis(20));
            }
            // The next poll is told to slow down, then gets its tokens.
            sso.inject(Operation::CreateToken, Fault::SlowDown, 1);
            assert!(sso.approve_device(&code));
        });
        let result = botocore(&sso, &home, DEVICE_FLOW, json!({}));
        user.join().unwrap();
        result
    });
    let polls = result["polls"].as_array().unwrap();
    let kinds: Vec<&str> = polls.iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(kinds, ["pending", "slow_down", "token"]);
    assert!(
        polls[2][1].as_f64().unwrap() >= 6.0,
        "polled again too soon"
    );
    let statuses: Vec<u16> = sso
        .calls()
        .iter()
        .filter(|c| c.operation == Operation::CreateToken)
        .map(|c| c.status)
        .take(3)
        .collect();
    assert_eq!(statuses, [400, 400, 200]);
    assert!(sso.is_live(result["access_token"].as_str().unwrap()));
    assert!(sso.is_live(result["refreshed_access_token"].as_str().unwrap()));
    assert_eq!(sso.count(Operation::RegisterClient), 2);
    assert_eq!(sso.count(Operation::StartDeviceAuthorization), 1);
}

const PKCE_FLOW: &str = r#"
import base64, urllib.parse, urllib.request
oidc = client("sso-oidc")
reg = oidc.register_client(clientName="lanyard-peer", clientType="public", scopes=["sso:account:access"],
                           grantTypes=["authorization_code", "refresh_token"],
                           redirectUris=["http://127.0.0.1/oauth/callback"],
                           issuerUrl="https://identitycenter.amazonaws.com/ssoins-0000000000000000")
assert reg["authorizationEndpoint"].endswith("/authorize")
verifier = base64.urlsafe_b64encode(os.urandom(40)).rstrip(b"=").decode()
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
redirect = "http://127.0.0.1:43210/oauth/callback"
query = urllib.parse.urlencode({"response_type": "code", "client_id": reg["clientId"],
    "redirect_uri": redirect, "state": "peer-state", "code_challenge": challenge,
    "code_challenge_method": "S256", "scopes": "sso:account:access"})

class Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), Stop)
def authorize():
    try:
        opener.open(reg["authorizationEndpoint"] + "?" + query)
    except urllib.error.HTTPError as e:
        assert e.code == 302
        location = urllib.parse.urlparse(e.headers["Location"])
        assert location.netloc == "127.0.0.1:43210" and location.path == "/oauth/callback"
        params = urllib.parse.parse_qs(location.query)
        assert params["state"] == ["peer-state"]
        return params["code"][0]
    raise AssertionError("no redirect")

expect_error(oidc, "InvalidGrantException", lambda: oidc.create_token(
    grantType="authorization_code", clientId=reg["clientId"], clientSecret=reg["clientSecret"],
    code=authorize(), redirectUri=redirect, codeVerifier=verifier + "x"))
token = oidc.create_token(grantType="authorization_code", clientId=reg["clientId"],
    clientSecret=reg["clientSecret"], code=authorize(), redirectUri=redirect, codeVerifier=verifier)
assert token["tokenType"] == "Bearer" and "refreshToken" in token
expect_error(oidc, "UnauthorizedClientException", lambda: oidc.start_device_authorization(
    clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=ARGS["start_url"]))
out["access_token"] = token["accessToken"]
"#;

/// botocore's `sso-oidc` client registers a PKCE client and redeems an authorization code
/// from the browser's redirect; a wrong code verifier is refused.
#[test]
fn botocore_redeems_a_pkce_authorization_code() {
    if !require_peer("botocore") {
        return;
    }
    let sso = FakeSso::start();
    sso.auto_approve(true);
    let result = botocore(&sso, &Home::new(), PKCE_FLOW, json!({}));
    assert!(sso.is_live(result["access_token"].as_str().unwrap()));
    assert_eq!(sso.count(Operation::Authorize), 2);
    let redeemed = sso
        .calls()
        .into_iter()
        .filter(|c| c.operation == Operation::CreateToken)
        .map(|c| c.body["codeVerifier"].is_string() && c.body["redirectUri"].is_string())
        .collect::<Vec<_>>();
    assert_eq!(redeemed, [true, true]);
}

const RESOLVE: &str = r#"
write_cache("corp", ARGS["signed_in"], 3600)
session = botocore.session.Session(profile="dev")
creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
assert creds.method == "sso", creds.method
assert frozen.access_key.startswith("ASIA") and len(frozen.access_key) == 20
assert frozen.token.startswith("FakeSsoSession-")
left = (creds._expiry_time - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
out["expires_in"] = left
"#;

/// botocore's credential chain reads an `sso-session` profile and the token cache the AWS
/// CLI v2 writes, and gets role credentials from GetRoleCredentials.
#[test]
fn botocore_resolves_role_credentials_from_the_token_cache() {
    if !require_peer("botocore") {
        return;
    }
    let sso = FakeSso::start();
    sso.add_accounts(2, 2);
    sso.set_credential_lifetime(1800);
    let home = Home::new();
    sso_profile(&home);
    let args = json!({ "signed_in": signed_in_json(&sso) });
    let result = botocore(&sso, &home, RESOLVE, args);
    // Epoch milliseconds, read as such: half an hour, not 1970 nor the year 58000.
    let left = result["expires_in"].as_f64().unwrap();
    assert!((1700.0..=1800.0).contains(&left), "{left}");
    let calls = sso.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].operation, Operation::GetRoleCredentials);
    assert_eq!(calls[0].status, 200);
    let query = &calls[0].query;
    assert!(query.contains(&("account_id".into(), "100000000002".into())));
    assert!(query.contains(&("role_name".into(), "ReadOnlyAccess".into())));
}

const PORTAL_PAGES: &str = r#"
sso = client("sso")
token = ARGS["signed_in"]["access_token"]
accounts = []
for page in sso.get_paginator("list_accounts").paginate(accessToken=token):
    accounts += page["accountList"]
out["accounts"] = accounts
roles = {}
for account in accounts:
    pages = sso.get_paginator("list_account_roles").paginate(
        accessToken=token, accountId=account["accountId"], PaginationConfig={"PageSize": 1})
    roles[account["accountId"]] = [r["roleName"] for p in pages for r in p["roleList"]
                                   if r["accountId"] == account["accountId"]]
out["roles"] = roles
"#;

const PORTAL_ERRORS: &str = r#"
sso = client("sso")
token = ARGS["signed_in"]["access_token"]
expect_error(sso, "TooManyRequestsException", lambda: sso.list_accounts(accessToken=token))
retrying = client("sso", attempts=3)
out["after_retry"] = len(retrying.list_accounts(accessToken=token, maxResults=1)["accountList"])
expect_error(sso, "ResourceNotFoundException", lambda: sso.list_account_roles(
    accessToken=token, accountId="999999999999"))
expect_error(sso, "InvalidRequestException", lambda: sso.list_accounts(
    accessToken=token, nextToken="not-a-token"))
sso.logout(accessToken=token)
expect_error(sso, "UnauthorizedException", lambda: sso.list_accounts(accessToken=token))
expect_error(sso, "UnauthorizedException", lambda: sso.get_role_credentials(
    accessToken=token, accountId="100000000001", roleName="AdministratorAccess"))
"#;

/// botocore's `sso` client pages through ListAccounts (the fake's page size) and
/// ListAccountRoles (botocore's `PageSize`, sent as `max_result`), retries a 503, and parses
/// each portal error as the model's exception.
#[test]
fn botocore_pages_through_accounts_and_roles() {
    if !require_peer("botocore") {
        return;
    }
    let sso = FakeSso::start();
    sso.add_accounts(5, 3);
    sso.set_page_size(2);
    let args = json!({ "signed_in": signed_in_json(&sso) });
    let home = Home::new();
    let result = botocore(&sso, &home, PORTAL_PAGES, args.clone());
    let expected: Vec<Value> = sso
        .accounts()
        .iter()
        .map(|a| {
            json!({"accountId": a.account_id, "accountName": a.account_name,
                   "emailAddress": a.email_address})
        })
        .collect();
    assert_eq!(result["accounts"], json!(expected));
    for account in sso.accounts() {
        assert_eq!(result["roles"][&account.account_id], json!(account.roles));
    }
    assert_eq!(sso.count(Operation::ListAccounts), 3);
    assert_eq!(sso.count(Operation::ListAccountRoles), 5 * 3);
    let roles = sso
        .calls()
        .into_iter()
        .find(|c| c.operation == Operation::ListAccountRoles)
        .unwrap();
    assert!(roles.query.contains(&("max_result".into(), "1".into())));

    sso.inject(Operation::ListAccounts, Fault::TooManyRequests, 1);
    sso.inject(Operation::ListAccounts, Fault::ServerError(503), 1);
    let result = botocore(&sso, &home, PORTAL_ERRORS, args);
    assert_eq!(result["after_retry"], 1);
    let statuses: Vec<u16> = sso
        .calls()
        .iter()
        .filter(|c| c.operation == Operation::ListAccounts)
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [200, 200, 200, 429, 503, 200, 400, 401]);
    assert_eq!(sso.count(Operation::Logout), 1);
}

const REFRESH: &str = r#"
from botocore.tokens import SSOTokenProvider
write_cache("corp", ARGS["signed_in"], 60)
session = botocore.session.Session(profile="dev")
token = SSOTokenProvider(session).load_token().get_frozen_token()
assert token.token != ARGS["signed_in"]["access_token"]
with open(cache_path("corp")) as f:
    cached = json.load(f)
assert cached["accessToken"] == token.token
assert cached["refreshToken"] != ARGS["signed_in"]["refresh_token"]
assert cached["refreshToken"].startswith("FakeSsoRefresh-")
assert cached["clientId"] == ARGS["signed_in"]["client_id"]
expires = datetime.datetime.fromisoformat(cached["expiresAt"].replace("Z", "+00:00"))
out["expires_in"] = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
out["access_token"] = token.token
creds = session.get_credentials().get_frozen_credentials()
assert creds.access_key.startswith("ASIA")
"#;

/// botocore's SSO token provider refreshes a token about to expire through
/// CreateToken(refresh_token), writes the new one back to the cache, and uses it.
#[test]
fn botocore_refreshes_an_expiring_token_and_writes_it_back() {
    if !require_peer("botocore") {
        return;
    }
    let sso = FakeSso::start();
    sso.add_accounts(2, 2);
    sso.set_token_lifetime(7200);
    let home = Home::new();
    sso_profile(&home);
    let signed_in = signed_in_json(&sso);
    let old = signed_in["access_token"].as_str().unwrap().to_owned();
    let result = botocore(&sso, &home, REFRESH, json!({ "signed_in": signed_in }));
    let left = result["expires_in"].as_f64().unwrap();
    assert!((7100.0..=7200.0).contains(&left), "{left}");
    assert!(sso.is_live(result["access_token"].as_str().unwrap()));
    assert!(sso.is_live(&old));
    let refresh = sso
        .calls()
        .into_iter()
        .find(|c| c.operation == Operation::CreateToken)
        .unwrap();
    assert_eq!(refresh.status, 200);
    assert_eq!(refresh.body["grantType"], "refresh_token");
    assert_eq!(sso.count(Operation::CreateToken), 1);
    assert_eq!(sso.count(Operation::GetRoleCredentials), 1);
}

const OIDC_ERRORS: &str = r#"
oidc = client("sso-oidc")
reg = oidc.register_client(clientName="lanyard-peer", clientType="public", scopes=["sso:account:access"])
ids = dict(clientId=reg["clientId"], clientSecret=reg["clientSecret"])
def poll(auth):
    while True:
        try:
            oidc.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code",
                              deviceCode=auth["deviceCode"], **ids)
        except oidc.exceptions.AuthorizationPendingException:
            time.sleep(0.05)

auth = oidc.start_device_authorization(startUrl=ARGS["start_url"], **ids)
assert expect_error(oidc, "AccessDeniedException", lambda: poll(auth))["error"] == "access_denied"
assert expect_error(oidc, "InternalServerException", lambda: oidc.register_client(
    clientName="x", clientType="public"))["error"] == "server_error"
auth = oidc.start_device_authorization(startUrl=ARGS["start_url"], **ids)
assert auth["expiresIn"] == 0
assert expect_error(oidc, "ExpiredTokenException", lambda: poll(auth))["error"] == "expired_token"
expect_error(oidc, "InvalidGrantException", lambda: oidc.create_token(
    grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode="unknown", **ids))
expect_error(oidc, "InvalidScopeException", lambda: oidc.register_client(
    clientName="x", clientType="public", scopes=["not a scope"]))
expect_error(oidc, "InvalidRedirectUriException", lambda: oidc.register_client(
    clientName="x", clientType="public", grantTypes=["authorization_code"],
    redirectUris=["ftp://127.0.0.1/callback"]))
unchecked = botocore.session.get_session().create_client("sso-oidc", region_name="us-east-1",
    config=Config(signature_version=UNSIGNED, parameter_validation=False,
                  retries={"total_max_attempts": 1}))
r = expect_error(unchecked, "InvalidRequestException", lambda: unchecked.start_device_authorization(**ids))
assert r["error"] == "invalid_request"
"#;

/// Every OIDC error the fake gives reaches botocore as the model's exception, with the
/// model's status and the OAuth code the model documents in `error`.
#[test]
fn botocore_parses_each_oidc_error_as_the_model_says() {
    if !require_peer("botocore") {
        return;
    }
    let sso = FakeSso::start();
    let home = Home::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            let code = sso
                .wait_for_user_code(Duration::from_secs(30))
                .expect("a device code waits for the user");
            sso.set_device_code_lifetime(0);
            sso.inject(Operation::RegisterClient, Fault::ServerError(500), 1);
            assert!(sso.deny_device(&code));
        });
        botocore(&sso, &home, OIDC_ERRORS, json!({}));
    });
    let statuses: Vec<u16> = sso
        .calls()
        .iter()
        .filter(|c| c.operation == Operation::RegisterClient)
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [200, 500, 400, 400]);
}

/// Set in the process [`aws_config_resolves_in_a_child`] runs in.
const CHILD: &str = "LANYARD_FAKE_SSO_AWS_CONFIG_CHILD";

/// The AWS SDK for Rust (`aws-config`) resolves the same `sso-session` profile: it refreshes
/// the expiring cached token through CreateToken(refresh_token), writes it back, and gets
/// role credentials, all from the fake by `AWS_ENDPOINT_URL_SSO_OIDC` and
/// `AWS_ENDPOINT_URL_SSO`. It runs in a child process of this test binary, as `aws-config`
/// takes HOME and those variables from the process environment.
#[test]
fn aws_config_refreshes_the_token_and_resolves_role_credentials() {
    use sha1::Digest;

    if !require_peer("botocore") {
        return;
    }
    let sso = FakeSso::start();
    sso.add_accounts(2, 2);
    sso.set_credential_lifetime(1800);
    let home = Home::new();
    sso_profile(&home);
    let signed_in = signed_in_json(&sso);
    // The cache as the AWS CLI v2 leaves it, with a token a minute from expiry.
    botocore(
        &sso,
        &home,
        r#"write_cache("corp", ARGS["signed_in"], 60)"#,
        json!({ "signed_in": signed_in.clone() }),
    );
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", "fake_sso::aws_config_resolves_in_a_child"])
        .args(["--ignored", "--nocapture", "--test-threads=1"])
        .envs(home.peer_env())
        .env(CHILD, "1")
        .env("AWS_ENDPOINT_URL_SSO_OIDC", sso.endpoint())
        .env("AWS_ENDPOINT_URL_SSO", sso.endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost");
    for var in [
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
    ] {
        child.env_remove(var);
    }
    let output = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the aws-config child failed:\n{stdout}"
    );
    let facts: Value = stdout
        .lines()
        .find_map(|l| {
            l.split_once("aws-config resolved: ")
                .map(|(_, facts)| facts)
        })
        .map(|l| serde_json::from_str(l).unwrap())
        .expect("the child ran the resolution");
    assert_eq!(facts["access_key_prefix"], "ASIA");
    assert_eq!(facts["session_token_marked"], true);
    let left = facts["expires_in"].as_u64().unwrap();
    assert!((1700..=1800).contains(&left), "{left}");

    let operations: Vec<(Operation, u16)> = sso
        .calls()
        .iter()
        .map(|c| (c.operation, c.status))
        .collect();
    assert_eq!(
        operations,
        [
            (Operation::CreateToken, 200),
            (Operation::GetRoleCredentials, 200)
        ]
    );
    assert_eq!(sso.calls()[0].body["grantType"], "refresh_token");
    // Written back where the AWS CLI and botocore look: the SHA-1 of the session's name.
    let key: String = sha1::Sha1::digest(b"corp")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cache: Value =
        serde_json::from_str(&home.read(&format!(".aws/sso/cache/{key}.json"))).unwrap();
    let access_token = cache["accessToken"].as_str().unwrap();
    assert_ne!(access_token, signed_in["access_token"].as_str().unwrap());
    assert!(sso.is_live(access_token));
    let refresh_token = cache["refreshToken"].as_str().unwrap();
    assert!(refresh_token.starts_with("FakeSsoRefresh-"));
    assert_ne!(refresh_token, signed_in["refresh_token"].as_str().unwrap());
    assert_eq!(cache["clientId"], signed_in["client_id"]);
}

/// The child side of [`aws_config_refreshes_the_token_and_resolves_role_credentials`]: it
/// prints what it resolved, no secret among it.
#[test]
#[ignore = "run by aws_config_refreshes_the_token_and_resolves_role_credentials, in its own process"]
fn aws_config_resolves_in_a_child() {
    use aws_config::profile::ProfileFileCredentialsProvider;
    use aws_config::provider_config::ProviderConfig;
    use aws_credential_types::provider::ProvideCredentials;
    use aws_types::region::Region;

    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let provider_config = ProviderConfig::empty().with_region(Some(Region::new("eu-west-1")));
    let provider = ProfileFileCredentialsProvider::builder()
        .configure(&provider_config)
        .profile_name("dev")
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let credentials = runtime
        .block_on(provider.provide_credentials())
        .unwrap_or_else(|e| panic!("aws-config resolves `dev` through the fake: {e}"));
    let expires_in = credentials
        .expiry()
        .unwrap()
        .duration_since(std::time::SystemTime::now())
        .unwrap()
        .as_secs();
    let facts = json!({
        "access_key_prefix": &credentials.access_key_id()[..4],
        "session_token_marked": credentials
            .session_token()
            .is_some_and(|t| t.starts_with("FakeSsoSession-")),
        "expires_in": expires_in,
    });
    println!("aws-config resolved: {facts}");
}
