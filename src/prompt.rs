//! The terminal as the core's [`Prompt`]: MFA codes and keys are asked on the controlling
//! terminal (`/dev/tty`), never on standard input, which belongs to the SDK that runs
//! `credential_process`; secrets are typed hidden.

use std::io::{BufRead, IsTerminal, Write};

use lanyard_core::prompt::{DeviceCode, MfaRequest, Prompt, UrlPurpose};
use lanyard_core::vault::AccessKey;
use lanyard_core::{Error, ErrorKind, Secret};

/// Asks on the terminal.
pub struct Terminal;

fn no_terminal(what: &str) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("{what} is needed and there is no terminal to ask on"),
    )
}

fn ask_tty(question: &str, hidden: bool) -> Result<Secret, Error> {
    if hidden {
        return rpassword::prompt_password(question)
            .map(|v| Secret::new(v.trim()))
            .map_err(|_| no_terminal("an answer"));
    }
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_terminal("an answer"))?;
    let mut writer = &tty;
    write!(writer, "{question}").map_err(|_| no_terminal("an answer"))?;
    let mut line = String::new();
    std::io::BufReader::new(&tty)
        .read_line(&mut line)
        .map_err(|_| no_terminal("an answer"))?;
    Ok(Secret::new(line.trim()))
}

impl Prompt for Terminal {
    fn mfa_code(&self, request: &MfaRequest) -> Result<Secret, Error> {
        ask_tty(&format!("MFA code for {}: ", request.serial), false).map_err(|_| {
            no_terminal(&format!("an MFA code for {}", request.serial)).fix(format!(
                "run `lanyard export {}` once in a terminal: the role credentials are then cached",
                request.profile
            ))
        })
    }

    fn access_key(&self, profile: &str) -> Result<AccessKey, Error> {
        if !std::io::stdin().is_terminal() {
            return Err(no_terminal(&format!("the key of `{profile}`")).fix(
                "pass --stdin and write the access key id and the secret on standard input, one a line",
            ));
        }
        let id = ask_tty("AWS access key id: ", false)?;
        let secret = ask_tty("AWS secret access key: ", true)?;
        let token = ask_tty("AWS session token (empty for none): ", true)?;
        Ok(AccessKey {
            access_key_id: id.expose().to_owned(),
            secret_access_key: secret,
            session_token: (!token.expose().is_empty()).then_some(token),
        })
    }

    fn open_url(&self, url: &str, _purpose: UrlPurpose) -> Result<bool, Error> {
        Ok(crate::browser::open(url))
    }

    fn show_device_code(&self, code: &DeviceCode) -> Result<(), Error> {
        let page = code
            .verification_uri_complete
            .as_deref()
            .unwrap_or(&code.verification_uri);
        crate::output::note(&format!(
            "to sign in, open {page} and check that it shows the code {}",
            code.user_code
        ));
        Ok(())
    }

    fn can_open_url(&self) -> bool {
        crate::browser::available()
    }

    fn can_sign_in(&self) -> bool {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
    }
}

/// Reads a key from standard input, one value a line: the key id, the secret, an optional
/// session token (for `vault add --stdin`).
pub fn key_from_stdin() -> Result<AccessKey, Error> {
    let stdin = std::io::stdin();
    let mut lines = Vec::new();
    for line in stdin.lock().lines().take(3) {
        let line = line.map_err(|e| {
            Error::new(
                ErrorKind::Invalid,
                format!("cannot read standard input: {e}"),
            )
        })?;
        lines.push(Secret::new(line.trim()));
    }
    let mut lines = lines.into_iter();
    let (Some(id), Some(secret)) = (lines.next(), lines.next()) else {
        return Err(Error::new(
            ErrorKind::Invalid,
            "expected the access key id and the secret access key, one a line",
        )
        .fix("printf '%s\\n' \"$KEY_ID\" \"$SECRET\" | lanyard vault add NAME --stdin"));
    };
    let token = lines.next().filter(|t| !t.expose().is_empty());
    Ok(AccessKey {
        access_key_id: id.expose().to_owned(),
        secret_access_key: secret,
        session_token: token,
    })
}
