//! An API token for the GraphQL API. Only its SHA-256 is stored; the clear token is shown once.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    /// Hex SHA-256 of the full token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The first characters of the token, so a person can tell tokens apart.
    pub token_prefix: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// A personal token acts as this user (never beyond the user's role); None for an
    /// organization token.
    pub user_id: Option<i64>,
    /// Space-separated Sentry scope names (`event:read project:write`); `*` means every scope.
    pub scopes: String,
    pub expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
