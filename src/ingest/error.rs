//! Ingest errors: an HTTP status and Relay's `{"detail", "causes"}` body, plus the back-off
//! headers SDKs honour.
use axum::http::StatusCode;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestError {
    pub status: StatusCode,
    pub detail: String,
    pub causes: Vec<String>,
    /// Seconds for `Retry-After` (429 and 503).
    pub retry_after: Option<u64>,
    /// `X-Sentry-Rate-Limits` value (429).
    pub rate_limits: Option<String>,
}

/// Seconds an overloaded server asks SDKs to wait.
const OVERLOAD_RETRY_AFTER: u64 = 5;

impl IngestError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        IngestError {
            status,
            detail: detail.into(),
            ..Default::default()
        }
    }

    /// `400 invalid event envelope` with the reason as cause, as Relay answers framing errors.
    pub fn invalid_envelope(cause: impl Into<String>) -> Self {
        IngestError {
            causes: vec![cause.into()],
            ..Self::new(StatusCode::BAD_REQUEST, "invalid event envelope")
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// The answer Relay gives for unknown or disabled keys and keys of another project.
    pub fn rejected_key() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "event submission rejected with_reason: ProjectId",
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// The writer's queue is full: SDKs should retry later.
    pub fn overloaded() -> Self {
        IngestError {
            retry_after: Some(OVERLOAD_RETRY_AFTER),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "could not schedule event processing: ingest queue is full",
            )
        }
    }

    pub fn unavailable(detail: &str) -> Self {
        IngestError {
            retry_after: Some(OVERLOAD_RETRY_AFTER),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("event could not be stored: {detail}"),
            )
        }
    }

    pub fn database(error: sea_orm::DbErr) -> Self {
        tracing::warn!(%error, "database error during ingest");
        Self::unavailable("database unavailable")
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
