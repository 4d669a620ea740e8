//! Generic signed webhook (reqwest).
//!
//! `POST {url}` with the [`Notification`] as JSON plus `"version": 1`, and three headers:
//!
//! * `X-Larder-Timestamp: <unix seconds>`
//! * `X-Larder-Signature: sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>` — the timestamp
//!   is inside the MAC so a captured request cannot be replayed later with a fresh timestamp;
//!   receivers should also reject timestamps far from their clock (5 minutes is customary).
//! * `X-Larder-Idempotency-Key: <key>` — the same on every retry of one delivery, so receivers
//!   can drop duplicates.
//!
//! Receivers (and tests) check a request with [`verify_webhook_signature`]. Any 2xx is success.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::outbound::OutboundPolicy;
use crate::secret::Secret;
use crate::{ConfigError, Delivery, DeliveryError, Notification, Notifier};

const CHANNEL: &str = "webhook";
pub(crate) const SECRET_FIELDS: &[&str] = &["url", "secret"];

/// Payload format version; bumped on incompatible changes to the JSON body.
pub const WEBHOOK_PAYLOAD_VERSION: u32 = 1;
pub const TIMESTAMP_HEADER: &str = "X-Larder-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Larder-Signature";
pub const IDEMPOTENCY_HEADER: &str = "X-Larder-Idempotency-Key";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WebhookConfig {
    /// The receiver. Treated as a secret: many receivers put their credential into the URL.
    pub url: Secret,
    /// HMAC key shared with the receiver.
    pub secret: Secret,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl WebhookConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        // The parse error is not echoed: it may quote the URL.
        if crate::http::base_url(CHANNEL, "url", self.url.expose()).is_err() {
            return Err(ConfigError::invalid(
                CHANNEL,
                "url",
                "is not an http(s) URL",
            ));
        }
        if self.secret.is_empty() {
            return Err(ConfigError::invalid(CHANNEL, "secret", "is empty"));
        }
        crate::validate_timeout(CHANNEL, self.timeout_ms)
    }
}

/// The JSON body: the notification's fields at top level plus `version`.
#[derive(Serialize)]
struct Payload<'a> {
    version: u32,
    #[serde(flatten)]
    notification: &'a Notification,
}

/// `sha256=<hex>` over `"{timestamp}.{body}"` with `secret`.
pub fn sign_webhook_payload(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mac = mac(secret, timestamp, body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` (the `X-Larder-Signature` value) is the signature of `timestamp` and `body`
/// under `secret`. The comparison is constant-time. Checking that `timestamp` is recent is the
/// receiver's policy and not done here.
pub fn verify_webhook_signature(secret: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&sig).is_ok()
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

pub(crate) struct WebhookNotifier {
    client: reqwest::Client,
    url: Secret,
    secret: Secret,
    timeout: Duration,
}

impl WebhookNotifier {
    pub(crate) fn new(
        config: &WebhookConfig,
        policy: &OutboundPolicy,
    ) -> Result<Self, ConfigError> {
        policy.check_url(CHANNEL, "url", config.url.expose())?;
        let timeout = crate::timeout_from_ms(config.timeout_ms);
        Ok(WebhookNotifier {
            client: crate::http::client(CHANNEL, timeout, policy)?,
            url: Secret::new(config.url.expose().trim()),
            secret: config.secret.clone(),
            timeout,
        })
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn send(&self, n: &Notification) -> Result<Delivery, DeliveryError> {
        crate::bounded(CHANNEL, self.timeout, async {
            let secrets = [&self.url, &self.secret];
            let body = serde_json::to_vec(&Payload {
                version: WEBHOOK_PAYLOAD_VERSION,
                notification: n,
            })
            .map_err(|e| {
                DeliveryError::permanent(format!("{CHANNEL}: cannot encode the payload: {e}"))
            })?;
            let timestamp = chrono::Utc::now().timestamp().to_string();
            let signature = sign_webhook_payload(self.secret.expose(), &timestamp, &body);
            let response = self
                .client
                .post(self.url.expose())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(TIMESTAMP_HEADER, &timestamp)
                .header(SIGNATURE_HEADER, signature)
                .header(IDEMPOTENCY_HEADER, n.idempotency_key.as_str())
                .body(body)
                .send()
                .await
                .map_err(|e| crate::http::transport_error(CHANNEL, e, &secrets))?;
            if !response.status().is_success() {
                return Err(crate::http::status_error(CHANNEL, response, &secrets).await);
            }
            Ok(Delivery {
                external_id: None,
                external_url: None,
                detail: format!("receiver answered HTTP {}", response.status().as_u16()),
            })
        })
        .await
    }
}
