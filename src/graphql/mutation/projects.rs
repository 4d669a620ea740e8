//! Project mutations.
use async_graphql::{Context, ID, InputObject, Object};
use entity::project;

use crate::accounts::access::{self, Viewer};
use crate::accounts::projects::{self as project_keys, create_project};
use crate::accounts::scopes::Scope;
use crate::graphql::types::project::{Project, ProjectKey};
use crate::graphql::types::settings::InboundFilterSettings as InboundFiltersInput;
use crate::graphql::{audit, authorize, bad_input, internal, not_found, parse_id, state};
use crate::ingest::projects::ExtraSettings;
use crate::projects::settings::{self as project_settings, ProjectChanges};
use crate::sourcemaps;

#[derive(Default)]
pub struct ProjectMutations;

#[derive(Default)]
pub struct ProjectSettingsMutations;

#[Object]
impl ProjectMutations {
    /// Creates a project with one active DSN key.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<Project> {
        let viewer = authorize(ctx, Scope::ProjectWrite)?;
        let (project, _key) = create_project(&state(ctx).db, viewer.organization_id, &name)
            .await
            .map_err(|e| bad_input(e.to_string()))?;
        audit(
            ctx,
            viewer,
            "project.create",
            format!("project:{}", project.id),
        )
        .await?;
        Ok(Project(project))
    }
}

/// Ingest controls of a project; absent fields keep their value.
#[derive(InputObject)]
pub struct ProjectSettingsInput {
    pub name: Option<String>,
    /// Share of events kept (0–1); the rest are dropped and counted as sampled.
    pub sample_rate: Option<f64>,
    /// Events accepted per minute; 0 removes the limit.
    pub rate_limit_per_minute: Option<i32>,
    /// Days events are kept; 0 falls back to the organization default.
    pub retention_days: Option<i32>,
    /// Inbound filters; replaces the project's whole set.
    pub inbound_filters: Option<InboundFiltersInput>,
    /// Default PII scrubbing on or off, extra sensitive key names, keys never scrubbed.
    pub scrub_data: Option<bool>,
    pub sensitive_fields: Option<Vec<String>>,
    pub safe_fields: Option<Vec<String>>,
    pub scrub_ip_addresses: Option<bool>,
}

#[Object]
impl ProjectSettingsMutations {
    async fn update_project_settings(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        settings: ProjectSettingsInput,
    ) -> async_graphql::Result<Project> {
        let (viewer, row) = editable_project(ctx, &project_id).await?;
        let target = format!("project:{}", row.id);
        let action = if settings.retention_days.is_some() {
            "project.settings.retention"
        } else {
            "project.settings"
        };
        let mut extra = ExtraSettings::parse(&row.settings);
        let mut changes = ProjectChanges {
            name: settings
                .name
                .filter(|n| !n.trim().is_empty())
                .map(|n| n.trim().to_string()),
            ..Default::default()
        };
        if let Some(rate) = settings.sample_rate {
            changes.sample_rate = Some(fraction(rate, "sampleRate")?);
        }
        if let Some(limit) = settings.rate_limit_per_minute {
            if limit < 0 {
                return Err(bad_input("rateLimitPerMinute cannot be negative"));
            }
            changes.rate_limit_per_minute = Some((limit > 0).then_some(limit));
        }
        if let Some(days) = settings.retention_days {
            if !(0..=3650).contains(&days) {
                return Err(bad_input("retentionDays must be 0 to 3650"));
            }
            changes.retention_days = Some((days > 0).then_some(days));
        }
        if let Some(filters) = settings.inbound_filters {
            extra.inbound_filters = filters.into();
        }
        if let Some(scrub) = settings.scrub_data {
            extra.scrub_data = Some(scrub);
        }
        if let Some(fields) = settings.sensitive_fields {
            extra.sensitive_fields = fields;
        }
        if let Some(fields) = settings.safe_fields {
            extra.safe_fields = fields;
        }
        if let Some(scrub) = settings.scrub_ip_addresses {
            extra.scrub_ip_addresses = scrub;
        }
        changes.extra = Some(extra);
        let saved = save_project(ctx, row, changes).await?;
        audit(ctx, viewer, action, target).await?;
        Ok(saved)
    }

