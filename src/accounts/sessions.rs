//! Sign-in and sessions. A session token (`lds_…`) works as `Authorization: Bearer` exactly like
//! an API token and, for browsers, travels in an `HttpOnly` cookie; only its SHA-256 is stored.
//! Sessions slide: each use (at most once per `slide_step`) moves the expiry a full lifetime on.
use std::time::Duration;

use chrono::Utc;
use entity::{user_account, user_session};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::throttle::SignInThrottle;
use super::tokens::{hash_secret, new_secret};
use super::{AccountError, audit, passwords, users};

pub const SESSION_PREFIX: &str = "lds_";
/// The cookie a browser's session travels in.
pub const SESSION_COOKIE: &str = "larder_session";
/// How long an unused session lives, by default.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// A session just opened, with its token in clear (given to the client once).
pub struct OpenedSession {
    pub token: String,
    pub session: user_session::Model,
    pub user: user_account::Model,
}

/// Why a sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown e-mail and wrong password alike: the answer never tells which.
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("too many failed sign-ins; try again in {} s", .0.as_secs().max(1))]
    Throttled(Duration),
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// Checks the password (always at the same cost) and opens a session. Failures count against
/// the account and the client address; both outcomes are in the audit log.
pub async fn sign_in<C: ConnectionTrait>(
    db: &C,
    throttle: &SignInThrottle,
    email: &str,
    password: &str,
    client: Option<&str>,
    lifetime: Duration,
) -> Result<OpenedSession, SignInError> {
    let email = email.trim().to_lowercase();
    throttle
        .check(&email, client)
        .map_err(SignInError::Throttled)?;
    let user = users::find_by_email(db, &email)
        .await
        .map_err(AccountError::from)?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = passwords::verify(password, stored).await;
    audit::record_sign_in(db, &email, user.as_ref(), verified, client)
        .await
        .map_err(AccountError::from)?;
    match user {
        Some(user) if verified => {
            throttle.succeeded(&email);
            Ok(open(db, user, client, lifetime).await?)
        }
        _ => {
            throttle.failed(&email, client);
            Err(SignInError::WrongCredentials)
        }
    }
}

/// Opens a session for a user who proved who they are (password, setup or invitation link).
pub async fn open<C: ConnectionTrait>(
    db: &C,
    user: user_account::Model,
    client: Option<&str>,
    lifetime: Duration,
) -> Result<OpenedSession, AccountError> {
    let (token, token_hash) = new_secret(SESSION_PREFIX);
    let now = Utc::now();
    let session = user_session::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(token_hash),
        client_address: Set(client.map(str::to_string)),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(OpenedSession {
        token,
        session,
        user,
    })
}

/// The live session a token stands for, with its user; slides its expiry. `None` for unknown
/// and expired sessions.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    token: &str,
    lifetime: Duration,
) -> Result<Option<(user_session::Model, user_account::Model)>, sea_orm::DbErr> {
    let Some(session) = user_session::Entity::find()
        .filter(user_session::Column::TokenHash.eq(hash_secret(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if session.expires_at <= now {
        return Ok(None);
    }
    let Some(user) = user_account::Entity::find_by_id(session.user_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let renewed = now + lifetime;
    let session = if renewed - session.expires_at > slide_step(lifetime) {
        let mut active: user_session::ActiveModel = session.into();
        active.expires_at = Set(renewed);
        active.update(db).await?
    } else {
        session
    };
    Ok(Some((session, user)))
}

/// Expiry moves in steps, so a busy session is written at most once per step, not per request.
fn slide_step(lifetime: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(lifetime.min(Duration::from_secs(36_000)) / 10)
        .unwrap_or(chrono::TimeDelta::minutes(1))
}

/// Ends a session (sign-out).
pub async fn close<C: ConnectionTrait>(db: &C, session_id: i64) -> Result<(), sea_orm::DbErr> {
    user_session::Entity::delete_by_id(session_id)
        .exec(db)
        .await
        .map(drop)
}

/// Ends every session of a user (removed from their last organization, or a new password).
pub async fn close_all<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<(), sea_orm::DbErr> {
    user_session::Entity::delete_many()
        .filter(user_session::Column::UserId.eq(user_id))
        .exec(db)
        .await
        .map(drop)
}

/// The CSRF token of a session: a browser page sends it back in `X-Larder-CSRF` when its
/// request carries the session cookie but no same-origin `Origin`. Derived from the session's
/// secret, so another site can neither read nor compute it.
pub fn csrf_token(session_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("larder-csrf\0{session_token}").as_bytes(),
    ))
}

/// The `Set-Cookie` value that hands a session to a browser: `HttpOnly` (no script reads it),
/// `SameSite=Lax` (not sent on cross-site posts), `Secure` when the server is reached over https.
pub fn cookie(token: &str, lifetime: Duration, public_url: &str) -> String {
    let secure = if public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        lifetime.as_secs()
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removed_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_token_is_bound_to_the_session() {
        assert_eq!(csrf_token("lds_a"), csrf_token("lds_a"));
        assert_ne!(csrf_token("lds_a"), csrf_token("lds_b"));
    }

    #[test]
    fn sliding_steps_are_a_tenth_of_the_lifetime_up_to_an_hour() {
        assert_eq!(slide_step(DEFAULT_LIFETIME), chrono::TimeDelta::hours(1));
        assert_eq!(
            slide_step(Duration::from_secs(600)),
            chrono::TimeDelta::minutes(1)
        );
    }
}
