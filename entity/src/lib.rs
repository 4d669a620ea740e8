//! SeaORM entities of Larder: plain data, no logic.
//!
//! Every table is created by the `migration` crate; the same schema runs on SQLite and PostgreSQL.
//! Timestamps are UTC; JSON payloads are stored as text so both databases store them byte for byte.

pub mod alert_rule;
pub mod alert_rule_fire;
pub mod api_token;
pub mod artifact_blob;
pub mod artifact_bundle;
pub mod artifact_file;
pub mod attachment;
pub mod audit_entry;
pub mod delivery;
pub mod deploy;
pub mod environment;
pub mod event;
pub mod external_issue;
pub mod file_chunk;
pub mod grouping_hash;
pub mod integration;
pub mod issue;
pub mod issue_activity;
pub mod issue_similarity;
pub mod issue_stat;
pub mod issue_tag;
pub mod issue_user;
pub mod member;
pub mod one_time_token;
pub mod organization;
pub mod project;
pub mod project_key;
pub mod project_stat;
pub mod project_team;
pub mod release;
pub mod similarity_band;
pub mod states;
pub mod team;
pub mod team_member;
pub mod user_account;
pub mod user_report;
pub mod user_session;
