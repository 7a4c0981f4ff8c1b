//! `lanyard`: the command line over `lanyard-core`.

mod cli;
mod commands;
mod render;
mod secrets;

use std::io::Write;
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
    let cli = cli::Cli::parse();
    lanyard_core::trace("arguments parsed");
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
