//! Rollups the batch keeps up to date besides issues: hourly event counts per issue and per
//! project outcome, releases and environments, distinct users per issue. Charts and statistics
//! read these, never the events.
use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use entity::states::Outcome;
use entity::{environment, issue_stat, issue_user, project_stat, release};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use super::WriteJob;
use super::batch::in_chunks;
use super::combined::CombinedWrites;
use crate::counters::accumulate;

/// The start of the hour `t` falls in: the bucket of hourly rollups.
pub fn hour(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::hours(1)).unwrap_or(t)
}

/// Count, first seen, last seen of one key over the batch.
struct Seen {
    count: i64,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
}

/// Ordered by key, so that every batch upserts rows in the same order: two batches in flight on
/// PostgreSQL then wait for each other's row locks instead of deadlocking.
fn tally<K: Ord>(items: impl Iterator<Item = (K, DateTime<Utc>)>) -> BTreeMap<K, Seen> {
    let mut tallies: BTreeMap<K, Seen> = BTreeMap::new();
    for (key, t) in items {
        let seen = tallies.entry(key).or_insert(Seen {
            count: 0,
            first: t,
            last: t,
        });
        seen.count += 1;
        seen.first = std::cmp::min(seen.first, t);
        seen.last = std::cmp::max(seen.last, t);
    }
    tallies
}

/// Records the accepted events `(job, issue_id)` of a batch in every rollup.
pub fn record(writes: &mut CombinedWrites, accepted: &[(&WriteJob, i64)]) {
    if accepted.is_empty() {
        return;
    }
    let per_issue_hour = tally(accepted.iter().map(|(job, issue)| {
        (
            (job.project_id, *issue, hour(job.event.timestamp)),
            job.event.timestamp,
        )
    }));
    upsert(
        writes,
        per_issue_hour
            .into_iter()
            .map(
                |((project_id, issue_id, bucket), seen)| issue_stat::ActiveModel {
                    project_id: Set(project_id),
                    issue_id: Set(issue_id),
                    bucket: Set(bucket),
                    times_seen: Set(seen.count),
                },
            ),
        || {
            use issue_stat::Column as C;
            accumulate(
                issue_stat::Entity,
                [C::IssueId, C::Bucket],
                C::TimesSeen,
                None,
                None,
            )
        },
    );

    let per_project_hour = tally(accepted.iter().map(|(job, _)| {
        (
            (job.project_id, hour(job.event.received)),
            job.event.received,
        )
    }));
    upsert(
        writes,
        per_project_hour
            .into_iter()
            .map(|((project_id, bucket), seen)| project_stat::ActiveModel {
                project_id: Set(project_id),
                bucket: Set(bucket),
                outcome: Set(Outcome::Accepted),
                times_seen: Set(seen.count),
                ..Default::default()
            }),
        project_stat_conflict,
    );

    let releases = tally(accepted.iter().filter_map(|(job, _)| {
        Some((
            (job.project_id, job.event.release.clone()?),
            job.event.timestamp,
        ))
    }));
    upsert(
        writes,
        releases
            .into_iter()
            .map(|((project_id, version), seen)| release::ActiveModel {
                project_id: Set(project_id),
                version: Set(version),
                first_seen: Set(seen.first),
                last_seen: Set(seen.last),
                times_seen: Set(seen.count),
                ..Default::default()
            }),
        || {
            use release::Column as C;
            accumulate(
                release::Entity,
                [C::ProjectId, C::Version],
                C::TimesSeen,
                Some(C::FirstSeen),
                Some(C::LastSeen),
            )
        },
    );

    let environments = tally(accepted.iter().filter_map(|(job, _)| {
        Some((
            (job.project_id, job.event.environment.clone()?),
            job.event.timestamp,
        ))
    }));
    upsert(
        writes,
        environments
            .into_iter()
            .map(|((project_id, name), seen)| environment::ActiveModel {
                project_id: Set(project_id),
                name: Set(name),
                first_seen: Set(seen.first),
                last_seen: Set(seen.last),
                times_seen: Set(seen.count),
                ..Default::default()
            }),
        || {
            use environment::Column as C;
            accumulate(
                environment::Entity,
                [C::ProjectId, C::Name],
                C::TimesSeen,
                Some(C::FirstSeen),
                Some(C::LastSeen),
            )
        },
    );

    let users = tally(accepted.iter().filter_map(|(job, issue)| {
        Some(((*issue, job.event.user_key.clone()?), job.event.timestamp))
    }));
    let rows: Vec<issue_user::ActiveModel> = users
        .into_iter()
        .map(|((issue_id, user_key), seen)| issue_user::ActiveModel {
            issue_id: Set(issue_id),
            user_key: Set(user_key),
            first_seen: Set(seen.first),
            ..Default::default()
        })
        .collect();
    for rows in in_chunks(rows) {
        writes.push(
            &issue_user::Entity::insert_many(rows).on_conflict_do_nothing_on([
                issue_user::Column::IssueId,
                issue_user::Column::UserKey,
            ]),
        );
    }
}

/// `project_stat` rows accumulate per (project, hour, outcome).
pub fn project_stat_conflict() -> sea_orm::sea_query::OnConflict {
    use project_stat::Column as C;
    accumulate(
        project_stat::Entity,
        [C::ProjectId, C::Bucket, C::Outcome],
        C::TimesSeen,
        None,
        None,
    )
}

/// Multi-row upserts in chunks, each resolving conflicts with `on_conflict()`.
fn upsert<A>(
    writes: &mut CombinedWrites,
    rows: impl Iterator<Item = A>,
    on_conflict: impl Fn() -> sea_orm::sea_query::OnConflict,
) where
    A: ActiveModelTrait,
{
    for rows in in_chunks(rows.collect()) {
        writes.push(&<A::Entity as EntityTrait>::insert_many(rows).on_conflict(on_conflict()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_truncates_to_the_bucket_start() {
        let t: DateTime<Utc> = "2026-11-25T03:47:12.5Z".parse().unwrap();
        assert_eq!(hour(t).to_rfc3339(), "2026-11-25T03:00:00+00:00");
    }
}
