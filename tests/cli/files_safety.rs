//! What the user would notice when other programs, crashes, modes, links, full disks and
//! broken files meet Lanyard's writes.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::util::{Home, Run};

/// Lines another program appends (without Lanyard's lock, like `echo … >> ~/.aws/config`)
/// while `lanyard set` runs again and again: every line and every set is in the file after.
/// Without the look at the replaced version after the rename, about 1 line in 100 was lost
/// here; the README states what is guaranteed.
#[test]
fn lines_appended_by_another_program_during_sets_are_kept() {
    // At least this many appends, for as long as the sets take, however slow the machine.
    const APPENDS: usize = 400;
    const SETTERS: usize = 3;
    const SETS_EACH: usize = 60;
    let home = Arc::new(Home::new());
    home.write(".aws/config", "[default]\nregion = us-east-1\n");
    let sets_done = Arc::new(AtomicUsize::new(0));
    let appender = {
        let (config, sets_done) = (home.config(), sets_done.clone());
        std::thread::spawn(move || {
            let mut appended = 0;
            while appended < APPENDS || sets_done.load(Ordering::SeqCst) < SETTERS {
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&config)
                    .unwrap();
                file.write_all(format!("# appended line {appended}\n").as_bytes())
                    .unwrap();
                drop(file);
                appended += 1;
                std::thread::sleep(std::time::Duration::from_micros(
                    6_000 + (appended as u64 * 397) % 8_000,
                ));
            }
            appended
        })
    };
    let setters: Vec<_> = (0..SETTERS)
        .map(|s| {
            let (home, sets_done) = (home.clone(), sets_done.clone());
            std::thread::spawn(move || {
                let keys: Vec<String> = (0..SETS_EACH).map(|i| format!("key_{s}_{i}")).collect();
                for key in &keys {
                    // One setter on the plain write path, the others on the fast one.
                    let fast = if s == 0 { "0" } else { "1" };
                    let mut cmd = home.cmd();
                    cmd.env("LANYARD_FAST_WRITE", fast).args([
                        "set",
                        "default",
                        &format!("{key}=v"),
                    ]);
                    Run(cmd.output().unwrap()).ok();
                }
                sets_done.fetch_add(1, Ordering::SeqCst);
                keys
            })
        })
        .collect();
    let keys: Vec<String> = setters
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    let appended = appender.join().unwrap();
    let text = home.read(".aws/config");
    let lost: Vec<usize> = (0..appended)
        .filter(|i| !text.contains(&format!("# appended line {i}\n")))
        .collect();
    let unset: Vec<&String> = keys
        .iter()
        .filter(|k| !text.contains(&format!("{k} = v\n")))
        .collect();
    eprintln!("{} sets against {appended} appends", keys.len());
    assert!(
        lost.is_empty() && unset.is_empty(),
        "{} of {appended} appended lines lost ({lost:?}), {} of {} sets lost",
        lost.len(),
        unset.len(),
        keys.len()
    );
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The files in `~/.aws` whose names start with `.NAME.lanyard-`.
fn temporaries(home: &Home, name: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(home.path().join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!(".{name}.lanyard-"))
        })
        .collect()
}

/// A `set` killed before its rename leaves its temporary file, a whole copy of the
/// credentials file: it is private (0600) even when the file is not, `doctor` names it with
/// the fix, and the next write removes it.
#[cfg(unix)]
#[test]
fn a_set_killed_before_its_rename_leaves_a_private_copy_the_next_write_removes() {
    let home = Home::new();
    // Large enough that the write takes a while, loose enough to show the temporary's mode.
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!(
            "[p{i}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        ));
    }
    let credentials = home.write(".aws/credentials", &text);
    chmod(&credentials, 0o644);
    home.write(".aws/config", "[profile p1]\nregion = eu-west-1\n");
    let mut left = Vec::new();
    for _ in 0..5 {
        let mut child = home
            .cmd()
            .args(["set", "p1", "aws_session_token=token", "--credentials-file"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill it as soon as its temporary file appears.
        while temporaries(&home, "credentials").is_empty() {
            if child.try_wait().unwrap().is_some() {
                break;
            }
        }
        let _ = child.kill();
        child.wait().unwrap();
        left = temporaries(&home, "credentials");
        if !left.is_empty() {
            break;
        }
    }
    assert_eq!(left.len(), 1, "a killed set leaves its temporary file");
    let leftover = &left[0];
    assert_eq!(
        mode(leftover),
        0o600,
        "the copy of the credentials is private"
    );
    // A small file again, for doctor to be quick about it.
    home.write(
        ".aws/credentials",
        "[p1]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    );
    // The temporary of a write still under way (this process is alive) is not a leftover,
    // nor a file of another program that looks alike.
    let running = home.write(
        &format!(".aws/.config.lanyard-{}-000000001-0", std::process::id()),
        "[default]\n",
    );
    let unrelated = home.write(".aws/.credentials.lanyard-notes", "mine\n");
    let doctor = home.run(&["doctor"]);
    let report = doctor.stdout();
    let line = report
        .lines()
        .position(|l| l.contains(&*leftover.to_string_lossy()))
        .unwrap_or_else(|| panic!("doctor names the leftover: {report}"));
    let lines: Vec<&str> = report.lines().collect();
    assert!(lines[line].starts_with("warning: "), "{report}");
    assert!(
        lines[line + 1].contains(&format!("rm {}", leftover.display())),
        "{report}"
    );
    assert!(!report.contains(&*running.to_string_lossy()), "{report}");
    assert!(!report.contains("lanyard-notes"), "{report}");
    // The next write, to the other file even, removes it.
    home.run(&["set", "p1", "region=eu-west-2"]).ok();
    assert!(!leftover.exists(), "the next write removes the leftover");
    assert!(running.exists() && unrelated.exists());
    assert!(!home
        .run(&["doctor"])
        .stdout()
        .contains(&*leftover.to_string_lossy()));
}

/// Every file and folder under `dir`, with its mode.
#[cfg(unix)]
fn modes_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u32, bool)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            found.extend(modes_under(&path));
        }
        found.push((path.clone(), mode(&path), meta.is_dir()));
    }
    found
}

