//! Merging issues and splitting a hash back out.
//!
//! Merge moves every hash, event, tag count, affected user and hourly count of the source issues
//! into the target, sums the counters, and leaves each source as a `merged` tombstone pointing at the target; because
//! routing goes through `grouping_hash`, new events of any merged hash land in the target at
//! once. Unmerge moves one hash (and the events filed under it) into an issue of its own —
//! reviving the tombstone that hash originally created when there is one — and rebuilds both
//! issues' counts, users, hourly and tag counts from their events.
use chrono::Utc;
use entity::states::{ActivityKind, IssueStatus};
use entity::{event, grouping_hash, issue};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, Set,
};
use serde_json::json;

use super::{activity, rollups, tag_counts};

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Merges `sources` into `target` (all of one project, none already merged).
pub async fn merge_issues(
    db: &DatabaseConnection,
    target: issue::Model,
    sources: Vec<issue::Model>,
    actor: &str,
) -> Result<issue::Model, MergeError> {
    if sources.is_empty() {
        return Err(MergeError::Invalid("nothing to merge".into()));
    }
    for source in &sources {
        if source.id == target.id {
            return Err(MergeError::Invalid(
                "an issue cannot be merged into itself".into(),
            ));
        }
        if source.project_id != target.project_id {
            return Err(MergeError::Invalid(
                "only issues of the same project can be merged".into(),
            ));
        }
        if source.status == IssueStatus::Merged || target.status == IssueStatus::Merged {
            return Err(MergeError::Invalid(
                "a merged issue cannot be merged again".into(),
            ));
        }
    }
    let txn = crate::db::begin_write(db).await?;
    let source_ids: Vec<i64> = sources.iter().map(|s| s.id).collect();
    grouping_hash::Entity::update_many()
        .col_expr(grouping_hash::Column::IssueId, Expr::val(target.id))
        .filter(grouping_hash::Column::IssueId.is_in(source_ids.clone()))
        .exec(&txn)
        .await?;
    event::Entity::update_many()
        .col_expr(event::Column::IssueId, Expr::val(target.id))
        .filter(event::Column::IssueId.is_in(source_ids.clone()))
        .exec(&txn)
        .await?;
    tag_counts::move_to(&txn, &source_ids, target.id).await?;
    move_users_and_hourly_counts(&txn, &source_ids, target.id).await?;

    let mut merged = target.clone();
    for source in &sources {
        merged.times_seen += source.times_seen;
        merged.first_seen = std::cmp::min(merged.first_seen, source.first_seen);
        merged.last_seen = std::cmp::max(merged.last_seen, source.last_seen);
    }
    let mut active: issue::ActiveModel = target.into();
    active.times_seen = Set(merged.times_seen);
    active.first_seen = Set(merged.first_seen);
    active.last_seen = Set(merged.last_seen);
    let merged = active.update(&txn).await?;
    issue::Entity::update_many()
        .col_expr(issue::Column::Status, Expr::val(IssueStatus::Merged))
        .col_expr(issue::Column::MergedIntoId, Expr::val(merged.id))
        .col_expr(issue::Column::TimesSeen, Expr::val(0i64))
        .filter(issue::Column::Id.is_in(source_ids.clone()))
        .exec(&txn)
        .await?;
    activity::record(
        &txn,
        merged.id,
        ActivityKind::Merge,
        json!({ "from": source_ids }),
        actor,
    )
    .await?;
    for id in &source_ids {
        activity::record(
            &txn,
            *id,
            ActivityKind::MergedInto,
            json!({ "into": merged.id }),
            actor,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(merged)
}

/// Adds the sources' distinct users and hourly event counts to the target's and deletes theirs,
/// so the merged issue's `userCount`, charts and frequency alerts include the merged events.
async fn move_users_and_hourly_counts(
    txn: &DatabaseTransaction,
    sources: &[i64],
    target: i64,
) -> Result<(), DbErr> {
    use entity::{issue_stat, issue_user};
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Alias, Func, OnConflict, Query};

    let users = Query::select()
        .expr(Expr::val(target))
        .column(issue_user::Column::UserKey)
        .expr(Expr::col(issue_user::Column::FirstSeen).min())
        .from(issue_user::Entity)
        .and_where(issue_user::Column::IssueId.is_in(sources.iter().copied()))
        .group_by_col(issue_user::Column::UserKey)
        .to_owned();
    let first_seen = |table: Alias| Expr::col((table, issue_user::Column::FirstSeen));
    let insert_users = Query::insert()
        .into_table(issue_user::Entity)
        .columns([
            issue_user::Column::IssueId,
            issue_user::Column::UserKey,
            issue_user::Column::FirstSeen,
        ])
        .select_from(users)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::columns([issue_user::Column::IssueId, issue_user::Column::UserKey])
                .value(
                    issue_user::Column::FirstSeen,
                    Func::least([
                        first_seen(Alias::new("issue_user")),
                        first_seen(Alias::new("excluded")),
                    ]),
                )
                .to_owned(),
        )
        .to_owned();
    txn.execute(&insert_users).await?;

    let hours = Query::select()
        .column(issue_stat::Column::ProjectId)
        .expr(Expr::val(target))
        .column(issue_stat::Column::Bucket)
        .expr(Expr::col(issue_stat::Column::TimesSeen).sum())
        .from(issue_stat::Entity)
        .and_where(issue_stat::Column::IssueId.is_in(sources.iter().copied()))
        .group_by_columns([issue_stat::Column::ProjectId, issue_stat::Column::Bucket])
        .to_owned();
    let insert_hours = Query::insert()
        .into_table(issue_stat::Entity)
        .columns([
            issue_stat::Column::ProjectId,
            issue_stat::Column::IssueId,
            issue_stat::Column::Bucket,
            issue_stat::Column::TimesSeen,
        ])
        .select_from(hours)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(crate::counters::accumulate(
            issue_stat::Entity,
            [issue_stat::Column::IssueId, issue_stat::Column::Bucket],
            issue_stat::Column::TimesSeen,
            None,
            None,
        ))
        .to_owned();
    txn.execute(&insert_hours).await?;

    for delete in [
        Query::delete()
            .from_table(issue_user::Entity)
            .and_where(issue_user::Column::IssueId.is_in(sources.iter().copied()))
            .to_owned(),
        Query::delete()
            .from_table(issue_stat::Entity)
            .and_where(issue_stat::Column::IssueId.is_in(sources.iter().copied()))
            .to_owned(),
    ] {
        txn.execute(&delete).await?;
    }
    Ok(())
}

