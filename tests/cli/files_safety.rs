//! What the user would notice when other programs, crashes, modes, links, full disks and
//! broken files meet Lanyard's writes.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::util::{Home, Run};

/// Lines another program appends (without Lanyard's lock, like `echo … >> ~/.aws/config`)
/// while `lanyard set` runs again and again: every line and every set is in the file after.
/// Without the look at the replaced version after the rename, about 1 line in 100 was lost
/// here; the README states what is guaranteed.
#[test]
fn lines_appended_by_another_program_during_sets_are_kept() {
    const APPENDS: usize = 400;
    const SETTERS: usize = 3;
    let home = Arc::new(Home::new());
    home.write(".aws/config", "[default]\nregion = us-east-1\n");
    let done = Arc::new(AtomicBool::new(false));
    let appender = {
        let (config, done) = (home.config(), done.clone());
        std::thread::spawn(move || {
            for i in 0..APPENDS {
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&config)
                    .unwrap();
                file.write_all(format!("# appended line {i}\n").as_bytes())
                    .unwrap();
                drop(file);
                std::thread::sleep(std::time::Duration::from_micros(
                    2_000 + (i as u64 * 397) % 4_000,
                ));
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let setters: Vec<_> = (0..SETTERS)
        .map(|s| {
            let (home, done) = (home.clone(), done.clone());
            std::thread::spawn(move || {
                let mut keys = Vec::new();
                while !done.load(Ordering::SeqCst) {
                    let key = format!("key_{s}_{}", keys.len());
                    // One setter on the plain write path, the others on the fast one.
                    let fast = if s == 0 { "0" } else { "1" };
                    let mut cmd = home.cmd();
                    cmd.env("LANYARD_FAST_WRITE", fast).args([
                        "set",
                        "default",
                        &format!("{key}=v"),
                    ]);
                    Run(cmd.output().unwrap()).ok();
                    keys.push(key);
                }
                keys
            })
        })
        .collect();
    appender.join().unwrap();
    let keys: Vec<String> = setters
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    let text = home.read(".aws/config");
    let lost: Vec<usize> = (0..APPENDS)
        .filter(|i| !text.contains(&format!("# appended line {i}\n")))
        .collect();
    let unset: Vec<&String> = keys
        .iter()
        .filter(|k| !text.contains(&format!("{k} = v\n")))
        .collect();
    eprintln!("{} sets against {APPENDS} appends", keys.len());
    assert!(
        lost.is_empty() && unset.is_empty(),
        "{} of {APPENDS} appended lines lost ({lost:?}), {} of {} sets lost",
        lost.len(),
        unset.len(),
        keys.len()
    );
}
