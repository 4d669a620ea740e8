//! SMS through a Twilio-compatible Messages API (reqwest).
//!
//! `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`, HTTP Basic `sid:token`, form fields
//! `To`, `From`, `Body`; one request per recipient (the API takes one `To`). The answer's `sid`
//! is the external id. The body is kept to one 160-character segment when the link allows:
//! level, project, truncated title, link.
//!
//! The Messages API has no idempotency key, so a retry after a failure part-way through the
//! recipient list re-sends to the recipients before the failure. Recipients are tried in order and
//! the first failure stops the delivery, which keeps those duplicates to a minimum.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::outbound::OutboundPolicy;
use crate::render::{one_line, truncate};
use crate::secret::Secret;
use crate::{ConfigError, Delivery, DeliveryError, Notification, Notifier};

const CHANNEL: &str = "sms";
pub(crate) const SECRET_FIELDS: &[&str] = &["auth_token"];
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
/// One GSM-7 segment.
const SEGMENT: usize = 160;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SmsConfig {
    pub account_sid: String,
    pub auth_token: Secret,
    /// Sender number (E.164) or messaging-service / alphanumeric sender id.
    pub from: String,
    /// Recipients, E.164 (`+15551234567`).
    pub to: Vec<String>,
    /// Default [`DEFAULT_BASE_URL`].
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl SmsConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let sid = self.account_sid.trim();
        if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ConfigError::invalid(
                CHANNEL,
                "account_sid",
                "must be a non-empty alphanumeric id",
            ));
        }
        if self.auth_token.is_empty() {
            return Err(ConfigError::invalid(CHANNEL, "auth_token", "is empty"));
        }
        if self.from.trim().is_empty() {
            return Err(ConfigError::invalid(CHANNEL, "from", "is empty"));
        }
        if self.to.is_empty() {
            return Err(ConfigError::invalid(
                CHANNEL,
                "to",
                "needs at least one recipient",
            ));
        }
        for to in &self.to {
            let digits = to.trim().strip_prefix('+').unwrap_or(to.trim());
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(ConfigError::invalid(
                    CHANNEL,
                    "to",
                    format!("{to:?} is not a phone number (E.164)"),
                ));
            }
        }
        if let Some(base) = &self.base_url {
            crate::http::base_url(CHANNEL, "base_url", base)?;
        }
        crate::validate_timeout(CHANNEL, self.timeout_ms)
    }
}

#[derive(Deserialize)]
struct MessageResource {
    sid: String,
}

pub(crate) struct SmsNotifier {
    client: reqwest::Client,
    endpoint: String,
    account_sid: String,
    auth_token: Secret,
    from: String,
    to: Vec<String>,
    timeout: Duration,
}

impl SmsNotifier {
    pub(crate) fn new(config: &SmsConfig, policy: &OutboundPolicy) -> Result<Self, ConfigError> {
        let timeout = crate::timeout_from_ms(config.timeout_ms);
        let base = match &config.base_url {
            Some(base) => crate::http::allowed_base_url(CHANNEL, "base_url", base, policy)?,
            None => DEFAULT_BASE_URL.to_string(),
        };
        let account_sid = config.account_sid.trim().to_string();
        Ok(SmsNotifier {
            client: crate::http::client(CHANNEL, timeout, policy)?,
            endpoint: format!("{base}/2010-04-01/Accounts/{account_sid}/Messages.json"),
            account_sid,
            auth_token: config.auth_token.clone(),
            from: config.from.trim().to_string(),
            to: config.to.iter().map(|t| t.trim().to_string()).collect(),
            timeout,
        })
    }
}

/// `ERROR myproject: TITLE… https://…`, cut so the whole fits one segment when the link allows.
pub(crate) fn sms_body(n: &Notification) -> String {
    let prefix = format!(
        "{} {}: ",
        n.issue.level.to_uppercase(),
        truncate(&one_line(&n.project.slug), 30)
    );
    let link = n.issue.url.trim();
    let fixed = prefix.chars().count() + 1 + link.chars().count();
    let room = SEGMENT.saturating_sub(fixed).max(40);
    let title = match n.kind {
        crate::NotificationKind::NewIssue => one_line(&n.issue.title),
        kind => format!("{}: {}", kind.label(), one_line(&n.issue.title)),
    };
    format!("{prefix}{} {link}", truncate(&title, room))
}

#[async_trait]
impl Notifier for SmsNotifier {
    async fn send(&self, n: &Notification) -> Result<Delivery, DeliveryError> {
        crate::bounded(CHANNEL, self.timeout, async {
            let secrets = [&self.auth_token];
            let body = sms_body(n);
            let mut sids = Vec::with_capacity(self.to.len());
            for to in &self.to {
                let response = self
                    .client
                    .post(&self.endpoint)
                    .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
                    .form(&[
                        ("To", to.as_str()),
                        ("From", self.from.as_str()),
                        ("Body", body.as_str()),
                    ])
                    .send()
                    .await
                    .map_err(|e| crate::http::transport_error(CHANNEL, e, &secrets))?;
                if !response.status().is_success() {
                    let mut err = crate::http::status_error(CHANNEL, response, &secrets).await;
                    if !sids.is_empty() {
                        err.message = format!(
                            "{} (after sending {} of {}: {})",
                            err.message,
                            sids.len(),
                            self.to.len(),
                            sids.join(",")
                        );
                    }
                    return Err(err);
                }
                let message: MessageResource =
                    crate::http::json_capped(CHANNEL, response, &secrets).await?;
                sids.push(message.sid);
            }
            Ok(Delivery {
                external_id: sids.first().cloned(),
                external_url: None,
                detail: format!("sent to {} recipient(s): {}", sids.len(), sids.join(",")),
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_checked() {
        let mut c = SmsConfig {
            account_sid: "AC123".into(),
            auth_token: "tok".into(),
            from: "+15550000000".into(),
            to: vec!["+15551234567".into()],
            base_url: None,
            timeout_ms: None,
        };
        assert!(c.validate().is_ok());
        c.to = vec!["call me".into()];
        assert!(c.validate().is_err());
        c.to = vec![];
        assert!(c.validate().is_err());
    }

    #[test]
    fn body_truncation_respects_room() {
        let n: crate::Notification = serde_json::from_value(serde_json::json!({
            "kind": "new_issue", "idempotency_key": "k", "organization": "acme",
            "project": {"id": 1, "name": "Web", "slug": "web"},
            "issue": {"id": 7, "title": "x".repeat(400), "culprit": "", "level": "error",
                "status": "unresolved", "count": 1, "user_count": 1,
                "first_seen": "2024-01-01T00:00:00Z", "last_seen": "2024-01-01T00:00:00Z",
                "url": "https://larder.example/acme/web/issues/7/"}
        }))
        .unwrap();
        let body = sms_body(&n);
        assert!(
            body.chars().count() <= SEGMENT,
            "{} chars: {body}",
            body.chars().count()
        );
        assert!(body.starts_with("ERROR web: xxx"));
        assert!(body.ends_with(" https://larder.example/acme/web/issues/7/"));
    }
}
