//! `Release` (a release of one project, as its events and `sentry-cli` made it) and its
//! `Deploy`s.
use async_graphql::{ComplexObject, Context, ID, SimpleObject};
use chrono::{DateTime, Utc};
use entity::deploy;

use super::sourcemaps::ArtifactFile;
use crate::graphql::{internal, state};
use crate::releases::ProjectRelease;
use crate::sourcemaps;

/// A release of the project: created by the first event naming it or by `sentry-cli releases
/// new`.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Release {
    #[graphql(skip)]
    pub project_id: i64,
    /// The version (the same as `version`; the name issue filters and resolutions use).
    pub name: String,
    pub version: String,
    /// Its first event; when it was created while it has no event.
    pub first_seen: DateTime<Utc>,
    /// Its last event; when it was created while it has no event.
    pub last_seen: DateTime<Utc>,
    /// Events received in this release.
    pub count: i64,
    /// The URL `sentry-cli releases new --url` gave; null when none.
    pub url: Option<String>,
    /// When `sentry-cli releases new` created it; null for a release only events named.
    pub date_created: Option<DateTime<Utc>>,
    /// When its making started (`releases new` sets it to the time it ran).
    pub date_started: Option<DateTime<Utc>>,
    /// When it was finalized (`releases finalize`); null while unreleased.
    pub date_released: Option<DateTime<Utc>>,
    /// Its first event; null before any event.
    pub first_event: Option<DateTime<Utc>>,
    /// Its last event; null before any event.
    pub last_event: Option<DateTime<Utc>>,
    /// Its deploys (`sentry-cli deploys new`), newest first.
    pub deploys: Vec<Deploy>,
}

impl From<ProjectRelease> for Release {
    fn from(ProjectRelease { release, deploys }: ProjectRelease) -> Self {
        let has_events = release.times_seen > 0;
        Release {
            project_id: release.project_id,
            name: release.version.clone(),
            version: release.version,
            first_seen: release.first_seen,
            last_seen: release.last_seen,
            count: release.times_seen,
            url: release.url,
            date_created: release.date_created,
            date_started: release.date_started,
            date_released: release.date_released,
            first_event: has_events.then_some(release.first_seen),
            last_event: has_events.then_some(release.last_seen),
            deploys: deploys.into_iter().map(Deploy::from).collect(),
        }
    }
}

#[ComplexObject]
impl Release {
    /// The files `sentry-cli sourcemaps upload --release` uploaded for this release (every
    /// dist), by URL.
    async fn files(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ArtifactFile>> {
        let files =
            sourcemaps::store::release_files(&state(ctx).db, self.project_id, &self.version)
                .await
                .map_err(internal)?;
        Ok(files.into_iter().filter_map(ArtifactFile::new).collect())
    }
}

/// A deploy of a release to an environment (`sentry-cli deploys new`).
#[derive(SimpleObject)]
pub struct Deploy {
    pub id: ID,
    /// Where it was deployed, e.g. `production`.
    pub environment: String,
    /// A name for people; null when none was given.
    pub name: Option<String>,
    pub url: Option<String>,
    pub date_started: Option<DateTime<Utc>>,
    pub date_finished: DateTime<Utc>,
}

impl From<deploy::Model> for Deploy {
    fn from(d: deploy::Model) -> Self {
        Deploy {
            id: ID(d.id.to_string()),
            environment: d.environment,
            name: d.name,
            url: d.url,
            date_started: d.date_started,
            date_finished: d.date_finished,
        }
    }
}
