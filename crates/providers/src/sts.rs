//! Assuming roles with STS (`aws-sdk-sts`), with time limits and errors in the user's words.
//!
//! A server that accepts the connection and never answers must not hang an SDK's
//! `credential_process` call: every call has a connect, an attempt and an overall time limit
//! (`LANYARD_HTTP_TIMEOUT` seconds overall, 15 by default). Throttling and server errors are
//! retried with the SDK's standard back-off within that time.

use std::time::Duration;

use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use lanyard_core::credentials::Credentials;
use lanyard_core::endpoints::Endpoint;
use lanyard_core::plan::RoleStep;
use lanyard_core::prompt::{check_mfa_code, MfaRequest, Prompt};
use lanyard_core::{Env, Error, ErrorKind, Secret};

/// The time limit of one STS call, from `LANYARD_HTTP_TIMEOUT` (seconds).
pub fn timeout(env: &Env) -> Duration {
    let seconds = env
        .get("LANYARD_HTTP_TIMEOUT")
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(15.0);
    Duration::from_secs_f64(seconds)
}

/// Calls `AssumeRole` for each hop, each with the credentials of the one before. `now` is
/// the clock's time, to refuse credentials that come back already expired.
pub fn assume_chain(
    base: Credentials,
    roles: &[RoleStep],
    sts: &Endpoint,
    limit: Duration,
    prompt: &dyn Prompt,
    now: i64,
) -> Result<Credentials, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot start the network runtime: {e}"),
            )
        })?;
    let mut credentials = base;
    for role in roles {
        let code = match &role.mfa_serial {
            Some(serial) => {
                let code = prompt.mfa_code(&MfaRequest {
                    profile: role.profile.clone(),
                    serial: serial.clone(),
                })?;
                check_mfa_code(&code)?;
                Some(code)
            }
            None => None,
        };
        credentials = runtime.block_on(assume_one(&credentials, role, sts, limit, code, now))?;
        if credentials.expiration.is_some_and(|e| e <= now) {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!(
                    "STS gave credentials for {} that had already expired",
                    role.role_arn
                ),
            )
            .fix("check this computer's clock (and the STS endpoint's), then try again"));
        }
    }
    Ok(credentials)
}

async fn assume_one(
    from: &Credentials,
    role: &RoleStep,
    sts: &Endpoint,
    limit: Duration,
    mfa_code: Option<Secret>,
    now: i64,
) -> Result<Credentials, Error> {
    let provider = aws_credential_types::Credentials::new(
        from.access_key_id.clone(),
        from.secret_access_key.expose().to_owned(),
        from.session_token.as_ref().map(|t| t.expose().to_owned()),
        None,
        "lanyard",
    );
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(limit.min(Duration::from_secs(5)))
        .operation_attempt_timeout(limit / 2)
        .operation_timeout(limit)
        .build();
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(sts.region.clone()))
        .credentials_provider(provider)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(url) = &sts.url {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_sts::Client::from_conf(config.build());
    let session_name = role
        .role_session_name
        .clone()
        .unwrap_or_else(|| format!("lanyard-{now}"));
    let mut request = client
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(session_name)
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration_seconds);
    if let (Some(serial), Some(code)) = (&role.mfa_serial, mfa_code) {
        request = request
            .serial_number(serial)
            .token_code(code.expose().to_owned());
    }
    let output = request
        .send()
        .await
        .map_err(|error| sts_error(role, sts, limit, error))?;
    let issued = output.credentials().ok_or_else(|| {
        Error::new(
            ErrorKind::Invalid,
            format!("STS gave no credentials for {}", role.role_arn),
        )
        .fix("try again")
    })?;
    let account_id = output
        .assumed_role_user()
        .and_then(|u| u.arn().split(':').nth(4))
        .map(str::to_owned);
    Ok(Credentials {
        access_key_id: issued.access_key_id().to_owned(),
        secret_access_key: Secret::new(issued.secret_access_key()),
        session_token: Some(Secret::new(issued.session_token())),
        expiration: Some(issued.expiration().secs()),
        account_id,
    })
}

/// An STS failure in the user's words: what happened, to which role, and what to do. Never
/// the SDK's debug structures.
fn sts_error<E>(
    role: &RoleStep,
    sts: &Endpoint,
    limit: Duration,
    error: aws_sdk_sts::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> Error
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sts::error::SdkError;
    let target = sts
        .url
        .clone()
        .unwrap_or_else(|| format!("STS in {}", sts.region));
    let what = format!("assume {} (profile `{}`)", role.role_arn, role.profile);
    match &error {
        SdkError::TimeoutError(_) => Error::new(
            ErrorKind::Io,
            format!(
                "{target} did not answer within {} s; cannot {what}",
                limit.as_secs_f64()
            ),
        )
        .fix("check the network and the endpoint_url / AWS_ENDPOINT_URL_STS setting; LANYARD_HTTP_TIMEOUT gives it longer"),
        SdkError::DispatchFailure(_) => Error::new(
            ErrorKind::Io,
            format!("cannot reach {target} to {what}"),
        )
        .fix("check the network, or the endpoint_url / AWS_ENDPOINT_URL_STS setting"),
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or("");
            let message = service.err().message().unwrap_or("").trim().to_owned();
            if status >= 500 || code.is_empty() {
                return Error::new(
                    ErrorKind::Io,
                    format!(
                        "{target} failed to {what}: HTTP {status}{}",
                        if code.is_empty() { String::new() } else { format!(" ({code})") }
                    ),
                )
                .fix(if status >= 500 {
                    "STS had a problem of its own: try again in a minute"
                } else {
                    "check that endpoint_url / AWS_ENDPOINT_URL_STS points at STS"
                });
            }
            let detail = if message.is_empty() {
                code.to_owned()
            } else {
                format!("{code}: {message}")
            };
            let fix = match code {
                "AccessDenied" if message.contains("MultiFactorAuthentication") || role.mfa_serial.is_some() => {
                    "check the MFA code (a fresh one from your device) and the role's trust policy".to_owned()
                }
                "AccessDenied" => format!(
                    "check that the role's trust policy allows the source credentials{}",
                    if role.external_id.is_some() { " and that external_id matches its sts:ExternalId condition" } else { "" }
                ),
                "ExpiredToken" | "ExpiredTokenException" => "the source credentials have expired: refresh them (a new session token or sign-in)".to_owned(),
                "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
                    "the source access key is wrong or was deleted: store a working key with `lanyard vault add NAME --force`".to_owned()
                }
                "RegionDisabledException" => format!("activate STS in {} (IAM console, account settings), or set another region", sts.region),
                "ValidationError" => "check duration_seconds (900 up to the role's maximum), role_session_name and external_id".to_owned(),
                "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => "STS is throttling requests: wait a minute and try again".to_owned(),
                _ => "try again; `lanyard explain NAME` shows the chain".to_owned(),
            };
            Error::new(ErrorKind::Invalid, format!("STS refused to {what}: {detail}")).fix(fix)
        }
        SdkError::ResponseError(_) => Error::new(
            ErrorKind::Io,
            format!("{target} answered with something that is not an STS response; cannot {what}"),
        )
        .fix("check that endpoint_url / AWS_ENDPOINT_URL_STS points at STS"),
        _ => Error::new(ErrorKind::Io, format!("cannot {what}: the request to {target} failed"))
            .fix("try again"),
    }
}
