//! An issue's counters and rollups rebuilt from its stored events: its count and first/last
//! seen, its affected users, its hourly counts and its tag value counts. Used when events move
//! between issues by anything but whole-issue merges (regrouping), so the numbers stay exact.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use entity::{event, issue, issue_stat, issue_tag, issue_user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use crate::ingest::normalize::NormalizedEvent;
use crate::ingest::tags;

/// A tag value's count with its first and last time seen.
type TagCount = (i64, DateTime<Utc>, DateTime<Utc>);

/// Rows inserted per statement.
const BATCH: usize = 200;

/// Rebuilds the issue's rollups from its events; returns the issue with its new counts.
pub async fn rebuild<C: ConnectionTrait>(db: &C, issue_id: i64) -> Result<issue::Model, DbErr> {
    let current = issue::Entity::find_by_id(issue_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("issue {issue_id}")))?;
    let events = event::Entity::find()
        .filter(event::Column::IssueId.eq(issue_id))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let mut users: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut hours: BTreeMap<DateTime<Utc>, i64> = BTreeMap::new();
    let mut tag_counts: BTreeMap<(String, String), TagCount> = BTreeMap::new();
    for row in &events {
        if let Some(key) = &row.user_key {
            let first = users.entry(key.clone()).or_insert(row.timestamp);
            *first = (*first).min(row.timestamp);
        }
        *hours
            .entry(crate::ingest::writer::rollups::hour(row.timestamp))
            .or_default() += 1;
        for (key, value) in tags::derive(&as_normalized(row)) {
            let entry = tag_counts
                .entry((key, value))
                .or_insert((0, row.timestamp, row.timestamp));
            entry.0 += 1;
            entry.1 = entry.1.min(row.timestamp);
            entry.2 = entry.2.max(row.timestamp);
        }
    }
    issue_user::Entity::delete_many()
        .filter(issue_user::Column::IssueId.eq(issue_id))
        .exec(db)
        .await?;
    issue_stat::Entity::delete_many()
        .filter(issue_stat::Column::IssueId.eq(issue_id))
        .exec(db)
        .await?;
    issue_tag::Entity::delete_many()
        .filter(issue_tag::Column::IssueId.eq(issue_id))
        .exec(db)
        .await?;
    let users: Vec<issue_user::ActiveModel> = users
        .into_iter()
        .map(|(user_key, first_seen)| issue_user::ActiveModel {
            issue_id: Set(issue_id),
            user_key: Set(user_key),
            first_seen: Set(first_seen),
            ..Default::default()
        })
        .collect();
    for batch in users.chunks(BATCH) {
        issue_user::Entity::insert_many(batch.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let stats: Vec<issue_stat::ActiveModel> = hours
        .into_iter()
        .map(|(bucket, times_seen)| issue_stat::ActiveModel {
            project_id: Set(current.project_id),
            issue_id: Set(issue_id),
            bucket: Set(bucket),
            times_seen: Set(times_seen),
        })
        .collect();
    for batch in stats.chunks(BATCH) {
        issue_stat::Entity::insert_many(batch.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let tag_rows: Vec<issue_tag::ActiveModel> = tag_counts
        .into_iter()
        .map(
            |((key, value), (times_seen, first_seen, last_seen))| issue_tag::ActiveModel {
                project_id: Set(current.project_id),
                issue_id: Set(issue_id),
                key: Set(key),
                value: Set(value),
                times_seen: Set(times_seen),
                first_seen: Set(first_seen),
                last_seen: Set(last_seen),
            },
        )
        .collect();
    for batch in tag_rows.chunks(BATCH) {
        issue_tag::Entity::insert_many(batch.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let mut active: issue::ActiveModel = current.clone().into();
    active.times_seen = Set(events.len() as i64);
    if let (Some(first), Some(last)) = (
        events.iter().map(|e| e.timestamp).min(),
        events.iter().map(|e| e.timestamp).max(),
    ) {
        active.first_seen = Set(first);
        active.last_seen = Set(last);
    }
    let released = || events.iter().filter(|e| e.release.is_some());
    if let Some(first) = released().min_by_key(|e| e.timestamp) {
        active.first_release = Set(first.release.clone());
    }
    if let Some(last) = released().max_by_key(|e| e.timestamp) {
        active.last_release = Set(last.release.clone());
    }
    active.update(db).await
}

/// A stored event as ingest had it when it derived the tags.
fn as_normalized(row: &event::Model) -> NormalizedEvent {
    let payload: crate::event::Event = crate::db::payload::read(row);
    NormalizedEvent {
        event_id: row.event_id.clone(),
        timestamp: row.timestamp,
        received: row.received_at,
        level: row.level,
        platform: row.platform.clone(),
        release: row.release.clone(),
        environment: row.environment.clone(),
        message: row.message.clone(),
        tags: payload.tags.clone(),
        user_key: row.user_key.clone(),
        payload,
    }
}
