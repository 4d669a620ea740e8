//! Secrets at rest: integration configurations (SMTP passwords, Slack, GitHub, Jira and Twilio
//! tokens, webhook URLs and signing keys) are stored sealed with XChaCha20-Poly1305 under the
//! server's key, never in clear.
//!
//! Sealed text is `v1:<key id>:<base64 of 24-byte nonce ‖ ciphertext ‖ tag>`; the key id (the
//! first 8 hex digits of the key's SHA-256) says which key sealed it, so rows stay readable while
//! `larder secrets rotate` moves them to a new key. The key is `LARDER_SECRET_KEY` (32 bytes, as
//! base64 or 64 hex digits) or a key file made with mode 0600 on first start (beside the SQLite
//! database). Text without the `v1:` prefix is a row written before sealing existed; the server
//! seals such rows when it starts.
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use entity::integration;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};

const PREFIX: &str = "v1:";
pub const KEY_ENV: &str = "LARDER_SECRET_KEY";

/// One 256-bit key and its id.
#[derive(Clone)]
struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Key {
        Key {
            id: hex::encode(&Sha256::digest(bytes)[..4]),
            cipher: XChaCha20Poly1305::new(bytes.into()),
        }
    }
}

/// The keys a server holds: the one new secrets are sealed with, and older ones still read.
#[derive(Clone)]
pub struct SecretKeys {
    current: Key,
    older: Vec<Key>,
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKeys(current {})", self.current.id)
    }
}

/// Why sealed text cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("sealed with key {0}, which this server does not hold (see LARDER_SECRET_KEY)")]
    UnknownKey(String),
    #[error("sealed text is damaged or was altered")]
    Damaged,
}

impl SecretKeys {
    pub fn from_bytes(current: &[u8; 32]) -> SecretKeys {
        SecretKeys {
            current: Key::new(current),
            older: Vec::new(),
        }
    }

    /// Also reads secrets sealed with `older`.
    pub fn reading(mut self, older: &[u8; 32]) -> SecretKeys {
        self.older.push(Key::new(older));
        self
    }

    pub fn random() -> SecretKeys {
        SecretKeys::from_bytes(&random_key())
    }

    /// The key id new secrets are sealed under.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .current
            .cipher
            .encrypt(&XNonce::from(nonce), plaintext.as_bytes())
            .expect("XChaCha20-Poly1305 encrypts any length a column holds");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{PREFIX}{}:{}", self.current.id, STANDARD.encode(sealed))
    }

    /// The plaintext of sealed text; text that was never sealed is returned as it is.
    pub fn open(&self, stored: &str) -> Result<String, OpenError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let (id, body) = rest.split_once(':').ok_or(OpenError::Damaged)?;
        let key = std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == id)
            .ok_or_else(|| OpenError::UnknownKey(id.to_string()))?;
        let bytes = STANDARD.decode(body).map_err(|_| OpenError::Damaged)?;
        if bytes.len() < 24 {
            return Err(OpenError::Damaged);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| OpenError::Damaged)?;
        let plaintext = key
            .cipher
            .decrypt(&XNonce::from(nonce), ciphertext)
            .map_err(|_| OpenError::Damaged)?;
        String::from_utf8(plaintext).map_err(|_| OpenError::Damaged)
    }

    pub fn is_sealed_with_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.current.id)
    }
}

pub fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}

/// A key as written in `LARDER_SECRET_KEY` or a key file: base64 or 64 hex digits.
pub fn parse_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(text)?
    } else {
        STANDARD
            .decode(text)
            .map_err(|_| anyhow::anyhow!("a secret key is 32 bytes as base64 or 64 hex digits"))?
    };
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("a secret key is 32 bytes as base64 or 64 hex digits"))
}

/// Where the key file lives: beside the SQLite database, or in `larder-data/` for PostgreSQL.
pub fn default_key_file(database_url: &str) -> PathBuf {
    let sqlite_path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.starts_with(":memory:"));
    match sqlite_path {
        Some(path) => Path::new(path)
            .parent()
            .map(|dir| dir.join("secret.key"))
            .unwrap_or_else(|| PathBuf::from("secret.key")),
        None => PathBuf::from("larder-data/secret.key"),
    }
}

/// The server's keys: from the environment's key, else from the key file (made on first start
/// with mode 0600). A `<file>.new` left by an interrupted rotation is read too.
pub fn load_or_create(env_key: Option<&str>, key_file: &Path) -> anyhow::Result<SecretKeys> {
    if let Some(text) = env_key {
        return Ok(SecretKeys::from_bytes(&parse_key(text)?));
    }
    let keys = match std::fs::read_to_string(key_file) {
        Ok(text) => SecretKeys::from_bytes(&parse_key(&text).map_err(|e| {
            anyhow::anyhow!("the key file {} is not a key: {e}", key_file.display())
        })?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = random_key();
            write_key_file(key_file, &key)?;
            tracing::info!(file = %key_file.display(), "created the secret key file");
            SecretKeys::from_bytes(&key)
        }
        Err(error) => anyhow::bail!("cannot read the key file {}: {error}", key_file.display()),
    };
    match std::fs::read_to_string(pending_file(key_file)) {
        Ok(text) => Ok(keys.reading(&parse_key(&text)?)),
        Err(_) => Ok(keys),
    }
}

