//! Bad input: one line naming what, where and the fix; exit 1; files untouched.

use crate::util::Home;

#[test]
fn unknown_profile_suggests_the_closest_name() {
    let home = Home::new();
    home.write(".aws/config", "[profile production]\nregion = x\n");
    let out = home.run(&["show", "prodution"]).fails();
    assert!(
        out.contains("profile `prodution` does not exist")
            && out.contains("did you mean `production`"),
        "{out}"
    );
    home.run(&["unset", "nope", "region"]).fails();
    home.run(&["remove", "nope"]).fails();
    home.run(&["rename", "nope", "x"]).fails();
    home.run(&["explain", "nope"]).fails();
}

#[test]
fn invalid_names_keys_and_values_are_refused() {
    let home = Home::new();
    let config = "[profile a]\nregion = x\n";
    home.write(".aws/config", config);
    for args in [
        &["add", "my profile"][..],
        &["set", "my'profile", "region=x"],
        &["set", "a", "bad key=x"],
        &["set", "a", "region"],
        &["set", "a", "region= x"],
        &["set", "a", "region=x # y"],
        &["rename", "a", "b c"],
    ] {
        let out = home.run(args).fails();
        assert!(
            out.contains("fix:") || out.contains("use only") || out.contains("SDKs"),
            "{args:?}: {out}"
        );
    }
    assert_eq!(home.read(".aws/config"), config);
}

#[test]
fn a_file_that_does_not_parse_is_named_with_its_line_and_never_written() {
    let home = Home::new();
    let config = "[default]\nregion = x\nthis line has no equals sign\n";
    home.write(".aws/config", config);
    for args in [
        &["list"][..],
        &["set", "default", "output=json"],
        &["remove", "default"],
        &["dump"],
    ] {
        let out = home.run(args).fails();
        assert!(
            out.contains(".aws/config:3: Expected an '=' sign defining a property; fix: "),
            "{args:?}: {out}"
        );
    }
    assert_eq!(home.read(".aws/config"), config);
    let doctor = home.run(&["doctor"]);
    assert_eq!(doctor.code(), 1);
    assert!(
        doctor.stdout().contains(".aws/config:3"),
        "{}",
        doctor.stdout()
    );
}

#[test]
fn a_file_that_is_not_utf8_is_left_untouched() {
    let home = Home::new();
    let bytes = b"[default]\nregion = caf\xe9\n".to_vec();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.config(), &bytes).unwrap();
    let out = home.run(&["set", "default", "output=json"]).fails();
    assert!(
        out.contains(".aws/config:2: the file is not valid UTF-8"),
        "{out}"
    );
    assert_eq!(std::fs::read(home.config()).unwrap(), bytes);
}

#[test]
fn usage_errors_exit_2() {
    let home = Home::new();
    assert_eq!(home.run(&["set"]).code(), 2);
    assert_eq!(home.run(&["frobnicate"]).code(), 2);
    assert_eq!(home.run(&["list", "--reveal"]).code(), 2);
}
