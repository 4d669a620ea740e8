//! Releases and their deploys as Sentry's web API shows them (`sentry-cli releases …`,
//! `deploys …`), and as a project's GraphQL `releases` lists them.
//!
//! Larder keeps a release row per project and version: the first event naming a version creates
//! it (`ingest::writer::rollups`), and so does `sentry-cli releases new`, with `times_seen` 0.
//! Sentry's release belongs to the organization: a [`Release`] here is one version across the
//! viewer's visible projects that have it. Deploys are per organization and version, as Sentry
//! keeps them. Every function given a viewer is scoped to the viewer's organization and visible
//! projects: a version only other projects have is answered exactly like one that does not
//! exist. `of_project` takes a project the caller already checked the viewer may see.
mod deploys;
mod summary;
mod write;

pub use deploys::{NewDeploy, create_deploy, deploys};
pub use summary::{ProjectRelease, Release, get, list, of_project};
pub use write::{NewRelease, ReleaseChanges, create, delete, update};

use entity::{project, release};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Query, SimpleExpr};

use crate::accounts::access::Viewer;

/// Why a release operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The input is wrong, or the operation is not allowed on this release; the message says
    /// why, for the person who ran the command.
    #[error("{0}")]
    Invalid(String),
    /// The release or project does not exist, or the viewer may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// Longest version Sentry accepts.
const MAX_VERSION_CHARS: usize = 200;

/// Sentry's rule for a version: not empty, at most 200 characters, no slash, backslash or
/// control character (the path of `/releases/{version}/` could not name it), not `.`, `..` or
/// `latest` (a search keyword).
fn check_version(version: &str) -> Result<(), ReleaseError> {
    let refuse = |why: &str| Err(ReleaseError::Invalid(format!("invalid version: {why}")));
    if version.trim().is_empty() {
        return refuse("a release needs a version");
    }
    if version.chars().count() > MAX_VERSION_CHARS {
        return refuse("at most 200 characters");
    }
    if version
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return refuse("no slash, backslash or control character");
    }
    if matches!(version, "." | "..") || version.eq_ignore_ascii_case("latest") {
        return refuse(&format!("{version:?} is reserved"));
    }
    Ok(())
}

/// `release.project_id` is a project of the viewer's organization that the viewer sees.
fn visible(viewer: &Viewer) -> SimpleExpr {
    of_projects(
        viewer.organization_id,
        viewer.visible_projects(project::Column::Id),
    )
}

/// `release.project_id` is a project of the organization matching `projects`.
fn of_projects(organization_id: i64, projects: Condition) -> SimpleExpr {
    release::Column::ProjectId.in_subquery(
        Query::select()
            .column(project::Column::Id)
            .from(project::Entity)
            .and_where(project::Column::OrganizationId.eq(organization_id))
            .cond_where(projects)
            .to_owned(),
    )
}
