//! Subscription root: live issue changes over GraphQL websockets (`/graphql/ws`). The
//! connection is authenticated once, by the token in its `connection_init` payload.
use async_graphql::{Context, ID, Subscription};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use super::types::issue::Issue;
use super::{authorize, internal, not_found, parse_id, state};
use crate::accounts::access;
use crate::accounts::scopes::Scope;
use crate::live::ChangeKind;

pub struct SubscriptionRoot;

#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum IssueChangeKind {
    Created,
    NewEvents,
    Regressed,
    Updated,
}

#[derive(async_graphql::SimpleObject)]
pub struct IssueChanged {
    pub kind: IssueChangeKind,
    pub issue: Issue,
}

#[Subscription]
impl SubscriptionRoot {
    /// New and updated issues of a project, as they happen.
    async fn issue_changed(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = IssueChanged>> {
        let viewer = authorize(ctx, Scope::EventRead)?.clone();
        let app = state(ctx).clone();
        let project = access::project(&app.db, &viewer, parse_id(&project_id, "project")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("project"))?;
        let changes = BroadcastStream::new(app.live.subscribe());
        Ok(changes.filter_map(move |change| {
            let (app, viewer) = (app.clone(), viewer.clone());
            async move {
                let change = change.ok().filter(|c| c.project_id == project.id)?;
                let issue = access::issue(&app.db, &viewer, change.issue_id)
                    .await
                    .map_err(internal)
                    .ok()??;
                let kind = match change.kind {
                    ChangeKind::Created => IssueChangeKind::Created,
                    ChangeKind::NewEvents => IssueChangeKind::NewEvents,
                    ChangeKind::Regressed => IssueChangeKind::Regressed,
                    ChangeKind::Updated => IssueChangeKind::Updated,
                };
                Some(IssueChanged {
                    kind,
                    issue: Issue(issue),
                })
            }
        }))
    }
}
