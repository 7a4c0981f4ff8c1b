//! Where the files are: the AWS config and credentials files, the selected profile, and
//! Lanyard's own data folder.

use std::path::PathBuf;

use crate::env::Env;

/// The operating system family, which decides how a home folder is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Linux, macOS and other Unix systems.
    Unix,
    /// Windows.
    Windows,
}

impl Platform {
    /// The platform this program runs on.
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }

    fn separator(self) -> char {
        match self {
            Platform::Unix => '/',
            Platform::Windows => '\\',
        }
    }
}

/// The files and profile that the AWS SDKs would use in an environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locations {
    /// `$AWS_CONFIG_FILE` or `~/.aws/config`.
    pub config: PathBuf,
    /// `$AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
    pub credentials: PathBuf,
    /// `$AWS_PROFILE` or `default`.
    pub profile: String,
    /// The home folder, when one was found.
    pub home: Option<String>,
    /// Set when `HOME` is set but empty: the SDKs then read `/.aws/…`, a place the user did
    /// not name, so Lanyard reads what they read but writes nothing there.
    pub empty_home: bool,
}

/// The home folder as the SDKs find it: `HOME` first on every platform (an empty `HOME` is an
/// empty home, as botocore and the AWS SDK for Rust read it: the files are then `/.aws/…`); on
/// Windows then `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`; last, what the system reports.
pub fn home_dir(env: &Env, platform: Platform, system_home: Option<&str>) -> Option<String> {
    home_dir_with(env, platform, || system_home.map(str::to_owned))
}

fn home_dir_with(
    env: &Env,
    platform: Platform,
    system_home: impl FnOnce() -> Option<String>,
) -> Option<String> {
    if let Some(home) = env.get_raw("HOME") {
        return Some(home.to_owned());
    }
    if platform == Platform::Windows {
        if let Some(profile) = env.get("USERPROFILE") {
            return Some(profile.to_owned());
        }
        if let (Some(drive), Some(path)) = (env.get("HOMEDRIVE"), env.get("HOMEPATH")) {
            return Some(format!("{drive}{path}"));
        }
    }
    system_home()
}

fn expand_tilde(path: &str, home: Option<&str>, platform: Platform) -> String {
    match (path.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with(['/', '\\']) => {
            format!(
                "{home}{}",
                rest.replace('/', &platform.separator().to_string())
            )
        }
        _ => path.to_owned(),
    }
}

fn in_aws_dir(home: Option<&str>, file: &str, platform: Platform) -> String {
    let sep = platform.separator();
    match home {
        Some(home) => format!("{}{sep}.aws{sep}{file}", home.trim_end_matches(sep)),
        None => format!(".aws{sep}{file}"),
    }
}

/// Resolves the file locations and the selected profile for `env` on `platform`.
pub fn locations(env: &Env, platform: Platform, system_home: Option<&str>) -> Locations {
    locations_with(env, platform, || system_home.map(str::to_owned))
}

fn locations_with(
    env: &Env,
    platform: Platform,
    system_home: impl FnOnce() -> Option<String>,
) -> Locations {
    let home = home_dir_with(env, platform, system_home);
    let resolve = |var: &str, file: &str| match env.get(var) {
        Some(path) => expand_tilde(path, home.as_deref(), platform),
        None => in_aws_dir(home.as_deref(), file, platform),
    };
    Locations {
        config: PathBuf::from(resolve("AWS_CONFIG_FILE", "config")),
        credentials: PathBuf::from(resolve("AWS_SHARED_CREDENTIALS_FILE", "credentials")),
        profile: env.get("AWS_PROFILE").unwrap_or("default").to_owned(),
        empty_home: home.as_deref() == Some(""),
        home,
    }
}

/// The locations for this process.
pub fn current_locations(env: &Env) -> Locations {
    // The system is asked (a user-database lookup) only when no variable names the home.
    locations_with(env, Platform::current(), system_home)
}

/// The home folder the operating system reports for the current user (the user database,
/// read reentrantly: safe inside a multi-threaded app). Called only when no variable names
/// a home.
pub fn system_home() -> Option<String> {
    std::env::home_dir()
        .and_then(|p| p.into_os_string().into_string().ok())
        .filter(|p| !p.is_empty())
}

/// Lanyard's own data folder (backups, locks): `$LANYARD_DATA_DIR`, else the platform's
/// per-user data folder.
pub fn data_dir(env: &Env, platform: Platform, home: Option<&str>) -> PathBuf {
    if let Some(dir) = env.get("LANYARD_DATA_DIR") {
        return PathBuf::from(dir);
    }
    let home = home
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    match platform {
        Platform::Windows => env
            .get("APPDATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join("AppData").join("Roaming"))
            .join("Lanyard"),
        Platform::Unix if cfg!(target_os = "macos") => home
            .join("Library")
            .join("Application Support")
            .join("Lanyard"),
        Platform::Unix => env
            .get("XDG_DATA_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".local").join("share"))
            .join("lanyard"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_expands_to_home() {
        let env = Env::from_pairs([("HOME", "/h"), ("AWS_CONFIG_FILE", "~/cfg/config")]);
        let l = locations(&env, Platform::Unix, None);
        assert_eq!(l.config, PathBuf::from("/h/cfg/config"));
        assert_eq!(l.credentials, PathBuf::from("/h/.aws/credentials"));
    }
}
