//! `Event`: indexed columns straight from the row, everything else read from the stored
//! normalised event (`crate::event::Event`) and shown as typed objects; only the parts that are
//! free-form by nature (contexts, local variables, request bodies, breadcrumb data) are JSON.
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::event;
use serde_json::Value;

use super::Level;
use super::sourcemaps::{MinifiedFrame, SourcemapError};
use crate::event as model;
use crate::graphql::{internal, state};
use crate::issues::details;
use crate::sourcemaps::Pass;

pub struct Event {
    row: event::Model,
    payload: model::Event,
}

impl Event {
    /// The stored event, with frames that had no source map at ingest mapped again (a map
    /// uploaded since then applies).
    pub async fn load(ctx: &Context<'_>, row: event::Model) -> Self {
        let mut payload: model::Event = crate::db::payload::read(&row);
        let state = state(ctx);
        state
            .pipeline
            .sourcemaps
            .apply(&state.db, row.project_id, &mut payload, Pass::Read)
            .await;
        Event { row, payload }
    }
}

/// A file the SDK sent with the event (its bytes are not served through GraphQL).
#[derive(SimpleObject)]
pub struct Attachment {
    pub filename: String,
    pub content_type: Option<String>,
    pub attachment_type: String,
    pub size: i64,
}

/// Feedback a user left about the event.
#[derive(SimpleObject)]
pub struct UserReport {
    pub name: Option<String>,
    pub email: Option<String>,
    pub comments: String,
    pub created_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(SimpleObject)]
pub struct Exception {
    #[graphql(name = "type")]
    pub kind: Option<String>,
    pub value: Option<String>,
    pub module: Option<String>,
    pub mechanism: Option<Mechanism>,
    pub stacktrace: Option<Stacktrace>,
}

/// How the exception was caught.
#[derive(SimpleObject)]
pub struct Mechanism {
    #[graphql(name = "type")]
    pub kind: Option<String>,
    /// `false`: the application did not catch it (a crash).
    pub handled: Option<bool>,
    /// The exception's type was made up by the SDK.
    pub synthetic: Option<bool>,
}

#[derive(SimpleObject)]
pub struct Stacktrace {
    /// Oldest call first, crash site last (as SDKs send them).
    pub frames: Vec<Frame>,
}

#[derive(SimpleObject)]
pub struct Frame {
    pub filename: Option<String>,
    pub abs_path: Option<String>,
    pub function: Option<String>,
    pub module: Option<String>,
    pub package: Option<String>,
    pub lineno: Option<u64>,
    pub colno: Option<u64>,
    /// Whether the frame is the application's code: the same decision grouping made.
    pub in_app: bool,
    pub context_line: Option<String>,
    pub pre_context: Option<Vec<String>>,
    pub post_context: Option<Vec<String>>,
    pub vars: Option<Json<Value>>,
    /// The source map the frame was mapped with (`~/static/app.min.js.map`).
    pub sourcemap: Option<String>,
    /// The frame as the SDK sent it, when it was source-mapped.
    pub minified: Option<MinifiedFrame>,
    /// Why the frame is not (fully) source-mapped.
    pub sourcemap_error: Option<SourcemapError>,
}

/// Something that happened before the event, oldest first.
#[derive(SimpleObject)]
pub struct Breadcrumb {
    pub timestamp: Option<DateTime<Utc>>,
    #[graphql(name = "type")]
    pub kind: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub message: Option<String>,
    pub data: Option<Json<Value>>,
}

/// The HTTP request being served when the event happened (scrubbed).
#[derive(SimpleObject)]
pub struct Request {
    pub method: Option<String>,
    pub url: Option<String>,
    /// Text or an object, as the SDK sent it.
    pub query_string: Option<Json<Value>>,
    pub headers: Option<Json<Value>>,
    pub cookies: Option<Json<Value>>,
    pub data: Option<Json<Value>>,
    pub env: Option<Json<Value>>,
}

/// The user the event affected.
#[derive(SimpleObject)]
pub struct EventUser {
    pub id: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub ip_address: Option<String>,
    pub data: Option<Json<Value>>,
}

/// The SDK that sent the event.
#[derive(SimpleObject)]
pub struct Sdk {
    pub name: Option<String>,
    pub version: Option<String>,
}

impl From<&model::Frame> for Frame {
    fn from(frame: &model::Frame) -> Self {
        let data = frame.data.as_ref();
        Frame {
            filename: frame.filename.clone(),
            abs_path: frame.abs_path.clone(),
            function: frame.function.clone(),
            module: frame.module.clone(),
            package: frame.package.clone(),
            lineno: frame.lineno,
            colno: frame.colno,
            in_app: frame.in_app == Some(true),
            context_line: frame.context_line.clone(),
            pre_context: frame.pre_context.clone(),
            post_context: frame.post_context.clone(),
            vars: frame.vars.clone().map(Json),
            sourcemap: data.and_then(|d| d.sourcemap.clone()),
            minified: data
                .and_then(|d| d.minified.as_ref())
                .map(MinifiedFrame::from),
            sourcemap_error: data
                .and_then(|d| d.sourcemap_error.as_ref())
                .map(SourcemapError::from),
        }
    }
}

