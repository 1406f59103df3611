//! Removing a work directory, whatever a module made in it: any depth, any
//! number of entries, any names, with a bounded stack and a bounded number
//! of descriptors.
//!
//! A recursive removal (`std::fs::remove_dir_all`) holds one stack frame and
//! one descriptor per level: a chain of folders 25,000 deep overflows a
//! worker's stack or runs out of descriptors. Here the tree is flattened
//! instead: a folder that is not empty has its entries moved up into the
//! top folder (renamed there, never copied), and is then removed. Each
//! entry is moved at most once, no link is followed, and at most three
//! descriptors are open at a time.
//!
//! A removal that fails is retried; one that still fails is logged, never
//! fatal. A work directory is named after the process that made it
//! (`wasm-workflows-<pid>-…`), so what a crashed process left behind is
//! found and removed when the next one starts ([`remove_leftovers`]).

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cap_fs_ext::DirExt;
use cap_std::fs::Dir;

/// The start of every work directory's name; the process id and a random
/// part follow.
pub(crate) const WORK_DIR_PREFIX: &str = "wasm-workflows-";

/// How many names are read from a folder before they are acted on.
const BATCH: usize = 1024;

/// The pauses before each retry of a removal that failed.
const RETRY_PAUSES: [Duration; 3] = [Duration::from_millis(100), Duration::from_secs(1), Duration::from_secs(5)];

/// The prefix of the work directories this process makes.
pub(crate) fn own_prefix() -> String {
    format!("{WORK_DIR_PREFIX}{}-", std::process::id())
}

/// Removes the folder at `path` and everything below it; retried after a
/// pause when it fails, and logged (never fatal) when it still fails.
/// Blocking: call it off the async workers.
pub(crate) fn remove_logged(path: &Path) {
    let mut pauses = RETRY_PAUSES.iter();
    loop {
        match remove_tree(path) {
            Ok(()) => return,
            Err(error) => match pauses.next() {
                Some(pause) => {
                    tracing::warn!("cannot remove the work directory {}: {error}; trying again", path.display());
                    std::thread::sleep(*pause);
                }
                None => {
                    tracing::error!(
                        "cannot remove the work directory {}: {error}; the next start of the host removes it",
                        path.display()
                    );
                    return;
                }
            },
        }
    }
}

