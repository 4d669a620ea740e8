//! A person who signs in with an e-mail address and a password (argon2id hash only).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lowercase; unique.
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    /// PHC string of the argon2id hash (`$argon2id$v=19$m=…`).
    pub password_hash: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
