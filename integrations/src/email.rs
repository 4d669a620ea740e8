//! E-mail over SMTP (lettre).
//!
//! One connection per notification, no pool: alerts are rare and a pooled connection that the
//! relay closed while idle would only add a failure mode. The message is `multipart/alternative`
//! (text + HTML) so it reads well in every client, and its `Message-ID` is derived from the
//! idempotency key: a retry after a lost `250` carries the same id, which mail stores that
//! de-duplicate on `Message-ID` drop.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::render::{self, html_escape};
use crate::secret::{Secret, scrub};
use crate::{ConfigError, Delivery, DeliveryError, Notification, Notifier};

const CHANNEL: &str = "email";
pub(crate) const SECRET_FIELDS: &[&str] = &["password"];

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain text, no TLS at all (local relays, test sinks). Default port 25.
    None,
    /// Plain connect, then `STARTTLS` — required, never silently skipped. Default port 587.
    #[default]
    Starttls,
    /// TLS from the first byte ("SMTPS", implicit TLS). Default port 465.
    Tls,
}

impl SmtpSecurity {
    fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::None => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EmailConfig {
    pub host: String,
    /// Defaults by `security`: 25, 587 or 465.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    /// SMTP AUTH (PLAIN or LOGIN, whichever the server offers); omit both for an open relay.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// `alerts@example.com` or `Larder <alerts@example.com>`.
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl EmailConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.host.trim().is_empty() {
            return Err(ConfigError::invalid(CHANNEL, "host", "is empty"));
        }
        if self.port == Some(0) {
            return Err(ConfigError::invalid(CHANNEL, "port", "must not be 0"));
        }
        parse_mailbox("from", &self.from)?;
        if self.to.is_empty() {
            return Err(ConfigError::invalid(
                CHANNEL,
                "to",
                "needs at least one recipient",
            ));
        }
        for to in &self.to {
            parse_mailbox("to", to)?;
        }
        let has_user = self.username.as_deref().is_some_and(|u| !u.is_empty());
        let has_password = self.password.as_ref().is_some_and(|p| !p.is_empty());
        if has_user != has_password {
            return Err(ConfigError::invalid(
                CHANNEL,
                if has_user { "password" } else { "username" },
                "username and password go together",
            ));
        }
        crate::validate_timeout(CHANNEL, self.timeout_ms)
    }

    /// The configured port, or the usual one for `security`.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(self.security.default_port())
    }
}

fn parse_mailbox(field: &'static str, raw: &str) -> Result<Mailbox, ConfigError> {
    raw.trim().parse::<Mailbox>().map_err(|e| {
        ConfigError::invalid(CHANNEL, field, format!("{raw:?} is not an address: {e}"))
    })
}

pub(crate) struct EmailNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    password: Option<Secret>,
    timeout: Duration,
}

impl EmailNotifier {
    pub(crate) fn new(config: &EmailConfig) -> Result<Self, ConfigError> {
        let timeout = crate::timeout_from_ms(config.timeout_ms);
        let host = config.host.trim();
        let client_error = |e: lettre::transport::smtp::Error| ConfigError::Client {
            channel: CHANNEL,
            reason: e.to_string(),
        };
        let mut builder = match config.security {
            // No TLS means no certificate checks either: only for relays the operator trusts.
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(client_error)?
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(client_error)?
            }
        }
        .port(config.effective_port())
        // lettre applies this to the connect and to every command; `bounded` caps the total.
        .timeout(Some(timeout));
        if let (Some(user), Some(password)) = (&config.username, &config.password)
            && !user.is_empty()
            && !password.is_empty()
        {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        Ok(EmailNotifier {
            transport: builder.build(),
            from: parse_mailbox("from", &config.from)?,
            to: config
                .to
                .iter()
                .map(|to| parse_mailbox("to", to))
                .collect::<Result<_, _>>()?,
            password: config.password.clone(),
            timeout,
        })
    }

    fn message(&self, n: &Notification) -> Result<(Message, Option<String>), DeliveryError> {
        let message_id = message_id(&n.idempotency_key, &self.from);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(render::subject(n))
            .message_id(message_id.clone());
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                render::plain_text(n),
                html_body(n),
            ))
            .map_err(|e| {
                DeliveryError::permanent(format!("{CHANNEL}: cannot build the message: {e}"))
            })?;
        Ok((message, message_id))
    }
}

/// `<larder.KEY@domain-of-from>`; `None` (lettre generates one) when there is no key.
fn message_id(key: &str, from: &Mailbox) -> Option<String> {
    let token = render::key_token(key.trim());
    if token.is_empty() {
        return None;
    }
    Some(format!("<larder.{token}@{}>", from.email.domain()))
}

#[async_trait]
impl Notifier for EmailNotifier {
    async fn send(&self, n: &Notification) -> Result<Delivery, DeliveryError> {
        crate::bounded(CHANNEL, self.timeout, async {
            let (message, message_id) = self.message(n)?;
            let response = self
                .transport
                .send(message)
                .await
                .map_err(|e| self.smtp_error(e))?;
            let answer = response.message().collect::<Vec<_>>().join(" ");
            Ok(Delivery {
                external_id: message_id,
                external_url: None,
                detail: format!(
                    "accepted for {} recipient(s): {} {}",
                    self.to.len(),
                    response.code(),
                    answer
                ),
            })
        })
        .await
    }
}

impl EmailNotifier {
    /// 5xx replies (bad credentials, rejected recipient) and client-side errors (no common AUTH
    /// mechanism, bad address) will repeat; 4xx replies, timeouts and network errors may not.
    fn smtp_error(&self, e: lettre::transport::smtp::Error) -> DeliveryError {
        let retryable = !(e.is_permanent() || e.is_client());
        let mut message = format!("{CHANNEL}: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            message.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        let secrets: Vec<&Secret> = self.password.iter().collect();
        DeliveryError {
            retryable,
            message: scrub(message, &secrets),
        }
    }
}

fn html_body(n: &Notification) -> String {
    let mut rows = String::new();
    for (label, value) in render::facts(n) {
        rows.push_str(&format!(
            "<tr><th align=\"left\" style=\"padding:2px 12px 2px 0;color:#555\">{}</th><td>{}</td></tr>\n",
            html_escape(label),
            html_escape(&value)
        ));
    }
    let culprit = render::culprit(n)
        .map(|c| {
            format!(
                "<p style=\"margin:0 0 12px;color:#555\"><code>{}</code></p>\n",
                html_escape(c)
            )
        })
        .unwrap_or_default();
    let stack = render::stack_text(n);
    let stack = if stack.is_empty() {
        String::new()
    } else {
        format!(
            "<h3 style=\"margin:16px 0 4px\">Stack trace (most recent call first)</h3>\n\
             <pre style=\"background:#f6f8fa;padding:8px;overflow:auto\">{}</pre>\n",
            html_escape(&stack)
        )
    };
    let url = html_escape(&n.issue.url);
    format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n\
         <p style=\"margin:0;color:#888\">{kind} · {org}/{project}</p>\n\
         <h2 style=\"margin:4px 0\"><a href=\"{url}\">{title}</a></h2>\n\
         {culprit}\
         <table>\n{rows}</table>\n\
         {stack}\
         <p><a href=\"{url}\" style=\"display:inline-block;padding:8px 14px;background:#3b5bdb;color:#fff;text-decoration:none;border-radius:4px\">View issue</a></p>\n\
         </body></html>\n",
        kind = html_escape(n.kind.label()),
        org = html_escape(&n.organization),
        project = html_escape(&n.project.slug),
        title = html_escape(&n.issue.title),
    )
}
