//! Who did what to an organization's access and settings, and from where.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// None for sign-in attempts that matched no organization.
    pub organization_id: Option<i64>,
    /// `user:ada@example.com`, `token:ci (ldr_ab12cd)`, or the e-mail a failed sign-in gave.
    pub actor: String,
    /// e.g. `member.invite`, `token.revoke`, `signin.failure`.
    pub action: String,
    /// What was acted on, e.g. `project:3`.
    pub target: String,
    pub client_address: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
