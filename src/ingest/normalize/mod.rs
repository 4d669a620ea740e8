//! TEMPORARY minimal normaliser (replaced by the full one).
use crate::ingest::IngestError;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::net::IpAddr;

pub struct ScrubSettings {
    pub enabled: bool,
    pub extra_sensitive_keys: Vec<String>,
    pub safe_keys: Vec<String>,
    pub scrub_ip_addresses: bool,
}
pub struct NormalizeContext {
    pub received: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub envelope_event_id: Option<String>,
    pub client_ip: Option<IpAddr>,
    pub sentry_client: Option<String>,
    pub scrub: ScrubSettings,
}
pub struct NormalizedEvent {
    pub event_id: String,
    pub timestamp: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub level: String,
    pub platform: String,
    pub release: Option<String>,
    pub environment: Option<String>,
    pub message: Option<String>,
    pub tags: Vec<(String, String)>,
    pub user_key: Option<String>,
    pub payload: Value,
}

pub fn normalize_event(
    mut raw: Value,
    ctx: &NormalizeContext,
) -> Result<NormalizedEvent, IngestError> {
    let obj = raw
        .as_object_mut()
        .ok_or_else(|| IngestError::bad_request("event is not a JSON object"))?;
    let event_id = obj
        .get("event_id")
        .and_then(Value::as_str)
        .map(|s| s.replace('-', "").to_lowercase())
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    obj.insert("event_id".into(), event_id.clone().into());
    let level = obj
        .get("level")
        .and_then(Value::as_str)
        .unwrap_or("error")
        .to_string();
    let platform = obj
        .get("platform")
        .and_then(Value::as_str)
        .unwrap_or("other")
        .to_string();
    if let Some(Value::Array(list)) = obj.get("exception").cloned() {
        obj.insert("exception".into(), serde_json::json!({"values": list}));
    }
    let user_key = obj
        .get("user")
        .and_then(|u| u.get("id"))
        .and_then(Value::as_str)
        .map(|id| format!("id:{id}"));
    let tags: Vec<(String, String)> = obj
        .get("tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let message = obj
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(NormalizedEvent {
        event_id,
        timestamp: ctx.received,
        received: ctx.received,
        level,
        platform,
        release: obj
            .get("release")
            .and_then(Value::as_str)
            .map(str::to_string),
        environment: obj
            .get("environment")
            .and_then(Value::as_str)
            .map(str::to_string),
        message,
        tags,
        user_key,
        payload: raw,
    })
}
