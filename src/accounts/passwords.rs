//! Password hashing: argon2id with OWASP's first recommended parameter set — 19 MiB of memory,
//! 2 passes, 1 lane — a 16-byte random salt and a 32-byte output, stored as a PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$…`), so stored hashes keep verifying if the parameters are
//! raised later. Verification compares in constant time (the `password-hash` crate's `Output`).
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool.
use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted: argon2 takes any length, but a megabyte "password" is an attack.
pub const MAX_LENGTH: usize = 1_024;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, Some(32)).expect("constant argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password is refused, in words for the person choosing it.
pub fn check_strength(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!(
            "a password needs at least {MIN_LENGTH} characters (this one has {length})"
        ));
    }
    if password.len() > MAX_LENGTH {
        return Err(format!("a password has at most {MAX_LENGTH} bytes"));
    }
    Ok(())
}

/// The PHC string of a new hash of `password`.
pub async fn hash(password: &str) -> anyhow::Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
    })
    .await?
}

/// Whether `password` matches `stored`. With `stored = None` (no such user) a hash of the same
/// cost is still checked, so an unknown e-mail takes as long as a wrong password.
pub async fn verify(password: &str, stored: Option<String>) -> bool {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DECOY.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password with the current parameters, checked when the e-mail is unknown.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    let random = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(random.as_str().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let stored = hash("correct horse battery").await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery", Some(stored.clone())).await);
        assert!(!verify("correct horse batterY", Some(stored)).await);
        assert!(!verify("correct horse battery", None).await);
    }

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        assert!(
            check_strength("123456789")
                .unwrap_err()
                .contains("10 characters")
        );
        assert!(check_strength("1234567890").is_ok());
        assert!(check_strength(&"x".repeat(2000)).is_err());
    }
}
