//! Why events are grouped as they are, typed so that a frontend renders it without guessing:
//! the algorithm version, where the hash came from, every component with whether it counted and
//! why, and the similarity join that routed a new hash to an existing issue.
use async_graphql::{Enum, ID, SimpleObject};
use sea_orm::{ConnectionTrait, DbErr};

use super::issue::Issue;
use crate::accounts::access::{self, Viewer};
use crate::grouping::record::{ComponentRecord, ExplanationRecord, JoinRecord};
use crate::issues::{regroup, regroup_jobs};

/// Where an event's hash came from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum GroupingSource {
    /// A fingerprint rule of the project.
    FingerprintRule,
    /// The fingerprint the SDK sent.
    CustomFingerprint,
    /// The exception chain: types and crash sites.
    Exception,
    /// A stack trace without an exception.
    Stacktrace,
    /// An exception without a stack trace: its type and value template.
    ExceptionValue,
    /// The message template.
    Message,
    /// Nothing better to group by.
    Fallback,
}

impl GroupingSource {
    fn parse(text: &str) -> Option<GroupingSource> {
        Some(match text {
            "fingerprint_rule" => GroupingSource::FingerprintRule,
            "custom_fingerprint" => GroupingSource::CustomFingerprint,
            "exception" => GroupingSource::Exception,
            "stacktrace" => GroupingSource::Stacktrace,
            "exception_value" => GroupingSource::ExceptionValue,
            "message" => GroupingSource::Message,
            "fallback" => GroupingSource::Fallback,
            _ => return None,
        })
    }
}

/// What part of the event a component is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    /// A stack frame: its module or file, function and source line.
    Frame,
    /// An exception type.
    Type,
    /// An exception value, with variable parts replaced.
    Value,
    /// A message template.
    Message,
}

impl ComponentKind {
    fn parse(text: &str) -> Option<ComponentKind> {
        Some(match text {
            "frame" => ComponentKind::Frame,
            "type" => ComponentKind::Type,
            "value" => ComponentKind::Value,
            "message" => ComponentKind::Message,
            _ => return None,
        })
    }
}

/// Why events get the hash: the grouping config, where the fingerprint came from, and every
/// component considered.
#[derive(SimpleObject)]
pub struct GroupingExplanation {
    /// Grouping algorithm version, e.g. `larder:2026-12`.
    pub config: String,
    pub source: GroupingSource,
    /// The project fingerprint rule that matched, as written.
    pub rule: Option<String>,
    /// The fingerprint that decided, when one did.
    pub fingerprint: Option<Vec<String>>,
    pub components: Vec<GroupingComponent>,
    /// Set when the hash was new and joined an existing issue by similarity.
    pub similarity_join: Option<SimilarityJoin>,
}

/// One part of an event that grouping looked at.
#[derive(SimpleObject)]
pub struct GroupingComponent {
    pub kind: ComponentKind,
    pub value: String,
    /// Whether it went into the hash.
    pub contributes: bool,
    /// Why it did or did not.
    pub hint: Option<String>,
}

/// How a new hash joined an existing issue instead of opening one.
#[derive(SimpleObject)]
pub struct SimilarityJoin {
    pub issue_id: ID,
    /// Signature distance to the issue then: 0 identical, 1 nothing shared.
    pub distance: f64,
    /// The evidence, e.g. `same type, value differs in 1 word`.
    pub reason: String,
}

impl GroupingExplanation {
    /// The stored explanation typed; `None` when it names a source or kind this version does
    /// not know.
    pub fn new(record: ExplanationRecord) -> Option<GroupingExplanation> {
        Some(GroupingExplanation {
            config: record.config,
            source: GroupingSource::parse(&record.source)?,
            rule: record.rule,
            fingerprint: record.fingerprint,
            components: record
                .components
                .into_iter()
                .map(GroupingComponent::new)
                .collect::<Option<_>>()?,
            similarity_join: record.similarity.map(SimilarityJoin::from),
        })
    }
}

