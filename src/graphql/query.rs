//! Query root: entry points, each checking its scope and scoped to the viewer's organization
//! and the projects their teams see.
use async_graphql::{Context, ID, Object};

use super::types::accounts::{Member, Organization, ViewerInfo};
use super::types::alerts::Integration;
use super::types::event::Event;
use super::types::grouping::RegroupPreview;
use super::types::issue::Issue;
use super::types::project::Project;
use super::types::search::SearchKey;
use super::{authorize, bad_input, caller, internal, parse_id, state, unauthenticated};
use crate::accounts::scopes::Scope;
use crate::accounts::{access, members, organizations};
use crate::alerts::integrations;
use crate::grouping::{FingerprintRules, StackRules};
use crate::issues::regroup;

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Who the request acts as: the signed-in user (or token), their organizations and scopes.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<ViewerInfo> {
        let caller = caller(ctx);
        if caller.user.is_none() && caller.viewer.is_none() {
            return Err(unauthenticated(
                "sign in or send Authorization: Bearer <token>",
            ));
        }
        Ok(ViewerInfo)
    }

    /// The organization the request acts in: its teams, members, tokens and audit log.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        let viewer = authorize(ctx, Scope::OrgRead)?;
        organizations::find(&state(ctx).db, viewer.organization_id)
            .await
            .map_err(internal)?
            .map(Organization::from)
            .ok_or_else(|| internal("the viewer's organization is gone"))
    }

    /// Projects of the viewer's organization that the viewer's teams see.
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Project>> {
        let viewer = authorize(ctx, Scope::ProjectRead)?;
        let rows = access::projects(&state(ctx).db, viewer)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Project).collect())
    }

    /// Notification channels of the viewer's organization (secrets redacted).
    async fn integrations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Integration>> {
        let viewer = authorize(ctx, Scope::OrgRead)?;
        let rows = integrations::list(&state(ctx).db, viewer.organization_id)
            .await
            .map_err(internal)?;
        let keys = &state(ctx).channels.keys;
        Ok(rows
            .into_iter()
            .map(|row| Integration::read(row, keys))
            .collect())
    }

    /// People of the viewer's organization.
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Member>> {
        let viewer = authorize(ctx, Scope::MemberRead)?;
        let rows = members::list(&state(ctx).db, viewer.organization_id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Member::from).collect())
    }

    async fn project(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Project>> {
        let viewer = authorize(ctx, Scope::ProjectRead)?;
        let id = parse_id(&id, "project")?;
        Ok(access::project(&state(ctx).db, viewer, id)
            .await
            .map_err(internal)?
            .map(Project))
    }

    /// The keys an issue search of the project can use (`Project.issues(query:)`), built in and
    /// the project's tags, with sample values; null for a project the viewer cannot see.
    async fn search_keys(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> async_graphql::Result<Option<Vec<SearchKey>>> {
        let viewer = authorize(ctx, Scope::EventRead)?;
        let id = parse_id(&project_id, "project")?;
        let db = &state(ctx).db;
        let Some(project) = access::project(db, viewer, id).await.map_err(internal)? else {
            return Ok(None);
        };
        let keys = crate::search::search_keys(db, project.id)
            .await
            .map_err(internal)?;
        Ok(Some(keys.into_iter().map(SearchKey::from).collect()))
    }

    /// What grouping the project's events again would change: issues that would merge and
    /// issues that would split, under the project's saved rules or the rules given here (to try
    /// rules before saving them). Null for a project the caller cannot see.
    async fn preview_regroup(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        fingerprint_rules: Option<String>,
        stacktrace_rules: Option<String>,
    ) -> async_graphql::Result<Option<RegroupPreview>> {
        let viewer = authorize(ctx, Scope::EventRead)?;
        let id = parse_id(&project_id, "project")?;
        let db = &state(ctx).db;
        let Some(project) = access::project(db, viewer, id).await.map_err(internal)? else {
            return Ok(None);
        };
        let mut config = crate::ingest::projects::grouping_config(&project);
        if let Some(rules) = fingerprint_rules {
            config.rules = FingerprintRules::parse(&rules)
                .map_err(|e| bad_input(format!("invalid fingerprint rules: {e}")))?;
        }
        if let Some(rules) = stacktrace_rules {
            config.stack_rules = StackRules::parse(&rules)
                .map_err(|e| bad_input(format!("invalid stack-trace rules: {e}")))?;
        }
        let preview = regroup::preview(db, &project, &config)
            .await
            .map_err(internal)?;
        Ok(Some(
            RegroupPreview::new(db, viewer, preview)
                .await
                .map_err(internal)?,
        ))
    }

    async fn issue(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Issue>> {
        let viewer = authorize(ctx, Scope::EventRead)?;
        let id = parse_id(&id, "issue")?;
        Ok(access::issue(&state(ctx).db, viewer, id)
            .await
            .map_err(internal)?
            .map(Issue))
    }

    /// An event by row id or by its SDK event id (32 hex).
    async fn event(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Event>> {
        let viewer = authorize(ctx, Scope::EventRead)?;
        match access::event(&state(ctx).db, viewer, id.as_str())
            .await
            .map_err(internal)?
        {
            Some(row) => Ok(Some(Event::load(ctx, row).await)),
            None => Ok(None),
        }
    }
}
