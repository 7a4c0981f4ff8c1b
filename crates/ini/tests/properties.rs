//! Property tests for `lanyard-ini`.
//!
//! * Any text, built from every kind of line the dialect knows (and some it does not), renders
//!   back byte for byte as either kind of file.
//! * On valid documents, every edit changes the semantic view in exactly the edited keys, keeps
//!   the document valid, re-parses to the same view, and leaves the lines it does not own alone.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lanyard_ini::{Document, Kind, LintCode, SectionId, Sections};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------------------------
// Line generators
// ---------------------------------------------------------------------------------------------

const NAMES: &[&str] = &[
    "default", "a", "b", "dev", "Prod", "team/x", "us.e@1", "a:b+c%", "x_y-z",
];
const KEYS: &[&str] = &[
    "region",
    "output",
    "role_arn",
    "source_profile",
    "sso_session",
    "s3",
    "Region",
    "REGION",
    "aws_access_key_id",
    "x-y",
];

fn pool(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(items).prop_map(str::to_owned)
}

/// A name or key from the identifier set `[A-Za-z0-9_-/.%@:+]`.
fn ident() -> impl Strategy<Value = String> {
    prop_oneof![3 => pool(NAMES), 1 => "[A-Za-z0-9_./%@:+-]{1,8}"]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => pool(KEYS),
        2 => "[A-Za-z0-9_./%@:+-]{1,8}",
        1 => Just("in valid".to_owned()),
        1 => Just("Key With Spaces".to_owned()),
    ]
}

/// Optional spaces and tabs.
fn ws0() -> impl Strategy<Value = String> {
    "[ \t]{0,2}"
}

/// At least one space or tab.
fn ws1() -> impl Strategy<Value = String> {
    "[ \t]{1,3}"
}

fn header_trailer() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        1 => Just(" # c".to_owned()),
        1 => Just(";c".to_owned()),
        1 => Just("#x".to_owned()),
        1 => Just("\t; comment ]".to_owned()),
        1 => Just("  ".to_owned()),
    ]
}

/// A header line that parses, for either kind of file.
fn header(kind: Kind) -> BoxedStrategy<String> {
    let prefixed = |prefix: BoxedStrategy<String>, name: BoxedStrategy<String>| {
        (ws0(), prefix, ws1(), name, ws0(), header_trailer())
            .prop_map(|(a, p, b, n, c, t)| format!("[{a}{p}{b}{n}{c}]{t}"))
    };
    let bare = |name: BoxedStrategy<String>| {
        (ws0(), name, ws0(), header_trailer()).prop_map(|(a, n, c, t)| format!("[{a}{n}{c}]{t}"))
    };
    let quoted = prop_oneof![
        Just("'my profile'".to_owned()),
        Just("\"My Corp\"".to_owned()),
        Just("'x'".to_owned()),
    ];
    match kind {
        Kind::Config => prop_oneof![
            2 => Just("[default]".to_owned()),
            1 => bare(Just("default".to_owned()).boxed()),
            6 => prefixed(Just("profile".to_owned()).boxed(), ident().boxed()),
            1 => Just("[profile default]".to_owned()),
            2 => prefixed(Just("sso-session".to_owned()).boxed(), ident().boxed()),
            2 => prefixed(Just("services".to_owned()).boxed(), ident().boxed()),
            1 => prefixed(pool(&["plugins", "custom"]).boxed(), ident().boxed()),
            1 => bare(ident().boxed()),
            1 => prefixed(Just("profile".to_owned()).boxed(), quoted.clone().boxed()),
            1 => Just("[sso-session]".to_owned()),
        ]
        .boxed(),
        Kind::Credentials => prop_oneof![
            2 => Just("[default]".to_owned()),
            8 => bare(ident().boxed()),
            1 => prefixed(Just("profile".to_owned()).boxed(), ident().boxed()),
            1 => prefixed(Just("sso-session".to_owned()).boxed(), ident().boxed()),
            1 => bare(quoted.boxed()),
        ]
        .boxed(),
    }
}

fn inline_comment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        1 => Just(" # c".to_owned()),
        1 => Just("\t;c ; d".to_owned()),
        1 => Just(" #".to_owned()),
        // Any Unicode whitespace before `#` or `;` starts a comment, not only a space or tab.
        1 => Just("\u{a0}#c".to_owned()),
        1 => Just("\r;c".to_owned()),
    ]
}

/// A value as it may appear in a file: anything but a line break.
fn file_value() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        6 => "[A-Za-z0-9][A-Za-z0-9 =#;:/._\\[\\]\"'é\u{a0}\r-]{0,12}",
    ]
}

/// A value that starts with a letter or digit, so it is not empty once comments are cut.
fn solid_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 =#;:/._é\u{a0}\r-]{0,12}"
}

fn property_line() -> impl Strategy<Value = String> {
    (key(), ws0(), ws0(), file_value(), inline_comment())
        .prop_map(|(k, a, b, v, c)| format!("{k}{a}={b}{v}{c}"))
}

fn comment_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("#".to_owned()),
        Just(";".to_owned()),
        "[#;][ -~]{0,12}",
        "# [a-zé]{0,6}",
    ]
}

fn blank_line() -> impl Strategy<Value = String> {
    "[ \t]{0,3}"
}

