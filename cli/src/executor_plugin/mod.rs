//! Argo's executor-plugin contract, in one place: what Argo's agent posts to
//! `POST /api/v1/template.execute` ([`request`]), the answer it reads
//! ([`response`], [`Answer`]), the token it sends ([`token`]), a step's
//! identity ([`StepKey`]), the headers and the `plugin.wasm` option a pool
//! adds to it, and one HTTP router ([`router`]) over anything that answers
//! steps ([`AnswersSteps`]).
//!
//! Both sides of `serve` stand on it: the host that runs steps
//! ([`plugin_host`](crate::plugin_host)) and the front of a pool
//! ([`forward`](crate::forward)); neither imports the other. It uses only
//! the leaf modules [`metrics`](crate::metrics) (the page's content type)
//! and [`json_documents`](crate::json_documents) (JSON into the SDK's wire types).

pub mod request;
pub mod response;
pub mod router;
pub mod step_key;
pub mod token;

pub use self::router::AnswersSteps;
pub use self::step_key::StepKey;
pub use self::token::Token;

/// The path Argo's agent posts templates to.
pub const EXECUTE_PATH: &str = "/api/v1/template.execute";

/// The header a worker names its instance (one life of the process) in.
pub const INSTANCE_HEADER: &str = "x-wasm-workflows-instance";
/// The header a front names, on a node's later calls, the instance that started it.
pub const RUN_HEADER: &str = "x-wasm-workflows-run";
/// The `plugin.wasm` key that says a step may be run again if its worker is lost.
pub const IDEMPOTENT_OPTION: &str = "idempotent";

/// An answer to an execute call.
pub enum Answer {
    /// Not this plugin's template: `{}`.
    NotOurs,
    /// A node (finished, or `Running` with `requeue`), as JSON text.
    Node(String),
    /// The request is not one Argo sends (400), with why.
    BadRequest(String),
    /// No new step now (503, which Argo retries), with why.
    Busy(String),
}
