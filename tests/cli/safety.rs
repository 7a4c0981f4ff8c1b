//! Nothing is ever lost: modes, symlinks, backups, concurrent writers.

use std::collections::BTreeSet;

use crate::util::Home;

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn new_files_are_private_and_existing_modes_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    home.run(&[
        "set",
        "dev",
        "region=eu-west-1",
        "aws_access_key_id=AKIAIOSFODNN7EXAMPLE",
    ])
    .ok();
    assert_eq!(mode(&home.path().join(".aws")), 0o700);
    assert_eq!(mode(&home.config()), 0o600);
    assert_eq!(mode(&home.credentials()), 0o600);
    std::fs::set_permissions(home.config(), std::fs::Permissions::from_mode(0o640)).unwrap();
    home.run(&["set", "dev", "output=json"]).ok();
    assert_eq!(mode(&home.config()), 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(home.path().join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_edited_through_the_link() {
    let home = Home::new();
    let real = home.write(
        "dotfiles/aws-config",
        "# managed by my dotfiles\n[default]\nregion = x\n",
    );
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::os::unix::fs::symlink(&real, home.config()).unwrap();
    home.run(&["set", "default", "region=y"]).ok();
    assert!(std::fs::symlink_metadata(home.config())
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        "# managed by my dotfiles\n[default]\nregion = y\n"
    );
}

#[test]
fn every_write_keeps_the_previous_version_and_the_last_twenty() {
    let home = Home::new();
    home.write(".aws/config", "[default]\nregion = v0\n");
    for i in 1..=25 {
        home.run(&["set", "default", &format!("region=v{i}")]).ok();
    }
    let dir = std::fs::read_dir(home.data().join("backups"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut backups: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    backups.sort();
    assert_eq!(backups.len(), 20);
    let newest = std::fs::read_to_string(backups.last().unwrap()).unwrap();
    assert_eq!(newest, "[default]\nregion = v24\n");
    let oldest = std::fs::read_to_string(&backups[0]).unwrap();
    assert_eq!(oldest, "[default]\nregion = v5\n");
}

#[test]
fn parallel_writers_lose_no_update_and_no_line() {
    let home = Home::new();
    let header = "# shared by many processes\n[default]\nregion = us-east-1\n";
    home.write(".aws/config", header);
    let children: Vec<_> = (0..32)
        .map(|i| {
            let mut cmd = home.cmd();
            // Half add new profiles, half add keys to the same profile.
            if i % 2 == 0 {
                cmd.args(["set", &format!("p{i}"), &format!("region=r{i}")]);
            } else {
                cmd.args(["set", "default", &format!("key_{i}=v{i}")]);
            }
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = home.read(".aws/config");
    assert!(text.starts_with(header), "{text}");
    let dump: serde_json::Value = serde_json::from_str(&home.run(&["dump"]).ok()).unwrap();
    for i in 0..32 {
        if i % 2 == 0 {
            assert_eq!(
                dump["profiles"][format!("p{i}")]["region"],
                format!("r{i}"),
                "{text}"
            );
        } else {
            assert_eq!(
                dump["profiles"]["default"][format!("key_{i}")],
                format!("v{i}"),
                "{text}"
            );
        }
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let unique: BTreeSet<&str> = lines.iter().copied().collect();
    assert_eq!(lines.len(), unique.len(), "no line written twice: {text}");
    assert_eq!(
        home.run(&["doctor", "--json"])
            .stdout()
            .matches("duplicate")
            .count(),
        0
    );
}
