//! An issue alert rule of a project: when (triggers), if (filters), then (actions).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_rule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    /// Triggers as JSON text (see `alerts::rules`); any one of them fires the rule.
    pub triggers: String,
    /// Filters as JSON text; all must match.
    pub filters: String,
    /// Integration ids to notify, as a JSON array.
    pub actions: String,
    /// After firing for an issue, the rule stays quiet for that issue this long.
    pub action_interval_minutes: i32,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
