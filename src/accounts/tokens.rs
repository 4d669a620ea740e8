//! API tokens: random, shown once, stored as SHA-256 only.
use chrono::Utc;
use entity::api_token;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// Every token starts with this, so a leaked one is easy to recognise in logs and scanners.
const TOKEN_PREFIX: &str = "ldr_";

/// Who a GraphQL request acts as: the organization its token belongs to.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub organization_id: i64,
    pub token_id: i64,
    pub token_name: String,
}

/// Creates a token for an organization and returns it in clear (the only time it is visible).
pub async fn create_token<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    name: &str,
) -> anyhow::Result<String> {
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
    api_token::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(name.to_string()),
        token_hash: Set(hash_token(&token)),
        token_prefix: Set(token[..TOKEN_PREFIX.len() + 6].to_string()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The viewer a presented token stands for; `None` for unknown or revoked tokens.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> Result<Option<Viewer>, sea_orm::DbErr> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_token(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    Ok(found.map(|t| Viewer {
        organization_id: t.organization_id,
        token_id: t.id,
        token_name: t.name,
    }))
}

/// Tokens carry 192 random bits, so a fast hash is enough: there is nothing to brute-force.
fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_differs_per_token() {
        assert_eq!(hash_token("ldr_a"), hash_token("ldr_a"));
        assert_ne!(hash_token("ldr_a"), hash_token("ldr_b"));
        assert_eq!(hash_token("x").len(), 64);
    }
}
