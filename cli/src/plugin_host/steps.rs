//! Steps in flight, so that each node's step runs exactly once.
//!
//! Argo sends no node id: a step is known by its request, which Argo sends
//! byte for byte again for a node's later calls (after a `Running` answer
//! with `requeue`). Two nodes whose resolved templates are the same send the
//! same bytes too. Argo sends a node's first call once and its next call
//! only after an answer, so a request that comes while another with the same
//! bytes is still waiting for its answer is another node: it gets a run of
//! its own. A request that comes when none is waiting is a node's later call
//! and joins a run of its key that nobody waits on.
//!
//! A finished node is handed out once, then forgotten; one nobody asks for
//! is dropped [`KEEP_FINISHED`] after it finished.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use wasm_workflows_sdk::protocol::PluginResult;

use crate::executor_plugin::StepKey;

/// How long a finished node waits for Argo to ask for it.
pub const KEEP_FINISHED: Duration = Duration::from_secs(600);

/// One run of a step: its node once it has finished.
#[derive(Debug)]
pub struct Step {
    started: Instant,
    node: watch::Sender<Option<(Arc<PluginResult>, Instant)>>,
    /// Requests waiting for its answer right now.
    waiting: AtomicUsize,
}

impl Step {
    /// Records the finished node (the first one given) and wakes whoever waits for it.
    pub fn finish(&self, node: PluginResult) {
        self.node.send_if_modified(|slot| {
            if slot.is_some() {
                return false;
            }
            *slot = Some((Arc::new(node), Instant::now()));
            true
        });
    }

    /// How long it has been running.
    pub fn running_for(&self) -> Duration {
        self.started.elapsed()
    }

    /// The node, waiting for it at most `patience`; `None` if it is still running.
    pub async fn wait(&self, patience: Duration) -> Option<Arc<PluginResult>> {
        let mut node = self.node.subscribe();
        let _ = tokio::time::timeout(patience, node.wait_for(Option::is_some)).await;
        self.node.borrow().as_ref().map(|(node, _)| node.clone())
    }

    /// Whether it has finished.
    pub fn finished(&self) -> bool {
        self.node.borrow().is_some()
    }

    fn finished_before(&self, keep: Duration) -> bool {
        self.node.borrow().as_ref().is_some_and(|(_, at)| at.elapsed() > keep)
    }
}

/// A request waiting on a run: counted while it lives.
#[derive(Debug)]
pub struct Waiting {
    /// The run.
    pub step: Arc<Step>,
    /// Whether the run is new: the caller must start it.
    pub new: bool,
    key: StepKey,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.step.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Why a new run was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// As many steps as the host queues are unfinished.
    Full,
    /// The host is shutting down.
    Draining,
}

/// The steps this host knows of.
#[derive(Debug)]
pub struct Steps {
    steps: Mutex<HashMap<StepKey, Vec<Arc<Step>>>>,
    max_unfinished: usize,
    keep_finished: Duration,
}

impl Steps {
    /// Steps of which at most `max_unfinished` may be unfinished at once; a
    /// finished one is kept [`KEEP_FINISHED`].
    pub fn new(max_unfinished: usize) -> Steps {
        Steps::keeping(max_unfinished, KEEP_FINISHED)
    }

