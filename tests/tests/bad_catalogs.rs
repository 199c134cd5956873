//! The catalog validator against a corpus of broken catalogs, and the promise that a broken
//! catalog writes nothing.
//!
//! Each folder under `tests/fixtures/bad_catalogs/` is a copy of `tests/fixtures/tiny/catalog`
//! with one defect (one folder, `several_defects`, has six) and an `expect.txt` that says what
//! `codegen::load` must report: for every expected error its file, line (`@text` means the
//! first line containing `text`; `none` where no line exists), optional column, subject, a
//! piece of the message and a piece of the hint, plus an optional exact `count` of errors.
//!
//! A case whose `expect.txt` has a `bug:` line describes what the validator *should* report
//! but currently does not; the data-driven test skips it, and an `#[ignore]`d test named after
//! it (see [`BUG_CASES`]) runs it, so that removing the `bug:` line is the last step of a fix.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use codegen::{Diagnostic, Mode};
use commerce_webhooks_tests::{assert_no_failures, copy_tree, fixture, panic_text, workspace_root};

/// The corpus folder.
fn corpus() -> PathBuf {
    fixture("bad_catalogs")
}

/// One expected diagnostic of a case.
#[derive(Debug, Default)]
struct ExpectedError {
    /// Path relative to the case folder.
    file: String,
    /// `Some(n)`, or `None` where the diagnostic has no line.
    line: Option<usize>,
    column: Option<usize>,
    subject: String,
    message: String,
    hint: String,
}

/// A parsed `expect.txt`.
#[derive(Debug)]
struct Case {
    name: String,
    dir: PathBuf,
    about: String,
    bug: Option<String>,
    count: Option<usize>,
    errors: Vec<ExpectedError>,
}

fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus())
        .expect("the corpus folder exists")
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The 1-based line of `spec` in `file`: a number, `none`, or `@text` for the first line
/// containing `text`.
fn resolve_line(dir: &Path, file: &str, spec: &str) -> Result<Option<usize>, String> {
    if spec == "none" {
        return Ok(None);
    }
    if let Some(needle) = spec.strip_prefix('@') {
        let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("cannot read {file} to find `{needle}`: {e}"))?;
        let text = String::from_utf8_lossy(&bytes);
        return text
            .lines()
            .position(|line| line.contains(needle))
            .map(|index| Some(index + 1))
            .ok_or_else(|| format!("no line of {file} contains `{needle}`"));
    }
    spec.parse().map(Some).map_err(|_| format!("line `{spec}` is not a number, `none` or `@text`"))
}

fn load_case(name: &str) -> Result<Case, String> {
    let dir = corpus().join(name);
    let path = dir.join("expect.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{name}: cannot read expect.txt: {e}"))?;
    let mut case =
        Case { name: name.into(), dir: dir.clone(), about: String::new(), bug: None, count: None, errors: Vec::new() };
    let mut line_specs: Vec<String> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let bad = |why: &str| format!("{name}/expect.txt:{}: {why}: `{line}`", number + 1);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line == "error:" {
            case.errors.push(ExpectedError::default());
            line_specs.push(String::new());
            continue;
        }
        let nested = line.starts_with("  ");
        let (key, value) = line.trim().split_once(": ").ok_or_else(|| bad("expected `key: value`"))?;
        let value = value.to_owned();
        match (nested, key, case.errors.last_mut()) {
            (false, "about", _) => case.about = value,
            (false, "bug", _) => case.bug = Some(value),
            (false, "count", _) => case.count = Some(value.parse().map_err(|_| bad("count is not a number"))?),
            (true, "file", Some(error)) => error.file = value,
            (true, "line", Some(_)) => *line_specs.last_mut().unwrap() = value,
            (true, "column", Some(error)) => {
                error.column = Some(value.parse().map_err(|_| bad("column is not a number"))?)
            }
            (true, "subject", Some(error)) => error.subject = value,
            (true, "message", Some(error)) => error.message = value,
            (true, "hint", Some(error)) => error.hint = value,
            _ => return Err(bad("unknown key")),
        }
    }
    for (error, spec) in case.errors.iter_mut().zip(&line_specs) {
        let missing = [
            ("file", &error.file),
            ("line", spec),
            ("subject", &error.subject),
            ("message", &error.message),
            ("hint", &error.hint),
        ]
        .into_iter()
        .find(|(_, value)| value.is_empty());
        if let Some((key, _)) = missing {
            return Err(format!("{name}/expect.txt: an error has no `{key}`; every expected error names all five"));
        }
        error.line = resolve_line(&dir, &error.file, spec).map_err(|e| format!("{name}/expect.txt: {e}"))?;
    }
    if case.about.is_empty() || case.errors.is_empty() {
        return Err(format!("{name}/expect.txt: needs `about:` and at least one `error:`"));
    }
    Ok(case)
}

