//! The OIDC service (`sso-oidc`): RegisterClient, StartDeviceAuthorization, CreateToken for
//! the three grants, and the checks of the browser's `/authorize` step.
//!
//! The grants follow RFC 8628 (device code) and RFC 7636 (PKCE) as the service applies them:
//! a client registered without `grantTypes` may use the device code and refresh grants; one
//! registered with them may use only those. A refresh token is issued only to clients that
//! registered scopes, and each refresh replaces it (the old one stops working).

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::{
    Client, Code, Decision, Device, State, AUTHORIZATION_CODE, DEVICE_CODE, REFRESH_TOKEN,
};

type Answer = Result<Value, ApiError>;

fn string<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::oidc(
            "InvalidRequestException",
            format!("{name} must be a string"),
        )),
    }
}

fn required<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    string(body, name)?.ok_or_else(|| {
        ApiError::oidc(
            "InvalidRequestException",
            format!("Invalid request: {name} is required"),
        )
    })
}

fn strings(body: &Value, name: &str) -> Result<Vec<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::oidc(
                    "InvalidRequestException",
                    format!("{name} must be a list of strings"),
                )
            }),
        Some(_) => Err(ApiError::oidc(
            "InvalidRequestException",
            format!("{name} must be a list"),
        )),
    }
}

/// Checks `clientId` and `clientSecret` against a live registration.
fn client<'a>(state: &'a State, body: &Value) -> Result<&'a Client, ApiError> {
    let id = required(body, "clientId")?;
    let secret = required(body, "clientSecret")?;
    let invalid = || ApiError::oidc("InvalidClientException", "Invalid client provided");
    let client = state.clients.get(id).ok_or_else(invalid)?;
    if client.secret != secret {
        return Err(invalid());
    }
    if client.expires_at <= state.now() {
        return Err(ApiError::oidc(
            "InvalidClientException",
            "Client registration has expired",
        ));
    }
    Ok(client)
}

/// `POST /client/register`.
pub(crate) fn register_client(state: &mut State, body: &Value, endpoint: &str) -> Answer {
    required(body, "clientName")?;
    let client_type = required(body, "clientType")?;
    if client_type != "public" {
        return Err(ApiError::oidc(
            "InvalidClientMetadataException",
            "Only public clients are supported",
        ));
    }
    let scopes = strings(body, "scopes")?;
    if scopes.iter().any(|s| s.is_empty() || s.contains(' ')) {
        return Err(ApiError::oidc("InvalidScopeException", "Invalid scope"));
    }
    let mut grant_types = strings(body, "grantTypes")?;
    if let Some(bad) = grant_types
        .iter()
        .find(|g| ![DEVICE_CODE, AUTHORIZATION_CODE, REFRESH_TOKEN].contains(&g.as_str()))
    {
        return Err(ApiError::oidc(
            "UnsupportedGrantTypeException",
            format!("Unsupported grant type: {bad}"),
        ));
    }
    if grant_types.is_empty() {
        grant_types = vec![DEVICE_CODE.to_owned(), REFRESH_TOKEN.to_owned()];
    }
    let redirect_uris = strings(body, "redirectUris")?;
    if redirect_uris
        .iter()
        .any(|u| !(u.starts_with("http://") || u.starts_with("https://")))
    {
        return Err(ApiError::oidc(
            "InvalidRedirectUriException",
            "Invalid redirect URI",
        ));
    }
    let pkce = grant_types.iter().any(|g| g == AUTHORIZATION_CODE);
    if pkce && redirect_uris.is_empty() {
        return Err(ApiError::oidc(
            "InvalidRequestException",
            "redirectUris is required for the authorization_code grant",
        ));
    }
    let id = state.secret("FakeSsoClient-");
    let secret = state.secret("FakeSsoClientSecret-");
    let issued = state.now();
    let expires_at = issued + state.settings.registration_lifetime;
    state.clients.insert(
        id.clone(),
        Client {
            secret: secret.clone(),
            expires_at,
            scopes,
            grant_types,
            redirect_uris,
        },
    );
    let mut answer = json!({
        "clientId": id,
        "clientSecret": secret,
        "clientIdIssuedAt": issued,
        "clientSecretExpiresAt": expires_at,
    });
    if pkce {
        answer["authorizationEndpoint"] = json!(format!("{endpoint}/authorize"));
        answer["tokenEndpoint"] = json!(format!("{endpoint}/token"));
    }
    Ok(answer)
}

