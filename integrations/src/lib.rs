//! Notifier plugins of Larder: the alert pipeline decides *that* something must be told, this
//! crate knows *how* to tell it to a mail server, Slack, GitHub, Jira, an SMS gateway or a webhook.
//!
//! The crate deliberately knows nothing about the server: everything it needs arrives as plain,
//! serialisable data ([`Notification`]) plus a channel configuration ([`ChannelConfig`]) that the
//! server stores as JSON. That keeps the dependency one-way (server → integrations) and lets the
//! delivery outbox persist both sides verbatim.
//!
//! Contract with the caller (the server's delivery outbox):
//! * [`notifier_for`] validates a configuration and builds a [`Notifier`];
//! * [`Notifier::send`] either returns a [`Delivery`] (with the id/URL of what was created, to be
//!   linked to the issue) or a [`DeliveryError`] that says whether trying again later can help;
//! * every send is bounded by the channel's timeout (default [`DEFAULT_TIMEOUT`]), so a dead
//!   endpoint never holds the caller;
//! * secrets never leave through `Debug`, [`ChannelConfig::redacted`] or error messages.
//!
//! Stored configurations look like this (secrets in clear: the server keeps them; show only
//! [`ChannelConfig::redacted`]):
//!
//! ```json
//! {"type": "email", "host": "smtp.example.com", "port": 587, "security": "starttls",
//!  "username": "alerts@example.com", "password": "…", "from": "Larder <alerts@example.com>",
//!  "to": ["oncall@example.com"], "timeout_ms": 10000}
//! {"type": "slack", "bot_token": "xoxb-…", "channel": "C0123ABC"}
//! {"type": "slack", "webhook_url": "https://hooks.slack.com/services/…"}
//! {"type": "github", "token": "ghp_…", "owner": "acme", "repo": "web", "labels": ["bug"]}
//! {"type": "jira", "base_url": "https://acme.atlassian.net", "flavour": "cloud",
//!  "email": "ops@example.com", "api_token": "…", "project_key": "OPS", "issue_type": "Bug"}
//! {"type": "sms", "account_sid": "AC…", "auth_token": "…", "from": "+15005550006",
//!  "to": ["+15551230001"]}
//! {"type": "webhook", "url": "https://receiver.example/larder", "secret": "…"}
//! ```
//!
//! Delivery is at-least-once: the outbox retries retryable failures with the same
//! [`Notification::idempotency_key`]. Channels that create tickets (GitHub, Jira) look the key up
//! before creating, the webhook sends it as a header, and the e-mail derives its `Message-ID`
//! from it, so a retry after a lost answer does not leave a duplicate behind.

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod email;
pub mod github;
mod http;
pub mod jira;
pub mod outbound;
mod render;
mod secret;
pub mod slack;
pub mod sms;
pub mod webhook;

pub use email::{EmailConfig, SmtpSecurity};
pub use github::GithubConfig;
pub use jira::{JiraConfig, JiraFlavour};
pub use outbound::OutboundPolicy;
pub use render::html_escape;
pub use secret::Secret;
pub use slack::SlackConfig;
pub use sms::SmsConfig;
pub use webhook::{WebhookConfig, sign_webhook_payload, verify_webhook_signature};

/// How long one delivery may take, all round trips included, unless the channel says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Upper bound for a configured timeout: a notifier is called from a queue worker, and a worker
/// stuck for minutes on one endpoint is worse than a retry later.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// What happened
// ---------------------------------------------------------------------------------------------

/// Why the notification is sent (the rule trigger that fired, §9 of the protocol spec).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The event created the issue.
    NewIssue,
    /// The event reopened a resolved issue.
    Regression,
    /// More than N events in the rule's interval.
    Frequency,
    /// More than N distinct users in the rule's interval.
    UserFrequency,
    /// Someone asked for a ticket from the issue page (not a rule firing): the outbox's
    /// `external_issue` deliveries.
    ExternalIssue,
    /// "Send test notification" from the settings page.
    Test,
}

impl NotificationKind {
    /// Short human label used in subjects, headers and ticket titles.
    pub fn label(self) -> &'static str {
        match self {
            NotificationKind::NewIssue => "New issue",
            NotificationKind::Regression => "Regression",
            NotificationKind::Frequency => "Frequency alert",
            NotificationKind::UserFrequency => "User frequency alert",
            NotificationKind::ExternalIssue => "Issue",
            NotificationKind::Test => "Test notification",
        }
    }
}

