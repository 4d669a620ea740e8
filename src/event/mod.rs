//! The event model: one Sentry event as typed Rust values, read once after the payload is
//! decoded and handed unchanged through normalisation, filters, grouping, tags, alerts, storage
//! and the API (protocol spec §5–§6, in the manner of Relay's `relay-event-schema`).
//!
//! Reading is lenient, as Relay's is: fields SDKs send in more than one shape (`exception` as a
//! list, a `{values}` wrapper or one object; `tags` as an object or pairs; `message` beside
//! `logentry`; timestamps as text or numbers; levels as names or Python's numbers) are read into
//! one shape, a known field of the wrong type is dropped and noted in `errors`, and every field
//! the model does not know is kept in `other` (each struct's flattened map), so what is stored
//! and served holds everything the SDK sent. Deciding what the values *mean* (defaults,
//! validation, clock drift, `in_app`, scrubbing, limits) is `ingest::normalize`'s job.
mod interfaces;
pub mod lenient;
mod stack;
pub mod time;

use chrono::{DateTime, Utc};
use entity::states::Level;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

pub use interfaces::{
    Breadcrumb, ClientSdk, Context, DebugImage, DebugMeta, LogEntry, Request, User,
};
pub use stack::{
    Exception, Frame, FrameData, Mechanism, MinifiedFrame, SourcemapError, SourcemapErrorKind,
    Stacktrace, Thread,
};

/// A Sentry event. After `ingest::normalize` the fields the writer indexes are set (`event_id`,
/// `timestamp`, `received`, `level`, `platform`, `type`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Event {
    pub event_id: Option<String>,
    #[serde(serialize_with = "level::serialize")]
    pub level: Option<Level>,
    pub platform: Option<String>,
    #[serde(serialize_with = "time::serialize")]
    pub timestamp: Option<DateTime<Utc>>,
    #[serde(serialize_with = "time::serialize")]
    pub start_timestamp: Option<DateTime<Utc>>,
    /// When Larder received the event (set by normalisation, never taken from the SDK).
    #[serde(serialize_with = "time::serialize")]
    pub received: Option<DateTime<Utc>>,
    /// `error` with an exception, `default` without, `transaction` for performance events.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub release: Option<String>,
    pub dist: Option<String>,
    pub environment: Option<String>,
    pub server_name: Option<String>,
    pub logger: Option<String>,
    pub transaction: Option<String>,
    pub culprit: Option<String>,
    pub logentry: Option<LogEntry>,
    pub exception: Option<Values<Exception>>,
    pub threads: Option<Values<Thread>>,
    /// A stack trace outside any exception or thread (`attach_stacktrace`).
    pub stacktrace: Option<Stacktrace>,
    pub breadcrumbs: Option<Values<Breadcrumb>>,
    /// `[key, value]` pairs, in the order sent.
    pub tags: Vec<(String, String)>,
    pub fingerprint: Option<Vec<String>>,
    pub user: Option<User>,
    pub request: Option<Request>,
    pub contexts: Option<Map<String, Value>>,
    pub extra: Option<Map<String, Value>>,
    pub modules: Option<Map<String, Value>>,
    pub sdk: Option<ClientSdk>,
    pub debug_meta: Option<DebugMeta>,
    /// What was wrong with the payload (dropped fields, corrected timestamps).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<EventError>,
    /// Every field the model does not know, as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `{"values": [...]}`, the wrapper Sentry puts around exceptions, threads and breadcrumbs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Values<T> {
    pub values: Vec<T>,
}

