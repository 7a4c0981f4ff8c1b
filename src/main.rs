//! `lanyard`: the command line over `lanyard-core`. It parses arguments, calls the core, and
//! renders what comes back; it knows nothing of AWS.

mod browser;
mod cli;
mod clipboard;
mod commands;
mod output;
mod program;
mod prompt;
mod render;

use std::process::ExitCode;

use clap::Parser;

/// Keeps large buffers on one heap backed by 2 MiB pages. A whole file and its lines are
/// megabytes; glibc would map each one anew and unmap it on free, and every 4 KiB page first
/// touched costs a fault (about 3 µs on virtual machines: a third of a `set` on a large
/// config). Threads share that heap (one arena) for the same reason.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's allocation thresholds, and the heap is only grown,
    // freed and advised before any other thread exists; madvise(MADV_HUGEPAGE) changes how
    // the kernel backs pages of the heap, not their contents.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 1);
        // Grow the heap now (nothing is touched), then let the kernel back it with 2 MiB
        // pages: one fault instead of 512 for each 2 MiB first touched.
        let grow = libc::malloc(24 << 20);
        libc::free(grow);
        const HUGE: usize = 2 << 20;
        let start = (grow as usize + HUGE - 1) & !(HUGE - 1);
        let end = (libc::sbrk(0) as usize) & !(HUGE - 1);
        if !grow.is_null() && end > start {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

fn main() -> ExitCode {
    lanyard_core::trace("started");
    tune_allocator();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with status 0; usage errors to stderr with 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    lanyard_core::trace("arguments parsed");
    let env = lanyard_core::Env::process();
    let temporary = lanyard_keychain::open_temporary(&env);
    let ws = lanyard_core::Workspace::new(env, Box::new(lanyard_keychain::open))
        .with_temporary_store(temporary);
    let mut out = output::Output::stdout();
    let result = commands::run(cli.command, &ws, &mut out);
    match result.and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        // A reader that went away (`lanyard list | head -1`) is not an error.
        Err(error) if output::is_closed_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = out.flush();
            output::note(&format!("error: {error}"));
            ExitCode::from(1)
        }
    }
}
