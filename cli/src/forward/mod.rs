//! Forwarding mode (`serve --forward-to URL` or `--forward-to-dns NAME:PORT`):
//! the sidecar in Argo's agent pod is a thin front for a pool of `serve`
//! workers that Kubernetes places, restarts and scales.
//!
//! The front checks Argo's token and answers `{}` for templates that are not
//! ours itself; each wasm step goes to one worker, chosen by rendezvous
//! hashing of the step's request ([`rendezvous`]), with the pool's token.
//! It remembers which worker (and which life of it) took each step
//! ([`assignments`]), so a node's later calls reach that worker whatever has
//! joined or left the pool since. A worker that refuses a new step
//! (unreachable, 503 while it drains or is full) is passed over for the
//! next. A step whose worker is gone (connection refused or reset, or the
//! worker restarted) ends as a `Failed` node that names the worker and says
//! the step was lost, or, when its template says it is safe to repeat
//! (`plugin.wasm.idempotent: true`), is started again on another worker.
//! A step never hangs `Running` because its worker vanished.

pub mod assignments;
pub mod membership;
pub mod metrics;
pub mod rendezvous;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tracing::Instrument;
use wasm_workflows_sdk::protocol::PluginResult;

use self::assignments::{Assigned, Assignments};
use self::membership::Membership;
use self::metrics::FrontMetrics;
use crate::error_text::chain;
use crate::executor_plugin::request::{self, Incoming};
use crate::executor_plugin::{
    Answer, AnswersSteps, EXECUTE_PATH, IDEMPOTENT_OPTION, INSTANCE_HEADER, RUN_HEADER, StepKey, Token, response,
};

/// How long the front waits for a worker to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long it waits for a worker's answer (a worker answers `Running`
/// after `--running-after`, 20 s by default; Argo gives up after 30 s).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(27);

/// The front of a pool.
pub struct Front {
    token: Token,
    pool_token: String,
    membership: Membership,
    client: reqwest::Client,
    assignments: Assignments,
    metrics: FrontMetrics,
}

/// What a worker answered.
struct Reply {
    status: u16,
    body: Bytes,
    instance: String,
}

/// Why a call to a worker failed.
enum CallError {
    /// It was never reached: nothing started there.
    Unreachable(String),
    /// It was reached, then lost (killed, reset): a step may have started.
    Lost(String),
}

