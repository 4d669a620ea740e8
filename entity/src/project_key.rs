//! A DSN key: SDKs authenticate with its public key; revoking it (inactive) stops ingest with it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// 32 lowercase hex characters, the user part of the DSN.
    #[sea_orm(unique)]
    pub public_key: String,
    pub label: String,
    pub is_active: bool,
    /// Accepted events per minute through this key; `None` is unlimited.
    pub rate_limit_per_minute: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::project::Entity",
        from = "Column::ProjectId",
        to = "super::project::Column::Id"
    )]
    Project,
}

impl Related<super::project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
