//! Deploys of a release to an environment (`sentry-cli deploys new`, `deploys list`): kept per
//! organization and version, as Sentry keeps them, for a version one of the viewer's projects
//! has.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{deploy, release};
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use super::{ReleaseError, visible};
use crate::accounts::access::Viewer;

/// Longest environment name Sentry accepts.
const MAX_ENVIRONMENT_CHARS: usize = 64;

/// A deploy as `sentry-cli deploys new` describes it.
pub struct NewDeploy {
    pub environment: String,
    pub name: Option<String>,
    pub url: Option<String>,
    pub date_started: Option<DateTime<Utc>>,
    /// When it finished; now when absent.
    pub date_finished: Option<DateTime<Utc>>,
}

/// Records a deploy of `version`, which one of the viewer's projects must have.
pub async fn create_deploy<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    version: &str,
    new: NewDeploy,
) -> Result<deploy::Model, ReleaseError> {
    let environment = new.environment.trim();
    if environment.is_empty() {
        return Err(ReleaseError::Invalid(
            "a deploy needs an environment (--env)".into(),
        ));
    }
    if environment.chars().count() > MAX_ENVIRONMENT_CHARS
        || environment.contains(|c: char| c == '/' || c.is_control())
    {
        return Err(ReleaseError::Invalid(format!(
            "invalid environment {environment:?}: at most {MAX_ENVIRONMENT_CHARS} characters, \
             no slash or control character"
        )));
    }
    require_release(db, viewer, version).await?;
    let row = deploy::ActiveModel {
        organization_id: Set(viewer.organization_id),
        version: Set(version.to_string()),
        environment: Set(environment.to_string()),
        name: Set(new.name.filter(|name| !name.trim().is_empty())),
        url: Set(new.url),
        date_started: Set(new.date_started),
        date_finished: Set(new.date_finished.unwrap_or_else(Utc::now)),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

/// The deploys of `version`, newest first; NotFound when none of the viewer's projects has it.
pub async fn deploys<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    version: &str,
) -> Result<Vec<deploy::Model>, ReleaseError> {
    require_release(db, viewer, version).await?;
    let mut deploys = by_version(
        db,
        viewer.organization_id,
        deploy::Column::Version.eq(version),
    )
    .await?;
    Ok(deploys.remove(version).unwrap_or_default())
}

/// The organization's deploys whose version matches `versions`, by version, newest first.
pub(super) async fn by_version<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    versions: SimpleExpr,
) -> Result<HashMap<String, Vec<deploy::Model>>, DbErr> {
    let rows = deploy::Entity::find()
        .filter(deploy::Column::OrganizationId.eq(organization_id))
        .filter(versions)
        .order_by_desc(deploy::Column::DateFinished)
        .order_by_desc(deploy::Column::Id)
        .all(db)
        .await?;
    let mut by_version: HashMap<String, Vec<deploy::Model>> = HashMap::new();
    for row in rows {
        by_version.entry(row.version.clone()).or_default().push(row);
    }
    Ok(by_version)
}

/// Deletes the organization's deploys of `version`.
pub(super) async fn delete_all<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    version: &str,
) -> Result<(), DbErr> {
    deploy::Entity::delete_many()
        .filter(deploy::Column::OrganizationId.eq(organization_id))
        .filter(deploy::Column::Version.eq(version))
        .exec(db)
        .await?;
    Ok(())
}

/// NotFound unless one of the viewer's projects has `version`.
async fn require_release<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    version: &str,
) -> Result<(), ReleaseError> {
    let rows = release::Entity::find()
        .filter(release::Column::Version.eq(version))
        .filter(visible(viewer))
        .count(db)
        .await?;
    if rows == 0 {
        return Err(ReleaseError::NotFound("release"));
    }
    Ok(())
}
