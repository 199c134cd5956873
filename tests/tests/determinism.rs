//! The generator's output depends on the catalog and nothing else.
//!
//! - Generating twice from one model gives identical bytes, for the real catalogs and the tiny
//!   fixture.
//! - A separate process, started in another current directory with a different environment
//!   (locale, time zone, `SOURCE_DATE_EPOCH`, `HOME`…) and therefore other hash seeds, loading
//!   the catalog through a relative path from a copy in another place, generates the same
//!   bytes.
//! - Listing the tiny catalog's events in another order is meaningful, and changes exactly
//!   this: in `platforms/tiny.rs` the order of the `Topic` variants, of `Topic::ALL`, of the
//!   match arms and the index each topic has (`Topic::index`); in `docs/tiny.md` (and its JSON
//!   schema, if any) the order of the events. No line appears or disappears other than index
//!   numbers, and every other file is byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::OutputFile;
use commerce_webhooks_tests::{catalog_dir, copy_tree, fixture};

fn generate(catalog: &Path) -> Vec<OutputFile> {
    let model = codegen::load(catalog).unwrap_or_else(|d| panic!("{} does not load:\n{d}", catalog.display()));
    codegen::emit::generate(&model)
}

fn by_path(files: Vec<OutputFile>) -> BTreeMap<PathBuf, String> {
    files.into_iter().map(|file| (file.path, file.contents)).collect()
}

#[test]
fn generating_twice_gives_identical_bytes() {
    for catalog in [catalog_dir(), fixture("tiny/catalog")] {
        let model = codegen::load(&catalog).unwrap();
        let first = codegen::emit::generate(&model);
        let second = codegen::emit::generate(&model);
        assert_eq!(first, second, "{}", catalog.display());
        assert_eq!(first, generate(&catalog), "{}: loading again changes the output", catalog.display());
    }
}

/// Where [`child_process_generates_into_the_folder_it_is_given`] writes its output.
const CHILD_OUT: &str = "DETERMINISM_CHILD_OUT";
/// The catalog the child loads, relative to its current directory.
const CHILD_CATALOG: &str = "DETERMINISM_CHILD_CATALOG";

/// Does nothing in a normal run. Started by the test below in another directory and
/// environment, it generates from the relative catalog path it is given and writes each
/// output file under the folder it is given.
#[test]
fn child_process_generates_into_the_folder_it_is_given() {
    let (Some(out), Some(catalog)) = (std::env::var_os(CHILD_OUT), std::env::var_os(CHILD_CATALOG)) else { return };
    assert!(Path::new(&catalog).is_relative());
    for file in generate(Path::new(&catalog)) {
        let target = Path::new(&out).join(&file.path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, file.contents).unwrap();
    }
}

#[test]
fn another_process_directory_and_environment_generate_the_same_bytes() {
    for (name, catalog) in [("real", catalog_dir()), ("tiny", fixture("tiny/catalog"))] {
        let expected = by_path(generate(&catalog));
        let elsewhere = tempfile::tempdir().unwrap();
        copy_tree(&catalog, &elsewhere.path().join("moved/catalog"));
        let out = tempfile::tempdir().unwrap();
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["child_process_generates_into_the_folder_it_is_given", "--exact", "--test-threads=1"])
            .current_dir(elsewhere.path().join("moved"))
            .env(CHILD_OUT, out.path())
            .env(CHILD_CATALOG, "catalog")
            .env("LANG", "tr_TR.UTF-8")
            .env("LC_ALL", "tr_TR.UTF-8")
            .env("TZ", "Pacific/Kiritimati")
            .env("SOURCE_DATE_EPOCH", "0")
            .env("HOME", elsewhere.path())
            .env("RUST_MIN_STACK", "16777216")
            .env("CARGO_MANIFEST_DIR", elsewhere.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: the child process failed:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        let mut failures = Vec::new();
        for (path, contents) in &expected {
            match std::fs::read_to_string(out.path().join(path)) {
                Ok(theirs) if &theirs == contents => {}
                Ok(_) => failures.push(format!("{name}: {} differs", path.display())),
                Err(e) => failures.push(format!("{name}: {} was not generated: {e}", path.display())),
            }
        }
        let mut generated = 0;
        count_files(out.path(), &mut generated);
        assert_eq!(generated, expected.len(), "{name}: the child generated other files");
        commerce_webhooks_tests::assert_no_failures("outputs that depend on the process", &failures);
    }
}

