//! A file of an artifact bundle, indexed the two ways a stack frame finds it: by debug ID, and
//! by release + dist + URL.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_file")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bundle_id: i64,
    pub project_id: i64,
    /// `minified_source`, `source_map`, `source` or `indexed_ram_bundle` (the manifest's type).
    pub kind: String,
    /// The URL the file is served at, usually `~/path` (any host).
    pub url: String,
    pub debug_id: Option<String>,
    /// A minified source's `sourcemap` header: where its map is, relative to `url`.
    pub sourcemap_ref: Option<String>,
    /// Hex SHA-1 of the contents (`artifact_blob`).
    pub checksum: String,
    pub size: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
