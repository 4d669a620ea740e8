//! A person in an organization: receives default email alerts, can be assigned issues, and —
//! when linked to a user — signs in with the member's role.
use sea_orm::entity::prelude::*;

use crate::states::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub email: String,
    pub name: String,
    pub created_at: DateTimeUtc,
    /// The user who signs in as this member; None for a contact that only receives alerts.
    pub user_id: Option<i64>,
    pub role: Role,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
