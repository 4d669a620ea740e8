//! Step 4: normalisation, Relay's rules (protocol spec §6–§7). The event model reads every SDK's
//! payload into one typed [`Event`]; normalisation then decides what its values mean, as a list
//! of named steps run in order (`normalize_event` says why each comes where it does). What comes
//! out is the contract with filters, grouping, tags, alerts and storage:
//!
//! - `event_id` 32 lowercase hex; `timestamp` and `received` set, in UTC, corrected for drift;
//! - `level` one of debug/info/warning/error/fatal; `platform` from Sentry's list or `other`;
//! - `logentry.formatted` set when there is a message; `type` inferred;
//! - every frame's `in_app` decided, once, for grouping, the API and notifications alike;
//! - free-form data scrubbed of secrets and bounded in size.
//!
//! Wrong types in known fields are dropped and noted in `errors`; they never reject the event.
//! Unknown fields are kept.
mod fields;
mod in_app;
mod scrub;
mod timestamps;
mod trimming;

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entity::states::Level;
use serde_json::Value;

pub use scrub::ScrubSettings;

use super::IngestError;
use super::envelope::normalize_event_id;
use crate::event::{ClientSdk, Event, EventError, User};

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

/// The normalised event with the columns storage indexes. The payload is the typed event while
/// the event is processed, and its stored form (`NormalizedEvent<Vec<u8>>`: the JSON text
/// compressed, `db::payload::store`) once it is handed to the writer, so the single writer task
/// neither serialises nor compresses.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedEvent<Payload = Event> {
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

/// Reads and normalises one SDK payload.
pub fn normalize_event(raw: Value, ctx: &NormalizeContext) -> Result<NormalizedEvent, IngestError> {
    let Value::Object(object) = raw else {
        return Err(IngestError::bad_request(
            "invalid event payload: not a JSON object",
        ));
    };
    let mut event = Event::from_sdk(object);
    // The id first: nothing else depends on it, and the envelope's id must win before anything
    // could log or store the event.
    event_id(&mut event, ctx);
    // Timestamps before breadcrumbs: the shift found for the event applies to its breadcrumbs.
    let shift = timestamps(&mut event, ctx);
    breadcrumb_times(&mut event, shift);
    level_and_platform(&mut event);
    // Release and environment before tags: an `environment` tag is promoted when the field is
    // missing, and then removed from the tags.
    release_and_environment(&mut event);
    tags(&mut event);
    // Exceptions before the type: whether there is an exception decides it.
    exceptions(&mut event);
    event.logentry = event.logentry.take().and_then(fields::logentry);
    event_type(&mut event);
    sdk(&mut event, ctx);
    // `in_app` after the exceptions have their stack traces, before anything reads frames.
    in_app::decide(&mut event);
    // Addresses filled before scrubbing, so that a project that scrubs addresses removes the
    // ones Larder filled in too.
    fill_ip_addresses(&mut event, ctx.client_ip);
    if ctx.scrub.enabled {
        ctx.scrub.event(&mut event);
    }
    if ctx.scrub.scrub_ip_addresses {
        remove_ip_addresses(&mut event);
    }
    // Limits last: scrubbing can lengthen a value (`[Filtered]`), never the reverse.
    trimming::event(&mut event);
    Ok(indexed(event, ctx.received))
}

