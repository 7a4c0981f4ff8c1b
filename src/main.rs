//! `lanyard`: the command line over `lanyard-core`.

mod cli;
mod commands;
mod render;
mod secrets;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Keeps large buffers on the heap instead of in fresh `mmap`s. A whole file and its rendering
/// are megabytes; glibc would map each one anew and unmap it on free, and every page of a new
/// mapping costs a fault: on virtual machines that was a third of a `set` on a large config.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's allocation thresholds; it is called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
    }
}

fn main() -> ExitCode {
    tune_allocator();
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
