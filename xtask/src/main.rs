//! `cargo xtask codegen [--check] [--catalog DIR] [--out DIR]`: regenerates `generated/`
//! from `catalog/`, or with `--check` fails when anything generated is stale.
//!
//! `cargo xtask catalog infer <platform> <example.json>... [--name RootName] [--catalog DIR]`:
//! proposes payload shapes for one topic from its example bodies (see `codegen::infer`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::{Error, Mode};

const USAGE: &str = "usage: cargo xtask codegen [--check] [--catalog DIR] [--out DIR]
       cargo xtask catalog infer <platform> <example.json>... [--name RootName] [--catalog DIR]

  codegen            validate catalog/ and regenerate generated/ (nothing is written on error)
  codegen --check    write nothing; exit 1 listing every stale, missing or extra file
  --catalog DIR      the catalog folder (default: <workspace>/catalog)
  --out DIR          the root the generated/ tree is written under (default: the workspace)

  catalog infer      print proposed shapes (YAML) for one topic's example bodies, merged, reusing
                     the shapes of <catalog>/shapes/<platform>.yaml; what needs a human decision
                     is listed on stderr with JSON paths
  --name RootName    the root shape's name (default: the first file's name in UpperCamelCase)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("catalog") if args.get(1).map(String::as_str) == Some("infer") => infer(&args[2..]),
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
