//! The domain's closed sets of states, stored as their lowercase names: an issue's status, a
//! level, a member's role, a one-time link's purpose, a notification's delivery, an activity
//! entry's kind, an event's outcome. Everything that reads or writes these columns
//! uses the enums; the API's GraphQL enums map to them.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an issue stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum IssueStatus {
    #[sea_orm(string_value = "unresolved")]
    Unresolved,
    #[sea_orm(string_value = "resolved")]
    Resolved,
    #[sea_orm(string_value = "ignored")]
    Ignored,
    /// Merged into another issue: a tombstone whose events and hashes live there now.
    #[sea_orm(string_value = "merged")]
    Merged,
}

/// Severity of an event, and of its issue (the level of the issue's first event).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[sea_orm(string_value = "debug")]
    Debug,
    #[sea_orm(string_value = "info")]
    Info,
    #[sea_orm(string_value = "warning")]
    Warning,
    #[sea_orm(string_value = "error")]
    Error,
    #[sea_orm(string_value = "fatal")]
    Fatal,
}

impl IssueStatus {
    /// The stored name, e.g. `unresolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Unresolved => "unresolved",
            IssueStatus::Resolved => "resolved",
            IssueStatus::Ignored => "ignored",
            IssueStatus::Merged => "merged",
        }
    }
}

impl Level {
    /// The stored name, e.g. `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }

    /// The level of a stored name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Level> {
        <Level as sea_orm::Iterable>::iter().find(|level| level.as_str() == name)
    }
}

/// A member's role in an organization: what the member may see and change.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Resolves, ignores, assigns, comments and merges issues, and keeps the alert rules of
    /// the projects of the member's teams; reads everything there.
    #[sea_orm(string_value = "member")]
    Member,
    /// Also manages projects, keys, integrations, tokens and members other than owners.
    #[sea_orm(string_value = "admin")]
    Admin,
    /// Everything, other owners and deleting the organization included.
    #[sea_orm(string_value = "owner")]
    Owner,
}

impl Role {
    /// The stored name, e.g. `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        <Role as sea_orm::Iterable>::iter().find(|role| role.as_str() == name)
    }
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum LinkPurpose {
    /// Creates the first owner of a server that has no user.
    #[sea_orm(string_value = "setup")]
    Setup,
    #[sea_orm(string_value = "invitation")]
    Invitation,
    #[sea_orm(string_value = "password_reset")]
    PasswordReset,
}

/// Where a notification in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Claimed by a dispatcher until `next_attempt_at` (then reclaimable).
    #[sea_orm(string_value = "delivering")]
    Delivering,
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// Failed for good: a permanent error, or out of attempts.
    #[sea_orm(string_value = "dead")]
    Dead,
}

/// What an entry of an issue's activity log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ActivityKind {
    #[sea_orm(string_value = "set_resolved")]
    SetResolved,
    #[sea_orm(string_value = "set_unresolved")]
    SetUnresolved,
    #[sea_orm(string_value = "set_ignored")]
    SetIgnored,
    /// A resolved issue saw a new event and reopened.
    #[sea_orm(string_value = "set_regression")]
    SetRegression,
    /// Other issues were merged into this one.
    #[sea_orm(string_value = "merge")]
    Merge,
    /// This issue was merged into another (the entry names it).
    #[sea_orm(string_value = "merged_into")]
    MergedInto,
    /// A hash was split out of this issue.
    #[sea_orm(string_value = "unmerge")]
    Unmerge,
    #[sea_orm(string_value = "assigned")]
    Assigned,
    /// A comment.
    #[sea_orm(string_value = "note")]
    Note,
}

impl ActivityKind {
    /// The entry a change of status to `status` records.
    pub fn for_status(status: IssueStatus) -> ActivityKind {
        match status {
            IssueStatus::Unresolved => ActivityKind::SetUnresolved,
            IssueStatus::Resolved => ActivityKind::SetResolved,
            IssueStatus::Ignored => ActivityKind::SetIgnored,
            IssueStatus::Merged => ActivityKind::Merge,
        }
    }
}

/// What became of an event the ingest endpoints received (counted per project and hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Outcome {
    /// Stored.
    #[sea_orm(string_value = "accepted")]
    Accepted,
    /// Dropped by an inbound filter.
    #[sea_orm(string_value = "filtered")]
    Filtered,
    /// Dropped by server-side sampling.
    #[sea_orm(string_value = "sampled")]
    Sampled,
    /// Refused by a project or key rate limit.
    #[sea_orm(string_value = "rate_limited")]
    RateLimited,
}

impl Outcome {
    /// The stored name, also the `/metrics` label, e.g. `rate_limited`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Filtered => "filtered",
            Outcome::Sampled => "sampled",
            Outcome::RateLimited => "rate_limited",
        }
    }
}
