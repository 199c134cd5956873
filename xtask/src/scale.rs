//! `cargo xtask bench-codegen [--runs N] [--factor N] [--keep DIR]`: how the generator's run time grows
//! with the catalog.
//!
//! Synthesizes, in a temporary folder, a catalog `factor` times the size of the real one: every
//! platform keeps its events and gains `factor - 1` renamed copies of each (the topic with one
//! more segment, `orders/create` → `orders/create/copy1`), and every shape and enum of
//! `shapes/<platform>.yaml` gains the same number of copies renamed consistently (`Order` →
//! `OrderCopy1`, every type expression that names it too). A copied shape also gets one absent
//! string field `bench_copy_<n>`, since the validator rightly refuses two shapes with the same
//! fields. Copied events keep their examples, referenced as the original files, so the
//! validator checks each example against each copy's shapes as it does for the originals.
//!
//! Then it runs the generator as `cargo xtask codegen` does (`codegen::run` in
//! [`Mode::Write`], each run into a fresh output folder) on the real catalog and on the large
//! one, `runs` times each, alternating, and prints every time, the medians, the ratio, the
//! time per stage (load + validate, emit, write) and the size of what was generated.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use codegen::Mode;

const USAGE: &str = "usage: cargo xtask bench-codegen [--runs N] [--factor N] [--keep DIR]

  Times the generator on the real catalog (1x) and on a synthesized one N times its size
  (renamed copies of every event, shape and enum), each run into a fresh temporary folder.
  --runs N     runs per catalog (default 5); medians are reported
  --factor N   size of the synthesized catalog (default 10)
  --keep DIR   synthesize the large catalog into DIR (new) and leave it there, to profile or
               reproduce (`cargo xtask codegen --catalog DIR --out OUT`)";

/// Times of one generator run.
#[derive(Debug, Clone, Copy)]
struct Times {
    /// `codegen::run`, end to end.
    total: Duration,
    /// `codegen::load`: read + validate (including the examples against the shapes).
    load: Duration,
    /// `codegen::emit::generate`.
    emit: Duration,
    /// `codegen::write::sync` into an empty folder.
    write: Duration,
}

/// What a catalog generates: files, bytes, and lines of `generated/src/platforms/*.rs`.
#[derive(Debug, Default, Clone, Copy)]
struct Output {
    files: usize,
    bytes: usize,
    rust_lines: usize,
}

