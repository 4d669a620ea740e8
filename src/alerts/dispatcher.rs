//! Delivers the outbox. Workers claim due rows, send them through their integration, and mark the
//! outcome: delivered (with the external reference), retried later with exponential backoff and
//! jitter, or dead after `max_attempts` or a permanent refusal.
//!
//! Claiming sets `status = 'delivering'` with a lease (`next_attempt_at = now + lease`) in one
//! `UPDATE … RETURNING`; on PostgreSQL the candidate rows are picked `FOR UPDATE SKIP LOCKED`, so
//! several workers and several server processes never take the same row. A worker that dies
//! mid-send leaves the row to be reclaimed when the lease ends; the resend carries the same
//! idempotency key, and GitHub/Jira look the key up before creating a ticket, so a crash between
//! send and mark does not open a second ticket.
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use entity::states::DeliveryStatus;
use entity::{delivery, external_issue, integration, member};
use futures::StreamExt;
use larder_integrations::{ChannelConfig, Notification, OutboundPolicy, notifier_for};
use rand::Rng;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, Set, Statement,
};

use crate::secrets::SecretKeys;

/// What sending needs besides the database: the keys that open integration configs, and where
/// notifications may go.
#[derive(Clone, Debug)]
pub struct Channels {
    pub keys: Arc<SecretKeys>,
    pub outbound: OutboundPolicy,
}

/// How deliveries are retried.
#[derive(Clone, Debug)]
pub struct DispatchSettings {
    /// How often idle workers look for due deliveries.
    pub poll_interval: Duration,
    /// First retry delay; doubles with each attempt up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: i32,
    /// How long a claimed delivery is reserved before another worker may retry it.
    pub lease: Duration,
    /// Deliveries sent concurrently by one worker.
    pub concurrency: usize,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        DispatchSettings {
            poll_interval: Duration::from_millis(500),
            base_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
            max_attempts: 8,
            lease: Duration::from_secs(120),
            concurrency: 8,
        }
    }
}

/// Starts the dispatcher workers: several on PostgreSQL, one on SQLite (one writer anyway).
pub fn spawn(db: DatabaseConnection, settings: DispatchSettings, channels: Channels) {
    let workers = match db.get_database_backend() {
        DbBackend::Postgres => 2,
        _ => 1,
    };
    for _ in 0..workers {
        let (db, settings, channels) = (db.clone(), settings.clone(), channels.clone());
        tokio::spawn(async move {
            loop {
                match run_once(&db, &settings, &channels).await {
                    Ok(0) => tokio::time::sleep(settings.poll_interval).await,
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(%error, "delivery dispatcher failed; retrying");
                        tokio::time::sleep(settings.poll_interval).await;
                    }
                }
            }
        });
    }
}

/// Claims due deliveries and sends them; returns how many were handled.
pub async fn run_once(
    db: &DatabaseConnection,
    settings: &DispatchSettings,
    channels: &Channels,
) -> Result<usize, DbErr> {
    let claimed = claim(db, settings).await?;
    let count = claimed.len();
    futures::stream::iter(claimed)
        .for_each_concurrent(settings.concurrency, |row| async move {
            if let Err(error) = deliver(db, settings, channels, row).await {
                tracing::warn!(%error, "could not record a delivery outcome");
            }
        })
        .await;
    Ok(count)
}

async fn claim(
    db: &DatabaseConnection,
    settings: &DispatchSettings,
) -> Result<Vec<delivery::Model>, DbErr> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    let lease_until = now + chrono::Duration::from_std(settings.lease).unwrap_or_default();
    let limit = settings.concurrency as i64 * 4;
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE delivery SET status = 'delivering', attempts = attempts + 1, next_attempt_at = $1 \
             WHERE id IN (SELECT id FROM delivery WHERE status IN ('pending', 'delivering') \
             AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *"
        }
        _ => {
            "UPDATE delivery SET status = 'delivering', attempts = attempts + 1, next_attempt_at = ? \
             WHERE id IN (SELECT id FROM delivery WHERE status IN ('pending', 'delivering') \
             AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?) RETURNING *"
        }
    };
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [lease_until.into(), now.into(), limit.into()],
    );
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| delivery::Model::from_query_result(row, ""))
        .collect()
}

async fn deliver(
    db: &DatabaseConnection,
    settings: &DispatchSettings,
    channels: &Channels,
    row: delivery::Model,
) -> Result<(), DbErr> {
    let outcome = send(db, channels, &row).await;
    let mut update = delivery::ActiveModel {
        id: Set(row.id),
        ..Default::default()
    };
    match outcome {
        Ok(sent) => {
            update.status = Set(DeliveryStatus::Delivered);
            update.delivered_at = Set(Some(Utc::now()));
            update.last_error = Set(None);
            update.external_id = Set(sent.external_id.clone());
            update.external_url = Set(sent.external_url.clone());
            if let (Some(id), Some(url)) = (sent.external_id, sent.external_url)
                && sent.is_ticket
            {
                record_external_issue(db, &row, id, url).await?;
            }
        }
        Err(failure) => {
            update.last_error = Set(Some(failure.message.clone()));
            if failure.retryable && row.attempts < settings.max_attempts {
                update.status = Set(DeliveryStatus::Pending);
                update.next_attempt_at = Set(Utc::now() + backoff(settings, row.attempts));
            } else {
                update.status = Set(DeliveryStatus::Dead);
            }
        }
    }
    delivery::Entity::update(update).exec(db).await?;
    Ok(())
}

