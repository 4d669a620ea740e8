//! API tokens: random, shown once, stored as SHA-256 only. An organization token acts as the
//! organization with the scopes it was made with; a personal token acts as its user, never
//! beyond the user's current role.
use chrono::{DateTime, Utc};
use entity::api_token;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use super::scopes::Scopes;

/// Every API token starts with this, so a leaked one is easy to recognise in logs and scanners.
pub const API_TOKEN_PREFIX: &str = "ldr_";

/// What a new token is for.
pub struct NewToken<'a> {
    pub organization_id: i64,
    pub name: &'a str,
    /// A personal token of this user; None for an organization token.
    pub user_id: Option<i64>,
    pub scopes: Scopes,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates a token and returns its row and the token in clear (the only time it is visible).
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewToken<'_>,
) -> anyhow::Result<(api_token::Model, String)> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        anyhow::bail!("a token name has 1 to 100 characters");
    }
    if new.scopes == Scopes::default() {
        anyhow::bail!("a token needs at least one scope");
    }
    if new.expires_at.is_some_and(|at| at <= Utc::now()) {
        anyhow::bail!("a token's expiry must be in the future");
    }
    let (token, token_hash) = new_secret(API_TOKEN_PREFIX);
    let row = api_token::ActiveModel {
        organization_id: Set(new.organization_id),
        name: Set(name.to_string()),
        token_hash: Set(token_hash),
        token_prefix: Set(token[..API_TOKEN_PREFIX.len() + 6].to_string()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        user_id: Set(new.user_id),
        scopes: Set(new.scopes.to_column()),
        expires_at: Set(new.expires_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row, token))
}

/// An organization token with every scope: what `larder token create` makes by default.
pub async fn create_token<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    name: &str,
) -> anyhow::Result<String> {
    let new = NewToken {
        organization_id,
        name,
        user_id: None,
        scopes: Scopes::all(),
        expires_at: None,
    };
    Ok(create(db, new).await?.1)
}

/// The live token a presented secret stands for: `None` for unknown, revoked or expired ones.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> Result<Option<api_token::Model>, sea_orm::DbErr> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_secret(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    Ok(found.filter(|t| t.expires_at.is_none_or(|at| at > Utc::now())))
}

/// The organization's tokens, newest first, revoked ones included (they show when revoked).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
) -> Result<Vec<api_token::Model>, sea_orm::DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::OrganizationId.eq(organization_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await
}

/// A token of the organization by id.
pub async fn find_in<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    id: i64,
) -> Result<Option<api_token::Model>, sea_orm::DbErr> {
    api_token::Entity::find_by_id(id)
        .filter(api_token::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// Revokes a token (it stops working at once); revoking twice changes nothing.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    token: api_token::Model,
) -> Result<api_token::Model, sea_orm::DbErr> {
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    let mut active: api_token::ActiveModel = token.into();
    active.revoked_at = Set(Some(Utc::now()));
    active.update(db).await
}

/// A random secret with `prefix` (192 bits) and the hash it is stored under.
pub(crate) fn new_secret(prefix: &str) -> (String, String) {
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    let clear = format!("{prefix}{}", hex::encode(secret));
    let hash = hash_secret(&clear);
    (clear, hash)
}

/// Secrets carry 192 random bits, so a fast hash is enough: there is nothing to brute-force.
pub(crate) fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_differs_per_token() {
        assert_eq!(hash_secret("ldr_a"), hash_secret("ldr_a"));
        assert_ne!(hash_secret("ldr_a"), hash_secret("ldr_b"));
        assert_eq!(hash_secret("x").len(), 64);
        let (clear, hash) = new_secret("lds_");
        assert!(clear.starts_with("lds_") && clear.len() == 52);
        assert_eq!(hash, hash_secret(&clear));
    }
}
