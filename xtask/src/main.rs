//! `cargo xtask codegen [--check] [--catalog DIR] [--out DIR]`: regenerates `generated/`
//! from `catalog/`, or with `--check` fails when anything generated is stale.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::{Error, Mode};

const USAGE: &str = "usage: cargo xtask codegen [--check] [--catalog DIR] [--out DIR]

  codegen            validate catalog/ and regenerate generated/ (nothing is written on error)
  codegen --check    write nothing; exit 1 listing every stale, missing or extra file
  --catalog DIR      the catalog folder (default: <workspace>/catalog)
  --out DIR          the root the generated/ tree is written under (default: the workspace)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn codegen(args: &[String]) -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned();
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
