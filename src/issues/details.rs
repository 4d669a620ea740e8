//! What an issue's page shows beyond the issue row: its events, the hashes routed to it, the
//! issues it was near when created, its history, and each event's attachments and user
//! feedback.
use entity::states::IssueStatus;
use entity::{
    attachment, event, grouping_hash, issue, issue_activity, issue_similarity, user_report,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Up to `limit` events of the issue, newest first, starting below row id `before` when given.
pub async fn events<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<event::Model>, DbErr> {
    let mut query = event::Entity::find().filter(event::Column::IssueId.eq(issue_id));
    if let Some(before) = before {
        query = query.filter(event::Column::Id.lt(before));
    }
    query
        .order_by_desc(event::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Every hash routed to the issue, oldest first.
pub async fn hashes<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<Vec<grouping_hash::Model>, DbErr> {
    grouping_hash::Entity::find()
        .filter(grouping_hash::Column::IssueId.eq(issue_id))
        .order_by_asc(grouping_hash::Column::Id)
        .all(db)
        .await
}

/// The issues that were near this one when it was created, with their distance, nearest
/// first; merged-away issues are left out.
pub async fn similar_issues<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<Vec<(issue::Model, f64)>, DbErr> {
    let rows = issue_similarity::Entity::find()
        .filter(issue_similarity::Column::IssueId.eq(issue_id))
        .find_also_related(issue::Entity)
        .all(db)
        .await?;
    let mut similar: Vec<(issue::Model, f64)> = rows
        .into_iter()
        .filter_map(|(s, other)| {
            let other = other.filter(|o| o.status != IssueStatus::Merged)?;
            Some((other, s.distance))
        })
        .collect();
    similar.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(similar)
}

/// The issue's history, oldest first.
pub async fn activity<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<Vec<issue_activity::Model>, DbErr> {
    issue_activity::Entity::find()
        .filter(issue_activity::Column::IssueId.eq(issue_id))
        .order_by_asc(issue_activity::Column::Id)
        .all(db)
        .await
}

/// The files the SDK sent with an event, in arrival order.
pub async fn attachments<C: ConnectionTrait>(
    db: &C,
    event: &event::Model,
) -> Result<Vec<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::ProjectId.eq(event.project_id))
        .filter(attachment::Column::EventId.eq(&event.event_id))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await
}

/// The feedback users left about an event, in arrival order.
pub async fn user_reports<C: ConnectionTrait>(
    db: &C,
    event: &event::Model,
) -> Result<Vec<user_report::Model>, DbErr> {
    user_report::Entity::find()
        .filter(user_report::Column::ProjectId.eq(event.project_id))
        .filter(user_report::Column::EventId.eq(&event.event_id))
        .order_by_asc(user_report::Column::Id)
        .all(db)
        .await
}
