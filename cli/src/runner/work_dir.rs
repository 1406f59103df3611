//! The host's side of the work directory: what it puts there before the
//! module runs (folders, input artifacts, `input.json`) and what it takes
//! from it after (`result.json`, the output artifacts a node lists).
//!
//! Everything the host reads or writes there goes through a capability
//! handle on the directory (cap-std): no path can lead out of it. What the
//! module left behind is read only if it is a regular file reached without
//! any symbolic link: a module may create links (WASI lets it), but the host
//! never follows one on its behalf, nor reads a FIFO, socket, device, or a
//! hard link whose other names are outside the directory.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt, OpenOptionsSyncExt};
use cap_std::fs::{Dir, FileTypeExt, MetadataExt, OpenOptions};
use rustix::fs::FileType;
use wasm_workflows_sdk::protocol::PluginResult;
use wasm_workflows_sdk::workdir;

use super::{HostError, InputFile, tree_removal, tree_walk};

/// The most output artifacts a node may list.
pub const MAX_OUTPUT_ARTIFACTS: usize = 1_000;

/// The largest `result.json` the host reads.
pub const MAX_RESULT_SIZE: u64 = 16 << 20;

/// The most entries the host looks through for the other names of a hard link.
const MAX_ENTRIES_SEARCHED: u64 = 100_000;

const INPUT_FILE: &str = "input.json";
const RESULT_FILE: &str = "result.json";
const ARTIFACTS_IN: &str = "artifacts-in";
const ARTIFACTS_OUT: &str = "artifacts-out";

/// A step's work directory, removed when dropped (whatever the module made
/// in it, at any depth, with bounded stack and descriptors). The drop blocks: in
/// async code, give it to [`WorkDir::remove`] instead.
pub struct WorkDir {
    path: PathBuf,
    root: Dir,
}

/// An output artifact the host checked: a regular file in the work directory.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// The artifact's name.
    pub name: String,
    /// Its path, as the module listed it (below `artifacts-out/`).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    relative: PathBuf,
}

impl WorkDir {
    /// A fresh, empty work directory with `artifacts-in/` and `artifacts-out/`.
    pub fn create() -> Result<WorkDir, HostError> {
        let io = |action: &str| {
            let action = action.to_owned();
            move |source| HostError::Io { action, source }
        };
        // Named after this process, so that the next start finds what a crash left.
        let path = tempfile::Builder::new()
            .prefix(&tree_removal::own_prefix())
            .tempdir()
            .map_err(io("create a work directory"))?
            .keep();
        let root = match Dir::open_ambient_dir(&path, cap_std::ambient_authority()) {
            Ok(root) => root,
            Err(error) => {
                tree_removal::remove_logged(&path);
                return Err(io("open the work directory")(error));
            }
        };
        let work_dir = WorkDir { path, root };
        work_dir.root.create_dir(ARTIFACTS_IN).map_err(io("create artifacts-in/"))?;
        work_dir.root.create_dir(ARTIFACTS_OUT).map_err(io("create artifacts-out/"))?;
        Ok(work_dir)
    }

    /// Removes it on a thread for blocking work, off the async workers
    /// (or right here, outside a tokio runtime).
    pub async fn remove(self) {
        if tokio::runtime::Handle::try_current().is_err() {
            drop(self);
            return;
        }
        if let Err(error) = tokio::task::spawn_blocking(move || drop(self)).await {
            tracing::error!("the removal of a work directory failed: {error}");
        }
    }

    /// Where it is on the host.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the file of input artifact `name` at `path` (below
    /// `artifacts-in/`), with its folders, for the host to fill.
    pub fn create_input(&self, name: &str, path: &str) -> Result<std::fs::File, HostError> {
        let invalid = |reason: String| HostError::InputArtifact { name: name.to_owned(), reason };
        let relative =
            workdir::artifact_file(Path::new(ARTIFACTS_IN), name, path).map_err(HostError::InputArtifactPath)?;
        if let Some(parent) = relative.parent() {
            self.root.create_dir_all(parent).map_err(|e| invalid(format!("cannot create its folder: {e}")))?;
        }
        let file = self.root.create(&relative).map_err(|e| invalid(format!("cannot create its file: {e}")))?;
        Ok(file.into_std())
    }