/// Backups of files anybody may read, locks, and everything else Lanyard keeps: 0600 files
/// in 0700 folders, even when `lanyard` runs under `umask 000`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn everything_in_the_data_folder_is_private_whatever_the_umask() {
    use std::os::unix::process::CommandExt;
    let home = Home::new();
    // As `aws configure` leaves them under the usual umask: readable by everyone.
    let config = home.write(".aws/config", "[default]\nregion = r\n");
    let credentials = home.write(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    );
    chmod(&config, 0o644);
    chmod(&credentials, 0o644);
    let run = |args: &[&str]| {
        let mut cmd = home.cmd();
        // SAFETY: umask is async-signal-safe and touches no memory.
        unsafe {
            cmd.pre_exec(|| {
                libc::umask(0);
                Ok(())
            });
        }
        Run(cmd.args(args).output().unwrap()).ok();
    };
    // Past twenty backups, so that the oldest are reused too.
    for i in 0..23 {
        run(&["set", "default", &format!("region=r{i}")]);
        run(&["set", "default", &format!("aws_session_token=token{i}")]);
    }
    let loose: Vec<_> = modes_under(&home.data())
        .into_iter()
        .filter(|(_, mode, dir)| *mode != if *dir { 0o700 } else { 0o600 })
        .collect();
    assert!(loose.is_empty(), "not private: {loose:#?}");
    assert_eq!(mode(&home.data()), 0o700);
    // The files themselves keep the mode they had.
    assert_eq!((mode(&config), mode(&credentials)), (0o644, 0o644));
}

/// A file made read-only (`chmod 444`) is not replaced behind the user's back: the error
/// names it and says how to allow the edit.
#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_with_the_chmod_that_allows_it() {
    let home = Home::new();
    let text = "[default]\nregion = eu-west-1\n";
    let config = home.write(".aws/config", text);
    chmod(&config, 0o444);
    let error = home.run(&["set", "default", "region=eu-west-2"]).fails();
    assert!(
        error.contains(&format!("error: {}: ", config.display())),
        "{error}"
    );
    assert!(error.contains("read-only"), "{error}");
    assert!(
        error.contains(&format!("chmod u+w {}", config.display())),
        "{error}"
    );
    assert_eq!(home.read(".aws/config"), text);
    assert_eq!(mode(&config), 0o444);
    // A dry run still shows what would change.
    assert!(home
        .run(&["set", "default", "region=eu-west-2", "--dry-run"])
        .ok()
        .contains("+region = eu-west-2"));
}

/// A file hard-linked elsewhere (`ln ~/.aws/config ~/dotfiles/config`) stays one file: every
/// link shows each edit, and each previous version is kept.
#[cfg(unix)]
#[test]
fn a_hard_linked_file_stays_linked_and_every_link_shows_the_edit() {
    use std::os::unix::fs::MetadataExt;
    let home = Home::new();
    let dotfiles = home.write("dotfiles/aws-config", "# mine\n[default]\nregion = r0\n");
    chmod(&dotfiles, 0o640);
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::hard_link(&dotfiles, home.config()).unwrap();
    // Past twenty backups, where the fast path would reuse the oldest.
    for i in 1..=22 {
        home.run(&["set", "default", &format!("region=r{i}")]).ok();
        let expected = format!("# mine\n[default]\nregion = r{i}\n");
        assert_eq!(std::fs::read_to_string(&dotfiles).unwrap(), expected);
        assert_eq!(home.read(".aws/config"), expected);
    }
    let (a, b) = (
        std::fs::metadata(&dotfiles).unwrap(),
        std::fs::metadata(home.config()).unwrap(),
    );
    assert_eq!(
        (a.ino(), a.nlink()),
        (b.ino(), 2),
        "still one file, two links"
    );
    assert_eq!(mode(&dotfiles), 0o640);
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
    assert_eq!(
        std::fs::read_to_string(backups.last().unwrap()).unwrap(),
        "# mine\n[default]\nregion = r21\n"
    );
    assert!(backups.iter().all(|b| mode(b) == 0o600));
    assert!(temporaries(&home, "config").is_empty());
}