    /// As [`Steps::new`], a finished step kept for `keep_finished`.
    pub fn keeping(max_unfinished: usize, keep_finished: Duration) -> Steps {
        Steps { steps: Mutex::new(HashMap::new()), max_unfinished: max_unfinished.max(1), keep_finished }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<StepKey, Vec<Arc<Step>>>> {
        self.steps.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The run the request with `key` waits on: one of its key that no
    /// request waits on now, else a new one, unless `accept_new` is false
    /// (draining) or the queue is full.
    pub fn claim(&self, key: StepKey, accept_new: bool) -> Result<Waiting, Refused> {
        let mut steps = self.lock();
        steps.retain(|_, runs| {
            runs.retain(|run| !run.finished_before(self.keep_finished));
            !runs.is_empty()
        });
        let runs = steps.entry(key).or_default();
        if let Some(run) = runs.iter().find(|run| run.waiting.load(Ordering::SeqCst) == 0) {
            run.waiting.fetch_add(1, Ordering::SeqCst);
            return Ok(Waiting { step: run.clone(), new: false, key });
        }
        if !accept_new {
            return Err(Refused::Draining);
        }
        let unfinished: usize = steps.values().flatten().filter(|run| !run.finished()).count();
        if unfinished >= self.max_unfinished {
            return Err(Refused::Full);
        }
        let run =
            Arc::new(Step { started: Instant::now(), node: watch::channel(None).0, waiting: AtomicUsize::new(1) });
        steps.entry(key).or_default().push(run.clone());
        Ok(Waiting { step: run, new: true, key })
    }

    /// Forgets the run `waiting` waited on: its node has been handed out.
    pub fn deliver(&self, waiting: &Waiting) {
        let mut steps = self.lock();
        if let Some(runs) = steps.get_mut(&waiting.key) {
            runs.retain(|run| !Arc::ptr_eq(run, &waiting.step));
            if runs.is_empty() {
                steps.remove(&waiting.key);
            }
        }
    }

    /// Runs known: running, or finished and not yet handed out.
    pub fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    /// Whether no run is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs not yet finished.
    pub fn unfinished(&self) -> usize {
        self.lock().values().flatten().filter(|run| !run.finished()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_identical_requests_each_get_a_run_and_later_calls_join_one() {
        let steps = Steps::new(10);
        let key = StepKey::of(b"same request");
        let first = steps.claim(key, true).unwrap();
        let second = steps.claim(key, true).unwrap();
        assert!(first.new && second.new, "a request while another waits is another node");
        assert!(!Arc::ptr_eq(&first.step, &second.step));
        let first_run = first.step.clone();
        drop(first); // answered Running
        let later = steps.claim(key, true).unwrap();
        assert!(!later.new && Arc::ptr_eq(&later.step, &first_run), "a later call joins the run nobody waits on");
        later.step.finish(PluginResult::succeeded("one"));
        steps.deliver(&later);
        drop(later);
        drop(second);
        assert_eq!(steps.len(), 1, "the second run is still known");
    }

    #[test]
    fn the_queue_is_bounded_and_a_draining_host_takes_no_new_run() {
        let steps = Steps::new(2);
        let a = steps.claim(StepKey::of(b"a"), true).unwrap();
        let _b = steps.claim(StepKey::of(b"b"), true).unwrap();
        assert_eq!(steps.claim(StepKey::of(b"c"), true).unwrap_err(), Refused::Full);
        a.step.finish(PluginResult::succeeded("a"));
        assert!(steps.claim(StepKey::of(b"c"), true).is_ok(), "a finished run no longer counts");
        drop(a);
        assert_eq!(steps.claim(StepKey::of(b"d"), false).unwrap_err(), Refused::Draining);
        let again = steps.claim(StepKey::of(b"a"), false).unwrap();
        assert!(!again.new, "a draining host still answers for its own runs");
    }

    #[test]
    fn a_finished_node_is_kept_counting_from_when_it_finished() {
        let steps = Steps::keeping(10, Duration::from_millis(300));
        let key = StepKey::of(b"long step");
        let waiting = steps.claim(key, true).unwrap();
        // It ran longer than the steps are kept: it is not dropped for that.
        std::thread::sleep(Duration::from_millis(400));
        waiting.step.finish(PluginResult::succeeded("long"));
        drop(waiting);
        let later = steps.claim(key, true).unwrap();
        assert!(!later.new, "the node finished just now is still there for its later call");
        drop(later);
        std::thread::sleep(Duration::from_millis(400));
        assert!(steps.claim(StepKey::of(b"other"), true).unwrap().new);
        assert!(steps.claim(key, true).unwrap().new, "dropped once kept long enough after it finished");
    }

    #[tokio::test]
    async fn a_run_keeps_its_first_node() {
        let steps = Steps::new(1);
        let waiting = steps.claim(StepKey::of(b"x"), true).unwrap();
        waiting.step.finish(PluginResult::succeeded("first"));
        waiting.step.finish(PluginResult::failed("second"));
        let node = waiting.step.wait(Duration::ZERO).await.unwrap();
        assert_eq!(node.message, "first");
    }
}
