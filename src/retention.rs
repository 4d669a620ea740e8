//! Retention: events older than their project's retention (else the organization default) are
//! deleted in bounded batches, each its own short transaction, so ingest is never blocked for
//! long. Issue counters are kept; an issue left with no events whose last event is itself past
//! retention is deleted with everything hanging off it. Old hourly rollups go too, as do artifact
//! bundles no event has used within the retention period and upload chunks never assembled.
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{
    alert_rule_fire, attachment, event, external_issue, grouping_hash, issue, issue_activity,
    issue_similarity, issue_stat, issue_tag, issue_user, organization, project, project_stat,
    similarity_band,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QuerySelect,
};

use crate::sourcemaps;

/// Rows deleted per statement.
const BATCH: u64 = 1_000;
/// Pause between batches: lets the ingest writer take the database in between.
const PAUSE: Duration = Duration::from_millis(5);

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub events: u64,
    pub attachments: u64,
    pub issues: u64,
    /// Artifact bundles no event used within the retention period.
    pub artifact_bundles: u64,
    /// Uploaded chunks never assembled into a bundle within a day.
    pub stale_chunks: u64,
}

/// Runs retention for every project once.
pub async fn run_once(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Report, DbErr> {
    let mut report = Report::default();
    let projects = project::Entity::find()
        .find_also_related(organization::Entity)
        .all(db)
        .await?;
    for (project, organization) in projects {
        let days = project
            .retention_days
            .or(organization.map(|o| o.default_retention_days))
            .unwrap_or(crate::accounts::organizations::DEFAULT_RETENTION_DAYS);
        let cutoff = now - chrono::Duration::days(i64::from(std::cmp::max(days, 1)));
        report.events += delete_batched(
            db,
            || {
                Query::select()
                    .column(event::Column::Id)
                    .from(event::Entity)
                    .and_where(event::Column::ProjectId.eq(project.id))
                    .and_where(event::Column::ReceivedAt.lt(cutoff))
                    .limit(BATCH)
                    .to_owned()
            },
            event::Entity,
            event::Column::Id,
        )
        .await?;
        report.attachments += delete_batched(
            db,
            || {
                Query::select()
                    .column(attachment::Column::Id)
                    .from(attachment::Entity)
                    .and_where(attachment::Column::ProjectId.eq(project.id))
                    .and_where(attachment::Column::CreatedAt.lt(cutoff))
                    .limit(BATCH)
                    .to_owned()
            },
            attachment::Entity,
            attachment::Column::Id,
        )
        .await?;
        report.issues += delete_empty_issues(db, project.id, cutoff).await?;
        report.artifact_bundles +=
            sourcemaps::store::delete_unused_bundles(db, project.id, cutoff).await?;
        issue_stat::Entity::delete_many()
            .filter(issue_stat::Column::ProjectId.eq(project.id))
            .filter(issue_stat::Column::Bucket.lt(cutoff))
            .exec(db)
            .await?;
        project_stat::Entity::delete_many()
            .filter(project_stat::Column::ProjectId.eq(project.id))
            .filter(project_stat::Column::Bucket.lt(cutoff))
            .exec(db)
            .await?;
    }
    report.stale_chunks =
        sourcemaps::store::delete_stale_chunks(db, now - chrono::Duration::days(1)).await?;
    Ok(report)
}

/// Runs retention every `interval` in the background.
pub fn spawn(db: DatabaseConnection, interval: Duration) {
    tokio::spawn(async move {
        loop {
            match run_once(&db, Utc::now()).await {
                Ok(report) if report != Report::default() => {
                    tracing::info!(?report, "retention ran")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "retention failed; will retry"),
            }
            tokio::time::sleep(interval).await;
        }
    });
}

/// Deletes the rows `select()` picks, one bounded statement at a time, until none is left.
async fn delete_batched<E: EntityTrait>(
    db: &DatabaseConnection,
    select: impl Fn() -> sea_orm::sea_query::SelectStatement,
    entity: E,
    id: E::Column,
) -> Result<u64, DbErr> {
    let mut deleted = 0;
    loop {
        let statement = Query::delete()
            .from_table(entity)
            .and_where(Expr::col(id).in_subquery(select()))
            .to_owned();
        let n = db.execute(&statement).await?.rows_affected();
        deleted += n;
        if n < BATCH {
            return Ok(deleted);
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// Issues with no event left and last seen before the cutoff, with their dependent rows.
async fn delete_empty_issues(
    db: &DatabaseConnection,
    project_id: i64,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut deleted = 0;
    loop {
        let ids: Vec<i64> = issue::Entity::find()
            .select_only()
            .column(issue::Column::Id)
            .filter(issue::Column::ProjectId.eq(project_id))
            .filter(issue::Column::LastSeen.lt(cutoff))
            .filter(
                Condition::all().not().add(Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(event::Entity)
                        .and_where(
                            Expr::col((event::Entity, event::Column::IssueId))
                                .equals((issue::Entity, issue::Column::Id)),
                        )
                        .to_owned(),
                )),
            )
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        if ids.is_empty() {
            return Ok(deleted);
        }
        let txn = sea_orm::TransactionTrait::begin(db).await?;
        macro_rules! delete_where_issue {
            ($($entity:ident :: $column:ident),+) => {$(
                $entity::Entity::delete_many()
                    .filter($entity::Column::$column.is_in(ids.iter().copied()))
                    .exec(&txn)
                    .await?;
            )+};
        }
        delete_where_issue!(
            grouping_hash::IssueId,
            issue_tag::IssueId,
            issue_stat::IssueId,
            issue_user::IssueId,
            issue_activity::IssueId,
            similarity_band::IssueId,
            issue_similarity::IssueId,
            issue_similarity::SimilarIssueId,
            alert_rule_fire::IssueId,
            external_issue::IssueId
        );
        deleted += issue::Entity::delete_many()
            .filter(issue::Column::Id.is_in(ids.iter().copied()))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
    }
}
