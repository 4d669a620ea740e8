//! Step 4: normalisation, Relay's rules (protocol spec §6–§7). Every SDK's event comes out in
//! one shape — the contract with grouping and storage:
//!
//! - `event_id` 32 lowercase hex; `timestamp` and `received` RFC 3339 UTC with microseconds;
//! - `level` one of debug/info/warning/error/fatal; `platform` from Sentry's list or `other`;
//! - `exception`, `threads`, `breadcrumbs` as `{"values": [...]}`, oldest first;
//! - `logentry` `{message?, params?, formatted}` (a top-level `message` is merged into it);
//! - `tags` as `[[key, value], …]`; `fingerprint` a list of strings; `type` inferred;
//! - free-form data scrubbed of secrets and bounded in size.
//!
//! Wrong types in known fields are dropped and noted in `errors`; they never reject the event.
//! Unknown fields are kept.
mod fields;
mod scrub;
mod timestamps;
mod trimming;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use entity::states::Level;
use serde_json::{Map, Value, json};

pub use scrub::ScrubSettings;

use super::IngestError;
use super::envelope::normalize_event_id;

/// Facts about the request an event arrived in.
pub struct NormalizeContext {
    pub received: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The envelope header's event id wins over the payload's.
    pub envelope_event_id: Option<String>,
    pub client_ip: Option<IpAddr>,
    /// `sentry_client` of the auth header, for events without `sdk`.
    pub sentry_client: Option<String>,
    pub scrub: ScrubSettings,
}

/// The normalised event with the columns storage indexes. The payload is a JSON tree while the
/// event is processed, and its stored form (`NormalizedEvent<Vec<u8>>`: the JSON text
/// compressed, `db::payload::store`) once it is handed to the writer, so the single writer task
/// neither serialises, compresses nor frees JSON trees.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedEvent<Payload = Value> {
    pub event_id: String,
    pub timestamp: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub level: Level,
    pub platform: String,
    pub release: Option<String>,
    pub environment: Option<String>,
    /// `logentry.formatted`, the message people read.
    pub message: Option<String>,
    pub tags: Vec<(String, String)>,
    /// `id:…`, else `username:…`, `email:…`, `ip:…`: who was affected.
    pub user_key: Option<String>,
    pub payload: Payload,
}

impl NormalizedEvent {
    /// The event as stored: the payload serialised and compressed.
    pub fn into_stored(self) -> NormalizedEvent<Vec<u8>> {
        NormalizedEvent {
            payload: crate::db::payload::store(&self.payload),
            event_id: self.event_id,
            timestamp: self.timestamp,
            received: self.received,
            level: self.level,
            platform: self.platform,
            release: self.release,
            environment: self.environment,
            message: self.message,
            tags: self.tags,
            user_key: self.user_key,
        }
    }
}

/// Legacy interface names and the field each became.
const ALIASES: &[(&str, &str)] = &[
    ("sentry.interfaces.Exception", "exception"),
    ("sentry.interfaces.Message", "logentry"),
    ("sentry.interfaces.User", "user"),
    ("sentry.interfaces.Http", "request"),
    ("sentry.interfaces.Stacktrace", "stacktrace"),
    ("sentry.interfaces.Template", "template"),
];

