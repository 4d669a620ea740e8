//! Releases and deploys at the paths `sentry-cli` 3.x calls (`releases new/finalize/info/list/
//! delete`, `deploys new/list`): parse, check the `project:releases` scope, call
//! `crate::releases`, answer Sentry's JSON. `releases set-commits` first lists the
//! organization's repositories: Larder has none to offer, and says so.
mod json;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::ApiError;
use super::auth::OrgCaller;
use crate::accounts::scopes::Scope;
use crate::app::AppState;
use crate::releases::{self, ReleaseError};
use json::{DeployJson, NewDeployBody, NewReleaseBody, ReleaseJson, UpdateBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/0/organizations/{org}/releases/",
            get(list).post(create),
        )
        .route(
            "/api/0/projects/{org}/{project}/releases/",
            get(list_of_project),
        )
        .route(
            "/api/0/organizations/{org}/releases/{version}/",
            get(info).put(update).delete(delete),
        )
        .route(
            "/api/0/organizations/{org}/releases/{version}/deploys/",
            get(deploys).post(create_deploy),
        )
        .route("/api/0/organizations/{org}/repos/", get(repositories))
}

/// `{version}`, percent-decoded (`shop%401.0.0` is `shop@1.0.0`).
#[derive(Deserialize)]
struct VersionPath {
    version: String,
}

#[derive(Deserialize)]
struct ProjectPath {
    project: String,
}

impl From<ReleaseError> for ApiError {
    fn from(error: ReleaseError) -> ApiError {
        match error {
            ReleaseError::Invalid(detail) => ApiError::bad_request(detail),
            ReleaseError::NotFound(_) => ApiError::not_found(error.to_string()),
            ReleaseError::Database(error) => error.into(),
        }
    }
}

/// `POST /organizations/{org}/releases/`: creates the release in the projects named (or adds
/// them to it).
async fn create(
    caller: OrgCaller,
    State(state): State<AppState>,
    body: Result<Json<NewReleaseBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ReleaseJson>), ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Json(body) = body?;
    body.commits.refuse()?;
    let release = releases::create(&state.db, &caller.viewer, body.into()).await?;
    Ok((StatusCode::CREATED, Json(release.into())))
}

/// `GET /organizations/{org}/releases/`: the newest releases of the organization.
async fn list(
    caller: OrgCaller,
    State(state): State<AppState>,
) -> Result<Json<Vec<ReleaseJson>>, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let releases = releases::list(&state.db, &caller.viewer, None).await?;
    Ok(Json(releases.into_iter().map(ReleaseJson::from).collect()))
}

/// `GET /projects/{org}/{project}/releases/`: the newest releases of one project.
async fn list_of_project(
    caller: OrgCaller,
    State(state): State<AppState>,
    path: Result<Path<ProjectPath>, PathRejection>,
) -> Result<Json<Vec<ReleaseJson>>, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Path(ProjectPath { project }) = path?;
    let releases = releases::list(&state.db, &caller.viewer, Some(&project)).await?;
    Ok(Json(releases.into_iter().map(ReleaseJson::from).collect()))
}

/// `GET /organizations/{org}/releases/{version}/`: `releases info`.
async fn info(
    caller: OrgCaller,
    State(state): State<AppState>,
    path: Result<Path<VersionPath>, PathRejection>,
) -> Result<Json<ReleaseJson>, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Path(VersionPath { version }) = path?;
    let release = releases::get(&state.db, &caller.viewer, &version)
        .await?
        .ok_or(ReleaseError::NotFound("release"))?;
    Ok(Json(release.into()))
}

/// `PUT /organizations/{org}/releases/{version}/`: `releases finalize` and other changes.
async fn update(
    caller: OrgCaller,
    State(state): State<AppState>,
    path: Result<Path<VersionPath>, PathRejection>,
    body: Result<Json<UpdateBody>, JsonRejection>,
) -> Result<Json<ReleaseJson>, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Path(VersionPath { version }) = path?;
    let Json(body) = body?;
    body.commits.refuse()?;
    let release = releases::update(&state.db, &caller.viewer, &version, body.into()).await?;
    Ok(Json(release.into()))
}

/// `DELETE /organizations/{org}/releases/{version}/`: refused while the release has events.
async fn delete(
    caller: OrgCaller,
    State(state): State<AppState>,
    path: Result<Path<VersionPath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Path(VersionPath { version }) = path?;
    releases::delete(&state.db, &caller.viewer, &version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /organizations/{org}/releases/{version}/deploys/`: `deploys list`, newest first.
async fn deploys(
    caller: OrgCaller,
    State(state): State<AppState>,
    path: Result<Path<VersionPath>, PathRejection>,
) -> Result<Json<Vec<DeployJson>>, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Path(VersionPath { version }) = path?;
    let deploys = releases::deploys(&state.db, &caller.viewer, &version).await?;
    Ok(Json(deploys.into_iter().map(DeployJson::from).collect()))
}

/// `POST /organizations/{org}/releases/{version}/deploys/`: `deploys new`.
async fn create_deploy(
    caller: OrgCaller,
    State(state): State<AppState>,
    path: Result<Path<VersionPath>, PathRejection>,
    body: Result<Json<NewDeployBody>, JsonRejection>,
) -> Result<(StatusCode, Json<DeployJson>), ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let Path(VersionPath { version }) = path?;
    let Json(body) = body?;
    let deploy = releases::create_deploy(&state.db, &caller.viewer, &version, body.into()).await?;
    Ok((StatusCode::CREATED, Json(deploy.into())))
}

/// `GET /organizations/{org}/repos/`: what `releases set-commits` asks first. Answered with a
/// refusal, not an empty list: with no repository, `set-commits --auto` would go on to read the
/// local git history and send commits Larder cannot keep.
async fn repositories(caller: OrgCaller) -> Result<(), ApiError> {
    caller.require(Scope::ProjectReleases)?;
    Err(json::commits_unsupported())
}
