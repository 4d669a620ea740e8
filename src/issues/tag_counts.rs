//! Issue tag counts (`issue_tag`): how rows accumulate when the same (issue, key, value) is
//! written again — by the ingest writer for each batch, and by merges — and how they are read.
use entity::issue_tag;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::counters;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Every (key, value) count of the issue.
pub async fn of_issue<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<Vec<issue_tag::Model>, DbErr> {
    issue_tag::Entity::find()
        .filter(issue_tag::Column::IssueId.eq(issue_id))
        .all(db)
        .await
}

/// Up to `limit` values of one tag key of the issue, most frequent first.
pub async fn values_of<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
    key: String,
    limit: u64,
) -> Result<Vec<issue_tag::Model>, DbErr> {
    issue_tag::Entity::find()
        .filter(issue_tag::Column::IssueId.eq(issue_id))
        .filter(issue_tag::Column::Key.eq(key))
        .order_by_desc(issue_tag::Column::TimesSeen)
        .order_by_asc(issue_tag::Column::Value)
        .limit(limit)
        .all(db)
        .await
}

/// `ON CONFLICT (issue_id, key, value)`: add the counts, widen first/last seen.
pub fn accumulate() -> OnConflict {
    use issue_tag::Column as C;
    counters::accumulate(
        issue_tag::Entity,
        [C::IssueId, C::Key, C::Value],
        C::TimesSeen,
        Some(C::FirstSeen),
        Some(C::LastSeen),
    )
}

/// Adds the tag counts of `sources` to `target` and deletes the sources' rows.
pub async fn move_to<C: ConnectionTrait>(
    db: &C,
    sources: &[i64],
    target: i64,
) -> Result<(), DbErr> {
    use issue_tag::Column as C;
    let totals = Query::select()
        .column(C::ProjectId)
        .expr(Expr::val(target))
        .columns([C::Key, C::Value])
        .expr(Expr::col(C::TimesSeen).sum())
        .expr(Expr::col(C::FirstSeen).min())
        .expr(Expr::col(C::LastSeen).max())
        .from(issue_tag::Entity)
        .and_where(C::IssueId.is_in(sources.iter().copied()))
        .group_by_columns([C::ProjectId, C::Key, C::Value])
        .to_owned();
    let insert = Query::insert()
        .into_table(issue_tag::Entity)
        .columns([
            C::ProjectId,
            C::IssueId,
            C::Key,
            C::Value,
            C::TimesSeen,
            C::FirstSeen,
            C::LastSeen,
        ])
        .select_from(totals)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(accumulate())
        .to_owned();
    db.execute(&insert).await?;
    let delete = Query::delete()
        .from_table(issue_tag::Entity)
        .and_where(C::IssueId.is_in(sources.iter().copied()))
        .to_owned();
    db.execute(&delete).await?;
    Ok(())
}
