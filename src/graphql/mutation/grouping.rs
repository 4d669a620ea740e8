//! Grouping mutations: merge, unmerge, and per-project grouping settings.
use async_graphql::{Context, ID, InputObject, Object};

use super::projects::{editable_project, fraction, save_project};
use crate::accounts::access;
use crate::accounts::scopes::Scope;
use crate::graphql::types::grouping::RegroupJob;
use crate::graphql::types::issue::Issue;
use crate::graphql::types::project::Project;
use crate::graphql::{audit, authorize, bad_input, internal, not_found, parse_id, state};
use crate::grouping::{FingerprintRules, StackRules};
use crate::issues::{self, MergeError};
use crate::projects::settings::ProjectChanges;

#[derive(Default)]
pub struct GroupingMutations;

/// Per-project grouping settings; absent fields keep their value.
#[derive(InputObject)]
pub struct GroupingSettingsInput {
    /// Fingerprint rules, one per line: `matcher:value … -> fingerprint[, …] [title="…"]`.
    pub fingerprint_rules: Option<String>,
    /// Stack-trace rules, one per line: `matcher:value … [^|v](+|-)(app|group) …`.
    pub stacktrace_rules: Option<String>,
    /// Whether a new hash may join its nearest existing issue.
    pub similarity_enabled: Option<bool>,
    /// Largest signature distance (0–1) at which a new hash joins an issue.
    pub similarity_threshold: Option<f64>,
}

fn merge_error(error: MergeError) -> async_graphql::Error {
    match error {
        MergeError::Invalid(message) => bad_input(message),
        MergeError::Database(e) => internal(e),
    }
}

#[Object]
impl GroupingMutations {
    /// Merges the `from` issues into `into`: their hashes, events and counts move, and future
    /// events of any of their hashes land in `into`.
    async fn merge_issues(
        &self,
        ctx: &Context<'_>,
        into: ID,
        from: Vec<ID>,
    ) -> async_graphql::Result<Issue> {
        let viewer = authorize(ctx, Scope::EventWrite)?;
        let db = &state(ctx).db;
        let target = access::issue(db, viewer, parse_id(&into, "issue")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("issue"))?;
        let mut sources = Vec::with_capacity(from.len());
        for id in &from {
            sources.push(
                access::issue(db, viewer, parse_id(id, "issue")?)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| not_found("issue"))?,
            );
        }
        let merged = issues::merge_issues(db, target, sources, &viewer.actor)
            .await
            .map_err(merge_error)?;
        Ok(Issue(merged))
    }

    /// Splits `hash` out of an issue into an issue of its own, with the events filed under it.
    async fn unmerge_hash(
        &self,
        ctx: &Context<'_>,
        issue_id: ID,
        hash: String,
    ) -> async_graphql::Result<Issue> {
        let viewer = authorize(ctx, Scope::EventWrite)?;
        let db = &state(ctx).db;
        let issue = access::issue(db, viewer, parse_id(&issue_id, "issue")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("issue"))?;
        let split = issues::unmerge_hash(db, issue, &hash, &viewer.actor)
            .await
            .map_err(merge_error)?;
        Ok(Issue(split))
    }

    /// Groups the project's stored events again under its current grouping settings, in the
    /// background: events move, counts are rebuilt, activity records it, no alert fires. Returns
    /// the job (the running one, if a regrouping of the project is under way); poll
    /// `Project.regroupJob`.
    async fn regroup_project(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> async_graphql::Result<RegroupJob> {
        let (viewer, project) = editable_project(ctx, &project_id).await?;
        let app = state(ctx);
        let config = crate::ingest::projects::grouping_config(&project);
        let target = format!("project:{}", project.id);
        let job = app
            .regroups
            .start(app.db.clone(), project, config, viewer.actor.clone());
        audit(ctx, viewer, "project.regroup", target).await?;
        Ok(RegroupJob::from(job))
    }

    /// Changes a project's grouping settings. Rules are validated first: an error names the line.
    async fn update_grouping_settings(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        settings: GroupingSettingsInput,
    ) -> async_graphql::Result<Project> {
        let (_, project) = editable_project(ctx, &project_id).await?;
        let mut changes = ProjectChanges {
            similarity_enabled: settings.similarity_enabled,
            ..Default::default()
        };
        if let Some(rules) = settings.fingerprint_rules {
            FingerprintRules::parse(&rules)
                .map_err(|e| bad_input(format!("invalid fingerprint rules: {e}")))?;
            changes.fingerprint_rules = Some(rules);
        }
        if let Some(rules) = settings.stacktrace_rules {
            StackRules::parse(&rules)
                .map_err(|e| bad_input(format!("invalid stack-trace rules: {e}")))?;
            changes.stacktrace_rules = Some(rules);
        }
        if let Some(threshold) = settings.similarity_threshold {
            changes.similarity_threshold = Some(fraction(threshold, "similarityThreshold")?);
        }
        save_project(ctx, project, changes).await
    }
}
