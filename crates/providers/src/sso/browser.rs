//! Sign-in in the browser on this machine: OAuth 2.0 authorization code with PKCE (RFC 7636),
//! the answer taken by a one-shot listener on 127.0.0.1 (RFC 8252).
//!
//! Lanyard registers a client for the authorization-code grant with a loopback redirect URI,
//! opens the authorize page with a fresh `state` and the S256 challenge of a random verifier,
//! and waits on `127.0.0.1:<random port>/oauth/callback` for the browser to come back. A
//! request with another `state`, another path, or an error is answered with a page saying so
//! and does not end the wait (a stray or forged request cannot abort a sign-in); the code is
//! then exchanged with the verifier. When no browser can open here, the caller falls back to
//! a device code.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use base64::Engine;
use lanyard_core::credentials::rfc3339;
use lanyard_core::prompt::{Prompt, UrlPurpose};
use lanyard_core::sso::CachedToken;
use lanyard_core::{Error, ErrorKind, Secret, Workspace};
use sha2::Digest;

use super::{
    endpoint, issued_token, oidc_client, reusable_registration, runtime, service_error, SignIn,
    DEFAULT_SCOPE, REFRESH_GRANT,
};

const CODE_GRANT: &str = "authorization_code";
const CALLBACK: &str = "/oauth/callback";

fn random_text(bytes: usize) -> Result<String, Error> {
    let mut buffer = vec![0u8; bytes];
    getrandom::getrandom(&mut buffer).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("the system gave no random bytes: {e}"),
        )
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer))
}

fn percent(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unpercent(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query of a request line `GET /path?query HTTP/1.1`, if its path is `path`.
fn query_of(request_line: &str, path: &str) -> Option<Vec<(String, String)>> {
    let target = request_line.strip_prefix("GET ")?.split(' ').next()?;
    let (p, query) = target.split_once('?').unwrap_or((target, ""));
    (p == path).then(|| {
        query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (unpercent(k), unpercent(v))
            })
            .collect()
    })
}

fn answer(stream: &mut std::net::TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><meta charset=utf-8><title>Lanyard</title><p>{text}</p>");
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Signs in through the browser; `Ok(None)` when no browser can open here.
pub(super) fn browser_sign_in(
    ws: &Workspace,
    sign_in: &SignIn,
    cached: Option<&CachedToken>,
    prompt: &dyn Prompt,
) -> Result<Option<CachedToken>, Error> {
    // Only an sso-session can register for the authorization-code grant (it has scopes).
    if sign_in.session.is_none() || !prompt.can_open_url() {
        return Ok(None);
    }
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot listen on 127.0.0.1 for the sign-in: {e}"),
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot listen on 127.0.0.1: {e}")))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}{CALLBACK}");
    let client = oidc_client(ws, sign_in)?;
    let rt = runtime()?;
    let now = ws.clock().now();
    let registration = reusable_registration(cached, now, CODE_GRANT);
    let scopes = if sign_in.scopes.is_empty() {
        vec![DEFAULT_SCOPE.to_owned()]
    } else {
        sign_in.scopes.clone()
    };
    let (client_id, client_secret, registration_expires) = match registration {
        Some(t) => (
            t.client_id.clone().unwrap_or_default(),
            t.client_secret.clone().unwrap_or_else(|| Secret::new("")),
            t.registration_expires_at.clone(),
        ),
        None => {
            let output = rt
                .block_on(
                    client
                        .register_client()
                        .client_name(format!("lanyard-{now}"))
                        .client_type("public")
                        .set_scopes(Some(scopes.clone()))
                        .grant_types(CODE_GRANT)
                        .grant_types(REFRESH_GRANT)
                        // Loopback redirects match on any port (RFC 8252 §7.3).
                        .redirect_uris(format!("http://127.0.0.1{CALLBACK}"))
                        .issuer_url(&sign_in.start_url)
                        .send(),
                )
                .map_err(|e| service_error("register Lanyard as a client", e).1)?;
            (
                output.client_id().unwrap_or_default().to_owned(),
                Secret::new(output.client_secret().unwrap_or_default()),
                Some(rfc3339(output.client_secret_expires_at())),
            )
        }
    };
    let verifier = Secret::new(random_text(48)?);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.expose().as_bytes()));
    let state = random_text(24)?;
    let oidc = endpoint(
        ws,
        lanyard_core::endpoints::Service::SSO_OIDC,
        sign_in,
        None,
    )?;
    let base = oidc
        .url
        .unwrap_or_else(|| format!("https://oidc.{}.amazonaws.com", sign_in.region));
    let url = format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri={}&state={}&code_challenge_method=S256&scopes={}&code_challenge={}",
        base.trim_end_matches('/'),
        percent(&client_id),
        percent(&redirect_uri),
        percent(&state),
        percent(&scopes.join(" ")),
        percent(&challenge),
    );
    if !prompt.open_url(&url, UrlPurpose::SignIn)? {
        return Ok(None);
    }
    let wait = ws
        .env()
        .get("LANYARD_SSO_BROWSER_WAIT")
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(600));
    let code = await_code(&listener, &state, wait)?;
    let output = rt
        .block_on(
            client
                .create_token()
                .client_id(&client_id)
                .client_secret(client_secret.expose())
                .grant_type(CODE_GRANT)
                .code(code.expose())
                .code_verifier(verifier.expose())
                .redirect_uri(&redirect_uri)
                .send(),
        )
        .map_err(|e| service_error("finish the sign-in", e).1)?;
    let now = ws.clock().now();
    Ok(Some(issued_token(
        sign_in,
        &output,
        client_id,
        client_secret,
        registration_expires,
        [CODE_GRANT, REFRESH_GRANT],
        now,
    )))
}

