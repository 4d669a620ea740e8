//! Steps 4–7 for one event: normalise, filter, group, write. Shared by the SDK endpoints and the
//! GraphQL `ingestEvent` mutation, so both behave identically.
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::states::Outcome;
use sea_orm::DatabaseConnection;
use serde_json::Value;

use super::IngestError;
use super::controls::outcomes::Outcomes;
use super::controls::rate_limit::{Limit, RateLimiter};
use super::controls::sampling;
use super::keys::{KeyCache, KeyInfo};
use super::metrics::Metrics;
use super::normalize::{NormalizeContext, ScrubSettings, normalize_event};
use super::projects::{ProjectCache, ProjectSettings};
use super::tags;
use super::writer::{NewAttachment, WriteError, WriteJob, WriterHandle};
use crate::config::IngestLimits;
use crate::grouping::group_event;
use crate::live::LiveIssues;
use crate::sourcemaps::{Pass, SourceMaps};

/// What happened to an accepted event.
#[derive(Clone, Debug, PartialEq)]
pub struct Accepted {
    pub event_id: String,
    /// The issue it was filed in; `None` when it was dropped.
    pub issue_id: Option<i64>,
    pub new_issue: bool,
    pub regressed: bool,
    /// Why it was not stored (`filtered:<filter>` or `sampled`): the SDK is told nothing.
    pub dropped: Option<String>,
}

/// An event after normalisation, filtering and grouping.
pub enum Prepared {
    /// Ready for the writer (boxed: a job is far larger than a drop notice).
    Write(Box<WriteJob>),
    /// Filtered or sampled out: answered like an accepted event, never stored.
    Dropped(Accepted),
}

/// Facts about the request an event came in, used by normalisation.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub received: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub envelope_event_id: Option<String>,
    pub client_ip: Option<IpAddr>,
    pub sentry_client: Option<String>,
}

pub struct Pipeline {
    pub db: DatabaseConnection,
    pub keys: KeyCache,
    pub projects: ProjectCache,
    pub limits: IngestLimits,
    pub metrics: Arc<Metrics>,
    pub rate_limits: RateLimiter,
    pub outcomes: Outcomes,
    /// Maps JavaScript frames through uploaded source maps (before grouping).
    pub sourcemaps: Arc<SourceMaps>,
    writer: WriterHandle,
}

impl Pipeline {
    /// The ingest writer connects to `database_url` on its own thread (`WriterHandle::start`);
    /// every other lookup and write goes through `db`, as do the background WAL checkpoints
    /// (`db::checkpoint`) whose remainder the writer finishes between batches.
    pub async fn new(
        db: DatabaseConnection,
        database_url: &str,
        limits: IngestLimits,
        live: LiveIssues,
        public_url: String,
    ) -> anyhow::Result<Arc<Self>> {
        let metrics = Arc::new(Metrics::default());
        let wal_catch_up = crate::db::checkpoint::spawn(db.clone());
        let writer = WriterHandle::start(
            database_url,
            wal_catch_up,
            &limits,
            live,
            public_url,
            metrics.clone(),
        )
        .await?;
        let outcomes = Outcomes::default();
        outcomes.spawn_flusher(db.clone());
        Ok(Arc::new(Pipeline {
            db,
            keys: KeyCache::default(),
            projects: ProjectCache::default(),
            limits,
            metrics,
            rate_limits: RateLimiter::default(),
            outcomes,
            sourcemaps: Arc::default(),
            writer,
        }))
    }

    /// The GraphQL entry: an event JSON for a project the caller may write to.
    pub async fn ingest_api_event(
        &self,
        project_id: i64,
        raw: Value,
    ) -> Result<Accepted, IngestError> {
        let project = self
            .projects
            .get(&self.db, project_id)
            .await?
            .ok_or_else(|| IngestError::forbidden("unknown project"))?;
        self.admit(&project, None)?;
        self.ingest_event(&project, raw, RequestMeta::default(), Vec::new())
            .await
    }