/// A continuation line: indented, not blank. Comment characters and `=` are data here.
fn continuation_line() -> impl Strategy<Value = String> {
    (ws1(), "[a-z0-9#;=\\[][a-z0-9 =#;\\[\\]]{0,8}").prop_map(|(w, t)| format!("{w}{t}"))
}

fn sub_property_line() -> impl Strategy<Value = String> {
    (
        ws1(),
        prop_oneof![3 => key(), 1 => Just("Upper_Sub".to_owned())],
        ws0(),
        ws0(),
        "[a-zA-Z0-9:/._ #;-]{0,10}",
    )
        .prop_map(|(w, k, a, b, v)| format!("{w}{k}{a}={b}{v}"))
}

/// The lines of one body item of a section (a property with what belongs to it, a comment,
/// a blank line), all valid where a property may stand.
fn body_item() -> impl Strategy<Value = Vec<String>> {
    let plain = property_line().prop_map(|l| vec![l]);
    let continued = (
        key(),
        ws0(),
        solid_value(),
        inline_comment(),
        vec(
            prop_oneof![4 => continuation_line(), 1 => blank_line(), 1 => comment_line()],
            1..4,
        ),
    )
        .prop_map(|(k, a, v, c, rest)| {
            let mut lines = vec![format!("{k} ={a}{v}{c}")];
            lines.extend(rest);
            lines
        });
    let nested = (
        key(),
        ws0(),
        prop_oneof![3 => Just(String::new()), 1 => Just(" # block".to_owned())],
        vec(
            prop_oneof![5 => sub_property_line(), 1 => blank_line(), 1 => comment_line()],
            0..4,
        ),
    )
        .prop_map(|(k, a, c, rest)| {
            let mut lines = vec![format!("{k}{a}={c}")];
            lines.extend(rest);
            lines
        });
    prop_oneof![
        6 => plain,
        2 => continued,
        2 => nested,
        2 => comment_line().prop_map(|l| vec![l]),
        2 => blank_line().prop_map(|l| vec![l]),
    ]
}

fn section(kind: Kind) -> impl Strategy<Value = Vec<String>> {
    (header(kind), vec(body_item(), 0..6)).prop_map(|(h, body)| {
        let mut lines = vec![h];
        lines.extend(body.into_iter().flatten());
        lines
    })
}

/// How lines end: all LF, all CRLF, or a mix.
fn line_endings() -> impl Strategy<Value = Vec<bool>> {
    prop_oneof![
        3 => Just(vec![false]),
        2 => Just(vec![true]),
        2 => vec(any::<bool>(), 1..8),
    ]
}

/// Joins lines; `crlf[i % len]` picks each line's ending.
fn assemble(lines: &[String], crlf: &[bool], final_newline: bool, bom: bool) -> String {
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    for (index, line) in lines.iter().enumerate() {
        text.push_str(line);
        if index + 1 < lines.len() || final_newline {
            text.push_str(if crlf[index % crlf.len()] {
                "\r\n"
            } else {
                "\n"
            });
        }
    }
    text
}

/// A document with no spec errors.
fn valid_document(kind: Kind) -> impl Strategy<Value = String> {
    (
        prop::bool::weighted(0.1),
        vec(prop_oneof![comment_line(), blank_line()], 0..3),
        vec(section(kind), 0..8),
        line_endings(),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(bom, preamble, sections, crlf, final_newline)| {
            let mut lines = preamble;
            lines.extend(sections.into_iter().flatten());
            assemble(&lines, &crlf, final_newline, bom)
        })
}

/// Any single line, valid or not.
fn any_line() -> impl Strategy<Value = Vec<String>> {
    let single = prop_oneof![
        header(Kind::Config),
        header(Kind::Credentials),
        property_line().boxed(),
        comment_line().boxed(),
        blank_line().boxed(),
        continuation_line().boxed(),
        sub_property_line().boxed(),
        (ws1(), comment_line())
            .prop_map(|(w, c)| format!("{w}{c}"))
            .boxed(),
        (ws1(), header(Kind::Config))
            .prop_map(|(w, h)| format!("{w}{h}"))
            .boxed(),
        Just("[profile unclosed".to_owned()).boxed(),
        Just("[profile a#b]".to_owned()).boxed(),
        Just("[]".to_owned()).boxed(),
        Just("no equals here".to_owned()).boxed(),
        Just("= no key".to_owned()).boxed(),
        Just("key : colon".to_owned()).boxed(),
        Just("\r".to_owned()).boxed(),
        Just("trailing cr\r".to_owned()).boxed(),
        Just("\u{feff}[default]".to_owned()).boxed(),
        "[^\n]{0,16}".boxed(),
    ];
    prop_oneof![6 => single.prop_map(|l| vec![l]), 1 => body_item().boxed()]
}

fn any_document() -> impl Strategy<Value = String> {
    (
        prop::bool::weighted(0.15),
        vec(any_line(), 0..40),
        line_endings(),
        any::<bool>(),
    )
        .prop_map(|(bom, lines, crlf, final_newline)| {
            let lines: Vec<String> = lines.into_iter().flatten().collect();
            assemble(&lines, &crlf, final_newline, bom)
        })
}

/// `cases` cases (`PROPTEST_CASES` overrides), and no regression files: a failure prints the
/// minimal input to copy into a unit test.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Round trip
// ---------------------------------------------------------------------------------------------

