//! Why events are grouped as they are, typed so that a frontend renders it without guessing:
//! the algorithm version, where the hash came from, every component with whether it counted and
//! why, and the similarity join that routed a new hash to an existing issue.
use async_graphql::{Enum, ID, SimpleObject};

use crate::grouping::record::{ComponentRecord, ExplanationRecord, JoinRecord};

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
