//! Ingest errors: an HTTP status and Relay-style `{"detail", "causes"}` body.
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct IngestError {
    pub status: u16,
    pub detail: String,
    pub causes: Vec<String>,
}

impl IngestError {
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        IngestError {
            status,
            detail: detail.into(),
            causes: Vec::new(),
        }
    }
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, detail)
    }
    pub fn overloaded() -> Self {
        Self::new(
            503,
            "could not schedule event processing: ingest queue is full",
        )
    }
    pub fn unavailable(detail: &str) -> Self {
        Self::new(503, format!("event could not be stored: {detail}"))
    }
    pub fn database(error: sea_orm::DbErr) -> Self {
        tracing::warn!(%error, "database error during ingest");
        Self::new(503, "database unavailable")
    }
    pub fn to_json(&self) -> Value {
        if self.causes.is_empty() {
            json!({ "detail": self.detail })
        } else {
            json!({ "detail": self.detail, "causes": self.causes })
        }
    }
}

impl std::fmt::Display for IngestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.detail)
    }
}
