//! Schema migrations of Larder. Every migration runs on SQLite and PostgreSQL (the only
//! difference: SQLite's `WITHOUT ROWID` tables, m20261125_000004); a new column or table is
//! always a new migration, never an edit of one that may have run somewhere.
pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261125_000001_core;
mod m20261125_000002_alerts;
mod m20261125_000003_lifecycle;
mod m20261125_000004_counts_by_key;
mod m20261127_000005_compressed_payload;
mod m20261203_000006_similarity_newest_first;
mod m20261205_000007_issue_list_covers_search;
mod m20261206_000008_accounts;
mod m20261206_000009_releases_and_artifacts;
mod m20261206_000010_stacktrace_rules;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_core::Migration),
            Box::new(m20261125_000002_alerts::Migration),
            Box::new(m20261125_000003_lifecycle::Migration),
            Box::new(m20261125_000004_counts_by_key::Migration),
            Box::new(m20261127_000005_compressed_payload::Migration),
            Box::new(m20261203_000006_similarity_newest_first::Migration),
            Box::new(m20261205_000007_issue_list_covers_search::Migration),
            Box::new(m20261206_000008_accounts::Migration),
            Box::new(m20261206_000009_releases_and_artifacts::Migration),
            Box::new(m20261206_000010_stacktrace_rules::Migration),
        ]
    }
}