fn assert_round_trip(text: &str) -> Result<(), TestCaseError> {
    for kind in [Kind::Config, Kind::Credentials] {
        let doc = Document::parse(text, kind);
        prop_assert_eq!(doc.render(), text, "{:?}", kind);
        prop_assert_eq!(doc.to_string(), text, "{:?}", kind);
        prop_assert_eq!(doc.sections().is_ok(), doc.errors().is_empty());
        let _ = doc.lints();
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_text_renders_back_byte_for_byte(text in any_document()) {
        assert_round_trip(&text)?;
    }

    #[test]
    fn valid_documents_render_back_byte_for_byte(
        config in valid_document(Kind::Config),
        credentials in valid_document(Kind::Credentials),
    ) {
        assert_round_trip(&config)?;
        assert_round_trip(&credentials)?;
    }
}

// ---------------------------------------------------------------------------------------------
// The model of the semantic view
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Cat {
    Profile,
    SsoSession,
    Services,
    Other,
}

impl Cat {
    fn id(self, name: &str) -> SectionId {
        match self {
            Cat::Profile => SectionId::profile(name),
            Cat::SsoSession => SectionId::sso_session(name),
            Cat::Services => SectionId::services(name),
            Cat::Other => unreachable!("edits never address other sections"),
        }
    }
}

/// What a property reads as: a value, or a block of sub-properties (key as written, value).
/// A property whose own value is empty is a block, perhaps of no sub-properties.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Val {
    Plain(String),
    Nested(Vec<(String, String)>),
}

impl Val {
    fn new(value: &str) -> Val {
        if value.is_empty() {
            Val::Nested(Vec::new())
        } else {
            Val::Plain(value.to_owned())
        }
    }
}

type Props = BTreeMap<String, Val>;
type Model = BTreeMap<(Cat, String), Props>;

fn project(view: &Sections) -> Model {
    let mut model = Model::new();
    let groups = [
        (Cat::Profile, &view.profiles),
        (Cat::SsoSession, &view.sso_sessions),
        (Cat::Services, &view.services),
        (Cat::Other, &view.other),
    ];
    for (cat, sections) in groups {
        for (name, section) in sections {
            let props = section
                .properties
                .iter()
                .map(|(key, p)| {
                    // A block's value is empty on the property line; other values are not.
                    let val = if !p.value.is_empty() && !p.value.starts_with('\n') {
                        Val::Plain(p.value.clone())
                    } else {
                        Val::Nested(
                            p.sub_properties
                                .iter()
                                .map(|s| (s.key.clone(), s.value.clone()))
                                .collect(),
                        )
                    };
                    (key.clone(), val)
                })
                .collect();
            model.insert((cat, name.clone()), props);
        }
    }
    model
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Pick {
    Existing(Index),
    Fresh(String),
}

#[derive(Clone, Debug)]
struct SecPick {
    cat: Cat,
    which: Pick,
}

#[derive(Clone, Debug)]
struct KeyPick {
    which: Pick,
    upper: bool,
}

#[derive(Clone, Debug)]
enum Edit {
    Set(SecPick, KeyPick, String),
    Unset(SecPick, KeyPick),
    SetSub(SecPick, KeyPick, KeyPick, String),
    UnsetSub(SecPick, KeyPick, KeyPick),
    Remove(SecPick),
    Rename(SecPick, Pick),
    Add(SecPick),
    Copy(SecPick, Pick),
}

fn pick(fresh: BoxedStrategy<String>) -> impl Strategy<Value = Pick> {
    prop_oneof![3 => any::<Index>().prop_map(Pick::Existing), 1 => fresh.prop_map(Pick::Fresh)]
}

fn sec_pick() -> impl Strategy<Value = SecPick> {
    let cat = prop_oneof![
        8 => Just(Cat::Profile),
        1 => Just(Cat::SsoSession),
        1 => Just(Cat::Services),
    ];
    (cat, pick(ident().boxed())).prop_map(|(cat, which)| SecPick { cat, which })
}

fn key_pick() -> impl Strategy<Value = KeyPick> {
    let fresh = prop_oneof![pool(KEYS), "[A-Za-z0-9_./%@:+-]{1,8}"].boxed();
    (pick(fresh), prop::bool::weighted(0.2)).prop_map(|(which, upper)| KeyPick { which, upper })
}

/// A value every SDK reads the same way: no line break, no surrounding whitespace, no `#`/`;`.
fn edit_value() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        8 => "[A-Za-z0-9_./:=+@é-]([A-Za-z0-9 _./:=+@é\u{a0}\\[\\]\"'-]{0,10}[A-Za-z0-9_./:=+@é-])?",
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (sec_pick(), key_pick(), edit_value()).prop_map(|(s, k, v)| Edit::Set(s, k, v)),
        3 => (sec_pick(), key_pick()).prop_map(|(s, k)| Edit::Unset(s, k)),
        3 => (sec_pick(), key_pick(), key_pick(), edit_value())
            .prop_map(|(s, p, k, v)| Edit::SetSub(s, p, k, v)),
        1 => (sec_pick(), key_pick(), key_pick()).prop_map(|(s, p, k)| Edit::UnsetSub(s, p, k)),
        1 => sec_pick().prop_map(Edit::Remove),
        2 => (sec_pick(), pick(ident().boxed())).prop_map(|(s, n)| Edit::Rename(s, n)),
        1 => sec_pick().prop_map(Edit::Add),
        1 => (sec_pick(), pick(ident().boxed())).prop_map(|(s, n)| Edit::Copy(s, n)),
    ]
}

