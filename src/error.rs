//! Typed errors of the library, and the exit code each maps to.
//!
//! Input errors (a file that cannot be read, RON syntax, an invalid value, a
//! broken `extend`) exit with 2; a merge of a batch whose shards are not all
//! there yet with 3; everything else (writing outputs, a failed
//! thread pool) with 1. Messages name the file and line:column, or the
//! scenario path of the bad value, and say what would be valid.

use std::fmt;
use std::path::PathBuf;

/// One problem found while validating a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Scenario path of the bad value, e.g. `ports[3].capacity_per_day`.
    pub path: String,
    /// What is wrong and, where obvious, what would be valid.
    pub message: String,
    /// Where the value is written, `file:line:column`, when it could be
    /// found in the scenario's own files (see `scenario::locate`); `None`
    /// for a value no file spells out (a default, a `--set`).
    pub at: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = &self.at {
            write!(f, "{at}: ")?;
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Everything that can go wrong in borderflow's library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario or data file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// RON syntax error, with the offending line and a caret under the column.
    #[error("{file}:{line}:{col}: {message}\n{snippet}")]
    Syntax {
        /// The file.
        file: String,
        /// Line [1-based].
        line: usize,
        /// Column [1-based].
        col: usize,
        /// What the parser expected.
        message: String,
        /// The line's text with a caret under the column.
        snippet: String,
    },
    /// A problem with the scenario file as a whole (a broken `extend`, a file
    /// too large, a `set` path that names nothing).
    #[error("{file}: {message}")]
    Scenario {
        /// The file.
        file: String,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// Values that parse but are not valid; every problem is listed at once.
    #[error("{file}: {} invalid value{}:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, list(problems))]
    Invalid {
        /// The file (the one given on the command line, after `extend`s).
        file: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// The command would write where borderflow may not: a folder it did
    /// not write, a file, the working folder, a folder in use.
    #[error("{path}: {message}")]
    Refused {
        /// The path refused (cut for display).
        path: String,
        /// Why, and how to proceed.
        message: String,
    },
    /// `merge` found shards missing or incomplete: nothing is wrong with
    /// them, the batch is just not finished (exit code 3, so a job script can
    /// wait and retry).
    #[error("{0}")]
    Incomplete(String),
    /// Writing results failed; earlier results are left in place.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The path being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A model broke one of its invariants: a bug in the model, never the
    /// user's input. The first violations are listed.
    #[error("replication {replication} broke the model's invariants:\n{}", violations.iter().map(|v| format!("  - {v}")).collect::<Vec<_>>().join("\n"))]
    Invariant {
        /// The replication.
        replication: u64,
        /// What broke, with times.
        violations: Vec<String>,
    },
    /// The run was interrupted (Ctrl-C) before it completed.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// Any other failure that is not the user's input.
    #[error("{0}")]
    Other(String),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// Process exit code: 2 for bad input, 1 for any other failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Read { .. }
            | Error::Syntax { .. }
            | Error::Scenario { .. }
            | Error::Invalid { .. }
            | Error::Refused { .. } => 2,
            Error::Incomplete(_) => 3,
            Error::Output { .. }
            | Error::Invariant { .. }
            | Error::Interrupted(_)
            | Error::Other(_) => 1,
        }
    }

    /// Wraps an output I/O error with its path.
    pub fn output(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Output {
            path: path.into(),
            source,
        }
    }
}

/// Result with borderflow's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
