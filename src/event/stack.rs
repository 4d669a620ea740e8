//! Exceptions, threads, stack traces and frames: what grouping, the culprit, alerts and the issue
//! page read from an event.
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// One exception of a chain (`exception.values`, the cause first and the raised one last).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Exception {
    #[serde(rename = "type", default, deserialize_with = "lenient::field")]
    pub kind: Option<String>,
    /// Sent as text by most SDKs; numbers and booleans are read as text.
    #[serde(default, deserialize_with = "lenient::text")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub module: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub mechanism: Option<Mechanism>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub stacktrace: Option<Stacktrace>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// How the exception was caught: `handled: false` is a crash the SDK's hook saw.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mechanism {
    #[serde(rename = "type", default, deserialize_with = "lenient::field")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub handled: Option<bool>,
    /// The exception's type is made up by the SDK (a signal name, a generic wrapper).
    #[serde(default, deserialize_with = "lenient::field")]
    pub synthetic: Option<bool>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A thread at the time of the event; the crashed one's stack is the event's when there is no
/// exception stack.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    #[serde(default, deserialize_with = "lenient::field")]
    pub crashed: Option<bool>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub current: Option<bool>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub stacktrace: Option<Stacktrace>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Frames oldest call first, the crash site last (as SDKs send them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stacktrace {
    #[serde(default, deserialize_with = "lenient::list")]
    pub frames: Vec<Frame>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    #[serde(default, deserialize_with = "lenient::field")]
    pub filename: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub abs_path: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub module: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub package: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub function: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub raw_function: Option<String>,
    /// Set when the frame's code is of another platform than the event's.
    #[serde(default, deserialize_with = "lenient::field")]
    pub platform: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub lineno: Option<u64>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub colno: Option<u64>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub context_line: Option<String>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub pre_context: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::field")]
    pub post_context: Option<Vec<String>>,
    /// Whether the frame is the application's: after normalisation always set, by the one
    /// decision `ingest::normalize::in_app` makes (the SDK's flag is an input to it).
    #[serde(default, deserialize_with = "lenient::field")]
    pub in_app: Option<bool>,
    /// Local variables, scrubbed and bounded like every databag.
    #[serde(default, deserialize_with = "lenient::field")]
    pub vars: Option<Value>,
    /// What processing learnt about the frame (source maps).
    #[serde(default, deserialize_with = "lenient::field")]
    pub data: Option<FrameData>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `frame.data`: how a JavaScript frame was source-mapped, or why it could not be.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameData {
    /// URL of the source map the frame was resolved with (`~/static/app.min.js.map`).
    #[serde(default, deserialize_with = "lenient::field")]
    pub sourcemap: Option<String>,
    /// How the map was found: `debug-id`, `release` or `source-mapping-url`.
    #[serde(default, deserialize_with = "lenient::field")]
    pub resolved_with: Option<String>,
    /// The frame as the SDK sent it, before source mapping.
    #[serde(default, deserialize_with = "lenient::field")]
    pub minified: Option<MinifiedFrame>,
    /// Why the frame is not (fully) source-mapped.
    #[serde(default, deserialize_with = "lenient::field")]
    pub sourcemap_error: Option<SourcemapError>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A frame's location in the minified file.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MinifiedFrame {
    pub filename: Option<String>,
    pub abs_path: Option<String>,
    pub module: Option<String>,
    pub function: Option<String>,
    pub lineno: Option<u64>,
    pub colno: Option<u64>,
}

/// Why a frame could not be source-mapped.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcemapError {
    pub kind: SourcemapErrorKind,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourcemapErrorKind {
    /// The frame has no line or column to look up.
    MissingPosition,
    /// The event names no debug ID for the frame's file and has no release to look its URL
    /// up in.
    NoDebugId,
    /// No uploaded source map matches the frame's debug ID, release + URL or
    /// `sourceMappingURL`.
    NoMap,
    /// The source map found could not be read.
    InvalidMap,
    /// The map has no mapping at the frame's line and column.
    OutOfRange,
    /// The frame was mapped, but the map carries no source text for its file.
    MissingSourcesContent,
}
