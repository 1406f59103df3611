//! `wasm-workflows serve`: a drop-in for Argo's WASM executor plugin.
//!
//! Argo's agent (one pod per workflow) calls
//! `POST /api/v1/template.execute` for each step whose template has a
//! `plugin`. For a `plugin.wasm` template this host:
//!
//! 1. checks Argo's token ([`token`]);
//! 2. reads the step from the template ([`request`]): the module's image,
//!    its HTTP permissions, and the invocation the original plugin writes;
//! 3. runs it once ([`steps`]) on the shared runner ([`execute`]), with the
//!    module pulled once and compiled once ([`modules`]);
//! 4. answers the node ([`response`]); a step still running after a while is
//!    answered `Running` with `requeue`, so Argo asks again instead of
//!    timing out after 30 s and running the step twice.
//!
//! Any other template gets `{}`: Argo then asks the next plugin.

pub mod artifact_repository;
pub mod execute;
pub mod modules;
pub mod request;
pub mod response;
pub mod server;
pub mod steps;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use self::execute::StepRunner;
use self::request::{ExecuteRequest, WasmStep};
use self::steps::{StepKey, Steps};
use self::token::Token;

/// How the host answers.
#[derive(Debug, Clone, Copy)]
pub struct Answering {
    /// How long a request waits for its step before answering `Running`.
    pub running_after: Duration,
    /// The `requeue` of a `Running` answer: when Argo asks again.
    pub requeue: Duration,
}

impl Default for Answering {
    fn default() -> Self {
        // Argo's agent gives up on a call after 30 s.
        Answering { running_after: Duration::from_secs(20), requeue: Duration::from_secs(5) }
    }
}

/// The plugin host: the token, the steps in flight and what runs them.
pub struct PluginHost {
    token: Token,
    answering: Answering,
    steps: Steps,
    runner: Arc<StepRunner>,
}

/// An answer's body.
pub enum Answer {
    /// Not this plugin's template: `{}`.
    NotOurs,
    /// A node (finished, or `Running` with `requeue`), as JSON text.
    Node(String),
}

impl PluginHost {
    /// A host checking `token`, running steps on `runner`.
    pub fn new(token: Token, answering: Answering, runner: StepRunner) -> PluginHost {
        PluginHost { token, answering, steps: Steps::default(), runner: Arc::new(runner) }
    }

    /// Whether an `Authorization` header carries Argo's token.
    pub fn admits(&self, authorization: Option<&[u8]>) -> bool {
        self.token.admits(authorization)
    }

    /// The answer to `request`.
    pub async fn answer(&self, request: ExecuteRequest) -> Answer {
        let Some(plugin) = request.wasm_plugin() else {
            return Answer::NotOurs;
        };
        let step = match WasmStep::of(&request, plugin) {
            Ok(step) => step,
            Err(problem) => {
                return Answer::Node(response::node(&wasm_workflows_sdk::protocol::PluginResult::failed(problem)));
            }
        };
        let key = StepKey::of(&request);
        let (running, new) = self.steps.claim(&key);
        if new {
            let (runner, running) = (self.runner.clone(), running.clone());
            let image = step.image.clone();
            tokio::spawn(async move {
                let node = runner.run(step).await;
                eprintln!(
                    "[serve] {} {image}: {} after {} ms",
                    request.workflow_name,
                    node.phase.as_str(),
                    running.running_for().as_millis()
                );
                running.finish(node);
            });
        }
        match running.wait(self.answering.running_after).await {
            Some(node) => {
                self.steps.deliver(&key, &running);
                Answer::Node(response::node(&node))
            }
            None => Answer::Node(response::running(
                &format!(
                    "the module has been running for {} s; Argo asks again in {}",
                    running.running_for().as_secs(),
                    response::go_duration(self.answering.requeue)
                ),
                self.answering.requeue,
            )),
        }
    }

    /// Steps running, or finished and not yet handed out.
    pub fn steps_in_flight(&self) -> usize {
        self.steps.len()
    }
}
