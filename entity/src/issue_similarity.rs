//! The nearest existing issues found when an issue was created, so a person can merge them.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_similarity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub issue_id: i64,
    pub similar_issue_id: i64,
    pub distance: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The similar issue (not the one the row belongs to).
    #[sea_orm(
        belongs_to = "super::issue::Entity",
        from = "Column::SimilarIssueId",
        to = "super::issue::Column::Id"
    )]
    SimilarIssue,
}

impl Related<super::issue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SimilarIssue.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
