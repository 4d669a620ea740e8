//! HTTP routes: health probes, the GraphQL API, and the Sentry ingest endpoints.
mod graphql;
mod health;
pub mod ingest;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;
use crate::graphql::LarderSchema;

pub fn router(state: AppState, schema: LarderSchema) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route(
            "/graphql",
            get(graphql::graphiql)
                .post(graphql::execute)
                .with_state((state.clone(), schema.clone())),
        )
        .route(
            "/graphql/ws",
            get(graphql::subscriptions).with_state((state.clone(), schema)),
        )
        .merge(ingest::router(state.clone()))
        .with_state(state)
}
