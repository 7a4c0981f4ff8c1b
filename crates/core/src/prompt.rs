//! What the core asks a person, through whichever shell is in front of them: the terminal
//! for the command line, dialogs for the desktop app. The core never opens `/dev/tty` or a
//! browser itself.

use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;
use crate::vault::AccessKey;

/// A request for an MFA code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MfaRequest {
    /// The profile whose credentials need it.
    pub profile: String,
    /// The MFA device (`mfa_serial`).
    pub serial: String,
}

/// A device-authorization code to show while the user approves a sign-in elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceCode {
    /// The page where the code is entered.
    pub verification_uri: String,
    /// The same page with the code filled in, when the service gives one.
    pub verification_uri_complete: Option<String>,
    /// The code the user types.
    pub user_code: String,
    /// When the code expires, in Unix seconds.
    pub expires_at: i64,
}

/// Why a page is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UrlPurpose {
    /// An IAM Identity Center sign-in.
    SignIn,
    /// The AWS console.
    Console,
}

/// Whoever answers for the user. Every method may fail: a shell with nobody in front of it
/// says so, and the core turns that into an error with the command to run by hand.
pub trait Prompt: Send + Sync {
    /// The current code of an MFA device.
    fn mfa_code(&self, request: &MfaRequest) -> Result<Secret, Error>;
    /// An access key typed or pasted for `profile`.
    fn access_key(&self, profile: &str) -> Result<AccessKey, Error>;
    /// Opens `url` in the user's browser; `Ok(false)` when no browser can open here.
    fn open_url(&self, url: &str, purpose: UrlPurpose) -> Result<bool, Error>;
    /// Shows a device code while the sign-in waits for the user.
    fn show_device_code(&self, code: &DeviceCode) -> Result<(), Error>;
    /// Whether a browser can open pages here (checked before a browser sign-in is started, so
    /// that none is registered in vain).
    fn can_open_url(&self) -> bool {
        false
    }
    /// Whether a person is there to sign in (a terminal, a window): an expired session is
    /// then signed in again on the spot instead of failing.
    fn can_sign_in(&self) -> bool {
        false
    }
}

/// A prompt with nobody behind it: for background work and tests that must not ask.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPrompt;

fn nobody(what: &str) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("{what} is needed and there is nobody to ask"),
    )
}

impl Prompt for NoPrompt {
    fn mfa_code(&self, request: &MfaRequest) -> Result<Secret, Error> {
        Err(
            nobody(&format!("an MFA code for {}", request.serial)).fix(format!(
                "run `lanyard export {}` once in a terminal: the role credentials are then cached",
                request.profile
            )),
        )
    }

    fn access_key(&self, profile: &str) -> Result<AccessKey, Error> {
        Err(nobody(&format!("the access key of `{profile}`"))
            .fix("pass --stdin and write the key id and the secret on standard input"))
    }

    fn open_url(&self, _url: &str, _purpose: UrlPurpose) -> Result<bool, Error> {
        Ok(false)
    }

    fn show_device_code(&self, _code: &DeviceCode) -> Result<(), Error> {
        Err(nobody("a sign-in").fix("run `lanyard login` in a terminal"))
    }
}

/// Whether an MFA code looks like one: six digits.
pub fn check_mfa_code(code: &Secret) -> Result<(), Error> {
    let code = code.expose();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(ErrorKind::Invalid, "an MFA code is six digits")
            .fix("try again with the code your device shows"));
    }
    Ok(())
}
