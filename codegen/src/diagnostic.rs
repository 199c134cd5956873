//! Errors found in a catalog, each with where it is and what to do about it.

use std::fmt;
use std::path::PathBuf;

/// One problem in a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The catalog file, as given to the loader.
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// What the problem concerns: `event \`orders/create\``, `scope \`orders\``, `file`…
    pub subject: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl Diagnostic {
    /// A diagnostic at `(line, column)` of `file`, as the YAML locator finds them.
    pub(crate) fn at(
        file: &std::path::Path,
        (line, column): (Option<usize>, Option<usize>),
        subject: String,
        message: String,
        hint: String,
    ) -> Self {
        Self { file: file.to_owned(), line, column, subject, message, hint }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": error in {}: {}\n    hint: {}", self.subject, self.message, self.hint)
    }
}

/// Every problem found in a set of catalogs; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        let count = self.0.len();
        write!(f, "{count} error{} in the catalog; nothing was written", if count == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// The known name closest to `given`, for "did you mean" hints.
pub(crate) fn closest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::levenshtein(given, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 3))
        .min()
        .map(|(_, candidate)| candidate)
}
