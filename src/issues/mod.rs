//! Issue workflow: status changes, merge and unmerge, and the activity log that records them.
mod activity;
pub mod conditions;
mod merge;
mod status;
pub mod tag_counts;

pub use activity::record as record_activity;
pub use merge::{MergeError, merge_issues, unmerge_hash};
pub use status::set_status;

/// Distinct users an issue affected so far, from the `issue_user` rollup.
pub async fn user_count<C: sea_orm::ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<i64, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    Ok(entity::issue_user::Entity::find()
        .filter(entity::issue_user::Column::IssueId.eq(issue_id))
        .count(db)
        .await? as i64)
}
