//! `wasm-workflows serve`: a drop-in for Argo's WASM executor plugin.
//!
//! Argo's agent (one pod per workflow) calls
//! `POST /api/v1/template.execute` for each step whose template has a
//! `plugin`. For a `plugin.wasm` template this host:
//!
//! 1. checks Argo's token ([`Token`]);
//! 2. reads the step from the template ([`request`]): the module's image,
//!    its HTTP permissions, and the invocation the original plugin writes;
//! 3. runs it once per node ([`steps`]) on the shared runner ([`execute`]),
//!    with the module pulled once and compiled once ([`modules`]);
//! 4. answers the node ([`response`]); a step still running after a while is
//!    answered `Running` with `requeue`, so Argo asks again instead of
//!    timing out after 30 s and running the step twice.
//!
//! Any other template gets `{}`: Argo then asks the next plugin. When the
//! queue of steps is full, or the host is shutting down, a new step is
//! answered 503, which Argo retries.

pub mod artifact_repository;
pub mod connections;
pub mod execute;
pub mod metrics;
pub mod modules;
pub mod steps;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::FutureExt;
use std::future::Future;
use tracing::Instrument;
use wasm_workflows_sdk::protocol::PluginResult;

use self::execute::StepExecutor;
use self::metrics::HostMetrics;
use self::steps::{Refused, Steps};
use crate::executor_plugin::request::{self, Incoming, WasmStep};
use crate::executor_plugin::{Answer, AnswersSteps, StepKey, Token, response};

/// How the host answers.
#[derive(Debug, Clone, Copy)]
pub struct AnswerRules {
    /// How long a request waits for its step before answering `Running`.
    pub running_after: Duration,
    /// The `requeue` of a `Running` answer: when Argo asks again.
    pub requeue: Duration,
    /// How many steps may be unfinished (running or waiting to) at once.
    pub max_queued: usize,
}

impl Default for AnswerRules {
    fn default() -> Self {
        // Argo's agent gives up on a call after 30 s.
        AnswerRules { running_after: Duration::from_secs(20), requeue: Duration::from_secs(5), max_queued: 1024 }
    }
}

/// The plugin host: the token, the steps in flight and what runs them.
pub struct PluginHost {
    token: Token,
    answering: AnswerRules,
    steps: Steps,
    runner: Arc<StepExecutor>,
    draining: AtomicBool,
    metrics: Arc<HostMetrics>,
    instance: String,
}

impl PluginHost {
    /// A host checking `token`, running steps on `runner`, counting in `metrics`.
    pub fn new(token: Token, answering: AnswerRules, runner: StepExecutor, metrics: Arc<HostMetrics>) -> PluginHost {
        let instance = format!("{:016x}", rand::random::<u64>());
        PluginHost {
            token,
            steps: Steps::new(answering.max_queued),
            answering,
            runner: Arc::new(runner),
            draining: AtomicBool::new(false),
            metrics,
            instance,
        }
    }

    /// Stops taking new steps; those running go on and are still answered.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Steps not yet finished.
    pub fn unfinished(&self) -> usize {
        self.steps.unfinished()
    }

    /// Steps running, or finished and not yet handed out.
    pub fn steps_in_flight(&self) -> usize {
        self.steps.len()
    }

    /// The answer to a request's body.
    pub async fn answer(&self, body: &[u8]) -> Answer {
        let request = match request::read(body) {
            Err(problem) => return Answer::BadRequest(problem),
            Ok(Incoming::NotOurs) => return Answer::NotOurs,
            Ok(Incoming::Wasm(Err(problem))) => return Answer::Node(response::node(&PluginResult::failed(problem))),
            Ok(Incoming::Wasm(Ok(request))) => request,
        };
        let step = match WasmStep::of(&request) {
            Ok(step) => step,
            Err(problem) => return Answer::Node(response::node(&PluginResult::failed(problem))),
        };
        let waiting = match self.steps.claim(StepKey::of(body), !self.draining.load(Ordering::SeqCst)) {
            Ok(waiting) => waiting,
            Err(Refused::Full) => {
                self.metrics.refused.get("full").inc();
                return Answer::Busy(format!(
                    "this host has {} steps unfinished, as many as it queues (--max-queued); Argo asks again",
                    self.answering.max_queued
                ));
            }
            Err(Refused::Draining) => {
                self.metrics.refused.get("draining").inc();
                return Answer::Busy("this host is shutting down; Argo asks again".into());
            }
        };
        if waiting.new {
            let (runner, run, metrics) = (self.runner.clone(), waiting.step.clone(), self.metrics.clone());
            let image = step.image.clone();
            let span = tracing::info_span!(
                "step",
                workflow = %request.workflow_name,
                template = %request.template_name(),
                module = %image
            );
            tokio::spawn(
                async move {
                    let node = caught(runner.run(step)).await;
                    let took = run.running_for();
                    tracing::info!(phase = node.phase.as_str(), ms = took.as_millis() as u64, "step ended");
                    metrics.steps.get(node.phase.as_str()).inc();
                    metrics.step_took(&image, took);
                    run.finish(node);
                }
                .instrument(span),
            );
        }
        match waiting.step.wait(self.answering.running_after).await {
            Some(node) => {
                self.steps.deliver(&waiting);
                Answer::Node(response::node(&node))
            }
            None => Answer::Node(response::running(
                &format!(
                    "the module has been running for {} s; Argo asks again in {}",
                    waiting.step.running_for().as_secs(),
                    response::go_duration(self.answering.requeue)
                ),
                self.answering.requeue,
            )),
        }
    }
}

impl AnswersSteps for PluginHost {
    fn admits(&self, authorization: Option<&[u8]>) -> bool {
        self.token.admits(authorization)
    }

    async fn answer(&self, body: bytes::Bytes) -> Answer {
        PluginHost::answer(self, &body).await
    }

    fn metrics_text(&self) -> String {
        self.metrics.text()
    }

    /// A random id, new at every start.
    fn instance(&self) -> Option<&str> {
        Some(&self.instance)
    }
}

/// The node `running` answers; if it panics, a `Failed` node with the
/// panic's message (the step must not stay `Running` for ever).
async fn caught(running: impl Future<Output = PluginResult>) -> PluginResult {
    AssertUnwindSafe(running).catch_unwind().await.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        PluginResult::failed(format!("the host failed while running the step: {what}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_step_that_panics_ends_failed_with_the_panics_message() {
        let node = caught(async { panic!("the disk is gone") }).await;
        assert_eq!(node.message, "the host failed while running the step: the disk is gone");
        let node = caught(async { PluginResult::succeeded("fine") }).await;
        assert_eq!(node.message, "fine");
    }
}
