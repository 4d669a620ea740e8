//! Organizations: the unit of tenancy and of API-token scope.
use chrono::Utc;
use entity::organization;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// Slug of the organization created when a command names none and none exists yet.
pub const DEFAULT_ORGANIZATION: &str = "default";
/// Days an event is kept when neither its project nor its organization says otherwise.
pub const DEFAULT_RETENTION_DAYS: i32 = 90;

/// The organization `slug`, created when missing. Without a slug: the oldest organization, or
/// a new `default` one on a fresh install.
pub async fn find_or_create<C: ConnectionTrait>(
    db: &C,
    slug: Option<&str>,
) -> anyhow::Result<organization::Model> {
    let existing = match slug {
        Some(slug) => {
            organization::Entity::find()
                .filter(organization::Column::Slug.eq(slug))
                .one(db)
                .await?
        }
        None => {
            organization::Entity::find()
                .order_by_asc(organization::Column::Id)
                .one(db)
                .await?
        }
    };
    if let Some(found) = existing {
        return Ok(found);
    }
    let slug = slug.unwrap_or(DEFAULT_ORGANIZATION);
    validate_slug(slug)?;
    let created = organization::ActiveModel {
        slug: Set(slug.to_string()),
        name: Set(slug.to_string()),
        default_retention_days: Set(DEFAULT_RETENTION_DAYS),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(created)
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
) -> Result<Option<organization::Model>, sea_orm::DbErr> {
    organization::Entity::find_by_id(organization_id)
        .one(db)
        .await
}

/// Creates an organization; a taken slug is refused.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    slug: &str,
    name: Option<&str>,
) -> Result<organization::Model, super::AccountError> {
    validate_slug(slug).map_err(|e| super::AccountError::invalid(e.to_string()))?;
    let taken = organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(super::AccountError::invalid(format!(
            "the organization slug {slug:?} is taken"
        )));
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(slug);
    Ok(organization::ActiveModel {
        slug: Set(slug.to_string()),
        name: Set(name.chars().take(200).collect()),
        default_retention_days: Set(DEFAULT_RETENTION_DAYS),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Slugs appear in URLs and CLI flags: lowercase letters, digits and dashes.
pub fn validate_slug(slug: &str) -> anyhow::Result<()> {
    let valid = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        anyhow::bail!("invalid slug {slug:?}: use 1-64 lowercase letters, digits and dashes")
    }
}

/// Lowercase dash-separated slug of a display name (`"My Shop API"` → `my-shop-api`).
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(50).collect();
    if slug.is_empty() {
        "project".to_string()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_keeps_words_and_drops_symbols() {
        assert_eq!(slugify("My Shop API"), "my-shop-api");
        assert_eq!(slugify("  --ünïcode!! app "), "n-code-app");
        assert_eq!(slugify("!!!"), "project");
    }

    #[test]
    fn validate_slug_rejects_uppercase_and_spaces() {
        assert!(validate_slug("acme-1").is_ok());
        assert!(validate_slug("Acme").is_err());
        assert!(validate_slug("a b").is_err());
        assert!(validate_slug("").is_err());
    }
}
