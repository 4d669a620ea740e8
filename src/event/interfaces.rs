//! The event's other interfaces: the log message, breadcrumbs, the HTTP request, the affected
//! user, the SDK, and the free-form contexts (browser, os, runtime, device, …).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// The message people read (`formatted`) and, for logging integrations, the template and its
/// parameters it was made from.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The template (`cart %s has %d items`), kept when it differs from `formatted`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub params: Option<Value>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub formatted: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Something that happened before the event (a log line, a request, a click), oldest first.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Breadcrumb {
    #[serde(default, with = "super::time")]
    pub timestamp: Option<DateTime<Utc>>,
    #[serde(rename = "type", default, deserialize_with = "lenient::field")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub level: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub data: Option<Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The HTTP request being served. Its parts other than the method and URL are free-form (SDKs
/// send headers as objects or pair lists, query strings as text or objects).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    #[serde(default, deserialize_with = "lenient::field")]
    pub method: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub query_string: Option<Value>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub data: Option<Value>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub headers: Option<Value>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub cookies: Option<Value>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub env: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Who was affected. Ids come as strings or numbers and are read as text.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub ip_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub data: Option<Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The SDK that sent the event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientSdk {
    #[serde(default, deserialize_with = "lenient::field")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One entry of `contexts` (keyed by its name: `browser`, `os`, `runtime`, `device`, `trace`…).
/// The fields tags and search read are typed; the rest is kept as sent.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    #[serde(rename = "type", default, deserialize_with = "lenient::field")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub version: Option<String>,
    /// A device's family (`iPhone`, `Pixel`).
    #[serde(default, deserialize_with = "lenient::field")]
    pub family: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Context {
    /// `Chrome 120.0`, or the name alone when there is no version.
    pub fn name_and_version(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        Some(match &self.version {
            Some(version) => format!("{name} {version}"),
            None => name.to_string(),
        })
    }
}

/// `debug_meta`: the debug files the event's frames came from. JavaScript SDKs list each
/// bundle that `sentry-cli sourcemaps inject` gave a debug ID, as an image of type `sourcemap`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DebugMeta {
    #[serde(default, deserialize_with = "lenient::list")]
    pub images: Vec<DebugImage>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DebugImage {
    #[serde(rename = "type", default, deserialize_with = "lenient::field")]
    pub kind: Option<String>,
    /// The file's path or URL as the frames name it (`abs_path` or `filename`).
    #[serde(default, deserialize_with = "lenient::field")]
    pub code_file: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub debug_id: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}
