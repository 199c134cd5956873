//! `cargo xtask codegen [--check] [--catalog DIR] [--out DIR]`: regenerates `generated/`
//! from `catalog/`, or with `--check` fails when anything generated is stale.
//!
//! `cargo xtask catalog infer <platform> <example.json>... [--name RootName] [--catalog DIR]`:
//! proposes payload shapes for one topic from its example bodies (see `codegen::infer`).
//!
//! `cargo xtask catalog audit <platform> [page.md] [--catalog DIR]`: compares the platform's
//! reference page (the stored one, or a newer copy) with its catalog (see `codegen::audit`).
//!
//! `cargo xtask catalog check <platform> <payload.json>... [--topic T] [--catalog DIR]`:
//! checks real payloads against the catalog's shapes without generating or compiling.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::{Error, Mode};

mod scale;

const USAGE: &str = "usage: cargo xtask codegen [--check] [--catalog DIR] [--out DIR]
       cargo xtask catalog infer <platform> <example.json>... [--name RootName] [--catalog DIR]
       cargo xtask catalog audit <platform> [page.md] [--catalog DIR]
       cargo xtask catalog check <platform> <payload.json>... [--topic TOPIC] [--catalog DIR]
       cargo xtask bench-codegen [--runs N] [--factor N]   (times the generator on 1x and Nx catalogs)

  codegen            validate catalog/ and regenerate generated/ (nothing is written on error)
  codegen --check    write nothing; exit 1 listing every stale, missing or extra file
  --catalog DIR      the catalog folder (default: <workspace>/catalog)
  --out DIR          the root the generated/ tree is written under (default: the workspace)

  catalog infer      print proposed shapes (YAML) for one topic's example bodies, merged, reusing
                     the shapes of <catalog>/shapes/<platform>.yaml; what needs a human decision
                     is listed on stderr with JSON paths
  --name RootName    the root shape's name (default: the first file's name in UpperCamelCase)

  catalog audit      compare the platform's reference page (default: the stored copy named by
                     the catalog's `sources[0].page`; or a newer copy) with its catalog: topics
                     added, removed, renamed; descriptions, scopes, markers, links, groups; and
                     example payloads on the page against the catalog's shapes (JSON paths).
                     Exit 0: no difference; 1: differences; 2: cannot audit
  catalog check      check delivery bodies against the catalog's shapes, as the generated
                     `Event::from_delivery` would decode them, without regenerating; every
                     finding with its JSON path and a catalog edit. Exit 0: all decode (unknown
                     keys and enum values are notes: they decode and are kept); 1: some body
                     does not decode (or is not JSON, or cannot be read); 2: usage error
  --topic TOPIC      the topic the bodies were delivered as (default: read from the body, for
                     platforms whose body names its topic)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("bench-codegen") => scale::bench_codegen(&args[1..]),
        Some("catalog") if args.get(1).map(String::as_str) == Some("infer") => infer(&args[2..]),
        Some("catalog") if args.get(1).map(String::as_str) == Some("audit") => audit(&args[2..]),
        Some("catalog") if args.get(1).map(String::as_str) == Some("check") => check(&args[2..]),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}

