//! Mutation root. Each mutation checks scope first, then calls the service that owns the change.
use async_graphql::{Context, ID, Json, Object, SimpleObject};

use super::types::IssueStatus;
use super::types::issue::Issue;
use super::types::project::Project;
use super::{bad_input, internal, not_found, parse_id, scope, state, viewer};
use crate::accounts::projects::create_project;
use crate::ingest::IngestError;
use crate::issues;

pub struct MutationRoot;

/// What `ingestEvent` stored.
#[derive(SimpleObject)]
pub struct IngestResult {
    pub event_id: String,
    pub issue_id: ID,
}

#[Object]
impl MutationRoot {
    /// Creates a project with one active DSN key.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<Project> {
        let viewer = viewer(ctx)?;
        let (project, _key) = create_project(&state(ctx).db, viewer.organization_id, &name)
            .await
            .map_err(|e| bad_input(e.to_string()))?;
        Ok(Project(project))
    }

    /// Sets an issue's status (resolve, ignore, unresolve), recording the activity.
    async fn update_issue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: IssueStatus,
    ) -> async_graphql::Result<Issue> {
        let viewer = viewer(ctx)?;
        let db = &state(ctx).db;
        let id = parse_id(&id, "issue")?;
        let issue = scope::issue(db, viewer, id)
            .await?
            .ok_or_else(|| not_found("issue"))?;
        if status == IssueStatus::Merged || issue.status == IssueStatus::Merged.as_str() {
            return Err(bad_input(
                "merged issues change only through merge and unmerge",
            ));
        }
        let updated = issues::set_status(db, issue, status.as_str(), &viewer.token_name)
            .await
            .map_err(internal)?;
        Ok(Issue(updated))
    }

    /// Processes an event exactly like the SDK endpoints do (normalise, group, store) and
    /// returns once it is durable.
    async fn ingest_event(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        event: Json<serde_json::Value>,
    ) -> async_graphql::Result<IngestResult> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let project_id = parse_id(&project_id, "project")?;
        scope::project(&app.db, viewer, project_id)
            .await?
            .ok_or_else(|| not_found("project"))?;
        let accepted = app
            .pipeline
            .ingest_api_event(project_id, event.0)
            .await
            .map_err(ingest_error)?;
        Ok(IngestResult {
            event_id: accepted.event_id,
            issue_id: ID(accepted.issue_id.to_string()),
        })
    }
}

fn ingest_error(error: IngestError) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    let code = match error.status {
        400 | 413 => "BAD_USER_INPUT",
        429 => "RATE_LIMITED",
        503 => "UNAVAILABLE",
        _ => "INGEST_REFUSED",
    };
    async_graphql::Error::new(error.detail.clone()).extend_with(|_, e| {
        e.set("code", code);
        e.set("status", error.status);
        if !error.causes.is_empty() {
            e.set("causes", error.causes.clone());
        }
    })
}
