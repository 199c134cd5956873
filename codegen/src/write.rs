//! Puts generated files in place, or checks that they already are.
//!
//! The generator owns whole folders: a file in an owned folder that the catalog no longer
//! produces is deleted (or, in check mode, reported). Files are replaced atomically (written
//! beside the target, then renamed), so an interrupted run leaves the old or the new file,
//! never half of one.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::OutputFile;

/// Whether to write or only compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bring the files up to date.
    Write,
    /// Change nothing; report what is out of date.
    Check,
}

/// What differed between the generated files and the tree (and, in write mode, was fixed).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Files that did not exist.
    pub created: Vec<PathBuf>,
    /// Files whose contents differed.
    pub updated: Vec<PathBuf>,
    /// Files in owned folders that the catalog no longer produces.
    pub removed: Vec<PathBuf>,
}

impl Changes {
    /// Whether the tree was already up to date.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }
}

/// Syncs `files` (paths relative to `root`) into `root`, owning `owned_dirs`.
pub fn sync(root: &Path, owned_dirs: &[&str], files: &[OutputFile], mode: Mode) -> io::Result<Changes> {
    let mut changes = Changes::default();
    let produced: BTreeSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    for file in files {
        let target = root.join(&file.path);
        match std::fs::read(&target) {
            Ok(existing) if existing == file.contents.as_bytes() => continue,
            Ok(_) => changes.updated.push(file.path.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => changes.created.push(file.path.clone()),
            Err(e) => return Err(e),
        }
        if mode == Mode::Write {
            replace(&target, file.contents.as_bytes())?;
        }
    }
    for dir in owned_dirs {
        for path in files_under(&root.join(dir))? {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_owned();
            if !produced.contains(relative.as_path()) {
                if mode == Mode::Write {
                    std::fs::remove_file(&path)?;
                }
                changes.removed.push(relative);
            }
        }
    }
    Ok(changes)
}

/// Writes `contents` to a temporary file beside `target`, then renames it over `target`.
fn replace(target: &Path, contents: &[u8]) -> io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, contents)?;
    std::fs::rename(&temporary, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// Every file under `dir` (recursively), sorted; none when `dir` does not exist.
fn files_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
