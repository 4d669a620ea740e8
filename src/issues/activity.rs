//! The activity log of an issue: who changed what, and when.
use chrono::Utc;
use entity::issue_activity;
use entity::states::ActivityKind;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

pub async fn record<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
    kind: ActivityKind,
    data: serde_json::Value,
    actor: &str,
) -> Result<(), DbErr> {
    row(issue_id, kind, data, actor).insert(db).await?;
    Ok(())
}

/// The activity row `record` inserts (the ingest writer inserts it in its own transaction).
pub fn row(
    issue_id: i64,
    kind: ActivityKind,
    data: serde_json::Value,
    actor: &str,
) -> issue_activity::ActiveModel {
    issue_activity::ActiveModel {
        issue_id: Set(issue_id),
        kind: Set(kind),
        data: Set(data.to_string()),
        actor: Set(actor.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}
