//! `Issue` and its events.
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{grouping_hash, issue, issue_activity, issue_tag};

use super::accounts::Member;
use super::alerts::{Delivery, ExternalIssue};
use super::event::Event;
use super::grouping::GroupingExplanation;
use super::project::Project;
use super::stats::{Range, StatsInterval, StatsPoint};
use super::{IssueStatus, Level};
use crate::accounts::members;
use crate::alerts::deliveries;
use crate::graphql::loaders::{Loaders, StatsKey};
use crate::graphql::pagination::{Cursor, PageInfo, page_size};
use crate::graphql::{internal, state};
use crate::grouping::record::read_explanation;
use crate::issues::{details, tag_counts};

pub struct Issue(pub issue::Model);

/// A grouping hash routed to the issue, and why.
#[derive(SimpleObject)]
pub struct GroupingHash {
    pub hash: String,
    /// Why events get this hash, and how it joined the issue; null when unreadable.
    pub explanation: Option<GroupingExplanation>,
    /// Set when the hash joined this issue by similarity: the distance at that time.
    pub similarity_distance: Option<f64>,
    pub created_at: DateTime<Utc>,
}

/// An existing issue that was close to this one when it was created.
#[derive(SimpleObject)]
pub struct SimilarIssue {
    pub issue: Issue,
    /// Estimated distance between their signatures: 0 is identical, 1 shares nothing.
    pub distance: f64,
}

/// How often one value of a tag was seen on the issue.
#[derive(SimpleObject)]
pub struct TagValue {
    pub value: String,
    pub count: i64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// A tag key of the issue with its most frequent values.
#[derive(SimpleObject)]
pub struct TagSummary {
    pub key: String,
    /// Events that carried the key.
    pub total_count: i64,
    /// Distinct values seen.
    pub distinct_values: i64,
    pub top_values: Vec<TagValue>,
}

/// One entry of the issue's history.
/// What an activity entry records (`entity::states::ActivityKind`).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::states::ActivityKind")]
pub enum ActivityKind {
    SetResolved,
    SetUnresolved,
    SetIgnored,
    /// A resolved issue saw a new event and reopened.
    SetRegression,
    /// Other issues were merged into this one.
    Merge,
    /// This issue was merged into another (the entry names it).
    MergedInto,
    /// A hash was split out of this issue.
    Unmerge,
    Assigned,
    /// A comment.
    Note,
}

#[derive(SimpleObject)]
pub struct Activity {
    pub kind: ActivityKind,
    pub data: Json<serde_json::Value>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

impl From<issue_activity::Model> for Activity {
    fn from(a: issue_activity::Model) -> Self {
        Activity {
            kind: a.kind.into(),
            data: Json(serde_json::from_str(&a.data).unwrap_or_default()),
            actor: a.actor,
            created_at: a.created_at,
        }
    }
}

impl From<grouping_hash::Model> for GroupingHash {
    fn from(h: grouping_hash::Model) -> Self {
        GroupingHash {
            hash: h.hash,
            explanation: read_explanation(&h.explanation).and_then(GroupingExplanation::new),
            similarity_distance: h.similarity_distance,
            created_at: h.created_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct EventConnection {
    pub edges: Vec<EventEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

#[derive(SimpleObject)]
pub struct EventEdge {
    pub cursor: String,
    pub node: Event,
}

#[Object]
impl Issue {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Where it happened: `module in function` of the crash frame, or the logger/transaction.
    async fn culprit(&self) -> Option<&str> {
        self.0.culprit.as_deref()
    }
    async fn level(&self) -> Level {
        self.0.level.into()
    }
    async fn status(&self) -> IssueStatus {
        self.0.status.into()
    }
    /// Number of events grouped into the issue.
    async fn count(&self) -> i64 {
        self.0.times_seen
    }
    async fn first_seen(&self) -> DateTime<Utc> {
        self.0.first_seen
    }
    async fn last_seen(&self) -> DateTime<Utc> {
        self.0.last_seen
    }
    async fn first_release(&self) -> Option<&str> {
        self.0.first_release.as_deref()
    }
    async fn last_release(&self) -> Option<&str> {
        self.0.last_release.as_deref()
    }
    /// Distinct users affected (by user id, else username, email or IP).
    async fn user_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let loaders = ctx.data_unchecked::<Loaders>();
        Ok(loaders
            .user_counts
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or(0))
    }

    /// What the status is waiting for: the release a resolution covers, the time, count or
    /// number of users an ignore lasts until. Every field is null when the status has none.
    async fn status_details(&self) -> StatusDetails {
        StatusDetails::from(crate::issues::conditions::StatusDetails::parse(
            &self.0.status_details,
        ))
    }

    async fn assignee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        let Some(id) = self.0.assignee_id else {
            return Ok(None);
        };
        Ok(members::get(&state(ctx).db, id)
            .await
            .map_err(internal)?
            .map(Member::from))
    }

    /// Each tag key seen on the issue with its top values (most frequent first).
    async fn tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] top: u64,
    ) -> async_graphql::Result<Vec<TagSummary>> {
        let rows = tag_counts::of_issue(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        let mut by_key: std::collections::BTreeMap<String, Vec<issue_tag::Model>> =
            Default::default();
        for row in rows {
            by_key.entry(row.key.clone()).or_default().push(row);
        }
        Ok(by_key
            .into_iter()
            .map(|(key, mut values)| {
                values.sort_by(|a, b| b.times_seen.cmp(&a.times_seen).then(a.value.cmp(&b.value)));
                TagSummary {
                    key,
                    total_count: values.iter().map(|v| v.times_seen).sum(),
                    distinct_values: values.len() as i64,
                    top_values: values
                        .into_iter()
                        .take(top.min(100) as usize)
                        .map(tag_value)
                        .collect(),
                }
            })
            .collect())
    }

    /// Every value of one tag key, most frequent first.
    async fn tag_values(
        &self,
        ctx: &Context<'_>,
        key: String,
        #[graphql(default = 100)] first: u64,
    ) -> async_graphql::Result<Vec<TagValue>> {
        let rows = tag_counts::values_of(&state(ctx).db, self.0.id, key, first.min(1000))
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(tag_value).collect())
    }