fn count_files(dir: &Path, count: &mut usize) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            count_files(&path, count);
        } else {
            *count += 1;
        }
    }
}

/// The tiny catalog's `events:` items, as text blocks, and what precedes them.
fn split_events(text: &str) -> (String, Vec<String>) {
    let (head, events) = text.split_once("events:\n").expect("tiny.yaml has `events:`");
    let mut items: Vec<String> = Vec::new();
    for line in events.lines() {
        if line.starts_with("  - ") {
            items.push(String::new());
        }
        let item = items.last_mut().expect("events start with an item");
        item.push_str(line);
        item.push('\n');
    }
    (format!("{head}events:\n"), items)
}

/// Index numbers are the one content that follows the order: `Some(2)` → `Some(#)`.
fn without_indexes(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("Some(") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && rest[digits..].starts_with(')') {
            out.push('#');
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

fn sorted_lines(text: &str, normalize: fn(&str) -> String) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(normalize).collect();
    lines.sort();
    lines
}

/// The order in which `needles` first appear in `text`.
fn order_in(text: &str, needles: &[String]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = needles
        .iter()
        .map(|n| (text.find(n.as_str()).unwrap_or_else(|| panic!("`{n}` not found")), n.clone()))
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

#[test]
fn reordering_events_changes_only_the_order_of_topics() {
    let original = fixture("tiny/catalog");
    let text = std::fs::read_to_string(original.join("tiny.yaml")).unwrap();
    let (head, events) = split_events(&text);
    assert_eq!(events.len(), 7, "the tiny catalog has seven events");
    let reversed: String = events.iter().rev().cloned().collect();
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(&original, scratch.path());
    std::fs::write(scratch.path().join("tiny.yaml"), format!("{head}{reversed}")).unwrap();

    let before = by_path(generate(&original));
    let after = by_path(generate(scratch.path()));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "the same files");

    let rust = Path::new("generated/src/platforms/tiny.rs");
    let docs = Path::new("generated/docs/tiny.md");
    let changed: Vec<&PathBuf> = before.keys().filter(|path| before[*path] != after[*path]).collect();
    for path in &changed {
        let is_tiny_schema = path.starts_with("generated/schema") && path.to_string_lossy().contains("tiny");
        assert!(
            path.as_path() == rust || path.as_path() == docs || is_tiny_schema,
            "{} changed; only the tiny module, its docs and its schema may",
            path.display()
        );
    }
    assert!(changed.iter().any(|p| p.as_path() == rust) && changed.iter().any(|p| p.as_path() == docs));
    eprintln!("files changed by the new event order: {changed:?}");

    // The same lines, in another order; in the Rust module, index numbers also move.
    for path in &changed {
        let normalize: fn(&str) -> String = if path.as_path() == rust { without_indexes } else { str::to_owned };
        assert_eq!(
            sorted_lines(&before[*path], normalize),
            sorted_lines(&after[*path], normalize),
            "{}: lines other than the order changed",
            path.display()
        );
    }

    // The new order is the catalog's: `Topic::ALL` and the docs' events table follow it.
    let variants = ["OrdersCreate", "OrdersDelete", "ProductsUpdate", "VariantRemoved"];
    let all_block = |text: &str| {
        let start = text.find("pub const ALL: &'static [Topic]").expect("Topic::ALL");
        text[start..start + text[start..].find("];").unwrap()].to_owned()
    };
    let needles: Vec<String> = variants.iter().map(|v| format!("Topic::{v}")).collect();
    let reversed_needles: Vec<String> = needles.iter().rev().cloned().collect();
    assert_eq!(order_in(&all_block(&before[rust]), &needles), needles);
    assert_eq!(order_in(&all_block(&after[rust]), &needles), reversed_needles);
    let rows: Vec<String> = ["orders-create", "orders-delete", "products-update", "products-variant-deleted"]
        .iter()
        .map(|anchor| format!("<a id=\"{anchor}\"></a>"))
        .collect();
    let reversed_rows: Vec<String> = rows.iter().rev().cloned().collect();
    assert_eq!(order_in(&before[docs], &rows), rows);
    assert_eq!(order_in(&after[docs], &rows), reversed_rows);
}
