//! SQLite only: the issue list's index by status and last seen also holds the columns a search
//! reads, so that a search no index can narrow is answered from the index alone.
//!
//! The first page of a search sorted by last seen walks `(project_id, status, last_seen)` newest
//! first until it has a page. When the search's other conditions are on the issue's own columns
//! (free text over title and culprit, `level`, or an `OR` of those with tag conditions), few or
//! no issues may match, and every issue of the status is read on the way — each a table row of
//! ~2 KB with its grouping explanation and signature. With `level`, `title` and `culprit` in the
//! index (and `id` before them, so that ties on `last_seen` stay in `id` order and need no sort),
//! the walk reads index entries of ~100 bytes instead: on 50,000 issues, free text went from
//! ~120 to ~24 ms and `error.type:[A,B] OR level:fatal` from ~100 to ~9 ms (docs/search.md).
//! PostgreSQL keeps the narrow index: its B-tree entries are capped at ~2.7 KB, which a long
//! title and culprit together could pass, and an insert over the cap would fail.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::helpers::{c, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "issue";
const NARROW: &str = "ix_issue_project_status_last_seen";
const COVERING: &str = "ix_issue_project_status_last_seen_search";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        manager
            .create_index(index(
                TABLE,
                COVERING,
                &[
                    "project_id",
                    "status",
                    "last_seen",
                    "id",
                    "level",
                    "title",
                    "culprit",
                ],
            ))
            .await?;
        manager
            .drop_index(Index::drop().name(NARROW).table(c(TABLE)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        manager
            .create_index(index(TABLE, NARROW, &["project_id", "status", "last_seen"]))
            .await?;
        manager
            .drop_index(Index::drop().name(COVERING).table(c(TABLE)).to_owned())
            .await
    }
}
