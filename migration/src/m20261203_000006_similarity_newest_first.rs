//! PostgreSQL only: the similarity index's bucket lookup ordered by row id as well.
//!
//! A new hash reads the newest `CANDIDATES_PER_BUCKET` issues of each of its buckets
//! (`ORDER BY id DESC LIMIT …`, the server's `ingest::writer::similarity`). With the index on
//! `(project_id, band, bucket)` alone, PostgreSQL read every row of the bucket and sorted them to
//! keep a dozen: in a project of many look-alike errors (one stack trace, varying messages) a
//! bucket holds nearly every issue, so creating an issue cost a read of all the others in each
//! of 16 bands. With `id` last in the index the newest rows come first and the read stops at the
//! limit, however crowded the bucket. SQLite needs nothing: each of its indexes ends in the row
//! id already, and rebuilding the index would only slow the first start after an upgrade.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::helpers::{c, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "similarity_band";
const NAME: &str = "ix_similarity_band_lookup";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, &["project_id", "band", "bucket", "id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, &["project_id", "band", "bucket"]).await
    }
}

/// On PostgreSQL, the lookup index again under its name, on `columns`.
async fn rebuild(
    manager: &SchemaManager<'_>,
    columns: &'static [&'static str],
) -> Result<(), DbErr> {
    if manager.get_database_backend() == DbBackend::Sqlite {
        return Ok(());
    }
    manager
        .drop_index(Index::drop().name(NAME).table(c(TABLE)).to_owned())
        .await?;
    manager.create_index(index(TABLE, NAME, columns)).await
}
