//! One-time links: the first-run setup link, invitations and password resets. Each carries a
//! random token (`ldl_…`) of which only the SHA-256 is stored; a link works once, until it
//! expires.
use chrono::{TimeDelta, Utc};
use entity::states::{LinkPurpose, Role};
use entity::{member, one_time_token, user_account};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use super::access::Viewer;
use super::tokens::{hash_secret, new_secret};
use super::{AccountError, audit, members, organizations, passwords, teams, users};

const LINK_PREFIX: &str = "ldl_";
pub const SETUP_VALID: TimeDelta = TimeDelta::hours(24);
pub const INVITATION_VALID: TimeDelta = TimeDelta::days(7);
pub const RESET_VALID: TimeDelta = TimeDelta::hours(1);

/// A link just made, with its token in clear.
pub struct NewLink {
    pub token: String,
    pub row: one_time_token::Model,
}

async fn create<C: ConnectionTrait>(
    db: &C,
    row: one_time_token::ActiveModel,
    valid: TimeDelta,
) -> Result<NewLink, AccountError> {
    let (token, token_hash) = new_secret(LINK_PREFIX);
    let now = Utc::now();
    let mut row = row;
    row.token_hash = Set(token_hash);
    row.created_at = Set(now);
    row.expires_at = Set(now + valid);
    row.used_at = Set(None);
    if row.team_ids.is_not_set() {
        row.team_ids = Set("[]".to_string());
    }
    let row = row.insert(db).await?;
    Ok(NewLink { token, row })
}

/// The unused, unexpired link of `purpose` a token stands for.
async fn redeemable<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: LinkPurpose,
) -> Result<one_time_token::Model, AccountError> {
    one_time_token::Entity::find()
        .filter(one_time_token::Column::TokenHash.eq(hash_secret(token.trim())))
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
        .ok_or_else(|| AccountError::invalid("this link is invalid, used or expired"))
}

async fn mark_used<C: ConnectionTrait>(
    db: &C,
    link: one_time_token::Model,
) -> Result<(), AccountError> {
    let mut active: one_time_token::ActiveModel = link.into();
    active.used_at = Set(Some(Utc::now()));
    active.update(db).await?;
    Ok(())
}

/// A setup link when the server has no user yet (printed in the log at start).
pub async fn setup_link<C: ConnectionTrait>(db: &C) -> Result<Option<NewLink>, AccountError> {
    if users::any_user(db).await? {
        return Ok(None);
    }
    let row = one_time_token::ActiveModel {
        purpose: Set(LinkPurpose::Setup),
        ..Default::default()
    };
    create(db, row, SETUP_VALID).await.map(Some)
}

/// Redeems the setup link: the first user, owner of the first organization.
pub async fn complete_setup(
    db: &DatabaseConnection,
    token: &str,
    email: &str,
    name: Option<&str>,
    password: &str,
) -> Result<user_account::Model, AccountError> {
    let txn = crate::db::begin_write(db).await?;
    let link = redeemable(&txn, token, LinkPurpose::Setup).await?;
    if users::any_user(&txn).await? {
        return Err(AccountError::invalid(
            "this server already has users: sign in instead",
        ));
    }
    let user = users::create_user(&txn, email, name, password).await?;
    let organization = organizations::find_or_create(&txn, None).await?;
    users::add_member(&txn, organization.id, &user, Role::Owner).await?;
    mark_used(&txn, link).await?;
    txn.commit().await?;
    Ok(user)
}

/// Invites an address to the viewer's organization with a role and teams.
pub async fn invite<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    email: &str,
    role: Role,
    team_ids: &[i64],
) -> Result<NewLink, AccountError> {
    let email = users::normalize_email(email)?;
    members::check_may_manage(viewer, role)?;
    for team_id in team_ids {
        teams::find(db, viewer, *team_id).await?;
    }
    let already = member::Entity::find()
        .filter(member::Column::OrganizationId.eq(viewer.organization_id))
        .filter(member::Column::Email.eq(email.clone()))
        .filter(member::Column::UserId.is_not_null())
        .one(db)
        .await?
        .is_some();
    if already {
        return Err(AccountError::invalid(format!(
            "{email} is already a member"
        )));
    }
    let row = one_time_token::ActiveModel {
        purpose: Set(LinkPurpose::Invitation),
        organization_id: Set(Some(viewer.organization_id)),
        email: Set(Some(email.clone())),
        role: Set(Some(role)),
        team_ids: Set(serde_json::to_string(team_ids).map_err(anyhow::Error::from)?),
        ..Default::default()
    };
    let link = create(db, row, INVITATION_VALID).await?;
    audit::record(
        db,
        viewer,
        "member.invite",
        format!("{email} as {}", role.as_str()),
    )
    .await?;
    Ok(link)
}

/// Accepts an invitation: a new user with this password, or — when the address already has a
/// user — that user, if the password is theirs. Returns the user, now a member.
pub async fn accept_invitation(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    name: Option<&str>,
) -> Result<user_account::Model, AccountError> {
    let txn = crate::db::begin_write(db).await?;
    let link = redeemable(&txn, token, LinkPurpose::Invitation).await?;
    let (Some(organization_id), Some(email), Some(role)) =
        (link.organization_id, link.email.clone(), link.role)
    else {
        return Err(AccountError::invalid(
            "this link is invalid, used or expired",
        ));
    };
    let user = match users::find_by_email(&txn, &email).await? {
        Some(existing) => {
            if !passwords::verify(password, Some(existing.password_hash.clone())).await {
                return Err(AccountError::invalid(
                    "this address already has an account: give its password to accept",
                ));
            }
            existing
        }
        None => users::create_user(&txn, &email, name, password).await?,
    };
    let member = users::add_member(&txn, organization_id, &user, role).await?;
    let team_ids: Vec<i64> = serde_json::from_str(&link.team_ids).unwrap_or_default();
    for team_id in team_ids {
        entity::team_member::ActiveModel {
            team_id: Set(team_id),
            member_id: Set(member.id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    mark_used(&txn, link).await?;
    txn.commit().await?;
    Ok(user)
}

/// A password-reset link for the address's user; None for an unknown address (the caller
/// answers the same either way).
pub async fn password_reset<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<(user_account::Model, NewLink)>, AccountError> {
    let Some(user) = users::find_by_email(db, email).await? else {
        return Ok(None);
    };
    let row = one_time_token::ActiveModel {
        purpose: Set(LinkPurpose::PasswordReset),
        user_id: Set(Some(user.id)),
        ..Default::default()
    };
    let link = create(db, row, RESET_VALID).await?;
    Ok(Some((user, link)))
}

/// Redeems a reset link: the new password, every existing session ended.
pub async fn reset_password(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
) -> Result<user_account::Model, AccountError> {
    let txn = crate::db::begin_write(db).await?;
    let link = redeemable(&txn, token, LinkPurpose::PasswordReset).await?;
    let user = user_account::Entity::find_by_id(link.user_id.unwrap_or_default())
        .one(&txn)
        .await?
        .ok_or_else(|| AccountError::invalid("this link is invalid, used or expired"))?;
    let user = users::set_password(&txn, user, password).await?;
    mark_used(&txn, link).await?;
    txn.commit().await?;
    Ok(user)
}
