//! Walking a tree a module made, whatever its depth: with two descriptors
//! (three while a folder is listed) and no stack frame per level. The walk
//! goes down by name and back up through `..`, checking that it came back
//! to the folder it left (a module still running may move folders), and
//! follows no link.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

/// One folder of the walk: its identity, and where the names of the folders
/// in it still to visit start in the walk's one buffer of names.
struct Level {
    id: (u64, u64),
    names_from: usize,
}

/// Calls `visit` with the status (`lstat`) of every entry below `root` (not
/// `root` itself) and answers how many there were; it stops once it has
/// seen more than `stop_after`. An entry that vanishes while the walk is
/// under way is left out; a folder moved under it is an error.
///
/// The names still to visit, of every level, are kept end to end in one
/// buffer (each ended by a NUL), not one allocation a name or a level: a
/// walk of 100,000 folders or 25,000 levels would otherwise leave as many
/// small blocks freed across the heap of a long-lived `serve`, which grew
/// by megabytes a walk (`docs/benchmarks.md`, the soak).
pub(crate) fn walk(root: &Path, stop_after: u64, mut visit: impl FnMut(&Stat)) -> io::Result<u64> {
    let mut seen = 0;
    let mut names = Vec::new();
    let mut current = open_folder(rustix::fs::CWD, root)?;
    list(&current, &mut names, &mut seen, stop_after, &mut visit)?;
    let mut levels = vec![Level { id: id_of(&rustix::fs::fstat(&current)?), names_from: 0 }];
    while seen <= stop_after {
        let Some(level) = levels.last() else { break };
        match last_name(&names, level.names_from) {
            Some(start) => {
                let opened = open_folder(&current, CStr::from_bytes_with_nul(&names[start..]).expect("one name"));
                names.truncate(start);
                let child = match opened {
                    Ok(child) => child,
                    // Gone, or no longer a folder, since it was listed.
                    Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                    Err(error) if error.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error()) => continue,
                    Err(error) if error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => continue,
                    Err(error) => return Err(error),
                };
                let id = id_of(&rustix::fs::fstat(&child)?);
                let names_from = names.len();
                list(&child, &mut names, &mut seen, stop_after, &mut visit)?;
                current = child;
                levels.push(Level { id, names_from });
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

/// Where the last name in `names` (NUL-ended, end to end) starts, if it is
/// at or after `from` (a level's first name).
fn last_name(names: &[u8], from: usize) -> Option<usize> {
    if names.len() <= from {
        return None;
    }
    let body = &names[from..names.len() - 1];
    Some(body.iter().rposition(|byte| *byte == 0).map_or(from, |nul| from + nul + 1))
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

/// Visits the entries of folder `dir`, counting them in `seen`, and adds
/// the names of the folders among them (to go down into) to `names`.
fn list(
    dir: &OwnedFd,
    names: &mut Vec<u8>,
    seen: &mut u64,
    stop_after: u64,
    visit: &mut impl FnMut(&Stat),
) -> io::Result<()> {
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
            names.extend_from_slice(name.to_bytes_with_nul());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_name_of_a_level_is_found_in_the_one_buffer() {
        let names = b"outer\0a\0bc\0".to_vec();
        assert_eq!(last_name(&names, 0), Some(8));
        assert_eq!(last_name(&names, 6), Some(8));
        assert_eq!(last_name(&names[..8], 6), Some(6));
        assert_eq!(last_name(&names[..6], 6), None);
        assert_eq!(last_name(&[], 0), None);
    }

    #[test]
    fn every_entry_of_a_branching_tree_is_visited_once() {
        let temp = tempfile::tempdir().unwrap();
        // Three folders in each folder, three levels deep, and a file of
        // `depth + 1` bytes in each: 39 folders and 40 files below the root.
        fn fill(dir: &Path, depth: usize) {
            std::fs::write(dir.join("file"), vec![b'x'; depth + 1]).unwrap();
            if depth == 3 {
                return;
            }
            for name in ["a", "folder-with-a-longer-name", "ü"] {
                std::fs::create_dir(dir.join(name)).unwrap();
                fill(&dir.join(name), depth + 1);
            }
        }
        fill(temp.path(), 0);
        let (mut folders, mut file_bytes) = (0, 0);
        let seen = walk(temp.path(), u64::MAX, |stat| match FileType::from_raw_mode(stat.st_mode) {
            FileType::Directory => folders += 1,
            _ => file_bytes += stat.st_size,
        })
        .unwrap();
        assert_eq!(seen, 79);
        assert_eq!(folders, 39);
        // 1 file of 1 byte, 3 of 2, 9 of 3, 27 of 4.
        assert_eq!(file_bytes, 1 + 3 * 2 + 9 * 3 + 27 * 4);
        assert_eq!(walk(temp.path(), 10, |_| {}).unwrap(), 11);
    }
}
