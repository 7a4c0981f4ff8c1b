//! The portal (`sso`, "AWS SSO Portal"): ListAccounts and ListAccountRoles with paging,
//! GetRoleCredentials and Logout, each authorised by the access token in
//! `x-amz-sso_bearer_token`.
//!
//! Pages hold `min(max_result, page size)` items (`max_result` is 1 to 100, as the model's
//! `MaxResultType` says); `next_token` is opaque and names the list it pages through.

use base64::Engine;
use serde_json::{json, Value};

use super::error::ApiError;
use super::http::Request;
use super::state::{State, ACCOUNT_ACCESS};

type Answer = Result<Value, ApiError>;

fn unauthorized() -> ApiError {
    ApiError::portal(
        "UnauthorizedException",
        "Session token not found or invalid",
    )
}

/// The session of a live access token that may reach the portal.
fn session(state: &State, request: &Request) -> Result<u64, ApiError> {
    let token = request
        .header("x-amz-sso_bearer_token")
        .ok_or_else(unauthorized)?;
    let issued = state.access_tokens.get(token).ok_or_else(unauthorized)?;
    if issued.expires_at <= state.now() {
        return Err(unauthorized());
    }
    // A client that registered scopes gets tokens for those scopes only.
    if !issued.scopes.is_empty() && !issued.scopes.iter().any(|s| s == ACCOUNT_ACCESS) {
        return Err(unauthorized());
    }
    Ok(issued.session)
}

fn query<'a>(request: &'a Request, name: &str) -> Result<&'a str, ApiError> {
    request.query(name).ok_or_else(|| {
        ApiError::portal(
            "InvalidRequestException",
            format!("Missing required parameter: {name}"),
        )
    })
}

/// The slice of `total` items a page request asks for: `(start, end, next_token)`.
fn page(
    state: &State,
    request: &Request,
    list: &str,
    total: usize,
) -> Result<(usize, usize, Option<String>), ApiError> {
    let engine = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let invalid = |what: &str| ApiError::portal("InvalidRequestException", what.to_owned());
    let size = match request.query("max_result") {
        None => state.settings.page_size,
        Some(v) => match v.parse::<usize>() {
            Ok(n @ 1..=100) => n.min(state.settings.page_size),
            _ => return Err(invalid("max_result must be between 1 and 100")),
        },
    };
    let start = match request.query("next_token") {
        None => 0,
        Some(token) => engine
            .decode(token)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|text| {
                let (name, offset) = text.split_once(':')?;
                (name == list).then(|| offset.parse::<usize>().ok())?
            })
            .filter(|offset| *offset <= total)
            .ok_or_else(|| invalid("Invalid next_token"))?,
    };
    let end = (start + size.max(1)).min(total);
    let next = (end < total).then(|| engine.encode(format!("{list}:{end}")));
    Ok((start, end, next))
}

fn with_next(mut answer: Value, next: Option<String>) -> Value {
    if let Some(next) = next {
        answer["nextToken"] = json!(next);
    }
    answer
}

/// `GET /assignment/accounts`.
pub(crate) fn list_accounts(state: &State, request: &Request) -> Answer {
    session(state, request)?;
    let (start, end, next) = page(state, request, "accounts", state.accounts.len())?;
    let accounts: Vec<Value> = state.accounts[start..end]
        .iter()
        .map(|a| {
            json!({
                "accountId": a.account_id,
                "accountName": a.account_name,
                "emailAddress": a.email_address,
            })
        })
        .collect();
    Ok(with_next(json!({ "accountList": accounts }), next))
}

/// `GET /assignment/roles`.
pub(crate) fn list_account_roles(state: &State, request: &Request) -> Answer {
    session(state, request)?;
    let account_id = query(request, "account_id")?;
    let account = state
        .accounts
        .iter()
        .find(|a| a.account_id == account_id)
        .ok_or_else(|| {
            ApiError::portal(
                "ResourceNotFoundException",
                "The account could not be found",
            )
        })?;
    let list = format!("roles/{account_id}");
    let (start, end, next) = page(state, request, &list, account.roles.len())?;
    let roles: Vec<Value> = account.roles[start..end]
        .iter()
        .map(|r| json!({ "roleName": r, "accountId": account.account_id }))
        .collect();
    Ok(with_next(json!({ "roleList": roles }), next))
}

/// `GET /federation/credentials`.
pub(crate) fn get_role_credentials(state: &mut State, request: &Request) -> Answer {
    session(state, request)?;
    let role_name = query(request, "role_name")?;
    let account_id = query(request, "account_id")?;
    let assigned = state
        .accounts
        .iter()
        .any(|a| a.account_id == account_id && a.roles.iter().any(|r| r == role_name));
    if !assigned {
        return Err(ApiError::portal("ForbiddenException", "No access"));
    }
    let key_digits: String = state.secret("")[..16].to_ascii_uppercase();
    // 40 characters, like a real secret access key.
    let secret = state.secret("FakeSsoSecret-")[..40].to_owned();
    let token = state.secret("FakeSsoSession-");
    let expiration = state.now_millis() + state.settings.credential_lifetime * 1000;
    Ok(json!({
        "roleCredentials": {
            "accessKeyId": format!("ASIA{key_digits}"),
            "secretAccessKey": secret,
            "sessionToken": token,
            "expiration": expiration,
        }
    }))
}

/// `POST /logout`: ends the token's session, its refresh token included.
pub(crate) fn logout(state: &mut State, request: &Request) -> Answer {
    let session = session(state, request)?;
    state.end_session(session);
    Ok(Value::Null)
}
