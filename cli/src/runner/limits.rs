//! What a run may hold, counted for the whole store: every linear memory,
//! every table (at [`TABLE_ELEMENT_BYTES`] an element) and the response
//! bodies the host buffers for the module share one budget
//! (`--max-memory`, a [`MemoryAccount`] the store's limiter shares with
//! the host's buffers); table elements, and the numbers of instances,
//! tables and memories, are capped besides. The limiter remembers which
//! limit the module hit, so the trap that follows can be explained.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What one table element costs the host (a function reference).
pub(crate) const TABLE_ELEMENT_BYTES: usize = 8;

/// The budget when none is given: 4 GiB, the most a 32-bit memory can hold.
pub const DEFAULT_MAX_MEMORY_MIB: u64 = 4096;

/// The files, folders and other resources a module may hold open at once
/// when no budget is given (`--max-open-files`): many times what a step
/// needs, and a small share of a process's descriptors (often 2^20 in a
/// pod, 1,024 to 65,536 elsewhere) even with dozens of steps at once.
pub const DEFAULT_MAX_OPEN_FILES: u64 = 1024;

/// Entries of a run's resource table that are not the module's own
/// (its standard streams, the `/work` preopen and their streams).
const RESERVED_RESOURCES: usize = 32;

/// The capacity of a run's resource table for a budget of `max_open_files`
/// (the default when `None`).
pub(crate) fn resource_capacity(max_open_files: Option<u64>) -> usize {
    let max = max_open_files.unwrap_or(DEFAULT_MAX_OPEN_FILES);
    usize::try_from(max).unwrap_or(usize::MAX).saturating_add(RESERVED_RESOURCES)
}

/// Table elements a store may hold in all: a module's function table has
/// one per function it calls indirectly, tens of thousands in the largest
/// (an interpreter compiled to wasm).
const MAX_TABLE_ELEMENTS: usize = 1_000_000;
/// Core instances a store may hold (a component is several).
const MAX_INSTANCES: usize = 1_000;
/// Tables and memories a store may hold.
const MAX_TABLES: usize = 1_000;
const MAX_MEMORIES: usize = 100;

/// The limit a module hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitHit {
    /// Memories, tables and host buffers together would pass the budget.
    Memory,
    /// Its tables would hold more than [`MAX_TABLE_ELEMENTS`].
    TableElements,
}

/// A run's memory budget and what is counted against it: its memories and
/// tables (through the store's limiter) and the buffers the host holds for
/// it (a response body's frames, which a component's bodies receive on
/// tasks of their own, hence shared and atomic).
#[derive(Debug)]
pub(crate) struct MemoryAccount {
    max_bytes: usize,
    used: AtomicUsize,
    /// Whether something was refused for passing the budget.
    passed: AtomicBool,
}

impl MemoryAccount {
    /// Counts `bytes` more; `false` (and nothing counted) if that passes the budget.
    pub(crate) fn reserve(&self, bytes: usize) -> bool {
        let counted = self.used.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
            used.checked_add(bytes).filter(|total| *total <= self.max_bytes)
        });
        if counted.is_err() {
            self.passed.store(true, Ordering::Release);
        }
        counted.is_ok()
    }

    /// Gives back `bytes` counted before.
    pub(crate) fn release(&self, bytes: usize) {
        let _ = self.used.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| Some(used.saturating_sub(bytes)));
    }

    /// The budget in MiB, for messages.
    pub(crate) fn max_mib(&self) -> usize {
        self.max_bytes >> 20
    }
}

/// A `ResourceLimiter` for the whole store, and the account of the host's
/// buffers held for the module.
#[derive(Debug)]
pub(crate) struct StepLimiter {
    account: Arc<MemoryAccount>,
    table_elements: usize,
    /// The growth last allowed, taken back if wasmtime then fails it.
    last_growth: usize,
    hit: Option<LimitHit>,
}

impl StepLimiter {
    /// A budget of `max_mib` MiB (the default when `None`).
    pub(crate) fn new(max_mib: Option<u64>) -> Self {
        let mib = max_mib.unwrap_or(DEFAULT_MAX_MEMORY_MIB);
        let max_bytes = usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        let account = Arc::new(MemoryAccount { max_bytes, used: AtomicUsize::new(0), passed: AtomicBool::new(false) });
        StepLimiter { account, table_elements: 0, last_growth: 0, hit: None }
    }

    /// The account the host's buffers for the module count in.
    pub(crate) fn account(&self) -> Arc<MemoryAccount> {
        self.account.clone()
    }

    /// The limit the module hit, if it hit one.
    pub(crate) fn hit(&self) -> Option<LimitHit> {
        self.hit.or_else(|| self.account.passed.load(Ordering::Acquire).then_some(LimitHit::Memory))
    }

