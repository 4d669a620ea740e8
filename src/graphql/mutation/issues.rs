//! Issue workflow mutations.
use async_graphql::{Context, ID, Object};

use crate::graphql::types::IssueStatus;
use crate::graphql::types::issue::Issue;
use crate::graphql::{bad_input, internal, not_found, parse_id, scope, state, viewer};
use crate::issues;

#[derive(Default)]
pub struct IssueMutations;

#[Object]
impl IssueMutations {
    /// Sets an issue's status (resolve, ignore, unresolve), recording the activity.
    async fn update_issue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: IssueStatus,
    ) -> async_graphql::Result<Issue> {
        let viewer = viewer(ctx)?;
        let db = &state(ctx).db;
        let id = parse_id(&id, "issue")?;
        let issue = scope::issue(db, viewer, id)
            .await?
            .ok_or_else(|| not_found("issue"))?;
        if status == IssueStatus::Merged || issue.status == IssueStatus::Merged.as_str() {
            return Err(bad_input(
                "merged issues change only through merge and unmerge",
            ));
        }
        let updated = issues::set_status(db, issue, status.as_str(), &viewer.token_name)
            .await
            .map_err(internal)?;
        Ok(Issue(updated))
    }
}
