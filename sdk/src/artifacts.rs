//! Input and output artifacts, streamed from and to the work directory.
//!
//! An input artifact is read from `artifacts-in/<path>`; an output artifact is
//! written to `artifacts-out/<path>` and then listed in the result with its
//! path, which is how the host finds it to upload.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::protocol::{ArtifactRef, PluginInvocation};
use crate::workdir;

/// An input artifact of the invocation.
#[derive(Debug, Clone)]
pub struct InputArtifact {
    artifact: ArtifactRef,
    file: PathBuf,
}

impl InputArtifact {
    /// The artifact's name.
    pub fn name(&self) -> &str {
        &self.artifact.name
    }

    /// The artifact's path as given in the template.
    pub fn path(&self) -> &str {
        &self.artifact.path
    }

    /// The file that holds it.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Opens it for streaming reads.
    pub fn open(&self) -> Result<BufReader<File>> {
        match File::open(&self.file) {
            Ok(file) => Ok(BufReader::new(file)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(Error::ArtifactFileMissing { name: self.artifact.name.clone(), path: workdir::display(&self.file) })
            }
            Err(source) => Err(self.io_error("open", source)),
        }
    }

    /// Its size in bytes.
    pub fn size(&self) -> Result<u64> {
        Ok(self.open_with_length()?.1)
    }

    /// Opens it, and says how long it is.
    pub(crate) fn open_with_length(&self) -> Result<(BufReader<File>, u64)> {
        let reader = self.open()?;
        let length = reader.get_ref().metadata().map_err(|e| self.io_error("read the size of", e))?.len();
        Ok((reader, length))
    }

    /// Reads it whole.
    pub fn read(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.open()?.read_to_end(&mut bytes).map_err(|e| self.io_error("read", e))?;
        Ok(bytes)
    }

    /// Reads it whole as UTF-8 text.
    pub fn read_to_string(&self) -> Result<String> {
        String::from_utf8(self.read()?).map_err(|e| {
            self.io_error("read", io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text ({e})")))
        })
    }

    fn io_error(&self, verb: &str, error: io::Error) -> Error {
        Error::Io {
            action: format!("{verb} input artifact \"{}\" at", self.artifact.name),
            path: workdir::display(&self.file),
            error,
        }
    }
}

impl PluginInvocation {
    /// The required input artifact `name`.
    pub fn artifact(&self, name: &str) -> Result<InputArtifact> {
        self.artifact_opt(name)?.ok_or_else(|| Error::MissingArtifact {
            name: name.to_owned(),
            available: self.artifacts.iter().map(|a| a.name.clone()).collect(),
        })
    }

    /// The input artifact `name`, or `None` if the invocation has none of that name.
    pub fn artifact_opt(&self, name: &str) -> Result<Option<InputArtifact>> {
        let Some(artifact) = self.artifacts.iter().rev().find(|a| a.name == name) else { return Ok(None) };
        let folder = workdir::artifacts_in(&workdir::root());
        let file = workdir::artifact_file(&folder, &artifact.name, &artifact.path)?;
        Ok(Some(InputArtifact { artifact: artifact.clone(), file }))
    }

    /// The invocation without its input artifacts that have no file, and the
    /// names of those. Argo lists an optional input artifact in the template
    /// whether or not it was supplied, and its executor places no file for
    /// one that was not supplied or not found in the repository
    /// (`workflow/executor/executor.go` 272-276 and 334-336 at f016ad8); the
    /// host does the same. A module with optional inputs drops them here
    /// before reading any. Any error but a missing file is left to the read
    /// that follows.
    pub fn without_absent_artifacts(mut self) -> Result<(PluginInvocation, Vec<String>)> {
        let mut absent = Vec::new();
        let mut present = Vec::new();
        for artifact in &self.artifacts {
            let file = self.artifact(&artifact.name)?.file;
            match std::fs::metadata(&file) {
                Err(error) if error.kind() == io::ErrorKind::NotFound => absent.push(artifact.name.clone()),
                _ => present.push(artifact.clone()),
            }
        }
        self.artifacts = present;
        Ok((self, absent))
    }
}

/// An output artifact being written. Write to it (it is buffered), then call
/// [`finish`](Self::finish) and add the returned reference to the result.
///
/// ```no_run
/// use std::io::Write;
/// use wasm_workflows_sdk::prelude::*;
///
/// # fn main() -> anyhow::Result<()> {
/// let mut html = OutputArtifact::create("html", "/output.html")?;
/// html.write_all(b"<p>hello</p>")?;
/// let result = PluginResult::succeeded("rendered").with_artifact(html.finish()?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct OutputArtifact {
    artifact: ArtifactRef,
    file: PathBuf,
    writer: BufWriter<File>,
}

impl OutputArtifact {
    /// Creates the file for artifact `name` at `path` (below `artifacts-out/`),
    /// with any folders it needs.
    pub fn create(name: impl Into<String>, path: impl Into<String>) -> Result<Self> {
        let artifact = ArtifactRef::new(name, path);
        let folder = workdir::artifacts_out(&workdir::root());
        let file = workdir::artifact_file(&folder, &artifact.name, &artifact.path)?;
        let io_error = |error| Error::Io {
            action: format!("create output artifact \"{}\" at", artifact.name),
            path: workdir::display(&file),
            error,
        };
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        let writer = BufWriter::new(File::create(&file).map_err(io_error)?);
        Ok(OutputArtifact { artifact, file, writer })
    }

    /// The file being written.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Flushes the file and returns the reference to list in the result.
    pub fn finish(mut self) -> Result<ArtifactRef> {
        match self.writer.flush() {
            Ok(()) => Ok(self.artifact),
            Err(source) => Err(self.write_error(source)),
        }
    }

    fn write_error(self, error: io::Error) -> Error {
        Error::Io {
            action: format!("write output artifact \"{}\" at", self.artifact.name),
            path: workdir::display(&self.file),
            error,
        }
    }
}

impl Write for OutputArtifact {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Writes a whole output artifact at once and returns its reference.
pub fn write_output_artifact(name: impl Into<String>, path: impl Into<String>, contents: &[u8]) -> Result<ArtifactRef> {
    let mut artifact = OutputArtifact::create(name, path)?;
    match artifact.writer.write_all(contents) {
        Ok(()) => artifact.finish(),
        Err(source) => Err(artifact.write_error(source)),
    }
}
