//! Tag counts (`issue_tag`) and hourly issue counts (`issue_stat`) stored under their natural
//! key instead of a surrogate `id`.
//!
//! The ingest writer upserts about eleven of these rows per event (ten tags and one hour).
//! With a row id, each upsert found its row through the unique index and then changed it in the
//! table: two B-trees, two dirty pages per issue and batch. On SQLite the tables become
//! `WITHOUT ROWID`, clustered by issue, so an issue's rows and their key share pages; on
//! PostgreSQL (whose tables are heaps either way) the key simply becomes the primary key.
//! Nothing refers to the dropped ids.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{c, index, table, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One counts table: its columns, its natural key and its other indexes.
struct Counts {
    name: &'static str,
    columns: fn() -> Vec<ColumnDef>,
    key: &'static [&'static str],
    /// The unique index on `key` the table had while it had an `id`.
    unique_index: &'static str,
    indexes: &'static [(&'static str, &'static [&'static str])],
}

const TABLES: [Counts; 2] = [
    Counts {
        name: "issue_tag",
        columns: || {
            vec![
                big_integer(c("project_id")),
                big_integer(c("issue_id")),
                string(c("key")),
                string(c("value")),
                big_integer(c("times_seen")),
                timestamp_with_time_zone(c("first_seen")),
                timestamp_with_time_zone(c("last_seen")),
            ]
        },
        key: &["issue_id", "key", "value"],
        unique_index: "ux_issue_tag_issue_key_value",
        indexes: &[(
            "ix_issue_tag_project_key_value",
            &["project_id", "key", "value", "issue_id"],
        )],
    },
    Counts {
        name: "issue_stat",
        columns: || {
            vec![
                big_integer(c("project_id")),
                big_integer(c("issue_id")),
                timestamp_with_time_zone(c("bucket")),
                big_integer(c("times_seen")),
            ]
        },
        key: &["issue_id", "bucket"],
        unique_index: "ux_issue_stat_issue_bucket",
        indexes: &[],
    },
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: each table is dropped and replaced, which must happen on
    /// one connection (another pooled connection still has the old schema cached and refuses
    /// the rename) and must not stop half-way.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for counts in &TABLES {
            let mut keyed = Table::create()
                .table(Alias::new(format!("{}_by_key", counts.name)))
                .to_owned();
            for mut column in (counts.columns)() {
                keyed.col(&mut column);
            }
            let mut key = Index::create();
            for column in counts.key {
                key.col(Alias::new(*column));
            }
            keyed.primary_key(&mut key);
            if manager.get_database_backend() == sea_orm::DbBackend::Sqlite {
                keyed.extra("WITHOUT ROWID");
            }
            rebuild(manager, counts, keyed).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for counts in &TABLES {
            let with_id = table(&format!("{}_by_key", counts.name), (counts.columns)());
            rebuild(manager, counts, with_id).await?;
            manager
                .create_index(unique_index(counts.name, counts.unique_index, counts.key))
                .await?;
        }
        Ok(())
    }
}

/// Creates `replacement` (named `<table>_by_key`), copies the rows over, drops the table and
/// gives its name to the replacement, then recreates the secondary indexes.
async fn rebuild(
    manager: &SchemaManager<'_>,
    counts: &Counts,
    replacement: TableCreateStatement,
) -> Result<(), DbErr> {
    let old = Alias::new(counts.name);
    let new = Alias::new(format!("{}_by_key", counts.name));
    let columns: Vec<Alias> = (counts.columns)()
        .iter()
        .map(|column| Alias::new(column.get_column_name()))
        .collect();
    manager.create_table(replacement).await?;
    let copy = Query::insert()
        .into_table(new.clone())
        .columns(columns.clone())
        .select_from(
            Query::select()
                .columns(columns)
                .from(old.clone())
                .to_owned(),
        )
        .map_err(|e| DbErr::Migration(e.to_string()))?
        .to_owned();
    manager.exec_stmt(copy).await?;
    manager
        .drop_table(Table::drop().table(old.clone()).to_owned())
        .await?;
    manager
        .rename_table(Table::rename().table(new, old).to_owned())
        .await?;
    for (name, columns) in counts.indexes {
        manager
            .create_index(index(counts.name, name, columns))
            .await?;
    }
    Ok(())
}