/// `set` of a profile cannot know where a key goes while the credentials file does not
/// parse (it may set that key, and then wins): a line that does not parse blocks the edit
/// as a file that is not UTF-8 does, with its `file:line` and the fix, and nothing is written.
#[test]
fn a_credentials_file_that_does_not_parse_blocks_a_profile_edit_like_one_not_in_utf8() {
    let home = Home::new();
    let config = "[profile dev]\nregion = eu-west-1\n";
    home.write(".aws/config", config);
    let credentials = home.write(
        ".aws/credentials",
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\nthis line sets nothing\n",
    );
    for (text, line) in [
        (
            &b"[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\nthis line sets nothing\n"[..],
            3,
        ),
        (&b"[dev]\naws_access_key_id = AKIA\xff\n"[..], 2),
    ] {
        std::fs::write(&credentials, text).unwrap();
        let error = home.run(&["set", "dev", "output=json"]).fails();
        assert!(
            error.contains(&format!("error: {}:{line}: ", credentials.display())),
            "{error}"
        );
        assert!(error.contains("; fix: "), "{error}");
        assert_eq!(home.read(".aws/config"), config);
        assert_eq!(std::fs::read(&credentials).unwrap(), text);
    }
}

/// A symlink that leads back to itself (`ln -s config ~/.aws/config`) is named as a loop, by
/// every command that reads or writes the file, not blamed on the disk.
#[cfg(unix)]
#[test]
fn a_symlink_loop_is_named_as_a_loop() {
    let home = Home::new();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let expect_loop = |args: &[&str], path: &std::path::Path, chain: &str| {
        let error = home.run(args).fails();
        assert!(
            error.contains(&format!("error: {}: ", path.display())),
            "{args:?}: {error}"
        );
        assert!(
            error.contains(&format!("loops ({chain})")),
            "{args:?}: {error}"
        );
        assert!(error.contains("; fix: "), "{args:?}: {error}");
        assert!(!error.contains("disk"), "{args:?}: {error}");
    };
    std::os::unix::fs::symlink("config", home.config()).unwrap();
    let config = format!("{} → config", home.config().display());
    expect_loop(
        &["set", "default", "region=eu-west-1"],
        &home.config(),
        &config,
    );
    expect_loop(&["list"], &home.config(), &config);
    // Two links: credentials -> creds -> credentials. `set` reads it to route any key.
    std::fs::remove_file(home.config()).unwrap();
    std::os::unix::fs::symlink("creds", home.credentials()).unwrap();
    std::os::unix::fs::symlink("credentials", aws.join("creds")).unwrap();
    let credentials = format!("{} → creds → credentials", home.credentials().display());
    for args in [
        &["set", "default", "aws_session_token=token"][..],
        &["set", "default", "region=eu-west-1"][..],
        &["show", "default"][..],
    ] {
        expect_loop(args, &home.credentials(), &credentials);
    }
}

/// A full disk: the error names the file being written (not a temporary file) and says the
/// disk is full; the file is unchanged and no temporary file is left. `~/.aws` is a 64 KiB
/// tmpfs, filled up, in a mount namespace of the test's own (this needs root).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_names_the_file_being_written_and_says_the_disk_is_full() {
    let home = Home::new();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    let lanyard = home.cmd();
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c"]);
    cmd.arg(
        r#"mount -t tmpfs -o size=64k tmpfs "$HOME/.aws" 2>/dev/null || exit 77
        printf '[default]\nregion = eu-west-1\n' > "$HOME/.aws/config"
        head -c 1000000 /dev/zero > "$HOME/.aws/filler" 2>/dev/null
        "$0" set default region=eu-west-2
        echo "exit $?"
        cat "$HOME/.aws/config"
        ls -A "$HOME/.aws""#,
    );
    cmd.arg(lanyard.get_program());
    for (key, value) in lanyard.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let Ok(output) = cmd.current_dir(home.path()).output() else {
        eprintln!("skipped: no `unshare` to mount a small file system");
        return;
    };
    if output.status.code() != Some(0) {
        eprintln!("skipped: cannot mount a small file system here (not root?)");
        return;
    }
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(stdout.starts_with("exit 1\n"), "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("lanyard: error: {}: ", home.config().display())),
        "{stderr}"
    );
    assert!(stderr.contains("disk is full"), "{stderr}");
    assert!(stderr.contains("; fix: "), "{stderr}");
    assert!(
        !stderr.contains(".lanyard-"),
        "no temporary file named: {stderr}"
    );
    assert_eq!(
        stdout, "exit 1\n[default]\nregion = eu-west-1\nconfig\nfiller\n",
        "the file is unchanged and nothing is left beside it"
    );
}
