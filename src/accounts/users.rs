//! Users (people who sign in) and their memberships in organizations.
use chrono::Utc;
use entity::states::Role;
use entity::{member, organization, user_account, user_session};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{AccountError, passwords};

/// The address as stored: trimmed and lowercase; an error names what is wrong with it.
pub fn normalize_email(raw: &str) -> Result<String, AccountError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(AccountError::invalid(format!(
            "invalid email address {raw:?}"
        )))
    }
}

pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<user_account::Model>, sea_orm::DbErr> {
    user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await
}

/// Creates a user; an address already taken or a weak password is refused.
pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    email: &str,
    name: Option<&str>,
    password: &str,
) -> Result<user_account::Model, AccountError> {
    let email = normalize_email(email)?;
    passwords::check_strength(password).map_err(AccountError::Invalid)?;
    if find_by_email(db, &email).await?.is_some() {
        return Err(AccountError::invalid(format!(
            "a user with the email {email} already exists"
        )));
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&email);
    let user = user_account::ActiveModel {
        email: Set(email.clone()),
        name: Set(name.chars().take(200).collect()),
        password_hash: Set(passwords::hash(password).await?),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(user)
}

/// Makes `user` a member of the organization with `role`. A member row with the user's address
/// (a contact made before the user existed) becomes theirs; an existing membership changes role.
pub async fn add_member<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    user: &user_account::Model,
    role: Role,
) -> Result<member::Model, AccountError> {
    let existing = member::Entity::find()
        .filter(member::Column::OrganizationId.eq(organization_id))
        .filter(
            Condition::any()
                .add(member::Column::UserId.eq(user.id))
                .add(member::Column::Email.eq(user.email.clone())),
        )
        .one(db)
        .await?;
    if let Some(existing) = existing {
        let mut active: member::ActiveModel = existing.into();
        active.user_id = Set(Some(user.id));
        active.role = Set(role);
        return Ok(active.update(db).await?);
    }
    Ok(member::ActiveModel {
        organization_id: Set(organization_id),
        email: Set(user.email.clone()),
        name: Set(user.name.clone()),
        created_at: Set(Utc::now()),
        user_id: Set(Some(user.id)),
        role: Set(role),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The organizations a user belongs to, oldest membership first, with the member rows.
pub async fn memberships<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<Vec<(member::Model, organization::Model)>, sea_orm::DbErr> {
    let members = member::Entity::find()
        .filter(member::Column::UserId.eq(user_id))
        .order_by_asc(member::Column::Id)
        .all(db)
        .await?;
    let organizations = organization::Entity::find()
        .filter(organization::Column::Id.is_in(members.iter().map(|m| m.organization_id)))
        .all(db)
        .await?;
    Ok(members
        .into_iter()
        .filter_map(|m| {
            let organization = organizations
                .iter()
                .find(|o| o.id == m.organization_id)?
                .clone();
            Some((m, organization))
        })
        .collect())
}

/// Sets a new password and ends every session of the user.
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    user: user_account::Model,
    password: &str,
) -> Result<user_account::Model, AccountError> {
    passwords::check_strength(password).map_err(AccountError::Invalid)?;
    let user_id = user.id;
    let mut active: user_account::ActiveModel = user.into();
    active.password_hash = Set(passwords::hash(password).await?);
    let user = active.update(db).await?;
    user_session::Entity::delete_many()
        .filter(user_session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(user)
}

/// Whether the server has any user yet (the first-run setup link is offered until it has).
pub async fn any_user<C: ConnectionTrait>(db: &C) -> Result<bool, sea_orm::DbErr> {
    Ok(user_account::Entity::find().one(db).await?.is_some())
}
