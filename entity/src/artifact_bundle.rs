//! An artifact bundle (`sentry-cli sourcemaps upload`) assembled for one project: minified
//! sources and their source maps.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_bundle")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub project_id: i64,
    /// The bundle's own debug ID from its manifest.
    pub bundle_id: String,
    /// Hex SHA-1 of the uploaded archive: the same upload twice is one bundle.
    pub checksum: String,
    pub release: Option<String>,
    pub dist: Option<String>,
    pub file_count: i32,
    /// Bytes of the uploaded archive.
    pub size: i64,
    pub created_at: DateTimeUtc,
    /// When an event last used one of its files (retention keeps bundles in use).
    pub last_used_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