fn codegen(args: &[String]) -> ExitCode {
    let root = workspace_root();
    let mut mode = Mode::Write;
    let mut catalog = root.join("catalog");
    let mut out = root;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.clone().next()) {
            ("--check", _) => mode = Mode::Check,
            ("--catalog", Some(dir)) => {
                catalog = PathBuf::from(dir);
                args.next();
            }
            ("--out", Some(dir)) => {
                out = PathBuf::from(dir);
                args.next();
            }
            _ => {
                eprintln!("unexpected argument `{arg}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let started = Instant::now();
    match codegen::run(&catalog, &out, mode) {
        Ok(changes) if mode == Mode::Check && !changes.is_empty() => {
            eprintln!("generated files are stale; run `cargo xtask codegen`:");
            for (what, paths) in
                [("stale", &changes.updated), ("missing", &changes.created), ("extra", &changes.removed)]
            {
                for path in paths {
                    eprintln!("  {what}: {}", path.display());
                }
            }
            ExitCode::FAILURE
        }
        Ok(changes) => {
            let elapsed = started.elapsed().as_millis();
            if mode == Mode::Check {
                eprintln!("generated files are up to date ({elapsed} ms)");
            } else {
                eprintln!(
                    "codegen: {} created, {} updated, {} removed ({elapsed} ms)",
                    changes.created.len(),
                    changes.updated.len(),
                    changes.removed.len()
                );
                // The catalog loaded once already; load it again for the summary only.
                if let Ok(model) = codegen::load(&catalog) {
                    for platform in &model.platforms {
                        let (described, undocumented, total) = platform.field_descriptions();
                        eprintln!(
                            "  {}: {described} of {total} fields described ({}%), {undocumented} undocumented",
                            platform.id,
                            described * 100 / total.max(1)
                        );
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(Error::Catalog(diagnostics)) => {
            eprintln!("{diagnostics}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// `catalog infer`: usage errors exit 2, unreadable input exits 1.
fn infer(args: &[String]) -> ExitCode {
    let args = match InferArgs::parse(args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run_infer(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The arguments of `catalog infer`.
struct InferArgs {
    platform: String,
    files: Vec<PathBuf>,
    name: Option<String>,
    catalog: PathBuf,
}

impl InferArgs {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut positional = Vec::new();
        let mut name = None;
        let mut catalog = workspace_root().join("catalog");
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--name" => name = Some(args.next().ok_or("`--name` needs a value")?.clone()),
                "--catalog" => catalog = PathBuf::from(args.next().ok_or("`--catalog` needs a value")?),
                flag if flag.starts_with("--") => return Err(format!("unexpected argument `{flag}`")),
                _ => positional.push(arg.clone()),
            }
        }
        let (platform, files) = positional.split_first().ok_or("missing <platform>")?;
        if files.is_empty() {
            return Err("missing <example.json>: give at least one example body".to_owned());
        }
        // It becomes part of a path, and platforms are snake_case anyway.
        if platform.is_empty() || !platform.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(format!("`{platform}` is not a platform name (snake_case, as in catalog/<platform>.yaml)"));
        }
        if let Some(name) = name.as_deref().filter(|n| !codegen::infer::is_shape_name(n)) {
            return Err(format!("`--name {name}`: the root name must be an UpperCamelCase identifier"));
        }
        Ok(Self { platform: platform.clone(), files: files.iter().map(PathBuf::from).collect(), name, catalog })
    }
}

fn run_infer(args: &InferArgs) -> Result<(), String> {
    if !args.catalog.join(format!("{}.yaml", args.platform)).is_file() {
        eprintln!(
            "note: there is no {}.yaml in {}; is `{}` a platform?",
            args.platform,
            args.catalog.display(),
            args.platform
        );
    }
    let known = load_known_shapes(&args.catalog, &args.platform)?;
    let examples = args.files.iter().map(|file| read_example(file)).collect::<Result<Vec<_>, _>>()?;
    let root_name = match &args.name {
        Some(name) => name.clone(),
        None => codegen::infer::root_name_from_file(&examples[0].name),
    };
    let inference = codegen::infer::infer(&examples, &known, &root_name);
    // A closed pipe (`| head`) is not worth a panic or an error.
    let _ = std::io::stdout().lock().write_all(inference.yaml.as_bytes());
    report_flags(&inference);
    Ok(())
}

/// `<catalog>/shapes/<platform>.yaml`, or no known shapes when there is none yet.
fn load_known_shapes(catalog: &Path, platform: &str) -> Result<codegen::infer::KnownShapes, String> {
    // Named relative to the catalog so the proposal's comments do not depend on where it runs.
    let origin = format!("shapes/{platform}.yaml");
    let path = catalog.join(&origin);
    if !path.exists() {
        eprintln!("note: no {}: no known shapes to reuse", path.display());
        return Ok(codegen::infer::KnownShapes::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    codegen::infer::KnownShapes::from_yaml(&origin, &text)
        .map_err(|e| format!("{}: not valid YAML: {e}", path.display()))
}

fn read_example(path: &Path) -> Result<codegen::infer::Example, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))?;
    // Editors on some systems start files with a byte-order mark, which JSON does not allow.
    let body = codegen::infer::Json::parse(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    Ok(codegen::infer::Example { name: path.display().to_string(), body })
}

fn report_flags(inference: &codegen::infer::Inference) {
    let count = inference.flags.len();
    let noun = if count == 1 { "thing needs" } else { "things need" };
    eprintln!("\ncatalog infer: payload `{}`; {count} {noun} a human decision:", inference.payload);
    for flag in &inference.flags {
        eprintln!("  {flag}");
    }
}

/// `--flag value` pairs, in the order given.
type Flags = Vec<(String, String)>;

/// Splits `catalog audit`/`check` arguments into positional ones and `--flag value` pairs.
fn options(args: &[String], flags: &[&str]) -> Result<(Vec<String>, Flags), String> {
    let mut positional = Vec::new();
    let mut given = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if flags.contains(&arg.as_str()) {
            let value = args.next().ok_or_else(|| format!("`{arg}` needs a value"))?;
            given.push((arg.clone(), value.clone()));
        } else if arg.starts_with("--") {
            return Err(format!("unexpected argument `{arg}`"));
        } else {
            positional.push(arg.clone());
        }
    }
    Ok((positional, given))
}

/// Loads the catalogs and finds `id`; the error is the message to print (exit 2).
fn load_platform(catalog: &Path, id: &str) -> Result<codegen::model::Platform, String> {
    let model = codegen::load(catalog).map_err(|diagnostics| {
        format!("the catalog in {} does not load, fix it first:\n{diagnostics}", catalog.display())
    })?;
    let known: Vec<&str> = model.platforms.iter().map(|p| p.id.as_str()).collect();
    let known = known.join(", ");
    model
        .platforms
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| format!("`{id}` is not a platform of the catalog (known: {known})"))
}

/// `catalog audit`: 0 when the page and the catalog agree, 1 when they differ, 2 when the
/// audit cannot run (usage, unreadable page, a page layout the parser does not know).
fn audit(args: &[String]) -> ExitCode {
    let usage_error = |message: String| {
        eprintln!("{message}\n\n{USAGE}");
        ExitCode::from(2)
    };
    let (positional, flags) = match options(args, &["--catalog"]) {
        Ok(parsed) => parsed,
        Err(message) => return usage_error(message),
    };
    let catalog = flags.last().map_or_else(|| workspace_root().join("catalog"), |(_, dir)| PathBuf::from(dir));
    let (id, page) = match positional.as_slice() {
        [id] => (id, None),
        [id, page] => (id, Some(PathBuf::from(page))),
        [] => return usage_error("missing <platform>".to_owned()),
        [_, _, extra, ..] => return usage_error(format!("unexpected argument `{extra}`")),
    };
    let parser: codegen::source_page::Platform = match id.parse() {
        Ok(parser) => parser,
        Err(e) => return usage_error(format!("{e}: there is no page parser for it")),
    };
    let platform = match load_platform(&catalog, id) {
        Ok(platform) => platform,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let page = match page {
        Some(page) => page,
        None => match platform.sources.first() {
            Some(source) => catalog.join(&source.page),
            None => {
                eprintln!("error: {id}.yaml lists no `sources`; give the page to audit");
                return ExitCode::from(2);
            }
        },
    };
    let text = match std::fs::read_to_string(&page) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read the page {}: {e}", page.display());
            return ExitCode::from(2);
        }
    };
    match codegen::audit::audit(&platform, parser, &text) {
        Ok(report) => {
            println!("{id}: {}", page.display());
            println!("{report}");
            if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(errors) => {
            eprintln!("error: {} cannot be read as a {id} reference page (did its layout change?):", page.display());
            for error in errors {
                eprintln!("  {}: {error}", page.display());
            }
            ExitCode::from(2)
        }
    }
}

/// `catalog check`: 0 when every body decodes, 1 when one does not (or cannot be read), 2 on a
/// usage error.
fn check(args: &[String]) -> ExitCode {
    let usage_error = |message: String| {
        eprintln!("{message}\n\n{USAGE}");
        ExitCode::from(2)
    };
    let (positional, flags) = match options(args, &["--catalog", "--topic"]) {
        Ok(parsed) => parsed,
        Err(message) => return usage_error(message),
    };
    let flag = |name: &str| flags.iter().rev().find(|(flag, _)| flag == name).map(|(_, value)| value.clone());
    let catalog = flag("--catalog").map_or_else(|| workspace_root().join("catalog"), PathBuf::from);
    let topic = flag("--topic");
    let Some((id, files)) = positional.split_first() else {
        return usage_error("missing <platform>".to_owned());
    };
    if files.is_empty() {
        return usage_error("missing <payload.json>: give at least one delivery body".to_owned());
    }
    let platform = match load_platform(&catalog, id) {
        Ok(platform) => platform,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if topic.is_none() {
        if let codegen::model::CarriedBy::Header(header) = &platform.carried_by {
            return usage_error(format!(
                "{} names the topic in the `{header}` header, not the body: give `--topic`",
                platform.name
            ));
        }
    }
    let mut failed = 0;
    let mut stdout = std::io::stdout().lock();
    for file in files {
        let verdict = match std::fs::read(file) {
            Ok(body) => {
                let result = codegen::audit::check_payload(&platform, topic.as_deref(), &body);
                let _ = writeln!(stdout, "{file}: {result}");
                result.decodes()
            }
            Err(e) => {
                let _ = writeln!(stdout, "{file}: error: cannot read it: {e}");
                false
            }
        };
        failed += usize::from(!verdict);
    }
    let total = files.len();
    let noun = if total == 1 { "body" } else { "bodies" };
    let _ = writeln!(
        stdout,
        "catalog check {id}: {total} {noun} checked, {} decode{}, {failed} do{} not",
        total - failed,
        if total - failed == 1 { "s" } else { "" },
        if failed == 1 { "es" } else { "" }
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
