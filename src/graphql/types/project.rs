//! `Project` and its issue list.
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::states::Outcome;
use entity::{environment, project};

use super::accounts::Team;
use super::alerts::{AlertRule, Delivery, DeliveryStatus};
use super::grouping::RegroupJob;
use super::issue::Issue;
use super::release::Release;
use super::settings::ProjectSettings;
use super::sourcemaps::ArtifactBundle;
use super::stats::{Range, StatsInterval, StatsPoint};
use super::{IssueStatus, Level};
use crate::accounts::projects::{self as project_keys, dsn};
use crate::accounts::scopes;
use crate::alerts::{deliveries, rule_store};
use crate::graphql::pagination::{Cursor, PageInfo, page_size};
use crate::graphql::{authorize, bad_input, internal, state};
use crate::issues::listing::{self, IssueList, PageError};
use crate::projects::seen;
use crate::releases;
use crate::search::{self, IssueSearchError};
use crate::sourcemaps;

pub struct Project(pub project::Model);

/// Which issues a list shows. Every field narrows the list; absent fields do not filter.
#[derive(InputObject, Default)]
pub struct IssueFilter {
    pub status: Option<Vec<IssueStatus>>,
    pub level: Option<Vec<Level>>,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// Case-insensitive text searched in title and culprit.
    pub query: Option<String>,
}

impl From<IssueFilter> for search::IssueFilter {
    fn from(filter: IssueFilter) -> Self {
        search::IssueFilter {
            statuses: filter
                .status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            levels: filter
                .level
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            environment: filter.environment,
            release: filter.release,
            text: filter.query,
        }
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(remote = "crate::issues::listing::IssueSort")]
pub enum IssueSort {
    /// Most recently seen first.
    #[default]
    LastSeen,
    /// Newest issues first.
    FirstSeen,
    /// Most events first.
    Count,
    /// Most distinct users affected first.
    Users,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct IssueConnection {
    pub edges: Vec<IssueEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub list: IssueList,
}

#[ComplexObject]
impl IssueConnection {
    /// Number of issues matching the filter (all pages).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        self.list.count(&state(ctx).db).await.map_err(internal)
    }
}

#[derive(SimpleObject)]
pub struct IssueEdge {
    pub cursor: String,
    pub node: Issue,
}

/// A DSN key of the project (the public key is not a secret: it ships inside every app).
#[derive(SimpleObject)]
pub struct ProjectKey {
    pub id: ID,
    pub label: String,
    pub public_key: String,
    pub dsn: String,
    pub is_active: bool,
    /// Events accepted per minute through this key; null when unlimited.
    pub rate_limit_per_minute: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl ProjectKey {
    pub fn new(key: entity::project_key::Model, public_url: &str) -> Self {
        ProjectKey {
            id: ID(key.id.to_string()),
            dsn: dsn(public_url, &key.public_key, key.project_id),
            label: key.label,
            public_key: key.public_key,
            is_active: key.is_active,
            rate_limit_per_minute: key.rate_limit_per_minute,
            created_at: key.created_at,
        }
    }
}

/// Events per bucket by what became of them.
#[derive(SimpleObject)]
pub struct ProjectStats {
    /// Stored events.
    pub accepted: Vec<StatsPoint>,
    /// Dropped by an inbound filter.
    pub filtered: Vec<StatsPoint>,
    /// Dropped by server-side sampling.
    pub sampled: Vec<StatsPoint>,
    /// Refused with 429 by a rate limit.
    pub rate_limited: Vec<StatsPoint>,
}

/// An environment seen in the project's events.
#[derive(SimpleObject)]
pub struct Seen {
    pub name: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub count: i64,
}

impl From<environment::Model> for Seen {
    fn from(e: environment::Model) -> Self {
        Seen {
            name: e.name,
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            count: e.times_seen,
        }
    }
}

/// How a project's events are grouped.
#[derive(SimpleObject)]
pub struct GroupingSettings {
    /// Grouping algorithm version the project hashes with.
    pub config: String,
    pub fingerprint_rules: String,
    /// Stack-trace rules (Sentry's grouping enhancements syntax), applied before hashing.
    pub stacktrace_rules: String,
    pub similarity_enabled: bool,
    pub similarity_threshold: f64,
}

#[Object]
impl Project {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Days events are kept; null means the organization default.
    async fn retention_days(&self) -> Option<i32> {
        self.0.retention_days
    }
    async fn sample_rate(&self) -> f64 {
        self.0.sample_rate
    }
    /// Sampling, rate limit, retention, scrubbing and inbound filters, as ingest applies them.
    async fn settings(&self) -> ProjectSettings {
        ProjectSettings::of(&self.0)
    }
    async fn rate_limit_per_minute(&self) -> Option<i32> {
        self.0.rate_limit_per_minute
    }

