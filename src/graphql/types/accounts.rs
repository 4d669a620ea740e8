//! Schema types of people and access: users, members, teams, organizations, API tokens (never
//! their secret), sessions, invitations, the audit log.
use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_token, audit_entry, member, organization, team, user_account};

use crate::accounts::access::Caller;
use crate::accounts::scopes::{Scope, Scopes};
use crate::accounts::{audit, members, organizations, teams, tokens, users};
use crate::graphql::pagination::page_size;
use crate::graphql::{authorize, bad_input, internal, state};

/// A member's role (`entity::states::Role`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::states::Role")]
pub enum Role {
    /// Reads the projects of their teams; resolves, ignores, assigns, comments, merges; keeps
    /// alert rules.
    Member,
    /// Also projects, keys, integrations, tokens, teams and members other than owners.
    Admin,
    /// Everything, other owners and deleting the organization included.
    Owner,
}

/// A person who signs in.
#[derive(SimpleObject)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: String,
}

impl From<user_account::Model> for User {
    fn from(u: user_account::Model) -> Self {
        User {
            id: ID(u.id.to_string()),
            email: u.email,
            name: u.name,
        }
    }
}

/// A person of the organization: a contact for alerts and assignment, or a user with a role.
#[derive(SimpleObject)]
pub struct Member {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Whether the member signs in (has a user); contacts only receive alerts.
    pub signs_in: bool,
}

impl From<member::Model> for Member {
    fn from(m: member::Model) -> Self {
        Member {
            id: ID(m.id.to_string()),
            email: m.email,
            name: m.name,
            role: m.role.into(),
            signs_in: m.user_id.is_some(),
        }
    }
}

/// An organization the signed-in user belongs to.
#[derive(SimpleObject)]
pub struct OrganizationMembership {
    pub id: ID,
    pub slug: String,
    pub name: String,
    /// Null for an organization token.
    pub role: Option<Role>,
}

/// Who the caller is: `user` is null for an organization token; `organization` is the one the
/// request acts in (chosen by the `X-Larder-Organization` header, else the oldest membership).
pub struct ViewerInfo;

#[Object(name = "Viewer")]
impl ViewerInfo {
    async fn user(&self, ctx: &Context<'_>) -> Option<User> {
        crate::graphql::caller(ctx).user.clone().map(User::from)
    }

    /// Every organization the user belongs to (for a token: its organization).
    async fn organizations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<OrganizationMembership>> {
        let caller = crate::graphql::caller(ctx);
        let db = &state(ctx).db;
        if let Some(user) = &caller.user {
            let rows = users::memberships(db, user.id).await.map_err(internal)?;
            return Ok(rows
                .into_iter()
                .map(|(member, organization)| OrganizationMembership {
                    id: ID(organization.id.to_string()),
                    slug: organization.slug,
                    name: organization.name,
                    role: Some(member.role.into()),
                })
                .collect());
        }
        let Some(viewer) = &caller.viewer else {
            return Ok(Vec::new());
        };
        let organization = organizations::find(db, viewer.organization_id)
            .await
            .map_err(internal)?;
        // An organization token acts for the whole organization: it has no role of its own.
        Ok(organization
            .into_iter()
            .map(|o| OrganizationMembership {
                id: ID(o.id.to_string()),
                slug: o.slug,
                name: o.name,
                role: None,
            })
            .collect())
    }

    /// The scopes the request holds in its organization (empty without one).
    async fn scopes(&self, ctx: &Context<'_>) -> Vec<String> {
        let caller: &Caller = crate::graphql::caller(ctx);
        caller
            .viewer
            .as_ref()
            .map(|v| v.scopes.iter().map(|s| s.name().to_string()).collect())
            .unwrap_or_default()
    }
}

/// The organization a request acts in.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Organization {
    pub id: ID,
    pub slug: String,
    pub name: String,
    #[graphql(skip)]
    pub row_id: i64,
}