/// A problem found in the payload, as Sentry reports them (`{"type": "invalid_data", "name":
/// "level"}`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventError {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient::field")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl EventError {
    pub fn new(kind: &str, name: &str) -> Self {
        EventError {
            kind: kind.to_string(),
            name: Some(name.to_string()),
            other: Map::new(),
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

/// Relay-internal fields an SDK has no business sending: dropped on reading.
const INTERNAL: &[&str] = &[
    "_meta",
    "received",
    "project",
    "key_id",
    "grouping_config",
    "hashes",
];

impl Event {
    /// Reads an SDK's payload (a JSON object), noting in `errors` each known field that was
    /// dropped for having the wrong type.
    pub fn from_sdk(mut object: Map<String, Value>) -> Event {
        for (alias, field) in ALIASES {
            if let Some(value) = object.remove(*alias) {
                object.entry(field.to_string()).or_insert(value);
            }
        }
        for internal in INTERNAL {
            object.remove(*internal);
        }
        Event::read(object)
    }

    /// Reads a stored (normalised) event.
    pub fn from_stored(object: Map<String, Value>) -> Event {
        Event::read(object)
    }

    fn read(object: Map<String, Value>) -> Event {
        let mut event = Event::default();
        let mut message = None;
        let mut logentry = None;
        for (key, value) in object {
            if value.is_null() {
                continue;
            }
            let read = match key.as_str() {
                "event_id" => set(&mut event.event_id, value),
                "level" => {
                    event.level = level::parse(&value);
                    event.level.is_some()
                }
                "platform" => set(&mut event.platform, value),
                "timestamp" => set_time(&mut event.timestamp, &value),
                "start_timestamp" => set_time(&mut event.start_timestamp, &value),
                "received" => set_time(&mut event.received, &value),
                "type" => set(&mut event.event_type, value),
                "release" => {
                    event.release = lenient::stringify(&value);
                    event.release.is_some()
                }
                "dist" => set(&mut event.dist, value),
                "environment" => set(&mut event.environment, value),
                "server_name" => set(&mut event.server_name, value),
                "logger" => set(&mut event.logger, value),
                "transaction" => set(&mut event.transaction, value),
                "culprit" => set(&mut event.culprit, value),
                "message" => {
                    message = Some(value);
                    true
                }
                "logentry" => {
                    logentry = Some(value);
                    true
                }
                "exception" => {
                    event.exception = Values::read(value, true);
                    true
                }
                "threads" => {
                    event.threads = Values::read(value, false);
                    true
                }
                "breadcrumbs" => {
                    event.breadcrumbs = Values::read(value, false);
                    true
                }
                "stacktrace" => set(&mut event.stacktrace, value),
                "tags" => {
                    event.tags = tag_pairs(value);
                    true
                }
                "fingerprint" => {
                    event.fingerprint = fingerprint(&value);
                    event.fingerprint.is_some()
                }
                "user" => set(&mut event.user, value),
                "request" => set(&mut event.request, value),
                "contexts" => set(&mut event.contexts, value),
                "extra" => set(&mut event.extra, value),
                "modules" => set(&mut event.modules, value),
                "sdk" => set(&mut event.sdk, value),
                "debug_meta" => set(&mut event.debug_meta, value),
                "errors" => {
                    event.errors = match value {
                        Value::Array(list) => {
                            list.into_iter().filter_map(lenient::value_as).collect()
                        }
                        _ => Vec::new(),
                    };
                    true
                }
                _ => {
                    event.other.insert(key, value);
                    continue;
                }
            };
            if !read {
                event.errors.push(EventError::new("invalid_data", &key));
            }
        }
        event.logentry = merge_message(message, logentry);
        event
    }

    /// The exception chain, the cause first and the raised exception last.
    pub fn exceptions(&self) -> &[Exception] {
        self.exception.as_ref().map_or(&[], |e| e.values.as_slice())
    }

    /// The raised exception: the last of the chain.
    pub fn main_exception(&self) -> Option<&Exception> {
        self.exceptions().last()
    }

    /// The value of the tag `key`, if the event has it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every stack trace of the event: the exceptions', the threads' and the standalone one.
    pub fn stacktraces_mut(&mut self) -> impl Iterator<Item = &mut Stacktrace> {
        let exceptions = self.exception.iter_mut().flat_map(|e| &mut e.values);
        let threads = self.threads.iter_mut().flat_map(|t| &mut t.values);
        exceptions
            .filter_map(|e| e.stacktrace.as_mut())
            .chain(threads.filter_map(|t| t.stacktrace.as_mut()))
            .chain(self.stacktrace.as_mut())
    }

    /// The named context (`browser`, `os`, `runtime`, `device`…) as typed fields.
    pub fn context(&self, name: &str) -> Option<Context> {
        let context = self.contexts.as_ref()?.get(name)?;
        Context::deserialize(context).ok()
    }

    /// The event as a JSON object (what is stored and served), for tests that look into it.
    #[cfg(test)]
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("an event always serialises")
    }
}

/// Reads a stored event.
impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Event::from_stored(Map::deserialize(deserializer)?))
    }
}