fn pending_file(key_file: &Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// Writes a key readable by its owner only (mode 0600 from creation on, never wider).
fn write_key_file(path: &Path, key: &[u8; 32]) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create the key file {}: {e}", path.display()))?;
    file.write_all(STANDARD.encode(key).as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Seals every integration configuration not sealed with the current key (rows written before
/// sealing existed, or under an older key); returns how many changed.
pub async fn reseal_integrations<C: ConnectionTrait>(
    db: &C,
    keys: &SecretKeys,
) -> anyhow::Result<usize> {
    let mut changed = 0;
    for row in integration::Entity::find().all(db).await? {
        if keys.is_sealed_with_current(&row.config) {
            continue;
        }
        let plaintext = keys.open(&row.config)?;
        let mut active: integration::ActiveModel = row.into();
        active.config = Set(keys.seal(&plaintext));
        active.update(db).await?;
        changed += 1;
    }
    Ok(changed)
}

/// `larder secrets rotate`: re-seals every secret under a new key. With a key file, the new key
/// is written to `<file>.new` first (so an interruption loses nothing: both are read at start),
/// the rows are re-sealed in one transaction, then the new file replaces the old. With
/// `LARDER_SECRET_KEY`, the new key comes from `new_env_key` and the operator swaps it after.
pub async fn rotate(
    db: &sea_orm::DatabaseConnection,
    env_key: Option<&str>,
    new_env_key: Option<&str>,
    key_file: &Path,
) -> anyhow::Result<(usize, String)> {
    let old = load_or_create(env_key, key_file)?;
    let new_key = match (env_key, new_env_key) {
        (Some(_), Some(text)) => parse_key(text)?,
        (Some(_), None) => anyhow::bail!(
            "{KEY_ENV} is set: put the new key in LARDER_NEW_SECRET_KEY, rotate, then swap them"
        ),
        (None, _) => {
            let key = random_key();
            let pending = pending_file(key_file);
            let _ = std::fs::remove_file(&pending);
            write_key_file(&pending, &key)?;
            key
        }
    };
    let mut keys = SecretKeys::from_bytes(&new_key);
    keys.older.push(old.current.clone());
    keys.older.extend(old.older.iter().cloned());
    let txn = crate::db::begin_write(db).await?;
    let changed = reseal_integrations(&txn, &keys).await?;
    txn.commit().await?;
    if env_key.is_none() {
        std::fs::rename(pending_file(key_file), key_file)?;
    }
    Ok((changed, keys.current.id.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_unchanged() {
        let keys = SecretKeys::random();
        let sealed = keys.seal(r#"{"type":"webhook","secret":"hunter2"}"#);
        assert!(sealed.starts_with(&format!("v1:{}:", keys.current_id())));
        assert!(!sealed.contains("hunter2"));
        assert_eq!(
            keys.open(&sealed).unwrap(),
            r#"{"type":"webhook","secret":"hunter2"}"#
        );
        assert_ne!(
            keys.seal("same"),
            keys.seal("same"),
            "a fresh nonce per seal"
        );
        let other = SecretKeys::random();
        assert!(matches!(other.open(&sealed), Err(OpenError::UnknownKey(_))));
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 3..sealed.len() - 2, "A");
        let tampered = if tampered == sealed {
            sealed.replace('B', "C")
        } else {
            tampered
        };
        assert!(keys.open(&tampered).is_err());
        assert_eq!(keys.open("{\"plain\":1}").unwrap(), "{\"plain\":1}");
    }

    #[test]
    fn older_keys_still_read() {
        let old = random_key();
        let sealed = SecretKeys::from_bytes(&old).seal("x");
        let rotated = SecretKeys::random().reading(&old);
        assert_eq!(rotated.open(&sealed).unwrap(), "x");
        assert!(!rotated.is_sealed_with_current(&sealed));
    }

    #[test]
    fn keys_parse_from_base64_or_hex_and_the_file_is_private() {
        let key = random_key();
        assert_eq!(parse_key(&STANDARD.encode(key)).unwrap(), key);
        assert_eq!(parse_key(&hex::encode(key)).unwrap(), key);
        assert!(parse_key("short").is_err());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/secret.key");
        let first = load_or_create(None, &file).unwrap();
        let again = load_or_create(None, &file).unwrap();
        assert_eq!(first.current_id(), again.current_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            default_key_file("sqlite://larder-data/larder.db"),
            PathBuf::from("larder-data/secret.key")
        );
    }
}
