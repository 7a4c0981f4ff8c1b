//! Sign-in by device code (RFC 8628): a page and a code the user confirms in any browser.

use std::time::Duration;

use lanyard_core::credentials::rfc3339;
use lanyard_core::prompt::{DeviceCode, Prompt, UrlPurpose};
use lanyard_core::sso::CachedToken;
use lanyard_core::{Error, ErrorKind, Secret, Workspace};

use super::{
    issued_token, oidc_client, reusable_registration, runtime, service_error, SignIn,
    DEFAULT_SCOPE, DEVICE_GRANT, REFRESH_GRANT,
};

/// Signs in by device code: registers a client (or reuses the cached registration), shows
/// the code, opens the page, and polls at the server's interval (5 s more on SlowDown).
pub(super) fn device_sign_in(
    ws: &Workspace,
    sign_in: &SignIn,
    cached: Option<&CachedToken>,
    prompt: &dyn Prompt,
) -> Result<CachedToken, Error> {
    let client = oidc_client(ws, sign_in)?;
    let rt = runtime()?;
    let now = ws.clock().now();
    let registration = reusable_registration(cached, now, DEVICE_GRANT);
    let (client_id, client_secret, registration_expires) = match registration {
        Some(t) => (
            t.client_id.clone().unwrap_or_default(),
            t.client_secret.clone().unwrap_or_else(|| Secret::new("")),
            t.registration_expires_at.clone(),
        ),
        None => {
            let scopes = if sign_in.scopes.is_empty() {
                vec![DEFAULT_SCOPE.to_owned()]
            } else {
                sign_in.scopes.clone()
            };
            let mut request = client
                .register_client()
                .client_name(format!("lanyard-{now}"))
                .client_type("public");
            if sign_in.session.is_some() {
                request = request
                    .set_scopes(Some(scopes))
                    .grant_types(DEVICE_GRANT)
                    .grant_types(REFRESH_GRANT);
            }
            let output = rt
                .block_on(request.send())
                .map_err(|e| service_error("register Lanyard as a client", e).1)?;
            (
                output.client_id().unwrap_or_default().to_owned(),
                Secret::new(output.client_secret().unwrap_or_default()),
                Some(rfc3339(output.client_secret_expires_at())),
            )
        }
    };
    let authorization = rt
        .block_on(
            client
                .start_device_authorization()
                .client_id(&client_id)
                .client_secret(client_secret.expose())
                .start_url(&sign_in.start_url)
                .send(),
        )
        .map_err(|e| service_error("start a sign-in", e).1)?;
    let expires_at = now + i64::from(authorization.expires_in());
    let code = DeviceCode {
        verification_uri: authorization
            .verification_uri()
            .unwrap_or_default()
            .to_owned(),
        verification_uri_complete: authorization.verification_uri_complete().map(str::to_owned),
        user_code: authorization.user_code().unwrap_or_default().to_owned(),
        expires_at,
    };
    prompt.show_device_code(&code)?;
    let page = code
        .verification_uri_complete
        .as_deref()
        .unwrap_or(&code.verification_uri);
    let _ = prompt.open_url(page, UrlPurpose::SignIn);
    let device_code = authorization.device_code().unwrap_or_default().to_owned();
    let mut interval =
        Duration::from_secs(u64::try_from(authorization.interval()).unwrap_or(5).max(1));
    if let Some(fast) = ws
        .env()
        .get("LANYARD_SSO_POLL_MS")
        .and_then(|v| v.parse().ok())
    {
        interval = Duration::from_millis(fast);
    }
    loop {
        if ws.clock().now() > expires_at {
            return Err(Error::new(
                ErrorKind::Invalid,
                "the sign-in code expired before it was approved",
            )
            .fix("run `lanyard login` again and approve the code in the browser"));
        }
        let reply = rt.block_on(
            client
                .create_token()
                .client_id(&client_id)
                .client_secret(client_secret.expose())
                .grant_type(DEVICE_GRANT)
                .device_code(&device_code)
                .send(),
        );
        match reply {
            Ok(output) => {
                let now = ws.clock().now();
                return Ok(issued_token(
                    sign_in,
                    &output,
                    client_id,
                    client_secret,
                    registration_expires,
                    [DEVICE_GRANT, REFRESH_GRANT],
                    now,
                ));
            }
            Err(error) => {
                let (code, error) = service_error("sign in", error);
                match code.as_deref() {
                    Some("AuthorizationPendingException") => {}
                    Some("SlowDownException") => interval += Duration::from_secs(5),
                    Some("ExpiredTokenException") => {
                        return Err(Error::new(
                            ErrorKind::Invalid,
                            "the sign-in code expired before it was approved",
                        )
                        .fix("run `lanyard login` again and approve the code in the browser"))
                    }
                    Some("AccessDeniedException") => {
                        return Err(Error::new(
                            ErrorKind::Invalid,
                            "the sign-in was denied in the browser",
                        )
                        .fix("run `lanyard login` again and allow the request"))
                    }
                    _ => return Err(error),
                }
            }
        }
        std::thread::sleep(interval);
    }
}
