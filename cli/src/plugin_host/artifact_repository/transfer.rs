//! Moving one artifact between its file in the work directory and its
//! object, streamed. The files are the work directory's own: an input is
//! created there by the host; an output is one the runner checked (a
//! regular file, reached without a link) and opened through the directory.

use std::path::PathBuf;

use futures_util::StreamExt;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wasm_workflows_sdk::protocol::{ArtifactRef, S3Artifact};

use super::remote::Failure;
use super::{ArtifactError, ArtifactRepository, Direction, MAX_CONCURRENT_PARTS, PART_SIZE};
use crate::runner::{OutputFile, WorkDir};

/// The buffer for reading a file to upload.
const READ_CHUNK: usize = 256 * 1024;

/// Downloads `artifact`'s object to its file in `work_dir`'s
/// `artifacts-in/`; a partly written file is emptied.
pub(super) async fn download(
    repository: &ArtifactRepository,
    artifact: &ArtifactRef,
    work_dir: &WorkDir,
) -> Result<(), ArtifactError> {
    let key = match &artifact.s3 {
        Some(S3Artifact { key }) if !key.is_empty() => key,
        _ => return Err(ArtifactError::NoKey { name: artifact.name.clone() }),
    };
    let file = wasm_workflows_sdk::workdir::artifact_file(
        &wasm_workflows_sdk::workdir::artifacts_in(work_dir.path()),
        &artifact.name,
        &artifact.path,
    )
    .map_err(|error| ArtifactError::InvalidPath(crate::runner::HostError::InputArtifactPath(error)))?;
    let transfer = Transfer { repository, direction: Direction::Input, name: &artifact.name, key, file };
    let location = transfer.location()?;
    let object = repository.store.get(&location).await.map_err(|e| transfer.remote(e))?;
    let out = work_dir.create_input(&artifact.name, &artifact.path).map_err(ArtifactError::InvalidPath)?;
    let mut out = tokio::fs::File::from_std(out);
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
        let _ = out.set_len(0).await;
    }
    written
}

/// Uploads `output` from `work_dir` to `key`: in one request up to
/// [`PART_SIZE`], else in parts, [`MAX_CONCURRENT_PARTS`] at a time. The
/// answer is the key the object was stored at: `key` as S3 reads it (a
/// leading or trailing `/` dropped), the one the node must report.
pub(super) async fn upload(
    repository: &ArtifactRepository,
    output: &OutputFile,
    key: &str,
    work_dir: &WorkDir,
) -> Result<String, ArtifactError> {
    let file = work_dir.output_path(output);
    let transfer = Transfer { repository, direction: Direction::Output, name: &output.name, key, file };
    let location = transfer.location()?;
    let input = work_dir.open_output(output).map_err(|e| transfer.local("open", e))?;
    let size = input.metadata().map_err(|e| transfer.local("read", e))?.len();
    let mut input = tokio::fs::File::from_std(input);
    if size <= PART_SIZE as u64 {
        let mut contents = Vec::with_capacity(size as usize);
        (&mut input).take(PART_SIZE as u64).read_to_end(&mut contents).await.map_err(|e| transfer.local("read", e))?;
        repository.store.put(&location, PutPayload::from(contents)).await.map_err(|e| transfer.remote(e))?;
        return Ok(location.to_string());
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
        Ok(()) => parts.finish().await.map(|_| location.to_string()).map_err(|e| transfer.remote(e)),
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
        let invalid = |problem: String| ArtifactError::InvalidKey {
            direction: self.direction,
            name: self.name.to_owned(),
            key: self.key.to_owned(),
            problem,
        };
        let location = object_store::path::Path::parse(self.key).map_err(|e| invalid(e.to_string()))?;
        if location.as_ref().is_empty() {
            return Err(invalid("it names no object".into()));
        }
        Ok(location)
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