    /// Counts the event against the project's (and the key's) rate limits, or refuses it with 429.
    pub fn admit(
        &self,
        project: &ProjectSettings,
        key: Option<&KeyInfo>,
    ) -> Result<(), IngestError> {
        let project_id = project.id.to_string();
        let key_id = key.map(|k| k.key_id.to_string());
        let mut limits = Vec::with_capacity(2);
        if let Some(per_minute) = project.rate_limit_per_minute {
            limits.push(Limit {
                scope: "project",
                id: &project_id,
                per_minute,
            });
        }
        if let (Some(key), Some(id)) = (key, key_id.as_deref())
            && let Some(per_minute) = key.rate_limit_per_minute
        {
            limits.push(Limit {
                scope: "key",
                id,
                per_minute,
            });
        }
        self.rate_limits.check(&limits).inspect_err(|_| {
            self.outcomes.add(project.id, Outcome::RateLimited);
            self.metrics
                .add("events_total", Outcome::RateLimited.as_str(), 1);
        })
    }

    /// Normalises, filters, groups and stores one event; returns once it is durable.
    pub async fn ingest_event(
        &self,
        project: &ProjectSettings,
        raw: Value,
        meta: RequestMeta,
        attachments: Vec<NewAttachment>,
    ) -> Result<Accepted, IngestError> {
        match self.prepare(project, raw, meta, attachments).await? {
            Prepared::Dropped(accepted) => Ok(accepted),
            Prepared::Write(job) => self.write(*job).await,
        }
    }

    /// Steps 4–6: normalises the event, maps JavaScript frames through uploaded source maps,
    /// applies inbound filters and sampling, groups it.
    pub async fn prepare(
        &self,
        project: &ProjectSettings,
        raw: Value,
        meta: RequestMeta,
        attachments: Vec<NewAttachment>,
    ) -> Result<Prepared, IngestError> {
        let context = NormalizeContext {
            received: meta.received.unwrap_or_else(Utc::now),
            sent_at: meta.sent_at,
            envelope_event_id: meta.envelope_event_id,
            client_ip: meta.client_ip,
            sentry_client: meta.sentry_client,
            scrub: ScrubSettings {
                enabled: project.extra.scrubs_data(),
                extra_sensitive_keys: project.extra.sensitive_fields.clone(),
                safe_keys: project.extra.safe_fields.clone(),
                scrub_ip_addresses: project.extra.scrub_ip_addresses,
            },
        };
        let mut event = normalize_event(raw, &context)?;
        // Before filters and grouping: both read the original functions and files, so one bug
        // in two builds with different minified names is one issue.
        self.sourcemaps
            .apply(&self.db, project.id, &mut event.payload, Pass::Ingest)
            .await;
        let dropped = match project.extra.inbound_filters.check(&event.payload) {
            Some(filter) => Some((Outcome::Filtered, format!("filtered:{filter}"))),
            None if !sampling::keep(&event.event_id, project.sample_rate) => {
                Some((Outcome::Sampled, "sampled".to_string()))
            }
            None => None,
        };
        if let Some((outcome, reason)) = dropped {
            self.outcomes.add(project.id, outcome);
            self.metrics.add("events_total", outcome.as_str(), 1);
            return Ok(Prepared::Dropped(Accepted {
                event_id: event.event_id,
                issue_id: None,
                new_issue: false,
                regressed: false,
                dropped: Some(reason),
            }));
        }
        let grouping = group_event(&event.payload, &project.grouping);
        let tags = tags::derive(&event);
        Ok(Prepared::Write(Box::new(WriteJob {
            project_id: project.id,
            event: event.into_stored(),
            grouping,
            tags,
            similarity: project.similarity,
            attachments,
        })))
    }

    /// Step 7: hands the event to the group-commit writer; returns once it is durable.
    pub async fn write(&self, job: WriteJob) -> Result<Accepted, IngestError> {
        let written = self.writer.write(job).await.map_err(|e| match e {
            WriteError::QueueFull => IngestError::overloaded(),
            WriteError::Stopped | WriteError::Database(_) => {
                IngestError::unavailable(&e.to_string())
            }
        })?;
        self.metrics.add(
            "events_total",
            if written.duplicate {
                "duplicate"
            } else {
                Outcome::Accepted.as_str()
            },
            1,
        );
        Ok(Accepted {
            event_id: written.event_id,
            issue_id: Some(written.issue_id),
            new_issue: written.new_issue,
            regressed: written.regressed,
            dropped: None,
        })
    }
}