/// `POST /device_authorization`.
pub(crate) fn start_device_authorization(
    state: &mut State,
    body: &Value,
    endpoint: &str,
) -> Answer {
    let client = client(state, body)?;
    if !client.grant_types.iter().any(|g| g == DEVICE_CODE) {
        return Err(ApiError::oidc(
            "UnauthorizedClientException",
            "Client is not registered for the device code grant",
        ));
    }
    required(body, "startUrl")?;
    let client_id = required(body, "clientId")?.to_owned();
    let device_code = state.secret("FakeSsoDevice-");
    let user_code = state.user_code();
    let lifetime = state.settings.device_code_lifetime;
    let decision = if state.settings.auto_approve {
        Decision::Approved
    } else {
        Decision::Pending
    };
    state.devices.push(Device {
        device_code: device_code.clone(),
        user_code: user_code.clone(),
        client_id,
        expires_at: state.now() + lifetime,
        decision,
        redeemed: false,
        interval: state.settings.interval,
        last_poll: None,
    });
    Ok(json!({
        "deviceCode": device_code,
        "userCode": user_code,
        "verificationUri": format!("{endpoint}/device"),
        "verificationUriComplete": format!("{endpoint}/device?user_code={user_code}"),
        "expiresIn": lifetime,
        "interval": state.settings.interval,
    }))
}

/// `POST /token`.
pub(crate) fn create_token(state: &mut State, body: &Value) -> Answer {
    let grant = required(body, "grantType")?;
    client(state, body)?;
    if ![DEVICE_CODE, AUTHORIZATION_CODE, REFRESH_TOKEN].contains(&grant) {
        return Err(ApiError::oidc(
            "UnsupportedGrantTypeException",
            format!("Unsupported grant type: {grant}"),
        ));
    }
    let client_id = required(body, "clientId")?.to_owned();
    if !state.clients[&client_id]
        .grant_types
        .iter()
        .any(|g| g == grant)
    {
        return Err(ApiError::oidc(
            "UnauthorizedClientException",
            format!("Client is not registered for the {grant} grant"),
        ));
    }
    let session = match grant {
        DEVICE_CODE => redeem_device_code(state, body, &client_id)?,
        AUTHORIZATION_CODE => redeem_code(state, body, &client_id)?,
        _ => redeem_refresh_token(state, body, &client_id)?,
    };
    let (access, refresh) = state.issue_tokens(&client_id, session);
    let mut answer = json!({
        "accessToken": access,
        "tokenType": "Bearer",
        "expiresIn": state.settings.token_lifetime,
    });
    if let Some(refresh) = refresh {
        answer["refreshToken"] = json!(refresh);
    }
    Ok(answer)
}

fn redeem_device_code(state: &mut State, body: &Value, client_id: &str) -> Result<u64, ApiError> {
    let code = required(body, "deviceCode")?;
    let now = state.now();
    let now_millis = state.now_millis();
    let enforce = state.settings.enforce_interval;
    let invalid = || ApiError::oidc("InvalidGrantException", "Invalid device code provided");
    let device = state
        .devices
        .iter_mut()
        .find(|d| d.device_code == code)
        .ok_or_else(invalid)?;
    if device.client_id != client_id || device.redeemed {
        return Err(invalid());
    }
    if device.expires_at <= now {
        return Err(ApiError::oidc(
            "ExpiredTokenException",
            "Device code has expired",
        ));
    }
    let early = device
        .last_poll
        .is_some_and(|last| now_millis < last + device.interval * 1000);
    device.last_poll = Some(now_millis);
    if enforce && early {
        device.interval += 5;
        return Err(ApiError::oidc(
            "SlowDownException",
            "Client is polling faster than the interval",
        ));
    }
    match device.decision {
        Decision::Pending => Err(ApiError::oidc(
            "AuthorizationPendingException",
            "Authorization is still pending",
        )),
        Decision::Denied => Err(ApiError::oidc(
            "AccessDeniedException",
            "The user denied the authorization request",
        )),
        Decision::Approved => {
            device.redeemed = true;
            Ok(state.next_id())
        }
    }
}

