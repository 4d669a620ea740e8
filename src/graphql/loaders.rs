//! Per-request batch loaders: a list of 50 issues asking for their latest event or project
//! makes one query, not 50. Created per request so nothing is cached across organizations.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use entity::{event, issue_stat, issue_user, project};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

pub struct Loaders {
    pub projects: DataLoader<ProjectLoader>,
    pub latest_events: DataLoader<LatestEventLoader>,
    pub user_counts: DataLoader<UserCountLoader>,
    pub issue_stats: DataLoader<IssueStatsLoader>,
    /// The request's "now": the default end of every stats range, so that the series of a page
    /// of issues share one range and load in one query.
    pub now: DateTime<Utc>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        Loaders {
            projects: DataLoader::new(ProjectLoader(db.clone()), tokio::spawn),
            latest_events: DataLoader::new(LatestEventLoader(db.clone()), tokio::spawn),
            user_counts: DataLoader::new(UserCountLoader(db.clone()), tokio::spawn),
            issue_stats: DataLoader::new(IssueStatsLoader(db), tokio::spawn),
            now: Utc::now(),
        }
    }
}

pub struct ProjectLoader(DatabaseConnection);

impl Loader<i64> for ProjectLoader {
    type Value = project::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = project::Entity::find()
            .filter(project::Column::Id.is_in(ids.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Latest event per issue = the highest row id of the issue (ids grow with arrival).
pub struct LatestEventLoader(DatabaseConnection);

impl Loader<i64> for LatestEventLoader {
    type Value = event::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, issue_ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let latest_ids = Query::select()
            .expr(Expr::col(event::Column::Id).max())
            .from(event::Entity)
            .and_where(event::Column::IssueId.is_in(issue_ids.iter().copied()))
            .group_by_col(event::Column::IssueId)
            .to_owned();
        let rows = event::Entity::find()
            .filter(event::Column::Id.in_subquery(latest_ids))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|e| (e.issue_id, e)).collect())
    }
}

/// Distinct users per issue, from the `issue_user` rollup.
pub struct UserCountLoader(DatabaseConnection);

impl Loader<i64> for UserCountLoader {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(&self, issue_ids: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows: Vec<(i64, i64)> = issue_user::Entity::find()
            .select_only()
            .column(issue_user::Column::IssueId)
            .column_as(Expr::col(issue_user::Column::Id).count(), "users")
            .filter(issue_user::Column::IssueId.is_in(issue_ids.iter().copied()))
            .group_by(issue_user::Column::IssueId)
            .into_tuple()
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().collect())
    }
}

/// One issue's hourly counts over `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatsKey {
    pub issue_id: i64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Hourly `(bucket, count)` rows from the `issue_stat` rollup: one query per distinct range
/// for a whole page of issues.
pub struct IssueStatsLoader(DatabaseConnection);

impl Loader<StatsKey> for IssueStatsLoader {
    type Value = Vec<(DateTime<Utc>, i64)>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[StatsKey]) -> Result<HashMap<StatsKey, Self::Value>, Self::Error> {
        let mut ranges: HashMap<(DateTime<Utc>, DateTime<Utc>), Vec<i64>> = HashMap::new();
        for key in keys {
            ranges
                .entry((key.from, key.to))
                .or_default()
                .push(key.issue_id);
        }
        let mut series: HashMap<StatsKey, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for ((from, to), issue_ids) in ranges {
            let rows: Vec<(i64, DateTime<Utc>, i64)> = issue_stat::Entity::find()
                .select_only()
                .column(issue_stat::Column::IssueId)
                .column(issue_stat::Column::Bucket)
                .column(issue_stat::Column::TimesSeen)
                .filter(issue_stat::Column::IssueId.is_in(issue_ids))
                .filter(issue_stat::Column::Bucket.gte(from))
                .filter(issue_stat::Column::Bucket.lt(to))
                .into_tuple()
                .all(&self.0)
                .await?;
            for (issue_id, bucket, count) in rows {
                let key = StatsKey { issue_id, from, to };
                series.entry(key).or_default().push((bucket, count));
            }
        }
        Ok(series)
    }
}
