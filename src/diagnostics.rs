//! Warnings and per-file errors collected while a corpus is processed.
//!
//! Stages never print: they push [`Diagnostic`]s, each naming a file and a
//! line, and the caller decides how to show them. A file with an error is
//! skipped and the run goes on; a warning means the input was kept with a
//! documented fix. `--strict` turns warnings into failures at the very end,
//! so one run still reports every problem at once.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input was kept, with the fix the message describes.
    Warning,
    /// The file (or the part named) was skipped.
    Error,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// The file concerned (empty for problems of the whole run).
    pub file: PathBuf,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: usize,
    /// Warning or error.
    pub severity: Severity,
    /// A plain-English reason.
    pub message: String,
}

impl Diagnostic {
    /// A warning at a line of a file.
    pub fn warning(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line,
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    /// An error at a line of a file.
    pub fn error(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// Turns a library error about a file into an error diagnostic.
    pub fn from_error(err: &crate::Error) -> Self {
        use crate::Error;
        match err {
            Error::Parse { path, line, message } | Error::Dictionary { path, line, message } => {
                Diagnostic::error(path, *line, message.clone())
            }
            Error::Io { path, reason } => Diagnostic::error(path, 0, reason.to_string()),
            Error::GraphFile { path, message } => Diagnostic::error(path, 0, message.clone()),
            Error::Usage(m) | Error::External(m) => Diagnostic::error(Path::new(""), 0, m.clone()),
            Error::Config(ds) => ds
                .first()
                .cloned()
                .unwrap_or_else(|| Diagnostic::error(Path::new(""), 0, "configuration error")),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        // One diagnostic, one line: a line break in a message (from an id,
        // say) must not start what looks like another diagnostic.
        let one_line = |s: &str| s.replace('\n', "\\n").replace('\r', "\\r");
        let file = one_line(&self.file.display().to_string());
        let message = one_line(&self.message);
        match (self.file.as_os_str().is_empty(), self.line) {
            (true, _) => write!(f, "{sev}: {message}"),
            (false, 0) => write!(f, "{file}: {sev}: {message}"),
            (false, line) => write!(f, "{file}:{line}: {sev}: {message}"),
        }
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Adds all diagnostics of another collection.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// Sorts by file, line and message and drops exact repeats, so that the
    /// report is the same whatever order the files were processed in.
    pub fn normalize(&mut self) {
        self.items.sort();
        self.items.dedup();
    }

    /// All diagnostics.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn count(&self, s: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == s).count()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_line() {
        let d = Diagnostic::warning(Path::new("a.md"), 7, "label CN read as KN");
        assert_eq!(d.to_string(), "a.md:7: warning: label CN read as KN");
        let d = Diagnostic::error(Path::new("b.md"), 0, "empty file");
        assert_eq!(d.to_string(), "b.md: error: empty file");
    }

    #[test]
    fn normalize_orders_and_dedups() {
        let mut ds = Diagnostics::default();
        ds.push(Diagnostic::warning(Path::new("b.md"), 1, "x"));
        ds.push(Diagnostic::warning(Path::new("a.md"), 2, "y"));
        ds.push(Diagnostic::warning(Path::new("b.md"), 1, "x"));
        ds.normalize();
        let files: Vec<_> = ds.iter().map(|d| d.file.clone()).collect();
        assert_eq!(files, vec![PathBuf::from("a.md"), PathBuf::from("b.md")]);
    }
}
