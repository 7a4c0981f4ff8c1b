//! The server side: accepting connections, routing each request to its operation, serving
//! injected faults, and the browser's pages (`/authorize` and the device verification page).

use std::io::{self, BufReader};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use super::error::ApiError;
use super::http::{self, percent_encode, Request, Response};
use super::state::{Call, Decision, Fault, Operation, WaitingAuthorization};
use super::{oidc, portal, Shared, AUTHORIZE_WAIT};

pub(crate) fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        next_id += 1;
        let id = next_id;
        if let Ok(clone) = stream.try_clone() {
            let mut connections = shared.connections.lock().unwrap_or_else(|e| e.into_inner());
            connections.insert(id, clone);
        }
        let shared = Arc::clone(&shared);
        let _ = std::thread::Builder::new()
            .name("fake-sso-connection".into())
            .spawn(move || {
                let _ = serve(&stream, &shared);
                let mut connections = shared.connections.lock().unwrap_or_else(|e| e.into_inner());
                connections.remove(&id);
            });
    }
}

fn serve(stream: &TcpStream, shared: &Shared) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream.try_clone()?;
    while let Some(request) = http::read_request(&mut reader, &mut writer)? {
        let response = handle(shared, &request);
        let close = request.close || shared.stopping.load(Ordering::SeqCst);
        http::write_response(&mut writer, &response, close)?;
        if close {
            break;
        }
    }
    Ok(())
}

fn route(method: &str, path: &str) -> Option<Result<Operation, ()>> {
    let operation = match path {
        "/client/register" => Operation::RegisterClient,
        "/device_authorization" => Operation::StartDeviceAuthorization,
        "/token" => Operation::CreateToken,
        "/authorize" => Operation::Authorize,
        "/assignment/accounts" => Operation::ListAccounts,
        "/assignment/roles" => Operation::ListAccountRoles,
        "/federation/credentials" => Operation::GetRoleCredentials,
        "/logout" => Operation::Logout,
        _ => return None,
    };
    let expected = match operation {
        Operation::Authorize
        | Operation::ListAccounts
        | Operation::ListAccountRoles
        | Operation::GetRoleCredentials => "GET",
        _ => "POST",
    };
    Some(if method == expected {
        Ok(operation)
    } else {
        Err(())
    })
}

fn handle(shared: &Shared, request: &Request) -> Response {
    let request_id = shared.lock().secret("")[..32].to_owned();
    let operation = match route(&request.method, &request.path) {
        Some(Ok(operation)) => operation,
        Some(Err(())) => {
            return ApiError::other(405, "MethodNotAllowedException", "Method not allowed")
                .response(&request_id)
        }
        None if request.path == "/device" && request.method == "GET" => {
            return device_page(shared, request)
        }
        // For benchmarks that run the fake as a process: how often each operation was
        // called (not an AWS API; nothing secret in it).
        None if request.path == "/_fake/counts" && request.method == "GET" => {
            let state = shared.lock();
            let mut counts = serde_json::Map::new();
            for call in &state.calls {
                let entry = counts
                    .entry(call.operation.name().to_owned())
                    .or_insert(Value::from(0));
                *entry = Value::from(entry.as_u64().unwrap_or(0) + 1);
            }
            return Response::json(200, &Value::Object(counts));
        }
        None => {
            return ApiError::other(404, "UnknownOperationException", "Not found")
                .response(&request_id)
        }
    };
    let body: Value = if request.body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&request.body).unwrap_or(Value::Null)
    };
    let response = answer(shared, request, operation, &body, &request_id);
    shared.lock().calls.push(Call {
        operation,
        status: response.status,
        query: request.query.clone(),
        body,
    });
    response
}

