//! Integrations, alert rules and tickets. Integration secrets are write-only: they go in with
//! `config` and only ever come back redacted.
use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::Utc;
use entity::states::DeliveryStatus;
use entity::{alert_rule, delivery, integration, issue, project};
use larder_integrations::{ChannelConfig, NotificationKind, OutboundPolicy, notifier_for};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::accounts::access::Viewer;
use crate::accounts::scopes::Scope;
use crate::alerts::{defaults, dispatcher, evaluate, notification};
use crate::graphql::types::alerts::{
    AlertFilters, AlertRule, AlertTrigger, Delivery, Integration, TestResult,
};
use crate::graphql::{audit, authorize, bad_input, internal, not_found, parse_id, scope, state};

#[derive(Default)]
pub struct AlertMutations;

#[derive(InputObject)]
pub struct AlertRuleInput {
    pub name: String,
    /// Any one of these fires the rule.
    pub triggers: Vec<AlertTrigger>,
    #[graphql(default)]
    pub filters: AlertFilters,
    /// Integration ids to notify.
    pub actions: Vec<ID>,
    /// Quiet time per issue after the rule fired (Sentry's choices: 5 min to 30 days).
    #[graphql(default = 30)]
    pub action_interval_minutes: i32,
    #[graphql(default = true)]
    pub enabled: bool,
}

/// A channel config from the API: the `type`-tagged JSON of `larder_integrations::ChannelConfig`,
/// valid, and pointing only where the server may send (a literal private address is refused
/// here; names are checked when they resolve).
fn channel_config(
    config: serde_json::Value,
    outbound: &OutboundPolicy,
) -> async_graphql::Result<ChannelConfig> {
    let config: ChannelConfig = serde_json::from_value(config)
        .map_err(|e| bad_input(format!("invalid integration config: {e}")))?;
    // An email integration without recipients mails the organization's members (filled in at
    // send time), so validate it as if it had one.
    let mut checked = config.clone();
    if let ChannelConfig::Email(email) = &mut checked
        && email.to.is_empty()
    {
        email.to = vec!["members@larder.invalid".into()];
    }
    notifier_for(&checked, outbound).map_err(|e| bad_input(e.to_string()))?;
    Ok(config)
}

async fn load_integration(
    ctx: &Context<'_>,
    viewer: &Viewer,
    id: &ID,
) -> async_graphql::Result<integration::Model> {
    integration::Entity::find_by_id(parse_id(id, "integration")?)
        .filter(integration::Column::OrganizationId.eq(viewer.organization_id))
        .one(&state(ctx).db)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found("integration"))
}

async fn load_rule(
    ctx: &Context<'_>,
    viewer: &Viewer,
    id: &ID,
) -> async_graphql::Result<alert_rule::Model> {
    let rule = alert_rule::Entity::find_by_id(parse_id(id, "alert rule")?)
        .one(&state(ctx).db)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found("alert rule"))?;
    scope::project(&state(ctx).db, viewer, rule.project_id)
        .await?
        .ok_or_else(|| not_found("alert rule"))?;
    Ok(rule)
}

/// Checks a rule input; returns its JSON columns (triggers, filters, actions).
async fn rule_columns(
    ctx: &Context<'_>,
    viewer: &Viewer,
    input: &AlertRuleInput,
) -> async_graphql::Result<(String, String, String)> {
    if input.name.trim().is_empty() {
        return Err(bad_input("an alert rule needs a name"));
    }
    if input.triggers.is_empty() {
        return Err(bad_input("an alert rule needs at least one trigger"));
    }
    if !(0..=43_200).contains(&input.action_interval_minutes) {
        return Err(bad_input(
            "actionIntervalMinutes must be 0 to 43200 (30 days)",
        ));
    }
    let triggers = input
        .triggers
        .iter()
        .map(|t| t.to_rule().map_err(bad_input))
        .collect::<Result<Vec<_>, _>>()?;
    let mut actions = Vec::with_capacity(input.actions.len());
    for id in &input.actions {
        actions.push(load_integration(ctx, viewer, id).await?.id);
    }
    Ok((
        serde_json::to_string(&triggers).map_err(internal)?,
        serde_json::to_string(&input.filters.to_rule()).map_err(internal)?,
        serde_json::to_string(&actions).map_err(internal)?,
    ))
}

