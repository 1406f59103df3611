//! The HTTP side of the contract, one router for whatever answers steps
//! (the host that runs them, or a pool's front): `POST
//! /api/v1/template.execute` (with the token), `GET /healthz` (for the
//! probes) and `GET /metrics`, on axum.
//!
//! An answerer that runs steps itself names its instance (one life of the
//! process) in [`INSTANCE_HEADER`] on every answer to an execute call; a
//! call that names another in [`RUN_HEADER`] (a pool's front asking about a
//! step it handed to an earlier life of this worker) is answered 410: that
//! step is lost.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Answer, EXECUTE_PATH, INSTANCE_HEADER, RUN_HEADER};

/// The largest request body read (Argo's requests are a template: a few
/// KiB). Only a request that carries the token has its body read at all.
pub const MAX_BODY: usize = 2 << 20;

/// How long a request's body may take to arrive (Argo's arrive at once).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What answers Argo's execute calls behind the [`router`].
pub trait AnswersSteps: Send + Sync + 'static {
    /// Whether an `Authorization` header carries the token.
    fn admits(&self, authorization: Option<&[u8]>) -> bool;

    /// The answer to a request's body (its token checked).
    fn answer(&self, body: Bytes) -> impl Future<Output = Answer> + Send;

    /// The metrics in Prometheus' text format.
    fn metrics_text(&self) -> String;

    /// This life of the process, when it runs steps itself: named in
    /// [`INSTANCE_HEADER`] and checked against [`RUN_HEADER`]. `None` (a
    /// front, which runs none) does neither.
    fn instance(&self) -> Option<&str> {
        None
    }
}

/// The routes of an answerer.
pub fn router<A: AnswersSteps>(answerer: Arc<A>) -> Router {
    Router::new()
        .route(EXECUTE_PATH, post(execute::<A>))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::<A>))
        .with_state(answerer)
}

/// The probes' answer.
async fn healthz() -> &'static str {
    "ok\n"
}

async fn metrics<A: AnswersSteps>(State(answerer): State<Arc<A>>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], answerer.metrics_text()).into_response()
}

/// The answer to a request without the token.
fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "forbidden: the request does not carry Argo's token\n").into_response()
}

/// The body of a request whose token was checked, at most [`MAX_BODY`]
/// bytes; the error is the answer to send instead (413).
async fn read_body(body: Body) -> Result<Bytes, Response> {
    let too_large = |why: String| {
        (StatusCode::PAYLOAD_TOO_LARGE, format!("this host reads request bodies of at most {MAX_BODY} bytes: {why}\n"))
            .into_response()
    };
    // A larger Content-Length is refused before a byte of the body is read.
    let announced = http_body::Body::size_hint(&body).lower();
    if announced > MAX_BODY as u64 {
        return Err(too_large(format!("this one announces {announced}")));
    }
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(read) => read.map_err(|error| too_large(error.to_string())),
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            format!("the request's body took longer than {} s to arrive\n", BODY_TIMEOUT.as_secs()),
        )
            .into_response()),
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn execute<A: AnswersSteps>(State(answerer): State<Arc<A>>, headers: HeaderMap, body: Body) -> Response {
    if !answerer.admits(headers.get(header::AUTHORIZATION).map(|value| value.as_bytes())) {
        return forbidden();
    }
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let Some(instance) = answerer.instance() else {
        return answered(answerer.answer(body).await);
    };
    let mut response = match headers.get(RUN_HEADER).map(|value| value.as_bytes()) {
        Some(asked) if asked != instance.as_bytes() => (
            StatusCode::GONE,
            format!(
                "this worker is instance {instance}, not {}: it has restarted since it took the step\n",
                String::from_utf8_lossy(asked)
            ),
        )
            .into_response(),
        _ => answered(answerer.answer(body).await),
    };
    if let Ok(instance) = header::HeaderValue::from_str(instance) {
        response.headers_mut().insert(INSTANCE_HEADER, instance);
    }
    response
}

/// The HTTP response of an answer.
fn answered(answer: Answer) -> Response {
    match answer {
        Answer::NotOurs => json(StatusCode::OK, super::response::NOT_OURS.to_owned()),
        Answer::Node(body) => json(StatusCode::OK, body),
        Answer::BadRequest(problem) => (StatusCode::BAD_REQUEST, format!("{problem}\n")).into_response(),
        Answer::Busy(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
    }
}
