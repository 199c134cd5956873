//! The `commerce-webhooks` generator: YAML catalogs → validated [`model::Model`] → Rust and
//! Markdown under `generated/`.
//!
//! Data flows one way through one module per stage: [`catalog`] (read the YAML) →
//! [`validate`] (resolve names, collect every error) → [`emit`] (token streams and Markdown)
//! → [`write`](mod@write) (put files in place, or check them). `cargo xtask codegen` drives it.

pub mod audit;
pub mod catalog;
pub mod conform;
pub mod diagnostic;
pub mod emit;
pub mod infer;
mod locate;
pub mod model;
pub mod source_page;
pub mod types;
pub mod validate;
pub mod write;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use emit::OutputFile;
pub use model::Model;
pub use write::{Changes, Mode};

/// Reads and validates the catalogs in `catalog_dir`.
pub fn load(catalog_dir: &Path) -> Result<Model, Diagnostics> {
    let (raw, mut diagnostics) = catalog::read_dir(catalog_dir);
    match validate::validate(raw, catalog_dir) {
        Ok(model) if diagnostics.is_empty() => Ok(model),
        Ok(_) => Err(Diagnostics(diagnostics)),
        Err(more) => {
            diagnostics.extend(more);
            Err(Diagnostics(diagnostics))
        }
    }
}

/// Why a codegen run failed.
#[derive(Debug)]
pub enum Error {
    /// The catalog has errors; nothing was written.
    Catalog(Diagnostics),
    /// Reading or writing the output tree failed.
    Io(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Catalog(diagnostics) => diagnostics.fmt(f),
            Self::Io(e) => write!(f, "cannot update the generated files: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// Loads `catalog_dir`, generates every file and syncs them into `out_root` (the workspace
/// root), or only compares in [`Mode::Check`]. Nothing is written unless the catalog is valid.
pub fn run(catalog_dir: &Path, out_root: &Path, mode: Mode) -> Result<Changes, Error> {
    let model = load(catalog_dir).map_err(Error::Catalog)?;
    let files = emit::generate(&model);
    write::sync(out_root, emit::OWNED_DIRS, &files, mode).map_err(Error::Io)
}
