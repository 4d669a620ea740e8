//! Projects and their DSN keys.
use chrono::Utc;
use entity::{project, project_key};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use super::organizations::slugify;
use crate::{alerts, grouping};

/// Similarity distance below which a new hash joins an existing issue by default. Conservative:
/// a wrong merge hides a bug, a missed one only costs a click.
pub const DEFAULT_SIMILARITY_THRESHOLD: f64 = 0.1;

/// Creates a project in `organization_id` with one active DSN key, in one transaction.
pub async fn create_project(
    db: &sea_orm::DatabaseConnection,
    organization_id: i64,
    name: &str,
) -> anyhow::Result<(project::Model, project_key::Model)> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        anyhow::bail!("a project name must have 1 to 200 characters");
    }
    let txn = crate::db::begin_write(db).await?;
    let slug = unique_slug(&txn, organization_id, &slugify(name)).await?;
    let project = project::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(name.to_string()),
        slug: Set(slug),
        retention_days: Set(None),
        sample_rate: Set(1.0),
        rate_limit_per_minute: Set(None),
        grouping_config: Set(grouping::CURRENT_CONFIG.to_string()),
        fingerprint_rules: Set(String::new()),
        stacktrace_rules: Set(String::new()),
        similarity_enabled: Set(true),
        similarity_threshold: Set(DEFAULT_SIMILARITY_THRESHOLD),
        settings: Set("{}".to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let key = create_key(&txn, project.id, "Default").await?;
    alerts::defaults::ensure_default_rules(&txn, organization_id, Some(project.id)).await?;
    txn.commit().await?;
    Ok((project, key))
}

/// Adds an active DSN key with a fresh random public key to a project.
pub async fn create_key<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    label: &str,
) -> anyhow::Result<project_key::Model> {
    let key = project_key::ActiveModel {
        project_id: Set(project_id),
        public_key: Set(new_public_key()),
        label: Set(label.to_string()),
        is_active: Set(true),
        rate_limit_per_minute: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(key)
}

/// The project's DSN keys, oldest first.
pub async fn keys<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
) -> Result<Vec<project_key::Model>, DbErr> {
    project_key::Entity::find()
        .filter(project_key::Column::ProjectId.eq(project_id))
        .order_by_asc(project_key::Column::Id)
        .all(db)
        .await
}

/// A DSN key by id, of any project: the caller checks the project is the viewer's.
pub async fn find_key<C: ConnectionTrait>(
    db: &C,
    key_id: i64,
) -> Result<Option<project_key::Model>, DbErr> {
    project_key::Entity::find_by_id(key_id).one(db).await
}

/// Revokes or re-enables a key, or sets its own rate limit (`Some(None)` removes it).
pub async fn update_key<C: ConnectionTrait>(
    db: &C,
    key: project_key::Model,
    is_active: Option<bool>,
    rate_limit_per_minute: Option<Option<i32>>,
) -> Result<project_key::Model, DbErr> {
    let mut active: project_key::ActiveModel = key.into();
    if let Some(is_active) = is_active {
        active.is_active = Set(is_active);
    }
    if let Some(limit) = rate_limit_per_minute {
        active.rate_limit_per_minute = Set(limit);
    }
    active.update(db).await
}

/// 32 lowercase hex characters: what Relay and every SDK's DSN parser accept.
fn new_public_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The DSN an SDK is configured with: `http://KEY@host:port[/prefix]/PROJECT_ID`.
pub fn dsn(public_url: &str, public_key: &str, project_id: i64) -> String {
    let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
    let rest = rest.trim_end_matches('/');
    format!("{scheme}://{public_key}@{rest}/{project_id}")
}

async fn unique_slug<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    base: &str,
) -> anyhow::Result<String> {
    for n in 1.. {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        let taken = project::Entity::find()
            .filter(project::Column::OrganizationId.eq(organization_id))
            .filter(project::Column::Slug.eq(&candidate))
            .count(db)
            .await?;
        if taken == 0 {
            return Ok(candidate);
        }
    }
    unreachable!("the loop returns once a free slug is found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsn_puts_key_before_host_and_project_last() {
        assert_eq!(
            dsn("http://127.0.0.1:8000", "abc", 42),
            "http://abc@127.0.0.1:8000/42"
        );
        assert_eq!(
            dsn("https://errors.example.com/sentry/", "k", 7),
            "https://k@errors.example.com/sentry/7"
        );
    }

    #[test]
    fn public_keys_are_32_lowercase_hex() {
        let key = new_public_key();
        assert_eq!(key.len(), 32);
        assert!(
            key.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(key, new_public_key());
    }
}