    /// Copies a local file in as an input artifact.
    pub(crate) fn place_input(&self, input: &InputFile) -> Result<(), HostError> {
        let mut source = std::fs::File::open(&input.source).map_err(|e| HostError::InputArtifact {
            name: input.name.clone(),
            reason: format!("cannot read {}: {e}", input.source.display()),
        })?;
        let mut file = self.create_input(&input.name, &input.path)?;
        io::copy(&mut source, &mut file).map(drop).map_err(|e| HostError::InputArtifact {
            name: input.name.clone(),
            reason: format!("cannot copy {} into the work directory: {e}", input.source.display()),
        })
    }

    /// Writes `input.json`.
    pub(crate) fn write_input_document(&self, contents: &[u8]) -> Result<(), HostError> {
        self.root
            .write(INPUT_FILE, contents)
            .map_err(|source| HostError::Io { action: "write input.json".into(), source })
    }

    /// The bytes of `result.json`: `None` when the module wrote none; the
    /// error says why it cannot be read (a link, not a file, too large).
    pub(crate) fn read_result(&self) -> Result<Option<Vec<u8>>, String> {
        let file = match self.open_regular(Path::new(RESULT_FILE)) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(format!("cannot read the module's /work/result.json: {error}")),
        };
        let size = file.metadata().map_err(|e| format!("cannot read the module's /work/result.json: {e}"))?.len();
        if size > MAX_RESULT_SIZE {
            return Err(format!(
                "the module wrote a /work/result.json of {size} bytes; the host reads at most {MAX_RESULT_SIZE}"
            ));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(MAX_RESULT_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the module's /work/result.json: {e}"))?;
        if bytes.len() as u64 > MAX_RESULT_SIZE {
            return Err(format!(
                "the module's /work/result.json is larger than the {MAX_RESULT_SIZE} bytes the host reads"
            ));
        }
        Ok(Some(bytes))
    }

    /// Checks every output artifact `node` lists: each must be a regular
    /// file below `artifacts-out/`, reached without a symbolic link. The
    /// error is the message of the `Failed` node that replaces it.
    pub fn check_outputs(&self, node: &PluginResult) -> Result<Vec<OutputFile>, String> {
        let listed = &node.outputs.artifacts;
        if listed.len() > MAX_OUTPUT_ARTIFACTS {
            return Err(format!(
                "the module listed {} output artifacts; a node may have at most {MAX_OUTPUT_ARTIFACTS}",
                listed.len()
            ));
        }
        listed
            .iter()
            .map(|artifact| {
                check_output_name(&artifact.name)?;
                let relative = workdir::artifact_file(Path::new(ARTIFACTS_OUT), &artifact.name, &artifact.path)
                    .map_err(|error| format!("the module listed an output artifact the host cannot upload: {error}"))?;
                let size = self.check_output(&relative).map_err(|problem| {
                    format!("output artifact \"{}\" (/work/{}): {problem}", artifact.name, relative.display())
                })?;
                Ok(OutputFile { name: artifact.name.clone(), path: artifact.path.clone(), size, relative })
            })
            .collect()
    }

    /// The size of the regular file at `relative`, or what is wrong with it.
    fn check_output(&self, relative: &Path) -> Result<u64, String> {
        let mut prefix = PathBuf::new();
        let parts: Vec<Component> = relative.components().collect();
        for (i, part) in parts.iter().enumerate() {
            prefix.push(part);
            let last = i + 1 == parts.len();
            let metadata = match self.root.symlink_metadata(&prefix) {
                Ok(metadata) => metadata,
                Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
                    return Err("the module wrote no file there".into());
                }
                Err(e) => return Err(format!("the host cannot look at it: {e}")),
            };
            let kind = metadata.file_type();
            if kind.is_symlink() {
                // Every part before this one is a real folder (checked above): reading
                // the link itself follows nothing.
                let target =
                    std::fs::read_link(self.path().join(&prefix)).map(|t| t.display().to_string()).unwrap_or_default();
                let what = if last { "it is".to_owned() } else { format!("/work/{} is", prefix.display()) };
                return Err(format!(
                    "{what} a symbolic link (to \"{target}\"); the host uploads only regular files inside the work \
                     directory and follows no link"
                ));
            }
            if !last {
                if !kind.is_dir() {
                    return Err("the module wrote no file there".into());
                }
                continue;
            }
            let not_a_file = if kind.is_dir() {
                Some("a directory")
            } else if kind.is_fifo() {
                Some("a FIFO")
            } else if kind.is_socket() {
                Some("a socket")
            } else if kind.is_block_device() || kind.is_char_device() {
                Some("a device")
            } else {
                None
            };
            if let Some(what) = not_a_file {
                return Err(format!("it is {what}, not a regular file"));
            }
            if metadata.nlink() > 1 && self.names_inside(metadata.dev(), metadata.ino()) < metadata.nlink() {
                return Err("it is a hard link to a file outside the work directory".into());
            }
            return Ok(metadata.len());
        }
        Err("the module wrote no file there".into())
    }