fn choose<T: Clone>(items: &[T], which: &Pick, fallback: T, fresh: impl FnOnce(&str) -> T) -> T {
    match which {
        Pick::Existing(i) if !items.is_empty() => items[i.index(items.len())].clone(),
        Pick::Existing(_) => fallback,
        Pick::Fresh(name) => fresh(name),
    }
}

fn section_name(model: &Model, p: &SecPick) -> String {
    let names: Vec<String> = model
        .keys()
        .filter(|(cat, _)| *cat == p.cat)
        .map(|(_, name)| name.clone())
        .collect();
    choose(&names, &p.which, "new-one".to_owned(), str::to_owned)
}

fn key_name(props: Option<&Props>, p: &KeyPick) -> String {
    let keys: Vec<String> = props
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default();
    let key = choose(&keys, &p.which, "region".to_owned(), str::to_owned);
    if p.upper {
        key.to_ascii_uppercase()
    } else {
        key
    }
}

fn sub_key_name(parent: Option<&Val>, p: &KeyPick) -> String {
    let keys: Vec<String> = match parent {
        Some(Val::Nested(subs)) => subs
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| lanyard_ini::is_identifier(k))
            .collect(),
        _ => Vec::new(),
    };
    let key = choose(&keys, &p.which, "endpoint_url".to_owned(), str::to_owned);
    if p.upper {
        key.to_ascii_uppercase()
    } else {
        key
    }
}

/// Which lines an edit may add or remove, by kind of line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum LineClass {
    Blank,
    Comment,
    Header,
    Indented,
    Property,
}

fn classify(line: &str) -> LineClass {
    if line.trim_matches([' ', '\t']).is_empty() {
        LineClass::Blank
    } else if line.starts_with(['#', ';']) {
        LineClass::Comment
    } else if line.starts_with('[') {
        LineClass::Header
    } else if line.starts_with([' ', '\t']) {
        LineClass::Indented
    } else {
        LineClass::Property
    }
}

