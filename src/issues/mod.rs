//! Issue workflow: status changes, assignment, merge and unmerge, and the activity log that
//! records them.
mod activity;
mod assignment;
pub mod conditions;
pub mod details;
pub mod listing;
mod merge;
pub mod regroup;
pub mod regroup_jobs;
mod rollups;
mod status;
pub mod tag_counts;

pub use activity::{record as record_activity, row as activity_row};
pub use assignment::assign;
pub use merge::{MergeError, merge_issues, unmerge_hash};
pub use status::{set_status, set_status_of_matching};

/// Distinct users an issue affected so far, from the `issue_user` rollup.
pub async fn user_count<C: sea_orm::ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<i64, sea_orm::DbErr> {
    let row = db.query_one(&user_count_query(issue_id)).await?;
    Ok(row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0))
}

/// `SELECT count(*)` of the issue's `issue_user` rows (`user_count`, and the ingest writer's
/// transaction).
pub fn user_count_query(issue_id: i64) -> sea_orm::sea_query::SelectStatement {
    use entity::issue_user;
    use sea_orm::ColumnTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    Query::select()
        .expr(Expr::col(issue_user::Column::IssueId).count())
        .from(issue_user::Entity)
        .and_where(issue_user::Column::IssueId.eq(issue_id))
        .to_owned()
}