impl GroupingComponent {
    fn new(record: ComponentRecord) -> Option<GroupingComponent> {
        Some(GroupingComponent {
            kind: ComponentKind::parse(&record.kind)?,
            value: record.value,
            contributes: record.contributes,
            hint: record.hint,
        })
    }
}

impl From<JoinRecord> for SimilarityJoin {
    fn from(join: JoinRecord) -> Self {
        SimilarityJoin {
            issue_id: ID(join.issue_id.to_string()),
            distance: join.distance,
            reason: join.reason,
        }
    }
}

/// What grouping the stored events again would change (`previewRegroup`).
#[derive(SimpleObject)]
pub struct RegroupPreview {
    /// Events looked at, newest first.
    pub events_scanned: u64,
    /// True when the project has more events than were looked at (the oldest were not).
    pub truncated: bool,
    /// Events that would land in another issue.
    pub events_moving: u64,
    /// Issues whose events would end up in one issue.
    pub merges: Vec<RegroupMerge>,
    /// Issues whose events would be spread over several issues.
    pub splits: Vec<RegroupSplit>,
}

#[derive(SimpleObject)]
pub struct RegroupMerge {
    pub issues: Vec<Issue>,
    /// Events of the merged issue.
    pub events: u64,
}

#[derive(SimpleObject)]
pub struct RegroupSplit {
    pub issue: Issue,
    /// Events per part, largest first.
    pub parts: Vec<u64>,
}

impl RegroupPreview {
    pub async fn new<C: ConnectionTrait>(
        db: &C,
        viewer: &Viewer,
        preview: regroup::RegroupPreview,
    ) -> Result<RegroupPreview, DbErr> {
        let mut merges = Vec::with_capacity(preview.merges.len());
        for merge in preview.merges {
            let mut issues = Vec::with_capacity(merge.issue_ids.len());
            for id in merge.issue_ids {
                if let Some(issue) = access::issue(db, viewer, id).await? {
                    issues.push(Issue(issue));
                }
            }
            merges.push(RegroupMerge {
                issues,
                events: merge.events,
            });
        }
        let mut splits = Vec::with_capacity(preview.splits.len());
        for split in preview.splits {
            if let Some(issue) = access::issue(db, viewer, split.issue_id).await? {
                splits.push(RegroupSplit {
                    issue: Issue(issue),
                    parts: split.parts,
                });
            }
        }
        Ok(RegroupPreview {
            events_scanned: preview.events_scanned,
            truncated: preview.truncated,
            events_moving: preview.events_moving,
            merges,
            splits,
        })
    }
}

/// Where a regrouping of the project stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RegroupState {
    Running,
    Done,
    Failed,
}

/// A regrouping of the project's stored events (`regroupProject`).
#[derive(SimpleObject)]
pub struct RegroupJob {
    pub state: RegroupState,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Set when done.
    pub events_scanned: Option<u64>,
    pub events_moved: Option<u64>,
    pub issues_created: Option<u64>,
    /// Issues left without events, now merged into the issue that took them.
    pub issues_merged: Option<u64>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<regroup_jobs::RegroupJob> for RegroupJob {
    fn from(job: regroup_jobs::RegroupJob) -> Self {
        let (state, report, error) = match job.outcome {
            None => (RegroupState::Running, None, None),
            Some(Ok(report)) => (RegroupState::Done, Some(report), None),
            Some(Err(error)) => (RegroupState::Failed, None, Some(error)),
        };
        RegroupJob {
            state,
            started_at: job.started_at,
            finished_at: job.finished_at,
            events_scanned: report.as_ref().map(|r| r.events_scanned),
            events_moved: report.as_ref().map(|r| r.events_moved),
            issues_created: report.as_ref().map(|r| r.issues_created),
            issues_merged: report.as_ref().map(|r| r.issues_merged),
            error,
        }
    }
}
