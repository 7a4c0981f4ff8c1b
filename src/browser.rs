//! Opening a page in the user's browser: `BROWSER` first (a command, or several separated by
//! `:`, `%s` standing for the page), then the platform's opener. The page goes as an argument
//! of a process of the user's own, never through a shell. No display (SSH, a headless
//! machine) means no browser: the caller then signs in with a device code.

use std::process::{Command, Stdio};

/// Starts a browser command. A browser may keep running until its window closes, and it
/// must not be waited for (it is about to call back): a command still running after a
/// moment, or done with success, took the page.
fn run(program: &str, args: &[&str]) -> bool {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_millis(1500) {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(_) => return false,
        }
    }
    true
}

/// Whether a browser can be asked at all here.
pub fn available() -> bool {
    if let Ok(browsers) = std::env::var("BROWSER") {
        return browsers.split(':').any(|b| !b.trim().is_empty());
    }
    cfg!(target_os = "macos")
        || cfg!(windows)
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// Opens `url`; whether a browser took it.
pub fn open(url: &str) -> bool {
    if let Ok(browsers) = std::env::var("BROWSER") {
        for browser in browsers.split(':').filter(|b| !b.trim().is_empty()) {
            let words: Vec<String> = browser
                .split_whitespace()
                .map(|w| {
                    if w == "%s" {
                        url.to_owned()
                    } else {
                        w.to_owned()
                    }
                })
                .collect();
            let Some((program, rest)) = words.split_first() else {
                continue;
            };
            let mut args: Vec<&str> = rest.iter().map(String::as_str).collect();
            if !browser.contains("%s") {
                args.push(url);
            }
            if run(program, &args) {
                return true;
            }
        }
        return false;
    }
    if cfg!(target_os = "macos") {
        return run("open", &[url]);
    }
    if cfg!(windows) {
        return run("rundll32", &["url.dll,FileProtocolHandler", url]);
    }
    let display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    display && run("xdg-open", &[url])
}
