//! The clipboard, through the platform's own tool, which keeps the text after Lanyard exits.
//! The text goes through a pipe, never through arguments.

use std::io::Write;

use lanyard_core::{Env, Error, ErrorKind};

/// Copies `text`; returns the tool that took it.
pub fn copy(text: &str, env: &Env) -> Result<String, Error> {
    let candidates: Vec<(&str, Vec<&str>)> = if cfg!(target_os = "macos") {
        vec![("pbcopy", vec![])]
    } else if cfg!(windows) {
        vec![("clip.exe", vec![])]
    } else {
        let mut tools = Vec::new();
        if env.get("WAYLAND_DISPLAY").is_some() {
            tools.push(("wl-copy", vec![]));
        }
        if env.get("DISPLAY").is_some() {
            tools.push(("xclip", vec!["-selection", "clipboard"]));
            tools.push(("xsel", vec!["--clipboard", "--input"]));
        }
        tools
    };
    for (program, args) in &candidates {
        let child = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else { continue };
        let written = child
            .stdin
            .take()
            .map(|mut pipe| pipe.write_all(text.as_bytes()));
        let status = child.wait();
        if matches!(written, Some(Ok(()))) && status.is_ok_and(|s| s.success()) {
            return Ok((*program).to_owned());
        }
    }
    Err(
        Error::new(ErrorKind::Invalid, "no clipboard tool is available").fix(
            if cfg!(target_os = "linux") {
                "install wl-clipboard (Wayland) or xclip (X11), or print without --clipboard"
            } else {
                "print without --clipboard"
            },
        ),
    )
}
