//! One stored event: indexed columns for what queries filter on, and the normalised payload.
use sea_orm::entity::prelude::*;

use crate::states::Level;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub issue_id: i64,
    /// The SDK's event id: 32 lowercase hex.
    pub event_id: String,
    pub timestamp: DateTimeUtc,
    pub received_at: DateTimeUtc,
    pub level: Level,
    pub platform: String,
    pub release: Option<String>,
    pub environment: Option<String>,
    pub message: Option<String>,
    pub title: String,
    /// The grouping hash this event produced (primary), for unmerge.
    pub hash: String,
    /// `id:…`, `email:…`, `username:…` or `ip:…` of the affected user, for distinct-user counts.
    pub user_key: Option<String>,
    /// The normalised event as JSON text, for rows written before migration 000005; empty
    /// since, when `payload_zstd` holds it (read both through `db::payload::json`).
    pub payload: String,
    /// The normalised event's JSON text compressed with zstd.
    pub payload_zstd: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::issue::Entity",
        from = "Column::IssueId",
        to = "super::issue::Column::Id"
    )]
    Issue,
}

impl Related<super::issue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Issue.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
