//! `POST /api/0/organizations/{org}/artifactbundle/assemble/`: the CLI names the archive's
//! checksum, its chunks and the projects; the answer is the assembly's state
//! (`sourcemaps::assembly`), polled until `ok` or `error`.
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiError;
use super::auth::OrgCaller;
use crate::accounts::access;
use crate::accounts::scopes::Scope;
use crate::app::AppState;
use crate::sourcemaps::assembly::{self, State as Assembly};

#[derive(Deserialize)]
pub struct AssembleBody {
    checksum: String,
    chunks: Vec<String>,
    #[serde(default)]
    projects: Vec<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    dist: Option<String>,
}

pub async fn assemble(
    State(state): State<AppState>,
    caller: OrgCaller,
    body: Result<Json<AssembleBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let is_sha1 = |s: &str| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit());
    if !is_sha1(&body.checksum) || !body.chunks.iter().all(|c| is_sha1(c)) {
        return Err(ApiError::bad_request(
            "checksum and chunks must be hex SHA-1 checksums",
        ));
    }
    if body.projects.is_empty() {
        return Err(ApiError::bad_request(
            "name at least one project (sentry-cli --project)",
        ));
    }
    let projects = access::projects_by_slug(&state.db, &caller.viewer, &body.projects).await?;
    if let Some(unknown) = body
        .projects
        .iter()
        .find(|slug| !projects.iter().any(|p| &p.slug == *slug))
    {
        return Err(ApiError::not_found(format!("project not found: {unknown}")));
    }
    let request = assembly::Request {
        organization_id: caller.viewer.organization_id,
        project_ids: projects.iter().map(|p| p.id).collect(),
        checksum: body.checksum.to_ascii_lowercase(),
        chunks: body.chunks.iter().map(|c| c.to_ascii_lowercase()).collect(),
        release: body.version.filter(|v| !v.is_empty()),
        dist: body.dist.filter(|d| !d.is_empty()),
    };
    let outcome = state
        .assemblies
        .assemble(&state.db, &state.pipeline.sourcemaps, request)
        .await?;
    let answer = |state: &str, missing: &[String], detail: Option<&str>| {
        Json(json!({ "state": state, "missingChunks": missing, "detail": detail }))
    };
    Ok(match outcome {
        Assembly::NotFound { missing } => answer("not_found", &missing, None),
        Assembly::Created => answer("created", &[], None),
        Assembly::Assembling => answer("assembling", &[], None),
        Assembly::Ok => answer("ok", &[], None),
        Assembly::Refused(refusal) => {
            let status = if refusal.too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            return Err(ApiError::new(status, refusal.detail));
        }
        Assembly::Failed(detail) => answer("error", &[], Some(&detail)),
    })
}
