//! `POST /graphql` (authenticated) and `GET /graphql` (the GraphiQL page).
use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::Json;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::accounts::tokens;
use crate::app::AppState;
use crate::graphql::{LarderSchema, Loaders};

pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .finish(),
    )
}

/// `GET /graphql/ws`: subscriptions. The `connection_init` payload carries the token as
/// `{"Authorization": "Bearer …"}` (what GraphiQL sends from its headers) or `{"token": "…"}`.
pub async fn subscriptions(
    State((state, schema)): State<(AppState, LarderSchema)>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("token")
                        .and_then(|t| t.as_str())
                        .or_else(|| {
                            payload
                                .get("Authorization")
                                .or_else(|| payload.get("authorization"))
                                .and_then(|h| h.as_str())
                                .and_then(|h| h.strip_prefix("Bearer "))
                        })
                        .ok_or_else(|| {
                            async_graphql::Error::new("missing API token in connection_init")
                        })?;
                    let viewer = tokens::authenticate(&state.db, token.trim())
                        .await
                        .map_err(|_| async_graphql::Error::new("database unavailable"))?
                        .ok_or_else(|| async_graphql::Error::new("invalid or revoked API token"))?;
                    let mut data = Data::default();
                    data.insert(viewer);
                    data.insert(Loaders::new(state.db.clone()));
                    Ok(data)
                })
                .serve()
        })
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
