//! The portal of IAM Identity Center: every account a signed-in user may use, and the roles
//! in each (`ListAccounts`, `ListAccountRoles`, both paged).
//!
//! Large organisations have thousands of accounts, and each needs its own `ListAccountRoles`,
//! so the role lists are fetched concurrently: [`IN_FLIGHT`] requests at a time on one
//! current-thread runtime, which stays within the portal's rate limit in practice. Throttling
//! (`TooManyRequestsException`) and server errors (5xx) are retried by Lanyard, not the SDK,
//! with exponential backoff and full jitter, [`ATTEMPTS`] times at most: the SDK's retry quota
//! is shared by all requests of a client and runs dry in a burst of throttles, which would fail
//! a whole listing for one busy second.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use aws_sdk_sso::config::retry::RetryConfig;
use aws_sdk_sso::config::{BehaviorVersion, Region};
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::timeout::TimeoutConfig;
use lanyard_core::endpoints::{self, Service};
use lanyard_core::sso::{Account, Accounts, CachedToken};
use lanyard_core::{Error, ErrorKind, Workspace};

use crate::sso::SignIn;

/// Role lists fetched at once.
pub const IN_FLIGHT: usize = 12;
/// The most attempts of one request.
pub const ATTEMPTS: u32 = 8;
/// The first backoff; each retry doubles it, up to [`MAX_BACKOFF`].
const BASE_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// The most items a page may hold (the portal's `MaxResultType`).
const PAGE: i32 = 100;

/// Every account `token` gives access to, with its roles, sorted (see [`Accounts::new`]).
pub fn accounts(ws: &Workspace, sign_in: &SignIn, token: &CachedToken) -> Result<Accounts, Error> {
    let client = client(ws, sign_in)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot start the network runtime: {e}"),
            )
        })?;
    let label = sign_in
        .session
        .clone()
        .unwrap_or_else(|| sign_in.start_url.clone());
    let access = token.access_token.expose().to_owned();
    let list = rt.block_on(async {
        let mut accounts = list_accounts(&client, sign_in, &access).await?;
        let roles = list_roles(&client, sign_in, &access, &accounts).await?;
        for (account, roles) in accounts.iter_mut().zip(roles) {
            account.roles = roles;
        }
        Ok::<_, Error>(accounts)
    })?;
    Ok(Accounts::new(label, list))
}

fn client(ws: &Workspace, sign_in: &SignIn) -> Result<aws_sdk_sso::Client, Error> {
    let set = ws.files().load_profiles()?;
    let url = endpoints::configured_url(Service::SSO, None, set.sections(), ws.env());
    let limit = crate::sts::timeout(ws.env());
    let mut config = aws_sdk_sso::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(sign_in.region.clone()))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(limit.min(Duration::from_secs(5)))
                .operation_attempt_timeout(limit / 2)
                .operation_timeout(limit)
                .build(),
        );
    if let Some(url) = &url {
        config = config.endpoint_url(url);
    }
    Ok(aws_sdk_sso::Client::from_conf(config.build()))
}

async fn list_accounts(
    client: &aws_sdk_sso::Client,
    sign_in: &SignIn,
    access: &str,
) -> Result<Vec<Account>, Error> {
    let mut accounts = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = retried(sign_in, "list the accounts", || {
            client
                .list_accounts()
                .access_token(access)
                .max_results(PAGE)
                .set_next_token(next.clone())
                .send()
        })
        .await?;
        accounts.extend(page.account_list().iter().map(|a| Account {
            id: a.account_id().unwrap_or_default().to_owned(),
            name: a.account_name().unwrap_or_default().to_owned(),
            email: a.email_address().unwrap_or_default().to_owned(),
            roles: Vec::new(),
        }));
        match page.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => return Ok(accounts),
        }
    }
}

/// The roles of each account, in the accounts' order, [`IN_FLIGHT`] accounts at a time.
async fn list_roles(
    client: &aws_sdk_sso::Client,
    sign_in: &SignIn,
    access: &str,
    accounts: &[Account],
) -> Result<Vec<Vec<String>>, Error> {
    // Workers on one thread take the next account in turn; no locks needed.
    let next = Rc::new(Cell::new(0usize));
    let worker = |next: Rc<Cell<usize>>| async move {
        let mut done = Vec::new();
        loop {
            let at = next.get();
            if at >= accounts.len() {
                return Ok::<_, Error>(done);
            }
            next.set(at + 1);
            done.push((
                at,
                account_roles(client, sign_in, access, &accounts[at].id).await?,
            ));
        }
    };
    let workers: Vec<_> = (0..IN_FLIGHT.min(accounts.len().max(1)))
        .map(|_| worker(next.clone()))
        .collect();
    let mut roles = vec![Vec::new(); accounts.len()];
    for finished in join_all(workers).await {
        for (at, list) in finished? {
            roles[at] = list;
        }
    }
    Ok(roles)
}