/// What an edit is expected to do to the lines of the document.
#[derive(Debug)]
enum Footprint {
    /// Nothing changes (a refused edit or a no-op).
    None,
    /// Lines are only inserted, at most this many of each class.
    Insert(&'static [(LineClass, usize)]),
    /// Lines of these classes are only removed.
    Remove(&'static [LineClass]),
    /// Property lines replaced one for one, indented lines under them removed.
    ReplaceProperty,
    /// Indented lines replaced one for one.
    ReplaceIndented,
    /// Header lines replaced one for one.
    ReplaceHeaders,
    /// Removal of sections: anything may go, but nothing is added.
    RemoveSection(Cat, String),
    /// `copy_section`: a header, perhaps a blank line, then property and indented lines.
    Copy,
}

const NEW_SECTION_WITH_PROPERTY: &[(LineClass, usize)] = &[
    (LineClass::Blank, 1),
    (LineClass::Header, 1),
    (LineClass::Property, 1),
];
const NEW_PROPERTY: &[(LineClass, usize)] = &[(LineClass::Property, 1)];
const NEW_SUB_PROPERTY: &[(LineClass, usize)] = &[
    (LineClass::Blank, 1),
    (LineClass::Header, 1),
    (LineClass::Property, 1),
    (LineClass::Indented, 1),
];
const NEW_SECTION: &[(LineClass, usize)] = &[(LineClass::Blank, 1), (LineClass::Header, 1)];

/// Outcome of an edit as the model predicts it.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    /// `Ok(())`, `Ok(Some/None warning)`
    Ok,
    /// `Ok(bool)`, with the bool when the model can tell.
    Bool(Option<bool>),
    Err,
}

struct Step {
    expect: Expect,
    footprint: Footprint,
    /// A key whose new value the model cannot predict from the merged view alone (an
    /// `unset_sub_property` that removes the winning block can uncover an earlier one).
    adopt: Option<((Cat, String), String)>,
}

/// Applies `edit` to the document and the model; returns the prediction and what happened.
fn apply(
    doc: &mut Document,
    model: &mut Model,
    edit: &Edit,
) -> (Step, Result<Option<bool>, String>) {
    let kind = doc.kind();
    let before = doc.render();
    let wrong_file = |cat: Cat| kind == Kind::Credentials && cat != Cat::Profile;
    let unit = |r: Result<_, lanyard_ini::EditError>| r.map(|_| None).map_err(|e| e.to_string());
    let flag = |r: Result<bool, lanyard_ini::EditError>| r.map(Some).map_err(|e| e.to_string());
    match edit {
        Edit::Set(s, k, value) => {
            let name = section_name(model, s);
            let id = (s.cat, name.clone());
            let key = key_name(model.get(&id), k);
            let result = unit(doc.set(&s.cat.id(&name), &key, value));
            if wrong_file(s.cat) {
                return (step(Expect::Err, Footprint::None), result);
            }
            let footprint = match model.get(&id) {
                None => Footprint::Insert(NEW_SECTION_WITH_PROPERTY),
                Some(props) if props.contains_key(&key.to_ascii_lowercase()) => {
                    Footprint::ReplaceProperty
                }
                Some(_) => Footprint::Insert(NEW_PROPERTY),
            };
            model
                .entry(id)
                .or_default()
                .insert(key.to_ascii_lowercase(), Val::new(value));
            (step(Expect::Ok, footprint), result)
        }
        Edit::Unset(s, k) => {
            let name = section_name(model, s);
            let id = (s.cat, name.clone());
            let key = key_name(model.get(&id), k);
            let result = flag(doc.unset(&s.cat.id(&name), &key));
            let removed = model
                .get_mut(&id)
                .and_then(|p| p.remove(&key.to_ascii_lowercase()))
                .is_some();
            let footprint = if removed {
                Footprint::Remove(&[LineClass::Property, LineClass::Indented])
            } else {
                Footprint::None
            };
            (step(Expect::Bool(Some(removed)), footprint), result)
        }
        Edit::SetSub(s, p, k, value) => {
            let name = section_name(model, s);
            let id = (s.cat, name.clone());
            let parent = key_name(model.get(&id), p);
            let parent_lower = parent.to_ascii_lowercase();
            let current = model.get(&id).and_then(|props| props.get(&parent_lower));
            let sub = sub_key_name(current, k);
            let result = unit(doc.set_sub_property(&s.cat.id(&name), &parent, &sub, value));
            if wrong_file(s.cat) {
                return (step(Expect::Err, Footprint::None), result);
            }
            let (new, footprint) = match current {
                Some(Val::Plain(_)) => {
                    return (step(Expect::Err, Footprint::None), result);
                }
                None => (
                    Val::Nested(vec![(sub.to_ascii_lowercase(), value.clone())]),
                    Footprint::Insert(NEW_SUB_PROPERTY),
                ),
                Some(Val::Nested(subs)) => {
                    let mut subs = subs.clone();
                    match subs
                        .iter()
                        .rposition(|(key, _)| key.eq_ignore_ascii_case(&sub))
                    {
                        Some(i) => {
                            subs[i].1 = value.clone();
                            (Val::Nested(subs), Footprint::ReplaceIndented)
                        }
                        None => {
                            subs.push((sub.to_ascii_lowercase(), value.clone()));
                            (Val::Nested(subs), Footprint::Insert(NEW_SUB_PROPERTY))
                        }
                    }
                }
            };
            model.entry(id).or_default().insert(parent_lower, new);
            (step(Expect::Ok, footprint), result)
        }
        Edit::UnsetSub(s, p, k) => {
            let name = section_name(model, s);
            let id = (s.cat, name.clone());
            let parent = key_name(model.get(&id), p);
            let parent_lower = parent.to_ascii_lowercase();
            let current = model
                .get(&id)
                .and_then(|props| props.get(&parent_lower))
                .cloned();
            let sub = sub_key_name(current.as_ref(), k);
            let result = flag(doc.unset_sub_property(&s.cat.id(&name), &parent, &sub));
            let footprint = Footprint::Remove(&[LineClass::Property, LineClass::Indented]);
            let mut adopt = None;
            // Blocks of the same key that the winner shadows may change (or go) unseen.
            let mut expect = Expect::Bool(None);
            if let Some(Val::Nested(subs)) = current {
                let rest: Vec<_> = subs
                    .iter()
                    .filter(|(key, _)| !key.eq_ignore_ascii_case(&sub))
                    .cloned()
                    .collect();
                if rest.len() < subs.len() {
                    expect = Expect::Bool(Some(true));
                    if rest.is_empty() {
                        model.get_mut(&id).expect("section").remove(&parent_lower);
                        adopt = Some((id, parent_lower));
                    } else {
                        model
                            .get_mut(&id)
                            .expect("section")
                            .insert(parent_lower, Val::Nested(rest));
                    }
                }
            }
            (
                Step {
                    expect,
                    footprint,
                    adopt,
                },
                result,
            )
        }
        Edit::Remove(s) => {
            let name = section_name(model, s);
            let result = flag(doc.remove_section(&s.cat.id(&name)));
            let existed = model.remove(&(s.cat, name.clone())).is_some();
            let footprint = if existed {
                Footprint::RemoveSection(s.cat, name)
            } else {
                Footprint::None
            };
            (step(Expect::Bool(Some(existed)), footprint), result)
        }
        Edit::Rename(s, to) => {
            let name = section_name(model, s);
            let names: Vec<String> = model
                .keys()
                .filter(|(cat, _)| *cat == s.cat)
                .map(|(_, n)| n.clone())
                .collect();
            let new_name = choose(&names, to, "renamed".to_owned(), str::to_owned);
            let result = flag(doc.rename_section(&s.cat.id(&name), &new_name));
            let taken = new_name != name && model.contains_key(&(s.cat, new_name.clone()));
            if wrong_file(s.cat) || taken {
                return (step(Expect::Err, Footprint::None), result);
            }
            if !model.contains_key(&(s.cat, name.clone())) {
                return (step(Expect::Bool(Some(false)), Footprint::None), result);
            }
            if new_name == name {
                return (step(Expect::Bool(Some(true)), Footprint::None), result);
            }
            // Renaming `default` would uncover a `[default]` that `[profile default]` hides.
            if kind == Kind::Config
                && s.cat == Cat::Profile
                && name == "default"
                && hidden_default(&before)
            {
                return (step(Expect::Err, Footprint::None), result);
            }
            match model.remove(&(s.cat, name.clone())) {
                None => unreachable!("checked above"),
                Some(props) => {
                    model.insert((s.cat, new_name), props);
                    (
                        step(Expect::Bool(Some(true)), Footprint::ReplaceHeaders),
                        result,
                    )
                }
            }
        }
        Edit::Add(s) => {
            let name = section_name(model, s);
            let result = flag(doc.add_section(&s.cat.id(&name)));
            if wrong_file(s.cat) {
                return (step(Expect::Err, Footprint::None), result);
            }
            let id = (s.cat, name);
            let added = !model.contains_key(&id);
            model.entry(id).or_default();
            let footprint = if added {
                Footprint::Insert(NEW_SECTION)
            } else {
                Footprint::None
            };
            (step(Expect::Bool(Some(added)), footprint), result)
        }
        Edit::Copy(s, to) => {
            let name = section_name(model, s);
            let names: Vec<String> = model
                .keys()
                .filter(|(cat, _)| *cat == s.cat)
                .map(|(_, n)| n.clone())
                .collect();
            let new_name = choose(&names, to, "copied".to_owned(), str::to_owned);
            let result = doc
                .copy_section(&s.cat.id(&name), &s.cat.id(&new_name))
                .map(|()| None)
                .map_err(|e| e.to_string());
            let from = model.get(&(s.cat, name)).cloned();
            match from {
                Some(props) if !model.contains_key(&(s.cat, new_name.clone())) => {
                    model.insert((s.cat, new_name), props);
                    (step(Expect::Ok, Footprint::Copy), result)
                }
                _ => (step(Expect::Err, Footprint::None), result),
            }
        }
    }
}

fn step(expect: Expect, footprint: Footprint) -> Step {
    Step {
        expect,
        footprint,
        adopt: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Line-level checks
// ---------------------------------------------------------------------------------------------

/// Splits rendered text into (line, ends with CRLF, ends with a newline at all).
fn lines_of(text: &str) -> Vec<(&str, bool, bool)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('\n') {
            Some(i) => {
                let line = &rest[..i];
                match line.strip_suffix('\r') {
                    Some(l) => lines.push((l, true, true)),
                    None => lines.push((line, false, true)),
                }
                rest = &rest[i + 1..];
            }
            None => {
                lines.push((rest, false, false));
                rest = "";
            }
        }
    }
    lines
}

/// The longest common subsequence of two lists of lines: (matched pairs, old-only, new-only).
type Diff = (Vec<(usize, usize)>, Vec<usize>, Vec<usize>);

fn diff(n: usize, m: usize, same: impl Fn(usize, usize) -> bool) -> Diff {
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if same(i, j) {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut matched, mut removed, mut added) = (Vec::new(), Vec::new(), Vec::new());
    while i < n && j < m {
        if same(i, j) {
            matched.push((i, j));
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            removed.push(i);
            i += 1;
        } else {
            added.push(j);
            j += 1;
        }
    }
    removed.extend(i..n);
    added.extend(j..m);
    (matched, removed, added)
}

fn class_counts<'a>(lines: impl Iterator<Item = &'a str>) -> HashMap<LineClass, usize> {
    let mut counts = HashMap::new();
    for line in lines {
        *counts.entry(classify(line)).or_insert(0) += 1;
    }
    counts
}

