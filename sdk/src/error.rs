//! The SDK's errors: each variant says what was being done and what to fix.

/// What a failed SDK call was about.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `input.json` could not be read or is not a valid invocation.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong with it.
        reason: String,
    },

    /// A required parameter or plugin option is not in the invocation.
    #[error("missing required {kind} \"{name}\" ({hint})")]
    MissingParameter {
        /// Parameter or plugin option.
        kind: ParameterKind,
        /// Its name.
        name: String,
        /// Where the workflow author adds it.
        hint: &'static str,
    },

    /// A parameter or plugin option has a value of the wrong type or form.
    #[error("{kind} \"{name}\": {reason}")]
    InvalidParameter {
        /// Parameter or plugin option.
        kind: ParameterKind,
        /// Its name.
        name: String,
        /// What was expected and what was given.
        reason: String,
    },

    /// The invocation's parameters or plugin options could not fill a struct.
    #[error("{kind}s: {reason}")]
    InvalidParameters {
        /// Parameters or plugin options.
        kind: ParameterKind,
        /// What was expected and what was given.
        reason: String,
    },

    /// An option the module does not know was given.
    #[error("unknown {kind} \"{name}\" (this module accepts: {accepted})")]
    UnknownParameter {
        /// Parameter or plugin option.
        kind: ParameterKind,
        /// The name given.
        name: String,
        /// The names the module accepts, comma-separated.
        accepted: String,
    },

    /// A required input artifact is not in the invocation.
    #[error("missing input artifact \"{name}\" (add it to the template's inputs.artifacts; the invocation has {})", list_or_none(.available))]
    MissingArtifact {
        /// The artifact's name.
        name: String,
        /// The names of the input artifacts the invocation has.
        available: Vec<String>,
    },

    /// An artifact path leaves its folder or names no file.
    #[error(
        "artifact \"{name}\" has the path \"{path}\", which {reason}; an artifact path stays inside the artifacts folder, e.g. \"/data/file.txt\""
    )]
    InvalidArtifactPath {
        /// The artifact's name.
        name: String,
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An input artifact is in the invocation but its file is not there.
    #[error("input artifact \"{name}\" is listed, but its file {path} does not exist (did the host download it?)")]
    ArtifactFileMissing {
        /// The artifact's name.
        name: String,
        /// Where its file should be.
        path: String,
    },

    /// An output parameter cannot be written as JSON.
    #[error("output parameter \"{name}\" cannot be written as JSON: {error}")]
    InvalidOutput {
        /// The parameter's name.
        name: String,
        /// Why.
        error: crate::json::ValueError,
    },

    /// Reading or writing a file failed. (The I/O error is part of the
    /// message, not a separate `source`, so an error chain names it once.)
    #[error("cannot {action} {path}: {error}")]
    Io {
        /// What was being done, e.g. `open input artifact "image" at`.
        action: String,
        /// The file.
        path: String,
        /// The underlying error.
        error: std::io::Error,
    },
}

impl std::fmt::Debug for Error {
    /// The message, as `Display` gives it: what `main` and `unwrap` print. (A
    /// derived `Debug` would also cost every module ~4 KB of formatting code.)
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Whether a value came from the step's `parameters` or its `plugin_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterKind {
    /// An input parameter (`inputs.parameters` in the template).
    Parameter,
    /// A plugin option (a key of the template's `plugin.wasm` block).
    PluginOption,
}

impl ParameterKind {
    pub(crate) fn hint(self) -> &'static str {
        match self {
            ParameterKind::Parameter => "add it to the template's inputs.parameters",
            ParameterKind::PluginOption => "add it to the template's plugin.wasm block",
        }
    }
}

impl std::fmt::Display for ParameterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ParameterKind::Parameter => "parameter",
            ParameterKind::PluginOption => "plugin option",
        })
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
    }
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