/// Polls every future in turn until all are done (they run on the current thread).
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

async fn account_roles(
    client: &aws_sdk_sso::Client,
    sign_in: &SignIn,
    access: &str,
    account_id: &str,
) -> Result<Vec<String>, Error> {
    let mut roles = Vec::new();
    let mut next: Option<String> = None;
    let what = format!("list the roles of account {account_id}");
    loop {
        let page = retried(sign_in, &what, || {
            client
                .list_account_roles()
                .access_token(access)
                .account_id(account_id)
                .max_results(PAGE)
                .set_next_token(next.clone())
                .send()
        })
        .await?;
        roles.extend(
            page.role_list()
                .iter()
                .filter_map(|r| r.role_name().map(str::to_owned)),
        );
        match page.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => return Ok(roles),
        }
    }
}

/// Sends a request, retrying throttling and server errors with backoff; other errors are
/// translated at once.
async fn retried<T, E, R, F, Fut>(sign_in: &SignIn, what: &str, mut send: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: HttpStatus,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let error = match send().await {
            Ok(output) => return Ok(output),
            Err(error) => error,
        };
        let retry = match &error {
            SdkError::ServiceError(s) => {
                s.err().code() == Some("TooManyRequestsException") || s.raw().status() >= 500
            }
            SdkError::ResponseError(e) => e.raw().status() >= 500,
            _ => false,
        };
        if !retry || attempt >= ATTEMPTS {
            return Err(portal_error(sign_in, what, &error, attempt));
        }
        tokio::time::sleep(backoff(attempt)).await;
    }
}

/// The status of a raw HTTP response, whatever the SDK's response type.
pub trait HttpStatus {
    /// The HTTP status code.
    fn status(&self) -> u16;
}

impl HttpStatus for aws_smithy_runtime_api::http::Response {
    fn status(&self) -> u16 {
        self.status().as_u16()
    }
}

/// Full jitter: a random time up to `BASE_BACKOFF * 2^(attempt-1)`, capped.
fn backoff(attempt: u32) -> Duration {
    let ceiling = BASE_BACKOFF
        .saturating_mul(1 << (attempt - 1).min(16))
        .min(MAX_BACKOFF);
    ceiling.mul_f64(jitter())
}

/// A number in [0.25, 1): enough randomness that concurrent retries spread out.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    0.25 + (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64 * 0.75
}

fn portal_error<E, R>(sign_in: &SignIn, what: &str, error: &SdkError<E, R>, attempts: u32) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: HttpStatus,
{
    let login = format!(
        "sign in again: `lanyard login {}`",
        sign_in.session.as_deref().unwrap_or("PROFILE")
    );
    match error {
        SdkError::ServiceError(s) => {
            let code = s.err().code().unwrap_or("").to_owned();
            let fix = match code.as_str() {
                "UnauthorizedException" => login,
                "TooManyRequestsException" => format!(
                    "IAM Identity Center kept throttling after {attempts} attempts: wait a minute and try again"
                ),
                _ if s.raw().status() >= 500 => format!(
                    "IAM Identity Center kept failing after {attempts} attempts: try again later"
                ),
                _ => "check the start URL and region of the session".to_owned(),
            };
            Error::new(
                ErrorKind::Invalid,
                format!("IAM Identity Center refused to {what}: {code}"),
            )
            .fix(fix)
        }
        SdkError::TimeoutError(_) => Error::new(
            ErrorKind::Io,
            format!("IAM Identity Center did not answer in time; cannot {what}"),
        )
        .fix("check the network, or AWS_ENDPOINT_URL_SSO; LANYARD_HTTP_TIMEOUT gives it longer"),
        SdkError::ResponseError(e) if e.raw().status() >= 500 => Error::new(
            ErrorKind::Io,
            format!(
                "IAM Identity Center failed to {what} (HTTP {})",
                e.raw().status()
            ),
        )
        .fix(format!(
            "it kept failing after {attempts} attempts: try again later"
        )),
        _ => Error::new(
            ErrorKind::Io,
            format!("cannot reach IAM Identity Center to {what}"),
        )
        .fix("check the network, or AWS_ENDPOINT_URL_SSO"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_its_cap() {
        for attempt in 1..=ATTEMPTS {
            let ceiling = BASE_BACKOFF
                .saturating_mul(1 << (attempt - 1))
                .min(MAX_BACKOFF);
            let wait = backoff(attempt);
            assert!(
                wait <= ceiling && wait >= ceiling / 4,
                "{attempt}: {wait:?}"
            );
        }
    }
}
