//! Who calls: the bearer token, checked against the organization in the path. A token of
//! another organization is told the organization does not exist, exactly like a wrong slug.
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiError;
use crate::accounts::access::{self, AuthError, Viewer};
use crate::accounts::scopes::Scope;
use crate::app::AppState;

/// A caller authenticated for the organization named in the path (`{org}`).
pub struct OrgCaller {
    pub viewer: Viewer,
}

impl OrgCaller {
    /// Refuses with 403 unless the token holds `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.viewer.has(scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("this token lacks the {} scope", scope.name()),
            ))
        }
    }
}

#[derive(Deserialize)]
struct OrgPath {
    org: String,
}

impl FromRequestParts<AppState> for OrgCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path(path) = Path::<OrgPath>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found("organization not found"))?;
        let secret = bearer(&parts.headers)?;
        let caller = access::authenticate(
            &state.db,
            secret,
            Some(&path.org),
            state.config.session_lifetime,
            None,
        )
        .await
        .map_err(refusal)?;
        let viewer = caller
            .viewer
            .ok_or_else(|| ApiError::not_found("organization not found"))?;
        Ok(OrgCaller { viewer })
    }
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication credentials were not provided: pass --auth-token or set \
                 SENTRY_AUTH_TOKEN to a Larder API token",
            )
        })
}

fn refusal(error: AuthError) -> ApiError {
    match error {
        AuthError::Invalid => ApiError::new(StatusCode::UNAUTHORIZED, "invalid token"),
        AuthError::UnknownOrganization => ApiError::not_found("organization not found"),
        AuthError::Database(error) => error.into(),
    }
}

/// `GET /api/0/`: what `sentry-cli info` shows about the token.
pub async fn whoami(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let secret = bearer(&headers)?;
    let caller = access::authenticate(&state.db, secret, None, state.config.session_lifetime, None)
        .await
        .map_err(refusal)?;
    let scopes: Vec<&str> = caller
        .viewer
        .as_ref()
        .map(|viewer| viewer.scopes.iter().map(Scope::name).collect())
        .unwrap_or_default();
    let user = caller
        .user
        .map(|user| json!({ "id": user.id.to_string(), "name": user.name, "email": user.email }));
    Ok(Json(json!({ "user": user, "auth": { "scopes": scopes } })))
}
