//! Schema migrations of Larder. Every migration runs unchanged on SQLite and PostgreSQL; a new
//! column or table is always a new migration, never an edit of one that may have run somewhere.
pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261125_000001_core;
mod m20261125_000002_alerts;
mod m20261125_000003_lifecycle;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_core::Migration),
            Box::new(m20261125_000002_alerts::Migration),
            Box::new(m20261125_000003_lifecycle::Migration),
        ]
    }
}
