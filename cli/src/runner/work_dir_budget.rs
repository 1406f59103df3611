//! The budget of a step's work directory: how many bytes and how many
//! entries (files, folders, links: inodes) a module may add under `/work`
//! (`--max-work-dir`, `--max-work-dir-entries`), so one step cannot fill the
//! disk that the steps beside it share.
//!
//! The host measures the tree while the module runs (every
//! [`MIN_INTERVAL`] or more, the slower the larger the tree, on a thread
//! for blocking work) and once more when it ends; past either budget the
//! module is stopped and its step fails. A file counts the larger of its
//! length and the space it takes (a sparse file of a terabyte counts a
//! terabyte: the host would upload that much). What the host placed before
//! the run (input artifacts, `input.json`) is not the module's.
//!
//! The walk ([`tree_walk`]) measures a chain of folders of any depth.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::tree_walk;

/// The bytes a module may add to its work directory when no budget is
/// given: 1 GiB, a share of a pod's ephemeral storage (often a few GiB in
/// all) that leaves room for the steps beside it.
pub const DEFAULT_MAX_WORK_DIR_MIB: u64 = 1024;

/// The entries (files, folders, links) a module may add when no budget is
/// given.
pub const DEFAULT_MAX_WORK_DIR_ENTRIES: u64 = 100_000;

/// The shortest pause between two measures.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// How many measures in a row may fail (the module moving folders under
/// the walk) before the module is stopped.
const MAX_FAILED_MEASURES: u32 = 10;

/// The budget of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WorkDirBudget {
    pub(crate) max_bytes: u64,
    pub(crate) max_entries: u64,
}

/// What a measure found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) bytes: u64,
    pub(crate) entries: u64,
}

/// The budget a module went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// It wrote more than this many bytes.
    Bytes(u64),
    /// It made more than this many entries.
    Entries(u64),
    /// Its folders kept moving while the host measured them.
    Unmeasurable,
}

impl Exceeded {
    /// What the node's message says.
    pub(crate) fn describe(self) -> String {
        match self {
            Exceeded::Bytes(max) => format!(
                "the module wrote more than {} MiB under /work, its budget (--max-work-dir), and was stopped",
                max >> 20
            ),
            Exceeded::Entries(max) => format!(
                "the module made more than {max} files, folders and links under /work, its budget \
                 (--max-work-dir-entries), and was stopped"
            ),
            Exceeded::Unmeasurable => "the module kept moving folders under /work while the host measured them \
                                       against its budget (--max-work-dir), and was stopped"
                .to_owned(),
        }
    }
}

impl WorkDirBudget {
    /// A budget of `max_mib` MiB and `max_entries` entries (the defaults when `None`).
    pub(crate) fn new(max_mib: Option<u64>, max_entries: Option<u64>) -> WorkDirBudget {
        WorkDirBudget {
            max_bytes: max_mib.unwrap_or(DEFAULT_MAX_WORK_DIR_MIB).saturating_mul(1 << 20),
            max_entries: max_entries.unwrap_or(DEFAULT_MAX_WORK_DIR_ENTRIES),
        }
    }

    /// Which budget `usage` passes, counted from `baseline` (what was there
    /// before the module ran).
    pub(crate) fn passed_by(&self, usage: Usage, baseline: Usage) -> Option<Exceeded> {
        if usage.entries.saturating_sub(baseline.entries) > self.max_entries {
            Some(Exceeded::Entries(self.max_entries))
        } else if usage.bytes.saturating_sub(baseline.bytes) > self.max_bytes {
            Some(Exceeded::Bytes(self.max_bytes))
        } else {
            None
        }
    }

    /// Measures `root` on a thread for blocking work, counting no further
    /// than the budget needs.
    pub(crate) async fn measure(&self, root: &Path, baseline: Usage) -> io::Result<Usage> {
        let root = root.to_owned();
        let stop_after = baseline.entries.saturating_add(self.max_entries);
        tokio::task::spawn_blocking(move || measure(&root, stop_after))
            .await
            .unwrap_or_else(|error| Err(io::Error::other(error.to_string())))
    }

    /// Measures `root` again and again while the module runs: answers only
    /// when the module is past its budget.
    pub(crate) async fn watch(self, root: PathBuf, baseline: Usage) -> Exceeded {
        let mut failures = 0;
        let mut interval = MIN_INTERVAL;
        loop {
            tokio::time::sleep(interval).await;
            let started = Instant::now();
            match self.measure(&root, baseline).await {
                Ok(usage) => {
                    failures = 0;
                    if let Some(exceeded) = self.passed_by(usage, baseline) {
                        return exceeded;
                    }
                }
                Err(error) => {
                    tracing::debug!("cannot measure the work directory: {error}");
                    failures += 1;
                    if failures >= MAX_FAILED_MEASURES {
                        return Exceeded::Unmeasurable;
                    }
                }
            }
            // A large tree is measured less often: at most a fifth of the time.
            interval = MIN_INTERVAL.max(started.elapsed() * 4);
        }
    }
}

/// The bytes and entries below `root` (not counting `root` itself); the
/// count stops once it passes `stop_after` entries.
pub(crate) fn measure(root: &Path, stop_after: u64) -> io::Result<Usage> {
    let mut bytes = 0u64;
    let entries = tree_walk::walk(root, stop_after, |stat| {
        let allocated = u64::try_from(stat.st_blocks).unwrap_or(0).saturating_mul(512);
        let length = u64::try_from(stat.st_size).unwrap_or(0);
        bytes = bytes.saturating_add(allocated.max(length));
    })?;
    Ok(Usage { bytes, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_is_measured_at_any_depth() {
        let temp = tempfile::tempdir().unwrap();
        let mut dir = cap_std::fs::Dir::open_ambient_dir(temp.path(), cap_std::ambient_authority()).unwrap();
        for _ in 0..20_000 {
            dir.create_dir("d").unwrap();
            dir = dir.open_dir("d").unwrap();
        }
        dir.write("f", vec![0; 10_000]).unwrap();
        std::fs::write(temp.path().join("top"), b"abc").unwrap();
        std::os::unix::fs::symlink("/", temp.path().join("link")).unwrap();
        let usage = measure(temp.path(), u64::MAX).unwrap();
        assert_eq!(usage.entries, 20_000 + 1 + 1 + 1);
        assert!(usage.bytes >= 10_003, "{usage:?}");
        // Counting stops once past the budget.
        assert_eq!(measure(temp.path(), 100).unwrap().entries, 101);
        // Not TempDir's drop: std's removal is recursive and would overflow the stack.
        super::super::tree_removal::remove_tree(temp.path()).unwrap();
    }

    #[test]
    fn a_sparse_file_counts_its_length() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::File::create(temp.path().join("sparse")).unwrap().set_len(1 << 40).unwrap();
        let usage = measure(temp.path(), u64::MAX).unwrap();
        let budget = WorkDirBudget::new(Some(1024), None);
        assert_eq!(budget.passed_by(usage, Usage::default()), Some(Exceeded::Bytes(1 << 30)));
        assert_eq!(budget.passed_by(usage, usage), None, "what was there before is not the module's");
    }
}
