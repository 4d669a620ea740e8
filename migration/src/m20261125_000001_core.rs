//! The core tables: organizations, projects and their keys, API tokens, issues, grouping hashes,
//! events, attachments, user reports, the similarity index and issue activity.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{c, create_all, drop_tables, index, table, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            table(
                "organization",
                vec![
                    string(c("slug")),
                    string(c("name")),
                    integer(c("default_retention_days")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "project",
                vec![
                    big_integer(c("organization_id")),
                    string(c("name")),
                    string(c("slug")),
                    integer_null(c("retention_days")),
                    double(c("sample_rate")),
                    integer_null(c("rate_limit_per_minute")),
                    string(c("grouping_config")),
                    text(c("fingerprint_rules")),
                    boolean(c("similarity_enabled")),
                    double(c("similarity_threshold")),
                    text(c("settings")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "project_key",
                vec![
                    big_integer(c("project_id")),
                    string(c("public_key")),
                    string(c("label")),
                    boolean(c("is_active")),
                    integer_null(c("rate_limit_per_minute")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "api_token",
                vec![
                    big_integer(c("organization_id")),
                    string(c("name")),
                    string(c("token_hash")),
                    string(c("token_prefix")),
                    timestamp_with_time_zone(c("created_at")),
                    timestamp_with_time_zone_null(c("revoked_at")),
                ],
            ),
            table(
                "issue",
                vec![
                    big_integer(c("project_id")),
                    string(c("primary_hash")),
                    text(c("title")),
                    text_null(c("culprit")),
                    string(c("level")),
                    string(c("status")),
                    text(c("status_details")),
                    timestamp_with_time_zone(c("first_seen")),
                    timestamp_with_time_zone(c("last_seen")),
                    big_integer(c("times_seen")),
                    string_null(c("first_release")),
                    string_null(c("last_release")),
                    text(c("grouping")),
                    text(c("signature")),
                    big_integer_null(c("merged_into_id")),
                    timestamp_with_time_zone_null(c("resolved_at")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "grouping_hash",
                vec![
                    big_integer(c("project_id")),
                    string(c("hash")),
                    big_integer(c("issue_id")),
                    double_null(c("similarity_distance")),
                    text(c("explanation")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "event",
                vec![
                    big_integer(c("project_id")),
                    big_integer(c("issue_id")),
                    string(c("event_id")),
                    timestamp_with_time_zone(c("timestamp")),
                    timestamp_with_time_zone(c("received_at")),
                    string(c("level")),
                    string(c("platform")),
                    string_null(c("release")),
                    string_null(c("environment")),
                    text_null(c("message")),
                    text(c("title")),
                    string(c("hash")),
                    string_null(c("user_key")),
                    text(c("payload")),
                ],
            ),
            table(
                "issue_tag",
                vec![
                    big_integer(c("project_id")),
                    big_integer(c("issue_id")),
                    string(c("key")),
                    string(c("value")),
                    big_integer(c("times_seen")),
                    timestamp_with_time_zone(c("first_seen")),
                    timestamp_with_time_zone(c("last_seen")),
                ],
            ),
            table(
                "attachment",
                vec![
                    big_integer(c("project_id")),
                    string(c("event_id")),
                    string(c("filename")),
                    string_null(c("content_type")),
                    string(c("attachment_type")),
                    big_integer(c("size")),
                    blob(c("data")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "user_report",
                vec![
                    big_integer(c("project_id")),
                    string_null(c("event_id")),
                    string_null(c("name")),
                    string_null(c("email")),
                    text(c("comments")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
            table(
                "similarity_band",
                vec![
                    big_integer(c("project_id")),
                    integer(c("band")),
                    big_integer(c("bucket")),
                    big_integer(c("issue_id")),
                ],
            ),
            table(
                "issue_similarity",
                vec![
                    big_integer(c("issue_id")),
                    big_integer(c("similar_issue_id")),
                    double(c("distance")),
                ],
            ),
            table(
                "issue_activity",
                vec![
                    big_integer(c("issue_id")),
                    string(c("kind")),
                    text(c("data")),
                    string(c("actor")),
                    timestamp_with_time_zone(c("created_at")),
                ],
            ),
        ];

        // One index per query path the API and the ingest writer take.
        let indexes = vec![
            unique_index("organization", "ux_organization_slug", &["slug"]),
            unique_index(
                "project",
                "ux_project_org_slug",
                &["organization_id", "slug"],
            ),
            unique_index("project_key", "ux_project_key_public_key", &["public_key"]),
            index("project_key", "ix_project_key_project", &["project_id"]),
            unique_index("api_token", "ux_api_token_hash", &["token_hash"]),
            // Issue creation races resolve on this key (INSERT … ON CONFLICT).
            unique_index(
                "issue",
                "ux_issue_project_hash",
                &["project_id", "primary_hash"],
            ),
            // Issue lists: by status sorted by last seen / first seen / count.
            index(
                "issue",
                "ix_issue_project_status_last_seen",
                &["project_id", "status", "last_seen"],
            ),
            index(
                "issue",
                "ix_issue_project_last_seen",
                &["project_id", "last_seen"],
            ),
            index(
                "issue",
                "ix_issue_project_first_seen",
                &["project_id", "first_seen"],
            ),
            index(
                "issue",
                "ix_issue_project_times_seen",
                &["project_id", "times_seen"],
            ),
            // The grouping lookup: one indexed probe per event, whatever the number of issues.
            unique_index(
                "grouping_hash",
                "ux_grouping_hash_project_hash",
                &["project_id", "hash"],
            ),
            index("grouping_hash", "ix_grouping_hash_issue", &["issue_id"]),
            // SDK retries carry the same event id: stored once.
            unique_index(
                "event",
                "ux_event_project_event_id",
                &["project_id", "event_id"],
            ),
            // Issue.events / latestEvent, newest first.
            index(
                "event",
                "ix_event_issue_timestamp",
                &["issue_id", "timestamp"],
            ),
            // Retention deletes by age in bounded batches.
            index(
                "event",
                "ix_event_project_received",
                &["project_id", "received_at"],
            ),
            // Tag counts per issue (top values) and tag filters on issue lists.
            unique_index(
                "issue_tag",
                "ux_issue_tag_issue_key_value",
                &["issue_id", "key", "value"],
            ),
            index(
                "issue_tag",
                "ix_issue_tag_project_key_value",
                &["project_id", "key", "value", "issue_id"],
            ),
            index(
                "attachment",
                "ix_attachment_project_event",
                &["project_id", "event_id"],
            ),
            index(
                "user_report",
                "ix_user_report_project_event",
                &["project_id", "event_id"],
            ),
            index(
                "similarity_band",
                "ix_similarity_band_lookup",
                &["project_id", "band", "bucket"],
            ),
            index("similarity_band", "ix_similarity_band_issue", &["issue_id"]),
            index(
                "issue_similarity",
                "ix_issue_similarity_issue",
                &["issue_id"],
            ),
            index(
                "issue_activity",
                "ix_issue_activity_issue",
                &["issue_id", "created_at"],
            ),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "issue_activity",
                "issue_similarity",
                "similarity_band",
                "user_report",
                "attachment",
                "issue_tag",
                "event",
                "grouping_hash",
                "issue",
                "api_token",
                "project_key",
                "project",
                "organization",
            ],
        )
        .await
    }
}
