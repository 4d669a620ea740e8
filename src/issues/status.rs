//! Setting an issue's status by hand (resolve, ignore, unresolve).
use chrono::Utc;
use entity::issue;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, Set, TransactionTrait};
use serde_json::json;

use super::activity;

/// Changes the status and logs `set_<status>` in one transaction. Setting the current status
/// again changes nothing and logs nothing.
pub async fn set_status(
    db: &DatabaseConnection,
    issue: issue::Model,
    status: &str,
    actor: &str,
) -> Result<issue::Model, DbErr> {
    if issue.status == status {
        return Ok(issue);
    }
    let txn = db.begin().await?;
    let previous = issue.status.clone();
    let issue_id = issue.id;
    let mut active: issue::ActiveModel = issue.into();
    active.status = Set(status.to_string());
    active.status_details = Set("{}".to_string());
    active.resolved_at = Set((status == "resolved").then(Utc::now));
    let updated = active.update(&txn).await?;
    activity::record(
        &txn,
        issue_id,
        &format!("set_{status}"),
        json!({ "previous": previous }),
        actor,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