fn sent_result(outcome: Result<dispatcher::Sent, dispatcher::Failure>) -> TestResult {
    match outcome {
        Ok(sent) => TestResult {
            ok: true,
            external_id: sent.external_id,
            external_url: sent.external_url,
            error: None,
            retryable: None,
        },
        Err(failure) => TestResult {
            ok: false,
            external_id: None,
            external_url: None,
            error: Some(failure.message),
            retryable: Some(failure.retryable),
        },
    }
}

#[Object]
impl AlertMutations {
    /// Adds a notification channel to the organization. `config` is the channel's JSON with a
    /// `type` (`email`, `slack`, `github`, `jira`, `sms`, `webhook`); secrets are never returned.
    async fn create_integration(
        &self,
        ctx: &Context<'_>,
        name: String,
        config: Json<serde_json::Value>,
    ) -> async_graphql::Result<Integration> {
        let viewer = authorize(ctx, Scope::OrgWrite)?;
        let config = channel_config(config.0, &state(ctx).channels.outbound)?;
        let db = &state(ctx).db;
        let row = integration::ActiveModel {
            organization_id: Set(viewer.organization_id),
            name: Set(name),
            kind: Set(config.kind().to_string()),
            config: Set(state(ctx)
                .channels
                .keys
                .seal(&serde_json::to_string(&config).map_err(internal)?)),
            enabled: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .map_err(internal)?;
        defaults::ensure_default_rules(db, viewer.organization_id, None)
            .await
            .map_err(internal)?;
        audit(
            ctx,
            viewer,
            "integration.create",
            format!("integration:{}", row.id),
        )
        .await?;
        Ok(Integration::read(row, &state(ctx).channels.keys))
    }

    /// Replaces an integration's name, config (secrets included: they are write-only) or state.
    async fn update_integration(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        config: Option<Json<serde_json::Value>>,
        enabled: Option<bool>,
    ) -> async_graphql::Result<Integration> {
        let viewer = authorize(ctx, Scope::OrgWrite)?;
        let row = load_integration(ctx, viewer, &id).await?;
        let mut active: integration::ActiveModel = row.into();
        if let Some(name) = name {
            active.name = Set(name);
        }
        if let Some(config) = config {
            let config = channel_config(config.0, &state(ctx).channels.outbound)?;
            active.kind = Set(config.kind().to_string());
            active.config = Set(state(ctx)
                .channels
                .keys
                .seal(&serde_json::to_string(&config).map_err(internal)?));
        }
        if let Some(enabled) = enabled {
            active.enabled = Set(enabled);
        }
        let app = state(ctx);
        let updated = active.update(&app.db).await.map_err(internal)?;
        audit(
            ctx,
            viewer,
            "integration.update",
            format!("integration:{}", updated.id),
        )
        .await?;
        Ok(Integration::read(updated, &app.channels.keys))
    }

    async fn delete_integration(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let viewer = authorize(ctx, Scope::OrgWrite)?;
        let row = load_integration(ctx, viewer, &id).await?;
        integration::Entity::delete_by_id(row.id)
            .exec(&state(ctx).db)
            .await
            .map_err(internal)?;
        audit(
            ctx,
            viewer,
            "integration.delete",
            format!("integration:{}", row.id),
        )
        .await?;
        Ok(true)
    }

    /// Sends a test notification through the integration now and reports what happened.
    async fn test_integration(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TestResult> {
        let viewer = authorize(ctx, Scope::OrgWrite)?;
        let app = state(ctx);
        let row = load_integration(ctx, viewer, &id).await?;
        let sample = notification::sample(&app.config.public_url, &row);
        Ok(sent_result(
            dispatcher::send_notification(&app.db, &app.channels, &row, &sample).await,
        ))
    }

    async fn create_alert_rule(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        input: AlertRuleInput,
    ) -> async_graphql::Result<AlertRule> {
        let viewer = authorize(ctx, Scope::AlertsWrite)?;
        let project = scope::project(&state(ctx).db, viewer, parse_id(&project_id, "project")?)
            .await?
            .ok_or_else(|| not_found("project"))?;
        let (triggers, filters, actions) = rule_columns(ctx, viewer, &input).await?;
        let row = alert_rule::ActiveModel {
            project_id: Set(project.id),
            name: Set(input.name.trim().to_string()),
            triggers: Set(triggers),
            filters: Set(filters),
            actions: Set(actions),
            action_interval_minutes: Set(input.action_interval_minutes),
            enabled: Set(input.enabled),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&state(ctx).db)
        .await
        .map_err(internal)?;
        audit(
            ctx,
            viewer,
            "alert_rule.create",
            format!("alert_rule:{}", row.id),
        )
        .await?;
        Ok(AlertRule::from(row))
    }

    async fn update_alert_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: AlertRuleInput,
    ) -> async_graphql::Result<AlertRule> {
        let viewer = authorize(ctx, Scope::AlertsWrite)?;
        let rule = load_rule(ctx, viewer, &id).await?;
        let (triggers, filters, actions) = rule_columns(ctx, viewer, &input).await?;
        let mut active: alert_rule::ActiveModel = rule.into();
        active.name = Set(input.name.trim().to_string());
        active.triggers = Set(triggers);
        active.filters = Set(filters);
        active.actions = Set(actions);
        active.action_interval_minutes = Set(input.action_interval_minutes);
        active.enabled = Set(input.enabled);
        let updated = active.update(&state(ctx).db).await.map_err(internal)?;
        audit(
            ctx,
            viewer,
            "alert_rule.update",
            format!("alert_rule:{}", updated.id),
        )
        .await?;
        Ok(AlertRule::from(updated))
    }

    async fn delete_alert_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let viewer = authorize(ctx, Scope::AlertsWrite)?;
        let rule = load_rule(ctx, viewer, &id).await?;
        alert_rule::Entity::delete_by_id(rule.id)
            .exec(&state(ctx).db)
            .await
            .map_err(internal)?;
        audit(
            ctx,
            viewer,
            "alert_rule.delete",
            format!("alert_rule:{}", rule.id),
        )
        .await?;
        Ok(true)
    }

