//! The transaction of one batch: deduplicate, place each event in its issue, insert the events,
//! then bring issue counters, tag counts and attachments up to date.
use std::collections::HashMap;

use chrono::Utc;
use entity::{attachment, event};
use sea_orm::sea_query::{Query, Value};
use sea_orm::{DbErr, EntityTrait, Set};

use super::combined::{CombinedWrites, RowShape};
use super::issues::{IssueDeltas, Resolver, count_tags};
use super::known::Known;
use super::rollups;
use super::stages::StageClock;
use super::{WriteJob, Written};
use crate::alerts;
use crate::alerts::evaluate::WrittenEvent;
use crate::db::write::WriterConnection;

/// Rows per multi-row INSERT: well under SQLite's bound-variable limit.
pub const INSERT_CHUNK: usize = 200;

pub async fn write(
    db: &WriterConnection,
    jobs: &[WriteJob],
    public_url: &str,
    clock: &mut StageClock,
) -> Result<Vec<Written>, DbErr> {
    let txn = db.begin().await?;
    clock.mark("begin");
    let Known { stored, owners } = Known::load(&txn, jobs).await?;
    clock.mark("lookup");
    let mut resolver = Resolver::new(owners);
    let mut deltas = IssueDeltas::default();
    let mut written: Vec<Written> = Vec::with_capacity(jobs.len());
    let mut first_in_batch: HashMap<(i64, &str), usize> = HashMap::new();
    let mut events = Vec::with_capacity(jobs.len() * EVENT_ROWS.columns);
    let mut accepted: Vec<(&WriteJob, i64)> = Vec::with_capacity(jobs.len());
    let mut attachments = Vec::new();

    for job in jobs {
        let key = (job.project_id, job.event.event_id.as_str());
        if let Some(&issue_id) = stored.get(&(job.project_id, job.event.event_id.clone())) {
            written.push(duplicate(job, issue_id));
            continue;
        }
        if let Some(&index) = first_in_batch.get(&key) {
            let issue_id = written[index].issue_id;
            written.push(duplicate(job, issue_id));
            continue;
        }
        let placement = resolver.place(&txn, job).await?;
        first_in_batch.insert(key, written.len());
        deltas.add(placement.issue_id, job);
        accepted.push((job, placement.issue_id));
        event_values(&mut events, job, placement.issue_id, placement.hash);
        attachments.extend(job.attachments.iter().map(|a| attachment::ActiveModel {
            project_id: Set(job.project_id),
            event_id: Set(job.event.event_id.clone()),
            filename: Set(a.filename.clone()),
            content_type: Set(a.content_type.clone()),
            attachment_type: Set(a.attachment_type.clone()),
            size: Set(a.data.len() as i64),
            data: Set(a.data.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }));
        written.push(Written {
            event_id: job.event.event_id.clone(),
            issue_id: placement.issue_id,
            new_issue: placement.new_issue,
            regressed: false,
            duplicate: false,
        });
    }

    clock.mark("placement");
    // Rows nothing in this transaction reads back: one round trip for all of them.
    let mut writes = CombinedWrites::new(txn.backend());
    resolver.store_routes(&mut writes);
    writes.push_rows(&EVENT_ROWS, events);
    count_tags(&mut writes, &accepted);
    // Before counters: reopening an ignored issue may depend on its distinct users.
    rollups::record(&mut writes, &accepted);
    for rows in in_chunks(attachments) {
        writes.push(&attachment::Entity::insert_many(rows));
    }
    clock.mark("statements");
    writes.send(&txn).await?;
    clock.mark("writes");
    let mut regressed = deltas.apply(&txn).await?;
    clock.mark("issue_counters");
    // The first event of the batch in a reopened issue is the one that regressed it.
    for w in written.iter_mut().filter(|w| !w.duplicate) {
        if regressed.remove(&w.issue_id) {
            w.regressed = true;
        }
    }
    let stored: Vec<WrittenEvent> = jobs
        .iter()
        .zip(&written)
        .filter(|(_, w)| !w.duplicate)
        .map(|(job, w)| WrittenEvent {
            project_id: job.project_id,
            issue_id: w.issue_id,
            event: &job.event,
            tags: &job.tags,
            new_issue: w.new_issue,
            regressed: w.regressed,
        })
        .collect();
    alerts::evaluate::evaluate(&txn, &stored, public_url).await?;
    clock.mark("alert_rules");
    txn.commit().await?;
    clock.mark("commit");
    Ok(written)
}

/// `rows` in multi-row INSERTs of at most `INSERT_CHUNK` rows each.
pub fn in_chunks<A>(mut rows: Vec<A>) -> impl Iterator<Item = Vec<A>> {
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let rest = rows.split_off(rows.len().min(INSERT_CHUNK));
        Some(std::mem::replace(&mut rows, rest))
    })
}

fn duplicate(job: &WriteJob, issue_id: i64) -> Written {
    Written {
        event_id: job.event.event_id.clone(),
        issue_id,
        new_issue: false,
        regressed: false,
        duplicate: true,
    }
}

/// The event table's columns the writer fills, in the order of [`event_values`].
const EVENT_COLUMNS: [event::Column; 15] = {
    use event::Column as C;
    [
        C::ProjectId,
        C::IssueId,
        C::EventId,
        C::Timestamp,
        C::ReceivedAt,
        C::Level,
        C::Platform,
        C::Release,
        C::Environment,
        C::Message,
        C::Title,
        C::Hash,
        C::UserKey,
        C::Payload,
        C::PayloadZstd,
    ]
};

static EVENT_ROWS: RowShape = RowShape {
    name: "event",
    columns: EVENT_COLUMNS.len(),
    statement: || {
        Query::insert()
            .into_table(event::Entity)
            .columns(EVENT_COLUMNS)
            .to_owned()
    },
};

/// Adds the event row of `job`, filed in `issue_id` under `hash`, to `values`.
fn event_values(values: &mut Vec<Value>, job: &WriteJob, issue_id: i64, hash: String) {
    let e = &job.event;
    values.extend([
        job.project_id.into(),
        issue_id.into(),
        e.event_id.clone().into(),
        e.timestamp.into(),
        e.received.into(),
        e.level.as_str().into(),
        e.platform.clone().into(),
        e.release.clone().into(),
        e.environment.clone().into(),
        e.message.clone().into(),
        job.grouping.title.clone().into(),
        hash.into(),
        e.user_key.clone().into(),
        // The JSON text travels compressed only (`db::payload`).
        String::new().into(),
        Some(e.payload.clone()).into(),
    ]);
}