/// Waits for the browser to come back with the code for `state`.
fn await_code(listener: &TcpListener, state: &str, wait: Duration) -> Result<Secret, Error> {
    let deadline = Instant::now() + wait;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot wait for the browser: {e}")))?;
    loop {
        if Instant::now() > deadline {
            return Err(Error::new(ErrorKind::Invalid, "the browser did not come back with a sign-in")
                .fix("run `lanyard login` again, or `lanyard login --device-code` to sign in with a code"));
        }
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            Err(e) => {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("cannot wait for the browser: {e}"),
                ))
            }
        };
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut line = String::new();
        if BufReader::new(&stream).read_line(&mut line).is_err() {
            continue;
        }
        let Some(query) = query_of(line.trim_end(), CALLBACK) else {
            answer(&mut stream, "404 Not Found", "Nothing here.");
            continue;
        };
        let get = |key: &str| {
            query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        if get("state") != Some(state) {
            answer(
                &mut stream,
                "400 Bad Request",
                "This sign-in was not started here: its state does not match. Nothing was changed.",
            );
            continue;
        }
        if let Some(error) = get("error") {
            answer(
                &mut stream,
                "400 Bad Request",
                "The sign-in was not completed. You can close this page.",
            );
            let description = get("error_description").unwrap_or("");
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("the sign-in was refused: {error} {description}")
                    .trim_end()
                    .to_owned(),
            )
            .fix("run `lanyard login` again and allow the request"));
        }
        let Some(code) = get("code").filter(|c| !c.is_empty()) else {
            answer(
                &mut stream,
                "400 Bad Request",
                "The sign-in answer had no code.",
            );
            continue;
        };
        answer(
            &mut stream,
            "200 OK",
            "Signed in to Lanyard. You can close this page.",
        );
        return Ok(Secret::new(code));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_query_is_decoded_and_other_paths_refused() {
        let query = query_of(
            "GET /oauth/callback?code=a%2Bb&state=s%20t HTTP/1.1",
            CALLBACK,
        )
        .unwrap();
        assert_eq!(
            query,
            [
                ("code".into(), "a+b".into()),
                ("state".into(), "s t".into())
            ]
        );
        assert!(query_of("GET /favicon.ico HTTP/1.1", CALLBACK).is_none());
        assert!(query_of("POST /oauth/callback HTTP/1.1", CALLBACK).is_none());
        assert_eq!(percent("a b/c"), "a%20b%2Fc");
        assert_eq!(unpercent("%zz%"), "%zz%");
        assert_eq!(
            unpercent("%é%41"),
            "%éA",
            "no panic inside a multi-byte character"
        );
    }
}
