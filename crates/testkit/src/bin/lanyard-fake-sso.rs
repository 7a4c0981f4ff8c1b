//! `lanyard-fake-sso`: the testkit's fake IAM Identity Center as a process of its own, for
//! trying Lanyard by hand and for benchmarks. It prints its endpoint, then serves until killed.

use std::io::Write;
use std::process::ExitCode;

use lanyard_testkit::FakeSso;

const USAGE: &str = "\
usage: lanyard-fake-sso [--port N] [--accounts N] [--roles N] [--page-size N] [--auto-approve]

Serves a fake IAM Identity Center (OIDC and portal) on 127.0.0.1 and prints its endpoint,
for AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO. Without --auto-approve, approve a
device code by opening the verificationUriComplete it gives out.

  --port N        listen on this port (default: a free one)
  --accounts N    accounts assigned to the user (default: 3)
  --roles N       roles in each account (default: 2)
  --page-size N   most items in a ListAccounts or ListAccountRoles page (default: 20)
  --auto-approve  approve every device code and authorize request at once";

struct Options {
    port: u16,
    accounts: usize,
    roles: usize,
    page_size: usize,
    auto_approve: bool,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        accounts: 3,
        roles: 2,
        page_size: 20,
        auto_approve: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        if flag == "--auto-approve" {
            options.auto_approve = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        if !["--port", "--accounts", "--roles", "--page-size"].contains(&flag.as_str()) {
            return Err(format!("unknown option `{flag}`"));
        }
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| format!("{flag} needs a number"))?;
        let number = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: `{v}` is not a number"))
        };
        match flag.as_str() {
            "--port" => {
                options.port = value
                    .parse()
                    .map_err(|_| format!("--port: `{value}` is not a port"))?
            }
            "--accounts" => options.accounts = number(&value)?,
            "--roles" => options.roles = number(&value)?,
            _ => options.page_size = number(&value)?,
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("lanyard-fake-sso: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sso = match FakeSso::start_on(options.port) {
        Ok(sso) => sso,
        Err(e) => {
            eprintln!(
                "lanyard-fake-sso: cannot listen on 127.0.0.1:{}: {e}",
                options.port
            );
            return ExitCode::from(1);
        }
    };
    sso.add_accounts(options.accounts, options.roles);
    sso.set_page_size(options.page_size);
    sso.auto_approve(options.auto_approve);
    println!("{}", sso.endpoint());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