fn matches(case: &Case, expected: &ExpectedError, diagnostic: &Diagnostic) -> bool {
    let relative = diagnostic.file.strip_prefix(&case.dir).unwrap_or(&diagnostic.file);
    let shown = diagnostic.to_string();
    let location = match (expected.line, expected.column) {
        (Some(line), Some(column)) => format!("{}:{line}:{column}: ", expected.file),
        (Some(line), None) => format!("{}:{line}", expected.file),
        (None, _) => format!("{}: ", expected.file),
    };
    relative == Path::new(&expected.file)
        && diagnostic.line == expected.line
        && expected.column.is_none_or(|column| diagnostic.column == Some(column))
        && diagnostic.subject == expected.subject
        && diagnostic.message.contains(&expected.message)
        && diagnostic.hint.contains(&expected.hint)
        // The rendered form is what a maintainer reads: `file:line:col: error in subject: message\n    hint: hint`.
        && shown.contains(&location)
        && shown.contains(&format!(": error in {}: ", expected.subject))
        && shown.contains(&format!("\n    hint: {}", diagnostic.hint))
}

/// Properties every diagnostic must have, whatever the case expects.
fn general_problems(case: &Case, diagnostic: &Diagnostic) -> Vec<String> {
    let mut problems = Vec::new();
    if diagnostic.subject.trim().is_empty() || diagnostic.message.trim().is_empty() || diagnostic.hint.trim().is_empty()
    {
        problems.push(format!("a diagnostic has an empty subject, message or hint: {diagnostic}"));
    }
    if let (Some(line), Ok(bytes)) = (diagnostic.line, std::fs::read(&diagnostic.file)) {
        let lines = bytes.split(|&b| b == b'\n').count();
        if line == 0 || line > lines {
            problems
                .push(format!("line {line} is outside {} ({lines} lines): {diagnostic}", diagnostic.file.display()));
        }
    }
    if diagnostic.column == Some(0) || (diagnostic.column.is_some() && diagnostic.line.is_none()) {
        problems.push(format!("a column without a line, or column 0: {diagnostic:?}"));
    }
    if !diagnostic.file.starts_with(&case.dir) {
        problems.push(format!("the file is outside the catalog folder: {}", diagnostic.file.display()));
    }
    problems
}

/// Loads one case and returns every way the report differs from `expect.txt`.
fn check_case(case: &Case) -> Vec<String> {
    let prefix = |problem: String| format!("{} ({}): {problem}", case.name, case.about);
    let diagnostics = match catch_unwind(AssertUnwindSafe(|| codegen::load(&case.dir))) {
        Err(panic) => return vec![prefix(format!("codegen::load panicked: {}", panic_text(&*panic)))],
        Ok(Ok(model)) => {
            let generated = match catch_unwind(AssertUnwindSafe(|| codegen::emit::generate(&model))) {
                Ok(files) => format!("and generates {} files", files.len()),
                Err(panic) => format!("and codegen::emit::generate panics: {}", panic_text(&*panic)),
            };
            return vec![prefix(format!("the catalog loads without an error {generated}"))];
        }
        Ok(Err(diagnostics)) => diagnostics,
    };
    let report = diagnostics.to_string();
    let mut failures = Vec::new();
    for expected in &case.errors {
        if !diagnostics.0.iter().any(|d| matches(case, expected, d)) {
            failures.push(prefix(format!("no diagnostic matches {expected:?}; the report is:\n{report}")));
        }
    }
    if let Some(count) = case.count {
        if diagnostics.0.len() != count {
            failures.push(prefix(format!("{} errors instead of {count}:\n{report}", diagnostics.0.len())));
        }
    }
    for diagnostic in &diagnostics.0 {
        failures.extend(general_problems(case, diagnostic).into_iter().map(prefix));
    }
    let count_line = format!("{} error", diagnostics.0.len());
    if !report.contains(&count_line) || !report.ends_with("nothing was written") {
        failures.push(prefix(format!("the report does not end with the error count:\n{report}")));
    }
    failures
}

fn all_cases() -> Vec<Case> {
    let (cases, problems): (Vec<_>, Vec<_>) = case_names().iter().map(|name| load_case(name)).partition(Result::is_ok);
    let problems: Vec<String> = problems.into_iter().map(Result::unwrap_err).collect();
    assert_no_failures("malformed expect.txt files", &problems);
    cases.into_iter().map(Result::unwrap).collect()
}

#[test]
fn every_broken_catalog_is_reported_with_file_line_subject_and_hint() {
    let mut failures = Vec::new();
    let cases = all_cases();
    for case in cases.iter().filter(|case| case.bug.is_none()) {
        failures.extend(check_case(case));
    }
    assert_no_failures("mismatches between the corpus and the reports", &failures);
}

