//! Changing a project's settings: name, ingest controls (sampling, rate limit, retention,
//! scrubbing and inbound filters) and grouping. Input is checked by the caller; this writes it.
use entity::project;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use crate::ingest::projects::ExtraSettings;

/// What changes in a project; absent fields keep their value.
#[derive(Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub sample_rate: Option<f64>,
    /// `Some(None)` removes the limit.
    pub rate_limit_per_minute: Option<Option<i32>>,
    /// `Some(None)` falls back to the organization default.
    pub retention_days: Option<Option<i32>>,
    /// Scrubbing and inbound filters: the whole set.
    pub extra: Option<ExtraSettings>,
    pub fingerprint_rules: Option<String>,
    pub stacktrace_rules: Option<String>,
    pub similarity_enabled: Option<bool>,
    pub similarity_threshold: Option<f64>,
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    project: project::Model,
    changes: ProjectChanges,
) -> Result<project::Model, DbErr> {
    let mut active: project::ActiveModel = project.into();
    if let Some(name) = changes.name {
        active.name = Set(name);
    }
    if let Some(rate) = changes.sample_rate {
        active.sample_rate = Set(rate);
    }
    if let Some(limit) = changes.rate_limit_per_minute {
        active.rate_limit_per_minute = Set(limit);
    }
    if let Some(days) = changes.retention_days {
        active.retention_days = Set(days);
    }
    if let Some(extra) = changes.extra {
        active.settings = Set(extra.to_column());
    }
    if let Some(rules) = changes.fingerprint_rules {
        active.fingerprint_rules = Set(rules);
    }
    if let Some(rules) = changes.stacktrace_rules {
        active.stacktrace_rules = Set(rules);
    }
    if let Some(enabled) = changes.similarity_enabled {
        active.similarity_enabled = Set(enabled);
    }
    if let Some(threshold) = changes.similarity_threshold {
        active.similarity_threshold = Set(threshold);
    }
    active.update(db).await
}
