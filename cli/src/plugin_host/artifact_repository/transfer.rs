//! Moving one artifact between its file and its object, streamed.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wasm_workflows_sdk::protocol::{ArtifactRef, S3Artifact};
use wasm_workflows_sdk::workdir::artifact_file;

use super::error::OutputFileProblem;
use super::remote::Failure;
use super::{ArtifactError, ArtifactRepository, Direction, MAX_CONCURRENT_PARTS, PART_SIZE};

/// The buffer for reading a file to upload.
const READ_CHUNK: usize = 256 * 1024;

/// Downloads `artifact`'s object to its file below `artifacts_in`; a partly
/// written file is removed.
pub(super) async fn download(
    repository: &ArtifactRepository,
    artifact: &ArtifactRef,
    artifacts_in: &Path,
) -> Result<(), ArtifactError> {
    let file = artifact_file(artifacts_in, &artifact.name, &artifact.path)
        .map_err(|error| ArtifactError::InvalidPath { direction: Direction::Input, error })?;
    let key = match &artifact.s3 {
        Some(S3Artifact { key }) if !key.is_empty() => key,
        _ => return Err(ArtifactError::NoKey { name: artifact.name.clone() }),
    };
    let transfer = Transfer { repository, direction: Direction::Input, name: &artifact.name, key, file };
    let object = repository.store.get(&transfer.location()?).await.map_err(|e| transfer.remote(e))?;

    if let Some(parent) = transfer.file.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(|e| transfer.local("create the folder for", e))?;
    }
    let mut out = tokio::fs::File::create(&transfer.file).await.map_err(|e| transfer.local("create", e))?;
    let written = async {
        let mut chunks = object.into_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| transfer.remote(e))?;
            out.write_all(&chunk).await.map_err(|e| transfer.local("write", e))?;
        }
        out.flush().await.map_err(|e| transfer.local("write", e))
    }
    .await;
    if written.is_err() {
        drop(out);
        let _ = tokio::fs::remove_file(&transfer.file).await;
    }
    written
}

/// Uploads `artifact`'s file below `artifacts_out` to `key`: in one request
/// up to [`PART_SIZE`], else in parts, [`MAX_CONCURRENT_PARTS`] at a time.
pub(super) async fn upload(
    repository: &ArtifactRepository,
    artifact: &ArtifactRef,
    key: &str,
    artifacts_out: &Path,
) -> Result<(), ArtifactError> {
    let file = artifact_file(artifacts_out, &artifact.name, &artifact.path)
        .map_err(|error| ArtifactError::InvalidPath { direction: Direction::Output, error })?;
    let transfer = Transfer { repository, direction: Direction::Output, name: &artifact.name, key, file };
    let location = transfer.location()?;
    let size = transfer.output_file_size(artifacts_out).await?;
    let mut input = tokio::fs::File::open(&transfer.file).await.map_err(|e| transfer.local("open", e))?;
    if size <= PART_SIZE as u64 {
        let mut contents = Vec::with_capacity(size as usize);
        input.read_to_end(&mut contents).await.map_err(|e| transfer.local("read", e))?;
        repository.store.put(&location, PutPayload::from(contents)).await.map_err(|e| transfer.remote(e))?;
        return Ok(());
    }
    let upload = repository.store.put_multipart(&location).await.map_err(|e| transfer.remote(e))?;
    let mut parts = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
    let mut buffer = vec![0; READ_CHUNK];
    let sent = async {
        loop {
            let read = input.read(&mut buffer).await.map_err(|e| transfer.local("read", e))?;
            if read == 0 {
                return Ok(());
            }
            parts.wait_for_capacity(MAX_CONCURRENT_PARTS).await.map_err(|e| transfer.remote(e))?;
            parts.write(&buffer[..read]);
        }
    }
    .await;
    match sent {
        Ok(()) => parts.finish().await.map(drop).map_err(|e| transfer.remote(e)),
        Err(error) => {
            let _ = parts.abort().await;
            Err(error)
        }
    }
}

/// One artifact on the move: what its errors name.
struct Transfer<'a> {
    repository: &'a ArtifactRepository,
    direction: Direction,
    name: &'a str,
    key: &'a str,
    file: PathBuf,
}

impl Transfer<'_> {
    /// The key as an object path, refusing empty, `.` and `..` parts.
    fn location(&self) -> Result<object_store::path::Path, ArtifactError> {
        object_store::path::Path::parse(self.key).map_err(|e| ArtifactError::InvalidKey {
            direction: self.direction,
            name: self.name.to_owned(),
            key: self.key.to_owned(),
            problem: e.to_string(),
        })
    }

    /// The size of the output file, refusing a missing file, a folder, and
    /// a symbolic link leading out of `artifacts_out`.
    async fn output_file_size(&self, artifacts_out: &Path) -> Result<u64, ArtifactError> {
        let problem =
            |problem| ArtifactError::OutputFile { name: self.name.to_owned(), path: self.file.clone(), problem };
        let real = match tokio::fs::canonicalize(&self.file).await {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(problem(OutputFileProblem::Missing)),
            Err(e) => return Err(self.local("resolve", e)),
        };
        let root = tokio::fs::canonicalize(artifacts_out).await.unwrap_or_else(|_| artifacts_out.to_owned());
        if !real.starts_with(&root) {
            return Err(problem(OutputFileProblem::LinksOut));
        }
        let metadata = tokio::fs::metadata(&real).await.map_err(|e| self.local("read", e))?;
        if !metadata.is_file() {
            return Err(problem(OutputFileProblem::NotAFile));
        }
        Ok(metadata.len())
    }

    fn local(&self, action: &'static str, error: std::io::Error) -> ArtifactError {
        ArtifactError::LocalFile {
            direction: self.direction,
            name: self.name.to_owned(),
            action,
            path: self.file.clone(),
            error,
        }
    }

    fn remote(&self, error: object_store::Error) -> ArtifactError {
        let (direction, name) = (self.direction, self.name.to_owned());
        let url = format!("s3://{}/{}", self.repository.bucket, self.key);
        let endpoint = self.repository.endpoint.clone();
        match Failure::of(&error) {
            Failure::NotFound => ArtifactError::NoObject { direction, name, url },
            Failure::Denied(detail) => {
                ArtifactError::Denied { direction, name, url, credentials: self.repository.credentials.clone(), detail }
            }
            Failure::Unreachable(detail) => ArtifactError::Unreachable { direction, name, url, endpoint, detail },
            Failure::Other(detail) => ArtifactError::Transfer { direction, name, url, endpoint, detail },
        }
    }
}
