//! Teams: groups of an organization's members. A project given to teams is visible to their
//! members (and to owners and admins); a project given to none is visible to every member.
use chrono::Utc;
use entity::{member, project, project_team, team, team_member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::access::Viewer;
use super::{AccountError, audit, organizations};

pub async fn list<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
) -> Result<Vec<team::Model>, sea_orm::DbErr> {
    team::Entity::find()
        .filter(team::Column::OrganizationId.eq(organization_id))
        .order_by_asc(team::Column::Slug)
        .all(db)
        .await
}

/// A team of the viewer's organization.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    team_id: i64,
) -> Result<team::Model, AccountError> {
    team::Entity::find_by_id(team_id)
        .filter(team::Column::OrganizationId.eq(viewer.organization_id))
        .one(db)
        .await?
        .ok_or(AccountError::NotFound("team"))
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    slug: &str,
    name: Option<&str>,
) -> Result<team::Model, AccountError> {
    organizations::validate_slug(slug).map_err(|e| AccountError::invalid(e.to_string()))?;
    let taken = team::Entity::find()
        .filter(team::Column::OrganizationId.eq(viewer.organization_id))
        .filter(team::Column::Slug.eq(slug))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(AccountError::invalid(format!(
            "a team {slug:?} already exists"
        )));
    }
    let created = team::ActiveModel {
        organization_id: Set(viewer.organization_id),
        slug: Set(slug.to_string()),
        name: Set(name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(slug)
            .to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(db, viewer, "team.create", format!("team:{slug}")).await?;
    Ok(created)
}

pub async fn delete<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    team_id: i64,
) -> Result<(), AccountError> {
    let team = find(db, viewer, team_id).await?;
    team_member::Entity::delete_many()
        .filter(team_member::Column::TeamId.eq(team.id))
        .exec(db)
        .await?;
    project_team::Entity::delete_many()
        .filter(project_team::Column::TeamId.eq(team.id))
        .exec(db)
        .await?;
    team::Entity::delete_by_id(team.id).exec(db).await?;
    audit::record(db, viewer, "team.delete", format!("team:{}", team.slug)).await?;
    Ok(())
}

/// Puts members in a team, or takes them out.
pub async fn set_membership<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    team_id: i64,
    member: &member::Model,
    in_team: bool,
) -> Result<(), AccountError> {
    let team = find(db, viewer, team_id).await?;
    if member.organization_id != viewer.organization_id {
        return Err(AccountError::NotFound("member"));
    }
    let existing = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team.id))
        .filter(team_member::Column::MemberId.eq(member.id))
        .one(db)
        .await?;
    match (existing, in_team) {
        (None, true) => {
            team_member::ActiveModel {
                team_id: Set(team.id),
                member_id: Set(member.id),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        (Some(row), false) => {
            team_member::Entity::delete_by_id(row.id).exec(db).await?;
        }
        _ => return Ok(()),
    }
    let action = if in_team {
        "team.member.add"
    } else {
        "team.member.remove"
    };
    audit::record(
        db,
        viewer,
        action,
        format!("team:{} member:{}", team.slug, member.email),
    )
    .await?;
    Ok(())
}

/// Gives a project to exactly these teams (none: visible to every member).
pub async fn set_project_teams<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    project: &project::Model,
    team_ids: &[i64],
) -> Result<(), AccountError> {
    for team_id in team_ids {
        find(db, viewer, *team_id).await?;
    }
    project_team::Entity::delete_many()
        .filter(project_team::Column::ProjectId.eq(project.id))
        .exec(db)
        .await?;
    for team_id in team_ids {
        project_team::ActiveModel {
            project_id: Set(project.id),
            team_id: Set(*team_id),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    audit::record(
        db,
        viewer,
        "project.teams",
        format!("project:{}", project.id),
    )
    .await?;
    Ok(())
}

/// The teams a project is given to.
pub async fn of_project<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
) -> Result<Vec<team::Model>, sea_orm::DbErr> {
    let ids: Vec<i64> = project_team::Entity::find()
        .filter(project_team::Column::ProjectId.eq(project_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.team_id)
        .collect();
    team::Entity::find()
        .filter(team::Column::Id.is_in(ids))
        .order_by_asc(team::Column::Slug)
        .all(db)
        .await
}

/// The members of a team.
pub async fn members_of<C: ConnectionTrait>(
    db: &C,
    team_id: i64,
) -> Result<Vec<member::Model>, sea_orm::DbErr> {
    let ids: Vec<i64> = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.member_id)
        .collect();
    member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .order_by_asc(member::Column::Email)
        .all(db)
        .await
}
