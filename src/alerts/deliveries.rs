//! The outbox as people read it: the notifications of a project or of an issue, and the tickets
//! opened for an issue.
use entity::{delivery, external_issue};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// A project's notifications, newest first, optionally only those in `status`.
pub async fn of_project<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    status: Option<entity::states::DeliveryStatus>,
    limit: u64,
) -> Result<Vec<delivery::Model>, DbErr> {
    let mut query = delivery::Entity::find().filter(delivery::Column::ProjectId.eq(project_id));
    if let Some(status) = status {
        query = query.filter(delivery::Column::Status.eq(status));
    }
    query
        .order_by_desc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// An issue's notifications, oldest first.
pub async fn of_issue<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<Vec<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::IssueId.eq(issue_id))
        .order_by_asc(delivery::Column::Id)
        .all(db)
        .await
}

/// The tickets opened for an issue, oldest first.
pub async fn tickets_of_issue<C: ConnectionTrait>(
    db: &C,
    issue_id: i64,
) -> Result<Vec<external_issue::Model>, DbErr> {
    external_issue::Entity::find()
        .filter(external_issue::Column::IssueId.eq(issue_id))
        .order_by_asc(external_issue::Column::Id)
        .all(db)
        .await
}
