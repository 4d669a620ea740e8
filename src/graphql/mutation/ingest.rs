//! `ingestEvent`: the SDK endpoints' pipeline, reachable through GraphQL.
use async_graphql::{Context, ErrorExtensions, ID, Json, Object, SimpleObject};
use axum::http::StatusCode;

use crate::accounts::access;
use crate::accounts::scopes::Scope;
use crate::graphql::{authorize, internal, not_found, parse_id, state};
use crate::ingest::IngestError;

#[derive(Default)]
pub struct IngestMutations;

/// What `ingestEvent` stored.
#[derive(SimpleObject)]
pub struct IngestResult {
    pub event_id: String,
    /// The issue the event was filed in; null when it was dropped.
    pub issue_id: Option<ID>,
    /// Why the event was not stored (`filtered:<filter>`, `sampled`), if it was not.
    pub dropped: Option<String>,
}

#[Object]
impl IngestMutations {
    /// Processes an event exactly like the SDK endpoints do (normalise, group, store) and
    /// returns once it is durable.
    async fn ingest_event(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        event: Json<serde_json::Value>,
    ) -> async_graphql::Result<IngestResult> {
        let viewer = authorize(ctx, Scope::EventWrite)?;
        let app = state(ctx);
        let project_id = parse_id(&project_id, "project")?;
        access::project(&app.db, viewer, project_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("project"))?;
        let accepted = app
            .pipeline
            .ingest_api_event(project_id, event.0)
            .await
            .map_err(ingest_error)?;
        Ok(IngestResult {
            event_id: accepted.event_id,
            issue_id: accepted.issue_id.map(|id| ID(id.to_string())),
            dropped: accepted.dropped,
        })
    }
}

fn ingest_error(error: IngestError) -> async_graphql::Error {
    let code = match error.status {
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => "BAD_USER_INPUT",
        StatusCode::TOO_MANY_REQUESTS => "RATE_LIMITED",
        StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
        _ => "INGEST_REFUSED",
    };
    async_graphql::Error::new(error.detail.clone()).extend_with(|_, e| {
        e.set("code", code);
        e.set("status", error.status.as_u16());
        if !error.causes.is_empty() {
            e.set("causes", error.causes.clone());
        }
    })
}
