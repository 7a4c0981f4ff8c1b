//! What the fake remembers: registered clients, device and authorization-code grants, issued
//! tokens, the accounts and roles it assigns, the faults waiting to be served, and every call.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// An API operation of the fake, named as in the AWS API references; `Authorize` is the
/// browser's `GET /authorize` of the PKCE flow, which is no API operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// OIDC `POST /client/register`.
    RegisterClient,
    /// OIDC `POST /device_authorization`.
    StartDeviceAuthorization,
    /// OIDC `POST /token`.
    CreateToken,
    /// The browser's `GET /authorize` (PKCE), answered with a redirect.
    Authorize,
    /// Portal `GET /assignment/accounts`.
    ListAccounts,
    /// Portal `GET /assignment/roles`.
    ListAccountRoles,
    /// Portal `GET /federation/credentials`.
    GetRoleCredentials,
    /// Portal `POST /logout`.
    Logout,
}

impl Operation {
    /// The operation's name in the API reference.
    pub fn name(self) -> &'static str {
        match self {
            Operation::RegisterClient => "RegisterClient",
            Operation::StartDeviceAuthorization => "StartDeviceAuthorization",
            Operation::CreateToken => "CreateToken",
            Operation::Authorize => "Authorize",
            Operation::ListAccounts => "ListAccounts",
            Operation::ListAccountRoles => "ListAccountRoles",
            Operation::GetRoleCredentials => "GetRoleCredentials",
            Operation::Logout => "Logout",
        }
    }

    /// Whether the operation belongs to the OIDC service (errors as `error` and
    /// `error_description`) rather than the portal (errors as `message`).
    pub(crate) fn is_oidc(self) -> bool {
        matches!(
            self,
            Operation::RegisterClient
                | Operation::StartDeviceAuthorization
                | Operation::CreateToken
                | Operation::Authorize
        )
    }
}

/// A fault served instead of (or before) the normal answer, see [`crate::FakeSso::inject`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `429 TooManyRequestsException`.
    TooManyRequests,
    /// An `InternalServerException` with this 5xx status.
    ServerError(u16),
    /// The normal answer, after this delay.
    Slow(Duration),
    /// `AuthorizationPendingException`, even for an approved device code.
    AuthorizationPending,
    /// `SlowDownException`.
    SlowDown,
}

/// One request the fake answered. Its body holds what the client sent, secrets included:
/// compare fields, never print a `Call`.
#[derive(Clone, Debug)]
pub struct Call {
    /// Which operation it was.
    pub operation: Operation,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// The JSON body (`Null` for a request without one).
    pub body: serde_json::Value,
}

/// An AWS account assigned to the user, with the roles (permission sets) in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// The account's root email address.
    pub email_address: String,
    /// The role names the user may sign in to.
    pub roles: Vec<String>,
}

/// A signed-in session made without HTTP, as a finished login would leave it: the client
/// registration and the tokens, ready to be written to a token cache.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The registered client's id.
    pub client_id: String,
    /// The registered client's secret.
    pub client_secret: String,
    /// When the registration expires, seconds since the epoch.
    pub registration_expires_at: u64,
    /// The access token (the portal's bearer token).
    pub access_token: String,
    /// When the access token expires, seconds since the epoch.
    pub expires_at: u64,
    /// The refresh token.
    pub refresh_token: String,
}

#[derive(Clone)]
pub(crate) struct Settings {
    pub auto_approve: bool,
    pub token_lifetime: u64,
    pub refresh_token_lifetime: u64,
    pub credential_lifetime: u64,
    pub registration_lifetime: u64,
    pub device_code_lifetime: u64,
    pub code_lifetime: u64,
    pub interval: u64,
    pub enforce_interval: bool,
    pub page_size: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            auto_approve: false,
            token_lifetime: 3600,
            refresh_token_lifetime: 8 * 3600,
            credential_lifetime: 3600,
            registration_lifetime: 90 * 24 * 3600,
            device_code_lifetime: 600,
            code_lifetime: 300,
            interval: 1,
            enforce_interval: false,
            page_size: 20,
        }
    }
}

pub(crate) struct Client {
    pub secret: String,
    pub expires_at: u64,
    pub scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Decision {
    Pending,
    Approved,
    Denied,
}

pub(crate) struct Device {
    pub device_code: String,
    pub user_code: String,
    pub client_id: String,
    pub expires_at: u64,
    pub decision: Decision,
    pub redeemed: bool,
    /// Seconds the client must leave between polls; slow_down adds 5 (RFC 8628 §3.5).
    pub interval: u64,
    /// When the client last polled, epoch milliseconds.
    pub last_poll: Option<u64>,
}

/// A browser waiting at `/authorize` for the user's decision.
pub(crate) struct WaitingAuthorization {
    pub id: u64,
    pub decision: Decision,
}

pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub expires_at: u64,
}

pub(crate) struct Token {
    pub client_id: String,
    pub session: u64,
    pub expires_at: u64,
    pub scopes: Vec<String>,
}