pub struct Sent {
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    /// The channel opened a ticket (GitHub, Jira): remembered on the issue.
    pub is_ticket: bool,
}

pub struct Failure {
    pub retryable: bool,
    pub message: String,
}

async fn send(
    db: &DatabaseConnection,
    channels: &Channels,
    row: &delivery::Model,
) -> Result<Sent, Failure> {
    let integration = integration::Entity::find_by_id(row.integration_id)
        .one(db)
        .await
        .map_err(|e| Failure {
            retryable: true,
            message: e.to_string(),
        })?
        .filter(|i| i.enabled)
        .ok_or_else(|| Failure {
            retryable: false,
            message: "the integration was removed or disabled".into(),
        })?;
    let notification: Notification = serde_json::from_str(&row.payload).map_err(|e| Failure {
        retryable: false,
        message: format!("invalid notification: {e}"),
    })?;
    send_notification(db, channels, &integration, &notification).await
}

/// Sends one notification through an integration (outbox rows and `testIntegration` alike).
pub async fn send_notification(
    db: &DatabaseConnection,
    channels: &Channels,
    integration: &integration::Model,
    notification: &Notification,
) -> Result<Sent, Failure> {
    let permanent = |message: String| Failure {
        retryable: false,
        message,
    };
    let config = channels
        .keys
        .open(&integration.config)
        .map_err(|e| permanent(format!("integration config: {e}")))?;
    let mut config: ChannelConfig = serde_json::from_str(&config)
        .map_err(|e| permanent(format!("invalid integration config: {e}")))?;
    fill_member_recipients(db, &mut config, integration.organization_id)
        .await
        .map_err(|e| Failure {
            retryable: true,
            message: e.to_string(),
        })?;
    let notifier =
        notifier_for(&config, &channels.outbound).map_err(|e| permanent(e.to_string()))?;
    let is_ticket = matches!(config, ChannelConfig::Github(_) | ChannelConfig::Jira(_));
    match notifier.send(notification).await {
        Ok(delivery) => Ok(Sent {
            external_id: delivery.external_id,
            external_url: delivery.external_url,
            is_ticket,
        }),
        Err(error) => Err(Failure {
            retryable: error.retryable,
            message: error.message,
        }),
    }
}

/// Delivers a row the caller has just inserted in `delivering` state (so no worker takes it
/// meanwhile), recording the outcome like a worker would; returns the updated row.
pub async fn deliver_now(
    db: &DatabaseConnection,
    settings: &DispatchSettings,
    channels: &Channels,
    row: delivery::Model,
) -> Result<delivery::Model, DbErr> {
    let id = row.id;
    deliver(db, settings, channels, row).await?;
    delivery::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("delivery {id}")))
}

/// An email integration without recipients mails every member of the organization (the default
/// rule of a new project relies on this).
pub async fn fill_member_recipients<C: ConnectionTrait>(
    db: &C,
    config: &mut ChannelConfig,
    organization_id: i64,
) -> Result<(), DbErr> {
    if let ChannelConfig::Email(email) = config
        && email.to.is_empty()
    {
        email.to = member::Entity::find()
            .filter(member::Column::OrganizationId.eq(organization_id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.email)
            .collect();
    }
    Ok(())
}

async fn record_external_issue(
    db: &DatabaseConnection,
    row: &delivery::Model,
    external_id: String,
    url: String,
) -> Result<(), DbErr> {
    external_issue::Entity::insert(external_issue::ActiveModel {
        issue_id: Set(row.issue_id),
        integration_id: Set(row.integration_id),
        external_id: Set(external_id),
        url: Set(url),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        external_issue::Column::IssueId,
        external_issue::Column::IntegrationId,
    ])
    .exec(db)
    .await?;
    Ok(())
}

/// `base · 2^(attempt-1)`, capped, with jitter in [½, 1] so retries of a burst spread out.
fn backoff(settings: &DispatchSettings, attempt: i32) -> chrono::Duration {
    let exponent = (attempt.max(1) - 1).min(20) as u32;
    let delay = settings
        .base_backoff
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(settings.max_backoff);
    let jittered = delay.mul_f64(rand::rng().random_range(0.5..=1.0));
    chrono::Duration::from_std(jittered).unwrap_or_else(|_| chrono::Duration::seconds(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let settings = DispatchSettings {
            base_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            ..Default::default()
        };
        for (attempt, full) in [(1, 10), (2, 20), (3, 40), (4, 60), (10, 60)] {
            let seconds = backoff(&settings, attempt).num_milliseconds() as f64 / 1000.0;
            assert!(
                seconds >= full as f64 / 2.0 - 0.001 && seconds <= full as f64 + 0.001,
                "{attempt}: {seconds}"
            );
        }
    }
}
