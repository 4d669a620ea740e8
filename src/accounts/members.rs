//! An organization's members: contacts for alerts and assignment, and — when linked to a user —
//! people who sign in with a role. Owners are changed only by owners, and an organization
//! always keeps one.
use chrono::Utc;
use entity::states::Role;
use entity::{issue, member, team_member};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::access::Viewer;
use super::scopes::Scope;
use super::{AccountError, audit, sessions, users};

pub async fn list<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
) -> Result<Vec<member::Model>, sea_orm::DbErr> {
    member::Entity::find()
        .filter(member::Column::OrganizationId.eq(organization_id))
        .order_by_asc(member::Column::Email)
        .all(db)
        .await
}

/// A member by id, in whichever organization: for a caller that reached the id through an
/// object of the viewer's (an issue's assignee).
pub async fn get<C: ConnectionTrait>(
    db: &C,
    member_id: i64,
) -> Result<Option<member::Model>, sea_orm::DbErr> {
    member::Entity::find_by_id(member_id).one(db).await
}

/// A member of the viewer's organization.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    member_id: i64,
) -> Result<member::Model, AccountError> {
    member::Entity::find_by_id(member_id)
        .filter(member::Column::OrganizationId.eq(viewer.organization_id))
        .one(db)
        .await?
        .ok_or(AccountError::NotFound("member"))
}

/// Adds a contact who receives alerts and can be assigned issues, but does not sign in.
pub async fn create_contact<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    email: &str,
    name: Option<String>,
) -> Result<member::Model, AccountError> {
    let email = users::normalize_email(email)?;
    let exists = member::Entity::find()
        .filter(member::Column::OrganizationId.eq(viewer.organization_id))
        .filter(member::Column::Email.eq(email.clone()))
        .count(db)
        .await?
        > 0;
    if exists {
        return Err(AccountError::invalid(
            "a member with this email already exists",
        ));
    }
    let created = member::ActiveModel {
        organization_id: Set(viewer.organization_id),
        name: Set(name.unwrap_or_else(|| email.clone())),
        email: Set(email),
        created_at: Set(Utc::now()),
        user_id: Set(None),
        role: Set(Role::Member),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        viewer,
        "member.create",
        format!("member:{}", created.id),
    )
    .await?;
    Ok(created)
}

/// Only owners (holders of `org:admin`) make, change or remove owners.
pub fn check_may_manage(viewer: &Viewer, role: Role) -> Result<(), AccountError> {
    if role == Role::Owner && !viewer.has(Scope::OrgAdmin) {
        return Err(AccountError::invalid("only an owner can manage owners"));
    }
    Ok(())
}

async fn ensure_another_owner<C: ConnectionTrait>(
    db: &C,
    target: &member::Model,
) -> Result<(), AccountError> {
    if target.role != Role::Owner {
        return Ok(());
    }
    let owners = member::Entity::find()
        .filter(member::Column::OrganizationId.eq(target.organization_id))
        .filter(member::Column::Role.eq(Role::Owner))
        .filter(member::Column::UserId.is_not_null())
        .count(db)
        .await?;
    if owners <= 1 {
        return Err(AccountError::invalid(
            "an organization keeps at least one owner",
        ));
    }
    Ok(())
}

pub async fn change_role<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    member_id: i64,
    role: Role,
) -> Result<member::Model, AccountError> {
    let target = find(db, viewer, member_id).await?;
    check_may_manage(viewer, target.role)?;
    check_may_manage(viewer, role)?;
    if role != Role::Owner {
        ensure_another_owner(db, &target).await?;
    }
    let mut active: member::ActiveModel = target.into();
    active.role = Set(role);
    let updated = active.update(db).await?;
    audit::record(
        db,
        viewer,
        &format!("member.role.{}", role.as_str()),
        format!("member:{member_id}"),
    )
    .await?;
    Ok(updated)
}

/// Removes a member: out of their teams, unassigned from issues, and — when they sign in —
/// every session of theirs ended at once.
pub async fn remove<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    member_id: i64,
) -> Result<(), AccountError> {
    let target = find(db, viewer, member_id).await?;
    check_may_manage(viewer, target.role)?;
    ensure_another_owner(db, &target).await?;
    team_member::Entity::delete_many()
        .filter(team_member::Column::MemberId.eq(target.id))
        .exec(db)
        .await?;
    issue::Entity::update_many()
        .col_expr(issue::Column::AssigneeId, Expr::value(Option::<i64>::None))
        .filter(issue::Column::AssigneeId.eq(target.id))
        .exec(db)
        .await?;
    member::Entity::delete_by_id(target.id).exec(db).await?;
    if let Some(user_id) = target.user_id {
        sessions::close_all(db, user_id).await?;
    }
    audit::record(
        db,
        viewer,
        "member.remove",
        format!("member:{}", target.email),
    )
    .await?;
    Ok(())
}