    /// Events per hour or day over a range (default: the last 24 hours).
    async fn stats(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        interval: Option<StatsInterval>,
    ) -> async_graphql::Result<Vec<StatsPoint>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let range = Range::new(from, Some(to.unwrap_or(loaders.now)), interval)?;
        let rows = loaders
            .issue_stats
            .load_one(StatsKey {
                issue_id: self.0.id,
                from: range.from,
                to: range.to,
            })
            .await
            .map_err(internal)?
            .unwrap_or_default();
        Ok(range.series(rows))
    }

    /// The issue this one was merged into, when its status is MERGED.
    async fn merged_into_id(&self) -> Option<ID> {
        self.0.merged_into_id.map(|id| ID(id.to_string()))
    }
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Project>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        Ok(loaders
            .projects
            .load_one(self.0.project_id)
            .await
            .map_err(internal)?
            .map(Project))
    }

    /// The most recently received event.
    async fn latest_event(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Event>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        match loaders
            .latest_events
            .load_one(self.0.id)
            .await
            .map_err(internal)?
        {
            Some(row) => Ok(Some(Event::load(ctx, row).await)),
            None => Ok(None),
        }
    }

    /// The issue's events, newest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<EventConnection> {
        let limit = page_size(first)?;
        let before = after.map(|after| Cursor::decode(&after)).transpose()?;
        let mut rows = details::events(
            &state(ctx).db,
            self.0.id,
            before.map(|cursor| cursor.id),
            limit + 1,
        )
        .await
        .map_err(internal)?;
        let has_next_page = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let mut edges = Vec::with_capacity(rows.len());
        for row in rows {
            edges.push(EventEdge {
                cursor: Cursor {
                    value: String::new(),
                    id: row.id,
                }
                .encode(),
                node: Event::load(ctx, row).await,
            });
        }
        Ok(EventConnection {
            page_info: PageInfo {
                has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            // Every event of the issue is counted into times_seen by the writer.
            total_count: self.0.times_seen,
        })
    }

    /// Every hash routed to this issue (more than one after merges or secondary variants).
    async fn hashes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GroupingHash>> {
        let rows = details::hashes(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(GroupingHash::from).collect())
    }

    /// Issues that were near this one when it was created, nearest first, so a person can
    /// merge them. Merged-away issues are left out.
    async fn similar_issues(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SimilarIssue>> {
        let similar = details::similar_issues(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(similar
            .into_iter()
            .map(|(other, distance)| SimilarIssue {
                issue: Issue(other),
                distance,
            })
            .collect())
    }

    /// Notifications sent (or being sent) about this issue.
    async fn notifications(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Delivery>> {
        let rows = deliveries::of_issue(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Delivery::from).collect())
    }

    /// Tickets opened for this issue in GitHub or Jira.
    async fn external_issues(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ExternalIssue>> {
        let rows = deliveries::tickets_of_issue(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(ExternalIssue::from).collect())
    }

    /// The issue's history, oldest first.
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Activity>> {
        let rows = details::activity(&state(ctx).db, self.0.id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Activity::from).collect())
    }

    /// How the issue's primary hash was made: the components and rules behind it ("why these
    /// events are one issue").
    async fn grouping(&self) -> Grouping {
        Grouping {
            hash: self.0.primary_hash.clone(),
            explanation: read_explanation(&self.0.grouping).and_then(GroupingExplanation::new),
        }
    }
}

fn tag_value(row: issue_tag::Model) -> TagValue {
    TagValue {
        value: row.value,
        count: row.times_seen,
        first_seen: row.first_seen,
        last_seen: row.last_seen,
    }
}

/// The conditions of an issue's status.
#[derive(SimpleObject)]
pub struct StatusDetails {
    /// Resolved in this release: only events of a newer release reopen it.
    pub in_release: Option<String>,
    /// Resolved in the next release: events of the release current at resolution (held in
    /// `inRelease`, if there was one) or older do not reopen it.
    pub in_next_release: bool,
    /// Ignored until this time.
    pub ignored_until: Option<DateTime<Utc>>,
    /// Ignored until the issue's event count reaches this total.
    pub ignored_until_count: Option<i64>,
    /// Ignored until this many distinct users are affected in total.
    pub ignored_until_users: Option<i64>,
}

impl From<crate::issues::conditions::StatusDetails> for StatusDetails {
    fn from(details: crate::issues::conditions::StatusDetails) -> Self {
        StatusDetails {
            in_release: details.in_release,
            in_next_release: details.in_next_release,
            ignored_until: details.until,
            ignored_until_count: details.until_count,
            ignored_until_users: details.until_users,
        }
    }
}

/// An issue's primary hash and how it was made.
#[derive(SimpleObject)]
pub struct Grouping {
    /// 32 hex characters; the hash that created the issue.
    pub hash: String,
    /// Null when the stored explanation cannot be read.
    pub explanation: Option<GroupingExplanation>,
}
