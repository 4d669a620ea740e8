//! Assigning an issue to a member of its organization, or unassigning it; the activity log
//! records who it went to.
use entity::states::ActivityKind;
use entity::{issue, member};
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, Set, TransactionTrait};
use serde_json::json;

use super::activity;

/// Sets the assignee (None unassigns) and logs `assigned`, in one transaction.
pub async fn assign(
    db: &DatabaseConnection,
    issue: issue::Model,
    assignee: Option<&member::Model>,
    actor: &str,
) -> Result<issue::Model, DbErr> {
    let txn = db.begin().await?;
    let issue_id = issue.id;
    let mut active: issue::ActiveModel = issue.into();
    active.assignee_id = Set(assignee.map(|m| m.id));
    let updated = active.update(&txn).await?;
    let data = json!({ "member": assignee.map(|m| &m.email) });
    activity::record(&txn, issue_id, ActivityKind::Assigned, data, actor).await?;
    txn.commit().await?;
    Ok(updated)
}
