//! Issue tag counts (`issue_tag`): how rows accumulate when the same (issue, key, value) is
//! written again — by the ingest writer for each batch, and by merges.
use entity::issue_tag;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::counters;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr};

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
