//! The compiled modules a runner keeps in memory, by digest: the most
//! recently used, at most a number of them and a number of bytes of
//! compiled code in all ([`KeptBounds`]), so that however many distinct
//! modules steps name, what the host keeps stays within both. A module
//! dropped here is loaded again from the cache folder (or compiled again)
//! when a step next needs it; a step running it holds its own reference.

use super::prepared::{ModuleDigest, PreparedModule};

/// How many compiled modules a runner keeps in memory unless told otherwise.
pub const DEFAULT_MAX_KEPT_MODULES: usize = 32;

/// How many MiB of compiled code a runner keeps in memory unless told
/// otherwise: room for the largest modules (an interpreter compiled to a
/// component is tens of MiB compiled) beside many small ones.
pub const DEFAULT_MAX_KEPT_MIB: u64 = 256;

/// How much a runner keeps in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptBounds {
    /// Compiled modules kept at most.
    pub max_modules: usize,
    /// Bytes of compiled code (the modules' images) kept at most, in all.
    pub max_bytes: u64,
}

impl Default for KeptBounds {
    fn default() -> Self {
        KeptBounds { max_modules: DEFAULT_MAX_KEPT_MODULES, max_bytes: DEFAULT_MAX_KEPT_MIB << 20 }
    }
}

/// What a runner keeps in memory now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeptSize {
    /// Compiled modules kept.
    pub modules: usize,
    /// Bytes of compiled code they hold.
    pub bytes: u64,
}

struct Kept {
    digest: ModuleDigest,
    module: PreparedModule,
    bytes: u64,
}

/// The modules kept, the least recently used first.
pub(crate) struct KeptModules {
    bounds: KeptBounds,
    kept: Vec<Kept>,
    bytes: u64,
}

impl KeptModules {
    pub(crate) fn new(bounds: KeptBounds) -> KeptModules {
        KeptModules { bounds, kept: Vec::new(), bytes: 0 }
    }

    /// The module whose digest is `digest`, if kept; it becomes the most recently used.
    pub(crate) fn get(&mut self, digest: &ModuleDigest) -> Option<PreparedModule> {
        let at = self.kept.iter().position(|kept| &kept.digest == digest)?;
        let kept = self.kept.remove(at);
        let module = kept.module.clone();
        self.kept.push(kept);
        Some(module)
    }

    /// Keeps `module` (`bytes` of compiled code) as the most recently used,
    /// dropping the least recently used ones until both bounds hold. A
    /// module larger than the whole byte bound is not kept: `false`.
    pub(crate) fn insert(&mut self, digest: ModuleDigest, module: PreparedModule, bytes: u64) -> bool {
        if self.get(&digest).is_some() {
            return true;
        }
        if bytes > self.bounds.max_bytes || self.bounds.max_modules == 0 {
            return false;
        }
        while !self.kept.is_empty()
            && (self.kept.len() >= self.bounds.max_modules || self.bytes + bytes > self.bounds.max_bytes)
        {
            let dropped = self.kept.remove(0);
            self.bytes -= dropped.bytes;
        }
        self.bytes += bytes;
        self.kept.push(Kept { digest, module, bytes });
        true
    }

    /// How many modules and bytes are kept.
    pub(crate) fn size(&self) -> KeptSize {
        KeptSize { modules: self.kept.len(), bytes: self.bytes }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::runner::ModuleKind;
    use crate::runner::prepared::Linked;

    fn module() -> PreparedModule {
        PreparedModule { linked: Linked::Unlinkable(ModuleKind::Core, Arc::from("a test entry")) }
    }

    fn digest(n: u8) -> ModuleDigest {
        [n; 32]
    }

    #[test]
    fn the_least_recently_used_go_first_past_the_count() {
        let mut kept = KeptModules::new(KeptBounds { max_modules: 3, max_bytes: 1 << 30 });
        for n in 0..3 {
            assert!(kept.insert(digest(n), module(), 10));
        }
        assert!(kept.get(&digest(0)).is_some(), "0 is now the most recently used");
        assert!(kept.insert(digest(3), module(), 10));
        assert!(kept.get(&digest(1)).is_none(), "1 was the least recently used");
        assert!(kept.get(&digest(0)).is_some() && kept.get(&digest(2)).is_some() && kept.get(&digest(3)).is_some());
        assert_eq!(kept.size(), KeptSize { modules: 3, bytes: 30 });
    }

    #[test]
    fn as_many_go_as_the_bytes_need() {
        let mut kept = KeptModules::new(KeptBounds { max_modules: 100, max_bytes: 100 });
        for n in 0..4 {
            assert!(kept.insert(digest(n), module(), 25));
        }
        assert_eq!(kept.size(), KeptSize { modules: 4, bytes: 100 });
        assert!(kept.insert(digest(9), module(), 60));
        assert_eq!(kept.size(), KeptSize { modules: 2, bytes: 85 }, "three of 25 bytes made room for 60");
        assert!(kept.get(&digest(3)).is_some() && kept.get(&digest(9)).is_some());
    }

    #[test]
    fn a_module_larger_than_the_bound_is_not_kept() {
        let mut kept = KeptModules::new(KeptBounds { max_modules: 10, max_bytes: 100 });
        assert!(kept.insert(digest(1), module(), 40));
        assert!(!kept.insert(digest(2), module(), 101));
        assert_eq!(kept.size(), KeptSize { modules: 1, bytes: 40 }, "nothing was dropped for it");
        assert!(kept.get(&digest(2)).is_none());
        let mut none = KeptModules::new(KeptBounds { max_modules: 0, max_bytes: 100 });
        assert!(!none.insert(digest(1), module(), 1));
        assert_eq!(none.size(), KeptSize::default());
    }

    #[test]
    fn a_module_kept_again_is_counted_once() {
        let mut kept = KeptModules::new(KeptBounds::default());
        assert!(kept.insert(digest(1), module(), 40));
        assert!(kept.insert(digest(1), module(), 40));
        assert_eq!(kept.size(), KeptSize { modules: 1, bytes: 40 });
    }
}
