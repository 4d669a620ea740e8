//! The audit log: who changed an organization's access or settings, when, and from where.
//! Entries are written in the same call as the change they record, never from the API layer.
use chrono::Utc;
use entity::{audit_entry, user_account};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::access::Viewer;

/// Records an action of `viewer` on `target` (e.g. `token:12`).
pub async fn record<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    action: &str,
    target: impl Into<String>,
) -> Result<(), sea_orm::DbErr> {
    insert(
        db,
        Some(viewer.organization_id),
        &viewer.actor,
        action,
        target.into(),
        viewer.client_address.as_deref(),
    )
    .await
}

/// Records a sign-in attempt with `email` in every organization of its user, the one the
/// caller already looked up (or in none, for an unknown address: then only server operators see
/// it, in the table).
pub async fn record_sign_in<C: ConnectionTrait>(
    db: &C,
    email: &str,
    user: Option<&user_account::Model>,
    succeeded: bool,
    client: Option<&str>,
) -> Result<(), sea_orm::DbErr> {
    let action = if succeeded {
        "signin.success"
    } else {
        "signin.failure"
    };
    let organizations = match user {
        Some(user) => super::users::memberships(db, user.id)
            .await?
            .into_iter()
            .map(|(_, organization)| Some(organization.id))
            .collect(),
        None => vec![None],
    };
    for organization_id in organizations {
        let actor = format!("user:{email}");
        insert(db, organization_id, &actor, action, actor.clone(), client).await?;
    }
    Ok(())
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    organization_id: Option<i64>,
    actor: &str,
    action: &str,
    target: String,
    client: Option<&str>,
) -> Result<(), sea_orm::DbErr> {
    audit_entry::ActiveModel {
        organization_id: Set(organization_id),
        actor: Set(actor.chars().take(300).collect()),
        action: Set(action.to_string()),
        target: Set(target.chars().take(300).collect()),
        client_address: Set(client.map(str::to_string)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(drop)
}

/// A page of an organization's entries, newest first, after the entry id `before` when given.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    limit: u64,
    before: Option<i64>,
) -> Result<Vec<audit_entry::Model>, sea_orm::DbErr> {
    let mut query = audit_entry::Entity::find()
        .filter(audit_entry::Column::OrganizationId.eq(organization_id))
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(audit_entry::Column::Id.lt(before));
    }
    query.all(db).await
}
