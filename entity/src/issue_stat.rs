//! Events per issue per hour, kept by the ingest writer for charts and frequency alerts; keyed
//! by (issue, hour), clustered by issue on SQLite.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_stat")]
pub struct Model {
    pub project_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub issue_id: i64,
    /// Start of the hour (UTC).
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: DateTimeUtc,
    pub times_seen: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
