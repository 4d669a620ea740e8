//! Integrations, alert rules, deliveries and external tickets as the API shows them. An
//! integration's config is only ever shown redacted (`channels`): secrets appear as `set` flags.
use async_graphql::{Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{alert_rule, delivery, external_issue, integration};

use super::Level;
use super::channels::IntegrationConfig;
use crate::alerts::rules::{Filters, TagCondition, Trigger};
use crate::secrets::SecretKeys;

#[derive(SimpleObject)]
pub struct Integration {
    pub id: ID,
    pub name: String,
    /// `email`, `slack`, `github`, `jira`, `sms` or `webhook`.
    pub kind: String,
    pub enabled: bool,
    /// The configuration, by kind, with every secret reduced to whether it is set; null when
    /// the stored configuration cannot be read.
    pub config: Option<IntegrationConfig>,
    pub created_at: DateTime<Utc>,
}

impl Integration {
    /// The row as the API shows it: its sealed config opened, every secret reduced to whether
    /// it is set.
    pub fn read(row: integration::Model, keys: &SecretKeys) -> Self {
        let config = crate::alerts::integrations::stored_config(keys, &row)
            .map(|c| IntegrationConfig::from(&c));
        Integration {
            id: ID(row.id.to_string()),
            name: row.name,
            kind: row.kind,
            enabled: row.enabled,
            config,
            created_at: row.created_at,
        }
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TriggerKind {
    /// The event created a new issue.
    NewIssue,
    /// A resolved issue saw a new event.
    Regression,
    /// More than `count` events in `intervalMinutes`.
    EventFrequency,
    /// More than `count` distinct users in `intervalMinutes`.
    UserFrequency,
}

#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "AlertTriggerInput")]
pub struct AlertTrigger {
    pub kind: TriggerKind,
    pub count: Option<i64>,
    pub interval_minutes: Option<i64>,
}

#[derive(InputObject, SimpleObject, Clone, Default)]
#[graphql(input_name = "AlertFiltersInput")]
pub struct AlertFilters {
    #[graphql(default)]
    pub levels: Vec<Level>,
    #[graphql(default)]
    pub environments: Vec<String>,
    #[graphql(default)]
    pub releases: Vec<String>,
    #[graphql(default)]
    pub tags: Vec<AlertTag>,
}

#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "AlertTagInput")]
pub struct AlertTag {
    pub key: String,
    pub value: String,
}

impl AlertTrigger {
    pub fn to_rule(&self) -> Result<Trigger, String> {
        let frequency = || -> Result<(i64, i64), String> {
            Ok((
                self.count.ok_or("a frequency trigger needs count")?,
                self.interval_minutes
                    .ok_or("a frequency trigger needs intervalMinutes")?,
            ))
        };
        let trigger = match self.kind {
            TriggerKind::NewIssue => Trigger::NewIssue,
            TriggerKind::Regression => Trigger::Regression,
            TriggerKind::EventFrequency => {
                let (count, interval_minutes) = frequency()?;
                Trigger::EventFrequency {
                    count,
                    interval_minutes,
                }
            }
            TriggerKind::UserFrequency => {
                let (count, interval_minutes) = frequency()?;
                Trigger::UserFrequency {
                    count,
                    interval_minutes,
                }
            }
        };
        trigger.validate()?;
        Ok(trigger)
    }

    fn from_rule(trigger: &Trigger) -> Self {
        let (kind, count, interval_minutes) = match *trigger {
            Trigger::NewIssue => (TriggerKind::NewIssue, None, None),
            Trigger::Regression => (TriggerKind::Regression, None, None),
            Trigger::EventFrequency {
                count,
                interval_minutes,
            } => (
                TriggerKind::EventFrequency,
                Some(count),
                Some(interval_minutes),
            ),
            Trigger::UserFrequency {
                count,
                interval_minutes,
            } => (
                TriggerKind::UserFrequency,
                Some(count),
                Some(interval_minutes),
            ),
        };
        AlertTrigger {
            kind,
            count,
            interval_minutes,
        }
    }
}

impl AlertFilters {
    pub fn to_rule(&self) -> Filters {
        Filters {
            levels: self.levels.iter().map(|&level| level.into()).collect(),
            environments: self.environments.clone(),
            releases: self.releases.clone(),
            tags: self
                .tags
                .iter()
                .map(|t| TagCondition {
                    key: t.key.clone(),
                    value: t.value.clone(),
                })
                .collect(),
        }
    }

    fn from_rule(filters: &Filters) -> Self {
        AlertFilters {
            levels: filters.levels.iter().map(|&level| level.into()).collect(),
            environments: filters.environments.clone(),
            releases: filters.releases.clone(),
            tags: filters
                .tags
                .iter()
                .map(|t| AlertTag {
                    key: t.key.clone(),
                    value: t.value.clone(),
                })
                .collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct AlertRule {
    pub id: ID,
    pub name: String,
    pub triggers: Vec<AlertTrigger>,
    pub filters: AlertFilters,
    /// Integrations notified when the rule fires.
    pub actions: Vec<ID>,
    pub action_interval_minutes: i32,
    pub enabled: bool,
}

impl From<alert_rule::Model> for AlertRule {
    fn from(row: alert_rule::Model) -> Self {
        let triggers: Vec<Trigger> = serde_json::from_str(&row.triggers).unwrap_or_default();
        let filters: Filters = serde_json::from_str(&row.filters).unwrap_or_default();
        let actions: Vec<i64> = serde_json::from_str(&row.actions).unwrap_or_default();
        AlertRule {
            id: ID(row.id.to_string()),
            name: row.name,
            triggers: triggers.iter().map(AlertTrigger::from_rule).collect(),
            filters: AlertFilters::from_rule(&filters),
            actions: actions.into_iter().map(|id| ID(id.to_string())).collect(),
            action_interval_minutes: row.action_interval_minutes,
            enabled: row.enabled,
        }
    }
}

/// One notification in the outbox and what became of it.
/// Where a notification stands (`entity::states::DeliveryStatus`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::states::DeliveryStatus")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// Being sent now.
    Delivering,
    Delivered,
    /// Failed for good: a permanent error, or out of attempts.
    Dead,
}

#[derive(SimpleObject)]
pub struct Delivery {
    pub id: ID,
    pub issue_id: ID,
    pub integration_id: ID,
    pub rule_id: Option<ID>,
    pub kind: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<delivery::Model> for Delivery {
    fn from(row: delivery::Model) -> Self {
        Delivery {
            id: ID(row.id.to_string()),
            issue_id: ID(row.issue_id.to_string()),
            integration_id: ID(row.integration_id.to_string()),
            rule_id: row.rule_id.map(|id| ID(id.to_string())),
            kind: row.kind,
            status: row.status.into(),
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            external_id: row.external_id,
            external_url: row.external_url,
            created_at: row.created_at,
            delivered_at: row.delivered_at,
        }
    }
}

/// A ticket opened for the issue in GitHub or Jira.
#[derive(SimpleObject)]
pub struct ExternalIssue {
    pub integration_id: ID,
    pub external_id: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl From<external_issue::Model> for ExternalIssue {
    fn from(row: external_issue::Model) -> Self {
        ExternalIssue {
            integration_id: ID(row.integration_id.to_string()),
            external_id: row.external_id,
            url: row.url,
            created_at: row.created_at,
        }
    }
}

/// The outcome of `testIntegration`.
#[derive(SimpleObject)]
pub struct TestResult {
    pub ok: bool,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub error: Option<String>,
    pub retryable: Option<bool>,
}