/// Removes the folder at `path` and everything below it, following no link.
/// A folder already gone is no error.
pub(crate) fn remove_tree(path: &Path) -> io::Result<()> {
    let top = match Dir::open_ambient_dir(path, cap_std::ambient_authority()) {
        Ok(top) => top,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    let mut fresh = FreshNames::default();
    loop {
        let names = first_names(&top)?;
        if names.is_empty() {
            break;
        }
        for name in names {
            remove_entry(&top, &name, &mut fresh)?;
        }
    }
    drop(top);
    match std::fs::remove_dir(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Removes entry `name` of `top`: a file or link at once, a folder after its
/// entries have been moved up into `top`.
fn remove_entry(top: &Dir, name: &OsString, fresh: &mut FreshNames) -> io::Result<()> {
    let metadata = match top.symlink_metadata(name) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    if !metadata.is_dir() {
        return ignore_missing(top.remove_file(name));
    }
    match top.remove_dir(name) {
        Err(error) if error.kind() == io::ErrorKind::DirectoryNotEmpty => {}
        done => return ignore_missing(done),
    }
    let folder = top.open_dir_nofollow(name)?;
    loop {
        let inner = first_names(&folder)?;
        if inner.is_empty() {
            break;
        }
        for child in inner {
            let new_name = fresh.next_free(top)?;
            ignore_missing(folder.rename(&child, top, &new_name))?;
        }
    }
    drop(folder);
    ignore_missing(top.remove_dir(name))
}

/// The first [`BATCH`] names in `dir` (`.` and `..` left out).
fn first_names(dir: &Dir) -> io::Result<Vec<OsString>> {
    let mut names = Vec::new();
    for entry in dir.entries()? {
        names.push(entry?.file_name());
        if names.len() == BATCH {
            break;
        }
    }
    Ok(names)
}

fn ignore_missing(done: io::Result<()>) -> io::Result<()> {
    match done {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        done => done,
    }
}

/// Names for entries moved up into the top folder, none of them in use.
#[derive(Default)]
struct FreshNames {
    next: u64,
}

impl FreshNames {
    fn next_free(&mut self, top: &Dir) -> io::Result<PathBuf> {
        loop {
            let name = PathBuf::from(format!(".removing-{}", self.next));
            self.next += 1;
            match top.symlink_metadata(&name) {
                Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(name),
                Err(error) => return Err(error),
                Ok(_) => {}
            }
        }
    }
}

/// Removes the work directories in `temp_dir` that a process no longer
/// running left behind (a crash, a kill): those named after a process id
/// that is not alive, or after this process's own id (a process that had it
/// before, in an earlier life of the container; this one has made none yet).
/// Call it when the process starts, before any step. Each is first renamed
/// to this process's name, so two processes starting together never remove
/// the same one. Blocking. Returns how many were removed.
pub fn remove_leftovers(temp_dir: &Path) -> usize {
    let own = std::process::id();
    let Ok(entries) = std::fs::read_dir(temp_dir) else {
        return 0;
    };
    let mut removed = 0;
    for (n, entry) in entries.flatten().enumerate() {
        let name = entry.file_name();
        let Some(owner) = name.to_str().and_then(owner_of) else {
            continue;
        };
        if owner != own && Path::new(&format!("/proc/{owner}")).exists() {
            continue;
        }
        if !entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            continue;
        }
        // Claimed under this process's name: another process starting now
        // sees it as alive and leaves it.
        let claimed = temp_dir.join(format!("{}leftover-{n}", own_prefix()));
        if owner != own && std::fs::rename(entry.path(), &claimed).is_err() {
            continue;
        }
        let path = if owner == own { entry.path() } else { claimed };
        tracing::info!("removing {}, which a host that is no longer running left behind", path.display());
        remove_logged(&path);
        removed += 1;
    }
    removed
}

/// The process id in a work directory's name `wasm-workflows-<pid>-…`.
fn owner_of(name: &str) -> Option<u32> {
    let (pid, _) = name.strip_prefix(WORK_DIR_PREFIX)?.split_once('-')?;
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `depth` folders below `top`, made level by level through
    /// a descriptor of each (the path would be too long to name at once).
    fn chain(top: &Path, depth: usize) {
        let mut dir = Dir::open_ambient_dir(top, cap_std::ambient_authority()).unwrap();
        for _ in 0..depth {
            dir.create_dir("d").unwrap();
            dir.write("f", b"x").unwrap();
            dir = dir.open_dir("d").unwrap();
        }
    }

    #[test]
    fn a_chain_deeper_than_any_stack_or_path_is_removed() {
        let temp = tempfile::tempdir().unwrap();
        let top = temp.path().join("work");
        std::fs::create_dir(&top).unwrap();
        chain(&top, 30_000);
        // A small stack: the removal must not need one frame per level.
        let path = top.clone();
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || remove_tree(&path))
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        assert!(!top.exists());
    }

    #[test]
    fn many_entries_odd_names_and_links_are_removed_and_no_link_is_followed() {
        let temp = tempfile::tempdir().unwrap();
        let outside = temp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep"), b"kept").unwrap();
        let top = temp.path().join("work");
        std::fs::create_dir_all(top.join("wide")).unwrap();
        for i in 0..3_000 {
            std::fs::write(top.join("wide").join(format!("{i}")), b"").unwrap();
        }
        for name in [".removing-0", ".removing-1", "\u{1}\n odd", "-", ".."] {
            let _ = std::fs::create_dir(top.join(name));
            let _ = std::fs::write(top.join("wide").join(name), b"");
        }
        std::os::unix::fs::symlink(&outside, top.join("link-out")).unwrap();
        std::os::unix::fs::symlink(&outside, top.join("wide/link-out")).unwrap();
        remove_tree(&top).unwrap();
        assert!(!top.exists());
        assert_eq!(std::fs::read(outside.join("keep")).unwrap(), b"kept");
        remove_tree(&top).unwrap();
    }

    #[test]
    fn leftovers_of_processes_no_longer_running_are_removed() {
        let temp = tempfile::tempdir().unwrap();
        // No process has pid 4194304 or more (Linux's most).
        let dead = temp.path().join(format!("{WORK_DIR_PREFIX}4194305-abc"));
        std::fs::create_dir(&dead).unwrap();
        chain(&dead, 100);
        let alive = temp.path().join(format!("{WORK_DIR_PREFIX}1-abc"));
        std::fs::create_dir(&alive).unwrap();
        let other = temp.path().join("something-else-4194305");
        std::fs::create_dir(&other).unwrap();
        assert_eq!(remove_leftovers(temp.path()), 1);
        assert!(!dead.exists());
        assert!(alive.exists(), "pid 1 is running");
        assert!(other.exists());
    }
}