    /// Opens a GitHub or Jira ticket for the issue now. The delivery goes through the outbox, so
    /// a failure is retried like any alert; the ticket link is kept on the issue.
    async fn create_external_issue(
        &self,
        ctx: &Context<'_>,
        issue_id: ID,
        integration_id: ID,
    ) -> async_graphql::Result<Delivery> {
        let viewer = authorize(ctx, Scope::EventWrite)?;
        let app = state(ctx);
        let issue: issue::Model = scope::issue(&app.db, viewer, parse_id(&issue_id, "issue")?)
            .await?
            .ok_or_else(|| not_found("issue"))?;
        let integration = load_integration(ctx, viewer, &integration_id).await?;
        if !matches!(integration.kind.as_str(), "github" | "jira") {
            return Err(bad_input(
                "tickets are opened through a GitHub or Jira integration",
            ));
        }
        let project = project::Entity::find_by_id(issue.project_id)
            .one(&app.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("project"))?;
        let organization = entity::organization::Entity::find_by_id(project.organization_id)
            .one(&app.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("organization"))?;
        let latest = crate::graphql::Loaders::new(app.db.clone())
            .latest_events
            .load_one(issue.id)
            .await
            .map_err(internal)?
            .map(|e| crate::db::payload::read::<crate::event::Event>(&e));
        let subject = notification::Subject {
            organization: &organization,
            project: &project,
            issue: &issue,
            user_count: crate::issues::user_count(&app.db, issue.id)
                .await
                .map_err(internal)?,
            event: latest.as_ref(),
        };
        let key = uuid::Uuid::new_v4().simple().to_string();
        let payload = notification::build(
            NotificationKind::ExternalIssue,
            &subject,
            &app.config.public_url,
            key.clone(),
            None,
        );
        let mut row = evaluate::new_delivery(&issue, &project, integration.id, None, key, &payload);
        // Claimed by this request (no worker takes it) until its lease ends.
        row.status = Set(DeliveryStatus::Delivering);
        row.attempts = Set(1);
        row.next_attempt_at =
            Set(Utc::now()
                + chrono::Duration::from_std(app.config.dispatch.lease).unwrap_or_default());
        let row: delivery::Model = row.insert(&app.db).await.map_err(internal)?;
        let delivered = dispatcher::deliver_now(&app.db, &app.config.dispatch, &app.channels, row)
            .await
            .map_err(internal)?;
        Ok(Delivery::from(delivered))
    }
}
