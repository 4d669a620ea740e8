//! An issue: the events of one bug, found by grouping. Counters are kept by the ingest writer.
use sea_orm::entity::prelude::*;

use crate::states::{IssueStatus, Level};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "issue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// The hash that created the issue; unique per project so that two writers racing on the
    /// same new error create one issue.
    pub primary_hash: String,
    pub title: String,
    pub culprit: Option<String>,
    pub level: Level,
    pub status: IssueStatus,
    /// Status parameters as JSON text (e.g. resolved in next release, ignore until N events).
    pub status_details: String,
    pub first_seen: DateTimeUtc,
    pub last_seen: DateTimeUtc,
    pub times_seen: i64,
    pub first_release: Option<String>,
    pub last_release: Option<String>,
    /// Grouping config id and explanation of the primary hash, as JSON text.
    pub grouping: String,
    /// MinHash signature of the issue's first event, as JSON text; empty when not eligible.
    pub signature: String,
    /// Set on a `merged` issue: where its hashes went.
    pub merged_into_id: Option<i64>,
    pub resolved_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The member the issue is assigned to.
    pub assignee_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::project::Entity",
        from = "Column::ProjectId",
        to = "super::project::Column::Id"
    )]
    Project,
    #[sea_orm(has_many = "super::event::Entity")]
    Event,
}

impl Related<super::project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl Related<super::event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
