//! Plain-HTTP plumbing shared by the REST channels (Jira, SMS, webhook): one way to build a
//! client and one way to turn failures into [`DeliveryError`]s.

use std::time::Duration;

use crate::secret::{Secret, scrub};
use crate::{ConfigError, DeliveryError};

pub(crate) const USER_AGENT: &str = concat!("Larder/", env!("CARGO_PKG_VERSION"));

/// A reqwest client whose connect and total timeouts are the channel's timeout, and which does
/// not follow redirects: an API answering 3xx to a POST is misconfigured, and following it would
/// resend credentials and payload to wherever the redirect points.
pub(crate) fn client(
    channel: &'static str,
    timeout: Duration,
) -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ConfigError::Client {
            channel,
            reason: e.without_url().to_string(),
        })
}

/// Whether an HTTP status means "try again later": server errors, rate limits, request timeouts.
pub(crate) fn status_is_retryable(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408 || status == 425
}

/// A transport-level failure (no usable answer). The URL is dropped from the message because
/// for webhooks the URL is the credential.
pub(crate) fn transport_error(
    channel: &str,
    err: reqwest::Error,
    secrets: &[&Secret],
) -> DeliveryError {
    let err = err.without_url();
    let retryable = !(err.is_builder() || err.is_decode() || err.is_redirect());
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_decode() {
        "unreadable answer"
    } else {
        "request failed"
    };
    let mut message = format!("{channel}: {kind}: {err}");
    // `reqwest::Error`'s Display stops at the top level ("error sending request"); the reason
    // (refused, reset, certificate…) is in the source chain and worth a few words in the log.
    let mut source = std::error::Error::source(&err);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    DeliveryError {
        retryable,
        message: scrub(message, secrets),
    }
}

/// A non-2xx answer: the status decides retryability, the body (trimmed) explains it.
pub(crate) async fn status_error(
    channel: &str,
    response: reqwest::Response,
    secrets: &[&Secret],
) -> DeliveryError {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let body = crate::render::truncate(&crate::render::one_line(&body), 300);
    let message = if body.is_empty() {
        format!("{channel}: HTTP {status}")
    } else {
        format!("{channel}: HTTP {status}: {body}")
    };
    DeliveryError {
        retryable: status_is_retryable(status.as_u16()),
        message: scrub(message, secrets),
    }
}

/// Validates an absolute http(s) URL and returns it without a trailing slash.
pub(crate) fn base_url(
    channel: &'static str,
    field: &'static str,
    raw: &str,
) -> Result<String, ConfigError> {
    let parsed = url::Url::parse(raw.trim())
        .map_err(|e| ConfigError::invalid(channel, field, format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ConfigError::invalid(
            channel,
            field,
            "must be an http:// or https:// URL",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::invalid(channel, field, "has no host"));
    }
    Ok(raw.trim().trim_end_matches('/').to_string())
}
