//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand};

/// Lanyard: AWS profiles and credentials, edited without losing a byte.
#[derive(Debug, Parser)]
#[command(name = "lanyard", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Which kind of section a command addresses (profiles by default).
#[derive(Debug, Args, Clone, Copy, Default)]
#[group(multiple = false)]
pub struct SectionFlags {
    /// Address an `[sso-session NAME]` section instead of a profile.
    #[arg(long)]
    pub sso_session: bool,
    /// Address a `[services NAME]` section instead of a profile (keys as SERVICE.KEY).
    #[arg(long)]
    pub services: bool,
}

#[derive(Debug, Args, Clone, Copy, Default)]
pub struct WriteFlags {
    /// Print the unified diff of the lines that would change, and write nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Show secret values in the diff instead of masking them.
    #[arg(long, requires = "dry_run")]
    pub reveal: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List profiles with their kind, region and account.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one profile, merged, with the file and line of every key.
    Show {
        /// The profile (default: $AWS_PROFILE, else `default`).
        name: Option<String>,
        #[command(flatten)]
        section: SectionFlags,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Show secret values instead of masking them.
        #[arg(long)]
        reveal: bool,
    },
    /// Print every profile, sso-session and services block as JSON, values as written.
    Dump {
        /// Print JSON (the only format; accepted for clarity).
        #[arg(long)]
        json: bool,
    },
    /// Set keys of a profile, creating it if needed: `lanyard set dev region=eu-west-1`.
    Set {
        /// The profile (or session, or services block).
        name: String,
        /// One or more key=value (SERVICE.KEY=value with --services; s3.KEY=value nests).
        #[arg(required = true, value_name = "KEY=VALUE")]
        assignments: Vec<String>,
        #[command(flatten)]
        section: SectionFlags,
        /// Write to the credentials file even for keys that belong in the config file.
        #[arg(long)]
        credentials_file: bool,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Remove keys from a profile.
    Unset {
        /// The profile (or session, or services block).
        name: String,
        /// The keys to remove.
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
        #[command(flatten)]
        section: SectionFlags,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Add a new profile, optionally with keys: `lanyard add dev region=eu-west-1`.
    Add {
        /// The new profile's name.
        name: String,
        /// Keys to set, as key=value.
        #[arg(value_name = "KEY=VALUE")]
        assignments: Vec<String>,
        #[command(flatten)]
        section: SectionFlags,
        /// Write to the credentials file even for keys that belong in the config file.
        #[arg(long)]
        credentials_file: bool,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Remove a profile from both files.
    Remove {
        /// The profile.
        name: String,
        #[command(flatten)]
        section: SectionFlags,
        /// Remove it even when other profiles use it (source_profile, sso_session, or a
        /// credential_process that runs it).
        #[arg(long)]
        force: bool,
        /// Leave the profile's key in the keychain (by default a vault profile takes its key
        /// along).
        #[arg(long)]
        keep_key: bool,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Rename a profile in both files, and every source_profile that names it.
    Rename {
        /// The current name.
        old: String,
        /// The new name.
        new: String,
        #[command(flatten)]
        section: SectionFlags,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Copy a profile to a new name, in both files.
    Copy {
        /// The profile to copy.
        old: String,
        /// The new name.
        new: String,
        #[command(flatten)]
        section: SectionFlags,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Explain how a profile's credentials are obtained, step by step.
    Explain {
        /// The profile (default: $AWS_PROFILE, else `default`).
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the files: parse errors, duplicates, quoted names, plain-text secrets, modes,
    /// profiles that cannot resolve.
    Doctor {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Keep long-term keys in the operating system's keychain instead of plain files.
    Vault {
        #[command(subcommand)]
        command: VaultCommand,
    },
    /// Print a profile's credentials as `credential_process` JSON (Version 1), for SDKs.
    #[command(name = "credential-process")]
    CredentialProcess {
        /// The profile, or a name stored with `lanyard vault add`.
        name: String,
    },
    /// Make a profile what new terminals and SDKs get without AWS_PROFILE; `--reset` undoes it.
    Use {
        /// The profile.
        #[arg(required_unless_present = "reset", conflicts_with = "reset")]
        name: Option<String>,
        /// Give back the [default] you had before `lanyard use`.
        #[arg(long)]
        reset: bool,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// Print lines that put a profile's credentials in a terminal's environment.
    Export {
        /// The profile (default: $AWS_PROFILE, else `default`).
        name: Option<String>,
        /// bash, zsh, fish, powershell, cmd, dotenv or json.
        #[arg(long, short, default_value = "bash")]
        format: lanyard_core::export::Format,
        /// Copy to the clipboard instead of printing.
        #[arg(long)]
        clipboard: bool,
    },
    /// Run a command with a profile's credentials in its environment (a shell when no command).
    Exec {
        /// The profile.
        name: String,
        /// The command and its arguments, after `--`.
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Sign in to IAM Identity Center (an sso-session, or a profile that uses one).
    Login {
        /// The sso-session or profile (default: $AWS_PROFILE, else `default`).
        name: Option<String>,
        /// Sign in with a code to confirm in any browser, on any machine, instead of the
        /// browser here (the default when no browser can open).
        #[arg(long)]
        device_code: bool,
    },
    /// Sign out of IAM Identity Center: ends the session at the portal and removes its cached
    /// token and every role credential cached with it.
    Logout {
        /// The sso-session or profile (default: $AWS_PROFILE, else `default`).
        name: Option<String>,
    },
    /// Write a profile's short-lived credentials as plain keys into the credentials file, for
    /// tools that read only `aws_access_key_id`, `aws_secret_access_key` and
    /// `aws_session_token`; `--watch` keeps them fresh.
    Bridge {
        /// The SSO or role profiles to bridge.
        #[arg(required_unless_present_any = ["list", "stop"])]
        names: Vec<String>,
        /// Write them under this name instead (one profile only).
        #[arg(long = "as", value_name = "OTHER", conflicts_with_all = ["list", "stop"])]
        as_name: Option<String>,
        /// Keep rewriting them shortly before they expire, until the sign-in ends.
        #[arg(long, conflicts_with_all = ["list", "stop"])]
        watch: bool,
        /// Remove exactly what the bridge wrote for these names.
        #[arg(long, conflicts_with = "list")]
        stop: bool,
        /// Show what is bridged and until when.
        #[arg(long)]
        list: bool,
        /// Print JSON (with --list).
        #[arg(long, requires = "list")]
        json: bool,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// List the IAM Identity Center sign-ins the config names, with the time left on each.
    Sessions {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The accounts and roles of an IAM Identity Center sign-in, and profiles for them.
    Sso {
        #[command(subcommand)]
        command: SsoCommand,
    },
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// List every account (id, name, email) and the roles you may use in each.
    Accounts {
        /// The sso-session or profile (default: $AWS_PROFILE, else `default`).
        session: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a profile for every account and role, marked `lanyard_populated = SESSION`;
    /// profiles without that mark are never touched.
    Populate {
        /// The sso-session.
        session: String,
        /// Profile names: {account_name}, {account_id}, {role_name}, {session} are filled in.
        #[arg(long, default_value = "{account_name}/{role_name}")]
        template: String,
        /// The `region` of each profile (default: the session's sso_region).
        #[arg(long)]
        region: Option<String>,
        /// Remove the profiles this session made whose account or role is gone.
        #[arg(long)]
        prune: bool,
        #[command(flatten)]
        write: WriteFlags,
    },
}

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Store a profile's access key in the keychain (asks on the terminal; never from arguments).
    Add {
        /// The profile name.
        name: String,
        /// Read the access key id, the secret and an optional session token from standard
        /// input, one a line (for scripts).
        #[arg(long)]
        stdin: bool,
        /// Replace a different key already stored under that name (it is lost).
        #[arg(long)]
        force: bool,
    },
    /// Move plain keys from the files into the keychain, leaving
    /// `credential_process = lanyard credential-process NAME` in their place.
    Import {
        /// The profile whose keys to move.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Every profile with long-term keys in plain text.
        #[arg(long)]
        all: bool,
        /// Replace a different key already stored under that name (it is lost).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        write: WriteFlags,
    },
    /// List the keys in the vault: names, masked key ids, age.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a profile's key from the keychain.
    Remove {
        /// The profile name.
        name: String,
    },
}
