//! A project receives events through its DSN keys and owns its issues.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub slug: String,
    /// Days events are kept; `None` falls back to the organization default.
    pub retention_days: Option<i32>,
    /// Server-side sample rate in [0, 1]; 1 keeps every event.
    pub sample_rate: f64,
    /// Accepted events per minute for the whole project; `None` is unlimited.
    pub rate_limit_per_minute: Option<i32>,
    /// Id of the grouping algorithm version this project hashes with (see `grouping`).
    pub grouping_config: String,
    /// Project fingerprint rules, in the Sentry rule syntax.
    pub fingerprint_rules: String,
    /// Project stack-trace rules (Sentry's grouping enhancements: `stack.function:log_* -app`).
    pub stacktrace_rules: String,
    /// Whether a new hash may join its nearest existing issue (similarity grouping).
    pub similarity_enabled: bool,
    /// Largest signature distance at which a new hash joins an existing issue.
    pub similarity_threshold: f64,
    /// Further settings as JSON text (inbound filters, data scrubbing).
    pub settings: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id"
    )]
    Organization,
    #[sea_orm(has_many = "super::project_key::Entity")]
    ProjectKey,
    #[sea_orm(has_many = "super::issue::Entity")]
    Issue,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::project_key::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProjectKey.def()
    }
}

impl Related<super::issue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Issue.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