pub(crate) struct Injected {
    pub operation: Operation,
    pub fault: Fault,
    pub remaining: usize,
}

#[derive(Default)]
pub(crate) struct State {
    pub settings: Settings,
    pub clients: HashMap<String, Client>,
    pub devices: Vec<Device>,
    pub waiting: Vec<WaitingAuthorization>,
    pub codes: HashMap<String, Code>,
    pub access_tokens: HashMap<String, Token>,
    pub refresh_tokens: HashMap<String, Token>,
    pub accounts: Vec<Account>,
    pub faults: Vec<Injected>,
    pub calls: Vec<Call>,
    pub clock_offset: u64,
    counter: u64,
}

/// The grant type names of CreateToken.
pub(crate) const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub(crate) const AUTHORIZATION_CODE: &str = "authorization_code";
pub(crate) const REFRESH_TOKEN: &str = "refresh_token";

/// The scope that lets a token reach the portal.
pub(crate) const ACCOUNT_ACCESS: &str = "sso:account:access";

/// Role names given to generated accounts, in order; more roles get numbered names.
const ROLE_NAMES: &[&str] = &[
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "ViewOnlyAccess",
    "Billing",
];

impl State {
    /// Seconds since the epoch, moved on by [`crate::FakeSso::advance`].
    pub fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + self.clock_offset
    }

    /// Milliseconds since the epoch, on the same clock as [`State::now`].
    pub fn now_millis(&self) -> u64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        real.as_millis() as u64 + self.clock_offset * 1000
    }

    /// A fresh unguessable value: `marker` and 32 hex digits.
    pub fn secret(&mut self, marker: &str) -> String {
        self.counter += 1;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let digest = Sha256::new()
            .chain_update(self.counter.to_le_bytes())
            .chain_update(nanos.to_le_bytes())
            .chain_update(std::process::id().to_le_bytes())
            .chain_update(marker.as_bytes())
            .finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("{marker}{}", &hex[..32])
    }

    /// A new number, for sessions and waiting browsers.
    pub fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A user code as the service shows them: eight consonants in two groups, `BCDF-GHJK`.
    pub fn user_code(&mut self) -> String {
        const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
        let seed = self.secret("");
        let letters: Vec<char> = seed
            .bytes()
            .take(8)
            .map(|b| LETTERS[b as usize % LETTERS.len()] as char)
            .collect();
        let (a, b) = letters.split_at(4);
        format!(
            "{}-{}",
            a.iter().collect::<String>(),
            b.iter().collect::<String>()
        )
    }

    /// Issues an access token, and a refresh token when the client registered scopes (as
    /// the service does: clients without scopes get no refresh token).
    pub fn issue_tokens(&mut self, client_id: &str, session: u64) -> (String, Option<String>) {
        let scopes = self.clients[client_id].scopes.clone();
        let access = self.secret("FakeSsoToken-");
        let now = self.now();
        self.access_tokens.insert(
            access.clone(),
            Token {
                client_id: client_id.to_owned(),
                session,
                expires_at: now + self.settings.token_lifetime,
                scopes: scopes.clone(),
            },
        );
        let grants_refresh = self.clients[client_id]
            .grant_types
            .iter()
            .any(|g| g == REFRESH_TOKEN);
        if scopes.is_empty() || !grants_refresh {
            return (access, None);
        }
        let refresh = self.secret("FakeSsoRefresh-");
        self.refresh_tokens.insert(
            refresh.clone(),
            Token {
                client_id: client_id.to_owned(),
                session,
                expires_at: now + self.settings.refresh_token_lifetime,
                scopes,
            },
        );
        (access, Some(refresh))
    }

    /// Adds `count` accounts with `roles` roles each, numbered on from those there are.
    pub fn add_accounts(&mut self, count: usize, roles: usize) {
        for _ in 0..count {
            let n = self.accounts.len() + 1;
            self.accounts.push(Account {
                account_id: format!("{:012}", 100_000_000_000u64 + n as u64),
                account_name: format!("fake-account-{n:03}"),
                email_address: format!("aws+fake-account-{n:03}@example.com"),
                roles: (0..roles)
                    .map(|r| match ROLE_NAMES.get(r) {
                        Some(name) => (*name).to_owned(),
                        None => format!("FakeRole{:02}", r + 1),
                    })
                    .collect(),
            });
        }
    }

    /// Takes the fault injected for the next call of `operation`, if any.
    pub fn take_fault(&mut self, operation: Operation) -> Option<Fault> {
        let injected = self
            .faults
            .iter_mut()
            .find(|f| f.operation == operation && f.remaining > 0)?;
        if injected.remaining != usize::MAX {
            injected.remaining -= 1;
        }
        let fault = injected.fault.clone();
        self.faults.retain(|f| f.remaining > 0);
        Some(fault)
    }

    /// Revokes every token of a session (Logout).
    pub fn end_session(&mut self, session: u64) {
        self.access_tokens.retain(|_, t| t.session != session);
        self.refresh_tokens.retain(|_, t| t.session != session);
    }
}