/// The project an issue belongs to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ProjectRef {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

/// The facts about the issue that a human needs to triage it from the notification alone.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct IssueSummary {
    pub id: i64,
    pub title: String,
    /// Where it happened (function / transaction); may be empty.
    #[serde(default)]
    pub culprit: String,
    /// `fatal` | `error` | `warning` | `info` | `debug`.
    pub level: String,
    /// `unresolved` | `resolved` | `archived` …
    pub status: String,
    /// Events seen so far.
    pub count: i64,
    /// Distinct users affected so far.
    pub user_count: i64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Absolute link to the issue page in Larder.
    pub url: String,
}

/// One stack frame, as shown in a notification: only the in-app frames closest to the crash.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
pub struct FrameSummary {
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub function: Option<String>,
    #[serde(default)]
    pub lineno: Option<i64>,
    #[serde(default)]
    pub context_line: Option<String>,
}

/// What happened, in plain serialisable data (no server types).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    pub kind: NotificationKind,
    /// Unique per delivery; the same value on every retry of that delivery. Receivers and the
    /// ticket channels' look-ups use it to drop duplicates.
    pub idempotency_key: String,
    /// Organization slug.
    pub organization: String,
    pub project: ProjectRef,
    pub issue: IssueSummary,
    /// Top in-app frames, crash site first.
    #[serde(default)]
    pub top_frames: Vec<FrameSummary>,
    #[serde(default)]
    pub event_id: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub release: Option<String>,
    #[serde(default)]
    pub rule_name: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Outcome
// ---------------------------------------------------------------------------------------------

/// A successful delivery: what was created on the other side, if anything can be linked.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Delivery {
    /// GitHub issue number, Jira key, Slack message `ts`, Twilio message `sid`, SMTP queue id…
    pub external_id: Option<String>,
    /// Browser link to it (GitHub `html_url`, Jira browse URL), when there is one.
    pub external_url: Option<String>,
    /// One line for the delivery log.
    pub detail: String,
}

/// A failed delivery. `retryable` tells the outbox whether the same request may succeed later:
/// timeouts, refused connections, 5xx and rate limits are; authentication, validation and other
/// 4xx answers are not (they need someone to fix the configuration).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    pub retryable: bool,
    pub message: String,
}

impl DeliveryError {
    /// A failure worth retrying later.
    pub fn transient(message: impl Into<String>) -> Self {
        DeliveryError {
            retryable: true,
            message: message.into(),
        }
    }

    /// A failure that will repeat until the configuration (or the remote side) changes.
    pub fn permanent(message: impl Into<String>) -> Self {
        DeliveryError {
            retryable: false,
            message: message.into(),
        }
    }
}

/// A channel configuration that cannot work, found before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{channel}: {field}: {reason}")]
    Invalid {
        channel: &'static str,
        field: &'static str,
        reason: String,
    },
    #[error("{channel}: cannot build the client: {reason}")]
    Client {
        channel: &'static str,
        reason: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(
        channel: &'static str,
        field: &'static str,
        reason: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            channel,
            field,
            reason: reason.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------

/// Sends one notification to one destination.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, notification: &Notification) -> Result<Delivery, DeliveryError>;
}

/// Where and how to notify; stored by the server as JSON, tagged by `type`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChannelConfig {
    Email(EmailConfig),
    Slack(SlackConfig),
    Github(GithubConfig),
    Jira(JiraConfig),
    Sms(SmsConfig),
    Webhook(WebhookConfig),
}

