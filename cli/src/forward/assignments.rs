//! Which worker runs each step the front has handed out, so that a node's
//! later calls (after a `Running` answer) reach the worker that runs it,
//! whatever has joined or left the pool since.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the front remembers a step last answered `Running` (as long as
/// a worker keeps a finished node).
const KEEP_RUNNING: Duration = Duration::from_secs(600);
/// How long it remembers a finished one: another node's call with the same
/// request may still be on its way to the same worker.
const KEEP_FINISHED: Duration = Duration::from_secs(30);

/// The worker of a step, and which of its lives (an instance id) started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// The worker's address.
    pub worker: SocketAddr,
    /// The worker process's instance id, from its answer.
    pub instance: String,
}

#[derive(Debug)]
struct Entry {
    assigned: Assigned,
    seen: Instant,
    finished: bool,
}

/// How often old entries are dropped.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

/// The steps handed out, by key.
#[derive(Debug)]
pub struct Assignments {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    entries: HashMap<[u8; 32], Entry>,
    pruned: Instant,
}

impl Default for Assignments {
    fn default() -> Self {
        Assignments { inner: Mutex::new(Inner { entries: HashMap::new(), pruned: Instant::now() }) }
    }
}

impl Assignments {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The worker the step with `key` was handed to, if the front remembers it.
    pub fn get(&self, key: &[u8; 32]) -> Option<Assigned> {
        self.lock().entries.get(key).map(|entry| entry.assigned.clone())
    }

    /// Records the answer of `assigned` for `key`: `finished` or not.
    pub fn record(&self, key: [u8; 32], assigned: Assigned, finished: bool) {
        let mut inner = self.lock();
        let now = Instant::now();
        if now.duration_since(inner.pruned) > PRUNE_EVERY {
            inner.entries.retain(|_, entry| {
                let keep = if entry.finished { KEEP_FINISHED } else { KEEP_RUNNING };
                now.duration_since(entry.seen) < keep
            });
            inner.pruned = now;
        }
        inner.entries.insert(key, Entry { assigned, seen: now, finished });
    }

    /// Forgets `key` (its worker is gone).
    pub fn forget(&self, key: &[u8; 32]) {
        self.lock().entries.remove(key);
    }

    /// Steps remembered.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether none is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_remembered_with_its_workers_instance() {
        let assignments = Assignments::default();
        let assigned = Assigned { worker: SocketAddr::from(([10, 0, 0, 1], 9276)), instance: "a1".into() };
        assert_eq!(assignments.get(&[1; 32]), None);
        assignments.record([1; 32], assigned.clone(), false);
        assert_eq!(assignments.get(&[1; 32]), Some(assigned));
        assignments.forget(&[1; 32]);
        assert!(assignments.is_empty());
    }
}
