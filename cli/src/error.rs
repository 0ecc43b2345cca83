//! One error type for the whole command line: a sentence for the user and
//! the exit code it maps to.

use std::fmt;

/// Exit codes, as README states them and `synth --help` prints them.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The operation failed (or `diff --fail` found changes).
    pub const FAILED: u8 = 1;
    /// The invocation or the input is wrong.
    pub const USAGE: u8 = 2;
}

/// What went wrong, said once, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Exit code: [`exit::FAILED`] or [`exit::USAGE`].
    pub code: u8,
    /// One sentence: what is wrong and what to do.
    pub message: String,
    /// Extra lines printed after the message (e.g. the list of known stacks).
    pub notes: Vec<String>,
    /// A condition that passes (throttling, a 5xx, a lost connection): a
    /// loop waiting on CloudFormation retries instead of giving up.
    pub transient: bool,
}

impl Error {
    /// The operation failed: exit 1.
    pub fn failed(message: impl Into<String>) -> Error {
        Error {
            code: exit::FAILED,
            message: message.into(),
            notes: Vec::new(),
            transient: false,
        }
    }

    /// The invocation or the input is wrong: exit 2.
    pub fn usage(message: impl Into<String>) -> Error {
        Error {
            code: exit::USAGE,
            ..Error::failed(message)
        }
    }

    /// Marks the error as one that passes.
    pub fn transient(mut self) -> Error {
        self.transient = true;
        self
    }

    /// Adds a line printed after the message.
    pub fn note(mut self, note: impl Into<String>) -> Error {
        self.notes.push(note.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for note in &self.notes {
            write!(f, "\n  {note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<synth::manifest::ManifestError> for Error {
    fn from(e: synth::manifest::ManifestError) -> Error {
        use synth::manifest::ManifestError;
        match e {
            // A missing or unreadable assembly is an input problem the user
            // fixes by synthesizing (again).
            ManifestError::Missing(_) | ManifestError::Invalid(..) | ManifestError::Version(..) => {
                Error::usage(e.to_string())
            }
            ManifestError::Io(..) => Error::failed(e.to_string()),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
