//! Setting an issue's status by hand: resolve (now, in a release, in the next release), ignore
//! (forever or until a time, a count or a number of users), unresolve; one issue, or every issue
//! of a project that a filter matches.
use chrono::Utc;
use entity::issue;
use entity::states::{ActivityKind, IssueStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

use super::activity;
use super::conditions::StatusDetails;
use crate::search::IssueFilter;

/// Most issues one bulk change sets.
const BULK_LIMIT: u64 = 1_000;

/// Changes status and details and logs `set_<status>`, on the caller's connection or
/// transaction. Setting the same status and details again changes nothing and logs nothing.
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    issue: issue::Model,
    status: IssueStatus,
    details: StatusDetails,
    actor: &str,
) -> Result<issue::Model, DbErr> {
    let details_json = details.to_json();
    if issue.status == status && StatusDetails::parse(&issue.status_details) == details {
        return Ok(issue);
    }
    let previous = issue.status;
    let issue_id = issue.id;
    let mut active: issue::ActiveModel = issue.into();
    active.status = Set(status);
    active.status_details = Set(details_json);
    active.resolved_at = Set((status == IssueStatus::Resolved).then(Utc::now));
    let updated = active.update(db).await?;
    activity::record(
        db,
        issue_id,
        ActivityKind::for_status(status),
        json!({ "previous": previous, "details": details }),
        actor,
    )
    .await?;
    Ok(updated)
}

/// Sets `status` (without conditions) on the project's issues that match `filter` and do not
/// have it yet, at most `BULK_LIMIT` of them (lowest ids first), in one transaction. Merged
/// issues are never changed. Returns how many changed.
pub async fn set_status_of_matching(
    db: &DatabaseConnection,
    project_id: i64,
    filter: &IssueFilter,
    status: IssueStatus,
    actor: &str,
) -> Result<i64, DbErr> {
    let matching = issue::Entity::find()
        .filter(issue::Column::ProjectId.eq(project_id))
        .filter(filter.condition(project_id))
        .filter(issue::Column::Status.ne(IssueStatus::Merged))
        .filter(issue::Column::Status.ne(status))
        .order_by_asc(issue::Column::Id)
        .limit(BULK_LIMIT)
        .all(db)
        .await?;
    let txn = db.begin().await?;
    let changed = matching.len() as i64;
    for issue in matching {
        set_status(&txn, issue, status, StatusDetails::default(), actor).await?;
    }
    txn.commit().await?;
    Ok(changed)
}
