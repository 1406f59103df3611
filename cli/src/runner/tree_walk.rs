//! Walking a tree a module made, whatever its depth: with two descriptors
//! (three while a folder is listed) and no stack frame per level. The walk
//! goes down by name and back up through `..`, checking that it came back
//! to the folder it left (a module still running may move folders), and
//! follows no link.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

/// One folder of the walk: its identity, and the folders in it still to visit.
struct Level {
    id: (u64, u64),
    pending: Vec<CString>,
}

/// Calls `visit` with the status (`lstat`) of every entry below `root` (not
/// `root` itself) and answers how many there were; it stops once it has
/// seen more than `stop_after`. An entry that vanishes while the walk is
/// under way is left out; a folder moved under it is an error.
pub(crate) fn walk(root: &Path, stop_after: u64, mut visit: impl FnMut(&Stat)) -> io::Result<u64> {
    let mut seen = 0;
    let mut current = open_folder(rustix::fs::CWD, root)?;
    let pending = list(&current, &mut seen, stop_after, &mut visit)?;
    let mut levels = vec![Level { id: id_of(&rustix::fs::fstat(&current)?), pending }];
    while seen <= stop_after {
        let Some(level) = levels.last_mut() else { break };
        match level.pending.pop() {
            Some(name) => {
                let child = match open_folder(&current, name.as_c_str()) {
                    Ok(child) => child,
                    // Gone, or no longer a folder, since it was listed.
                    Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                    Err(error) if error.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error()) => continue,
                    Err(error) if error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => continue,
                    Err(error) => return Err(error),
                };
                let id = id_of(&rustix::fs::fstat(&child)?);
                let pending = list(&child, &mut seen, stop_after, &mut visit)?;
                current = child;
                levels.push(Level { id, pending });
            }
            None => {
                levels.pop();
                let Some(parent) = levels.last() else { break };
                let up = open_folder(&current, c"..")?;
                if id_of(&rustix::fs::fstat(&up)?) != parent.id {
                    return Err(io::Error::other("a folder moved while the host walked the tree"));
                }
                current = up;
            }
        }
    }
    Ok(seen)
}

fn open_folder<Fd: AsFd, P: rustix::path::Arg>(dir: Fd, path: P) -> io::Result<OwnedFd> {
    Ok(rustix::fs::openat(
        dir,
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

fn id_of(stat: &Stat) -> (u64, u64) {
    (stat.st_dev, stat.st_ino)
}

/// Visits the entries of folder `dir`, counting them in `seen`: the names of
/// the folders among them, to go down into.
fn list(dir: &OwnedFd, seen: &mut u64, stop_after: u64, visit: &mut impl FnMut(&Stat)) -> io::Result<Vec<CString>> {
    let mut folders = Vec::new();
    let mut entries = rustix::fs::Dir::read_from(dir)?;
    while let Some(entry) = entries.read() {
        let entry = entry?;
        let name = entry.file_name();
        if name == c"." || name == c".." {
            continue;
        }
        *seen += 1;
        if *seen > stop_after {
            break;
        }
        let Ok(stat) = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) else {
            continue;
        };
        visit(&stat);
        if FileType::from_raw_mode(stat.st_mode) == FileType::Directory {
            folders.push(name.to_owned());
        }
    }
    Ok(folders)
}
