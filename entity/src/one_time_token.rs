//! A link sent to a person once: first-run setup, an invitation, a password reset. Only the token's SHA-256 is stored.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "one_time_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub purpose: crate::states::LinkPurpose,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub organization_id: Option<i64>,
    /// The user a password reset is for.
    pub user_id: Option<i64>,
    /// The invited address.
    pub email: Option<String>,
    /// The role an invitation grants.
    pub role: Option<crate::states::Role>,
    /// JSON array of the team ids an invitation adds the person to.
    pub team_ids: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