    /// Events per hour or day by outcome (accepted, filtered, sampled, rate limited).
    async fn stats(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        interval: Option<StatsInterval>,
    ) -> async_graphql::Result<ProjectStats> {
        let range = Range::new(from, to, interval)?;
        let rows = seen::outcome_counts(&state(ctx).db, self.0.id, range.from, range.to)
            .await
            .map_err(internal)?;
        let series = |outcome: Outcome| {
            range.series(
                rows.iter()
                    .filter(|r| r.outcome == outcome)
                    .map(|r| (r.bucket, r.times_seen)),
            )
        };
        Ok(ProjectStats {
            accepted: series(Outcome::Accepted),
            filtered: series(Outcome::Filtered),
            sampled: series(Outcome::Sampled),
            rate_limited: series(Outcome::RateLimited),
        })
    }

    async fn alert_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AlertRule>> {
        authorize(ctx, scopes::Scope::AlertsRead)?;
        let rows = rule_store::list(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(AlertRule::from).collect())
    }

    /// Notifications of the project's issues, newest first, with their outcome.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: u64,
        status: Option<DeliveryStatus>,
    ) -> async_graphql::Result<Vec<Delivery>> {
        authorize(ctx, scopes::Scope::AlertsRead)?;
        let rows = deliveries::of_project(
            &state(ctx).db,
            self.0.id,
            status.map(Into::into),
            std::cmp::min(first, 500),
        )
        .await
        .map_err(internal)?;
        Ok(rows.into_iter().map(Delivery::from).collect())
    }

    /// Releases named by events or created by `sentry-cli`, newest first, with their deploys.
    async fn releases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Release>> {
        let rows = releases::of_project(&state(ctx).db, &self.0)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Release::from).collect())
    }

    /// The latest regrouping of the project's events since the server started
    /// (`regroupProject`).
    async fn regroup_job(&self, ctx: &Context<'_>) -> Option<RegroupJob> {
        state(ctx).regroups.latest(self.0.id).map(RegroupJob::from)
    }

    /// Artifact bundles uploaded with `sentry-cli sourcemaps upload`, newest first: `first` of
    /// them (25 unless given, at most 100).
    async fn artifact_bundles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<ArtifactBundle>> {
        let limit = page_size(first)?;
        let bundles = sourcemaps::store::bundles(&state(ctx).db, self.0.id, limit)
            .await
            .map_err(internal)?;
        Ok(bundles
            .into_iter()
            .map(|(bundle, files)| ArtifactBundle::new(bundle, files))
            .collect())
    }

    /// Environments seen in events, by name.
    async fn environments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Seen>> {
        let rows = seen::environments(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Seen::from).collect())
    }

    async fn grouping_settings(&self) -> GroupingSettings {
        GroupingSettings {
            config: self.0.grouping_config.clone(),
            fingerprint_rules: self.0.fingerprint_rules.clone(),
            stacktrace_rules: self.0.stacktrace_rules.clone(),
            similarity_enabled: self.0.similarity_enabled,
            similarity_threshold: self.0.similarity_threshold,
        }
    }

    /// The teams the project is given to; empty when every member of the organization sees it.
    async fn teams(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Team>> {
        let rows = crate::accounts::teams::of_project(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Team::from).collect())
    }

    /// The project's DSN keys with the DSN to configure an SDK with.
    async fn keys(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectKey>> {
        let app = state(ctx);
        let keys = project_keys::keys(&app.db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(keys
            .into_iter()
            .map(|k| ProjectKey::new(k, &app.config.public_url))
            .collect())
    }

    /// Issues of the project, filtered and sorted, one keyset page at a time.
    async fn issues(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<IssueFilter>,
        sort: Option<IssueSort>,
        #[graphql(
            desc = "A search as typed in Sentry, e.g. `is:unresolved level:error browser:Chrome \"timeout\"`."
        )]
        query: Option<String>,
    ) -> async_graphql::Result<IssueConnection> {
        authorize(ctx, scopes::Scope::EventRead)?;
        let limit = page_size(first)?;
        let sort = listing::IssueSort::from(sort.unwrap_or_default());
        let db = &state(ctx).db;
        let filter = search::IssueFilter::from(filter.unwrap_or_default());
        let list = IssueList::new(db, &self.0, &filter, query.as_deref())
            .await
            .map_err(|error| match error {
                IssueSearchError::Invalid(_) => bad_input(error.to_string()),
                IssueSearchError::Database(error) => internal(error),
            })?;
        let after = after.map(|after| Cursor::decode(&after)).transpose()?;
        let mut rows = list
            .page(
                db,
                sort,
                after.as_ref().map(|c| (c.value.as_str(), c.id)),
                limit + 1,
            )
            .await
            .map_err(|error| match error {
                PageError::CursorMismatch => bad_input(error.to_string()),
                PageError::Database(error) => internal(error),
            })?;
        let has_next_page = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let edges: Vec<IssueEdge> = rows
            .into_iter()
            .map(|(row, value)| IssueEdge {
                cursor: Cursor { value, id: row.id }.encode(),
                node: Issue(row),
            })
            .collect();
        Ok(IssueConnection {
            page_info: PageInfo {
                has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            list,
        })
    }
}