impl ChannelConfig {
    /// Checks everything that can be checked without talking to the remote side.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            ChannelConfig::Email(c) => c.validate(),
            ChannelConfig::Slack(c) => c.validate(),
            ChannelConfig::Github(c) => c.validate(),
            ChannelConfig::Jira(c) => c.validate(),
            ChannelConfig::Sms(c) => c.validate(),
            ChannelConfig::Webhook(c) => c.validate(),
        }
    }

    /// The same JSON shape as the stored configuration, with every secret replaced by
    /// `{"set": true|false}`: safe to hand to the UI or to write to a log.
    pub fn redacted(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(object) = value.as_object_mut() {
            for field in self.secret_fields() {
                let set = match object.get(*field) {
                    Some(serde_json::Value::String(s)) => !s.is_empty(),
                    _ => false,
                };
                object.insert((*field).to_string(), serde_json::json!({ "set": set }));
            }
        }
        value
    }

    /// The JSON names of the config's secrets (passwords, tokens, secret URLs).
    pub fn secret_fields(&self) -> &'static [&'static str] {
        match self {
            ChannelConfig::Email(_) => email::SECRET_FIELDS,
            ChannelConfig::Slack(_) => slack::SECRET_FIELDS,
            ChannelConfig::Github(_) => github::SECRET_FIELDS,
            ChannelConfig::Jira(_) => jira::SECRET_FIELDS,
            ChannelConfig::Sms(_) => sms::SECRET_FIELDS,
            ChannelConfig::Webhook(_) => webhook::SECRET_FIELDS,
        }
    }

    /// The `type` tag: `email`, `slack`, `github`, `jira`, `sms` or `webhook`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Email(_) => "email",
            ChannelConfig::Slack(_) => "slack",
            ChannelConfig::Github(_) => "github",
            ChannelConfig::Jira(_) => "jira",
            ChannelConfig::Sms(_) => "sms",
            ChannelConfig::Webhook(_) => "webhook",
        }
    }

    /// The time one send may take on this channel.
    pub fn timeout(&self) -> Duration {
        let ms = match self {
            ChannelConfig::Email(c) => c.timeout_ms,
            ChannelConfig::Slack(c) => c.timeout_ms,
            ChannelConfig::Github(c) => c.timeout_ms,
            ChannelConfig::Jira(c) => c.timeout_ms,
            ChannelConfig::Sms(c) => c.timeout_ms,
            ChannelConfig::Webhook(c) => c.timeout_ms,
        };
        timeout_from_ms(ms)
    }
}

/// Validates `config` and builds the notifier for it.
pub fn notifier_for(
    config: &ChannelConfig,
    outbound: &OutboundPolicy,
) -> Result<Box<dyn Notifier>, ConfigError> {
    config.validate()?;
    Ok(match config {
        ChannelConfig::Email(c) => Box::new(email::EmailNotifier::new(c)?),
        ChannelConfig::Slack(c) => Box::new(slack::SlackNotifier::new(c, outbound)?),
        ChannelConfig::Github(c) => Box::new(github::GithubNotifier::new(c, outbound)?),
        ChannelConfig::Jira(c) => Box::new(jira::JiraNotifier::new(c, outbound)?),
        ChannelConfig::Sms(c) => Box::new(sms::SmsNotifier::new(c, outbound)?),
        ChannelConfig::Webhook(c) => Box::new(webhook::WebhookNotifier::new(c, outbound)?),
    })
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

pub(crate) fn timeout_from_ms(ms: Option<u64>) -> Duration {
    ms.map(Duration::from_millis).unwrap_or(DEFAULT_TIMEOUT)
}

pub(crate) fn validate_timeout(channel: &'static str, ms: Option<u64>) -> Result<(), ConfigError> {
    match ms {
        Some(0) => Err(ConfigError::invalid(
            channel,
            "timeout_ms",
            "must be positive",
        )),
        Some(ms) if Duration::from_millis(ms) > MAX_TIMEOUT => Err(ConfigError::invalid(
            channel,
            "timeout_ms",
            format!("must be at most {} ms", MAX_TIMEOUT.as_millis()),
        )),
        _ => Ok(()),
    }
}

/// Bounds a whole delivery (every round trip of it) by `timeout`, whatever the client library
/// does with its own timeouts. Elapsing is retryable: the endpoint may come back.
pub(crate) async fn bounded<F>(
    channel: &str,
    timeout: Duration,
    work: F,
) -> Result<Delivery, DeliveryError>
where
    F: Future<Output = Result<Delivery, DeliveryError>>,
{
    match tokio::time::timeout(timeout, work).await {
        Ok(outcome) => outcome,
        Err(_) => Err(DeliveryError::transient(format!(
            "{channel}: timed out after {} ms",
            timeout.as_millis()
        ))),
    }
}
