//! The similarity index's bucket lookup ordered by row id as well.
//!
//! A new hash reads the newest `CANDIDATES_PER_BUCKET` issues of each of its buckets
//! (`ORDER BY id DESC LIMIT …`, the server's `ingest::writer::similarity`). With the index on
//! `(project_id, band, bucket)` alone, both databases read every row of the bucket and sorted
//! them to keep a dozen: in a project of many look-alike errors (one stack trace, varying
//! messages) a bucket holds nearly every issue, so creating an issue cost a read of all the
//! others in each of 16 bands. With `id` last in the index the newest rows come first and the
//! read stops at the limit, however crowded the bucket. The new index serves every query the
//! old one did (it is its prefix), so the old one is dropped.
use sea_orm_migration::prelude::*;

use crate::helpers::{c, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "similarity_band";
const BUCKET_ONLY: (&str, &[&str]) = (
    "ix_similarity_band_lookup",
    &["project_id", "band", "bucket"],
);
const NEWEST_FIRST: (&str, &[&str]) = (
    "ix_similarity_band_newest",
    &["project_id", "band", "bucket", "id"],
);

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace(manager, BUCKET_ONLY.0, NEWEST_FIRST).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace(manager, NEWEST_FIRST.0, BUCKET_ONLY).await
    }
}

/// Creates the index `(name, columns)` on the table, then drops `old`.
async fn replace(
    manager: &SchemaManager<'_>,
    old: &'static str,
    (name, columns): (&'static str, &'static [&'static str]),
) -> Result<(), DbErr> {
    manager.create_index(index(TABLE, name, columns)).await?;
    manager
        .drop_index(Index::drop().name(old).table(c(TABLE)).to_owned())
        .await
}
