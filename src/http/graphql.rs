//! `POST /graphql` (authenticated) and `GET /graphql` (the GraphiQL page).
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::accounts::tokens;
use crate::app::AppState;
use crate::graphql::{LarderSchema, Loaders};

pub async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// Every operation, introspection included, needs `Authorization: Bearer <token>`.
pub async fn execute(
    State((state, schema)): State<(AppState, LarderSchema)>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let Some(token) = bearer_token(&headers) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "missing API token: send Authorization: Bearer <token>",
        );
    };
    let viewer = match tokens::authenticate(&state.db, token).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "invalid or revoked API token"),
        Err(error) => {
            tracing::error!(%error, "token lookup failed");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
        }
    };
    let request = request
        .into_inner()
        .data(viewer)
        .data(Loaders::new(state.db.clone()));
    GraphQLResponse::from(schema.execute(request).await).into_response()
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// A GraphQL-shaped error body, so clients show the message like any other GraphQL error.
fn refuse(status: StatusCode, message: &str) -> Response {
    let code = if status == StatusCode::UNAUTHORIZED {
        "UNAUTHENTICATED"
    } else {
        "UNAVAILABLE"
    };
    (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })),
    )
        .into_response()
}