#[test]
fn the_corpus_has_at_least_twenty_classes_and_one_case_with_several_defects() {
    let cases = all_cases();
    assert!(cases.len() >= 20, "only {} cases", cases.len());
    let several = cases.iter().find(|c| c.name == "several_defects").expect("the several_defects case");
    let files: std::collections::BTreeSet<&str> = several.errors.iter().map(|e| e.file.as_str()).collect();
    assert!(several.errors.len() >= 5 && files.len() >= 2, "several_defects must span files: {several:?}");
}

/// The cases whose `expect.txt` has a `bug:` line (none open now); each would get an ignored
/// `bug_<case>` test that runs `check_case` on it until the fix lands.
const BUG_CASES: &[&str] = &[];

#[test]
fn every_case_marked_as_a_bug_has_an_ignored_test() {
    let marked: Vec<String> = all_cases().into_iter().filter(|c| c.bug.is_some()).map(|c| c.name).collect();
    assert_eq!(marked, BUG_CASES, "keep BUG_CASES (and the ignored tests) in step with the `bug:` lines");
}

/// Every file under `root`, by path relative to it, with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// `codegen::run` in write mode on each broken catalog, into a copy of the workspace's
/// `generated/` tree, leaves that copy byte-identical (no file changed, created or removed),
/// even when it panics. Cases marked `bug:` that load are exempt: they do write (the copy is
/// then restored for the next case).
#[test]
fn nothing_is_written_when_the_catalog_is_broken() {
    let mut failures = Vec::new();
    let out = tempfile::tempdir().unwrap();
    let copy_generated = || copy_tree(&workspace_root().join("generated"), &out.path().join("generated"));
    copy_generated();
    let before = tree(out.path());
    assert!(before.keys().any(|p| p.ends_with("docs/matrix.md")), "the copy holds the generated tree");
    for case in all_cases() {
        let result = catch_unwind(AssertUnwindSafe(|| codegen::run(&case.dir, out.path(), Mode::Write)));
        match &result {
            Ok(Err(codegen::Error::Catalog(_))) | Err(_) => {}
            Ok(Ok(_)) if case.bug.is_some() => {}
            Ok(Ok(changes)) => failures.push(format!("{}: the broken catalog was written: {changes:?}", case.name)),
            Ok(Err(other)) => failures.push(format!("{}: not a catalog error: {other}", case.name)),
        }
        let after = tree(out.path());
        if after == before {
            continue;
        }
        if !matches!(result, Ok(Ok(_)) if case.bug.is_some()) {
            let changed: Vec<_> = before
                .keys()
                .chain(after.keys())
                .filter(|path| before.get(*path) != after.get(*path))
                .map(|path| path.display().to_string())
                .collect();
            failures.push(format!("{}: the tree changed: {changed:?}", case.name));
        }
        // Start the next case from the same tree.
        std::fs::remove_dir_all(out.path().join("generated")).unwrap();
        copy_generated();
    }
    assert_no_failures("broken catalogs that touched the output tree", &failures);
}

/// Set by [`a_deeply_nested_type_expression_is_an_error_not_a_stack_overflow`] for the copy of
/// this test binary it starts: the catalog folder to load.
const CHILD_CATALOG: &str = "BAD_CATALOGS_CHILD_CATALOG";

/// Does nothing in a normal run. Started as a separate process by the test below, it loads
/// the catalog named by [`CHILD_CATALOG`]: a stack overflow aborts the process, which a
/// `catch_unwind` in this process could not survive.
#[test]
fn child_process_loads_the_catalog_it_is_given() {
    let Some(dir) = std::env::var_os(CHILD_CATALOG) else { return };
    let result = codegen::load(Path::new(&dir));
    assert!(result.is_err(), "the catalog with a 100 000-deep type expression loaded");
}

#[test]
fn a_deeply_nested_type_expression_is_an_error_not_a_stack_overflow() {
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(&fixture("tiny/catalog"), scratch.path());
    let shapes = scratch.path().join("shapes/tiny.yaml");
    let deep = format!("\"{}string{}\"", "[".repeat(100_000), "]".repeat(100_000));
    let original = std::fs::read_to_string(&shapes).unwrap();
    let text = original.replace("sku: { type: string,", &format!("sku: {{ type: {deep},"));
    assert_ne!(text, original, "the fixture's `sku` field moved");
    std::fs::write(&shapes, text).unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["child_process_loads_the_catalog_it_is_given", "--exact", "--test-threads=1"])
        .env(CHILD_CATALOG, scratch.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "loading the catalog killed the process ({}):\n{}",
        output.status,
        stderr.lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );
}
