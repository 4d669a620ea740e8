//! A configured notification channel of an organization (email, Slack, GitHub, Jira, SMS,
//! webhook). The config holds secrets: it is never returned by the API, only its redacted form.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integration")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    /// `email`, `slack`, `github`, `jira`, `sms` or `webhook`.
    pub kind: String,
    /// The channel config as JSON text (`larder_integrations::ChannelConfig`), secrets included.
    pub config: String,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