impl From<&model::Exception> for Exception {
    fn from(exception: &model::Exception) -> Self {
        Exception {
            kind: exception.kind.clone(),
            value: exception.value.clone(),
            module: exception.module.clone(),
            mechanism: exception.mechanism.as_ref().map(|m| Mechanism {
                kind: m.kind.clone(),
                handled: m.handled,
                synthetic: m.synthetic,
            }),
            stacktrace: exception.stacktrace.as_ref().map(|s| Stacktrace {
                frames: s.frames.iter().map(Frame::from).collect(),
            }),
        }
    }
}

impl From<&model::Breadcrumb> for Breadcrumb {
    fn from(crumb: &model::Breadcrumb) -> Self {
        Breadcrumb {
            timestamp: crumb.timestamp,
            kind: crumb.kind.clone(),
            category: crumb.category.clone(),
            level: crumb.level.clone(),
            message: crumb.message.clone(),
            data: crumb.data.clone().map(Json),
        }
    }
}

#[Object]
impl Event {
    /// Row id (use it with `event(id:)`).
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// The SDK's event id: 32 lowercase hex, no dashes.
    async fn event_id(&self) -> &str {
        &self.row.event_id
    }
    async fn issue_id(&self) -> ID {
        ID(self.row.issue_id.to_string())
    }
    async fn timestamp(&self) -> DateTime<Utc> {
        self.row.timestamp
    }
    async fn received_at(&self) -> DateTime<Utc> {
        self.row.received_at
    }
    async fn level(&self) -> Level {
        self.row.level.into()
    }
    async fn platform(&self) -> &str {
        &self.row.platform
    }
    async fn title(&self) -> &str {
        &self.row.title
    }
    async fn message(&self) -> Option<&str> {
        self.row.message.as_deref()
    }
    async fn release(&self) -> Option<&str> {
        self.row.release.as_deref()
    }
    async fn environment(&self) -> Option<&str> {
        self.row.environment.as_deref()
    }
    async fn tags(&self) -> Vec<Tag> {
        self.payload
            .tags
            .iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }
    /// The exception chain, oldest first: the last one is the exception that was raised.
    async fn exceptions(&self) -> Vec<Exception> {
        self.payload
            .exceptions()
            .iter()
            .map(Exception::from)
            .collect()
    }
    /// Free-form, keyed by context name (`browser`, `os`, `runtime`, `device`, `trace`…).
    async fn contexts(&self) -> Option<Json<&serde_json::Map<String, Value>>> {
        self.payload.contexts.as_ref().map(Json)
    }
    async fn user(&self) -> Option<EventUser> {
        self.payload.user.as_ref().map(|user| EventUser {
            id: user.id.clone(),
            email: user.email.clone(),
            username: user.username.clone(),
            ip_address: user.ip_address.clone(),
            data: user.data.clone().map(Json),
        })
    }
    async fn request(&self) -> Option<Request> {
        self.payload.request.as_ref().map(|request| Request {
            method: request.method.clone(),
            url: request.url.clone(),
            query_string: request.query_string.clone().map(Json),
            headers: request.headers.clone().map(Json),
            cookies: request.cookies.clone().map(Json),
            data: request.data.clone().map(Json),
            env: request.env.clone().map(|env| Json(Value::Object(env))),
        })
    }
    /// Oldest first (at most the newest 100 are kept).
    async fn breadcrumbs(&self) -> Vec<Breadcrumb> {
        self.payload
            .breadcrumbs
            .iter()
            .flat_map(|b| &b.values)
            .map(Breadcrumb::from)
            .collect()
    }
    async fn sdk(&self) -> Option<Sdk> {
        self.payload.sdk.as_ref().map(|sdk| Sdk {
            name: sdk.name.clone(),
            version: sdk.version.clone(),
        })
    }
    async fn attachments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Attachment>> {
        let rows = details::attachments(&state(ctx).db, &self.row)
            .await
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|a| Attachment {
                filename: a.filename,
                content_type: a.content_type,
                attachment_type: a.attachment_type,
                size: a.size,
            })
            .collect())
    }

    async fn user_reports(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UserReport>> {
        let rows = details::user_reports(&state(ctx).db, &self.row)
            .await
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|r| UserReport {
                name: r.name,
                email: r.email,
                comments: r.comments,
                created_at: r.created_at,
            })
            .collect())
    }

    /// The stored normalised event.
    async fn raw(&self) -> Json<&model::Event> {
        Json(&self.payload)
    }
}
