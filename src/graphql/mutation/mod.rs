//! Mutation root, one file per area. Each mutation checks scope first, then calls the service
//! that owns the change.
mod accounts;
mod alerts;
mod grouping;
mod ingest;
mod issues;
mod projects;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountMutations,
    projects::ProjectMutations,
    projects::ProjectSettingsMutations,
    issues::IssueMutations,
    grouping::GroupingMutations,
    ingest::IngestMutations,
    alerts::AlertMutations,
);
