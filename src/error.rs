//! Typed errors of the library.
//!
//! Every error that concerns an input file carries the file and, where one
//! is known, the 1-based line, so that the binary can print
//! `path:line: reason` without guessing. Errors for one file never stop the
//! processing of the others: the pipeline turns them into
//! [`Diagnostic`](crate::diagnostics::Diagnostic)s.

use std::path::PathBuf;

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}: {reason}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said. Part of the message, so not
        /// also given as the error's source, which would print it twice.
        reason: std::io::Error,
    },
    /// An input file could not be understood; it was skipped.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line of the problem (1 when it concerns the whole file).
        line: usize,
        /// A plain-English reason.
        message: String,
    },
    /// A dictionary file is invalid.
    #[error("{}:{line}: {message}", path.display())]
    Dictionary {
        /// The dictionary file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// A plain-English reason.
        message: String,
    },
    /// A saved graph could not be loaded.
    #[error("{}: {message}", path.display())]
    GraphFile {
        /// The graph file.
        path: PathBuf,
        /// A plain-English reason.
        message: String,
    },
    /// The configuration (dictionaries, options files) has errors; each is
    /// listed.
    #[error(
        "{}\nthe configuration has errors: no input was read and nothing was written",
        .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
    )]
    Config(Vec<crate::diagnostics::Diagnostic>),
    /// The request itself is wrong (bad option value, nothing to read...).
    #[error("{0}")]
    Usage(String),
    /// An external program needed for the request is missing or failed.
    #[error("{0}")]
    External(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            reason: source,
        }
    }

    /// A parse error at a given line of a file.
    pub fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
