//! Alerting: organization members, integrations, alert rules and when they fired, the delivery
//! outbox, and tickets opened in external trackers.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{c, create_all, drop_tables, index, table, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            table(
                "member",
                vec![
                    big_integer(c("organization_id")),
                    string(c("email")),
                    string(c("name")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "integration",
                vec![
                    big_integer(c("organization_id")),
                    string(c("name")),
                    string(c("kind")),
                    text(c("config")),
                    boolean(c("enabled")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "alert_rule",
                vec![
                    big_integer(c("project_id")),
                    string(c("name")),
                    text(c("triggers")),
                    text(c("filters")),
                    text(c("actions")),
                    integer(c("action_interval_minutes")),
                    boolean(c("enabled")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "alert_rule_fire",
                vec![
                    big_integer(c("rule_id")),
                    big_integer(c("issue_id")),
                    timestamp_with_time_zone(c("last_fired_at")),
                ],
            ),
            table(
                "delivery",
                vec![
                    big_integer(c("organization_id")),
                    big_integer(c("project_id")),
                    big_integer(c("issue_id")),
                    big_integer(c("integration_id")),
                    big_integer_null(c("rule_id")),
                    string(c("kind")),
                    string(c("idempotency_key")),
                    text(c("payload")),
                    string(c("status")),
                    integer(c("attempts")),
                    timestamp_with_time_zone(c("next_attempt_at")),
                    text_null(c("last_error")),
                    string_null(c("external_id")),
                    text_null(c("external_url")),
                    timestamp_with_time_zone(c("created_at")),
                    timestamp_with_time_zone_null(c("delivered_at")),
                ],
            ),
            table(
                "external_issue",
                vec![
                    big_integer(c("issue_id")),
                    big_integer(c("integration_id")),
                    string(c("external_id")),
                    text(c("url")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
        ];
        let indexes = vec![
            unique_index(
                "member",
                "ux_member_org_email",
                &["organization_id", "email"],
            ),
            index("integration", "ix_integration_org", &["organization_id"]),
            index("alert_rule", "ix_alert_rule_project", &["project_id"]),
            unique_index(
                "alert_rule_fire",
                "ux_alert_rule_fire_rule_issue",
                &["rule_id", "issue_id"],
            ),
            unique_index(
                "delivery",
                "ux_delivery_idempotency_key",
                &["idempotency_key"],
            ),
            // The dispatcher's claim query: due rows by status and time.
            index(
                "delivery",
                "ix_delivery_status_due",
                &["status", "next_attempt_at"],
            ),
            index("delivery", "ix_delivery_issue", &["issue_id", "id"]),
            index("delivery", "ix_delivery_project", &["project_id", "id"]),
            unique_index(
                "external_issue",
                "ux_external_issue_issue_integration",
                &["issue_id", "integration_id"],
            ),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "external_issue",
                "delivery",
                "alert_rule_fire",
                "alert_rule",
                "integration",
                "member",
            ],
        )
        .await
    }
}
