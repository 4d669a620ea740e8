//! What each envelope item becomes: the event goes through the pipeline with its attachments;
//! user feedback is stored against its event; every other type (sessions, client reports,
//! transactions, check-ins, logs, profiles, replays, spans, future types) is accepted and
//! counted, never an error.
use std::sync::Arc;

use chrono::Utc;
use entity::{attachment, user_report};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::Value;

use super::IngestError;
use super::envelope::{Envelope, Item, ItemType, normalize_event_id};
use super::pipeline::{Pipeline, RequestMeta};
use super::projects::ProjectSettings;
use super::writer::NewAttachment;

/// What an accepted request reports back.
pub struct Outcome {
    /// The event id to answer with (`{}` when the envelope named none).
    pub event_id: Option<String>,
}

/// The project a public key may write to, or 403.
pub async fn authorize(
    pipeline: &Pipeline,
    project_id: i64,
    public_key: &str,
) -> Result<Arc<ProjectSettings>, IngestError> {
    let key = pipeline
        .keys
        .lookup(&pipeline.db, public_key)
        .await?
        .filter(|k| k.active && k.project_id == project_id)
        .ok_or_else(IngestError::rejected_key)?;
    let project = pipeline
        .projects
        .get(&pipeline.db, project_id)
        .await?
        .ok_or_else(IngestError::rejected_key)?;
    pipeline.admit(&project, Some(&key))?;
    Ok(project)
}

/// An event payload: a JSON object (nesting depth is bounded by the JSON reader).
pub fn parse_event_json(bytes: &[u8]) -> Result<Value, IngestError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| IngestError::bad_request(format!("invalid event payload: {e}")))?;
    if !value.is_object() {
        return Err(IngestError::bad_request(
            "invalid event payload: not a JSON object",
        ));
    }
    Ok(value)
}

pub async fn process(
    pipeline: &Pipeline,
    project: &ProjectSettings,
    envelope: Envelope,
    mut meta: RequestMeta,
) -> Result<Outcome, IngestError> {
    let envelope_event_id = envelope.event_id()?;
    let mut event = None;
    let mut attachments = Vec::new();
    let mut reports = Vec::new();
    // Parse everything first: a malformed item refuses the envelope before anything is written.
    for item in envelope.items {
        match &item.item_type {
            ItemType::Event if event.is_none() => event = Some(parse_event_json(&item.payload)?),
            ItemType::Attachment => attachments.push(attachment(&item)),
            ItemType::UserReport => reports.push(user_report(&item)?),
            ItemType::Feedback => reports.push(feedback(&item)?),
            other => pipeline
                .metrics
                .add("items_skipped_total", other.as_str(), 1),
        }
    }
    let event_id = match event {
        Some(event) => {
            meta.envelope_event_id = envelope_event_id;
            let outcome = process_event(pipeline, project, event, meta, attachments).await?;
            outcome.event_id
        }
        None => {
            if let Some(event_id) = &envelope_event_id {
                store_attachments(pipeline, project.id, event_id, attachments).await?;
            }
            envelope_event_id
        }
    };
    for report in reports {
        store_report(pipeline, project.id, report, event_id.as_deref()).await?;
    }
    Ok(Outcome { event_id })
}

/// The event (with its attachments) through normalisation, grouping and the writer.
pub async fn process_event(
    pipeline: &Pipeline,
    project: &ProjectSettings,
    event: Value,
    meta: RequestMeta,
    attachments: Vec<NewAttachment>,
) -> Result<Outcome, IngestError> {
    let accepted = pipeline
        .ingest_event(project, event, meta, attachments)
        .await?;
    Ok(Outcome {
        event_id: Some(accepted.event_id),
    })
}

fn header<'a>(item: &'a Item, key: &str) -> Option<&'a str> {
    item.headers.get(key).and_then(Value::as_str)
}

fn attachment(item: &Item) -> NewAttachment {
    NewAttachment {
        filename: header(item, "filename").unwrap_or("attachment").to_string(),
        content_type: header(item, "content_type").map(str::to_string),
        attachment_type: header(item, "attachment_type")
            .unwrap_or("event.attachment")
            .to_string(),
        data: item.payload.to_vec(),
    }
}

/// Feedback in either form, ready to store.
struct Report {
    event_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    comments: String,
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Legacy `user_report`: `{event_id, name, email, comments}`.
fn user_report(item: &Item) -> Result<Report, IngestError> {
    let value = parse_event_json(&item.payload)?;
    Ok(Report {
        event_id: text(&value, "event_id").and_then(|id| normalize_event_id(&id)),
        name: text(&value, "name"),
        email: text(&value, "email"),
        comments: text(&value, "comments").unwrap_or_default(),
    })
}

/// New-style `feedback`: an event whose `contexts.feedback` holds the message.
fn feedback(item: &Item) -> Result<Report, IngestError> {
    let value = parse_event_json(&item.payload)?;
    let feedback = value
        .pointer("/contexts/feedback")
        .cloned()
        .unwrap_or_default();
    Ok(Report {
        event_id: text(&feedback, "associated_event_id").and_then(|id| normalize_event_id(&id)),
        name: text(&feedback, "name"),
        email: text(&feedback, "contact_email"),
        comments: text(&feedback, "message").unwrap_or_default(),
    })
}

async fn store_report(
    pipeline: &Pipeline,
    project_id: i64,
    report: Report,
    envelope_event: Option<&str>,
) -> Result<(), IngestError> {
    user_report::ActiveModel {
        project_id: Set(project_id),
        event_id: Set(report
            .event_id
            .or_else(|| envelope_event.map(str::to_string))),
        name: Set(report.name),
        email: Set(report.email),
        comments: Set(report.comments.chars().take(4096).collect()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&pipeline.db)
    .await
    .map_err(IngestError::database)?;
    Ok(())
}

/// Attachments that arrive without their event (it came before or comes later).
async fn store_attachments(
    pipeline: &Pipeline,
    project_id: i64,
    event_id: &str,
    attachments: Vec<NewAttachment>,
) -> Result<(), IngestError> {
    if attachments.is_empty() {
        return Ok(());
    }
    let rows: Vec<attachment::ActiveModel> = attachments
        .into_iter()
        .map(|a| attachment::ActiveModel {
            project_id: Set(project_id),
            event_id: Set(event_id.to_string()),
            filename: Set(a.filename),
            content_type: Set(a.content_type),
            attachment_type: Set(a.attachment_type),
            size: Set(a.data.len() as i64),
            data: Set(a.data),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .collect();
    attachment::Entity::insert_many(rows)
        .exec(&pipeline.db)
        .await
        .map_err(IngestError::database)?;
    Ok(())
}
