//! No secret in anything Lanyard prints or keeps, unless asked for (`dump`, `--reveal`,
//! `credential-process`, `export`, `exec`).

use crate::util::{keyring, Home};

const SECRETS: [&str; 3] = [
    "Leak-Canary-Secret/0001+xyz",
    "Leak-Canary-Token/0002==",
    "Leak-Canary-Vault/0003",
];

#[test]
fn no_command_prints_or_stores_a_secret_unasked() {
    let home = Home::new();
    home.write(
        ".aws/config",
        "[profile dev]\nregion = eu-west-1\naws_secret_access_key = Leak-Canary-Secret/0001+xyz\n[profile role]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = dev\n[profile broken]\naws_session_token = Leak-Canary-Token/0002==\n",
    );
    home.write(".aws/credentials", "[dev]\naws_access_key_id = AKIACANARY0000000001\naws_secret_access_key = Leak-Canary-Secret/0001+xyz\naws_session_token = Leak-Canary-Token/0002==\n");
    let mut outputs = Vec::new();
    let mut record =
        |run: crate::util::Run| outputs.push(format!("{}{}", run.stdout(), run.stderr()));
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["show", "dev"],
        &["show", "dev", "--json"],
        &["show", "broken"],
        &["explain", "role"],
        &["explain", "role", "--json"],
        &["explain", "broken"],
        &["doctor"],
        &["doctor", "--json"],
        &[
            "set",
            "dev",
            "aws_secret_access_key=Leak-Canary-Secret/0001+xyz",
            "--dry-run",
        ],
        &["set", "dev", "aws_session_token=bad value # x"],
        &[
            "set",
            "dev",
            "aws_secret_access_key= Leak-Canary-Secret/0001+xyz",
        ],
        &["rename", "dev", "dev2", "--dry-run"],
        &["copy", "dev", "dev3", "--dry-run"],
        &["remove", "dev", "--force", "--dry-run"],
        &["export", "nope"],
        &["use", "dev", "--dry-run"],
    ] {
        record(home.run(args));
    }
    if keyring() {
        record(home.run_with_input(
            &["vault", "add", "canary", "--stdin"],
            "AKIACANARY0000000003\nLeak-Canary-Vault/0003\n",
        ));
        record(home.run(&["vault", "list"]));
        record(home.run(&["vault", "list", "--json"]));
        record(home.run(&["vault", "import", "dev", "--dry-run"]));
        record(home.run(&["vault", "import", "dev"]));
        record(home.run(&["vault", "remove", "canary"]));
    }
    for (index, output) in outputs.iter().enumerate() {
        for secret in SECRETS {
            assert!(
                !output.contains(secret),
                "command #{index} printed a secret"
            );
        }
    }
    // Lanyard's own files: the vault index, locks, `use` state. Backups are copies of the
    // user's files as they were, secrets included, and are excluded here on purpose.
    let mut stack = vec![home.data()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "backups") {
                    stack.push(path);
                }
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !SECRETS.iter().any(|s| text.contains(s)),
                    "{} holds a secret",
                    path.display()
                );
            }
        }
    }
}