    /// Adds an active DSN key to a project (for another app or environment, or to replace a
    /// key about to be revoked).
    async fn create_project_key(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        label: String,
    ) -> async_graphql::Result<ProjectKey> {
        let (viewer, project) = editable_project(ctx, &project_id).await?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 64 {
            return Err(bad_input("label must be 1 to 64 characters"));
        }
        let app = state(ctx);
        let key = project_keys::create_key(&app.db, project.id, label)
            .await
            .map_err(internal)?;
        audit(ctx, viewer, "key.create", format!("key:{}", key.id)).await?;
        Ok(ProjectKey::new(key, &app.config.public_url))
    }

    /// Revokes or re-enables a DSN key, or sets its own rate limit (0 removes it). A revoked key
    /// stops working within seconds on every server (the key cache lives 3 s).
    async fn update_project_key(
        &self,
        ctx: &Context<'_>,
        id: ID,
        is_active: Option<bool>,
        rate_limit_per_minute: Option<i32>,
    ) -> async_graphql::Result<bool> {
        let viewer = authorize(ctx, Scope::ProjectWrite)?;
        let app = state(ctx);
        let key = project_keys::find_key(&app.db, parse_id(&id, "key")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("key"))?;
        access::project(&app.db, viewer, key.project_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("key"))?;
        let public_key = key.public_key.clone();
        let rate_limit = rate_limit_per_minute.map(|limit| (limit > 0).then_some(limit));
        project_keys::update_key(&app.db, key, is_active, rate_limit)
            .await
            .map_err(internal)?;
        app.pipeline.keys.invalidate(&public_key);
        audit(
            ctx,
            viewer,
            "key.update",
            format!("key:{}", parse_id(&id, "key")?),
        )
        .await?;
        Ok(true)
    }
    /// Deletes an artifact bundle (its files and their contents, unless another bundle has
    /// them). Frames already mapped keep their original locations.
    async fn delete_artifact_bundle(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        id: ID,
    ) -> async_graphql::Result<bool> {
        let viewer = authorize(ctx, Scope::ProjectReleases)?;
        let app = state(ctx);
        let project = access::project(&app.db, viewer, parse_id(&project_id, "project")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("project"))?;
        let bundle_id = parse_id(&id, "artifact bundle")?;
        let deleted = sourcemaps::store::delete_bundle(&app.db, project.id, bundle_id)
            .await
            .map_err(internal)?;
        if !deleted {
            return Err(not_found("artifact bundle"));
        }
        app.pipeline.sourcemaps.invalidate();
        audit(
            ctx,
            viewer,
            "artifact_bundle.delete",
            format!("artifact_bundle:{bundle_id}"),
        )
        .await?;
        Ok(true)
    }
}

/// The caller's project by id, to be changed, with the caller: FORBIDDEN without
/// `project:write`, NOT_FOUND outside the caller's organization and teams.
pub(super) async fn editable_project<'a>(
    ctx: &Context<'a>,
    project_id: &ID,
) -> async_graphql::Result<(&'a Viewer, project::Model)> {
    let viewer = authorize(ctx, Scope::ProjectWrite)?;
    let project = access::project(&state(ctx).db, viewer, parse_id(project_id, "project")?)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found("project"))?;
    Ok((viewer, project))
}

/// Saves a project's changes and drops its cached ingest settings, so they apply at once.
pub(super) async fn save_project(
    ctx: &Context<'_>,
    project: project::Model,
    changes: ProjectChanges,
) -> async_graphql::Result<Project> {
    let app = state(ctx);
    let updated = project_settings::update(&app.db, project, changes)
        .await
        .map_err(internal)?;
    app.pipeline.projects.invalidate(updated.id);
    Ok(Project(updated))
}

/// A setting that must lie in 0..=1 (rates, distances).
pub(super) fn fraction(value: f64, name: &str) -> async_graphql::Result<f64> {
    if !(0.0..=1.0).contains(&value) {
        return Err(bad_input(format!("{name} must be between 0 and 1")));
    }
    Ok(value)
}
