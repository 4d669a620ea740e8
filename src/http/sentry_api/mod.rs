//! The part of Sentry's web API (`/api/0/…`) that `sentry-cli` calls: chunked uploads and
//! artifact bundles (`sourcemaps upload`), releases and deploys (`releases new/finalize/list/
//! info`, `deploys new/list`). Callers authenticate with a Larder API token as
//! `Authorization: Bearer`; `--org` is the organization's slug and `--project` a project's slug.
//!
//! Anything else under `/api/0/` answers 404 (405 for a known path with another method) with a
//! JSON `detail`, as Sentry does, so the CLI prints a reason instead of failing to parse.
mod assemble;
mod auth;
mod chunks;
mod error;
mod releases;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};

use crate::app::AppState;
pub use error::ApiError;

/// Largest chunk-upload request body (`maxRequestSize` in the chunk-upload options).
pub const MAX_CHUNK_REQUEST: usize = 32 * 1024 * 1024;
/// Largest JSON body of the other endpoints.
const MAX_JSON_BODY: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/0/", get(auth::whoami))
        .route(
            "/api/0/organizations/{org}/chunk-upload/",
            get(chunks::options)
                .post(chunks::upload)
                .layer(DefaultBodyLimit::max(MAX_CHUNK_REQUEST)),
        )
        .route(
            "/api/0/organizations/{org}/artifactbundle/assemble/",
            post(assemble::assemble).layer(DefaultBodyLimit::max(MAX_JSON_BODY)),
        )
        .merge(releases::router().layer(DefaultBodyLimit::max(MAX_JSON_BODY)))
        .route("/api/0/{*rest}", axum::routing::any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "this endpoint of Sentry's API is not provided by Larder",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this endpoint",
    )
}
