//! The HTTP side: `POST /api/v1/template.execute` (with Argo's token) and
//! `GET /healthz` (for the liveness probe), on axum.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Answer, PluginHost};

/// The path Argo's agent posts templates to.
pub const EXECUTE_PATH: &str = "/api/v1/template.execute";

/// The routes of the host.
pub fn router(host: Arc<PluginHost>) -> Router {
    Router::new().route(EXECUTE_PATH, post(execute)).route("/healthz", get(healthz)).with_state(host)
}

async fn healthz() -> &'static str {
    "ok\n"
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn execute(State(host): State<Arc<PluginHost>>, headers: HeaderMap, body: Bytes) -> Response {
    if !host.admits(headers.get(header::AUTHORIZATION).map(|value| value.as_bytes())) {
        return (StatusCode::FORBIDDEN, "forbidden: the request does not carry Argo's token\n").into_response();
    }
    match host.answer(&body).await {
        Answer::NotOurs => json(StatusCode::OK, super::response::NOT_OURS.to_owned()),
        Answer::Node(body) => json(StatusCode::OK, body),
        Answer::BadRequest(problem) => (StatusCode::BAD_REQUEST, format!("{problem}\n")).into_response(),
        Answer::Busy(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
    }
}
