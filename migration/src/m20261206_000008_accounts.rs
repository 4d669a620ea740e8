//! People: users who sign in, their sessions, roles in organizations, teams that see projects,
//! scoped and expiring API tokens, one-time links (first-run setup, invitations, password
//! resets) and the audit log.
//!
//! Existing rows keep working: a `member` without a `user_id` is a person who receives alerts
//! and can be assigned issues but cannot sign in (what `createMember` made before), and an
//! existing API token is an organization token with every scope (`scopes` = `*`).
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{c, create_all, drop_tables, index, table, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            table(
                "user_account",
                vec![
                    string(c("email")),
                    string(c("name")),
                    string(c("password_hash")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "user_session",
                vec![
                    big_integer(c("user_id")),
                    string(c("token_hash")),
                    string_null(c("client_address")),
                    timestamp_with_time_zone(c("created_at")),
                    timestamp_with_time_zone(c("expires_at")),
                ],
            ),
            table(
                "team",
                vec![
                    big_integer(c("organization_id")),
                    string(c("slug")),
                    string(c("name")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "team_member",
                vec![big_integer(c("team_id")), big_integer(c("member_id"))],
            ),
            table(
                "project_team",
                vec![big_integer(c("project_id")), big_integer(c("team_id"))],
            ),
            table(
                "one_time_token",
                vec![
                    string(c("purpose")),
                    string(c("token_hash")),
                    big_integer_null(c("organization_id")),
                    big_integer_null(c("user_id")),
                    string_null(c("email")),
                    string_null(c("role")),
                    text(c("team_ids")),
                    timestamp_with_time_zone(c("created_at")),
                    timestamp_with_time_zone(c("expires_at")),
                    timestamp_with_time_zone_null(c("used_at")),
                ],
            ),
            table(
                "audit_entry",
                vec![
                    big_integer_null(c("organization_id")),
                    string(c("actor")),
                    string(c("action")),
                    string(c("target")),
                    string_null(c("client_address")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
        ];
        let indexes = vec![
            unique_index("user_account", "ux_user_account_email", &["email"]),
            unique_index("user_session", "ux_user_session_token", &["token_hash"]),
            index("user_session", "ix_user_session_user", &["user_id"]),
            unique_index("team", "ux_team_org_slug", &["organization_id", "slug"]),
            unique_index("team_member", "ux_team_member", &["team_id", "member_id"]),
            index("team_member", "ix_team_member_member", &["member_id"]),
            unique_index(
                "project_team",
                "ux_project_team",
                &["project_id", "team_id"],
            ),
            index("project_team", "ix_project_team_team", &["team_id"]),
            unique_index("one_time_token", "ux_one_time_token", &["token_hash"]),
            index(
                "audit_entry",
                "ix_audit_entry_org",
                &["organization_id", "id"],
            ),
        ];
        create_all(manager, tables, indexes).await?;
        // SQLite adds one column per ALTER TABLE.
        let added: [(&str, ColumnDef); 5] = [
            ("member", big_integer_null(c("user_id"))),
            ("member", string(c("role")).default("member").to_owned()),
            ("api_token", big_integer_null(c("user_id"))),
            ("api_token", text(c("scopes")).default("*").to_owned()),
            ("api_token", timestamp_with_time_zone_null(c("expires_at"))),
        ];
        for (name, mut column) in added {
            manager
                .alter_table(
                    Table::alter()
                        .table(c(name))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index("member", "ix_member_user", &["user_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_member_user")
                    .table(c("member"))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("member", "user_id"),
            ("member", "role"),
            ("api_token", "user_id"),
            ("api_token", "scopes"),
            ("api_token", "expires_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(c(name))
                        .drop_column(c(column))
                        .to_owned(),
                )
                .await?;
        }
        drop_tables(
            manager,
            &[
                "audit_entry",
                "one_time_token",
                "project_team",
                "team_member",
                "team",
                "user_session",
                "user_account",
            ],
        )
        .await
    }
}
