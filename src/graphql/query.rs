//! Query root: entry points, each scoped to the viewer's organization.
use async_graphql::{Context, ID, Object};
use entity::{integration, member, project};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::types::alerts::Integration;
use super::types::event::Event;
use super::types::issue::{Issue, Member};
use super::types::project::Project;
use super::types::search::SearchKey;
use super::{internal, parse_id, scope, state, viewer};

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Projects of the viewer's organization.
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Project>> {
        let viewer = viewer(ctx)?;
        let rows = project::Entity::find()
            .filter(project::Column::OrganizationId.eq(viewer.organization_id))
            .order_by_asc(project::Column::Id)
            .all(&state(ctx).db)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Project).collect())
    }

    /// Notification channels of the viewer's organization (secrets redacted).
    async fn integrations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Integration>> {
        let viewer = viewer(ctx)?;
        let rows = integration::Entity::find()
            .filter(integration::Column::OrganizationId.eq(viewer.organization_id))
            .order_by_asc(integration::Column::Id)
            .all(&state(ctx).db)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Integration::from).collect())
    }

    /// People of the viewer's organization.
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Member>> {
        let viewer = viewer(ctx)?;
        let rows = member::Entity::find()
            .filter(member::Column::OrganizationId.eq(viewer.organization_id))
            .order_by_asc(member::Column::Email)
            .all(&state(ctx).db)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Member::from).collect())
    }

    async fn project(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Project>> {
        let viewer = viewer(ctx)?;
        let id = parse_id(&id, "project")?;
        Ok(scope::project(&state(ctx).db, viewer, id)
            .await?
            .map(Project))
    }

    /// The keys an issue search of the project can use (`Project.issues(query:)`), built in and
    /// the project's tags, with sample values; null for a project the viewer cannot see.
    async fn search_keys(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> async_graphql::Result<Option<Vec<SearchKey>>> {
        let viewer = viewer(ctx)?;
        let id = parse_id(&project_id, "project")?;
        let db = &state(ctx).db;
        let Some(project) = scope::project(db, viewer, id).await? else {
            return Ok(None);
        };
        let keys = crate::search::search_keys(db, project.id)
            .await
            .map_err(internal)?;
        Ok(Some(keys.into_iter().map(SearchKey::from).collect()))
    }

    async fn issue(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Issue>> {
        let viewer = viewer(ctx)?;
        let id = parse_id(&id, "issue")?;
        Ok(scope::issue(&state(ctx).db, viewer, id).await?.map(Issue))
    }

    /// An event by row id or by its SDK event id (32 hex).
    async fn event(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Event>> {
        let viewer = viewer(ctx)?;
        Ok(scope::event(&state(ctx).db, viewer, id.as_str())
            .await?
            .map(Event::new))
    }
}
