//! Larder: a self-hosted error tracker that the official Sentry SDKs report to unchanged.
//!
//! Read in the order of an event's path: `http::ingest` (endpoints) → `ingest` (auth, decoding,
//! envelopes, normalisation, the pipeline and the group-commit writer) → `grouping` (hashes,
//! similarity) → `graphql` (what frontends read) → `issues` (workflow).
pub mod accounts;
pub mod alerts;
pub mod app;
pub mod cli;
pub mod config;
pub mod counters;
pub mod db;
pub mod event;
pub mod graphql;
pub mod grouping;
pub mod http;
pub mod ingest;
pub mod issues;
pub mod live;
pub mod projects;
pub mod releases;
pub mod retention;
pub mod search;
pub mod secrets;
pub mod seed;
pub mod sourcemaps;

/// The integration tests' fresh databases (a temporary SQLite file, a new PostgreSQL database),
/// for unit tests that must run on both backends too.
#[cfg(test)]
#[path = "../tests/common/databases.rs"]
mod test_databases;

/// The captured SDK payloads in `tests/fixtures/`, for unit tests (the integration tests use the
/// same module).
#[cfg(test)]
#[path = "../tests/common/fixtures.rs"]
mod test_fixtures;
