//! Setting an issue's status by hand: resolve (now, in a release, in the next release), ignore
//! (forever or until a time, a count or a number of users), unresolve.
use chrono::Utc;
use entity::issue;
use entity::states::{ActivityKind, IssueStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde_json::json;

use super::activity;
use super::conditions::StatusDetails;

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