pub fn bench_codegen(args: &[String]) -> ExitCode {
    let mut runs = 5usize;
    let mut factor = 10usize;
    let mut keep = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args.next();
        let number = value.and_then(|v| v.parse::<usize>().ok()).filter(|&v| v > 0);
        match (arg.as_str(), number) {
            ("--runs", Some(n)) => runs = n,
            ("--factor", Some(n)) if n >= 2 => factor = n,
            ("--keep", _) if value.is_some_and(|v| !Path::new(v).exists()) => keep = value.map(PathBuf::from),
            _ => {
                eprintln!("unexpected or invalid argument `{arg}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let real = crate::workspace_root().join("catalog");
    let temp = std::env::temp_dir().join(format!("cw-bench-codegen-{}", std::process::id()));
    let large = keep.clone().unwrap_or_else(|| temp.join(format!("catalog-{factor}x")));
    let result = run(&real, &large, &temp, runs, factor);
    let _ = std::fs::remove_dir_all(&temp);
    if let Some(kept) = keep {
        eprintln!("the {factor}x catalog is in {}", kept.display());
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(real: &Path, large: &Path, temp: &Path, runs: usize, factor: usize) -> Result<(), String> {
    copy_dir(real, large).map_err(|e| format!("cannot copy {} to {}: {e}", real.display(), large.display()))?;
    scale_catalog(large, factor)?;
    let model_1 = codegen::load(real).map_err(|d| format!("the real catalog does not load:\n{d}"))?;
    let model_n = codegen::load(large).map_err(|d| format!("the {factor}x catalog does not load:\n{d}"))?;
    let count = |m: &codegen::Model| m.platforms.iter().map(|p| p.events.len()).sum::<usize>();
    println!(
        "bench-codegen ({} build): 1x = {} events; {factor}x = {} events, in {}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        count(&model_1),
        count(&model_n),
        large.display()
    );

    let mut small = Vec::new();
    let mut big = Vec::new();
    let (mut o1, mut on) = (Output::default(), Output::default());
    for i in 0..runs {
        for (label, catalog, times, output) in [("1x", real, &mut small, &mut o1), ("Nx", large, &mut big, &mut on)] {
            let t = time_run(catalog, &temp.join(format!("out-{label}-{i}")), output)?;
            times.push(t);
        }
        let (s, b) = (small[i], big[i]);
        println!(
            "  run {}: 1x {:>8.1} ms   {factor}x {:>8.1} ms   ratio {:.2}",
            i + 1,
            ms(s.total),
            ms(b.total),
            b.total.as_secs_f64() / s.total.as_secs_f64()
        );
    }

    let (s, b) = (medians(&small), medians(&big));
    let ratio = |f: fn(&Times) -> Duration| f(&b).as_secs_f64() / f(&s).as_secs_f64();
    println!();
    println!("| median of {runs} | 1x | {factor}x | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, f) in [
        ("codegen::run (total)", (|t: &Times| t.total) as fn(&Times) -> Duration),
        ("load + validate", |t: &Times| t.load),
        ("emit", |t: &Times| t.emit),
        ("write", |t: &Times| t.write),
    ] {
        println!("| {name} | {:.1} ms | {:.1} ms | {:.2} |", ms(f(&s)), ms(f(&b)), ratio(f));
    }
    println!("| files written | {} | {} | {:.2} |", o1.files, on.files, on.files as f64 / o1.files as f64);
    println!("| bytes written | {} | {} | {:.2} |", o1.bytes, on.bytes, on.bytes as f64 / o1.bytes as f64);
    println!(
        "| lines of generated/src/platforms/*.rs | {} | {} | {:.2} |",
        o1.rust_lines,
        on.rust_lines,
        on.rust_lines as f64 / o1.rust_lines as f64
    );
    println!();
    let total_ratio = ratio(|t| t.total);
    let under_a_second = s.total < Duration::from_secs(1);
    let linear = total_ratio <= factor as f64 * 1.1;
    println!(
        "goal: real catalogs < 1 s: {} ({:.1} ms); {factor}x <= {:.0}x the 1x time: {} ({total_ratio:.2}x)",
        if under_a_second { "met" } else { "NOT met" },
        ms(s.total),
        factor as f64 * 1.1,
        if linear { "met" } else { "NOT met" },
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn medians(times: &[Times]) -> Times {
    let median = |f: fn(&Times) -> Duration| {
        let mut v: Vec<Duration> = times.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    Times { total: median(|t| t.total), load: median(|t| t.load), emit: median(|t| t.emit), write: median(|t| t.write) }
}

/// One timed `codegen::run` into `out` (fresh), then the same work stage by stage into
/// `out`-stages (fresh), so the stages add up to about the total. The folders stay until the
/// whole benchmark ends: deleting thousands of files and creating as many right after makes
/// ext4 search its inode table for ones not recently deleted, which is the file system's cost,
/// not the generator's.
fn time_run(catalog: &Path, out: &Path, output: &mut Output) -> Result<Times, String> {
    let fail = |e: codegen::Error| format!("codegen on {} failed: {e}", catalog.display());
    let started = Instant::now();
    let changes = codegen::run(catalog, out, Mode::Write).map_err(fail)?;
    let total = started.elapsed();
    if !changes.updated.is_empty() || !changes.removed.is_empty() || changes.created.is_empty() {
        return Err(format!("a run into an empty folder should only create files: {changes:?}"));
    }
    *output = measure_output(out);

    let staged = out.with_extension("stages");
    let started = Instant::now();
    let model = codegen::load(catalog).map_err(|d| fail(codegen::Error::Catalog(d)))?;
    let load = started.elapsed();
    let started = Instant::now();
    let files = codegen::emit::generate(&model);
    let emit = started.elapsed();
    let started = Instant::now();
    codegen::write::sync(&staged, codegen::emit::OWNED_DIRS, &files, Mode::Write)
        .map_err(|e| fail(codegen::Error::Io(e)))?;
    let write = started.elapsed();
    Ok(Times { total, load, emit, write })
}

fn measure_output(out: &Path) -> Output {
    let mut output = Output::default();
    let mut stack = vec![out.to_owned()];
    let platforms = out.join("generated/src/platforms");
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else { continue };
            output.files += 1;
            output.bytes += bytes.len();
            // The platform modules only; `mod.rs` and `vocabulary.rs` do not grow.
            if path.parent() == Some(platforms.as_path())
                && path.extension().is_some_and(|e| e == "rs")
                && !path.file_name().is_some_and(|n| n == "mod.rs" || n == "vocabulary.rs")
            {
                output.rust_lines += bytes.iter().filter(|&&b| b == b'\n').count();
            }
        }
    }
    output
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Rewrites every platform catalog of `dir` (and its shapes file) to `factor` times its events,
/// shapes and enums. Works on the text, which keeps everything else as written: the events
/// are the last section of a platform file, one `  - topic:` item each, and the shapes and
/// enums are `  Name:` entries under `shapes:` and `enums:`.
fn scale_catalog(dir: &Path, factor: usize) -> Result<(), String> {
    let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()));
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.ends_with("vocabulary.yaml"))
        .collect();
    entries.sort();
    for platform_file in entries {
        let text = read(&platform_file)?;
        let platform = text
            .lines()
            .find_map(|l| l.strip_prefix("platform:"))
            .map(|p| p.trim().trim_matches('"').to_owned())
            .ok_or_else(|| format!("{}: no `platform:`", platform_file.display()))?;
        let separator = separator(&text).ok_or_else(|| format!("{}: no `separators:`", platform_file.display()))?;
        let shapes_file = dir.join("shapes").join(format!("{platform}.yaml"));
        let names = if shapes_file.exists() {
            let shapes = read(&shapes_file)?;
            let (scaled, names) = scale_shapes(&shapes, factor)?;
            write(&shapes_file, scaled)?;
            names
        } else {
            Vec::new()
        };
        write(&platform_file, scale_events(&text, factor, separator, &names)?)?;
    }
    Ok(())
}

/// The first topic separator of a platform file (`separators: ["/", "."]`).
fn separator(text: &str) -> Option<char> {
    let line = text.lines().find(|l| l.trim_start().starts_with("separators:"))?;
    line.split_once('[')?.1.chars().find(|c| !matches!(c, '"' | '\'' | ' '))
}

/// The copy suffix of type names and Rust identifiers.
fn suffix(copy: usize) -> String {
    format!("Copy{copy}")
}

/// Appends `suffix` to every identifier of `expr` (a type expression) that is in `names`.
fn rename_types(expr: &str, names: &[String], suffix: &str) -> String {
    let mut out = String::with_capacity(expr.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(word);
        if names.iter().any(|n| n == word) {
            out.push_str(suffix);
        }
        word.clear();
    };
    for c in expr.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Renames the types in every `type:` value of a line (block `type: X` or flow `{ type: X, … }`).
/// A `type:` whose value is a mapping or empty is a field named `type`, and is left alone.
fn rename_type_values(line: &str, names: &[String], suffix: &str) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    while let Some(at) = rest.find("type:") {
        let before = rest[..at].trim_end();
        let at_key = before.is_empty() && out.is_empty() || before.ends_with('{') || before.ends_with(',');
        let (head, tail) = rest.split_at(at + "type:".len());
        out.push_str(head);
        let value = tail.trim_start();
        let spaces = &tail[..tail.len() - value.len()];
        if !at_key || value.is_empty() || value.starts_with('{') {
            rest = tail;
            continue;
        }
        out.push_str(spaces);
        let end = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].find(q).map_or(value.len(), |i| i + 2),
            _ => value.find([',', '}']).unwrap_or(value.len()),
        };
        out.push_str(&rename_types(&value[..end], names, suffix));
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

/// `factor - 1` renamed copies of every shape and enum; returns the new text and the names.
fn scale_shapes(text: &str, factor: usize) -> Result<(String, Vec<String>), String> {
    // Split into the preamble and the `shapes:` / `enums:` sections, each a list of entries.
    let mut preamble = Vec::new();
    let mut sections: Vec<(&str, Vec<Vec<&str>>)> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && line.trim_end().ends_with(':') {
            sections.push((line, Vec::new()));
        } else if let Some((_, entries)) = sections.last_mut() {
            let is_entry = line.len() > 2
                && line.starts_with("  ")
                && !line[2..].starts_with(' ')
                && !line[2..].starts_with('#')
                && line.trim_end().ends_with(':');
            match entries.last_mut() {
                Some(entry) if !is_entry => entry.push(line),
                _ if is_entry => entries.push(vec![line]),
                _ => preamble.push(line),
            }
        } else {
            preamble.push(line);
        }
    }
    let names: Vec<String> = sections
        .iter()
        .flat_map(|(_, entries)| entries.iter().map(|e| e[0].trim().trim_end_matches(':').to_owned()))
        .collect();
    if names.is_empty() {
        return Err("a shapes file without `  Name:` entries".into());
    }
    let mut out = preamble.join("\n");
    out.push('\n');
    for (header, entries) in &sections {
        out.push_str(header);
        out.push('\n');
        for entry in entries {
            for line in entry {
                out.push_str(line);
                out.push('\n');
            }
        }
        for copy in 1..factor {
            let suffix = suffix(copy);
            for entry in entries {
                let name = entry[0].trim().trim_end_matches(':');
                out.push_str(&format!("  {name}{suffix}:\n"));
                for line in &entry[1..] {
                    out.push_str(&rename_type_values(line, &names, &suffix));
                    out.push('\n');
                    if line.trim_end() == "    fields:" {
                        out.push_str(&format!("      bench_copy_{copy}: {{ type: string, absent: true }}\n"));
                    }
                }
            }
        }
    }
    Ok((out, names))
}

/// `factor - 1` renamed copies of every event (the events section is the file's last).
fn scale_events(text: &str, factor: usize, separator: char, names: &[String]) -> Result<String, String> {
    let start = text.find("\nevents:").ok_or("no `events:` section")? + 1;
    let (head, events) = text.split_at(start);
    let mut items: Vec<Vec<&str>> = Vec::new();
    for line in events.lines().skip(1) {
        if line.starts_with("  - ") {
            items.push(vec![line]);
        } else if let Some(item) = items.last_mut() {
            item.push(line);
        } else if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            return Err(format!("unexpected line before the first event: {line}"));
        }
        if !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#') {
            return Err(format!("`events:` is not the last section: {line}"));
        }
    }
    let mut out = String::with_capacity(text.len() * factor);
    out.push_str(head);
    out.push_str(events);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for copy in 1..factor {
        let suffix = suffix(copy);
        for item in &items {
            for line in item {
                let trimmed = line.trim_start();
                let indent = &line[..line.len() - trimmed.len()];
                let lead = if trimmed.starts_with("- ") { "- " } else { "" };
                let body = &trimmed[lead.len()..];
                let renamed = if let Some(topic) = body.strip_prefix("topic:") {
                    let topic = topic.trim();
                    let (quote, bare) = match topic.chars().next() {
                        Some(q @ ('"' | '\'')) => (q.to_string(), topic.trim_matches(q)),
                        _ => (String::new(), topic),
                    };
                    format!("topic: {quote}{bare}{separator}copy{copy}{quote}")
                } else if let Some(rust_name) = body.strip_prefix("rust_name:") {
                    format!("rust_name: {}{suffix}", rust_name.trim())
                } else if let Some(payload) = body.strip_prefix("payload:") {
                    format!("payload:{}", rename_types(payload, names, &suffix))
                } else {
                    out.push_str(line);
                    out.push('\n');
                    continue;
                };
                out.push_str(&format!("{indent}{lead}{renamed}\n"));
            }
        }
    }
    Ok(out)
}
