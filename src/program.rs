//! This program as SDKs run it: the `credential_process` line that calls it back.

use lanyard_core::{lanyard_command, Workspace};

/// The `credential_process` line that runs this binary's `credential-process NAME`: plain
/// `lanyard` when that is what `PATH` finds, else the absolute path, quoted so that botocore
/// and `sh -c` split it the same way.
pub fn own_command(ws: &Workspace, name: &str) -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let file = if cfg!(windows) {
        "lanyard.exe"
    } else {
        "lanyard"
    };
    let on_path = ws.env().get("PATH").and_then(|path| {
        std::env::split_paths(path)
            .map(|dir| dir.join(file))
            .find(|candidate| candidate.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    let program = match (&exe, &on_path) {
        (Some(exe), Some(found)) if exe == found => "lanyard".to_owned(),
        (Some(exe), _) => exe.display().to_string(),
        (None, _) => "lanyard".to_owned(),
    };
    lanyard_command::command_line(&program, name, cfg!(windows))
}
