//! DSN public key → project, cached in memory. Entries expire after a few seconds so a revoked
//! key stops working quickly; unknown keys are cached too, so a flood of bad keys does not reach
//! the database on every request.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use entity::project_key;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::IngestError;

/// How long a key look-up is trusted (revocation takes effect within this time).
const TTL: Duration = Duration::from_secs(3);
/// Entries kept at most; the cache is cleared when full (it refills from hot keys at once).
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Debug, PartialEq)]
pub struct KeyInfo {
    pub key_id: i64,
    pub project_id: i64,
    pub active: bool,
    pub rate_limit_per_minute: Option<u32>,
}

#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (Instant, Option<KeyInfo>)>>,
}

impl KeyCache {
    /// The key's record, `None` when no such key exists.
    pub async fn lookup(
        &self,
        db: &DatabaseConnection,
        public_key: &str,
    ) -> Result<Option<KeyInfo>, IngestError> {
        if let Some((at, info)) = self.entries.lock().expect("cache lock").get(public_key)
            && at.elapsed() < TTL
        {
            return Ok(info.clone());
        }
        let info = project_key::Entity::find()
            .filter(project_key::Column::PublicKey.eq(public_key))
            .one(db)
            .await
            .map_err(IngestError::database)?
            .map(|k| KeyInfo {
                key_id: k.id,
                project_id: k.project_id,
                active: k.is_active,
                rate_limit_per_minute: k.rate_limit_per_minute.map(|n| n.max(0) as u32),
            });
        let mut entries = self.entries.lock().expect("cache lock");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(public_key.to_string(), (Instant::now(), info.clone()));
        Ok(info)
    }

    /// Forgets a key at once (used when the API revokes it on this node).
    pub fn invalidate(&self, public_key: &str) {
        self.entries.lock().expect("cache lock").remove(public_key);
    }
}
