//! An organization's notification channels: configs checked before they are stored, sealed at
//! rest (secrets go in and never come back out), listed, changed and removed.
use chrono::Utc;
use entity::integration;
use larder_integrations::{ChannelConfig, OutboundPolicy, notifier_for};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::defaults;
use crate::secrets::SecretKeys;

/// A channel config as sent: the `type`-tagged JSON of `ChannelConfig`, valid, and pointing only
/// where the server may send (a literal private address is refused here; names are checked when
/// they resolve). The error is the message for the person who sent it.
pub fn channel_config(
    config: serde_json::Value,
    outbound: &OutboundPolicy,
) -> Result<ChannelConfig, String> {
    let config: ChannelConfig =
        serde_json::from_value(config).map_err(|e| format!("invalid integration config: {e}"))?;
    // An email integration without recipients mails the organization's members (filled in at
    // send time), so validate it as if it had one.
    let mut checked = config.clone();
    if let ChannelConfig::Email(email) = &mut checked
        && email.to.is_empty()
    {
        email.to = vec!["members@larder.invalid".into()];
    }
    notifier_for(&checked, outbound).map_err(|e| e.to_string())?;
    Ok(config)
}

/// An integration's stored config, opened; `None` when it cannot be read (a damaged row, or a
/// key that is no longer configured).
pub fn stored_config(keys: &SecretKeys, row: &integration::Model) -> Option<ChannelConfig> {
    let plain = keys.open(&row.config).ok()?;
    serde_json::from_str(&plain).ok()
}

/// Fills the secrets a changed config leaves out (absent, null or empty) from the stored config
/// of the same kind, so a form can change other settings without asking for the secrets again.
/// A config of another kind keeps nothing.
pub fn keep_omitted_secrets(given: &mut serde_json::Value, stored: &ChannelConfig) {
    let Some(object) = given.as_object_mut() else {
        return;
    };
    if object.get("type").and_then(|t| t.as_str()) != Some(stored.kind()) {
        return;
    }
    let Ok(serde_json::Value::Object(stored_fields)) = serde_json::to_value(stored) else {
        return;
    };
    for field in stored.secret_fields() {
        let omitted = match object.get(*field) {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::String(text)) => text.is_empty(),
            Some(_) => false,
        };
        if omitted && let Some(value) = stored_fields.get(*field) {
            object.insert((*field).to_string(), value.clone());
        }
    }
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
) -> Result<Vec<integration::Model>, DbErr> {
    integration::Entity::find()
        .filter(integration::Column::OrganizationId.eq(organization_id))
        .order_by_asc(integration::Column::Id)
        .all(db)
        .await
}

/// An integration of the organization.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    integration_id: i64,
) -> Result<Option<integration::Model>, DbErr> {
    integration::Entity::find_by_id(integration_id)
        .filter(integration::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// Adds an enabled integration; an organization's first email integration gives its projects the
/// default alert rule.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    keys: &SecretKeys,
    organization_id: i64,
    name: String,
    config: &ChannelConfig,
) -> Result<integration::Model, DbErr> {
    let created = integration::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(name),
        kind: Set(config.kind().to_string()),
        config: Set(seal(keys, config)?),
        enabled: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    defaults::ensure_default_rules(db, organization_id, None).await?;
    Ok(created)
}

/// What changes in an integration; absent fields keep their value.
pub struct IntegrationChanges {
    pub name: Option<String>,
    /// Replaces the whole config, secrets included.
    pub config: Option<ChannelConfig>,
    pub enabled: Option<bool>,
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    keys: &SecretKeys,
    row: integration::Model,
    changes: IntegrationChanges,
) -> Result<integration::Model, DbErr> {
    let mut active: integration::ActiveModel = row.into();
    if let Some(name) = changes.name {
        active.name = Set(name);
    }
    if let Some(config) = changes.config {
        active.kind = Set(config.kind().to_string());
        active.config = Set(seal(keys, &config)?);
    }
    if let Some(enabled) = changes.enabled {
        active.enabled = Set(enabled);
    }
    active.update(db).await
}

pub async fn delete<C: ConnectionTrait>(db: &C, integration_id: i64) -> Result<(), DbErr> {
    integration::Entity::delete_by_id(integration_id)
        .exec(db)
        .await?;
    Ok(())
}

/// The config column: the config's JSON, sealed.
fn seal(keys: &SecretKeys, config: &ChannelConfig) -> Result<String, DbErr> {
    let plain = serde_json::to_string(config).map_err(|e| DbErr::Json(e.to_string()))?;
    Ok(keys.seal(&plain))
}