pub fn normalize_event(raw: Value, ctx: &NormalizeContext) -> Result<NormalizedEvent, IngestError> {
    let Value::Object(mut event) = raw else {
        return Err(IngestError::bad_request(
            "invalid event payload: not a JSON object",
        ));
    };
    let mut errors: Vec<Value> = match event.remove("errors") {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    let mut note = |kind: &str, name: &str| errors.push(json!({ "type": kind, "name": name }));
    for (alias, field) in ALIASES {
        if let Some(value) = event.remove(*alias) {
            event.entry(field.to_string()).or_insert(value);
        }
    }
    // Relay-internal fields an SDK has no business sending.
    for internal in [
        "_meta",
        "received",
        "project",
        "key_id",
        "grouping_config",
        "hashes",
    ] {
        event.remove(internal);
    }

    let payload_id = event
        .get("event_id")
        .and_then(Value::as_str)
        .and_then(normalize_event_id);
    let event_id = ctx
        .envelope_event_id
        .clone()
        .or(payload_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    event.insert("event_id".into(), Value::String(event_id.clone()));

    let timestamp = match event.get("timestamp").map(timestamps::parse) {
        Some(Some(t)) => t,
        Some(None) => {
            note("invalid_data", "timestamp");
            ctx.received
        }
        None => ctx.received,
    };
    let (shift, correction) = timestamps::correction(timestamp, ctx.received, ctx.sent_at);
    if let Some(kind) = correction {
        note(kind, "timestamp");
    }
    let timestamp = timestamp + shift;
    event.insert(
        "timestamp".into(),
        Value::String(timestamps::format(timestamp)),
    );
    event.insert(
        "received".into(),
        Value::String(timestamps::format(ctx.received)),
    );
    if let Some(start) = event.get("start_timestamp").and_then(timestamps::parse) {
        event.insert(
            "start_timestamp".into(),
            Value::String(timestamps::format(start + shift)),
        );
    }

    let level = match event.get("level") {
        None | Some(Value::Null) => Level::Error,
        Some(given) => fields::level(Some(given)).unwrap_or_else(|| {
            note("invalid_data", "level");
            Level::Error
        }),
    };
    event.insert("level".into(), level.as_str().into());
    let platform = fields::platform(event.get("platform"));
    event.insert("platform".into(), platform.into());

    let release = fields::release(event.get("release"));
    set_or_remove(&mut event, "release", release.clone());
    let mut tags = fields::tags(event.get("tags"));
    let environment = fields::environment(event.get("environment")).or_else(|| {
        let promoted = tags
            .iter()
            .find(|(k, _)| k == "environment")
            .map(|(_, v)| v.clone());
        fields::environment(promoted.map(Value::String).as_ref())
    });
    tags.retain(|(k, _)| k != "environment");
    set_or_remove(&mut event, "environment", environment.clone());
    if let Some(server_name) = event.get("server_name").and_then(Value::as_str)
        && !tags.iter().any(|(k, _)| k == "server_name")
    {
        tags.push((
            "server_name".into(),
            server_name.chars().take(trimming::MAX_SHORT).collect(),
        ));
    }
    event.insert(
        "tags".into(),
        Value::Array(tags.iter().map(|(k, v)| json!([k, v])).collect()),
    );
    match fields::fingerprint(event.get("fingerprint")) {
        Some(fingerprint) => {
            event.insert("fingerprint".into(), json!(fingerprint));
        }
        None => {
            if event.remove("fingerprint").is_some_and(|f| !f.is_null()) {
                note("invalid_data", "fingerprint");
            }
        }
    }

    for (field, single) in [
        ("exception", true),
        ("threads", false),
        ("breadcrumbs", false),
    ] {
        let wrapped = fields::values_wrapper(event.remove(field), single);
        if let Some(wrapped) = wrapped {
            event.insert(field.into(), wrapped);
        }
    }
    normalize_exceptions(&mut event);
    let logentry = fields::logentry(event.remove("message"), event.remove("logentry"));
    if let Some(logentry) = logentry {
        event.insert("logentry".into(), logentry);
    }
    let has_exception = event
        .get("exception")
        .and_then(|e| e.get("values"))
        .and_then(Value::as_array)
        .is_some_and(|v| !v.is_empty());
    if event.get("type").and_then(Value::as_str) != Some("transaction") {
        event.insert(
            "type".into(),
            if has_exception { "error" } else { "default" }.into(),
        );
    }
    if !event.get("sdk").is_some_and(Value::is_object)
        && let Some((name, version)) = ctx.sentry_client.as_deref().and_then(|c| c.split_once('/'))
    {
        event.insert("sdk".into(), json!({ "name": name, "version": version }));
    }
    if let Some(Value::Array(crumbs)) = event
        .get_mut("breadcrumbs")
        .and_then(|b| b.get_mut("values"))
    {
        for crumb in crumbs.iter_mut() {
            if let Some(t) = crumb.get("timestamp").and_then(timestamps::parse) {
                crumb["timestamp"] = Value::String(timestamps::format(t + shift));
            }
        }
        trimming::breadcrumbs(crumbs);
    }
    fill_ip_addresses(&mut event, platform, ctx.client_ip);
    if ctx.scrub.enabled {
        scrub_event(&mut event, &ctx.scrub);
    }
    if ctx.scrub.scrub_ip_addresses {
        remove_ip_addresses(&mut event);
    }
    trim_event(&mut event);
    if !errors.is_empty() {
        event.insert("errors".into(), Value::Array(errors));
    }

    let payload = Value::Object(event);
    let message = payload
        .pointer("/logentry/formatted")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(NormalizedEvent {
        event_id,
        timestamp,
        received: ctx.received,
        level,
        platform: platform.to_string(),
        release,
        environment,
        message,
        user_key: user_key(payload.get("user")),
        tags,
        payload,
    })
}

fn set_or_remove(event: &mut Map<String, Value>, key: &str, value: Option<String>) {
    match value {
        Some(value) => event.insert(key.into(), Value::String(value)),
        None => event.remove(key),
    };
}

/// Exception values stringified, stack traces as `{frames: [...]}`, and a lone exception without
/// a stack trace given the event's top-level `stacktrace` (as Relay moves it).
fn normalize_exceptions(event: &mut Map<String, Value>) {
    let top_level = event
        .get("stacktrace")
        .filter(|s| s.get("frames").is_some_and(Value::is_array))
        .cloned();
    let Some(values) = event
        .get_mut("exception")
        .and_then(|e| e.get_mut("values"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    let lone = values.len() == 1;
    let mut moved = false;
    for exception in values.iter_mut() {
        if let Some(value) = exception
            .get("value")
            .filter(|v| !v.is_string() && !v.is_null())
        {
            exception["value"] = fields::stringify(value)
                .map(Value::String)
                .unwrap_or(Value::Null);
        }
        let has_frames = exception
            .pointer("/stacktrace/frames")
            .is_some_and(Value::is_array);
        if !has_frames {
            if let (true, Some(stack)) = (lone, &top_level) {
                exception["stacktrace"] = stack.clone();
                moved = true;
            } else if let Some(map) = exception.as_object_mut() {
                map.remove("stacktrace");
            }
        }
    }
    if moved {
        event.remove("stacktrace");
    }
}

/// `{{auto}}` means "the address this request came from"; JavaScript and Apple platforms get it
/// filled even when not asked (protocol spec §7.3).
fn fill_ip_addresses(event: &mut Map<String, Value>, platform: &str, client_ip: Option<IpAddr>) {
    let client = client_ip.map(|ip| Value::String(ip.to_string()));
    if let Some(remote) = event
        .get_mut("request")
        .and_then(|r| r.get_mut("env"))
        .and_then(|e| e.get_mut("REMOTE_ADDR"))
        && remote.as_str() == Some("{{auto}}")
    {
        *remote = client.clone().unwrap_or(Value::Null);
    }
    let remote_addr = event
        .get("request")
        .and_then(|r| r.pointer("/env/REMOTE_ADDR"))
        .and_then(Value::as_str)
        .filter(|a| a.parse::<IpAddr>().is_ok())
        .map(|a| Value::String(a.to_string()));
    let user_ip = event
        .get("user")
        .and_then(|u| u.get("ip_address"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let fill = match user_ip.as_deref() {
        Some("{{auto}}") => client,
        Some(_) => return,
        None if remote_addr.is_some() => remote_addr,
        None if matches!(platform, "javascript" | "cocoa" | "objc") => client,
        None => return,
    };
    if let Some(ip) = fill {
        let user = event.entry("user").or_insert_with(|| json!({}));
        if let Some(user) = user.as_object_mut() {
            user.insert("ip_address".into(), ip);
        }
    }
}

/// Scrubs the free-form parts of an event (never exception values, messages or file paths).
fn scrub_event(event: &mut Map<String, Value>, settings: &ScrubSettings) {
    for bag in ["extra", "contexts"] {
        if let Some(value) = event.get_mut(bag) {
            settings.scrub(value);
        }
    }
    if let Some(request) = event.get_mut("request").and_then(Value::as_object_mut) {
        for part in ["data", "headers", "cookies", "env"] {
            if let Some(value) = request.get_mut(part) {
                match value {
                    Value::String(text) if part == "cookies" => {
                        *text = settings.scrub_pairs_string(text, ';')
                    }
                    other => settings.scrub(other),
                }
            }
        }
        match request.get_mut("query_string") {
            Some(Value::String(text)) => *text = settings.scrub_pairs_string(text, '&'),
            Some(other) => settings.scrub(other),
            None => {}
        }
        if let Some(Value::String(url)) = request.get_mut("url") {
            let mut bag = Value::String(url.clone());
            settings.scrub(&mut bag);
            if let Value::String(scrubbed) = bag {
                *url = scrubbed;
            }
        }
    }
    if let Some(data) = event.get_mut("user").and_then(|u| u.get_mut("data")) {
        settings.scrub(data);
    }
    for_each_frame(event, |frame| {
        if let Some(vars) = frame.get_mut("vars") {
            settings.scrub(vars);
        }
    });
    if let Some(Value::Array(crumbs)) = event
        .get_mut("breadcrumbs")
        .and_then(|b| b.get_mut("values"))
    {
        for crumb in crumbs.iter_mut() {
            if let Some(data) = crumb.get_mut("data") {
                settings.scrub(data);
            }
        }
    }
}

fn remove_ip_addresses(event: &mut Map<String, Value>) {
    if let Some(user) = event.get_mut("user").and_then(Value::as_object_mut) {
        user.remove("ip_address");
    }
    if let Some(env) = event
        .get_mut("request")
        .and_then(|r| r.get_mut("env"))
        .and_then(Value::as_object_mut)
    {
        env.remove("REMOTE_ADDR");
    }
}

fn for_each_frame(event: &mut Map<String, Value>, mut f: impl FnMut(&mut Value)) {
    for container in ["exception", "threads"] {
        if let Some(Value::Array(values)) =
            event.get_mut(container).and_then(|c| c.get_mut("values"))
        {
            for value in values.iter_mut() {
                if let Some(Value::Array(frames)) = value
                    .get_mut("stacktrace")
                    .and_then(|s| s.get_mut("frames"))
                {
                    frames.iter_mut().for_each(&mut f);
                }
            }
        }
    }
    if let Some(Value::Array(frames)) = event
        .get_mut("stacktrace")
        .and_then(|s| s.get_mut("frames"))
    {
        frames.iter_mut().for_each(&mut f);
    }
}

fn trim_event(event: &mut Map<String, Value>) {
    let mut value = Value::Object(std::mem::take(event));
    for (pointer, limit) in [
        ("/logentry/formatted", trimming::MAX_MESSAGE + 200),
        ("/logentry/message", trimming::MAX_MESSAGE),
        ("/culprit", trimming::MAX_SHORT),
        ("/transaction", trimming::MAX_SHORT),
        ("/logger", 64),
        ("/dist", 64),
        ("/server_name", trimming::MAX_SHORT),
        ("/user/email", 75),
    ] {
        trimming::cut_at(&mut value, pointer, limit);
    }
    for container in ["exception", "threads"] {
        if let Some(Value::Array(values)) =
            value.get_mut(container).and_then(|c| c.get_mut("values"))
        {
            for item in values.iter_mut() {
                trimming::cut_at(item, "/value", trimming::MAX_MESSAGE);
                trimming::cut_at(item, "/type", trimming::MAX_PATH);
                if let Some(stack) = item.get_mut("stacktrace") {
                    trimming::stacktrace(stack);
                }
            }
        }
    }
    if let Some(stack) = value.get_mut("stacktrace") {
        trimming::stacktrace(stack);
    }
    for bag in ["extra", "contexts", "modules"] {
        if let Some(data) = value.get_mut(bag) {
            trimming::databag(data);
        }
    }
    if let Some(data) = value.pointer_mut("/request/data") {
        trimming::databag(data);
    }
    if let Value::Object(map) = value {
        *event = map;
    }
}

/// Who the event affected, in the order Sentry prefers the user fields.
fn user_key(user: Option<&Value>) -> Option<String> {
    let user = user?;
    [
        ("id", "id"),
        ("username", "username"),
        ("email", "email"),
        ("ip_address", "ip"),
    ]
    .iter()
    .find_map(|(field, prefix)| {
        let value = user.get(*field).and_then(fields::stringify)?;
        (!value.is_empty())
            .then(|| format!("{prefix}:{}", value.chars().take(180).collect::<String>()))
    })
}

#[cfg(test)]
mod tests;