impl<T: serde::de::DeserializeOwned> Values<T> {
    /// `{values: [...]}`, a bare list, or (where allowed) a single object; entries that are not
    /// objects are dropped, and an empty list is no value.
    fn read(value: Value, single_object_allowed: bool) -> Option<Values<T>> {
        let list = match value {
            Value::Array(list) => list,
            Value::Object(mut map) => match map.remove("values") {
                Some(Value::Array(list)) => list,
                Some(_) => return None,
                None if single_object_allowed && !map.is_empty() => vec![Value::Object(map)],
                None => return None,
            },
            _ => return None,
        };
        let values: Vec<T> = list
            .into_iter()
            .filter(Value::is_object)
            .filter_map(lenient::value_as)
            .collect();
        (!values.is_empty()).then_some(Values { values })
    }
}

fn set<T: serde::de::DeserializeOwned>(slot: &mut Option<T>, value: Value) -> bool {
    *slot = lenient::value_as(value);
    slot.is_some()
}

fn set_time(slot: &mut Option<DateTime<Utc>>, value: &Value) -> bool {
    *slot = time::parse(value);
    slot.is_some()
}

/// Tags from an object (sorted by key) or a pair list (order kept); values that are not scalars
/// are dropped. Which pairs are valid is normalisation's decision.
fn tag_pairs(value: Value) -> Vec<(String, String)> {
    match value {
        Value::Object(map) => {
            let mut pairs: Vec<(String, String)> = map
                .into_iter()
                .filter_map(|(k, v)| Some((k, lenient::stringify(&v)?)))
                .collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs
        }
        Value::Array(list) => list
            .iter()
            .filter_map(|pair| {
                let pair = pair.as_array()?;
                Some((
                    lenient::stringify(pair.first()?)?,
                    lenient::stringify(pair.get(1)?)?,
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A fingerprint: a list of strings (numbers and booleans as text); anything else is dropped.
fn fingerprint(value: &Value) -> Option<Vec<String>> {
    let fingerprint: Option<Vec<String>> = value
        .as_array()?
        .iter()
        .map(|v| match v {
            Value::Bool(b) => Some(b.to_string()),
            other => lenient::stringify(other),
        })
        .collect();
    fingerprint.filter(|f| !f.is_empty())
}

/// A top-level `message` (text or object) merged into `logentry` (text or object): the
/// logentry's own fields win.
fn merge_message(message: Option<Value>, logentry: Option<Value>) -> Option<LogEntry> {
    let mut entry: Map<String, Value> = match logentry {
        Some(Value::Object(map)) => map,
        Some(Value::String(text)) => Map::from_iter([("formatted".into(), Value::String(text))]),
        _ => Map::new(),
    };
    match message {
        Some(Value::String(text))
            if !entry.contains_key("formatted") && !entry.contains_key("message") =>
        {
            entry.insert("formatted".into(), Value::String(text));
        }
        Some(Value::Object(object)) => {
            for (key, value) in object {
                entry.entry(key).or_insert(value);
            }
        }
        _ => {}
    }
    (!entry.is_empty())
        .then(|| lenient::value_as(Value::Object(entry)))
        .flatten()
}

/// The five levels, read from the names and numbers SDKs use.
pub mod level {
    use entity::states::Level;
    use serde::Serializer;
    use serde_json::Value;

    /// `warn`, `WARNING`, `critical`, Python's numeric levels… → one of the five levels.
    pub fn parse(value: &Value) -> Option<Level> {
        let level = match value {
            Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
                "debug" | "trace" => Level::Debug,
                "info" | "log" => Level::Info,
                "warning" | "warn" => Level::Warning,
                "error" => Level::Error,
                "fatal" | "critical" => Level::Fatal,
                _ => return None,
            },
            Value::Number(n) => match n.as_i64()? {
                0..=10 => Level::Debug,
                11..=20 => Level::Info,
                21..=30 => Level::Warning,
                31..=40 => Level::Error,
                41..=50 => Level::Fatal,
                _ => return None,
            },
            _ => return None,
        };
        Some(level)
    }

    pub fn serialize<S: Serializer>(
        level: &Option<Level>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match level {
            Some(level) => serializer.serialize_str(level.as_str()),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests;
