//! Schema types: thin wrappers around entity models, resolving related data through loaders.
pub mod alerts;
pub mod event;
pub mod issue;
pub mod project;
pub mod search;
pub mod stats;

use async_graphql::Enum;

/// Event and issue severity, as SDKs send it after normalisation.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Fatal,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }

    pub fn parse(text: &str) -> Level {
        match text {
            "debug" => Level::Debug,
            "info" => Level::Info,
            "warning" => Level::Warning,
            "fatal" => Level::Fatal,
            _ => Level::Error,
        }
    }
}

/// Issue workflow state.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum IssueStatus {
    Unresolved,
    Resolved,
    Ignored,
    /// Merged into another issue; its events and hashes live there now.
    Merged,
}

impl IssueStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Unresolved => "unresolved",
            IssueStatus::Resolved => "resolved",
            IssueStatus::Ignored => "ignored",
            IssueStatus::Merged => "merged",
        }
    }

    pub fn parse(text: &str) -> IssueStatus {
        match text {
            "resolved" => IssueStatus::Resolved,
            "ignored" => IssueStatus::Ignored,
            "merged" => IssueStatus::Merged,
            _ => IssueStatus::Unresolved,
        }
    }
}
