//! The memory limit of a run (`--max-memory`), remembering whether the
//! module hit it so a trap that follows can be explained.

/// A `ResourceLimiter` that refuses memory growth past a limit.
#[derive(Debug, Default)]
pub(crate) struct MemoryLimit {
    max_bytes: Option<usize>,
    exceeded: bool,
}

impl MemoryLimit {
    pub(crate) fn new(max_mib: Option<u64>) -> Self {
        let max_bytes = max_mib.map(|mib| usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX));
        MemoryLimit { max_bytes, exceeded: false }
    }

    /// Whether the module asked for more than the limit.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded
    }
}

impl wasmtime::ResourceLimiter for MemoryLimit {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if self.max_bytes.is_some_and(|max| desired > max) {
            self.exceeded = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}
