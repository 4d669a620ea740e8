//! Reading releases: a version across the viewer's projects as Sentry's API answers it
//! ([`Release`]), the newest versions of the organization or of one project, and a project's own
//! release rows with their deploys (GraphQL `Project.releases`).
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::states::IssueStatus;
use entity::{deploy, issue, project, release};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{ReleaseError, deploys};
use crate::accounts::access::{self, Viewer};

/// Most releases a list answers (a page of Sentry's; `sentry-cli releases list` reads one).
const LIST_LIMIT: u64 = 100;

/// One version across the viewer's projects that have it.
pub struct Release {
    pub version: String,
    pub url: Option<String>,
    /// When it was created: by `sentry-cli releases new`, else by its first event.
    pub date_created: DateTime<Utc>,
    pub date_started: Option<DateTime<Utc>>,
    /// When it was finalized; None while unreleased.
    pub date_released: Option<DateTime<Utc>>,
    /// Its first and last event in any of the projects; None before its first event.
    pub first_event: Option<DateTime<Utc>>,
    pub last_event: Option<DateTime<Utc>>,
    /// Issues first seen in this release (merged ones left out).
    pub new_groups: i64,
    /// The viewer's projects that have it, by id.
    pub projects: Vec<project::Model>,
    pub deploy_count: usize,
    /// The deploy that finished last.
    pub last_deploy: Option<deploy::Model>,
}

/// A release row of one project, with the organization's deploys of its version, newest first.
pub struct ProjectRelease {
    pub release: release::Model,
    pub deploys: Vec<deploy::Model>,
}

/// The version across the viewer's projects; None when none of them has it.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    version: &str,
) -> Result<Option<Release>, DbErr> {
    let projects = access::projects(db, viewer).await?;
    of_version(db, viewer, &projects, version).await
}

/// The newest releases (by creation) of the viewer's projects, or of the project with this slug
/// (NotFound when the viewer has no such project).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    project_slug: Option<&str>,
) -> Result<Vec<Release>, ReleaseError> {
    let projects = access::projects(db, viewer).await?;
    let within: Vec<i64> = match project_slug {
        None => projects.iter().map(|p| p.id).collect(),
        Some(slug) => match projects.iter().find(|p| p.slug == slug) {
            Some(project) => vec![project.id],
            None => return Err(ReleaseError::NotFound("project")),
        },
    };
    let versions: Vec<String> = release::Entity::find()
        .select_only()
        .column(release::Column::Version)
        .filter(release::Column::ProjectId.is_in(within))
        .group_by(release::Column::Version)
        .order_by_desc(created().min())
        .order_by_desc(release::Column::Version)
        .limit(LIST_LIMIT)
        .into_tuple()
        .all(db)
        .await?;
    Ok(summarise(db, viewer, &projects, &versions).await?)
}

/// The project's release rows, newest first (by creation), with their deploys.
pub async fn of_project<C: ConnectionTrait>(
    db: &C,
    project: &project::Model,
) -> Result<Vec<ProjectRelease>, DbErr> {
    let rows = release::Entity::find()
        .filter(release::Column::ProjectId.eq(project.id))
        .order_by_desc(created())
        .order_by_desc(release::Column::Id)
        .all(db)
        .await?;
    let versions = Query::select()
        .column(release::Column::Version)
        .from(release::Entity)
        .and_where(release::Column::ProjectId.eq(project.id))
        .to_owned();
    let mut deploys = deploys::by_version(
        db,
        project.organization_id,
        deploy::Column::Version.in_subquery(versions),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|release| ProjectRelease {
            deploys: deploys.remove(&release.version).unwrap_or_default(),
            release,
        })
        .collect())
}

/// The version across `projects` (the viewer's); None when none of them has it.
pub(super) async fn of_version<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    projects: &[project::Model],
    version: &str,
) -> Result<Option<Release>, DbErr> {
    Ok(summarise(db, viewer, projects, &[version.to_string()])
        .await?
        .pop())
}

/// When a release row was created: by `sentry-cli`, else by its first event.
fn created() -> Expr {
    Func::coalesce([
        Expr::col(release::Column::DateCreated),
        Expr::col(release::Column::FirstSeen),
    ])
    .into()
}

/// The `versions` across `projects` (the viewer's), in the order given; a version none of them
/// has is left out.
async fn summarise<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    projects: &[project::Model],
    versions: &[String],
) -> Result<Vec<Release>, DbErr> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let project_ids = || projects.iter().map(|p| p.id);
    let rows = release::Entity::find()
        .filter(release::Column::ProjectId.is_in(project_ids()))
        .filter(release::Column::Version.is_in(versions.iter().cloned()))
        .order_by_asc(release::Column::ProjectId)
        .all(db)
        .await?;
    let new_groups: HashMap<String, i64> = issue::Entity::find()
        .select_only()
        .column(issue::Column::FirstRelease)
        .expr(Expr::col(issue::Column::Id).count())
        .filter(issue::Column::ProjectId.is_in(project_ids()))
        .filter(issue::Column::FirstRelease.is_in(versions.iter().cloned()))
        .filter(issue::Column::Status.ne(IssueStatus::Merged))
        .group_by(issue::Column::FirstRelease)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut deploys = deploys::by_version(
        db,
        viewer.organization_id,
        deploy::Column::Version.is_in(versions.iter().cloned()),
    )
    .await?;
    Ok(versions
        .iter()
        .filter_map(|version| {
            let rows: Vec<&release::Model> =
                rows.iter().filter(|r| &r.version == version).collect();
            let with_events = || rows.iter().filter(|r| r.times_seen > 0);
            let deploys = deploys.remove(version).unwrap_or_default();
            Some(Release {
                date_created: rows
                    .iter()
                    .map(|r| r.date_created.unwrap_or(r.first_seen))
                    .min()?,
                version: version.clone(),
                url: rows.iter().find_map(|r| r.url.clone()),
                date_started: rows.iter().filter_map(|r| r.date_started).min(),
                date_released: rows.iter().filter_map(|r| r.date_released).min(),
                first_event: with_events().map(|r| r.first_seen).min(),
                last_event: with_events().map(|r| r.last_seen).max(),
                new_groups: new_groups.get(version).copied().unwrap_or(0),
                projects: projects
                    .iter()
                    .filter(|p| rows.iter().any(|r| r.project_id == p.id))
                    .cloned()
                    .collect(),
                deploy_count: deploys.len(),
                last_deploy: deploys.into_iter().next(),
            })
        })
        .collect())
}
