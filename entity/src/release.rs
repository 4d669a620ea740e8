//! A release of a project, created by the first event that names it or by `sentry-cli releases
//! new`. `first_seen`/`last_seen`/`times_seen` count events; a release made before any event has
//! `times_seen` 0.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "release")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub version: String,
    pub first_seen: DateTimeUtc,
    pub last_seen: DateTimeUtc,
    pub times_seen: i64,
    /// When `sentry-cli releases new` made it (None for a release only events named).
    pub date_created: Option<DateTimeUtc>,
    pub date_started: Option<DateTimeUtc>,
    /// When it was finalized (`releases finalize`).
    pub date_released: Option<DateTimeUtc>,
    pub url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
