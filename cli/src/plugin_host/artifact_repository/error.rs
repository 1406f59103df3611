//! What can go wrong with the artifact repository. Each message names the
//! artifact, the object (`s3://bucket/key`) or file, and what happened.

use std::fmt;
use std::path::PathBuf;

use super::config::ConfigError;
use super::credentials::CredentialError;

/// Whether an artifact was being downloaded (input) or uploaded (output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// An input artifact, downloaded before the module runs.
    Input,
    /// An output artifact, uploaded after it ran.
    Output,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Input => "input",
            Direction::Output => "output",
        })
    }
}

// The wrapped errors are part of the messages, not `source`s, so that an
// error chain names each cause once.

/// An artifact repository that cannot be set up, or an artifact that cannot
/// be moved.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The configuration file cannot be used.
    #[error("{0}")]
    Config(ConfigError),
    /// No usable credentials.
    #[error("artifact repository: {0}")]
    Credentials(CredentialError),
    /// The S3 client cannot be set up.
    #[error("artifact repository s3://{bucket}: {message}")]
    Setup {
        /// The bucket.
        bucket: String,
        /// What went wrong.
        message: String,
    },
    /// The input artifact's file cannot be placed (its path leaves its
    /// folder, say); the runner's message names the artifact.
    #[error("{0}")]
    InvalidPath(crate::runner::HostError),
    /// An input artifact without `s3.key`.
    #[error("input artifact \"{name}\" has no s3.key: only artifacts stored in S3 can be downloaded")]
    NoKey {
        /// The artifact's name.
        name: String,
    },
    /// A key that is not a valid object key (an empty, `.` or `..` part).
    #[error("{direction} artifact \"{name}\": \"{key}\" is not a usable object key: {problem}")]
    InvalidKey {
        /// Input or output.
        direction: Direction,
        /// The artifact's name.
        name: String,
        /// The key.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// There is no object at the key.
    #[error("{direction} artifact \"{name}\": no object at {url}")]
    NoObject {
        /// Input or output.
        direction: Direction,
        /// The artifact's name.
        name: String,
        /// `s3://bucket/key`.
        url: String,
    },
    /// The server refused the credentials or the access.
    #[error("{direction} artifact \"{name}\": access to {url} denied (credentials from {credentials}): {detail}")]
    Denied {
        /// Input or output.
        direction: Direction,
        /// The artifact's name.
        name: String,
        /// `s3://bucket/key`.
        url: String,
        /// Where the credentials came from.
        credentials: String,
        /// What the server said.
        detail: String,
    },
    /// The endpoint cannot be reached.
    #[error("{direction} artifact \"{name}\": cannot reach the S3 endpoint {endpoint} for {url}: {detail}")]
    Unreachable {
        /// Input or output.
        direction: Direction,
        /// The artifact's name.
        name: String,
        /// `s3://bucket/key`.
        url: String,
        /// The endpoint's URL.
        endpoint: String,
        /// What connecting said.
        detail: String,
    },
    /// Any other failure of a request.
    #[error("{direction} artifact \"{name}\": transferring {url} with {endpoint} failed: {detail}")]
    Transfer {
        /// Input or output.
        direction: Direction,
        /// The artifact's name.
        name: String,
        /// `s3://bucket/key`.
        url: String,
        /// The endpoint's URL.
        endpoint: String,
        /// What happened.
        detail: String,
    },
    /// Reading or writing the artifact's local file failed.
    #[error("{direction} artifact \"{name}\": cannot {action} {}: {error}", path.display())]
    LocalFile {
        /// Input or output.
        direction: Direction,
        /// The artifact's name.
        name: String,
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error (part of the message, not a `source`).
        error: std::io::Error,
    },
}

impl From<ConfigError> for ArtifactError {
    fn from(error: ConfigError) -> Self {
        ArtifactError::Config(error)
    }
}

impl From<CredentialError> for ArtifactError {
    fn from(error: CredentialError) -> Self {
        ArtifactError::Credentials(error)
    }
}
