//! What a project's events have shown: counts per hourly bucket by outcome, and the environments
//! seen (releases are `crate::releases`).
use chrono::{DateTime, Utc};
use entity::{environment, project_stat};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The project's outcome counts in buckets within `[from, to)`.
pub async fn outcome_counts<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<project_stat::Model>, DbErr> {
    project_stat::Entity::find()
        .filter(project_stat::Column::ProjectId.eq(project_id))
        .filter(project_stat::Column::Bucket.gte(from))
        .filter(project_stat::Column::Bucket.lt(to))
        .all(db)
        .await
}

/// Environments seen in the project's events, by name.
pub async fn environments<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
) -> Result<Vec<environment::Model>, DbErr> {
    environment::Entity::find()
        .filter(environment::Column::ProjectId.eq(project_id))
        .order_by_asc(environment::Column::Name)
        .all(db)
        .await
}
