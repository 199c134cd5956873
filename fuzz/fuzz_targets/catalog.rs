//! The catalog loader, `codegen::load`, on a copy of the tiny fixture catalog with one file
//! replaced by the input: never panics; an error has at least one diagnostic, and every
//! diagnostic has a subject, a message and a hint, names a file of the catalog and, where it
//! gives a line, a line inside that file.
//!
//! Input: one selector byte (which file: the platform catalog `tiny.yaml`, its shapes
//! `shapes/tiny.yaml`, `vocabulary.yaml`, or the example `examples/tiny/products_update.json`),
//! then the file's new content.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 4] = ["tiny.yaml", "shapes/tiny.yaml", "vocabulary.yaml", "examples/tiny/products_update.json"];

struct Scratch {
    dir: PathBuf,
    originals: Vec<Vec<u8>>,
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn scratch() -> &'static Scratch {
    static SCRATCH: OnceLock<Scratch> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/tiny/catalog");
        let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("commerce-webhooks-fuzz-catalog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_tree(&fixture, &dir);
        let originals = FILES.iter().map(|name| std::fs::read(dir.join(name)).unwrap()).collect();
        Scratch { dir, originals }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else { return };
    let scratch = scratch();
    let which = usize::from(selector) % FILES.len();
    let path = scratch.dir.join(FILES[which]);
    std::fs::write(&path, content).unwrap();
    let outcome = codegen::load(&scratch.dir);
    // Put the original back before checking, so that a failing check leaves the copy intact.
    std::fs::write(&path, &scratch.originals[which]).unwrap();
    let Err(diagnostics) = outcome else { return };
    assert!(!diagnostics.0.is_empty(), "an error without any diagnostic");
    let _ = diagnostics.to_string();
    for diagnostic in &diagnostics.0 {
        assert!(
            !diagnostic.subject.trim().is_empty() && !diagnostic.message.trim().is_empty() && !diagnostic.hint.trim().is_empty(),
            "a diagnostic lacks a subject, message or hint: {diagnostic}"
        );
        assert!(diagnostic.file.starts_with(&scratch.dir), "a diagnostic names a file outside the catalog: {diagnostic}");
        if let Some(line) = diagnostic.line {
            let bytes = if diagnostic.file == path { content.to_vec() } else { std::fs::read(&diagnostic.file).unwrap_or_default() };
            let lines = bytes.split(|&b| b == b'\n').count();
            assert!(line >= 1 && line <= lines, "line {line} is outside the file ({lines} lines): {diagnostic}");
        }
    }
});