/// Moves `hash` out of `issue` into an issue of its own; returns that issue.
pub async fn unmerge_hash(
    db: &DatabaseConnection,
    issue: issue::Model,
    hash: &str,
    actor: &str,
) -> Result<issue::Model, MergeError> {
    let txn = crate::db::begin_write(db).await?;
    let hashes = grouping_hash::Entity::find()
        .filter(grouping_hash::Column::IssueId.eq(issue.id))
        .all(&txn)
        .await?;
    if !hashes.iter().any(|h| h.hash == hash) {
        return Err(MergeError::Invalid(format!(
            "hash {hash} does not belong to issue {}",
            issue.id
        )));
    }
    if issue.primary_hash == hash {
        return Err(MergeError::Invalid(
            "the primary hash stays with its issue: unmerge the other hashes instead".into(),
        ));
    }
    if hashes.len() < 2 {
        return Err(MergeError::Invalid(
            "the issue has only this hash: nothing to split".into(),
        ));
    }
    let tombstone = issue::Entity::find()
        .filter(issue::Column::ProjectId.eq(issue.project_id))
        .filter(issue::Column::PrimaryHash.eq(hash))
        .one(&txn)
        .await?;
    let split = match tombstone {
        Some(existing) => {
            let mut active: issue::ActiveModel = existing.into();
            active.status = Set(IssueStatus::Unresolved);
            active.merged_into_id = Set(None);
            active.update(&txn).await?
        }
        _ => {
            let mut fresh = issue.clone();
            fresh.primary_hash = hash.to_string();
            // The hash's own explanation, stored as every issue's grouping is.
            let explanation = hashes
                .iter()
                .find(|h| h.hash == hash)
                .and_then(|h| serde_json::from_str::<serde_json::Value>(&h.explanation).ok())
                .map(|explanation| {
                    crate::grouping::record::issue_grouping_text(hash, &explanation)
                });
            issue::ActiveModel {
                project_id: Set(fresh.project_id),
                primary_hash: Set(fresh.primary_hash),
                title: Set(fresh.title),
                culprit: Set(fresh.culprit),
                level: Set(fresh.level),
                status: Set(IssueStatus::Unresolved),
                status_details: Set("{}".into()),
                first_seen: Set(fresh.first_seen),
                last_seen: Set(fresh.last_seen),
                times_seen: Set(0),
                first_release: Set(fresh.first_release),
                last_release: Set(fresh.last_release),
                grouping: Set(explanation.unwrap_or(fresh.grouping)),
                signature: Set(String::new()),
                merged_into_id: Set(None),
                resolved_at: Set(None),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    grouping_hash::Entity::update_many()
        .col_expr(grouping_hash::Column::IssueId, Expr::val(split.id))
        .filter(grouping_hash::Column::IssueId.eq(issue.id))
        .filter(grouping_hash::Column::Hash.eq(hash))
        .exec(&txn)
        .await?;
    event::Entity::update_many()
        .col_expr(event::Column::IssueId, Expr::val(split.id))
        .filter(event::Column::IssueId.eq(issue.id))
        .filter(event::Column::Hash.eq(hash))
        .exec(&txn)
        .await?;
    rollups::rebuild(&txn, issue.id).await?;
    let split = rollups::rebuild(&txn, split.id).await?;
    activity::record(
        &txn,
        issue.id,
        ActivityKind::Unmerge,
        json!({ "hash": hash, "into": split.id }),
        actor,
    )
    .await?;
    txn.commit().await?;
    Ok(split)
}
