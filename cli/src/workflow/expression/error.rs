//! The one error type of both expression languages: what went wrong, in the
//! words Argo, govaluate or expr use for it, and what kind of failure it was
//! (the runner treats an unknown name differently: Argo leaves such a tag
//! unresolved until the variable exists).

use std::fmt;

/// What kind of failure an [`ExpressionError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The expression does not parse.
    Syntax,
    /// The expression names a variable the scope does not have.
    UnknownName,
    /// The expression parsed but failed while running (a type mismatch, a
    /// function's own error, a bad regular expression).
    Evaluation,
    /// The expression calls a function Argo offers that is not implemented
    /// here; the message names it.
    Unsupported,
}

/// An expression that could not be evaluated, with the message a user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressionError {
    kind: ErrorKind,
    message: String,
}

impl ExpressionError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ExpressionError { kind, message: message.into() }
    }

    pub(crate) fn syntax(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Syntax, message)
    }

    pub(crate) fn evaluation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Evaluation, message)
    }

    pub(crate) fn unknown_name(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnknownName, message)
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, as the user sees it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ExpressionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpressionError {}
