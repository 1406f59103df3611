//! Steps in flight, so that a step longer than Argo's 30-second call is run
//! once: the first request starts it; when it is still running after a
//! while, the answer is a `Running` node with `requeue`, and Argo sends the
//! same request again. Argo sends no node id, so a step is known by its
//! workflow and a hash of its template. The finished node is handed out
//! once, then forgotten; one nobody asks for is dropped after [`KEEP_FINISHED`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::watch;
use wasm_workflows_sdk::protocol::PluginResult;

use super::request::ExecuteRequest;

/// How long a finished node waits for Argo to ask for it.
pub const KEEP_FINISHED: Duration = Duration::from_secs(600);

/// A step's identity: its workflow and its template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepKey {
    workflow: String,
    template: [u8; 32],
}

impl StepKey {
    /// The key of the step `request` asks for.
    pub fn of(request: &ExecuteRequest) -> StepKey {
        let template = Sha256::digest(request.template.to_string().as_bytes()).into();
        StepKey { workflow: request.workflow_id.clone(), template }
    }
}

/// One step: its node once it has finished.
#[derive(Debug)]
pub struct Step {
    started: Instant,
    node: watch::Sender<Option<Arc<PluginResult>>>,
}

impl Step {
    /// Records the finished node and wakes whoever waits for it.
    pub fn finish(&self, node: PluginResult) {
        self.node.send_replace(Some(Arc::new(node)));
    }

    /// How long it has been running.
    pub fn running_for(&self) -> Duration {
        self.started.elapsed()
    }

    /// The node, waiting for it at most `patience`; `None` if it is still running.
    pub async fn wait(&self, patience: Duration) -> Option<Arc<PluginResult>> {
        let mut node = self.node.subscribe();
        let finished = tokio::time::timeout(patience, node.wait_for(Option::is_some)).await;
        match finished {
            Ok(Ok(node)) => node.clone(),
            _ => self.node.borrow().clone(),
        }
    }

    fn finished(&self) -> bool {
        self.node.borrow().is_some()
    }
}

/// The steps this host knows of.
#[derive(Debug, Default)]
pub struct Steps {
    steps: Mutex<HashMap<StepKey, Arc<Step>>>,
}

impl Steps {
    /// The step for `key`, and whether it is new (the caller must start it).
    pub fn claim(&self, key: &StepKey) -> (Arc<Step>, bool) {
        let mut steps = self.steps.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        steps.retain(|_, step| !(step.finished() && step.running_for() > KEEP_FINISHED));
        if let Some(step) = steps.get(key) {
            return (step.clone(), false);
        }
        let step = Arc::new(Step { started: Instant::now(), node: watch::channel(None).0 });
        steps.insert(key.clone(), step.clone());
        (step, true)
    }

    /// Forgets `step` (its node has been handed out).
    pub fn deliver(&self, key: &StepKey, step: &Arc<Step>) {
        let mut steps = self.steps.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if steps.get(key).is_some_and(|known| Arc::ptr_eq(known, step)) {
            steps.remove(key);
        }
    }

    /// Steps known: running, or finished and not yet handed out.
    pub fn len(&self) -> usize {
        self.steps.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }

    /// Whether no step is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
