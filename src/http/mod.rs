//! HTTP routes: health probes, the GraphQL API, the Sentry ingest endpoints, the part of Sentry's
//! web API `sentry-cli` calls, and the web interface.
mod graphql;
mod health;
pub mod ingest;
mod links;
pub mod sentry_api;
pub mod serve;
mod web;

use axum::Router;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;

use crate::app::AppState;
use crate::graphql::LarderSchema;

/// Largest GraphQL request body: a document with its variables, an `ingestEvent` event included.
/// The body is read before the token is checked, so without a cap anyone could make the server
/// buffer an endless upload; larger bodies are answered 413.
const MAX_GRAPHQL_BODY: usize = 2 * 1024 * 1024;

pub fn router(state: AppState, schema: LarderSchema) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route(
            "/graphql",
            get(graphql::graphiql)
                .post(graphql::execute)
                .layer(RequestBodyLimitLayer::new(MAX_GRAPHQL_BODY))
                .with_state((state.clone(), schema.clone())),
        )
        .route(
            "/graphql/ws",
            get(graphql::subscriptions).with_state((state.clone(), schema)),
        )
        .route("/setup", get(links::setup_form).post(links::setup))
        .route(
            "/invitation",
            get(links::invitation_form).post(links::invitation),
        )
        .route("/reset-password", get(links::reset_form).post(links::reset))
        .merge(sentry_api::router())
        .merge(ingest::router(state.clone()))
        .merge(web::router())
        .with_state(state)
}

/// Folds runs of `/` in the request path into one (`//api//42/envelope/` → `/api/42/envelope/`).
pub fn collapse_slashes(mut request: axum::extract::Request) -> axum::extract::Request {
    let path = request.uri().path();
    if !path.contains("//") {
        return request;
    }
    let mut folded = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && folded.ends_with('/')) {
            folded.push(c);
        }
    }
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{folded}?{query}"),
        None => folded,
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(rewritten) = path_and_query.parse() {
        parts.path_and_query = Some(rewritten);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::collapse_slashes;

    #[test]
    fn duplicate_slashes_fold() {
        let request = axum::extract::Request::builder()
            .uri("//api//42///envelope/?sentry_key=a")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(
            collapse_slashes(request).uri(),
            "/api/42/envelope/?sentry_key=a"
        );
    }
}