/// Splits a header line into prefix and name the way the specification does.
fn split_header_line(line: &str) -> Option<(Option<&str>, &str)> {
    const WS: [char; 2] = [' ', '\t'];
    if !line.starts_with('[') {
        return None;
    }
    let cut = line.find(['#', ';']).unwrap_or(line.len());
    let inner = line[..cut]
        .trim_matches(WS)
        .strip_prefix('[')?
        .strip_suffix(']')?
        .trim_matches(WS);
    Some(match inner.find(WS) {
        Some(i) => (Some(&inner[..i]), inner[i..].trim_matches(WS)),
        None => (None, inner),
    })
}

/// Whether a config file has a `[default]` that a `[profile default]` hides.
fn hidden_default(text: &str) -> bool {
    let headers: Vec<_> = lines_of(text)
        .into_iter()
        .filter_map(|l| split_header_line(l.0))
        .collect();
    headers.contains(&(None, "default")) && headers.contains(&(Some("profile"), "default"))
}

/// Parses a header line the way the specification does, and says which section it declares.
fn header_id(line: &str, kind: Kind) -> Option<(Cat, String)> {
    let (prefix, name) = split_header_line(line)?;
    let cat = match (kind, prefix) {
        (Kind::Config, None) if name == "default" => Cat::Profile,
        (Kind::Config, Some("profile")) => Cat::Profile,
        (Kind::Config, Some("sso-session")) => Cat::SsoSession,
        (Kind::Config, Some("services")) => Cat::Services,
        (Kind::Credentials, None) => Cat::Profile,
        _ => return None,
    };
    Some((cat, name.to_owned()))
}

