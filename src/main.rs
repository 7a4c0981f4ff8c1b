//! `lanyard`: the command line over `lanyard-core`.

mod cli;
mod commands;
mod render;
mod secrets;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let env = lanyard_core::Env::process();
    let mut out = std::io::stdout().lock();
    match commands::run(cli.command, &env, &mut out) {
        Ok(code) => code,
        Err(error) => {
            let _ = out.flush();
            eprintln!("lanyard: error: {error}");
            ExitCode::from(1)
        }
    }
}