impl From<organization::Model> for Organization {
    fn from(o: organization::Model) -> Self {
        Organization {
            id: ID(o.id.to_string()),
            slug: o.slug,
            name: o.name,
            row_id: o.id,
        }
    }
}

#[ComplexObject]
impl Organization {
    async fn teams(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Team>> {
        authorize(ctx, Scope::OrgRead)?;
        let rows = teams::list(&state(ctx).db, self.row_id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Team::from).collect())
    }

    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Member>> {
        authorize(ctx, Scope::MemberRead)?;
        let rows = members::list(&state(ctx).db, self.row_id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Member::from).collect())
    }

    /// API tokens, newest first, revoked ones included; never their secret.
    async fn api_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
        authorize(ctx, Scope::OrgWrite)?;
        let rows = tokens::list(&state(ctx).db, self.row_id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// Who changed access and settings, newest first (owners and admins). Page with `before`:
    /// the id of the last entry seen.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        before: Option<ID>,
    ) -> async_graphql::Result<Vec<AuditEntry>> {
        authorize(ctx, Scope::OrgWrite)?;
        let before = before
            .map(|id| {
                id.parse::<i64>()
                    .map_err(|_| bad_input(format!("invalid audit entry id {:?}", id.as_str())))
            })
            .transpose()?;
        let rows = audit::page(&state(ctx).db, self.row_id, page_size(first)?, before)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}

/// A group of members; projects given to teams are visible to their members only.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Team {
    pub id: ID,
    pub slug: String,
    pub name: String,
    #[graphql(skip)]
    pub row_id: i64,
}

impl From<team::Model> for Team {
    fn from(t: team::Model) -> Self {
        Team {
            id: ID(t.id.to_string()),
            slug: t.slug,
            name: t.name,
            row_id: t.id,
        }
    }
}

#[ComplexObject]
impl Team {
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Member>> {
        authorize(ctx, Scope::MemberRead)?;
        let rows = teams::members_of(&state(ctx).db, self.row_id)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(Member::from).collect())
    }
}

/// An API token as listed: its secret is shown only once, when it is created.
#[derive(SimpleObject)]
pub struct ApiToken {
    pub id: ID,
    pub name: String,
    /// The token's first characters (`ldr_1a2b3c`), to tell tokens apart.
    pub prefix: String,
    /// Sentry scope names, e.g. `event:read`.
    pub scopes: Vec<String>,
    /// Whether the token acts as the user who made it (never beyond their role).
    pub personal: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for ApiToken {
    fn from(t: api_token::Model) -> Self {
        ApiToken {
            id: ID(t.id.to_string()),
            name: t.name,
            prefix: t.token_prefix,
            scopes: Scopes::from_column(&t.scopes)
                .iter()
                .map(|s| s.name().to_string())
                .collect(),
            personal: t.user_id.is_some(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A token just created: `token` is its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    pub token: String,
    pub api_token: ApiToken,
}

/// A signed-in session. `token` works as `Authorization: Bearer`; browsers also get it as an
/// `HttpOnly` cookie and send `csrfToken` back in `X-Larder-CSRF` when they cannot send a
/// same-origin `Origin`.
#[derive(SimpleObject)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// An invitation sent (or, without server mail settings, to be passed on by hand: `link`).
#[derive(SimpleObject)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    /// Whether the link went out by e-mail.
    pub emailed: bool,
    /// The link itself, only when it was not e-mailed.
    pub link: Option<String>,
}

/// One entry of the audit log.
#[derive(SimpleObject)]
pub struct AuditEntry {
    pub id: ID,
    /// `ada@example.com`, `token ci`, or `user:…` for sign-ins.
    pub actor: String,
    /// e.g. `member.invite`, `token.create`, `signin.failure`.
    pub action: String,
    pub target: String,
    pub client_address: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<audit_entry::Model> for AuditEntry {
    fn from(a: audit_entry::Model) -> Self {
        AuditEntry {
            id: ID(a.id.to_string()),
            actor: a.actor,
            action: a.action,
            target: a.target,
            client_address: a.client_address,
            created_at: a.created_at,
        }
    }
}