/// Checks the line-level change from `before` to `after` against the footprint; returns the
/// comment lines `after` must have.
fn check_lines(
    before: &str,
    after: &str,
    kind: Kind,
    footprint: &Footprint,
) -> Result<Vec<String>, TestCaseError> {
    let old = lines_of(before);
    let new = lines_of(after);
    let old_text: Vec<&str> = old.iter().map(|l| l.0).collect();
    let new_text: Vec<&str> = new.iter().map(|l| l.0).collect();
    prop_assert_eq!(
        before.starts_with('\u{feff}'),
        after.starts_with('\u{feff}'),
        "BOM kept"
    );
    if let (Some(o), Some(n)) = (old.last(), new.last()) {
        prop_assert_eq!(o.2, n.2, "final newline kept");
    }
    // Lines match when their text and line ending do; a last line without a line ending may
    // gain one (text added after it) and a line may lose its own (lines after it removed).
    let (n, m) = (old.len(), new.len());
    let (matched, mut removed, added) = diff(n, m, |i, j| {
        old[i].0 == new[j].0
            && (old[i].1 == new[j].1 || (i + 1 == n && !old[i].2) || (j + 1 == m && !new[j].2))
    });
    for &(i, j) in &matched {
        if i + 1 < n && j + 1 < m {
            prop_assert_eq!(
                old[i].1,
                new[j].1,
                "line ending of kept line {} changed",
                i + 1
            );
        }
    }
    // Empty lines at the end of a file without a final newline go when the lines after them
    // do: kept, they would end the file with a newline.
    if old.last().is_some_and(|l| !l.2) {
        let mut tail = n;
        while tail > 0 && removed.contains(&(tail - 1)) {
            tail -= 1;
        }
        removed.retain(|&i| i < tail || !old_text[i].is_empty());
    }
    let removed_classes = class_counts(removed.iter().map(|&i| old_text[i]));
    let added_classes = class_counts(added.iter().map(|&j| new_text[j]));
    let only = |counts: &HashMap<LineClass, usize>, allowed: &[LineClass]| {
        counts.keys().all(|c| allowed.contains(c))
    };
    let context = || format!("{footprint:?}\nremoved {removed_classes:?}\nadded {added_classes:?}");
    match footprint {
        Footprint::None => prop_assert_eq!(before, after),
        Footprint::Insert(limits) => {
            prop_assert!(removed.is_empty(), "{}", context());
            for (class, count) in &added_classes {
                let limit = limits
                    .iter()
                    .find(|(c, _)| c == class)
                    .map_or(0, |(_, n)| *n);
                prop_assert!(*count <= limit, "{}", context());
            }
            prop_assert!(!added.is_empty(), "{}", context());
        }
        Footprint::Remove(allowed) => {
            prop_assert!(added.is_empty(), "{}", context());
            prop_assert!(only(&removed_classes, allowed), "{}", context());
        }
        Footprint::ReplaceProperty => {
            let r = removed_classes
                .get(&LineClass::Property)
                .copied()
                .unwrap_or(0);
            let a = added_classes
                .get(&LineClass::Property)
                .copied()
                .unwrap_or(0);
            prop_assert!(r == a && a <= 1, "{}", context());
            prop_assert!(
                only(
                    &removed_classes,
                    &[LineClass::Property, LineClass::Indented]
                ),
                "{}",
                context()
            );
            prop_assert!(
                only(&added_classes, &[LineClass::Property]),
                "{}",
                context()
            );
        }
        Footprint::ReplaceIndented => {
            prop_assert!(
                removed.len() == added.len() && added.len() <= 1,
                "{}",
                context()
            );
            prop_assert!(
                only(&removed_classes, &[LineClass::Indented]),
                "{}",
                context()
            );
            prop_assert!(
                only(&added_classes, &[LineClass::Indented]),
                "{}",
                context()
            );
        }
        Footprint::ReplaceHeaders => {
            prop_assert_eq!(old.len(), new.len(), "{}", context());
            prop_assert!(
                only(&removed_classes, &[LineClass::Header]),
                "{}",
                context()
            );
            prop_assert!(only(&added_classes, &[LineClass::Header]), "{}", context());
        }
        Footprint::RemoveSection(..) => {
            prop_assert!(added.is_empty(), "{}", context());
            prop_assert!(!removed.is_empty(), "{}", context());
        }
        Footprint::Copy => {
            prop_assert!(removed.is_empty(), "{}", context());
            prop_assert_eq!(
                added_classes.get(&LineClass::Header).copied(),
                Some(1),
                "{}",
                context()
            );
            prop_assert!(
                added_classes.get(&LineClass::Blank).copied().unwrap_or(0) <= 1,
                "{}",
                context()
            );
            prop_assert!(
                only(
                    &added_classes,
                    &[
                        LineClass::Header,
                        LineClass::Blank,
                        LineClass::Property,
                        LineClass::Indented
                    ]
                ),
                "{}",
                context()
            );
        }
    }
    // Comment lines: all kept, in order, except those directly above a removed header and
    // those inside a removed section.
    let mut doomed = vec![false; old.len()];
    if let Footprint::RemoveSection(cat, name) = footprint {
        for (i, line) in old_text.iter().enumerate() {
            if header_id(line, kind).as_ref() == Some(&(*cat, name.clone())) {
                let mut j = i;
                while j > 0 && classify(old_text[j - 1]) == LineClass::Comment {
                    j -= 1;
                    doomed[j] = true;
                }
                // Comments between the section's properties go with them; comments after its
                // last property stay.
                let next = (i + 1..old.len())
                    .find(|&k| classify(old_text[k]) == LineClass::Header)
                    .unwrap_or(old.len());
                let last = (i + 1..next).rev().find(|&k| {
                    matches!(
                        classify(old_text[k]),
                        LineClass::Property | LineClass::Indented
                    )
                });
                if let Some(last) = last {
                    doomed[i + 1..last].fill(true);
                }
            }
        }
    }
    Ok(old_text
        .iter()
        .enumerate()
        .filter(|&(i, line)| classify(line) == LineClass::Comment && !doomed[i])
        .map(|(_, line)| (*line).to_owned())
        .collect())
}

fn comments(text: &str) -> Vec<String> {
    lines_of(text)
        .into_iter()
        .filter(|l| classify(l.0) == LineClass::Comment)
        .map(|l| l.0.to_owned())
        .collect()
}