fn answer(
    shared: &Shared,
    request: &Request,
    operation: Operation,
    body: &Value,
    request_id: &str,
) -> Response {
    let fault = shared.lock().take_fault(operation);
    let failure = match fault {
        None => None,
        Some(Fault::Slow(delay)) => {
            std::thread::sleep(delay);
            None
        }
        Some(Fault::TooManyRequests) if operation.is_oidc() => Some(ApiError::other(
            429,
            "TooManyRequestsException",
            "Rate exceeded",
        )),
        Some(Fault::TooManyRequests) => Some(ApiError::portal(
            "TooManyRequestsException",
            "Rate exceeded",
        )),
        Some(Fault::ServerError(status)) if operation.is_oidc() => {
            Some(ApiError::oidc("InternalServerException", "Internal error").with_status(status))
        }
        Some(Fault::ServerError(status)) => Some(ApiError::other(
            status,
            "InternalServerException",
            "Internal error",
        )),
        Some(Fault::AuthorizationPending) => Some(ApiError::oidc(
            "AuthorizationPendingException",
            "Authorization is still pending",
        )),
        Some(Fault::SlowDown) => Some(ApiError::oidc(
            "SlowDownException",
            "Client is polling too fast",
        )),
    };
    if let Some(failure) = failure {
        return failure.response(request_id);
    }
    if operation == Operation::Authorize {
        return authorize(shared, request);
    }
    if operation.is_oidc() && !request.body.is_empty() && !body.is_object() {
        return ApiError::oidc(
            "InvalidRequestException",
            "The request body is not a JSON object",
        )
        .response(request_id);
    }
    let empty = Value::Object(Default::default());
    let body = if body.is_object() { body } else { &empty };
    let mut state = shared.lock();
    let endpoint = shared.endpoint.as_str();
    let result = match operation {
        Operation::RegisterClient => oidc::register_client(&mut state, body, endpoint),
        Operation::StartDeviceAuthorization => {
            let result = oidc::start_device_authorization(&mut state, body, endpoint);
            shared.changed.notify_all();
            result
        }
        Operation::CreateToken if request.query("aws_iam").is_some() => Err(ApiError::oidc(
            "InvalidRequestException",
            "CreateTokenWithIAM is not served by the fake",
        )),
        Operation::CreateToken => oidc::create_token(&mut state, body),
        Operation::ListAccounts => portal::list_accounts(&state, request),
        Operation::ListAccountRoles => portal::list_account_roles(&state, request),
        Operation::GetRoleCredentials => portal::get_role_credentials(&mut state, request),
        Operation::Logout => portal::logout(&mut state, request),
        Operation::Authorize => unreachable!("answered above"),
    };
    match result {
        Ok(Value::Null) => Response {
            status: 200,
            headers: vec![("x-amzn-requestid".into(), request_id.to_owned())],
            body: Vec::new(),
        },
        Ok(value) => Response::json(200, &value).with_header("x-amzn-requestid", request_id),
        Err(error) => error.response(request_id),
    }
}

/// `GET /authorize`: checks the request, waits for the user's decision unless auto-approve
/// is on, and sends the browser back to the client's redirect URI.
fn authorize(shared: &Shared, request: &Request) -> Response {
    let mut state = shared.lock();
    let checked = match oidc::check_authorize(&state, &request.query) {
        Ok(checked) => checked,
        Err(Ok((code, checked))) => return redirect_back(&checked, &[("error", &code)]),
        Err(Err(message)) => return Response::page(400, &message),
    };
    if !state.settings.auto_approve {
        let id = state.next_id();
        state.waiting.push(WaitingAuthorization {
            id,
            decision: Decision::Pending,
        });
        shared.changed.notify_all();
        let deadline = Instant::now() + AUTHORIZE_WAIT;
        let decision = loop {
            let decision = state
                .waiting
                .iter()
                .find(|w| w.id == id)
                .map(|w| w.decision);
            let left = deadline.checked_duration_since(Instant::now());
            match (decision, left) {
                (Some(Decision::Pending), Some(left))
                    if !shared.stopping.load(Ordering::SeqCst) =>
                {
                    state = shared.wait(state, left);
                }
                (decision, _) => break decision.unwrap_or(Decision::Pending),
            }
        };
        state.waiting.retain(|w| w.id != id);
        match decision {
            Decision::Approved => {}
            Decision::Denied => return redirect_back(&checked, &[("error", "access_denied")]),
            Decision::Pending => return Response::page(408, "Sign-in timed out"),
        }
    }
    let code = oidc::issue_code(&mut state, &checked);
    redirect_back(&checked, &[("code", &code)])
}

fn redirect_back(checked: &oidc::AuthorizeRequest, params: &[(&str, &str)]) -> Response {
    let mut location = checked.redirect_uri.clone();
    let mut separator = if location.contains('?') { '&' } else { '?' };
    let state = checked.state.as_deref().map(|s| ("state", s));
    for (name, value) in params.iter().copied().chain(state) {
        location.push(separator);
        location.push_str(&format!("{name}={}", percent_encode(value)));
        separator = '&';
    }
    Response::redirect(location)
}

/// The device flow's verification page: opening it with a user code approves the code.
fn device_page(shared: &Shared, request: &Request) -> Response {
    let Some(user_code) = request.query("user_code") else {
        return Response::page(200, "Open this page with ?user_code=XXXX-XXXX to approve");
    };
    let mut state = shared.lock();
    let now = state.now();
    let device = state
        .devices
        .iter_mut()
        .find(|d| d.user_code.eq_ignore_ascii_case(user_code) && d.decision == Decision::Pending);
    match device {
        Some(device) if device.expires_at > now => {
            device.decision = Decision::Approved;
            shared.changed.notify_all();
            Response::page(200, "Request approved. You can close this window.")
        }
        _ => Response::page(400, "No sign-in is waiting for this code"),
    }
}
