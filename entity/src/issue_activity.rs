//! What happened to an issue: status changes, regressions, merges, assignments, comments.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub issue_id: i64,
    pub kind: crate::states::ActivityKind,
    /// Details as JSON text.
    pub data: String,
    /// Who did it: a user's e-mail, `token NAME`, or `system` for ingest.
    pub actor: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
