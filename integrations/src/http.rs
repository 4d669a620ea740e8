//! Plain-HTTP plumbing shared by the REST channels (Jira, SMS, webhook): one way to build a
//! client and one way to turn failures into [`DeliveryError`]s.

use std::time::Duration;

use crate::outbound::{GuardedResolver, OutboundPolicy};
use crate::secret::{Secret, scrub};
use crate::{ConfigError, DeliveryError};

pub(crate) const USER_AGENT: &str = concat!("Larder/", env!("CARGO_PKG_VERSION"));

/// A base URL as a notifier uses it: valid, and allowed by the outbound policy.
pub(crate) fn allowed_base_url(
    channel: &'static str,
    field: &'static str,
    raw: &str,
    policy: &OutboundPolicy,
) -> Result<String, ConfigError> {
    let base = base_url(channel, field, raw)?;
    policy.check_url(channel, field, &base)?;
    Ok(base)
}

/// A reqwest client whose connect and total timeouts are the channel's timeout, and which does
/// not follow redirects: an API answering 3xx to a POST is misconfigured, and following it would
/// resend credentials and payload to wherever the redirect points.
///
/// Names resolve through the outbound guard, so only addresses the policy allows are connected.
pub(crate) fn client(
    channel: &'static str,
    timeout: Duration,
    policy: &OutboundPolicy,
) -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .dns_resolver(std::sync::Arc::new(GuardedResolver::new(policy)))
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

/// Largest answer read from an API: answers are small JSON documents, so a larger one is a
/// misbehaving or hostile endpoint and is not buffered.
pub(crate) const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Reads an answer's body, at most `limit` bytes (`None` when it is longer).
async fn body_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// Parses a successful answer as JSON, reading at most [`MAX_RESPONSE_BYTES`].
pub(crate) async fn json_capped<T: serde::de::DeserializeOwned>(
    channel: &str,
    response: reqwest::Response,
    secrets: &[&Secret],
) -> Result<T, DeliveryError> {
    let body = body_capped(response, MAX_RESPONSE_BYTES)
        .await
        .map_err(|e| transport_error(channel, e, secrets))?
        .ok_or_else(|| DeliveryError {
            retryable: false,
            message: format!("{channel}: the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
        })?;
    serde_json::from_slice(&body).map_err(|e| DeliveryError {
        retryable: false,
        message: scrub(format!("{channel}: unreadable answer: {e}"), secrets),
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
    let body = body_capped(response, 64 * 1024)
        .await
        .ok()
        .flatten()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
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
