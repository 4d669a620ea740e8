//! Liveness and readiness probes.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::db;

/// The process is up.
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers: the server can take traffic.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if db::ping(&state.db).await {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "detail": "database unreachable" })),
        )
    }
}

/// Ingest counters in the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> String {
    state.pipeline.metrics.render()
}
