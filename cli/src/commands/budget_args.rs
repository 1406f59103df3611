//! The per-step budgets `run` and `serve` share: open files and the work
//! directory's bytes and entries. Past any of them a module is stopped and
//! its step fails with a message that names the flag.

use clap::Args;
use wasm_workflows_cli::runner::{
    DEFAULT_MAX_OPEN_FILES, DEFAULT_MAX_WORK_DIR_ENTRIES, DEFAULT_MAX_WORK_DIR_MIB, RunOptions,
};

#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct BudgetArgs {
    /// How many files, folders and other resources (streams, HTTP requests)
    /// a module may hold open at once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_OPEN_FILES)]
    pub(crate) max_open_files: u64,

    /// How many MiB a module may write under /work (its files' lengths;
    /// what the host put there before it ran does not count).
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_WORK_DIR_MIB)]
    pub(crate) max_work_dir: u64,

    /// How many files, folders and links a module may make under /work.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_WORK_DIR_ENTRIES)]
    pub(crate) max_work_dir_entries: u64,
}

impl BudgetArgs {
    /// `options` with these budgets.
    pub(crate) fn apply(&self, options: RunOptions) -> RunOptions {
        RunOptions {
            max_open_files: Some(self.max_open_files),
            max_work_dir_mib: Some(self.max_work_dir),
            max_work_dir_entries: Some(self.max_work_dir_entries),
            ..options
        }
    }
}
