//! Routes a grouping hash to its issue. Merging moves rows; unmerging moves one back out.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "grouping_hash")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub hash: String,
    pub issue_id: i64,
    /// Set when the hash joined its issue by similarity: the signature distance at that time.
    pub similarity_distance: Option<f64>,
    /// Explanation of the components that made this hash, as JSON text.
    pub explanation: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
