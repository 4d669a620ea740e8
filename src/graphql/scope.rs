//! Organization and team scoping of single-object look-ups: an id of another organization's
//! object, or of a project the viewer's teams cannot see, is answered exactly like an id that
//! does not exist.
use entity::{event, issue, project};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait};

use super::internal;
use crate::accounts::access::Viewer;

pub async fn project(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    project_id: i64,
) -> async_graphql::Result<Option<project::Model>> {
    project::Entity::find_by_id(project_id)
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id))
        .one(db)
        .await
        .map_err(internal)
}

pub async fn issue(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    issue_id: i64,
) -> async_graphql::Result<Option<issue::Model>> {
    issue::Entity::find_by_id(issue_id)
        .join(sea_orm::JoinType::InnerJoin, issue::Relation::Project.def())
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id))
        .one(db)
        .await
        .map_err(internal)
}

/// An event by row id or by its SDK event id (32 hex).
pub async fn event(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    id: &str,
) -> async_graphql::Result<Option<event::Model>> {
    let query = event::Entity::find()
        .join(sea_orm::JoinType::InnerJoin, event::Relation::Issue.def())
        .join(sea_orm::JoinType::InnerJoin, issue::Relation::Project.def())
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id));
    let query = if id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        query.filter(event::Column::EventId.eq(id.to_ascii_lowercase()))
    } else if let Ok(row_id) = id.parse::<i64>() {
        query.filter(event::Column::Id.eq(row_id))
    } else {
        return Ok(None);
    };
    query.one(db).await.map_err(internal)
}
