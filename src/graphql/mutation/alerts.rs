//! Integrations, alert rules and tickets. Integration secrets are write-only: they go in with
//! `config` and only ever come back redacted.
use async_graphql::{Context, ID, InputObject, Json, Object};
use entity::{alert_rule, integration};

use crate::accounts::access::{self, Viewer};
use crate::accounts::scopes::Scope;
use crate::alerts::integrations::{self, IntegrationChanges};
use crate::alerts::rule_store::{self, RuleDraft};
use crate::alerts::tickets::{self, TicketError, TicketSending};
use crate::alerts::{dispatcher, notification};
use crate::graphql::types::alerts::{
    AlertFilters, AlertRule, AlertTrigger, Delivery, Integration, TestResult,
};
use crate::graphql::{audit, authorize, bad_input, internal, not_found, parse_id, state};

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

async fn load_integration(
    ctx: &Context<'_>,
    viewer: &Viewer,
    id: &ID,
) -> async_graphql::Result<integration::Model> {
    integrations::find(
        &state(ctx).db,
        viewer.organization_id,
        parse_id(id, "integration")?,
    )
    .await
    .map_err(internal)?
    .ok_or_else(|| not_found("integration"))
}

async fn load_rule(
    ctx: &Context<'_>,
    viewer: &Viewer,
    id: &ID,
) -> async_graphql::Result<alert_rule::Model> {
    let db = &state(ctx).db;
    let rule = rule_store::find(db, parse_id(id, "alert rule")?)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found("alert rule"))?;
    access::project(db, viewer, rule.project_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found("alert rule"))?;
    Ok(rule)
}

/// Checks a rule input (the messages name its fields) and its actions (integrations of the
/// viewer's organization).
async fn rule_draft(
    ctx: &Context<'_>,
    viewer: &Viewer,
    input: AlertRuleInput,
) -> async_graphql::Result<RuleDraft> {
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
    Ok(RuleDraft {
        name: input.name,
        triggers,
        filters: input.filters.to_rule(),
        actions,
        action_interval_minutes: input.action_interval_minutes,
        enabled: input.enabled,
    })
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

/// A channel config from the API, checked (`integrations::channel_config`).
fn channel_config(
    ctx: &Context<'_>,
    config: Json<serde_json::Value>,
) -> async_graphql::Result<larder_integrations::ChannelConfig> {
    integrations::channel_config(config.0, &state(ctx).channels.outbound).map_err(bad_input)
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
        let config = channel_config(ctx, config)?;
        let app = state(ctx);
        let row = integrations::create(
            &app.db,
            &app.channels.keys,
            viewer.organization_id,
            name,
            &config,
        )
        .await
        .map_err(internal)?;
        audit(
            ctx,
            viewer,
            "integration.create",
            format!("integration:{}", row.id),
        )
        .await?;
        Ok(Integration::read(row, &app.channels.keys))
    }

    /// Replaces an integration's name, config or state. Secrets are write-only: a config that
    /// leaves one out (absent, null or empty) keeps the stored one.
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
        let app = state(ctx);
        let config = config.map(|Json(mut given)| {
            if let Some(stored) = integrations::stored_config(&app.channels.keys, &row) {
                integrations::keep_omitted_secrets(&mut given, &stored);
            }
            channel_config(ctx, Json(given))
        });
        let changes = IntegrationChanges {
            name,
            config: config.transpose()?,
            enabled,
        };
        let updated = integrations::update(&app.db, &app.channels.keys, row, changes)
            .await
            .map_err(internal)?;
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
        integrations::delete(&state(ctx).db, row.id)
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
        let db = &state(ctx).db;
        let project = access::project(db, viewer, parse_id(&project_id, "project")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("project"))?;
        let draft = rule_draft(ctx, viewer, input).await?;
        let row = rule_store::create(db, project.id, &draft)
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
        let draft = rule_draft(ctx, viewer, input).await?;
        let updated = rule_store::update(&state(ctx).db, rule, &draft)
            .await
            .map_err(internal)?;
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
        rule_store::delete(&state(ctx).db, rule.id)
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
        let issue = access::issue(&app.db, viewer, parse_id(&issue_id, "issue")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("issue"))?;
        let integration = load_integration(ctx, viewer, &integration_id).await?;
        let sending = TicketSending {
            settings: &app.config.dispatch,
            channels: &app.channels,
            public_url: &app.config.public_url,
        };
        let delivered = tickets::open(&app.db, &sending, &issue, &integration)
            .await
            .map_err(|error| match error {
                TicketError::NotATracker => bad_input(error.to_string()),
                TicketError::NotFound(what) => not_found(what),
                TicketError::Database(error) => internal(error),
            })?;
        Ok(Delivery::from(delivered))
    }
}
