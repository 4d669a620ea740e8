//! `Event`: indexed columns straight from the row, everything else read from the stored
//! normalised payload.
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::event;
use serde_json::Value;

use super::Level;
use crate::graphql::{internal, state};
use crate::issues::details;

pub struct Event {
    row: event::Model,
    payload: Value,
}

impl Event {
    pub fn new(row: event::Model) -> Self {
        let payload = crate::db::payload::json(&row);
        Event { row, payload }
    }

    fn field(&self, name: &str) -> Option<Json<Value>> {
        self.payload
            .get(name)
            .filter(|v| !v.is_null())
            .cloned()
            .map(Json)
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
    pub mechanism: Option<Json<Value>>,
    pub stacktrace: Option<Stacktrace>,
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
    pub lineno: Option<i64>,
    pub colno: Option<i64>,
    pub in_app: Option<bool>,
    pub context_line: Option<String>,
    pub pre_context: Option<Vec<String>>,
    pub post_context: Option<Vec<String>>,
    pub vars: Option<Json<Value>>,
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn lines(value: &Value, key: &str) -> Option<Vec<String>> {
    value.get(key).and_then(Value::as_array).map(|lines| {
        lines
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect()
    })
}

fn frame(value: &Value) -> Frame {
    Frame {
        filename: text(value, "filename"),
        abs_path: text(value, "abs_path"),
        function: text(value, "function"),
        module: text(value, "module"),
        package: text(value, "package"),
        lineno: value.get("lineno").and_then(Value::as_i64),
        colno: value.get("colno").and_then(Value::as_i64),
        in_app: value.get("in_app").and_then(Value::as_bool),
        context_line: text(value, "context_line"),
        pre_context: lines(value, "pre_context"),
        post_context: lines(value, "post_context"),
        vars: value
            .get("vars")
            .filter(|v| !v.is_null())
            .cloned()
            .map(Json),
    }
}

fn exception(value: &Value) -> Exception {
    Exception {
        kind: text(value, "type"),
        value: text(value, "value"),
        module: text(value, "module"),
        mechanism: value
            .get("mechanism")
            .filter(|v| !v.is_null())
            .cloned()
            .map(Json),
        stacktrace: value
            .get("stacktrace")
            .and_then(|s| s.get("frames"))
            .and_then(Value::as_array)
            .map(|frames| Stacktrace {
                frames: frames.iter().map(frame).collect(),
            }),
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
            .get("tags")
            .and_then(Value::as_array)
            .map(|pairs| {
                pairs
                    .iter()
                    .filter_map(|pair| {
                        Some(Tag {
                            key: pair.get(0)?.as_str()?.to_string(),
                            value: pair.get(1)?.as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    /// The exception chain, oldest first: the last one is the exception that was raised.
    async fn exceptions(&self) -> Vec<Exception> {
        self.payload
            .get("exception")
            .and_then(|e| e.get("values"))
            .and_then(Value::as_array)
            .map(|values| values.iter().map(exception).collect())
            .unwrap_or_default()
    }
    async fn contexts(&self) -> Option<Json<Value>> {
        self.field("contexts")
    }
    async fn user(&self) -> Option<Json<Value>> {
        self.field("user")
    }
    async fn request(&self) -> Option<Json<Value>> {
        self.field("request")
    }
    async fn breadcrumbs(&self) -> Option<Json<Value>> {
        self.payload
            .get("breadcrumbs")
            .and_then(|b| b.get("values"))
            .cloned()
            .map(Json)
    }
    async fn sdk(&self) -> Option<Json<Value>> {
        self.field("sdk")
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
    async fn raw(&self) -> Json<Value> {
        Json(self.payload.clone())
    }
}
