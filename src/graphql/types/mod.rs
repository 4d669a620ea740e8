//! Schema types: thin wrappers around entity models, resolving related data through loaders.
pub mod accounts;
pub mod alerts;
pub mod channels;
pub mod event;
pub mod grouping;
pub mod issue;
pub mod project;
pub mod release;
pub mod search;
pub mod settings;
pub mod sourcemaps;
pub mod stats;

use async_graphql::Enum;

/// Event and issue severity, as SDKs send it after normalisation (`entity::states::Level`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::states::Level")]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Fatal,
}

/// Issue workflow state (`entity::states::IssueStatus`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::states::IssueStatus")]
pub enum IssueStatus {
    Unresolved,
    Resolved,
    Ignored,
    /// Merged into another issue; its events and hashes live there now.
    Merged,
}
