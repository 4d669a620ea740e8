//! The JSON of the release endpoints, as `sentry-cli` sends and reads it (`NewRelease`,
//! `UpdatedRelease`, `ReleaseInfo` in its `src/api/mod.rs`; `Deploy` in
//! `src/api/data_types/deploy.rs`).
use chrono::{DateTime, Utc};
use entity::{deploy, project};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::sentry_api::ApiError;
use crate::releases::{NewDeploy, NewRelease, Release, ReleaseChanges};

/// `POST …/releases/`: `releases new`, and `releases set-commits` with `--project`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewReleaseBody {
    #[serde(default)]
    version: String,
    #[serde(default)]
    projects: Vec<ProjectName>,
    url: Option<String>,
    date_started: Option<DateTime<Utc>>,
    date_released: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub commits: Commits,
}

/// A project as `sentry-cli` names it: a slug, or an id (sent as a number when all digits).
#[derive(Deserialize)]
#[serde(untagged)]
enum ProjectName {
    Id(i64),
    Slug(String),
}

impl From<NewReleaseBody> for NewRelease {
    fn from(body: NewReleaseBody) -> Self {
        NewRelease {
            version: body.version,
            projects: body
                .projects
                .into_iter()
                .map(|name| match name {
                    ProjectName::Id(id) => id.to_string(),
                    ProjectName::Slug(slug) => slug,
                })
                .collect(),
            url: body.url,
            date_started: body.date_started,
            date_released: body.date_released,
        }
    }
}

/// `PUT …/releases/{version}/`: `releases finalize` sends `dateReleased` (and `projects` with
/// `--project`, which changes nothing: the release changes in every project that has it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    url: Option<String>,
    date_released: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub commits: Commits,
}

impl From<UpdateBody> for ReleaseChanges {
    fn from(body: UpdateBody) -> Self {
        ReleaseChanges {
            url: body.url,
            date_released: body.date_released,
        }
    }
}

/// What `releases set-commits` sends: head commits per repository (`refs`) or the commits
/// themselves (`commits`). Larder has no repository integration and keeps neither.
#[derive(Deserialize)]
pub struct Commits {
    refs: Option<Value>,
    commits: Option<Value>,
}

impl Commits {
    /// Refuses a request that sets commits, rather than dropping them unsaid.
    pub fn refuse(&self) -> Result<(), ApiError> {
        if self.refs.is_some() || self.commits.is_some() {
            return Err(commits_unsupported());
        }
        Ok(())
    }
}

/// The refusal of every request about a release's commits or repositories.
pub fn commits_unsupported() -> ApiError {
    ApiError::bad_request(
        "Larder has no repository integration: release commits are not supported (skip \
         `sentry-cli releases set-commits`)",
    )
}

/// `POST …/releases/{version}/deploys/`: `deploys new`. Its `projects` (with `--project`) are
/// not read: a deploy is the organization's, per version.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDeployBody {
    #[serde(default)]
    environment: String,
    name: Option<String>,
    url: Option<String>,
    date_started: Option<DateTime<Utc>>,
    date_finished: Option<DateTime<Utc>>,
}

impl From<NewDeployBody> for NewDeploy {
    fn from(body: NewDeployBody) -> Self {
        NewDeploy {
            environment: body.environment,
            name: body.name,
            url: body.url,
            date_started: body.date_started,
            date_finished: body.date_finished,
        }
    }
}

/// A release as Sentry answers it (`ReleaseInfo`; `dateCreated` is the one field sentry-cli
/// requires).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseJson {
    version: String,
    short_version: String,
    url: Option<String>,
    date_created: DateTime<Utc>,
    date_started: Option<DateTime<Utc>>,
    date_released: Option<DateTime<Utc>>,
    first_event: Option<DateTime<Utc>>,
    last_event: Option<DateTime<Utc>>,
    new_groups: i64,
    projects: Vec<ProjectJson>,
    /// Larder keeps no commits: always null.
    last_commit: (),
    deploy_count: usize,
    last_deploy: Option<DeployJson>,
}

#[derive(Serialize)]
struct ProjectJson {
    id: String,
    slug: String,
    name: String,
}

impl From<Release> for ReleaseJson {
    fn from(release: Release) -> Self {
        ReleaseJson {
            short_version: short_version(&release.version).to_string(),
            version: release.version,
            url: release.url,
            date_created: release.date_created,
            date_started: release.date_started,
            date_released: release.date_released,
            first_event: release.first_event,
            last_event: release.last_event,
            new_groups: release.new_groups,
            projects: release
                .projects
                .into_iter()
                .map(ProjectJson::from)
                .collect(),
            last_commit: (),
            deploy_count: release.deploy_count,
            last_deploy: release.last_deploy.map(DeployJson::from),
        }
    }
}

impl From<project::Model> for ProjectJson {
    fn from(project: project::Model) -> Self {
        ProjectJson {
            id: project.id.to_string(),
            slug: project.slug,
            name: project.name,
        }
    }
}

/// A deploy as Sentry answers it (sentry-cli's `Deploy`, with Sentry's `id`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployJson {
    id: String,
    environment: String,
    name: Option<String>,
    url: Option<String>,
    date_started: Option<DateTime<Utc>>,
    date_finished: DateTime<Utc>,
}

impl From<deploy::Model> for DeployJson {
    fn from(deploy: deploy::Model) -> Self {
        DeployJson {
            id: deploy.id.to_string(),
            environment: deploy.environment,
            name: deploy.name,
            url: deploy.url,
            date_started: deploy.date_started,
            date_finished: deploy.date_finished,
        }
    }
}

/// The version without its package (`shop@1.2.0` → `1.2.0`), a commit SHA cut to 12
/// characters, as Sentry shows versions.
fn short_version(version: &str) -> &str {
    let version = match version.split_once('@') {
        Some((package, rest)) if !package.is_empty() && !rest.is_empty() => rest,
        _ => version,
    };
    if version.len() == 40 && version.chars().all(|c| c.is_ascii_hexdigit()) {
        &version[..12]
    } else {
        version
    }
}

#[cfg(test)]
mod tests {
    use super::short_version;

    #[test]
    fn short_versions_drop_the_package_and_cut_commit_hashes() {
        assert_eq!(short_version("shop@1.2.0+build.7"), "1.2.0+build.7");
        assert_eq!(short_version("1.0.0"), "1.0.0");
        assert_eq!(short_version("@scope"), "@scope");
        assert_eq!(
            short_version("62aaca3ed186edc7671b4cca0ab6ec53cb7de8b5"),
            "62aaca3ed186"
        );
    }
}
