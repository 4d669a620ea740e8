//! Per-project ingest settings, cached for a few seconds so that the hot path does not read the
//! project row for every event, while setting changes still apply within seconds.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entity::project;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::{Deserialize, Serialize};

use super::IngestError;
use super::controls::filters::InboundFilters;
use super::writer::SimilaritySettings;
use crate::grouping::{FingerprintRules, GroupingConfig, StackRules};

/// How long a project's settings are reused before being read again.
const TTL: Duration = Duration::from_secs(5);

/// What ingest needs to know about a project.
pub struct ProjectSettings {
    pub id: i64,
    pub organization_id: i64,
    pub grouping: GroupingConfig,
    pub similarity: SimilaritySettings,
    pub sample_rate: f64,
    pub rate_limit_per_minute: Option<u32>,
    pub extra: ExtraSettings,
}

/// The JSON `settings` column of a project: read by ingest, written and shown by the API, always
/// through this one type (a renamed field cannot silently stop taking effect).
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct ExtraSettings {
    /// Data scrubbing of sensitive keys; on unless turned off.
    pub scrub_data: Option<bool>,
    pub sensitive_fields: Vec<String>,
    pub safe_fields: Vec<String>,
    pub scrub_ip_addresses: bool,
    pub inbound_filters: InboundFilters,
}

#[derive(Default)]
pub struct ProjectCache {
    entries: Mutex<HashMap<i64, (Instant, Arc<ProjectSettings>)>>,
}

impl ProjectCache {
    pub async fn get(
        &self,
        db: &DatabaseConnection,
        project_id: i64,
    ) -> Result<Option<Arc<ProjectSettings>>, IngestError> {
        if let Some((at, settings)) = self.entries.lock().expect("cache lock").get(&project_id)
            && at.elapsed() < TTL
        {
            return Ok(Some(settings.clone()));
        }
        let Some(row) = project::Entity::find_by_id(project_id)
            .one(db)
            .await
            .map_err(IngestError::database)?
        else {
            self.entries.lock().expect("cache lock").remove(&project_id);
            return Ok(None);
        };
        let settings = Arc::new(ProjectSettings::from_row(&row));
        self.entries
            .lock()
            .expect("cache lock")
            .insert(project_id, (Instant::now(), settings.clone()));
        Ok(Some(settings))
    }

    /// Drops a project's cached settings after the API changed them.
    pub fn invalidate(&self, project_id: i64) {
        self.entries.lock().expect("cache lock").remove(&project_id);
    }
}

/// How a project groups: its config and rules. Rules were validated when saved; a rule set that
/// no longer parses (e.g. after a downgrade) is ignored rather than refusing the project's events.
pub fn grouping_config(row: &project::Model) -> GroupingConfig {
    let rules = FingerprintRules::parse(&row.fingerprint_rules).unwrap_or_else(|error| {
        tracing::warn!(project = row.id, %error, "ignoring unparsable fingerprint rules");
        FingerprintRules::empty()
    });
    let stack_rules = StackRules::parse(&row.stacktrace_rules).unwrap_or_else(|error| {
        tracing::warn!(project = row.id, %error, "ignoring unparsable stack-trace rules");
        StackRules::default()
    });
    GroupingConfig {
        id: row.grouping_config.clone(),
        rules,
        stack_rules,
    }
}

impl ProjectSettings {
    fn from_row(row: &project::Model) -> Self {
        ProjectSettings {
            id: row.id,
            organization_id: row.organization_id,
            grouping: grouping_config(row),
            similarity: SimilaritySettings {
                join_enabled: row.similarity_enabled,
                threshold: row.similarity_threshold,
            },
            sample_rate: row.sample_rate,
            rate_limit_per_minute: row.rate_limit_per_minute.map(|n| n.max(0) as u32),
            extra: ExtraSettings::parse(&row.settings),
        }
    }
}

impl ExtraSettings {
    /// The settings stored in a project row; defaults where the column is empty or unreadable.
    pub fn parse(column: &str) -> ExtraSettings {
        serde_json::from_str(column).unwrap_or_default()
    }

    /// The column's text.
    pub fn to_column(&self) -> String {
        serde_json::to_string(self).expect("settings serialise")
    }

    /// Whether default PII scrubbing is on (it is unless turned off).
    pub fn scrubs_data(&self) -> bool {
        self.scrub_data.unwrap_or(true)
    }
}
