//! Who a request acts as, and what it may reach: the one place a credential (a session or an
//! API token) becomes a `Viewer` — an organization, the scopes held there, and the projects
//! visible. Every GraphQL field asks the viewer; nothing else decides access.
//!
//! Team visibility: owners, admins and organization tokens see every project; a member sees the
//! projects given to one of their teams, and the projects given to no team.
use std::collections::HashSet;
use std::time::Duration;

use entity::states::Role;
use entity::{
    event, issue, member, organization, project, project_team, team_member, user_account,
};
use sea_orm::sea_query::{Condition, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};

use super::scopes::{Scope, Scopes};
use super::sessions::{self, SESSION_PREFIX};
use super::{tokens, users};

/// The caller of a request: who they are (a user, when signed in or using a personal token)
/// and, when they reach an organization, their access there.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub user: Option<user_account::Model>,
    /// The session the request came with (sign-out ends it).
    pub session_id: Option<i64>,
    pub viewer: Option<Viewer>,
    pub client_address: Option<String>,
}

/// Access to one organization.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub organization_id: i64,
    /// How activity and the audit log name the caller: `ada@example.com` or `token ci`.
    pub actor: String,
    pub user_id: Option<i64>,
    pub scopes: Scopes,
    pub projects: ProjectAccess,
    pub client_address: Option<String>,
}

/// Which projects of the organization a viewer sees.
#[derive(Clone, Debug, PartialEq)]
pub enum ProjectAccess {
    All,
    Only(HashSet<i64>),
}

impl Viewer {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(scope)
    }

    /// A condition on a project id column: the projects this viewer sees.
    pub fn visible_projects(&self, column: impl ColumnTrait) -> Condition {
        let expr: SimpleExpr = match &self.projects {
            ProjectAccess::All => return Condition::all(),
            ProjectAccess::Only(ids) => column.is_in(ids.iter().copied()),
        };
        Condition::all().add(expr)
    }
}

// Single-object look-ups scoped to the viewer: an id of another organization's object, or of a
// project the viewer's teams cannot see, is answered exactly like an id that does not exist.

/// The projects of the viewer's organization that the viewer's teams see, by id.
pub async fn projects<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> Result<Vec<project::Model>, DbErr> {
    project::Entity::find()
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id))
        .order_by_asc(project::Column::Id)
        .all(db)
        .await
}

/// The viewer's projects among `slugs` (a slug the viewer cannot see is simply not returned).
pub async fn projects_by_slug<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    slugs: &[String],
) -> Result<Vec<project::Model>, DbErr> {
    project::Entity::find()
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id))
        .filter(project::Column::Slug.is_in(slugs.iter().cloned()))
        .order_by_asc(project::Column::Id)
        .all(db)
        .await
}

pub async fn project<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    project_id: i64,
) -> Result<Option<project::Model>, DbErr> {
    project::Entity::find_by_id(project_id)
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id))
        .one(db)
        .await
}

pub async fn issue<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    issue_id: i64,
) -> Result<Option<issue::Model>, DbErr> {
    issue::Entity::find_by_id(issue_id)
        .join(JoinType::InnerJoin, issue::Relation::Project.def())
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id))
        .one(db)
        .await
}

/// An event by row id or by its SDK event id (32 hex).
pub async fn event<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> Result<Option<event::Model>, DbErr> {
    let query = event::Entity::find()
        .join(JoinType::InnerJoin, event::Relation::Issue.def())
        .join(JoinType::InnerJoin, issue::Relation::Project.def())
        .filter(project::Column::OrganizationId.eq(viewer.organization_id))
        .filter(viewer.visible_projects(project::Column::Id));
    let query = if id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        query.filter(event::Column::EventId.eq(id.to_ascii_lowercase()))
    } else if let Ok(row_id) = id.parse::<i64>() {
        query.filter(event::Column::Id.eq(row_id))
    } else {
        return Ok(None);
    };
    query.one(db).await
}