/// The PKCE check of RFC 7636 §4.6 for `S256`.
pub(crate) fn challenge_of(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn redeem_code(state: &mut State, body: &Value, client_id: &str) -> Result<u64, ApiError> {
    let code = required(body, "code")?;
    let redirect_uri = required(body, "redirectUri")?;
    let verifier = required(body, "codeVerifier")?;
    let now = state.now();
    let invalid = |why: &str| ApiError::oidc("InvalidGrantException", why.to_owned());
    // An authorization code works once, whatever the outcome (RFC 6749 §4.1.2).
    let issued = state
        .codes
        .remove(code)
        .ok_or_else(|| invalid("Invalid authorization code provided"))?;
    if issued.client_id != client_id {
        return Err(invalid("Invalid authorization code provided"));
    }
    if issued.expires_at <= now {
        return Err(invalid("Authorization code has expired"));
    }
    if issued.redirect_uri != redirect_uri {
        return Err(invalid(
            "redirectUri does not match the authorization request",
        ));
    }
    if challenge_of(verifier) != issued.challenge {
        return Err(invalid("codeVerifier does not match the code challenge"));
    }
    Ok(state.next_id())
}

fn redeem_refresh_token(state: &mut State, body: &Value, client_id: &str) -> Result<u64, ApiError> {
    let token = required(body, "refreshToken")?;
    let now = state.now();
    let invalid = || ApiError::oidc("InvalidGrantException", "Invalid refresh token provided");
    let issued = state.refresh_tokens.get(token).ok_or_else(invalid)?;
    if issued.client_id != client_id || issued.expires_at <= now {
        return Err(invalid());
    }
    let session = issued.session;
    state.refresh_tokens.remove(token);
    Ok(session)
}

/// What `/authorize` checked: where to send the browser, and the code challenge to keep.
pub(crate) struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub challenge: String,
}

/// Loopback redirect URIs match whatever the port (RFC 8252 §7.3): the CLI registers
/// `http://127.0.0.1/oauth/callback` and listens on a free port.
fn redirect_matches(registered: &str, requested: &str) -> bool {
    fn without_port(uri: &str) -> Option<String> {
        let rest = uri.strip_prefix("http://")?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
        ["127.0.0.1", "localhost", "[::1]"]
            .contains(&host)
            .then(|| format!("{host}{path}"))
    }
    registered == requested
        || without_port(registered).is_some_and(|r| Some(r) == without_port(requested))
}

/// Checks the authorize query. `Err(Ok(..))` is a redirect back with an OAuth error, as the
/// request's redirect URI is trusted; `Err(Err(..))` a page, as it is not.
pub(crate) fn check_authorize(
    state: &State,
    query: &[(String, String)],
) -> Result<AuthorizeRequest, Result<(String, AuthorizeRequest), String>> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let client_id = get("client_id").ok_or_else(|| Err("client_id is missing".to_owned()))?;
    let client = state
        .clients
        .get(&client_id)
        .filter(|c| c.expires_at > state.now())
        .ok_or_else(|| Err("Invalid client".to_owned()))?;
    let redirect_uri =
        get("redirect_uri").ok_or_else(|| Err("redirect_uri is missing".to_owned()))?;
    if !client
        .redirect_uris
        .iter()
        .any(|r| redirect_matches(r, &redirect_uri))
    {
        return Err(Err("redirect_uri is not registered for this client".into()));
    }
    let request = AuthorizeRequest {
        client_id,
        redirect_uri,
        state: get("state"),
        challenge: get("code_challenge").unwrap_or_default(),
    };
    let refuse = |code: &str, request| Err(Ok((code.to_owned(), request)));
    if get("response_type").as_deref() != Some("code") {
        return refuse("unsupported_response_type", request);
    }
    if !client.grant_types.iter().any(|g| g == AUTHORIZATION_CODE) {
        return refuse("unauthorized_client", request);
    }
    if request.challenge.is_empty() || get("code_challenge_method").as_deref() != Some("S256") {
        return refuse("invalid_request", request);
    }
    Ok(request)
}

/// Issues the authorization code for an approved request.
pub(crate) fn issue_code(state: &mut State, request: &AuthorizeRequest) -> String {
    let code = state.secret("FakeSsoCode-");
    let expires_at = state.now() + state.settings.code_lifetime;
    state.codes.insert(
        code.clone(),
        Code {
            client_id: request.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            challenge: request.challenge.clone(),
            expires_at,
        },
    );
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge() {
        // RFC 7636, Appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn loopback_redirects_match_on_any_port() {
        let registered = "http://127.0.0.1/oauth/callback";
        assert!(redirect_matches(
            registered,
            "http://127.0.0.1:53412/oauth/callback"
        ));
        assert!(!redirect_matches(
            registered,
            "http://127.0.0.1:53412/other"
        ));
        assert!(!redirect_matches(
            "https://example.com/cb",
            "https://example.com:444/cb"
        ));
    }
}
