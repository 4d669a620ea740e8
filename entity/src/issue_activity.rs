//! What happened to an issue: status changes, regressions, merges, assignments, comments.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub issue_id: i64,
    /// `set_resolved`, `set_unresolved`, `set_ignored`, `set_regression`, `merge`, `unmerge`, …
    pub kind: String,
    /// Details as JSON text.
    pub data: String,
    /// Who did it: an API token name, or `system` for ingest.
    pub actor: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