    /// How many names the file (`dev`, `ino`) has inside the work directory
    /// (at most [`MAX_ENTRIES_SEARCHED`] entries are looked at, at any depth).
    fn names_inside(&self, dev: u64, ino: u64) -> u64 {
        let mut names = 0;
        let walked = tree_walk::walk(self.path(), MAX_ENTRIES_SEARCHED, |stat| {
            if FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile
                && (stat.st_dev, stat.st_ino) == (dev, ino)
            {
                names += 1;
            }
        });
        if let Err(error) = walked {
            tracing::debug!("the search for the names of a hard link stopped: {error}");
        }
        names
    }

    /// Where a checked output artifact is on the host, for messages.
    pub fn output_path(&self, output: &OutputFile) -> PathBuf {
        self.path().join(&output.relative)
    }

    /// Opens a checked output artifact for reading.
    pub fn open_output(&self, output: &OutputFile) -> io::Result<std::fs::File> {
        self.open_regular(&output.relative)
    }

    /// Opens the regular file at `relative`, following no link in its last
    /// part (cap-std keeps every other part inside) and never blocking.
    fn open_regular(&self, relative: &Path) -> io::Result<std::fs::File> {
        let mut options = OpenOptions::new();
        options.read(true).follow(FollowSymlinks::No).nonblock(true);
        let file = self.root.open_with(relative, &options).map_err(|error| {
            if self.root.symlink_metadata(relative).is_ok_and(|m| m.file_type().is_symlink()) {
                io::Error::other("it is a symbolic link; the host follows no link")
            } else {
                error
            }
        })?;
        if !file.metadata()?.is_file() {
            return Err(io::Error::other("it is not a regular file"));
        }
        Ok(file.into_std())
    }
}

/// Refuses an output artifact name that cannot be the last part of an
/// object's key: empty, with a `/`, or with a control character.
fn check_output_name(name: &str) -> Result<(), String> {
    let problem = if name.is_empty() {
        "it is empty"
    } else if name.contains('/') {
        "it contains a \"/\""
    } else if name.chars().any(char::is_control) {
        "it contains a control character"
    } else {
        return Ok(());
    };
    Err(format!(
        "the module listed an output artifact named {name:?}, which the host cannot store: {problem} (a name is \
         the last part of its object's key)"
    ))
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        tree_removal::remove_logged(&self.path);
    }
}
