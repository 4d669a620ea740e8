//! The issue search grammar, as people type it in Sentry:
//! `is:unresolved level:error release:1.2 environment:prod user.email:x browser:Chrome "free text"`.
//! Parsed into an [`IssueQuery`]; errors name the token that is wrong and where it starts.
mod query;

pub use query::{IssueQuery, QueryError, TagFilter, parse_query};
