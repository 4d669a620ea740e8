//! `POST /graphql` and `GET /graphql` (the GraphiQL page), `GET /graphql/ws` (subscriptions).
//!
//! Credentials: `Authorization: Bearer <API token or session token>`, or the session cookie a
//! browser got from `signIn`. A cookie is sent by the browser on its own, also when another site
//! posts to us, so a cookie-authenticated request is accepted only with a same-origin `Origin`
//! header or the session's CSRF token in `X-Larder-CSRF`. Without credentials only sign-in and
//! the one-time links answer (every other field says UNAUTHENTICATED).
use std::net::SocketAddr;

use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::accounts::access::{self, AuthError, Caller};
use crate::accounts::sessions::{self, SESSION_COOKIE};
use crate::app::AppState;
use crate::graphql::{LarderSchema, Loaders};

/// Header a user sends to act in one of their organizations (by slug).
const ORGANIZATION_HEADER: &str = "x-larder-organization";
/// Header a browser page sends its session's CSRF token in.
const CSRF_HEADER: &str = "x-larder-csrf";

pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .finish(),
    )
}

/// `GET /graphql/ws`: subscriptions. The `connection_init` payload carries the token as
/// `{"Authorization": "Bearer …"}` (what GraphiQL sends from its headers) or `{"token": "…"}`;
/// a browser page may rely on its session cookie instead (the upgrade must come from our origin).
pub async fn subscriptions(
    State((state, schema)): State<(AppState, LarderSchema)>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let client = client_address(connect_info);
    let cookie = session_cookie(&headers)
        .filter(|_| same_origin(&headers, &state.config.public_url))
        .map(str::to_string);
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
                        .map(str::to_string)
                        .or(cookie)
                        .ok_or_else(|| {
                            async_graphql::Error::new("missing API token in connection_init")
                        })?;
                    let organization = payload
                        .get("organization")
                        .and_then(|o| o.as_str())
                        .map(str::to_string);
                    let caller = access::authenticate(
                        &state.db,
                        token.trim(),
                        organization.as_deref(),
                        state.config.session_lifetime,
                        client,
                    )
                    .await
                    .map_err(|error| match error {
                        AuthError::Database(_) => async_graphql::Error::new("database unavailable"),
                        other => async_graphql::Error::new(other.to_string()),
                    })?;
                    let mut data = Data::default();
                    data.insert(caller);
                    data.insert(Loaders::new(state.db.clone()));
                    Ok(data)
                })
                .serve()
        })
}

/// Runs one GraphQL request as its caller.
pub async fn execute(
    State((state, schema)): State<(AppState, LarderSchema)>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let client = client_address(connect_info);
    let credential = match credential(&headers, &state.config.public_url) {
        Ok(credential) => credential,
        Err(BadCredential::Malformed) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "malformed Authorization header: send Authorization: Bearer <token>",
            );
        }
        Err(BadCredential::CrossSite) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "CSRF",
                "cross-site request refused: a request authenticated by the session cookie \
                 needs a same-origin Origin header or the X-Larder-CSRF token",
            );
        }
    };
    let caller = match credential {
        None => Caller {
            client_address: client,
            ..Caller::default()
        },
        Some(secret) => {
            let organization = headers
                .get(ORGANIZATION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty());
            match access::authenticate(
                &state.db,
                secret,
                organization,
                state.config.session_lifetime,
                client,
            )
            .await
            {
                Ok(caller) => caller,
                Err(AuthError::Invalid) => {
                    return refuse(
                        StatusCode::UNAUTHORIZED,
                        "UNAUTHENTICATED",
                        "invalid, expired or revoked credentials",
                    );
                }
                Err(AuthError::UnknownOrganization) => {
                    return refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "organization not found");
                }
                Err(AuthError::Database(error)) => {
                    tracing::error!(%error, "credential lookup failed");
                    return refuse(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "UNAVAILABLE",
                        "database unavailable",
                    );
                }
            }
        }
    };
    let request = request
        .into_inner()
        .data(caller)
        .data(Loaders::new(state.db.clone()));
    let response = schema.execute(request).await;
    let retry_after = response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref()?.get("retryAfter").cloned())
        .next();
    let mut http = GraphQLResponse::from(response).into_response();
    if let Some(async_graphql::Value::Number(seconds)) = retry_after {
        *http.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            http.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    http
}

/// Why a presented credential is refused before it is looked up.
enum BadCredential {
    /// An `Authorization` header that is not `Bearer <token>`.
    Malformed,
    /// The session cookie without our `Origin` or the session's CSRF token.
    CrossSite,
}

/// The secret a request presents: its bearer token, else its session cookie — the latter only
/// from our own origin or with the session's CSRF token.
fn credential<'a>(
    headers: &'a HeaderMap,
    public_url: &str,
) -> Result<Option<&'a str>, BadCredential> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, token)| {
                scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()
            })
            .map(|(_, token)| token.trim());
        return match token {
            Some(token) => Ok(Some(token)),
            None => Err(BadCredential::Malformed),
        };
    }
    let Some(session) = session_cookie(headers) else {
        return Ok(None);
    };
    let csrf_ok = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| {
            let expected = sessions::csrf_token(session);
            bool::from(sent.trim().as_bytes().ct_eq(expected.as_bytes()))
        });
    if same_origin(headers, public_url) || csrf_ok {
        Ok(Some(session))
    } else {
        Err(BadCredential::CrossSite)
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

/// Whether the request's `Origin` is the server's public origin (scheme, host and port).
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (Ok(origin), Ok(public)) = (url::Url::parse(origin), url::Url::parse(public_url)) else {
        return false;
    };
    origin.origin() == public.origin()
}

fn client_address(connect_info: Option<Extension<ConnectInfo<SocketAddr>>>) -> Option<String> {
    connect_info.map(|Extension(ConnectInfo(addr))| addr.ip().to_string())
}

/// A GraphQL-shaped error body, so clients show the message like any other GraphQL error.
fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn origins_match_on_scheme_host_and_port() {
        let public = "http://127.0.0.1:8000";
        assert!(same_origin(
            &headers(&[("origin", "http://127.0.0.1:8000")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("origin", "http://127.0.0.1:8001")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("origin", "https://127.0.0.1:8000")]),
            public
        ));
        assert!(!same_origin(&headers(&[("origin", "null")]), public));
        assert!(!same_origin(&headers(&[]), public));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let map = headers(&[("cookie", "theme=dark; larder_session=lds_abc; x=1")]);
        assert_eq!(session_cookie(&map), Some("lds_abc"));
        assert_eq!(
            session_cookie(&headers(&[("cookie", "larder_session=")])),
            None
        );
    }
}
