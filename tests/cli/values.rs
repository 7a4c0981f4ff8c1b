//! Values some SDK would read differently from what was typed are refused, and nothing is
//! written.

use crate::util::Home;

const CONFIG: &str = "[profile dev]\r\nregion = us-east-1 # main\r\noutput = json\r\n";

fn home() -> Home {
    let home = Home::new();
    home.write(".aws/config", CONFIG);
    home
}

#[test]
fn a_value_ending_in_a_no_break_space_is_refused_by_name_and_nothing_is_written() {
    let home = home();
    let error = home.run(&["set", "dev", "region=eu-west-1\u{a0}"]).fails();
    assert!(error.contains("`region`"), "{error}");
    assert!(
        error.contains("U+00A0 NO-BREAK SPACE at the end"),
        "{error}"
    );
    assert_eq!(std::fs::read(home.config()).unwrap(), CONFIG.as_bytes());
    assert!(!home.credentials().exists());
}

#[test]
fn a_value_starting_with_an_ideographic_space_is_refused_for_every_key_given() {
    let home = home();
    let error = home
        .run(&["set", "dev", "output=text", "region=\u{3000}eu-west-1"])
        .fails();
    assert!(
        error.contains("U+3000 IDEOGRAPHIC SPACE at the start"),
        "{error}"
    );
    // The valid assignment beside it is not written either.
    assert_eq!(std::fs::read(home.config()).unwrap(), CONFIG.as_bytes());
    // The same character inside a value is kept by every SDK, and written.
    home.run(&["set", "dev", "region=eu\u{3000}west-1"]).ok();
    assert_eq!(
        home.read(".aws/config"),
        CONFIG.replace("us-east-1", "eu\u{3000}west-1")
    );
}
