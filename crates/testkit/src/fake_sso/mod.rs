/*!
A fake AWS IAM Identity Center on loopback: the OIDC service (`sso-oidc`) and the portal
(`sso`) behind one base URL, speaking restJson1 as the AWS SDKs parse it, with controls for
the user's side of a sign-in and for faults.

The wire rules, taken from botocore's service models (`sso-oidc` and `sso`, 2019-06-10):

- OIDC takes JSON bodies: `POST /client/register`, `POST /device_authorization`,
  `POST /token` (grants `urn:ietf:params:oauth:grant-type:device_code`, `authorization_code`
  with PKCE, `refresh_token`). Its operations are unsigned.
- The portal takes query parameters (`max_result`, `next_token`, `account_id`,
  `role_name`) and the access token in the `x-amz-sso_bearer_token` header:
  `GET /assignment/accounts`, `GET /assignment/roles`, `GET /federation/credentials`,
  `POST /logout`. Credentials expire at epoch *milliseconds*.
- An error names its type in `x-amzn-errortype` and has the status of its shape in the
  model; OIDC bodies are `{"error": "<oauth code>", "error_description": ...}`, portal
  bodies `{"message": ...}` (see `error.rs`).
- The PKCE authorize step is a browser page, not an API: `GET /authorize?response_type=code
  &client_id&redirect_uri&state&code_challenge&code_challenge_method=S256&scopes` answers
  `302` to `redirect_uri?code=…&state=…` once the user approves (at once under
  [`FakeSso::auto_approve`]; otherwise the browser's request waits for
  [`FakeSso::approve_authorization`]), or to `redirect_uri?error=access_denied&state=…`.
- The device flow's verification page is `GET /device?user_code=…`; opening it approves
  the code, as a user signing in would.

Every token, secret and code it issues starts with a `FakeSso…-` marker, so a leak into
test output is caught by `scripts/test-secrets.txt`.
*/

mod error;
mod http;
mod oidc;
mod portal;
mod server;
mod state;

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use state::{Account, Call, Fault, Operation, SignedIn};

use state::{Decision, Injected, State};

/// How long a browser waits at `/authorize` for the user before it is shown a timeout page.
const AUTHORIZE_WAIT: Duration = Duration::from_secs(120);

/// A running fake IAM Identity Center. Dropping it closes the port and every connection.
pub struct FakeSso {
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    endpoint: String,
    state: Mutex<State>,
    /// Signalled on every change a waiting browser or test may be waiting for.
    changed: Condvar,
    stopping: AtomicBool,
    connections: Mutex<HashMap<u64, TcpStream>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a change, at most `timeout`.
    fn wait<'a>(&self, state: MutexGuard<'a, State>, timeout: Duration) -> MutexGuard<'a, State> {
        match self.changed.wait_timeout(state, timeout) {
            Ok((state, _)) => state,
            Err(e) => e.into_inner().0,
        }
    }
}

impl FakeSso {
    /// Starts the fake on a free 127.0.0.1 port.
    pub fn start() -> FakeSso {
        FakeSso::start_on(0).expect("bind a loopback port for the fake IAM Identity Center")
    }