/// The envelope header's id, else the payload's (dashes removed, lowercased), else a new one.
fn event_id(event: &mut Event, ctx: &NormalizeContext) {
    let payload_id = event.event_id.as_deref().and_then(normalize_event_id);
    let id = ctx
        .envelope_event_id
        .clone()
        .or(payload_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    event.event_id = Some(id);
}

/// The event's time corrected for the SDK's clock and clamped near the receive time; returns
/// the shift applied, for the other timestamps of the event.
fn timestamps(event: &mut Event, ctx: &NormalizeContext) -> Duration {
    let timestamp = event.timestamp.unwrap_or(ctx.received);
    let (shift, correction) = timestamps::correction(timestamp, ctx.received, ctx.sent_at);
    if let Some(kind) = correction {
        event.errors.push(EventError::new(kind, "timestamp"));
    }
    event.timestamp = Some(timestamp + shift);
    event.received = Some(ctx.received);
    event.start_timestamp = event.start_timestamp.map(|t| t + shift);
    shift
}

fn breadcrumb_times(event: &mut Event, shift: Duration) {
    for crumb in event.breadcrumbs.iter_mut().flat_map(|b| &mut b.values) {
        crumb.timestamp = crumb.timestamp.map(|t| t + shift);
    }
}

/// `error` when the SDK did not say; a platform Sentry does not know is `other`.
fn level_and_platform(event: &mut Event) {
    event.level.get_or_insert(Level::Error);
    event.platform = Some(fields::platform(event.platform.as_deref()).to_string());
}

fn release_and_environment(event: &mut Event) {
    event.release = event.release.as_deref().and_then(fields::release);
    event.environment = event
        .environment
        .as_deref()
        .and_then(fields::environment)
        .or_else(|| event.tag("environment").and_then(fields::environment));
}

/// Valid tags only, without `environment` (a field of its own), with the `server_name` tag
/// Sentry adds.
fn tags(event: &mut Event) {
    let mut tags = fields::tags(std::mem::take(&mut event.tags));
    tags.retain(|(k, _)| k != "environment");
    if let Some(server_name) = &event.server_name
        && !tags.iter().any(|(k, _)| k == "server_name")
    {
        tags.push((
            "server_name".into(),
            server_name.chars().take(trimming::MAX_SHORT).collect(),
        ));
    }
    event.tags = tags;
}

/// Stack traces as frames only where there are frames, and a lone exception without a stack
/// trace given the event's top-level `stacktrace` (as Relay moves it).
fn exceptions(event: &mut Event) {
    let Some(exception) = &mut event.exception else {
        return;
    };
    let lone = exception.values.len() == 1;
    for value in &mut exception.values {
        if value
            .stacktrace
            .as_ref()
            .is_some_and(|s| !s.frames.is_empty())
        {
            continue;
        }
        value.stacktrace = None;
        if lone {
            value.stacktrace = event
                .stacktrace
                .take_if(|top_level| !top_level.frames.is_empty());
        }
    }
}

/// `error` with an exception, `default` without; transactions keep their type.
fn event_type(event: &mut Event) {
    if event.event_type.as_deref() != Some("transaction") {
        let kind = if event.exceptions().is_empty() {
            "default"
        } else {
            "error"
        };
        event.event_type = Some(kind.into());
    }
}

/// Events without `sdk` are given the one the auth header names (`sentry.python/2.75.0`).
fn sdk(event: &mut Event, ctx: &NormalizeContext) {
    if event.sdk.is_none()
        && let Some((name, version)) = ctx.sentry_client.as_deref().and_then(|c| c.split_once('/'))
    {
        event.sdk = Some(ClientSdk {
            name: Some(name.into()),
            version: Some(version.into()),
            ..ClientSdk::default()
        });
    }
}

/// `{{auto}}` means "the address this request came from"; JavaScript and Apple platforms get it
/// filled even when not asked (protocol spec §7.3).
fn fill_ip_addresses(event: &mut Event, client_ip: Option<IpAddr>) {
    let client = client_ip.map(|ip| ip.to_string());
    let mut remote_addr = None;
    if let Some(env) = event.request.as_mut().and_then(|r| r.env.as_mut()) {
        if env.get("REMOTE_ADDR").and_then(Value::as_str) == Some("{{auto}}") {
            match &client {
                Some(client) => env.insert("REMOTE_ADDR".into(), client.clone().into()),
                None => env.remove("REMOTE_ADDR"),
            };
        }
        remote_addr = env
            .get("REMOTE_ADDR")
            .and_then(Value::as_str)
            .and_then(|a| a.parse::<IpAddr>().ok())
            .map(|a| a.to_string());
    }
    let platform = event.platform.as_deref().unwrap_or("other");
    let fill = match event.user.as_ref().and_then(|u| u.ip_address.as_deref()) {
        Some("{{auto}}") => client,
        Some(_) => return,
        None if remote_addr.is_some() => remote_addr,
        None if matches!(platform, "javascript" | "cocoa" | "objc") => client,
        None => return,
    };
    match (fill, &mut event.user) {
        (fill, Some(user)) => user.ip_address = fill,
        (Some(ip), user @ None) => {
            *user = Some(User {
                ip_address: Some(ip),
                ..User::default()
            })
        }
        (None, None) => {}
    }
}

fn remove_ip_addresses(event: &mut Event) {
    if let Some(user) = &mut event.user {
        user.ip_address = None;
    }
    if let Some(env) = event.request.as_mut().and_then(|r| r.env.as_mut()) {
        env.remove("REMOTE_ADDR");
    }
}

/// The columns storage indexes, taken from the normalised event.
fn indexed(event: Event, received: DateTime<Utc>) -> NormalizedEvent {
    NormalizedEvent {
        event_id: event.event_id.clone().unwrap_or_default(),
        timestamp: event.timestamp.unwrap_or(received),
        received,
        level: event.level.unwrap_or(Level::Error),
        platform: event.platform.clone().unwrap_or_default(),
        release: event.release.clone(),
        environment: event.environment.clone(),
        message: event.logentry.as_ref().and_then(|l| l.formatted.clone()),
        tags: event.tags.clone(),
        user_key: event.user.as_ref().and_then(user_key),
        payload: event,
    }
}

/// Who the event affected, in the order Sentry prefers the user fields.
fn user_key(user: &User) -> Option<String> {
    [
        (&user.id, "id"),
        (&user.username, "username"),
        (&user.email, "email"),
        (&user.ip_address, "ip"),
    ]
    .into_iter()
    .find_map(|(value, prefix)| {
        let value = value.as_deref().filter(|v| !v.is_empty())?;
        Some(format!(
            "{prefix}:{}",
            value.chars().take(180).collect::<String>()
        ))
    })
}

/// An SDK payload as the rest of the pipeline sees it, for tests of grouping and its rules.
#[cfg(test)]
pub fn normalized_for_test(raw: Value) -> Event {
    let context = NormalizeContext {
        received: Utc::now(),
        sent_at: None,
        envelope_event_id: None,
        client_ip: None,
        sentry_client: None,
        scrub: ScrubSettings::default(),
    };
    normalize_event(raw, &context)
        .expect("a JSON object")
        .payload
}

#[cfg(test)]
mod tests;