/// Why a credential was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid, expired or revoked credentials")]
    Invalid,
    /// The caller named an organization (`X-Larder-Organization`) they do not belong to; told
    /// exactly like one that does not exist.
    #[error("organization not found")]
    UnknownOrganization,
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// Resolves a bearer secret (session `lds_…` or API token `ldr_…`). A user chooses the
/// organization by slug; without one, their oldest membership.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    secret: &str,
    organization_slug: Option<&str>,
    session_lifetime: Duration,
    client_address: Option<String>,
) -> Result<Caller, AuthError> {
    if secret.starts_with(SESSION_PREFIX) {
        let (session, user) = sessions::find_live(db, secret, session_lifetime)
            .await?
            .ok_or(AuthError::Invalid)?;
        let viewer =
            user_viewer(db, &user, organization_slug, Scopes::all(), &client_address).await?;
        return Ok(Caller {
            user: Some(user),
            session_id: Some(session.id),
            viewer,
            client_address,
        });
    }
    let token = tokens::find_live(db, secret)
        .await?
        .ok_or(AuthError::Invalid)?;
    let token_scopes = Scopes::from_column(&token.scopes);
    if let Some(user_id) = token.user_id {
        // A personal token: its user's access in the token's organization, narrowed to the
        // token's scopes; gone when the user is no longer a member there.
        let user = user_account::Entity::find_by_id(user_id)
            .one(db)
            .await?
            .ok_or(AuthError::Invalid)?;
        let organization = organization::Entity::find_by_id(token.organization_id)
            .one(db)
            .await?
            .ok_or(AuthError::Invalid)?;
        if organization_slug.is_some_and(|slug| slug != organization.slug) {
            return Err(AuthError::UnknownOrganization);
        }
        let viewer = user_viewer(
            db,
            &user,
            Some(&organization.slug),
            token_scopes,
            &client_address,
        )
        .await
        .map_err(|e| match e {
            AuthError::UnknownOrganization => AuthError::Invalid,
            other => other,
        })?
        .ok_or(AuthError::Invalid)?;
        return Ok(Caller {
            user: Some(user),
            session_id: None,
            viewer: Some(viewer),
            client_address,
        });
    }
    if let Some(slug) = organization_slug {
        let matches = organization::Entity::find_by_id(token.organization_id)
            .one(db)
            .await?
            .is_some_and(|o| o.slug == slug);
        if !matches {
            return Err(AuthError::UnknownOrganization);
        }
    }
    Ok(Caller {
        user: None,
        session_id: None,
        viewer: Some(Viewer {
            organization_id: token.organization_id,
            actor: format!("token {}", token.name),
            user_id: None,
            scopes: token_scopes,
            projects: ProjectAccess::All,
            client_address: client_address.clone(),
        }),
        client_address,
    })
}

/// A user's access in the chosen organization (None when they belong to none).
async fn user_viewer<C: ConnectionTrait>(
    db: &C,
    user: &user_account::Model,
    organization_slug: Option<&str>,
    narrowed_to: Scopes,
    client_address: &Option<String>,
) -> Result<Option<Viewer>, AuthError> {
    let memberships = users::memberships(db, user.id).await?;
    let chosen = match organization_slug {
        Some(slug) => Some(
            memberships
                .into_iter()
                .find(|(_, organization)| organization.slug == slug)
                .ok_or(AuthError::UnknownOrganization)?,
        ),
        None => memberships.into_iter().next(),
    };
    let Some((member, organization)) = chosen else {
        return Ok(None);
    };
    let projects = project_access(db, &member).await?;
    Ok(Some(Viewer {
        organization_id: organization.id,
        actor: user.email.clone(),
        user_id: Some(user.id),
        scopes: Scopes::of_role(member.role).intersection(narrowed_to),
        projects,
        client_address: client_address.clone(),
    }))
}

/// The projects a member sees: all for owners and admins; for members, those of their teams
/// and those given to no team.
pub async fn project_access<C: ConnectionTrait>(
    db: &C,
    member: &member::Model,
) -> Result<ProjectAccess, sea_orm::DbErr> {
    if member.role != Role::Member {
        return Ok(ProjectAccess::All);
    }
    let projects: Vec<i64> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .filter(project::Column::OrganizationId.eq(member.organization_id))
        .into_tuple()
        .all(db)
        .await?;
    let given: Vec<(i64, i64)> = project_team::Entity::find()
        .select_only()
        .columns([
            project_team::Column::ProjectId,
            project_team::Column::TeamId,
        ])
        .filter(project_team::Column::ProjectId.is_in(projects.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let my_teams: HashSet<i64> = team_member::Entity::find()
        .select_only()
        .column(team_member::Column::TeamId)
        .filter(team_member::Column::MemberId.eq(member.id))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let visible = projects
        .into_iter()
        .filter(|project_id| {
            let mut teams = given.iter().filter(|(p, _)| p == project_id).peekable();
            teams.peek().is_none() || teams.any(|(_, team)| my_teams.contains(team))
        })
        .collect();
    Ok(ProjectAccess::Only(visible))
}