    /// The most table elements a store may hold, for messages.
    pub(crate) fn max_table_elements(&self) -> usize {
        MAX_TABLE_ELEMENTS
    }

    /// The budget in MiB, for messages.
    pub(crate) fn max_mib(&self) -> usize {
        self.account.max_mib()
    }

    /// Counts `bytes` more; `false` (and nothing counted) if that passes the budget.
    fn grow(&mut self, bytes: usize) -> bool {
        if !self.account.reserve(bytes) {
            self.hit = Some(LimitHit::Memory);
            return false;
        }
        self.last_growth = bytes;
        true
    }

    /// Counts `bytes` of a buffer the host holds for the module; `false` if
    /// it would pass the budget (the module is then refused the buffer).
    pub(crate) fn reserve_host(&mut self, bytes: usize) -> bool {
        self.grow(bytes)
    }

    /// Gives back `bytes` of a host buffer released.
    pub(crate) fn release_host(&mut self, bytes: usize) {
        self.account.release(bytes);
    }

    fn undo_last_growth(&mut self) {
        self.account.release(std::mem::take(&mut self.last_growth));
    }
}

impl wasmtime::ResourceLimiter for StepLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(self.grow(desired.saturating_sub(current)))
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.undo_last_growth();
        Ok(())
    }

    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let more = desired.saturating_sub(current);
        if self.table_elements.saturating_add(more) > MAX_TABLE_ELEMENTS {
            // Stopped at once: no module needs this, and one that asks is
            // not to be trusted to handle the refusal.
            self.hit = Some(LimitHit::TableElements);
            return Err(wasmtime::format_err!("tables of more than {MAX_TABLE_ELEMENTS} elements"));
        }
        if !self.grow(more.saturating_mul(TABLE_ELEMENT_BYTES)) {
            return Ok(false);
        }
        self.table_elements += more;
        Ok(true)
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.table_elements = self.table_elements.saturating_sub(self.last_growth / TABLE_ELEMENT_BYTES);
        self.undo_last_growth();
        Ok(())
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter;

    #[test]
    fn memories_tables_and_host_buffers_share_one_budget() {
        let mut limiter = StepLimiter::new(Some(1));
        assert!(limiter.memory_growing(0, 512 << 10, None).unwrap());
        assert!(limiter.table_growing(0, 32 << 10, None).unwrap(), "256 KiB of table");
        assert!(limiter.reserve_host(200 << 10));
        assert_eq!(limiter.hit(), None);
        assert!(!limiter.memory_growing(512 << 10, 600 << 10, None).unwrap(), "88 KiB more is over 1 MiB");
        assert_eq!(limiter.hit(), Some(LimitHit::Memory));
        limiter.release_host(200 << 10);
        assert!(limiter.memory_growing(512 << 10, 600 << 10, None).unwrap());
    }

    #[test]
    fn buffers_held_elsewhere_count_in_the_same_budget() {
        let mut limiter = StepLimiter::new(Some(1));
        let account = limiter.account();
        assert!(account.reserve(700 << 10), "a frame a component's body holds");
        assert!(!limiter.memory_growing(0, 512 << 10, None).unwrap(), "700 KiB + 512 KiB is over 1 MiB");
        assert_eq!(limiter.hit(), Some(LimitHit::Memory));
        account.release(700 << 10);
        assert!(limiter.memory_growing(0, 512 << 10, None).unwrap());
        let fresh = StepLimiter::new(Some(1));
        assert!(!fresh.account().reserve(2 << 20));
        assert_eq!(fresh.hit(), Some(LimitHit::Memory), "a refused buffer is a memory limit hit");
    }

    #[test]
    fn a_growth_wasmtime_then_fails_is_given_back() {
        let mut limiter = StepLimiter::new(Some(1));
        assert!(limiter.table_growing(0, 100_000, None).unwrap());
        limiter.table_grow_failed(wasmtime::format_err!("no")).unwrap();
        assert!(limiter.memory_growing(0, 1 << 20, None).unwrap(), "the failed table growth no longer counts");
    }

    #[test]
    fn huge_requests_do_not_overflow() {
        let mut limiter = StepLimiter::new(Some(u64::MAX));
        assert!(limiter.table_growing(0, usize::MAX / 2, None).is_err());
        let mut limiter = StepLimiter::new(None);
        assert_eq!(limiter.max_mib(), 4096);
        assert!(limiter.table_growing(0, 200_000_000, None).is_err(), "1.6 GB of table stops the module");
        assert_eq!(limiter.hit(), Some(LimitHit::TableElements));
        assert!(limiter.table_growing(0, 900_000, None).unwrap());
        assert!(limiter.table_growing(0, 100_001, None).is_err(), "the cap counts every table");
    }
}
