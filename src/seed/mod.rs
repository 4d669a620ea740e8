//! `larder seed`: fills a project with synthetic issues and events, for the query and
//! scale benchmarks (BENCHMARKS.md). The events are a real Python SDK error event (vector
//! py-01) made into `issues` distinct errors, so every table an ingested
//! event touches (issues, hashes, similarity index, tag counts, hourly rollups, releases) is
//! filled exactly as ingest fills it: each issue's template goes through the real pipeline
//! once (normalise, group), and every event through the real group-commit writer, in
//! batches of up to 1,000 — only the per-event normalising and grouping is skipped.
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt};
use rand::Rng;
use sea_orm::DatabaseConnection;
use serde_json::Value;

use crate::config::IngestLimits;
use crate::ingest::IngestError;
use crate::ingest::pipeline::{Pipeline, Prepared, RequestMeta};
use crate::ingest::writer::WriteJob;
use crate::live::LiveIssues;

/// The captured event every seeded event is made from.
const TEMPLATE: &str = include_str!("python_event.json");

/// Jobs waiting on the writer at once: enough for full 1,000-event batches back to back.
const IN_FLIGHT: usize = 4_096;

pub struct Plan {
    pub issues: usize,
    pub events: usize,
    /// Event timestamps spread evenly at random over this many days before now.
    pub days: u32,
}

pub struct Report {
    pub events: usize,
    pub seconds: f64,
}

pub async fn seed(
    database_url: &str,
    db: &DatabaseConnection,
    project_id: i64,
    plan: &Plan,
) -> anyhow::Result<Report> {
    if plan.issues == 0 || plan.events < plan.issues {
        bail!("--events must be at least --issues, and --issues at least 1");
    }
    let started = Instant::now();
    let pipeline = Pipeline::new(
        db.clone(),
        database_url,
        IngestLimits::default(),
        LiveIssues::default(),
        String::new(),
    )
    .await?;
    let project = pipeline
        .projects
        .get(db, project_id)
        .await
        .map_err(failed)?
        .with_context(|| format!("no project {project_id}"))?;
    let template: Value = serde_json::from_str(TEMPLATE).context("seed template")?;
    let mut per_issue = Vec::with_capacity(plan.issues);
    for n in 0..plan.issues {
        match pipeline
            .prepare(
                &project,
                issue_event(&template, n),
                RequestMeta::default(),
                Vec::new(),
            )
            .await
            .map_err(failed)?
        {
            Prepared::Write(job) => {
                let text = payload_text(&job)?;
                per_issue.push((*job, text));
            }
            Prepared::Dropped(_) => bail!("the project filters or samples out the seed events"),
        }
    }
    let now = Utc::now();
    let span_seconds = i64::from(plan.days.max(1)) * 86_400;
    futures::stream::iter(0..plan.events)
        .map(|k| {
            let age = TimeDelta::seconds(rand::rng().random_range(0..span_seconds));
            let (job, text) = &per_issue[k % plan.issues];
            pipeline.write(copy(job, text, now - age))
        })
        .buffer_unordered(IN_FLIGHT)
        .try_for_each(|_| async { Ok(()) })
        .await
        .map_err(failed)?;
    Ok(Report {
        events: plan.events,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn failed(error: IngestError) -> anyhow::Error {
    anyhow::anyhow!("seeding stopped: {}", error.detail)
}

/// The template made into a distinct error `n`: its exception types and every function of its
/// stack carry `n`, so that no two seeded issues are close enough for similarity to join them.
fn issue_event(template: &Value, n: usize) -> Value {
    let mut event = template.clone();
    for exception in items_mut(&mut event, "/exception/values") {
        exception["type"] = Value::String(format!("SeedError{n}"));
        for frame in items_mut(exception, "/stacktrace/frames") {
            let function = frame["function"].as_str().unwrap_or("f");
            frame["function"] = Value::String(format!("{function}_{n}"));
        }
    }
    event
}

/// The elements of the array at `pointer`, none if there is no array there.
fn items_mut<'a>(value: &'a mut Value, pointer: &str) -> impl Iterator<Item = &'a mut Value> {
    value
        .pointer_mut(pointer)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// The JSON text of a prepared job's payload, which `copy` edits instead of the JSON tree
/// (quicker, and the tree is gone once the job is prepared).
fn payload_text(job: &WriteJob) -> anyhow::Result<String> {
    let text = crate::db::payload::text(&job.event.payload)?;
    Ok(String::from_utf8(text)?)
}

/// Another event of the same issue as `job`, whose payload text is `text`: a fresh event id,
/// seen at `timestamp`.
fn copy(job: &WriteJob, text: &str, timestamp: DateTime<Utc>) -> WriteJob {
    let event_id = uuid::Uuid::new_v4().simple().to_string();
    let mut event = job.event.clone();
    event.payload =
        crate::db::payload::compress(text.replacen(&event.event_id, &event_id, 1).as_bytes());
    event.event_id = event_id;
    event.timestamp = timestamp;
    event.received = timestamp;
    WriteJob {
        project_id: job.project_id,
        event,
        grouping: job.grouping.clone(),
        tags: job.tags.clone(),
        similarity: job.similarity,
        attachments: Vec::new(),
    }
}
