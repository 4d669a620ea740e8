//! Changing releases: `releases new` (a row per project, idempotent), `releases finalize` and
//! other changes, and `releases delete` of a release that has no events.
use chrono::{DateTime, Utc};
use entity::{project, release};
use sea_orm::sea_query::{Alias, Condition, Expr, Func, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::summary::{self, Release};
use super::{ReleaseError, check_version, deploys, of_projects, visible};
use crate::accounts::access::{self, Viewer};

/// A release as `sentry-cli releases new` describes it.
pub struct NewRelease {
    pub version: String,
    /// Projects by slug, or by id (Sentry accepts both).
    pub projects: Vec<String>,
    pub url: Option<String>,
    pub date_started: Option<DateTime<Utc>>,
    /// When it was released; None leaves it unreleased (`finalize` releases it later).
    pub date_released: Option<DateTime<Utc>>,
}

/// What changes in a release; absent fields keep their value.
#[derive(Default)]
pub struct ReleaseChanges {
    pub url: Option<String>,
    pub date_released: Option<DateTime<Utc>>,
}

/// Creates the release in each project. A project that already has it keeps its counts and
/// creation time; the URL and dates given replace the ones it had.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    new: NewRelease,
) -> Result<Release, ReleaseError> {
    check_version(&new.version)?;
    if new.projects.is_empty() {
        return Err(ReleaseError::Invalid(
            "a release needs at least one project (--project)".into(),
        ));
    }
    let visible_projects = access::projects(db, viewer).await?;
    let mut project_ids = new
        .projects
        .iter()
        .map(|name| named(&visible_projects, name).map(|p| p.id))
        .collect::<Result<Vec<i64>, ReleaseError>>()?;
    project_ids.sort_unstable();
    project_ids.dedup();
    let now = Utc::now();
    let rows = project_ids
        .into_iter()
        .map(|project_id| release::ActiveModel {
            project_id: Set(project_id),
            version: Set(new.version.clone()),
            first_seen: Set(now),
            last_seen: Set(now),
            times_seen: Set(0),
            date_created: Set(Some(now)),
            date_started: Set(new.date_started),
            date_released: Set(new.date_released),
            url: Set(new.url.clone()),
            ..Default::default()
        });
    release::Entity::insert_many(rows)
        .on_conflict(keep_counts())
        .exec_without_returning(db)
        .await?;
    summary::of_version(db, viewer, &visible_projects, &new.version)
        .await?
        .ok_or(ReleaseError::NotFound("release"))
}

/// Changes the release in every project of the viewer's that has it.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    version: &str,
    changes: ReleaseChanges,
) -> Result<Release, ReleaseError> {
    let mut update = release::Entity::update_many()
        .filter(release::Column::Version.eq(version))
        .filter(visible(viewer));
    let mut changed = false;
    if let Some(url) = changes.url {
        update = update.col_expr(release::Column::Url, Expr::value(url));
        changed = true;
    }
    if let Some(released) = changes.date_released {
        update = update.col_expr(release::Column::DateReleased, Expr::value(released));
        changed = true;
    }
    if changed {
        update.exec(db).await?;
    }
    summary::get(db, viewer, version)
        .await?
        .ok_or(ReleaseError::NotFound("release"))
}

/// Deletes the release from the viewer's projects, and its deploys once no project of the
/// organization has it. Refused, as Sentry does, when it has events.
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    version: &str,
) -> Result<(), ReleaseError> {
    let rows = release::Entity::find()
        .filter(release::Column::Version.eq(version))
        .filter(visible(viewer))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Err(ReleaseError::NotFound("release"));
    }
    let events: i64 = rows.iter().map(|r| r.times_seen).sum();
    if events > 0 {
        return Err(ReleaseError::Invalid(format!(
            "release {version} cannot be deleted: stored events name it ({events} so far)"
        )));
    }
    // `times_seen = 0` again: an event that arrived since keeps its release.
    release::Entity::delete_many()
        .filter(release::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .filter(release::Column::TimesSeen.eq(0))
        .exec(db)
        .await?;
    let remaining = release::Entity::find()
        .filter(release::Column::Version.eq(version))
        .filter(of_projects(viewer.organization_id, Condition::all()))
        .count(db)
        .await?;
    if remaining == 0 {
        deploys::delete_all(db, viewer.organization_id, version).await?;
    }
    Ok(())
}

/// The project a `releases new` names, by slug, else by id.
fn named<'a>(
    projects: &'a [project::Model],
    name: &str,
) -> Result<&'a project::Model, ReleaseError> {
    projects
        .iter()
        .find(|p| p.slug == name)
        .or_else(|| projects.iter().find(|p| p.id.to_string() == name))
        .ok_or_else(|| {
            ReleaseError::Invalid(format!("project {name:?} not found in this organization"))
        })
}

/// `ON CONFLICT (project_id, version)`: an existing row keeps its counts and first creation
/// time; a URL or date given replaces the one it had.
fn keep_counts() -> OnConflict {
    use release::Column as C;
    let existing = |column: C| Expr::col((release::Entity, column));
    let incoming = |column: C| Expr::col((Alias::new("excluded"), column));
    let mut on_conflict = OnConflict::columns([C::ProjectId, C::Version]);
    on_conflict.value(
        C::DateCreated,
        Func::coalesce([existing(C::DateCreated), incoming(C::DateCreated)]),
    );
    for column in [C::Url, C::DateStarted, C::DateReleased] {
        on_conflict.value(column, Func::coalesce([incoming(column), existing(column)]));
    }
    on_conflict
}
