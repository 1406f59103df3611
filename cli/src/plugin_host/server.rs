//! The HTTP side: `POST /api/v1/template.execute` (with Argo's token, or a
//! pool's), `GET /healthz` (for the probes) and `GET /metrics`, on axum.
//!
//! Every answer to an execute call names this host's instance (one life of
//! the process) in [`INSTANCE_HEADER`]; a call that names another in
//! [`RUN_HEADER`] (a pool's front asking about a step it handed to an
//! earlier life of this worker) is answered 410: that step is lost.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Answer, PluginHost};
use crate::forward::{INSTANCE_HEADER, RUN_HEADER};

/// The path Argo's agent posts templates to.
pub const EXECUTE_PATH: &str = "/api/v1/template.execute";

/// The routes of the host.
pub fn router(host: Arc<PluginHost>) -> Router {
    Router::new()
        .route(EXECUTE_PATH, post(execute))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(host)
}

/// The probes' answer.
pub async fn healthz() -> &'static str {
    "ok\n"
}

async fn metrics(State(host): State<Arc<PluginHost>>) -> Response {
    metrics_page(host.metrics_text())
}

/// `GET /metrics`'s answer: `text` in Prometheus' text format.
pub fn metrics_page(text: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response()
}

/// The answer to a request without Argo's token.
pub fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "forbidden: the request does not carry Argo's token\n").into_response()
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn execute(State(host): State<Arc<PluginHost>>, headers: HeaderMap, body: Bytes) -> Response {
    if !host.admits(headers.get(header::AUTHORIZATION).map(|value| value.as_bytes())) {
        return forbidden();
    }
    let mut response = match headers.get(RUN_HEADER).map(|value| value.as_bytes()) {
        Some(instance) if instance != host.instance().as_bytes() => (
            StatusCode::GONE,
            format!(
                "this worker is instance {}, not {}: it has restarted since it took the step\n",
                host.instance(),
                String::from_utf8_lossy(instance)
            ),
        )
            .into_response(),
        _ => answered(host.answer(&body).await),
    };
    if let Ok(instance) = header::HeaderValue::from_str(host.instance()) {
        response.headers_mut().insert(INSTANCE_HEADER, instance);
    }
    response
}

/// The HTTP response of an answer.
pub fn answered(answer: Answer) -> Response {
    match answer {
        Answer::NotOurs => json(StatusCode::OK, super::response::NOT_OURS.to_owned()),
        Answer::Node(body) => json(StatusCode::OK, body),
        Answer::BadRequest(problem) => (StatusCode::BAD_REQUEST, format!("{problem}\n")).into_response(),
        Answer::Busy(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
    }
}
