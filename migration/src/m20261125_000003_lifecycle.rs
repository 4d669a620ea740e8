//! Issue lifecycle and statistics: releases, environments, hourly rollups per issue and per
//! project outcome, distinct users per issue, and issue assignment.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{c, drop_tables, index, table, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let seen = || {
            vec![
                timestamp_with_time_zone(c("first_seen")),
                timestamp_with_time_zone(c("last_seen")),
                big_integer(c("times_seen")),
            ]
        };
        let tables = vec![
            table(
                "release",
                [
                    vec![big_integer(c("project_id")), string(c("version"))],
                    seen(),
                ]
                .concat(),
            ),
            table(
                "environment",
                [
                    vec![big_integer(c("project_id")), string(c("name"))],
                    seen(),
                ]
                .concat(),
            ),
            table(
                "issue_stat",
                vec![
                    big_integer(c("project_id")),
                    big_integer(c("issue_id")),
                    timestamp_with_time_zone(c("bucket")),
                    big_integer(c("times_seen")),
                ],
            ),
            table(
                "project_stat",
                vec![
                    big_integer(c("project_id")),
                    timestamp_with_time_zone(c("bucket")),
                    string(c("outcome")),
                    big_integer(c("times_seen")),
                ],
            ),
            table(
                "issue_user",
                vec![
                    big_integer(c("issue_id")),
                    string(c("user_key")),
                    timestamp_with_time_zone(c("first_seen")),
                ],
            ),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("issue"))
                    .add_column(big_integer_null(c("assignee_id")))
                    .to_owned(),
            )
            .await?;
        let indexes = vec![
            unique_index(
                "release",
                "ux_release_project_version",
                &["project_id", "version"],
            ),
            unique_index(
                "environment",
                "ux_environment_project_name",
                &["project_id", "name"],
            ),
            unique_index(
                "issue_stat",
                "ux_issue_stat_issue_bucket",
                &["issue_id", "bucket"],
            ),
            unique_index(
                "project_stat",
                "ux_project_stat_bucket_outcome",
                &["project_id", "bucket", "outcome"],
            ),
            unique_index(
                "issue_user",
                "ux_issue_user_issue_user",
                &["issue_id", "user_key"],
            ),
            index("issue", "ix_issue_assignee", &["assignee_id"]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("issue"))
                    .drop_column(Alias::new("assignee_id"))
                    .to_owned(),
            )
            .await?;
        drop_tables(
            manager,
            &[
                "issue_user",
                "project_stat",
                "issue_stat",
                "environment",
                "release",
            ],
        )
        .await
    }
}