impl Front {
    /// A front checking Argo's `token`, sending `pool_token` to the workers of `membership`.
    pub fn new(token: Token, pool_token: String, membership: Membership) -> Result<Front, String> {
        crate::tls::install_crypto_provider();
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(ANSWER_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client for the pool: {e}"))?;
        Ok(Front {
            token,
            pool_token,
            membership,
            client,
            assignments: Assignments::default(),
            metrics: FrontMetrics::default(),
        })
    }

    /// The workers known now.
    pub fn workers(&self) -> Vec<SocketAddr> {
        self.membership.workers()
    }

    /// The answer to a request's body.
    pub async fn answer(&self, body: Bytes) -> Answer {
        let request = match request::read(&body) {
            Err(problem) => return Answer::BadRequest(problem),
            Ok(Incoming::NotOurs) => return Answer::NotOurs,
            Ok(Incoming::Wasm(Err(problem))) => return Answer::Node(response::node(&PluginResult::failed(problem))),
            Ok(Incoming::Wasm(Ok(request))) => request,
        };
        let idempotent =
            request.template.pointer(&format!("/plugin/wasm/{IDEMPOTENT_OPTION}")) == Some(&Value::Bool(true));
        let key = StepKey::of(&body).bytes();
        let span = tracing::info_span!("step", workflow = %request.workflow_name, template = %request.template_name());
        self.forward(key, &body, idempotent).instrument(span).await
    }

    async fn forward(&self, key: [u8; 32], body: &Bytes, idempotent: bool) -> Answer {
        let mut passed_over = Vec::new();
        if let Some(assigned) = self.assignments.get(&key) {
            match self.call(assigned.worker, body, Some(&assigned.instance)).await {
                Ok(reply) if reply.status != 410 => return self.handed_out(key, assigned.worker, reply),
                Ok(reply) => {
                    let why = String::from_utf8_lossy(&reply.body).trim().to_owned();
                    if let Some(answer) = self.lost(&key, &assigned, &why, idempotent) {
                        return answer;
                    }
                }
                Err(CallError::Unreachable(why) | CallError::Lost(why)) => {
                    if let Some(answer) = self.lost(&key, &assigned, &why, idempotent) {
                        return answer;
                    }
                }
            }
            passed_over.push(assigned.worker);
        }
        self.start(key, body, &passed_over, idempotent).await
    }

    /// A step's worker is gone: a `Failed` node saying so, or `None` when
    /// the step may be started again elsewhere.
    fn lost(&self, key: &[u8; 32], assigned: &Assigned, why: &str, idempotent: bool) -> Option<Answer> {
        self.assignments.forget(key);
        if idempotent {
            self.metrics.repeated.inc();
            tracing::warn!("the worker {} of a step is gone ({why}); starting it again elsewhere", assigned.worker);
            return None;
        }
        self.metrics.lost.inc();
        tracing::warn!("the worker {} of a step is gone ({why}); the step is lost", assigned.worker);
        Some(Answer::Node(response::node(&PluginResult::failed(format!(
            "the step was lost: the pool's worker {} that ran it is gone ({why}); set plugin.wasm.{IDEMPOTENT_OPTION}: \
             true in the template if the step may be run again from the start",
            assigned.worker
        )))))
    }

    /// Hands a new step to its worker, or to the next in rendezvous order
    /// when one cannot take it.
    async fn start(&self, key: [u8; 32], body: &Bytes, passed_over: &[SocketAddr], idempotent: bool) -> Answer {
        let workers = self.membership.workers();
        let mut refusals = Vec::new();
        for worker in rendezvous::ranked(&key, &workers).into_iter().filter(|w| !passed_over.contains(w)) {
            match self.call(worker, body, None).await {
                Ok(reply) if reply.status == 503 => {
                    refusals.push(format!("{worker}: {}", String::from_utf8_lossy(&reply.body).trim()));
                }
                Ok(reply) => return self.handed_out(key, worker, reply),
                Err(CallError::Unreachable(why)) => refusals.push(format!("{worker}: {why}")),
                Err(CallError::Lost(why)) if idempotent => refusals.push(format!("{worker}: {why}")),
                Err(CallError::Lost(why)) => {
                    let assigned = Assigned { worker, instance: String::new() };
                    return self.lost(&key, &assigned, &why, false).expect("not idempotent");
                }
            }
        }
        let why = match refusals.is_empty() {
            true => format!("the pool has no workers ({})", membership::list(&workers)),
            false => format!("no worker of the pool takes it now ({})", refusals.join("; ")),
        };
        Answer::Busy(format!("{why}; Argo asks again"))
    }

    /// Passes a worker's answer on, remembering where the step runs.
    fn handed_out(&self, key: [u8; 32], worker: SocketAddr, reply: Reply) -> Answer {
        if reply.status != 200 {
            // Not Argo's answer to a node (a worker refusing the pool's token, say): fail it, saying why.
            let why = String::from_utf8_lossy(&reply.body).trim().to_owned();
            return Answer::Node(response::node(&PluginResult::failed(format!(
                "the pool's worker {worker} refused the step ({} {why})",
                reply.status
            ))));
        }
        let running = serde_json::from_slice::<Value>(&reply.body)
            .ok()
            .and_then(|answer| answer.pointer("/node/phase").and_then(Value::as_str).map(str::to_owned))
            .is_some_and(|phase| phase == "Running" || phase == "Pending");
        self.assignments.record(key, Assigned { worker, instance: reply.instance }, !running);
        match std::str::from_utf8(&reply.body) {
            Ok(text) => Answer::Node(text.to_owned()),
            Err(_) => Answer::Node(response::node(&PluginResult::failed(format!(
                "the pool's worker {worker} answered what is not JSON text"
            )))),
        }
    }

    /// Posts `body` to `worker` with the pool's token (and, on a node's
    /// later call, the instance that started it).
    async fn call(&self, worker: SocketAddr, body: &Bytes, instance: Option<&str>) -> Result<Reply, CallError> {
        let url = format!("http://{worker}{EXECUTE_PATH}");
        let mut request = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.pool_token))
            .body(body.clone());
        if let Some(instance) = instance {
            request = request.header(RUN_HEADER, instance);
        }
        let worker_name = worker.to_string();
        self.metrics.forwarded.get(&worker_name).inc();
        let failed = |error: CallError| {
            self.metrics.forward_errors.get(&worker_name).inc();
            error
        };
        let response = request.send().await.map_err(|error| failed(sort_out(&error)))?;
        let status = response.status().as_u16();
        let instance = response
            .headers()
            .get(INSTANCE_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.bytes().await.map_err(|error| failed(CallError::Lost(chain(&error))))?;
        Ok(Reply { status, body, instance })
    }
}

impl AnswersSteps for Front {
    fn admits(&self, authorization: Option<&[u8]>) -> bool {
        self.token.admits(authorization)
    }

    async fn answer(&self, body: Bytes) -> Answer {
        Front::answer(self, body).await
    }

    fn metrics_text(&self) -> String {
        self.metrics.text(self.membership.workers().len(), self.assignments.len())
    }
}

fn sort_out(error: &reqwest::Error) -> CallError {
    if error.is_connect() { CallError::Unreachable(chain(error)) } else { CallError::Lost(chain(error)) }
}
