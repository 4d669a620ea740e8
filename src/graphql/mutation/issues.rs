//! Issue workflow mutations: status, assignment, comments, bulk changes.
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{Duration, Utc};
use entity::issue;
use entity::states::ActivityKind;
use serde_json::json;

use crate::accounts::scopes::Scope;
use crate::accounts::{access, members};
use crate::graphql::types::IssueStatus;
use crate::graphql::types::accounts::Member;
use crate::graphql::types::issue::Issue;
use crate::graphql::types::project::IssueFilter;
use crate::graphql::{account_error, authorize, bad_input, internal, not_found, parse_id, state};
use crate::issues::conditions::StatusDetails;
use crate::issues::{self, record_activity};
use crate::live::{ChangeKind, IssueChange};

#[derive(Default)]
pub struct IssueMutations;

/// How long an ignore lasts; with no field set the issue is ignored until changed by hand.
#[derive(InputObject, Default)]
pub struct IgnoreInput {
    /// Come back after this many minutes.
    pub for_minutes: Option<i64>,
    /// Come back after this many more events.
    pub until_more_events: Option<i64>,
    /// Come back after this many more distinct users.
    pub until_more_users: Option<i64>,
}

async fn load(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<issue::Model> {
    let issue = access::issue(
        &state(ctx).db,
        authorize(ctx, Scope::EventWrite)?,
        parse_id(id, "issue")?,
    )
    .await
    .map_err(internal)?
    .ok_or_else(|| not_found("issue"))?;
    if issue.status == entity::states::IssueStatus::Merged {
        return Err(bad_input(
            "merged issues change only through merge and unmerge",
        ));
    }
    Ok(issue)
}

/// Tells live subscribers a person changed the issue.
fn announce(ctx: &Context<'_>, issue: &issue::Model) {
    state(ctx).live.publish(IssueChange {
        project_id: issue.project_id,
        issue_id: issue.id,
        kind: ChangeKind::Updated,
    });
}

#[Object]
impl IssueMutations {
    /// Sets an issue's status plainly (no release or ignore conditions).
    async fn update_issue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: IssueStatus,
    ) -> async_graphql::Result<Issue> {
        if status == IssueStatus::Merged {
            return Err(bad_input(
                "merged issues change only through merge and unmerge",
            ));
        }
        let issue = load(ctx, &id).await?;
        let actor = &authorize(ctx, Scope::EventWrite)?.actor;
        let updated = issues::set_status(
            &state(ctx).db,
            issue,
            status.into(),
            StatusDetails::default(),
            actor,
        )
        .await
        .map_err(internal)?;
        announce(ctx, &updated);
        Ok(Issue(updated))
    }

    /// Resolves an issue. With `inRelease`, only events of a newer release reopen it; with
    /// `inNextRelease`, events of the release current now (or older) do not reopen it.
    async fn resolve_issue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        in_release: Option<String>,
        #[graphql(default = false)] in_next_release: bool,
    ) -> async_graphql::Result<Issue> {
        let issue = load(ctx, &id).await?;
        if in_release.is_some() && in_next_release {
            return Err(bad_input("use either inRelease or inNextRelease"));
        }
        let details = StatusDetails {
            in_release: if in_next_release {
                issue.last_release.clone()
            } else {
                in_release
            },
            in_next_release,
            ..Default::default()
        };
        let actor = &authorize(ctx, Scope::EventWrite)?.actor;
        let updated = issues::set_status(
            &state(ctx).db,
            issue,
            entity::states::IssueStatus::Resolved,
            details,
            actor,
        )
        .await
        .map_err(internal)?;
        announce(ctx, &updated);
        Ok(Issue(updated))
    }

    /// Ignores an issue, forever or until a condition is met (then it comes back unresolved).
    async fn ignore_issue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default)] until: IgnoreInput,
    ) -> async_graphql::Result<Issue> {
        let issue = load(ctx, &id).await?;
        for value in [
            until.for_minutes,
            until.until_more_events,
            until.until_more_users,
        ]
        .into_iter()
        .flatten()
        {
            if value < 1 {
                return Err(bad_input("ignore conditions must be positive"));
            }
        }
        let db = &state(ctx).db;
        let users = match until.until_more_users {
            Some(_) => issues::user_count(db, issue.id).await.map_err(internal)?,
            None => 0,
        };
        let details = StatusDetails {
            until: until.for_minutes.map(|m| Utc::now() + Duration::minutes(m)),
            until_count: until.until_more_events.map(|n| issue.times_seen + n),
            until_users: until.until_more_users.map(|n| users + n),
            ..Default::default()
        };
        let actor = &authorize(ctx, Scope::EventWrite)?.actor;
        let updated = issues::set_status(
            db,
            issue,
            entity::states::IssueStatus::Ignored,
            details,
            actor,
        )
        .await
        .map_err(internal)?;
        announce(ctx, &updated);
        Ok(Issue(updated))
    }

    /// Assigns an issue to a member of the organization (`memberId: null` unassigns).
    async fn assign_issue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        member_id: Option<ID>,
    ) -> async_graphql::Result<Issue> {
        let viewer = authorize(ctx, Scope::EventWrite)?;
        let db = &state(ctx).db;
        let issue = load(ctx, &id).await?;
        let assignee = match member_id {
            Some(member_id) => Some(
                members::find(db, viewer, parse_id(&member_id, "member")?)
                    .await
                    .map_err(account_error)?,
            ),
            None => None,
        };
        let updated = issues::assign(db, issue, assignee.as_ref(), &viewer.actor)
            .await
            .map_err(internal)?;
        announce(ctx, &updated);
        Ok(Issue(updated))
    }

    /// Adds a comment to the issue's activity.
    async fn add_comment(
        &self,
        ctx: &Context<'_>,
        issue_id: ID,
        text: String,
    ) -> async_graphql::Result<Issue> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 10_000 {
            return Err(bad_input("a comment has 1 to 10000 characters"));
        }
        let issue = load(ctx, &issue_id).await?;
        record_activity(
            &state(ctx).db,
            issue.id,
            ActivityKind::Note,
            json!({ "text": text }),
            &authorize(ctx, Scope::EventWrite)?.actor,
        )
        .await
        .map_err(internal)?;
        Ok(Issue(issue))
    }

    /// Sets the status of every issue of a project matching the filter (at most 1000); returns
    /// how many changed.
    async fn bulk_update_issues(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        filter: IssueFilter,
        status: IssueStatus,
    ) -> async_graphql::Result<i64> {
        if status == IssueStatus::Merged {
            return Err(bad_input(
                "merged issues change only through merge and unmerge",
            ));
        }
        let viewer = authorize(ctx, Scope::EventWrite)?;
        let db = &state(ctx).db;
        let project = access::project(db, viewer, parse_id(&project_id, "project")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("project"))?;
        let filter = crate::search::IssueFilter::from(filter);
        let changed =
            issues::set_status_of_matching(db, project.id, &filter, status.into(), &viewer.actor)
                .await
                .map_err(internal)?;
        Ok(changed)
    }

    /// Adds a person to the organization (for assignment and default email alerts).
    async fn create_member(
        &self,
        ctx: &Context<'_>,
        email: String,
        name: Option<String>,
    ) -> async_graphql::Result<Member> {
        let viewer = authorize(ctx, Scope::MemberWrite)?;
        let created = members::create_contact(&state(ctx).db, viewer, &email, name)
            .await
            .map_err(account_error)?;
        Ok(Member::from(created))
    }
}
