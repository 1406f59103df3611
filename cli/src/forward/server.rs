//! The front's HTTP side: `POST /api/v1/template.execute` (with Argo's
//! token), `GET /healthz` and `GET /metrics`.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::{get, post};

use super::Front;
use crate::plugin_host::server::{EXECUTE_PATH, answered, forbidden, healthz, metrics_page, read_body};

/// The routes of a front.
pub fn router(front: Arc<Front>) -> Router {
    Router::new()
        .route(EXECUTE_PATH, post(execute))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(front)
}

async fn execute(State(front): State<Arc<Front>>, headers: HeaderMap, body: Body) -> Response {
    if !front.admits(headers.get(header::AUTHORIZATION).map(|value| value.as_bytes())) {
        return forbidden();
    }
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    answered(front.answer(body).await)
}

async fn metrics(State(front): State<Arc<Front>>) -> Response {
    metrics_page(front.metrics_text())
}
