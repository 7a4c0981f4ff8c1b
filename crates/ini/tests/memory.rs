//! What a large file costs in memory: the heap that parsing and the semantic view keep, per
//! line and per property, counted by a global allocator. A file of hundreds of thousands of
//! profiles must stay a small multiple of its size; these bounds fail long before that breaks
//! (a B-tree node per section, a second copy of every key, spare room left in the vectors).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use lanyard_ini::{Document, Kind, Sections};

/// Counts the bytes and blocks this thread holds. (Per thread: the test harness runs other
/// threads beside the test.)
struct Counting;

thread_local! {
    static BYTES: Cell<isize> = const { Cell::new(0) };
    static BLOCKS: Cell<isize> = const { Cell::new(0) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count(bytes: isize, blocks: isize) {
    let _ = BYTES.try_with(|b| b.set(b.get() + bytes));
    let _ = BLOCKS.try_with(|b| b.set(b.get() + blocks));
    if blocks > 0 {
        let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize, 1);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize), -1);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            count(new_size as isize - layout.size() as isize, 0);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` returns (still held), the bytes and blocks it leaves allocated, and how many
/// blocks it allocated in all.
fn held<T>(f: impl FnOnce() -> T) -> (T, usize, usize, usize) {
    let before = (
        BYTES.with(Cell::get),
        BLOCKS.with(Cell::get),
        ALLOCATIONS.with(Cell::get),
    );
    let value = f();
    let bytes = BYTES.with(Cell::get) - before.0;
    let blocks = BLOCKS.with(Cell::get) - before.1;
    let allocations = ALLOCATIONS.with(Cell::get) - before.2;
    (
        value,
        bytes.max(0) as usize,
        blocks.max(0) as usize,
        allocations,
    )
}

/// A config file like a large organisation's: assume-role profiles under a few base
/// profiles, some with an `s3` block of sub-properties and keys written in capitals.
fn config(profiles: usize) -> String {
    let mut text = String::from("# generated\n[default]\nregion = us-east-1\noutput = json\n\n");
    for i in 0..profiles {
        let root = i - i % 100;
        text.push_str(&format!(
            "[profile p{i:06}]\nregion = eu-west-{}\noutput = json\n",
            i % 3
        ));
        if i == root {
            text.push_str(&format!("credential_process = /usr/bin/creds p{i:06}\n"));
        } else {
            text.push_str(&format!(
                "role_arn = arn:aws:iam::{:012}:role/Role{}\nsource_profile = p{root:06}\n",
                i * 7919,
                i % 7
            ));
        }
        if i % 10 == 3 {
            text.push_str("s3 =\n    addressing_style = path\n    max_concurrent_requests = 20\n");
        }
        if i % 50 == 7 {
            text.push_str("Duration_Seconds = 3600\n");
        }
        text.push('\n');
    }
    text
}

#[test]
fn a_large_file_and_its_view_stay_a_small_multiple_of_its_size() {
    let text = config(20_000);
    let (size, lines) = (text.len(), text.lines().count());
    let (document, document_bytes, _, _) = held(|| Document::parse_string(text, Kind::Config));
    // Eight bytes a line, one for its kind, and the sections (one in six lines): 15.3 bytes
    // a line here. Room left from the first estimate of the line count would be 20.
    assert!(
        document_bytes <= 18 * lines,
        "the document holds {document_bytes} bytes for {lines} lines ({:.1} a line)",
        document_bytes as f64 / lines as f64
    );

    let (view, view_bytes, view_blocks, _) = held(|| document.sections().expect("valid"));
    let properties: usize = view.profiles.values().map(|s| s.properties.len()).sum();
    assert!(properties > 80_000, "{properties}");
    // A property is its key and value, each a `String` of its own, and its place in a slice;
    // a section its name (twice: key and field), headers and its place in a full tree: 150
    // bytes a property here. A tree grown a key at a time would make it 170, a B-tree for
    // each section's properties 380.
    let per_property = view_bytes as f64 / properties as f64;
    assert!(
        per_property <= 165.0,
        "the view holds {view_bytes} bytes for {properties} properties ({per_property:.0} \
         a property) of a {size}-byte file"
    );
    // 3.15 here; a second copy of each key would make it 4.
    let blocks_per_property = view_blocks as f64 / properties as f64;
    assert!(
        blocks_per_property <= 3.5,
        "the view holds {view_blocks} blocks for {properties} properties \
         ({blocks_per_property:.2} a property)"
    );
    // The text itself, its lines and the view: 6.4 times the file here.
    let total = size + document_bytes + view_bytes;
    assert!(
        total <= 7 * size,
        "{total} bytes held for a {size}-byte file"
    );

    // Merging moves the properties of both files: no copy of any of them (two blocks a
    // profile here, for the merged list of its properties; copies would add two a key).
    let credentials: String = (0..2_000)
        .map(|i| {
            format!(
                "[p{:06}]\naws_access_key_id = AKIA{i:016}\nregion = x\n",
                i * 10
            )
        })
        .collect();
    let credentials = Document::parse_string(credentials, Kind::Credentials)
        .sections()
        .expect("valid");
    let (merged, _, _, merge_allocations) = held(|| Sections::merge(view, credentials));
    assert!(
        merge_allocations <= 3 * 2_000,
        "merging 2,000 profiles of 2 keys into the config's allocated {merge_allocations} blocks"
    );
    assert_eq!(
        merged.profiles["p000010"].get("aws_access_key_id"),
        Some("AKIA0000000000000001")
    );
    assert_eq!(merged.profiles["p000010"].get("region"), Some("x"));
    assert_eq!(
        merged.profiles["p000010"].get("source_profile"),
        Some("p000000")
    );
}