fn lint_counts(doc: &Document) -> HashMap<LintCode, usize> {
    let mut counts = HashMap::new();
    for lint in doc.lints() {
        *counts.entry(lint.code).or_insert(0) += 1;
    }
    counts
}

fn check_edits(text: &str, kind: Kind, edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut doc = Document::parse(text, kind);
    prop_assert!(
        doc.errors().is_empty(),
        "the generator made an invalid document: {:?}",
        doc.errors()
    );
    let mut model = project(&doc.sections().expect("valid"));
    for (n, edit) in edits.iter().enumerate() {
        let before = doc.render();
        let lints_before = lint_counts(&doc);
        let (step, result) = apply(&mut doc, &mut model, edit);
        let after = doc.render();
        let context = format!(
            "edit #{n} {edit:?}\n--- before\n{before}\n--- after\n{after}\n--- result {result:?}"
        );
        match (&step.expect, &result) {
            (Expect::Err, Err(_)) | (Expect::Ok, Ok(None)) | (Expect::Bool(None), Ok(Some(_))) => {}
            (Expect::Bool(Some(b)), Ok(Some(r))) if b == r => {}
            _ => prop_assert!(false, "expected {:?}\n{}", step.expect, context),
        }
        if result.is_err() {
            prop_assert_eq!(
                &before,
                &after,
                "a refused edit changed the document\n{}",
                context
            );
        }

        // No new spec error, and the view is the model.
        prop_assert!(doc.errors().is_empty(), "{:?}\n{}", doc.errors(), context);
        let view = doc.sections().expect("no errors");
        let actual = project(&view);
        if let Some((id, key)) = &step.adopt {
            if let Some(value) = actual.get(id).and_then(|props| props.get(key)) {
                model
                    .get_mut(id)
                    .expect("section kept")
                    .insert(key.clone(), value.clone());
            }
        }
        if actual != model {
            // Show only the sections that differ.
            let differ: BTreeSet<&(Cat, String)> = actual
                .keys()
                .chain(model.keys())
                .filter(|id| actual.get(*id) != model.get(*id))
                .collect();
            let show = |m: &Model| {
                let sections: Vec<_> = differ.iter().map(|id| (*id, m.get(*id))).collect();
                format!("{sections:?}")
            };
            prop_assert!(
                false,
                "view differs from the model\nactual {}\nexpected {}\n{}",
                show(&actual),
                show(&model),
                context
            );
        }

        // The text reads back the same, line for line.
        let reparsed = Document::parse(&after, kind);
        prop_assert_eq!(reparsed.render(), after.clone());
        // What the store writes, and whether it writes at all, agree with the rendering.
        let mut written = Vec::new();
        doc.write_to(&mut written).expect("writing to memory");
        prop_assert_eq!(String::from_utf8(written).expect("UTF-8"), after.clone());
        prop_assert_eq!(doc.is_unchanged(), after == text, "{}", context);
        let reread = reparsed.sections();
        prop_assert_eq!(reread.as_ref(), Ok(&view), "{}", context);

        // Untouched lines are kept; comments are kept, in order.
        let expected_comments = check_lines(&before, &after, kind, &step.footprint)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{context}")))?;
        prop_assert_eq!(comments(&after), expected_comments, "{}", context);

        // No new lint: edits never create duplicates, ignored sections or keys.
        let lints_after = lint_counts(&doc);
        for (code, count) in &lints_after {
            let allowed = lints_before.get(code).copied().unwrap_or(0);
            // copy_section copies lines as they are: comments and sub-property lines included.
            let copied = matches!(
                code,
                LintCode::IndentedComment | LintCode::InlineComment | LintCode::IgnoredKey
            ) && matches!(edit, Edit::Copy(..));
            prop_assert!(
                *count <= allowed || copied,
                "new {:?} lint\n{}",
                code,
                context
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn edits_change_exactly_the_edited_keys_in_config_files(
        text in valid_document(Kind::Config),
        edits in vec(edit(), 1..12),
    ) {
        check_edits(&text, Kind::Config, &edits)?;
    }

    #[test]
    fn edits_change_exactly_the_edited_keys_in_credentials_files(
        text in valid_document(Kind::Credentials),
        edits in vec(edit(), 1..12),
    ) {
        check_edits(&text, Kind::Credentials, &edits)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Sanity checks of the helpers above
// ---------------------------------------------------------------------------------------------

#[test]
fn the_line_diff_finds_insertions_and_removals() {
    let (old, new) = (["a", "b", "c"], ["a", "x", "c", "d"]);
    let (matched, removed, added) = diff(3, 4, |i, j| old[i] == new[j]);
    assert_eq!(matched, [(0, 0), (2, 2)]);
    assert_eq!(removed, [1]);
    assert_eq!(added, [1, 3]);
}

#[test]
fn header_ids_follow_the_spec() {
    assert_eq!(
        header_id("[ profile\tA ] # c", Kind::Config),
        Some((Cat::Profile, "A".into()))
    );
    assert_eq!(
        header_id("[default]", Kind::Config),
        Some((Cat::Profile, "default".into()))
    );
    assert_eq!(
        header_id("[sso-session s];c", Kind::Config),
        Some((Cat::SsoSession, "s".into()))
    );
    assert_eq!(header_id("[profile a]", Kind::Credentials), None);
    assert_eq!(header_id("[a]", Kind::Config), None);
}