    /// Starts the fake on 127.0.0.1:`port` (0 for a free one).
    pub fn start_on(port: u16) -> io::Result<FakeSso> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            endpoint,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            connections: Mutex::new(HashMap::new()),
        });
        let accepting = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name("fake-sso-accept".into())
            .spawn(move || server::accept_loop(listener, accepting))?;
        Ok(FakeSso {
            shared,
            accept: Some(accept),
        })
    }

    /// The base URL of both services, `http://127.0.0.1:PORT`: the value for
    /// `AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO` alike.
    pub fn endpoint(&self) -> String {
        self.shared.endpoint.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    fn decide_device(&self, user_code: &str, decision: Decision) -> bool {
        let mut state = self.state();
        let now = state.now();
        let found = state.devices.iter_mut().find(|d| {
            d.user_code.eq_ignore_ascii_case(user_code.trim())
                && d.decision == Decision::Pending
                && d.expires_at > now
        });
        let Some(device) = found else {
            return false;
        };
        device.decision = decision;
        self.shared.changed.notify_all();
        true
    }

    /// The user approves the device code shown as `user_code`; false if no such code waits.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.decide_device(user_code, Decision::Approved)
    }

    /// The user denies the device code; CreateToken then answers `AccessDeniedException`.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.decide_device(user_code, Decision::Denied)
    }

    /// The user codes waiting for the user's decision, oldest first.
    pub fn pending_user_codes(&self) -> Vec<String> {
        let state = self.state();
        let now = state.now();
        state
            .devices
            .iter()
            .filter(|d| d.decision == Decision::Pending && d.expires_at > now)
            .map(|d| d.user_code.clone())
            .collect()
    }

    /// Waits up to `timeout` for a device code to wait for the user, and returns its user code.
    pub fn wait_for_user_code(&self, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        loop {
            let now = state.now();
            let waiting = state
                .devices
                .iter()
                .find(|d| d.decision == Decision::Pending && d.expires_at > now);
            if let Some(device) = waiting {
                return Some(device.user_code.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            state = self.shared.wait(state, left);
        }
    }

    fn decide_authorization(&self, decision: Decision) -> bool {
        let mut state = self.state();
        let Some(waiting) = state
            .waiting
            .iter_mut()
            .find(|w| w.decision == Decision::Pending)
        else {
            return false;
        };
        waiting.decision = decision;
        self.shared.changed.notify_all();
        true
    }

    /// The user approves the oldest browser waiting at `/authorize`; false if none waits.
    pub fn approve_authorization(&self) -> bool {
        self.decide_authorization(Decision::Approved)
    }

    /// The user denies the oldest waiting `/authorize`: it redirects with `error=access_denied`.
    pub fn deny_authorization(&self) -> bool {
        self.decide_authorization(Decision::Denied)
    }

    /// Waits up to `timeout` for a browser to wait at `/authorize`.
    pub fn wait_for_authorization(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        loop {
            if state
                .waiting
                .iter()
                .any(|w| w.decision == Decision::Pending)
            {
                return true;
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            state = self.shared.wait(state, left);
        }
    }

    /// Approves every device code and authorize request as it arrives (off at start).
    pub fn auto_approve(&self, on: bool) {
        self.state().settings.auto_approve = on;
    }

    /// Seconds an access token lives (`expiresIn`; 3600 at start).
    pub fn set_token_lifetime(&self, secs: u64) {
        self.state().settings.token_lifetime = secs;
    }

    /// Seconds a refresh token lives (8 hours at start).
    pub fn set_refresh_token_lifetime(&self, secs: u64) {
        self.state().settings.refresh_token_lifetime = secs;
    }

    /// Seconds role credentials live (3600 at start).
    pub fn set_credential_lifetime(&self, secs: u64) {
        self.state().settings.credential_lifetime = secs;
    }

    /// Seconds a client registration lives (90 days at start).
    pub fn set_registration_lifetime(&self, secs: u64) {
        self.state().settings.registration_lifetime = secs;
    }

    /// Seconds a device code lives (`expiresIn`; 600 at start).
    pub fn set_device_code_lifetime(&self, secs: u64) {
        self.state().settings.device_code_lifetime = secs;
    }

    /// The polling `interval` StartDeviceAuthorization asks for (1 second at start).
    pub fn set_poll_interval(&self, secs: u64) {
        self.state().settings.interval = secs;
    }

    /// Makes CreateToken answer `SlowDownException` to a device-code poll that comes sooner
    /// than the interval after the last one, and add 5 seconds to that code's interval, as
    /// RFC 8628 §3.5 says (off at start).
    pub fn enforce_poll_interval(&self, on: bool) {
        self.state().settings.enforce_interval = on;
    }

    /// Ends every access token issued so far, as if its lifetime had run out.
    pub fn expire_access_tokens(&self) {
        let mut state = self.state();
        let now = state.now();
        state
            .access_tokens
            .values_mut()
            .for_each(|t| t.expires_at = now);
    }

    /// Ends every refresh token issued so far, as if its lifetime had run out.
    pub fn expire_refresh_tokens(&self) {
        let mut state = self.state();
        let now = state.now();
        state
            .refresh_tokens
            .values_mut()
            .for_each(|t| t.expires_at = now);
    }

    /// Forgets every refresh token issued so far (access tokens keep working).
    pub fn revoke_refresh_tokens(&self) {
        self.state().refresh_tokens.clear();
    }

    /// What Logout does, for every session: no access or refresh token works any more.
    pub fn revoke_all(&self) {
        let mut state = self.state();
        state.access_tokens.clear();
        state.refresh_tokens.clear();
    }

    /// Whether an access token would be accepted by the portal now.
    pub fn is_live(&self, access_token: &str) -> bool {
        let state = self.state();
        state
            .access_tokens
            .get(access_token)
            .is_some_and(|t| t.expires_at > state.now())
    }

    /// Moves the fake's clock forward: everything it issued gets that much older.
    pub fn advance(&self, by: Duration) {
        self.state().clock_offset += by.as_secs();
    }

    /// Adds `count` accounts with `roles_per_account` roles each. Ids, names and emails are
    /// numbered on from the accounts there are: the first is `100000000001`,
    /// `fake-account-001`, `aws+fake-account-001@example.com`, with roles
    /// `AdministratorAccess`, `ReadOnlyAccess`, `PowerUserAccess`, `ViewOnlyAccess`,
    /// `Billing`, then `FakeRole06`, `FakeRole07`, ….
    pub fn add_accounts(&self, count: usize, roles_per_account: usize) {
        self.state().add_accounts(count, roles_per_account);
    }

    /// Adds one account as given.
    pub fn add_account(&self, account: Account) {
        self.state().accounts.push(account);
    }

    /// The accounts assigned to the user, in the order the portal lists them.
    pub fn accounts(&self) -> Vec<Account> {
        self.state().accounts.clone()
    }

    /// The most items a ListAccounts or ListAccountRoles page holds (20 at start); a smaller
    /// `max_result` makes pages smaller still.
    pub fn set_page_size(&self, size: usize) {
        self.state().settings.page_size = size.max(1);
    }

    /// Serves `fault` on the next `times` calls of `operation` (`usize::MAX`: on every call
    /// from now on). Faults injected earlier for the same operation are served first.
    pub fn inject(&self, operation: Operation, fault: Fault, times: usize) {
        if times > 0 {
            self.state().faults.push(Injected {
                operation,
                fault,
                remaining: times,
            });
        }
    }

    /// Drops every injected fault not yet served.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// How many calls of `operation` the fake answered (faults and errors included).
    pub fn count(&self, operation: Operation) -> usize {
        self.state()
            .calls
            .iter()
            .filter(|c| c.operation == operation)
            .count()
    }

    /// Every call answered, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// A finished sign-in without HTTP: a client registered as the AWS CLI registers one
    /// for an `sso-session` (scope `sso:account:access`), and its first tokens.
    pub fn sign_in(&self) -> SignedIn {
        let mut state = self.state();
        let body = serde_json::json!({
            "clientName": "lanyard-testkit",
            "clientType": "public",
            "scopes": [state::ACCOUNT_ACCESS],
        });
        let client = oidc::register_client(&mut state, &body, &self.shared.endpoint)
            .expect("register a client");
        let client_id = client["clientId"].as_str().unwrap().to_owned();
        let session = state.next_id();
        let (access_token, refresh_token) = state.issue_tokens(&client_id, session);
        SignedIn {
            client_secret: client["clientSecret"].as_str().unwrap().to_owned(),
            registration_expires_at: client["clientSecretExpiresAt"].as_u64().unwrap(),
            expires_at: state.now() + state.settings.token_lifetime,
            client_id,
            access_token,
            refresh_token: refresh_token.expect("a client with scopes gets a refresh token"),
        }
    }
}

impl Drop for FakeSso {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        // Wake the accept loop, then end every open connection.
        let _ = TcpStream::connect(self.shared.endpoint.trim_start_matches("http://"));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        let connections = self
            .shared
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for stream in connections.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl std::fmt::Debug for FakeSso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSso")
            .field("endpoint", &self.shared.endpoint)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
