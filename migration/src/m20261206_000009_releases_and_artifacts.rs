//! Releases as `sentry-cli` makes them, and the files it uploads for source maps.
//!
//! - `release` gains what `releases new/finalize` set: when it was created, released, and a URL.
//!   A release made through the API before any event has `times_seen` 0; its `first_seen` and
//!   `last_seen` then follow the first event (`counters::accumulate`).
//! - `deploy`: `releases deploys new`, per organization and version (Sentry's releases are the
//!   organization's; Larder keeps a release row per project and joins deploys by version).
//! - `file_chunk`: chunks of an upload, by SHA-1, until an artifact bundle is assembled from them.
//! - `artifact_bundle` / `artifact_file` / `artifact_blob`: an assembled bundle per project, its
//!   files indexed by debug ID and by release + dist + URL, their contents stored once per
//!   organization and checksum (zstd-compressed).
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{c, create_all, drop_tables, index, table, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            table(
                "deploy",
                vec![
                    big_integer(c("organization_id")),
                    string(c("version")),
                    string(c("environment")),
                    string_null(c("name")),
                    string_null(c("url")),
                    timestamp_with_time_zone_null(c("date_started")),
                    timestamp_with_time_zone(c("date_finished")),
                ],
            ),
            table(
                "file_chunk",
                vec![
                    big_integer(c("organization_id")),
                    string(c("checksum")),
                    blob(c("data")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "artifact_bundle",
                vec![
                    big_integer(c("organization_id")),
                    big_integer(c("project_id")),
                    string(c("bundle_id")),
                    string(c("checksum")),
                    string_null(c("release")),
                    string_null(c("dist")),
                    integer(c("file_count")),
                    big_integer(c("size")),
                    timestamp_with_time_zone(c("created_at")),
                    timestamp_with_time_zone(c("last_used_at")),
                ],
            ),
            table(
                "artifact_file",
                vec![
                    big_integer(c("bundle_id")),
                    big_integer(c("project_id")),
                    string(c("kind")),
                    string(c("url")),
                    string_null(c("debug_id")),
                    string_null(c("sourcemap_ref")),
                    string(c("checksum")),
                    big_integer(c("size")),
                ],
            ),
            table(
                "artifact_blob",
                vec![
                    big_integer(c("organization_id")),
                    string(c("checksum")),
                    big_integer(c("size")),
                    blob(c("data_zstd")),
                ],
            ),
        ];
        let indexes = vec![
            index(
                "deploy",
                "ix_deploy_version",
                &["organization_id", "version"],
            ),
            unique_index(
                "file_chunk",
                "ux_file_chunk",
                &["organization_id", "checksum"],
            ),
            index("file_chunk", "ix_file_chunk_created", &["created_at"]),
            unique_index(
                "artifact_bundle",
                "ux_artifact_bundle_checksum",
                &["project_id", "checksum"],
            ),
            index(
                "artifact_bundle",
                "ix_artifact_bundle_release",
                &["project_id", "release", "dist"],
            ),
            index("artifact_file", "ix_artifact_file_bundle", &["bundle_id"]),
            index(
                "artifact_file",
                "ix_artifact_file_debug_id",
                &["project_id", "debug_id", "kind"],
            ),
            index(
                "artifact_file",
                "ix_artifact_file_url",
                &["project_id", "url"],
            ),
            index("artifact_file", "ix_artifact_file_checksum", &["checksum"]),
            unique_index(
                "artifact_blob",
                "ux_artifact_blob",
                &["organization_id", "checksum"],
            ),
        ];
        create_all(manager, tables, indexes).await?;
        // SQLite adds one column per ALTER TABLE.
        for mut column in [
            timestamp_with_time_zone_null(c("date_created")),
            timestamp_with_time_zone_null(c("date_started")),
            timestamp_with_time_zone_null(c("date_released")),
            string_null(c("url")),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(c("release"))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["date_created", "date_started", "date_released", "url"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(c("release"))
                        .drop_column(c(column))
                        .to_owned(),
                )
                .await?;
        }
        drop_tables(
            manager,
            &[
                "artifact_blob",
                "artifact_file",
                "artifact_bundle",
                "file_chunk",
                "deploy",
            ],
        )
        .await
    }
}
